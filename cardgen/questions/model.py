"""The question bank shared by every renderer: atomic facts phrased as questions."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal

from cardgen.model import SourcePos

Style = Literal["basic", "reverse", "cloze"]


@dataclass(frozen=True, slots=True)
class Question:
    """One fact, asked one way. Renderers choose how to show it (card, quiz item...)."""

    key: str
    """Stable identity from sheet, heading path and the item's own name: never its wording."""
    kind: str
    """Which generator made it: `table_cell`, `transition`, `snippet_call`..."""
    block: str
    """Kind of the block it came from (`table`, `state_path`...), used as a tag."""
    prompt: str
    """The question, as inline text. For cloze questions: the text with the blank shown."""
    answer: str
    """Exactly one fact, as inline text."""
    context: str
    """Name of what the fact belongs to: the table, the list label, the path."""
    source: SourcePos
    section: tuple[str, ...]
    style: Style = "basic"
    reverse_prompt: str | None = None
    """For `reverse`: the question of the reversed card (the answer is then `reverse_answer`)."""
    reverse_answer: str | None = None
    cloze: tuple[str, str, str] | None = None
    """For `cloze`: (text before, the hidden part, text after)."""
    listing: tuple[str, ...] = ()
    """For list-item cloze questions: the whole list, shown with item `listing_blank` hidden."""
    listing_blank: int = -1
    code: str | None = None
    """Code shown with the question; with `code_blank`, the (start, end) span hidden in it."""
    code_blank: tuple[int, int] | None = None
    lang: str = ""
    family: tuple[str, ...] = ()
    """Answers of sibling questions (same column, same list...): where distractors come from."""
    also_true: frozenset[str] = field(default_factory=frozenset)
    """Options that would also be right and so must never be offered as distractors."""
    explanation: str = ""
    verified: str = ""
    """"Reproduced on Linux loopback: …" when a check reproduced this fact."""


@dataclass(frozen=True, slots=True)
class Ordering:
    """Items whose order is the fact: a state path, numbered steps."""

    key: str
    prompt: str
    items: tuple[str, ...]
    source: SourcePos
    section: tuple[str, ...]
    block: str


@dataclass(frozen=True, slots=True)
class Matching:
    """Pairs to match, e.g. a table's row headers and one column."""

    key: str
    prompt: str
    pairs: tuple[tuple[str, str], ...]
    source: SourcePos
    section: tuple[str, ...]
    block: str


@dataclass(slots=True)
class QuestionBank:
    sheet_name: str
    sheet_title: str
    questions: list[Question] = field(default_factory=list)
    orderings: list[Ordering] = field(default_factory=list)
    matchings: list[Matching] = field(default_factory=list)


def slug(text: str) -> str:
    """`TCP vs UDP Quick Reference` → `tcp-vs-udp-quick-reference`: for keys and ids."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-zA-Z0-9_]+", "-", text.lower()).strip("-")
    return text or "x"


def make_key(sheet: str, section: tuple[str, ...], *names: str) -> str:
    return "/".join([slug(sheet), *(slug(s) for s in section), *(slug(n) for n in names)])
