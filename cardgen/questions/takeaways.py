"""Key takeaways: the point → its explanation."""

from __future__ import annotations

from cardgen.model import Sheet, Takeaway
from cardgen.questions.model import Question, QuestionBank, make_key


def takeaway_questions(sheet: Sheet, bank: QuestionBank) -> None:
    takeaways = sheet.of_kind(Takeaway)
    texts = tuple(t.text for t in takeaways)
    for t in takeaways:
        bank.questions.append(
            Question(
                make_key(bank.sheet_name, t.section, "takeaway", t.title),
                "takeaway",
                "takeaway",
                f"Key takeaway “{t.title}”: what follows?",
                t.text,
                "Key takeaways",
                t.pos,
                t.section,
                family=texts,
            )
        )
