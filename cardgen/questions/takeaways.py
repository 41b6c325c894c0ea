"""Key takeaways: a cloze on the key term of the point (or of its explanation); a takeaway with
no term to ask is context, not a card."""

from __future__ import annotations

from cardgen.model import Sheet, Takeaway
from cardgen.questions.clozes import key_terms
from cardgen.questions.lists import known_terms
from cardgen.questions.model import Question, QuestionBank, make_key
from cardgen.questions.outcome import Outcomes
from cardgen.questions.text import norm


def takeaway_questions(sheet: Sheet, bank: QuestionBank, out: Outcomes) -> None:
    known = known_terms(sheet)
    for t in sheet.of_kind(Takeaway):
        sentence = f"{t.title} – {t.text}"
        spans = key_terms(t.title, known, limit=2)
        if not spans:
            offset = len(t.title) + 3
            spans = [span for span in key_terms(sentence, known, 2) if span[0] >= offset]
        if not spans:
            out.skip(t, "a takeaway with no key term to ask: bold the word to remember")
            continue
        note = make_key(bank.sheet_name, t.section, "takeaway", t.title)
        for start, end in spans:
            hidden = sentence[start:end]
            out.add(
                t,
                Question(
                    f"{note}/{norm(hidden)[:40]}",
                    "takeaway",
                    "takeaway",
                    "Key takeaway",
                    hidden,
                    "Key takeaways",
                    t.pos,
                    t.section,
                    style="cloze",
                    cloze=(sentence[:start], hidden, sentence[end:]),
                    note=note,
                ),
            )
