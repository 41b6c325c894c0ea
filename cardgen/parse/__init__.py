"""Markdown cheatsheet → `Sheet`. The only package that sees markdown-it-py tokens."""

from __future__ import annotations

from pathlib import Path

from markdown_it.tree import SyntaxTreeNode

from cardgen.errors import SheetError
from cardgen.model import Sheet
from cardgen.parse.source import decode_sheet, read_sheet_text
from cardgen.parse.walker import SheetWalker, new_markdown

__all__ = ["parse_file", "parse_bytes", "parse_text"]


def parse_file(path: Path, display: str | None = None) -> Sheet:
    """Parse a sheet from disk; raises `InputError` or `SheetError` with `path:line`."""
    shown = display or str(path)
    return parse_text(read_sheet_text(path, shown), shown, path.stem)


def parse_bytes(data: bytes, path: str, name: str | None = None) -> Sheet:
    return parse_text(decode_sheet(data, path), path, name or Path(path).stem)


def parse_text(text: str, path: str, name: str | None = None) -> Sheet:
    md = new_markdown()
    try:
        tokens = md.parse(text)
    except RecursionError:
        raise SheetError("nesting too deep to parse", path, 1) from None
    root = SyntaxTreeNode(tokens)
    return SheetWalker(md, text, path, name or Path(path).stem).walk(root)
