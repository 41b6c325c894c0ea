"""Wrong options drawn from the sheet's own structure: never one that is also right, and of the
same shape as the answer (a number among numbers, code among code, yes among no), so that no
option can be struck out for its form alone."""

from __future__ import annotations

import random
import re

from cardgen.questions import Question
from cardgen.questions.text import norm, plain
from cardgen.quiz.leaks import tokens

SCAN_LIMIT = 400
"""At most this many values of a family are looked at (a 50,000-row column has one family)."""
_NUMBER = re.compile(r"^[~<>≈≤≥+-]?\s*\d[\d.,:/x×%+\-–\s]*(?:\s*[a-zA-Zµ]+){0,3}\.?$")
_YES_NO = frozenset({"yes", "no", "true", "false", "y", "n", "on", "off", "enabled", "disabled"})
_CAPS = re.compile(r"^[A-Z0-9_\-]{2,}$")


def shape(value: str) -> str:
    """What kind of value this is: `yes_no`, `code` (`code_path` for `Type::call`,
    `code_list` for several), `number`, `name` (LISTEN, SYN_SENT), or `text`."""
    text = plain(value).strip()
    low = text.casefold().rstrip(".")
    if low in _YES_NO:
        return "yes_no"
    if re.fullmatch(r"`[^`]+`", value.strip()):
        return "code_path" if "::" in text else "code"
    if "`" in value and not re.sub(r"`[^`]*`|\b(?:or|and)\b", "", value).strip(" ,;/"):
        return "code_list"  # "`a` or `b`": several calls, never among single ones
    if _NUMBER.match(text):
        return "number"
    if _CAPS.match(text):
        return "name"
    return "text"


def _part_of(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """One holds the other as a run of two words or more."""
    short, long = sorted((a, b), key=len)
    n = len(short)
    return n >= 2 and any(long[i : i + n] == short for i in range(len(long) - n + 1))


def _code_spans(text: str) -> list[str]:
    return [m.strip() for m in re.findall(r"`([^`]+)`", text) if m.strip()]


def distractor_pool(
    q: Question, rng: random.Random | None = None, closest: tuple[str, ...] = ()
) -> list[str]:
    """Sibling answers (same column, other states, other calls...) that are plainly wrong and
    of the answer's shape; a few hundred at most: `closest` first (the other compared things'
    values for the same row: UDP's where TCP's is asked), then the family's in its order."""
    excluded = {norm(q.answer)} | {norm(v) for v in q.also_true}
    whole = tokens(q.answer)
    family = list(q.family)
    if len(family) > SCAN_LIMIT:
        picked = sorted((rng or random.Random(q.key)).sample(range(len(family)), SCAN_LIMIT))
        family = [family[i] for i in picked]
    want = shape(q.answer)
    named = [c for c in _code_spans(q.prompt) if c in plain(q.answer)]
    pool: list[str] = []
    seen: set[str] = set()
    for value in (*closest, *family):
        n = norm(value)
        if any(c not in plain(value) for c in named):
            continue  # the stem names `netstat`: an `ss` command is struck out at sight
        if _part_of(tokens(value), whole):
            continue  # a part of the answer (`a` of "`a` or `b`"): right too, or a give-away
        if n and n not in excluded and n not in seen and shape(value) == want:
            seen.add(n)
            pool.append(value)
    return pool


def pick_distractors(
    q: Question, rng: random.Random, count: int, closest: tuple[str, ...] = ()
) -> list[str]:
    """`count` wrong options: the `closest` ones, then those nearest in length to the answer
    (so that the longest option is not always the right one)."""
    pool = distractor_pool(q, rng, closest)
    if len(pool) <= count:
        return pool
    near = {norm(v) for v in closest}
    first = [v for v in pool if norm(v) in near][:count]
    rest = [v for v in pool if norm(v) not in near]
    size = len(plain(q.answer))
    rng.shuffle(rest)
    rest.sort(key=lambda v: abs(len(plain(v)) - size) / max(size, 1) > 1.0)
    return (first + rest)[:count]
