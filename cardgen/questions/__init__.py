"""Sheet → question bank. One small generator per block kind, in a named, ordered list
(the way markdown-it-py registers its rules)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from cardgen.errors import Diagnostic
from cardgen.model import Sheet
from cardgen.questions.definitions import definition_questions
from cardgen.questions.lists import list_questions
from cardgen.questions.model import Matching, Ordering, Question, QuestionBank
from cardgen.questions.paths import state_path_questions, steps_questions
from cardgen.questions.snippets import command_questions, snippet_questions
from cardgen.questions.tables import table_questions
from cardgen.questions.takeaways import takeaway_questions
from cardgen.questions.text import gives_away, mask

__all__ = ["GENERATORS", "Matching", "Ordering", "Question", "QuestionBank", "build_bank"]

Generator = Callable[[Sheet, QuestionBank], None]

GENERATORS: list[tuple[str, Generator]] = [
    ("definitions", definition_questions),
    ("tables", table_questions),
    ("lists", list_questions),
    ("state_paths", state_path_questions),
    ("steps", steps_questions),
    ("takeaways", takeaway_questions),
    ("snippets", snippet_questions),
    ("commands", command_questions),
]


def build_bank(sheet: Sheet) -> tuple[QuestionBank, list[Diagnostic]]:
    """Every question of the sheet, with warnings for keys or fronts that collide."""
    bank = QuestionBank(sheet.name, sheet.title)
    for _name, generate in GENERATORS:
        generate(sheet, bank)
    warnings: list[Diagnostic] = []
    bank.questions = [_without_giveaway(q) for q in bank.questions]
    keys: dict[str, Question] = {}
    fronts: dict[tuple[object, ...], Question] = {}
    kept: list[Question] = []
    for q in bank.questions:
        front = (q.prompt, q.code, q.code_blank, q.listing_blank)
        if q.key in keys or front in fronts:
            other = keys.get(q.key) or fronts[front]
            warnings.append(
                Diagnostic(
                    q.source.path,
                    q.source.line,
                    f"question '{q.prompt}' repeats the one from line {other.source.line}: skipped",
                )
            )
            continue
        keys[q.key] = q
        fronts[front] = q
        kept.append(q)
    bank.questions = kept
    return bank, warnings


OPTIONS_IN_PROMPT = frozenset({"classification"})
"""Kinds whose prompt lists the choices on purpose ("TCP or UDP?")."""


def _without_giveaway(q: Question) -> Question:
    if q.style == "basic" and q.kind not in OPTIONS_IN_PROMPT and gives_away(q.prompt, q.answer):
        return replace(q, prompt=mask(q.prompt, q.answer))
    return q
