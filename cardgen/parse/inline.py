"""Inline tokens → the model's inline text: code keeps its backticks, strong emphasis keeps
`**`, images are `![alt](src)`, footnote references `[^label]`; other markup goes, and so do
site-generator shortcodes (`{{ tab() }}`, `{{< ref "x" >}}`)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from markdown_it.token import Token

ARROW = re.compile(r"\s*(?:→|->|⟶|=>|⇒|⟹)\s*")
SHORTCODE = re.compile(
    r"\{\{<.*?>\}\}|\{\{%.*?%\}\}|\{%-?.*?-?%\}"
    r"|\{\{\s*[A-Za-z_][\w.]*\s*(?:\((?:[^(){}]|\([^(){}]*\))*\))?\s*\}\}"
)
"""Hugo, Liquid/Jekyll and Zola/Tera calls. tldr's `{{placeholder}}` only lives in code."""
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_HTML_BREAK = re.compile(r"^<br\s*/?>$", re.I)
_HTML_CODE = re.compile(r"^<(/?)(code|kbd|tt|samp)\b[^>]*>$", re.I)
_HTML_STRONG = re.compile(r"^<(/?)(b|strong)\b[^>]*>$", re.I)
_HTML_IMG = re.compile(r"^<img\b[^>]*>", re.I)
_HTML_KNOWN = re.compile(
    r"^</?(?:a|abbr|b|bdi|bdo|big|center|cite|data|del|dfn|div|em|font|i|ins|label|mark|nobr|"
    r"q|rp|rt|ruby|s|small|span|strike|strong|sub|sup|time|u|var|wbr|p|section|article|aside|"
    r"header|footer|nav|main|figure|figcaption|picture|source|video|audio|button|input|select|"
    r"option|textarea|form|details|summary|table|thead|tbody|tr|td|th|ul|ol|li|dl|dt|dd|h[1-6]|"
    r"hr|pre|blockquote|svg|path|[a-z][\w]*-[\w-]+)\b[^>]*>$|^<!--.*-->$",
    re.I | re.S,
)
"""HTML's own tags (and custom elements, whose names hold a `-`): the text stays, the tag
goes. Anything else that looks like a tag (`<T>` in `Vec<T>`, `<name>`, `<script>`) is kept as
literal text, escaped wherever it is shown."""
_ATTR = re.compile(r"""(\w+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")


def code_span(code: str) -> str:
    """Write `code` as an inline code span that survives its own backticks."""
    ticks = "`"
    while ticks in code:
        ticks += "`"
    pad = " " if code.startswith("`") or code.endswith("`") else ""
    return f"{ticks}{pad}{code}{pad}{ticks}"


def html_attrs(tag: str) -> dict[str, str]:
    return {
        m.group(1).lower(): m.group(2) or m.group(3) or m.group(4) or ""
        for m in _ATTR.finditer(tag)
    }


def image_text(src: str, alt: str) -> str:
    alt = alt.replace("]", "").replace("[", "").strip()
    return f"![{alt}]({src.replace(')', '%29').replace(' ', '%20')})"


_TAG_NAME = re.compile(r"^</?\s*([A-Za-z][\w-]*)")
_SHOWN = frozenset({"script", "style", "iframe", "object", "embed", "template"})
"""Tags whose content must never run: kept as literal text, so the learner sees them."""


class _Flattener:
    def __init__(self) -> None:
        self.out: list[str] = []
        self.code: list[str] | None = None
        self.closed: set[str] = set()
        self.sup: int | None = None
        """Tag names closed somewhere in this inline text: their openings are markup too."""

    def text(self, value: str) -> None:
        if self.code is not None:
            self.code.append(value)
        else:
            self.out.append(SHORTCODE.sub("", value))

    def walk(self, children: Sequence[Token]) -> None:
        for tok in children:
            if tok.type == "html_inline" and tok.content.startswith("</"):
                m = _TAG_NAME.match(tok.content)
                if m:
                    self.closed.add(m.group(1).lower())
        for tok in children:
            kind = tok.type
            if kind == "text":
                self.text(tok.content)
            elif kind == "code_inline":
                self.out.append(code_span(tok.content))
            elif kind in ("softbreak", "hardbreak"):
                self.text(" ")
            elif kind in ("strong_open", "strong_close"):
                self.out.append("**")
            elif kind == "image":
                self.out.append(image_text(tok.attrGet("src") or "", tok.content or ""))
            elif kind == "footnote_ref":
                self.out.append(f"[^{tok.meta.get('label', tok.meta.get('id', ''))}]")
            elif kind == "html_inline":
                self.html(tok.content)
            elif tok.children:
                self.walk(tok.children)

    def html(self, tag: str) -> None:
        tag = tag.strip()
        if _HTML_BREAK.match(tag):
            self.text(" ")
        elif m := _HTML_CODE.match(tag):
            if m.group(1) and self.code is not None:
                self.out.append(code_span("".join(self.code)))
                self.code = None
            elif not m.group(1):
                self.code = []
        elif re.match(r"^<sup\b", tag, re.I):
            self.sup = len(self.out)
        elif re.match(r"^</sup>", tag, re.I) and self.sup is not None:
            mark = "".join(self.out[self.sup :])
            before = "".join(self.out[: self.sup]).rstrip(" ")
            if before[-1:].isdigit() or before.endswith(")"):
                self.out[self.sup :] = [f"^{mark.strip()}"]  # an exponent: 10^38
            elif re.fullmatch(r"\s*[\d*†‡,]+\s*", mark):
                del self.out[self.sup :]  # a footnote mark (`<sup>2</sup>`), not content
            self.sup = None
        elif _HTML_STRONG.match(tag):
            self.out.append("**")
        elif _HTML_IMG.match(tag):
            attrs = html_attrs(tag)
            if attrs.get("src"):
                self.out.append(image_text(attrs["src"], attrs.get("alt", "")))
        elif not _HTML_KNOWN.match(tag) and not self._paired(tag):
            self.text(tag)

    def _paired(self, tag: str) -> bool:
        """A tag with attributes, or one whose closing tag is here too, is markup."""
        m = _TAG_NAME.match(tag)
        name = m.group(1).lower() if m else ""
        if name in _SHOWN:
            return False
        return name in self.closed or bool(re.search(r"\s\w+\s*=", tag)) or name == "img"

    def result(self) -> str:
        if self.code is not None:
            self.out.append(code_span("".join(self.code)))
        return tidy("".join(self.out))


def tidy(text: str) -> str:
    """Spaces collapsed, invisible characters and empty `****` pairs gone."""
    text = _INVISIBLE.sub("", text)
    text = re.sub(r"\*\*(\s*)\*\*", r"\1", text)
    return re.sub(r"[ \t\n]+", " ", text).strip()


def unwrap_bold(text: str) -> str:
    """`**CLOSED**` → `CLOSED`: bold over a whole cell or term is only styling."""
    if text.startswith("**") and text.endswith("**") and text.count("**") == 2 and len(text) > 4:
        return text[2:-2].strip()
    return text


def tokens_to_text(children: Sequence[Token] | None) -> str:
    """Flatten inline tokens into inline text."""
    flat = _Flattener()
    flat.walk(children or ())
    return flat.result()


def only_links(children: Sequence[Token] | None) -> bool:
    """Whether the inline content is links (or images) and nothing else but punctuation."""
    depth = 0
    links = 0
    for tok in children or ():
        if (
            tok.type == "image"
            and depth == 0
            and re.match(r"^(?:[a-z]+:)?//", tok.attrGet("src") or "")
        ):
            links += 1
        elif tok.type == "link_open":
            depth += 1
            links += 1
        elif tok.type == "link_close":
            depth -= 1
        elif depth == 0 and tok.type == "code_inline":
            return False
        elif depth == 0 and tok.type == "text":
            rest = SHORTCODE.sub("", tok.content)
            if re.sub(r"[\s,;|·•/()\[\].-]+", "", rest):
                return False
    return links > 0


def link_targets(children: Sequence[Token] | None) -> list[str]:
    return [tok.attrGet("href") or "" for tok in children or () if tok.type == "link_open"]


# A code span as CommonMark reads it: a run of backticks closed by a run of the same length
# (so `` `a` `` and ` ```…``` ` hold backticks); group 2 is the code, one padding space off.
CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)\s?(.*?)\s?(?<!`)\1(?!`)", re.S)


def strip_code(text: str) -> str:
    """Inline text without backticks: `SYN_SENT` → SYN_SENT."""
    return CODE_SPAN.sub(r"\2", text)
