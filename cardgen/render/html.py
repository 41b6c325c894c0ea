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
_BOLD = re.compile(r"\*\*(.+?)\*\*", re.S)
_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]*)\)")
_FOOTNOTE = re.compile(r"\[\^[^\]]+\]")
BLANK_MARK = "CARDGENBLANKXYZ"
"""Stands in for a hidden call while the code is highlighted: lexes as one identifier."""
CODE_CLASS = "cg-code"


def inline_html(text: str, image_src=None) -> str:
    """Inline text → HTML: everything escaped, `code` spans as <code> (a multi-line one as
    <pre>), `**strong**` as <b>, images as <img> (`image_src` maps a sheet's path to what the
    page can load; without it an image shows as its alt text)."""
    out: list[str] = []
    last = 0
    for m in _CODE_SPAN.finditer(text):
        out.append(_prose_html(text[last : m.start()], image_src))
        code = escape(m.group(2), quote=False)
        out.append(
            f'<pre class="cg-cmd"><code>{code}</code></pre>'
            if "\n" in code
            else f"<code>{code}</code>"
        )
        last = m.end()
    out.append(_prose_html(text[last:], image_src))
    return "".join(out)


def _prose_html(text: str, image_src) -> str:
    text = _FOOTNOTE.sub("", text)
    out: list[str] = []
    last = 0
    for m in _IMAGE.finditer(text):
        out.append(_bold_html(text[last : m.start()]))
        alt, src = m.group(1), m.group(2)
        shown = image_src(src) if image_src else None
        if shown:
            out.append(f'<img src="{escape(shown)}" alt="{escape(alt)}">')
        else:
            out.append(escape(alt, quote=False))
        last = m.end()
    out.append(_bold_html(text[last:]))
    return "".join(out)


def _bold_html(text: str) -> str:
    parts = _BOLD.split(text)
    return "".join(
        f"<b>{escape(p, quote=False)}</b>" if i % 2 else escape(p.replace("**", ""), quote=False)
        for i, p in enumerate(parts)
    )


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


def code_html_blanks(code: str, lang: str, spans: list[tuple[int, int]]) -> tuple[str, list[str]]:
    """Highlighted `<pre>` with each span replaced by a placeholder; returns the HTML and the
    placeholders (in span order) for the caller to fill."""
    marks = [f"{BLANK_MARK}{i}Q" for i in range(len(spans))]
    for (start, end), mark in sorted(zip(spans, marks, strict=True), reverse=True):
        code = code[:start] + mark + code[end:]
    html = highlight(code.rstrip("\n"), _lexer(lang), _formatter())
    return html.strip(), marks


def pygments_css(light: str = "default", dark: str = "monokai", dark_scope: str = "") -> str:
    """CSS for highlighted code, with a dark variant under `dark_scope` (Anki: `.nightMode`)."""
    css = HtmlFormatter(style=light).get_style_defs(f".{CODE_CLASS}")
    if dark_scope:
        dark_css = HtmlFormatter(style=dark).get_style_defs(f"{dark_scope} .{CODE_CLASS}")
        css += "\n" + dark_css
    return css
