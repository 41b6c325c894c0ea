"""Small text helpers for phrasing questions."""

from __future__ import annotations

import re

from cardgen.parse.inline import strip_code

BLANK = "____"


def plain(text: str) -> str:
    """Inline text without code backticks, for comparisons."""
    return strip_code(text).strip()


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", plain(text).casefold().strip(" .\"'"))


def gives_away(prompt: str, answer: str) -> bool:
    """Whether the answer's words stand in the prompt as a whole word."""
    a = norm(answer)
    return bool(a) and re.search(rf"(?<!\w){re.escape(a)}(?!\w)", norm(prompt)) is not None


def mask(text: str, answer: str) -> str:
    """Replace whole-word occurrences of `answer` in `text` by a blank."""
    target = plain(answer)
    if not target:
        return text
    pattern = re.compile(rf"(?<!\w)`?{re.escape(target)}`?(?!\w)", re.I)
    return pattern.sub(BLANK, text)


def unquote(text: str) -> str:
    return text.strip().strip('"“”').strip()
