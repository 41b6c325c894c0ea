"""Small text helpers for phrasing questions."""

from __future__ import annotations

import re
from functools import lru_cache

from cardgen.parse.inline import strip_code

BLANK = "____"


@lru_cache(maxsize=8192)
def plain(text: str) -> str:
    """Inline text without code backticks, for comparisons."""
    return strip_code(text).strip()


@lru_cache(maxsize=8192)
def norm(text: str) -> str:
    return re.sub(r"\s+", " ", plain(text).casefold().strip(" .\"'"))


def gives_away(prompt: str, answer: str) -> bool:
    """Whether the answer's words stand in the prompt as a whole word."""
    a = norm(answer)
    if not a:
        return False
    text = norm(prompt)
    start = text.find(a)
    while start != -1:
        end = start + len(a)
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        if not (before.isalnum() or before == "_") and not (after.isalnum() or after == "_"):
            return True
        start = text.find(a, start + 1)
    return False


def mask(text: str, answer: str) -> str:
    """Replace whole-word occurrences of `answer` in `text` by a blank."""
    target = plain(answer)
    if not target:
        return text
    pattern = re.compile(rf"(?<!\w)`?{re.escape(target)}`?(?!\w)", re.I)
    return pattern.sub(BLANK, text)


def unquote(text: str) -> str:
    return text.strip().strip('"“”').strip()
