"""Inline text and code → HTML, shared by the deck and the quizzes. Pygments highlights code."""

from __future__ import annotations

import re
from functools import lru_cache
from html import escape

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import TextLexer, get_lexer_by_name
from pygments.util import ClassNotFound

_CODE_SPAN = re.compile(r"(`+)\s?(.*?)\s?\1", re.S)
BLANK_MARK = "CARDGENBLANKXYZ"
"""Stands in for a hidden call while the code is highlighted: lexes as one identifier."""
CODE_CLASS = "cg-code"


def inline_html(text: str) -> str:
    """Inline text → HTML: everything escaped, `code` spans as <code>."""
    out: list[str] = []
    last = 0
    for m in _CODE_SPAN.finditer(text):
        out.append(escape(text[last : m.start()], quote=False))
        out.append(f"<code>{escape(m.group(2), quote=False)}</code>")
        last = m.end()
    out.append(escape(text[last:], quote=False))
    return "".join(out)


@lru_cache(maxsize=64)
def _lexer(lang: str):
    try:
        return get_lexer_by_name(lang or "text", stripnl=False, ensurenl=False)
    except ClassNotFound:
        return TextLexer(stripnl=False, ensurenl=False)


@lru_cache(maxsize=1)
def _formatter() -> HtmlFormatter:
    return HtmlFormatter(cssclass=CODE_CLASS)


def code_html(
    code: str, lang: str, blank: tuple[int, int] | None = None, blank_html: str = "[…]"
) -> str:
    """Highlighted `<pre>`; the `blank` span of the code is replaced by `blank_html`."""
    if blank:
        code = code[: blank[0]] + BLANK_MARK + code[blank[1] :]
    html = highlight(code.rstrip("\n"), _lexer(lang), _formatter())
    if blank:
        html = html.replace(BLANK_MARK, blank_html, 1)
    return html.strip()


def pygments_css(light: str = "default", dark: str = "monokai", dark_scope: str = "") -> str:
    """CSS for highlighted code, with a dark variant under `dark_scope` (Anki: `.nightMode`)."""
    css = HtmlFormatter(style=light).get_style_defs(f".{CODE_CLASS}")
    if dark_scope:
        dark_css = HtmlFormatter(style=dark).get_style_defs(f"{dark_scope} .{CODE_CLASS}")
        css += "\n" + dark_css
    return css
