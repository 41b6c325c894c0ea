"""Inline Markdown → the model's inline text (code keeps its backticks, emphasis goes)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.token import Token

ARROW = re.compile(r"\s*(?:→|->|⟶)\s*")


def code_span(code: str) -> str:
    """Write `code` as an inline code span that survives its own backticks."""
    ticks = "`"
    while ticks in code:
        ticks += "`"
    pad = " " if code.startswith("`") or code.endswith("`") else ""
    return f"{ticks}{pad}{code}{pad}{ticks}"


def tokens_to_text(children: Sequence[Token] | None) -> str:
    """Flatten inline tokens into inline text."""
    out: list[str] = []
    for tok in children or ():
        if tok.type in ("text", "html_inline"):
            out.append(tok.content)
        elif tok.type == "code_inline":
            out.append(code_span(tok.content))
        elif tok.type in ("softbreak", "hardbreak"):
            out.append(" ")
        elif tok.type == "image" or tok.children:
            out.append(tokens_to_text(tok.children))
    return re.sub(r"[ \t]+", " ", "".join(out)).strip()


def markdown_to_text(md: MarkdownIt, source: str) -> str:
    """Inline text of a fragment of raw inline Markdown."""
    tokens = md.parseInline(source)
    return tokens_to_text(tokens[0].children if tokens else None)


def strip_code(text: str) -> str:
    """Inline text without backticks: `SYN_SENT` → SYN_SENT."""
    return re.sub(r"(`+)\s?(.*?)\s?\1", r"\2", text)
