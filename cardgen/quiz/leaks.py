"""Whether one question gives away another's answer, or tests the same fact.

A *fact* is an answer and the cues that name what it belongs to ("TCP" and "Header Size" for
`20+ bytes`). A text shows a fact when the answer stands in it next to one of its cues (in
the same clause), or anywhere when the answer is specific enough to be recognised alone
(code, a number, three words or more).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from cardgen.questions.text import STOPWORDS, plain

_TOKEN = re.compile(r"\w+(?:[-']\w+)*")
_CLAUSE_END = re.compile(r"(?<=[.!?])\s+|;\s+|\s+·\s+|\n+")
_SEGMENT_END = re.compile(r"[—–→:;?!()\[\]{}\"“”,|]|\s-\s|\.\s|\.$")
"""Where a name ends inside a stem: `UDP — Error Handling?` names `UDP` and `Error Handling`."""
QUESTION_WORDS = frozenset(
    """which what who whom whose when where why how is are does do did comes come right after
    before next previous step state states call calls missing command term terms means mean
    meaning sends send enter enters entered put order match each its true false proposed
    answer key takeaway line last give gives given fill blank name named both side sides
    following part correct best one kind type value item""".split()
)
"""Words of a stem that ask, rather than name what is asked about."""


@lru_cache(maxsize=65536)
def tokens(text: str) -> tuple[str, ...]:
    """Inline text as words: case-folded, code spans opened, `SYN-ACK` kept whole."""
    return tuple(_TOKEN.findall(plain(text).casefold()))


@lru_cache(maxsize=65536)
def code_tokens(code: str) -> tuple[str, ...]:
    return tuple(_TOKEN.findall(code.casefold()))


def _has_run(haystack: tuple[str, ...], needle: tuple[str, ...]) -> bool:
    if not needle or len(needle) > len(haystack):
        return False
    first = needle[0]
    n = len(needle)
    return any(
        haystack[i] == first and haystack[i : i + n] == needle for i in range(len(haystack) - n + 1)
    )


@dataclass(frozen=True, slots=True)
class Fact:
    """An answer and what names it."""

    answer: tuple[str, ...]
    literal: str
    """The answer as plain, case-folded text: matched as a substring when it has no words
    (`{}`, `*?`)."""
    cues: tuple[tuple[str, ...], ...]
    specific: bool
    probe: bool = True
    """False for a fact only compared with others (`same_fact`), never looked for in text: a
    matching's pairs read right to left, whose cues are a description's common words."""


def fact(prompt: str, answer: str, extra_cues: Iterable[str] = (), probe: bool = True) -> Fact:
    """The fact a stem asks: its answer, and the runs of naming words of the stem (of
    `extra_cues` when the stem has none)."""
    words = tokens(answer)
    literal = plain(answer).casefold().strip()
    cue_runs: list[tuple[str, ...]] = []
    for texts in ((prompt,), tuple(extra_cues)):
        for segment in (s for text in texts for s in _SEGMENT_END.split(plain(text))):
            run: list[str] = []
            stem = tokens(segment)
            skip = _positions(stem, words)
            for i, w in enumerate(stem):
                if i in skip or w in STOPWORDS or w in QUESTION_WORDS:
                    if run:
                        cue_runs.append(tuple(run))
                    run = []
                else:
                    run.append(w)
            if run:
                cue_runs.append(tuple(run))
        if cue_runs:
            break  # the stem names the fact; the context only when it does not
    specific = "`" in answer or any(c.isdigit() for c in literal) or len(words) >= 3
    return Fact(words, literal, tuple(dict.fromkeys(cue_runs)), specific, probe)


def _positions(haystack: tuple[str, ...], needle: tuple[str, ...]) -> set[int]:
    out: set[int] = set()
    n = len(needle)
    if not n:
        return out
    for i in range(len(haystack) - n + 1):
        if haystack[i : i + n] == needle:
            out.update(range(i, i + n))
    return out


def clauses(text: str) -> list[str]:
    return [c for c in _CLAUSE_END.split(text) if c.strip()]


def _holds(clause_words: tuple[str, ...], clause_text: str, f: Fact) -> bool:
    if f.answer:
        return _has_run(clause_words, f.answer)
    return bool(f.literal) and f.literal in clause_text.casefold()


def shows(texts: Iterable[str], f: Fact, code: str = "") -> bool:
    """Whether any of `texts` (inline text) or `code` shows the fact `f`."""
    if not f.probe:
        return False
    if code and f.specific:
        words = code_tokens(code)
        if _holds(words, code, f):
            return True
    for text in texts:
        for clause in clauses(text):
            words = tokens(clause)
            if not _holds(words, plain(clause), f):
                continue
            if f.specific or any(_has_run(words, cue) for cue in f.cues):
                return True
    return False


def same_fact(a: Fact, b: Fact) -> bool:
    """Two facts with the same answer and a shared cue: one fact asked twice."""
    if (a.answer or a.literal) != (b.answer or b.literal):
        return False
    if not a.cues or not b.cues:
        return True
    shared = set(a.cues) & set(b.cues)
    return any(not all(w.isdigit() for w in cue) for cue in shared)
