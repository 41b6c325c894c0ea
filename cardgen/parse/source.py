"""Reading a sheet's bytes into text, with a `path:line` error for anything that is not text."""

from __future__ import annotations

import os
from pathlib import Path

from cardgen.errors import InputError, SheetError

MAX_SHEET_BYTES = 8 * 1024 * 1024
"""Sheets larger than this are refused: a cheatsheet is never that long."""


def read_sheet_bytes(path: Path, shown: str) -> bytes:
    """The sheet's bytes, reading no more than the limit allows: a 20 GB file, or a device
    that never ends, fails at once instead of filling the memory."""
    with path.open("rb") as f:
        data = f.read(MAX_SHEET_BYTES + 1)
        if len(data) > MAX_SHEET_BYTES:
            size = os.fstat(f.fileno()).st_size
            limit = f"the limit is {MAX_SHEET_BYTES / 1e6:.0f} MB"
            said = (
                f"sheet is {size / 1e6:.1f} MB; {limit}"
                if size > MAX_SHEET_BYTES
                else (f"sheet is larger than the limit: {limit}")
            )
            raise SheetError(said, shown, 1)
    return data


def read_sheet_text(path: Path, display: str | None = None) -> str:
    """Return the sheet's text with a BOM removed and line endings made `\\n`."""
    shown = display or str(path)
    try:
        data = read_sheet_bytes(path, shown)
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


_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM")


def looks_like_image(path: Path) -> bool:
    """Whether the file's first bytes are those of an image (PNG, JPEG, GIF, BMP, WebP, AVIF,
    SVG): a file named `.png` that holds a password file is not packed into a deck."""
    try:
        with path.open("rb") as f:
            head = f.read(512)
    except OSError:
        return False
    if head.startswith(_IMAGE_MAGIC):
        return True
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return True
    if head[4:12] in (b"ftypavif", b"ftypavis"):
        return True
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return text.startswith((b"<svg", b"<?xml")) and b"<svg" in head.lower()
