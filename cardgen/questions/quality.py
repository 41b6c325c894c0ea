"""What a card needs before it is made: an answer that is a fact, a cue that says something,
and no answer on its own front. Each check returns the reason a card is not made (in words an
author understands), or None when the card may be made."""

from __future__ import annotations

import re

from cardgen.questions.text import gives_away, norm, plain, rewords, word_count

JUNK = frozenset(
    {
        "",
        "-",
        "--",
        "---",
        "—",
        "–",
        "?",
        "??",
        "n/a",
        "na",
        "none",
        "tbd",
        "todo",
        "...",
        "…",
        "x",
        "✓",
        "✗",
        "*",
        "•",
        "·",
        "/",
        "|",
        "null",
        "nil",
        "same",
        "ditto",
        '"',
        "''",
    }
)
VAGUE = frozenset(
    {
        "brief",
        "varies",
        "depends",
        "various",
        "see above",
        "see below",
        "same as above",
        "other",
        "misc",
        "miscellaneous",
        "starting point",
        "unknown",
        "it depends",
        "rare",
        "usually",
        "sometimes",
        "many",
        "few",
        "some",
        "several",
        "normal",
        "brief (rare)",
    }
)
"""Values that say too little to be worth a card of their own."""
LABELS = frozenset(
    {
        "example",
        "examples",
        "e.g.",
        "eg",
        "for example",
        "for instance",
        "note",
        "notes",
        "tip",
        "tips",
        "warning",
        "caution",
        "important",
        "pros",
        "cons",
        "pro",
        "con",
        "advantages",
        "disadvantages",
        "output",
        "result",
        "results",
        "usage",
        "syntax",
        "see also",
        "more",
        "info",
        "summary",
        "todo",
        "hint",
        "hints",
        "remember",
        "reminder",
        "details",
        "description",
        "here",
        "this",
        "the following",
        "following",
        "as follows",
    }
)
"""Lead-in words and sub-heading labels: never an answer, never a cue on their own."""
_LINK_ONLY = re.compile(r"^(?:https?://\S+|www\.\S+|\[[^\]]*\]\([^)]*\))$")
_PLACEHOLDER = re.compile(r"lorem|ipsum|dolor sit|foo\b.*\bbar\b|\bxxx+\b|\bplaceholder\b", re.I)


def is_junk(text: str) -> bool:
    """Not a fact at all: empty, a dash, a `?`, a lone link, `[...]`."""
    p = norm(text)
    if p in JUNK or not re.search(r"\w", p):
        return True
    if re.fullmatch(r"\[?\s*(?:\.\.\.|…)\s*\]?", p):
        return True
    return bool(_LINK_ONLY.match(plain(text).strip()))


_LEANS = re.compile(
    r"^(?:same|similar|likewise|ditto|but|and|or|so|also|as above|see above|like above|"
    r"the same|as before|otherwise|else)\b",
    re.I,
)


def leans_on_context(text: str) -> bool:
    """`Same, but …`, `But not always`: says something only next to the row above it."""
    return bool(_LEANS.match(plain(text).strip()))


def is_vague(text: str) -> bool:
    """`Brief`, `Varies`, `Starting point`, `Brief (rare)`: too little to be a fact."""
    p = norm(text)
    return p.strip("() ") in VAGUE or re.sub(r"\s*\([^)]*\)", "", p).strip() in VAGUE


def is_label(text: str) -> bool:
    """A lead-in (`The rules are as follows:`) or a label (`Example`, `Cons`)."""
    p = plain(text).strip()
    return p.endswith((":", "：")) or norm(p).rstrip(":") in LABELS


def is_sample(text: str) -> bool:
    """Placeholder or sample text: lorem ipsum, foo/bar."""
    return bool(_PLACEHOLDER.search(plain(text)))


def answer_problem(answer: str, limit: int = 15) -> str | None:
    """Why `answer` cannot be a card's answer, or None."""
    if is_junk(answer):
        return f"'{plain(answer)[:30]}' is not a fact"
    if is_label(answer):
        return f"'{plain(answer)[:40]}' is a lead-in or label, not an answer"
    if is_sample(answer):
        return "sample or placeholder text"
    if leans_on_context(answer):
        return f"'{plain(answer)[:40]}' only makes sense next to the item above it"
    if word_count(answer) > limit:
        return f"answer of {word_count(answer)} words: too long to recall as one fact"
    return None


def cue_problem(cue: str) -> str | None:
    """Why `cue` cannot stand on a card's front, or None."""
    p = plain(cue).strip(" :")
    if not p or not re.search(r"\w|[^\s\w]", p):
        return "nothing to ask by: the name is empty"
    if is_sample(cue):
        return "the cue is sample or placeholder text"
    return None


def pair_problem(cue: str, answer: str, limit: int = 15, trivial_check: bool = True) -> str | None:
    """Why a cue → answer card would be bad, or None."""
    if (why := cue_problem(cue)) is not None:
        return why
    if (why := answer_problem(answer, limit)) is not None:
        return why
    if gives_away(cue, answer):
        return "the answer stands in the question"
    if trivial_check and rewords(cue, answer):
        return "the answer only rewords the question"
    return None
