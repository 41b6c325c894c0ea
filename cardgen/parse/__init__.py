"""Markdown cheatsheet → `Sheet`. The only package that sees markdown-it-py tokens."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

from cardgen.errors import SheetError
from cardgen.model import Sheet
from cardgen.parse.frontmatter import blank_noise, close_dangling_fences, split_front_matter
from cardgen.parse.source import decode_sheet, read_sheet_text
from cardgen.parse.walker import SheetWalker, new_markdown

__all__ = ["parse_file", "parse_bytes", "parse_text"]


@lru_cache(maxsize=1)
def markdown() -> MarkdownIt:
    """The one markdown-it parser of this process, with cardgen's plugins."""
    return new_markdown()


def parse_file(path: Path, display: str | None = None) -> Sheet:
    """Parse a sheet from disk; raises `InputError` or `SheetError` with `path:line`."""
    shown = display or str(path)
    return parse_text(read_sheet_text(path, shown), shown, path.stem)


def parse_bytes(data: bytes, path: str, name: str | None = None) -> Sheet:
    return parse_text(decode_sheet(data, path), path, name or Path(path).stem)


def parse_text(text: str, path: str, name: str | None = None) -> Sheet:
    front, text = split_front_matter(text, path)
    text, dangling = close_dangling_fences(blank_noise(text))
    if not text.strip():
        raise SheetError("nothing but front matter: no content to make cards from", path, 1)
    try:
        tokens = markdown().parse(text)
        root = SyntaxTreeNode(tokens)
        walker = SheetWalker(text, path, name or Path(path).stem, front)
        walker.dangling = set(dangling)
        return walker.walk(root)
    except RecursionError:
        raise SheetError("nesting too deep to parse", path, 1) from None
