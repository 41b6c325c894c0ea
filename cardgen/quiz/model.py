"""A quiz: numbered items of several kinds, each with its answer, ready to render."""

from __future__ import annotations

from dataclasses import dataclass, field

KINDS = ("multiple_choice", "true_false", "classification", "fill_in", "matching", "ordering")
KIND_TITLES = {
    "multiple_choice": "Multiple choice",
    "true_false": "True or false",
    "classification": "Classification",
    "fill_in": "Fill in the blank",
    "matching": "Matching",
    "ordering": "Ordering",
}


MAX_OPTIONS = 5
"""A question offers at most this many options, however many values its column has."""


def letter(index: int) -> str:
    """Option letters without end: A…Z, then AA, AB…"""
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(65 + rest) + out
    return out


@dataclass(slots=True)
class QuizItem:
    """One question of a quiz. Text fields are HTML, already escaped."""

    id: str
    """Stable id from the question's key: the same fact has the same id in every version."""
    kind: str
    prompt: str
    source: str
    """`sheet.md:line` the fact comes from."""
    explanation: str
    code: str = ""
    options: list[str] = field(default_factory=list)
    """Choices (multiple choice, true/false, classification) or right-hand column (matching)."""
    correct: int = -1
    """Index of the right option."""
    accepted: list[str] = field(default_factory=list)
    """Fill-in: accepted answers, compared without case, backticks or spacing."""
    left: list[str] = field(default_factory=list)
    """Matching: left-hand items; ordering: the items as shown (shuffled)."""
    mapping: list[int] = field(default_factory=list)
    """Matching: for each left item, the index of its option. Ordering: for each position of the
    correct order, the index of the shown item."""
    answer: str = ""
    """The answer as the key prints it."""
    note: str = ""
    """Plain text shown with the answer: "Reproduced on Linux loopback: …"."""
    number: int = 0


@dataclass(slots=True)
class Quiz:
    sheet_name: str
    title: str
    seed: int
    version: int
    items: list[QuizItem]

    def by_kind(self) -> list[tuple[str, list[QuizItem]]]:
        return [
            (kind, [i for i in self.items if i.kind == kind])
            for kind in KINDS
            if any(i.kind == kind for i in self.items)
        ]
