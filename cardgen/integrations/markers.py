"""The markers a book's chapter may hold, found and replaced in its Markdown text.

`{{#cardgen-quiz}}` and `{{#cardgen-deck}}` count only on a line of their own, outside fenced
code, so that a chapter can show them in backticks or in a code block. One written inside a
line of prose is left as it is, with a warning at its line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

QUIZ_MARKER = "{{#cardgen-quiz}}"
DECK_MARKER = "{{#cardgen-deck}}"
MARKERS = (QUIZ_MARKER, DECK_MARKER)

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_INLINE = re.compile(r"\{\{#cardgen-(?:quiz|deck)\}\}")


@dataclass(frozen=True, slots=True)
class Marker:
    """One marker on a line of its own."""

    name: str
    """`QUIZ_MARKER` or `DECK_MARKER`."""
    line: int
    """1-based line of the chapter's text."""


def _code_spans(text: str) -> list[tuple[int, int]]:
    """Spans of inline code (`` `…` ``, ``` ``…`` ```) in one line."""
    spans = []
    for m in re.finditer(r"(`+)(.+?)\1", text):
        spans.append((m.start(), m.end()))
    return spans


def scan(text: str) -> tuple[list[Marker], list[int]]:
    """The markers of a chapter, and the lines where one stands inside prose (not replaced)."""
    found: list[Marker] = []
    stray: list[int] = []
    fence = ""
    for number, line in enumerate(text.split("\n"), start=1):
        m = _FENCE.match(line)
        if fence:
            closes = m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence)
            if closes and not line.strip().strip(fence[0]):
                fence = ""
            continue
        if m:
            fence = m.group(1)
            continue
        stripped = line.strip()
        if stripped in MARKERS and len(line) - len(line.lstrip(" ")) < 4:
            found.append(Marker(stripped, number))
            continue
        spans = _code_spans(line)
        for hit in _INLINE.finditer(line):
            if not any(a <= hit.start() < b for a, b in spans):
                stray.append(number)
                break
    return found, stray


def replace(text: str, replacements: dict[int, str]) -> str:
    """`text` with each marker line (by number) replaced by its HTML, set apart by blank lines
    so that Markdown reads the HTML as one block and the text around it as before."""
    if not replacements:
        return text
    lines = text.split("\n")
    for number, html in replacements.items():
        lines[number - 1] = f"\n{html}\n" if html else ""
    return "\n".join(lines)
