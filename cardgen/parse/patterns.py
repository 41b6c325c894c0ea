"""Recognisers for the raw inline text of a paragraph or list item.

Each returns the pieces it found (still raw Markdown) or None. They are tried in order by the
block walker, the way markdown-it-py tries its named rules.
"""

from __future__ import annotations

import re

from cardgen.parse.inline import ARROW, strip_code

_LABEL = re.compile(r"^\*\*([^*\n]+?)\*\*\s*:?\s*$")
_DEFINITION = re.compile(r"^\*\*([^*\n]+?)\*\*\s*[:：]\s*(\S.*)$", re.S)
_DEFINITION_INNER_COLON = re.compile(r"^\*\*([^*\n]+?):\*\*\s*(\S.*)$", re.S)
_TAKEAWAY = re.compile(r"^[✓✔☑]\s*\*\*([^*\n]+?)\*\*\s*(?:[–—:-]\s*)?(\S.*)$", re.S)
_KEY_VALUE = re.compile(r"^([A-Za-z][^:`*/\n]{0,39}?):\s+(\S.*)$", re.S)
_STATE_NAME = re.compile(r"^[A-Z][A-Z0-9_]*(?:-[A-Z0-9_]+)*$")
_PATH_PART = re.compile(r"^[A-Za-z][\w\- ]{0,31}$")


def match_label(raw: str) -> str | None:
    """`**TCP Use Cases:**`, `**Why Three Steps?**` → the label without its colon."""
    m = _LABEL.match(raw.strip())
    return m.group(1).strip().rstrip(":").strip() if m else None


def match_definition(raw: str) -> tuple[str, str] | None:
    """`**Term**: text` or `**Term:** text` → (term, text)."""
    raw = raw.strip()
    m = _DEFINITION.match(raw) or _DEFINITION_INNER_COLON.match(raw)
    return (m.group(1).strip(), m.group(2).strip()) if m else None


def match_takeaway(raw: str) -> tuple[str, str] | None:
    """`✓ **Point** – explanation` → (point, explanation)."""
    m = _TAKEAWAY.match(raw.strip())
    return (m.group(1).strip(), m.group(2).strip()) if m else None


def match_key_value(raw: str) -> tuple[str, str] | None:
    """`Local connection: microseconds` → (key, value)."""
    m = _KEY_VALUE.match(raw.strip())
    return (m.group(1).strip(), m.group(2).strip()) if m else None


def is_state_name(text: str) -> bool:
    """`TIME_WAIT`, `SYN-ACK`, `CLOSED`: an upper-case identifier."""
    return bool(_STATE_NAME.match(strip_code(text).strip()))


def match_state_path(raw: str, min_states: int = 2) -> tuple[str, ...] | None:
    """`CLOSED → LISTEN → ESTABLISHED` (also with `->`) → the states, in order."""
    text = strip_code(raw.strip())
    if "\n" in text:
        return None
    parts = tuple(p.strip() for p in ARROW.split(text))
    if len(parts) < min_states or not all(_PATH_PART.match(p) for p in parts):
        return None
    return parts
