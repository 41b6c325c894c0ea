"""Definitions: term → text, and text → term where the term is specific."""

from __future__ import annotations

from cardgen.model import Definition, LabelledList, Sheet, StateNotes
from cardgen.questions.model import Question, QuestionBank, make_key
from cardgen.questions.text import gives_away, mask

GENERIC_TERMS = {"definition", "purpose", "meaning", "summary", "goal", "idea", "note"}


def subject_prompt(term: str, subject: str) -> str:
    """A generic term (`**Purpose**:`) asks about the heading it stands under."""
    if term.lower() == "definition":
        return subject if subject.endswith("?") else f"What is {subject}?"
    return f"{subject}: what is its {term.lower()}?"


def definition_question(
    bank: QuestionBank, d: Definition, context: str, family: tuple[str, ...] = ()
) -> Question:
    subject = d.section[-1] if d.section else bank.sheet_title
    key = make_key(bank.sheet_name, d.section, context, "def", d.term)
    if d.term.lower() in GENERIC_TERMS:
        return Question(
            key,
            "definition",
            "definition",
            subject_prompt(d.term, subject),
            d.text,
            subject,
            d.pos,
            d.section,
            family=family,
        )
    reverse = mask(d.text, d.term)
    style = "basic" if gives_away(reverse, d.term) else "reverse"
    return Question(
        key,
        "definition",
        "definition",
        f"{context}: {d.term}?",
        d.text,
        context,
        d.pos,
        d.section,
        style=style,
        reverse_prompt=f"{context}: which one is this? “{reverse}”" if style == "reverse" else None,
        reverse_answer=d.term if style == "reverse" else None,
        family=family,
    )


def definition_questions(sheet: Sheet, bank: QuestionBank) -> None:
    for block in sheet.blocks:
        if isinstance(block, Definition):
            bank.questions.append(definition_question(bank, block, "", ()))
        elif isinstance(block, LabelledList | StateNotes):
            items = [i for i in block.items if isinstance(i, Definition)]
            context = block.label if isinstance(block, LabelledList) else block.state
            texts = tuple(i.text for i in items)
            for item in items:
                bank.questions.append(definition_question(bank, item, context, texts))
