"""Inline text and code → HTML, shared by the deck and the quizzes. Pygments highlights code."""

from __future__ import annotations

import base64
import hashlib
import mimetypes
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from html import escape
from pathlib import Path

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import TextLexer, get_lexer_by_name
from pygments.util import ClassNotFound

from cardgen.parse.inline import CODE_SPAN

_BOLD = re.compile(r"\*\*(.+?)\*\*", re.S)
_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]*)\)")
_FOOTNOTE = re.compile(r"\[\^[^\]]+\]")
BLANK_MARK = "CARDGENBLANKXYZ"
"""Stands in for a hidden call while the code is highlighted: lexes as one identifier."""
CODE_CLASS = "cg-code"


ImageSource = Callable[[str], str | None]
"""Maps an image's path in the sheet to what the page can load (or None: show its alt text)."""
_IMAGES: ContextVar[ImageSource | None] = ContextVar("cardgen_images", default=None)


@contextmanager
def images_from(resolve: ImageSource | None) -> Iterator[None]:
    """Within the block, `inline_html` shows a sheet's images through `resolve`."""
    token = _IMAGES.set(resolve)
    try:
        yield
    finally:
        _IMAGES.reset(token)


def data_uri_images(sheet_path: str) -> ImageSource:
    """Images of a sheet inlined as `data:` URIs (for pages that must stand alone)."""
    base = Path(sheet_path).parent

    def resolve(src: str) -> str | None:
        data = _read_image(base, src)
        if data is None:
            return None
        kind = mimetypes.guess_type(src)[0] or "application/octet-stream"
        return f"data:{kind};base64,{base64.b64encode(data).decode()}"

    return resolve


class MediaFiles:
    """Images of a sheet collected for an Anki package: each under a name made from its
    bytes, so that two images never share a name and the same image is packed once."""

    def __init__(self, sheet_path: str) -> None:
        self.base = Path(sheet_path).parent
        self.files: dict[str, bytes] = {}

    def __call__(self, src: str) -> str | None:
        data = _read_image(self.base, src)
        if data is None:
            return None
        name = f"cardgen-{hashlib.sha256(data).hexdigest()[:16]}{Path(src).suffix.lower()}"
        self.files[name] = data
        return name


_IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".bmp", ".avif"})


def _read_image(base: Path, src: str) -> bytes | None:
    """The bytes of an image beside the sheet; None for a remote, missing or odd one."""
    clean = src.split("#")[0].split("?")[0]
    if re.match(r"^(?:[a-z][a-z0-9+.-]*:|//)", clean, re.I) or not clean:
        return None
    path = base / clean
    if path.suffix.lower() not in _IMAGE_SUFFIXES:
        return None
    try:
        if path.stat().st_size > 5_000_000:
            return None
        return path.read_bytes()
    except OSError:
        return None


def inline_html(text: str, image_src: ImageSource | None = None) -> str:
    """Inline text → HTML: everything escaped, `code` spans as <code> (a multi-line one as
    <pre>), `**strong**` as <b>, images as <img> through `image_src` (or the resolver set
    with `images_from`; with none, an image shows as its alt text)."""
    image_src = image_src or _IMAGES.get()
    out: list[str] = []
    last = 0
    for m in CODE_SPAN.finditer(text):
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


@lru_cache(maxsize=4096)
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
    html, marks = _code_html_blanks(code, lang, tuple(spans))
    return html, list(marks)


@lru_cache(maxsize=4096)
def _code_html_blanks(
    code: str, lang: str, spans: tuple[tuple[int, int], ...]
) -> tuple[str, tuple[str, ...]]:
    """Highlighted `<pre>` with each span replaced by a placeholder; returns the HTML and the
    placeholders (in span order) for the caller to fill."""
    marks = [f"{BLANK_MARK}{i}Q" for i in range(len(spans))]
    for (start, end), mark in sorted(zip(spans, marks, strict=True), reverse=True):
        code = code[:start] + mark + code[end:]
    html = highlight(code.rstrip("\n"), _lexer(lang), _formatter())
    return html.strip(), tuple(marks)


def pygments_css(light: str = "default", dark: str = "monokai", dark_scope: str = "") -> str:
    """CSS for highlighted code, with a dark variant under `dark_scope` (Anki: `.nightMode`)."""
    css = HtmlFormatter(style=light).get_style_defs(f".{CODE_CLASS}")
    if dark_scope:
        dark_css = HtmlFormatter(style=dark).get_style_defs(f"{dark_scope} .{CODE_CLASS}")
        css += "\n" + dark_css
    return css
