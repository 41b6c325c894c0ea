"""Raw HTML in a sheet, read into a small element tree so that its headings, list items, tables
and `<details>` blocks are placed like their Markdown twins."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from cardgen.parse.inline import SHORTCODE, code_span, image_text, tidy, unwrap_bold

VOID = frozenset({"br", "img", "hr", "input", "meta", "link", "wbr", "source", "col", "area"})
SELF_CLOSING_PEERS = {
    "li": {"li"},
    "p": {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "div"},
    "td": {"td", "th", "tr"},
    "th": {"td", "th", "tr"},
    "tr": {"tr"},
    "dt": {"dt", "dd"},
    "dd": {"dt", "dd"},
}
"""Tags whose opening closes an open element of the named kinds (HTML's implied end tags)."""
HIDDEN = frozenset({"script", "style", "noscript", "template", "svg", "math", "iframe"})
HEADINGS = {f"h{n}": n for n in range(1, 7)}


@dataclass(slots=True)
class Element:
    tag: str
    attrs: dict[str, str]
    line: int
    """0-based line within the HTML block where the element opens."""
    children: list[Element | str] = field(default_factory=list)
    closed: bool = False

    def find_all(self, tag: str) -> list[Element]:
        out: list[Element] = []
        for child in self.children:
            if isinstance(child, Element):
                if child.tag == tag:
                    out.append(child)
                out.extend(child.find_all(tag))
        return out

    def first(self, tag: str) -> Element | None:
        found = self.find_all(tag)
        return found[0] if found else None

    def elements(self) -> list[Element]:
        return [c for c in self.children if isinstance(c, Element)]


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#root", {}, 0)
        self.stack: list[Element] = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        while len(self.stack) > 1 and tag in SELF_CLOSING_PEERS.get(self.stack[-1].tag, ()):
            self.stack.pop()
        element = Element(tag, {k: v or "" for k, v in attrs}, self.getpos()[0] - 1)
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs}, self.getpos()[0] - 1, closed=True)
        self.stack[-1].children.append(element)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                self.stack[depth].closed = True
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse_html(source: str) -> Element:
    builder = _TreeBuilder()
    try:
        builder.feed(source)
        builder.close()
    except (AssertionError, ValueError):  # malformed markup: keep what was read
        pass
    return builder.root


def inline_of(node: Element | str) -> str:
    """The inline text of an element: `<code>` in backticks, `<b>` in `**`, images marked."""
    return tidy(_inline(node))


def _inline(node: Element | str) -> str:
    if isinstance(node, str):
        return SHORTCODE.sub("", node)
    if node.tag in HIDDEN:
        return ""
    if node.tag == "br":
        return " "
    if node.tag == "img":
        src = node.attrs.get("src", "")
        return image_text(src, node.attrs.get("alt", "")) if src else ""
    inner = "".join(_inline(c) for c in node.children)
    if node.tag in ("code", "kbd", "tt", "samp"):
        raw = "".join(_raw_text(c) for c in node.children)
        return code_span(re.sub(r"\s+", " ", raw).strip()) if raw.strip() else ""
    if node.tag in ("b", "strong") and inner.strip():
        return f"**{inner.strip()}**"
    if node.tag in ("p", "div", "li", "tr", "br", "ul", "ol", "table"):
        return f" {inner} "
    return inner


def _raw_text(node: Element | str) -> str:
    if isinstance(node, str):
        return node
    return "".join(_raw_text(c) for c in node.children)


def table_cells(table: Element) -> tuple[tuple[str, ...], list[tuple[int, tuple[str, ...]]]]:
    """(header, [(line, cells)]) of an HTML table; the header is its first row of `<th>`."""
    header: tuple[str, ...] = ()
    rows: list[tuple[int, tuple[str, ...]]] = []
    for tr in table.find_all("tr"):
        cells = [c for c in tr.elements() if c.tag in ("td", "th")]
        texts = tuple(unwrap_bold(inline_of(c)) for c in cells)
        if not header and cells and all(c.tag == "th" for c in cells):
            header = texts
        else:
            rows.append((tr.line, texts))
    if not header and rows:
        header = rows.pop(0)[1]
    return header, rows
