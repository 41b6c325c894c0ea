"""A quiz as plain data: what `output/quizzes/<sheet>.quiz.json` holds, and what every page
(the printed quiz, its answer key, the self-check page) is rendered from.

Text fields hold *inline text*, as in the sheet's model: code in backticks, `**bold**`, images
as `![alt](src)` (relative to the sheet). A blank is written `_____`. Nothing here is HTML.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

KINDS = ("multiple_choice", "true_false", "classification", "fill_in", "matching", "ordering")
KIND_TITLES = {
    "multiple_choice": "Multiple choice",
    "true_false": "True or false",
    "classification": "Classification",
    "fill_in": "Fill in the blank",
    "matching": "Matching",
    "ordering": "Ordering",
}
BLANK = "_____"
"""Stands for the blank in a fill-in prompt or in a question's code."""
LETTERED = frozenset({"multiple_choice", "classification"})
"""Kinds whose options are answered by a letter."""


def letter(index: int) -> str:
    """Option letters without end: A…Z, then AA, AB…"""
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(65 + rest) + out
    return out


@dataclass(slots=True)
class QuizQuestion:
    """One question of one version, as printed and as checked."""

    id: str
    """Stable id from the fact's key: the same question has the same id in every version."""
    kind: str
    """One of `KINDS`."""
    number: int
    """Its number in this version (1-based)."""
    prompt: str
    """The stem. Fill-in prompts hold the blank (`_____`) unless the blank is in `code`."""
    answer: str | list[str]
    """What the key shows: a letter (multiple choice, classification), `True`/`False`, the
    missing text (fill-in); for matching the letter of each left item in turn, for ordering the
    number written in each box, top to bottom."""
    explanation: str
    """One line from the sheet that explains the answer (its row, its sentence, its list…)."""
    source: str
    """`sheet.md:line` the fact comes from."""
    points: int = 1
    code: str = ""
    """Code shown with the question; a hidden call is `_____` at `blank`."""
    lang: str = ""
    blank: list[int] | None = None
    """`[start, end]` of the blank in `code`."""
    statement: str = ""
    """True or false: the answer proposed for the stem."""
    items: list[str] = field(default_factory=list)
    """Matching: the numbered left column; ordering: the items in the order shown."""
    options: list[str] = field(default_factory=list)
    """Lettered choices (multiple choice, classification) or the right column (matching)."""
    accepted: list[str] = field(default_factory=list)
    """Fill-in: the answers taken as right (compared without case, backticks or spaces)."""
    evidence: str = ""
    """`Reproduced on Linux loopback: …` when a check reproduced the fact."""

    def to_json(self) -> dict[str, object]:
        return {f.name: _copy(getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> QuizQuestion:
        names = {f.name for f in fields(cls)}
        return cls(**{k: _copy(v) for k, v in data.items() if k in names})  # type: ignore[arg-type]

    @property
    def correct(self) -> int:
        """Index of the right option (lettered kinds), or 0/1 for True/False."""
        if self.kind == "true_false":
            return 0 if self.answer == "True" else 1
        if self.kind in LETTERED:
            return [letter(i) for i in range(len(self.options))].index(str(self.answer))
        return -1


def _copy(value: object) -> object:
    return list(value) if isinstance(value, list | tuple) else value


@dataclass(slots=True)
class QuizVersion:
    """One printable version: its letter and its questions in order."""

    version: str
    questions: list[QuizQuestion]

    @property
    def total_points(self) -> int:
        return sum(q.points for q in self.questions)

    def by_kind(self) -> list[tuple[str, list[QuizQuestion]]]:
        """The questions grouped under their kind's heading, in the order printed."""
        groups: list[tuple[str, list[QuizQuestion]]] = []
        for q in self.questions:
            if not groups or groups[-1][0] != q.kind:
                groups.append((q.kind, []))
            groups[-1][1].append(q)
        return groups


@dataclass(slots=True)
class Quiz:
    """A sheet's quiz: one or more versions of it."""

    sheet: str
    """The sheet's name (its file's stem)."""
    title: str
    seed: int
    versions: list[QuizVersion]
    versions_differ: bool = False
    """False: every version asks the same questions, shuffled; True: each has its own."""

    def to_json(self) -> dict[str, object]:
        return {
            "sheet": self.sheet,
            "title": self.title,
            "seed": self.seed,
            "versions_differ": self.versions_differ,
            "versions": [
                {"version": v.version, "questions": [q.to_json() for q in v.questions]}
                for v in self.versions
            ],
        }

    @classmethod
    def from_json(cls, data: dict) -> Quiz:
        return cls(
            sheet=data["sheet"],
            title=data["title"],
            seed=data["seed"],
            versions_differ=bool(data.get("versions_differ", False)),
            versions=[
                QuizVersion(v["version"], [QuizQuestion.from_json(q) for q in v["questions"]])
                for v in data["versions"]
            ],
        )
