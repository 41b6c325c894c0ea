"""The question bank shared by every renderer: atomic facts phrased as questions, and for every
block of the sheet what it became (its questions, or the reasons it made none)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from cardgen.model import SourcePos

Style = Literal["basic", "reverse", "cloze"]


@dataclass(frozen=True, slots=True)
class Question:
    """One fact, asked one way (or two, for `reverse`). Renderers choose how to show it."""

    key: str
    """Stable identity from sheet, heading path and the item's own name: never its wording."""
    kind: str
    """Which generator made it: `table_cell`, `transition`, `snippet_call`..."""
    block: str
    """Kind of the block it came from (`table`, `state_path`...), used as a tag."""
    prompt: str
    """The question, as inline text. For cloze questions: the cue shown above the text."""
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
    """For a text cloze: (text before, the hidden part, text after)."""
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
    """Shown under the answer: the rest of the sentence or row ("more"), never asked."""
    verified: str = ""
    """"Reproduced on Linux loopback: …" when a check reproduced this fact."""
    note: str = ""
    """Cloze questions with the same `note` are deletions (c1, c2…) of one Anki note."""
    in_deck: bool = True
    """False for questions only the quiz asks (a path's transitions: the deck has its cloze)."""
    key_extra: tuple[str, ...] = ()
    """Further names that tell this fact from another with the same key (column, parent…)."""
    column: str = ""
    """For a table cell: its column header (what a reproduced claim marks)."""

    @property
    def note_key(self) -> str:
        return self.note or self.key


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
class BlockOutcome:
    """What one block of the sheet became: the keys of its questions, or why it made none."""

    kind: str
    source: SourcePos
    summary: str
    """A few words naming the block: `table 'State Descriptions'`, `list 'TCP Use Cases'`."""
    questions: list[str] = field(default_factory=list)
    reasons: list[tuple[int, str]] = field(default_factory=list)
    """(line, reason) for what made no card: the whole block, or one of its items."""

    def to_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "line": self.source.line,
            "summary": self.summary,
            "questions": list(self.questions),
            "skipped": [{"line": line, "reason": reason} for line, reason in self.reasons],
        }


@dataclass(slots=True)
class QuestionBank:
    sheet_name: str
    sheet_title: str
    questions: list[Question] = field(default_factory=list)
    orderings: list[Ordering] = field(default_factory=list)
    matchings: list[Matching] = field(default_factory=list)
    outcomes: list[BlockOutcome] = field(default_factory=list)
    tags: tuple[str, ...] = ()
    """The sheet's own tags (front matter), added to every note."""
    footnotes: dict[str, str] = field(default_factory=dict)

    @property
    def deck_questions(self) -> list[Question]:
        return [q for q in self.questions if q.in_deck]


_SYMBOL_NAMES = {
    "-": "minus",
    "+": "plus",
    "*": "star",
    "/": "slash",
    "\\": "backslash",
    "%": "percent",
    "<": "lt",
    ">": "gt",
    "=": "eq",
    "!": "bang",
    "&": "amp",
    "|": "pipe",
    "^": "caret",
    "~": "tilde",
    "?": "q",
    ".": "dot",
    ",": "comma",
    ":": "colon",
    ";": "semi",
    "@": "at",
    "#": "hash",
    "$": "dollar",
    "(": "lparen",
    ")": "rparen",
    "[": "lbracket",
    "]": "rbracket",
    "{": "lbrace",
    "}": "rbrace",
    "'": "quote",
    '"': "dquote",
    "`": "tick",
    "_": "underscore",
}


@lru_cache(maxsize=65536)
def slug(text: str) -> str:
    """`TCP vs UDP Quick Reference` → `tcp-vs-udp-quick-reference`; letters of every script
    are kept (NFKC, case-folded); a name of symbols only (`<<`, `&&`, `-`) is spelled out."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = text.replace("`", "").replace("**", "")
    words = re.sub(r"[^\w]+", "-", text).strip("-")
    if words:
        return words
    symbols = [_SYMBOL_NAMES.get(ch, f"u{ord(ch):x}") for ch in text if not ch.isspace()]
    return "-".join(symbols) or "x"


def make_key(sheet: str, section: tuple[str, ...], *names: str) -> str:
    return "/".join([slug(sheet), *(slug(s) for s in section), *(slug(n) for n in names)])
