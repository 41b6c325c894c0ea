"""Every block's outcome as the generators run: the questions it made, or why it made none."""

from __future__ import annotations

from cardgen.model import (
    Block,
    Chain,
    Command,
    Definition,
    LabelledList,
    Paragraph,
    QuestionAnswer,
    Sheet,
    Skipped,
    Snippet,
    StateNotes,
    StatePath,
    Steps,
    Table,
    Takeaway,
)
from cardgen.questions.model import BlockOutcome, Question, QuestionBank
from cardgen.questions.text import plain


def summary_of(block: Block) -> str:
    """A few words naming a block for the author's report."""

    def short(text: str, n: int = 60) -> str:
        p = plain(text)
        return p if len(p) <= n else p[: n - 1] + "…"

    if isinstance(block, Table):
        return f"table '{short(block.title)}' ({len(block.rows)} rows)"
    if isinstance(block, LabelledList):
        return f"list '{short(block.label)}' ({len(block.items)} items)"
    if isinstance(block, StateNotes):
        return f"notes on {block.state} ({len(block.items)} items)"
    if isinstance(block, Definition):
        return f"definition of '{short(block.term, 40)}'"
    if isinstance(block, QuestionAnswer):
        return f"question '{short(block.question)}'"
    if isinstance(block, Snippet):
        return f"{block.lang or 'code'} block '{short(block.label)}'"
    if isinstance(block, Command):
        return f"command '{short(block.description)}'"
    if isinstance(block, StatePath | Chain):
        return f"chain '{short(block.name)}'"
    if isinstance(block, Steps):
        return f"steps '{short(block.label)}' ({len(block.steps)} steps)"
    if isinstance(block, Takeaway):
        return f"takeaway '{short(block.title)}'"
    if isinstance(block, Paragraph):
        return f"paragraph '{short(block.text, 50)}'"
    if isinstance(block, Skipped):
        return block.what
    return block.kind


class Outcomes:
    """Collects what each block becomes while the generators run."""

    def __init__(self, sheet: Sheet, bank: QuestionBank) -> None:
        self.bank = bank
        self.made: dict[int, list[Question]] = {}
        self.reasons: dict[int, list[tuple[int, str]]] = {}
        self.blocks = list(sheet.blocks)
        for block in self.blocks:
            if isinstance(block, Skipped):
                self.skip(block, block.reason)

    def add(self, block: Block, question: Question) -> None:
        self.bank.questions.append(question)
        self.made.setdefault(id(block), []).append(question)

    def skip(self, block: Block, reason: str, line: int | None = None) -> None:
        self.reasons.setdefault(id(block), []).append((line or block.pos.line, reason))

    def questions_of(self, block: Block) -> list[Question]:
        return self.made.get(id(block), [])

    def finish(self) -> list[BlockOutcome]:
        """One outcome per block, in sheet order."""
        out = []
        for block in self.blocks:
            questions = self.made.get(id(block), [])
            reasons = list(self.reasons.get(id(block), []))
            if not questions and not reasons:
                reasons.append((block.pos.line, "nothing in it could be asked as one fact"))
            out.append(
                BlockOutcome(
                    block.kind,
                    block.pos,
                    summary_of(block),
                    list(dict.fromkeys(q.key for q in questions)),
                    reasons,
                )
            )
        return out
