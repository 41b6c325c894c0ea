"""What a card needs before it is made: an answer that is a fact, a cue that says something,
and no answer on its own front. Each check returns the reason a card is not made (in words an
author understands), or None when the card may be made."""

from __future__ import annotations

import re

from cardgen.questions.text import gives_away, norm, plain, rewords, word_count

JUNK = frozenset(
    " ".join(w.split())
    for w in """ | " | '' | * | - | -- | --- | ... | / | ? | ?? | ditto | n/a | na | nil | none |
    null | same | tbd | todo | x | · | – | — | • | … | ✓ | ✗""".split("|")
)
VAGUE = frozenset(
    " ".join(w.split())
    for w in """brief | brief (rare) | depends | few | it depends | many | misc | miscellaneous |
    normal | other | rare | same as above | see above | see below | several | some |
    sometimes | starting point | unknown | usually | varies | various""".split("|")
)
"""Values that say too little to be worth a card of their own."""
LABELS = frozenset(
    " ".join(w.split())
    for w in """advantages | and more | as follows | author | bottom line | caution | con | cons |
    created for | credits | description | details | disadvantages | e.g. | eg | etc |
    example | examples | following | for example | for instance | here | hint | hints |
    how | idea | important | in short | info | intro | introduction | key point | key
    points | last updated | license | made by | misc | more | note | notes | other |
    others | output | overview | pro | pros | remember | reminder | result | results |
    rule of thumb | see also | source | summary | syntax | takeaway | the following |
    this | tip | tips | tl;dr | tldr | todo | updated | usage | version | warning | what
    | why""".split("|")
)
"""Lead-in words and sub-heading labels: never an answer, never a cue on their own."""
_LINK_ONLY = re.compile(r"^(?:https?://\S+|www\.\S+|\[[^\]]*\]\([^)]*\))$")
_PLACEHOLDER = re.compile(r"lorem|ipsum|dolor sit|foo\b.*\bbar\b|\bxxx+\b|\bplaceholder\b", re.I)


_ABBREVIATION = re.compile(r"[a-z]{1,5}\.")
_COMMON_DOTTED = frozenset({"etc.", "e.g.", "i.e.", "vs.", "esp.", "approx."})


def is_abbreviated(text: str) -> bool:
    """`Other R useful w. dflt. fn.`: shorthand a learner cannot read back."""
    words = [w.strip("(),;") for w in plain(text).split()]
    hits = [w for w in words[:-1] if _ABBREVIATION.fullmatch(w) and w not in _COMMON_DOTTED]
    return len(hits) >= 2 or any(re.fullmatch(r"[a-z]\.", w) for w in words)


def is_fragment(text: str) -> bool:
    """Half a sentence: ends in a comma or a joining word, or is wholly in parentheses."""
    p = plain(text).strip()
    if re.fullmatch(r"\([^()]*\)", p):
        return True
    if re.search(r",\s*\w{1,2}\.?$", p):
        return True  # `Statement terminator, c.`: a dangling cross-reference
    if re.match(r"(?:if|unless|only if)\b", p, re.I) and "," not in p and word_count(p) <= 6:
        return True  # `If Pointer is Sized`: a condition with nothing it is the condition for
    return bool(re.search(r"(?:,|\b(?:and|or|the|a|an|of|to|with|for|but))$", p, re.I))


def is_junk(text: str) -> bool:
    """Not a fact at all: empty, a dash, a `?`, a lone link, `[...]`."""
    p = norm(text)
    if p in JUNK or not re.search(r"\w", p):
        return True
    if re.sub(r"\s*\([^()]*\)$", "", p) in JUNK:
        return True  # `n/a (use findall)`: a remark, not a value
    if re.fullmatch(r"\[?\s*(?:\.\.\.|…)\s*\]?", p):
        return True
    return bool(_LINK_ONLY.match(plain(text).strip()))


_LEANS = re.compile(
    r"^(?:(?:the )?same(?:\s*[,;:.]|\s+(?:as|but|here|thing|idea|for|again|with)\b|\s*$)|"
    r"similar(?:ly)?\b|likewise|ditto|but\b|and\b|or\b|so\b|also\b|as above|see above|"
    r"like above|as before|otherwise|else\b)",
    re.I,
)


def leans_on_context(text: str) -> bool:
    """`Same, but …`, `But not always`, `… (see below)`: says something only next to the
    rows around it."""
    p = plain(text).strip()
    return bool(_LEANS.match(p)) or bool(
        re.search(r"\b(?:above|below|previous row|next row)\b", p, re.I)
    )


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
    if is_fragment(answer):
        return f"'{plain(answer)[:40]}' is a fragment, not a whole fact"
    if is_abbreviated(answer):
        return f"'{plain(answer)[:40]}' is written in abbreviations"
    if word_count(answer) > limit:
        return f"answer of {word_count(answer)} words: too long to recall as one fact"
    return None


_LETTER = re.compile(r"(?<![\w'’.*&<+/\\-])([B-HJ-Z]|A(?!\s+[a-z]))(?![\w'’(<$+/-])")


def unbound_letters(front: str, answer: str) -> list[str]:
    """One-letter names the answer uses and the front never shows (`B is exactly A` under
    `Identity`): they stand for something in a table or text the card leaves out."""
    if word_count(answer) < 3 or plain(answer).startswith(("$", "-")):
        return []  # a name or a command line, not a sentence about one
    shown = set(re.findall(r"(?<![A-Za-z])[A-Z](?![a-z])", plain(front)))
    return sorted({m for m in _LETTER.findall(plain(answer)) if m not in shown})


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
