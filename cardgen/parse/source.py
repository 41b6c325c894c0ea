"""Reading a sheet's bytes into text, with a `path:line` error for anything that is not text."""

from __future__ import annotations

from pathlib import Path

from cardgen.errors import InputError, SheetError

MAX_SHEET_BYTES = 8 * 1024 * 1024
"""Sheets larger than this are refused: a cheatsheet is never that long."""


def read_sheet_text(path: Path, display: str | None = None) -> str:
    """Return the sheet's text with a BOM removed and line endings made `\\n`."""
    shown = display or str(path)
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise InputError("is a directory, not a sheet", shown) from None
    except FileNotFoundError:
        raise InputError("no such file", shown) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", shown) from None
    return decode_sheet(data, shown)


def decode_sheet(data: bytes, path: str) -> str:
    if len(data) > MAX_SHEET_BYTES:
        raise SheetError(
            f"sheet is {len(data) / 1e6:.1f} MB; the limit is {MAX_SHEET_BYTES / 1e6:.0f} MB",
            path,
            1,
        )
    nul = data.find(b"\0")
    if nul != -1:
        raise SheetError(
            "binary file (contains NUL bytes), not a Markdown sheet", path, _line_at(data, nul)
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SheetError(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})",
            path,
            _line_at(data, exc.start),
        ) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise SheetError("empty sheet: nothing to make cards from", path, 1)
    return text


def _line_at(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1
