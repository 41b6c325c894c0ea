"""Questions the sheet asks itself, and prose. A question heading is a question card (its bold
phrase or first sentence answers it, the rest is shown as more); a sentence of prose is a card
only when it defines or states one checkable fact ("X is …", "X stands for …", "X uses port
N", "X happens when …"). Everything else in prose is context."""

from __future__ import annotations

import re

from cardgen.model import Paragraph, QuestionAnswer, Sheet
from cardgen.questions.facts import is_set
from cardgen.questions.model import Question, QuestionBank, make_key
from cardgen.questions.outcome import Outcomes
from cardgen.questions.quality import answer_problem, is_label, is_sample
from cardgen.questions.text import (
    gives_away,
    plain,
    sentences,
    short_answer,
    strip_end,
    word_count,
)

_SUBJECT = r"(?P<x>(?:(?:the|a|an)\s+)?[^\s,;:]+(?:\s+[^\s,;:]+){0,4}?)"
_VERBS = {
    "stands_for": r"(?:stands for|is short for|is an abbreviation for)\s+(?P<y>.+)$",
    "port": (
        r"(?:uses|runs on|listens on)\s+(?:(?:TCP|UDP)\s+)?port\s+"
        r"(?P<y>\d[\d/,\s-]*(?:\s*\((?:TCP|UDP)\))?)"
    ),
    "when": (
        r"(?:happens|occurs|is sent|is used|fires|applies)\s+(?:when|if|after|before)\s+"
        r"(?P<y>.+)$"
    ),
    "is": (
        r"(?:is|are|refers to|means|describes|defines)\s+"
        r"(?P<y>(?:a|an|the|one|used|how|what|when)\b.+)$"
    ),
}
_FACT_PATTERNS = tuple(
    (kind, re.compile(rf"^{_SUBJECT}\s+{verb}", re.I)) for kind, verb in _VERBS.items()
)
_PRONOUNS = frozenset(
    """it this that these those they there which he she we you i here one each both all some
    such another other its their following example most many few several every any no
    more less""".split()
)
_LEADS = frozenset(
    """if when whenever while although though because since unless once after before as below
    above where so but and or then also however thus hence note in on for with by to from at
    now still yet only even""".split()
)
"""Words that open a clause or point elsewhere: `If the response is …`, `Below is …`."""
_SPECIFIC = re.compile(r"`|\*\*|\b[A-Z]{2,}\b|\b[A-Z][a-z]+[A-Z]\w*|\d")


def qa_questions(sheet: Sheet, bank: QuestionBank, out: Outcomes) -> None:
    for block in sheet.of_kind(QuestionAnswer):
        question = plain(block.question) if "**" in block.question else block.question
        text = block.answer.strip()
        if not text:
            out.skip(block, "a question with no answer under it")
            continue
        if is_sample(text):
            out.skip(block, "the answer is sample text")
            continue
        if block.listed:
            items = text.split("; ")
            if len(items) > 3 or word_count(text) > 20:
                out.skip(
                    block,
                    f"answered by a list of {len(items)} items: a set is not one answer; "
                    "give each item its own question or bold the one that matters",
                )
                continue
            short: tuple[str, str] | None = (text, "")
        else:
            short = short_answer(text, limit=20)
        if short is None:
            out.skip(
                block,
                f"answer of {word_count(text)} words with no short first sentence: start the "
                "answer with one short sentence, or bold its key phrase",
            )
            continue
        answer, more = short
        answer = without_subject(question, answer)
        more = " ".join(p for p in (more, block.more) if p)
        if more.endswith(":"):  # it led into a list the card does not show
            more = more[:-1].rstrip() + "."
        if (why := answer_problem(answer, 20)) is not None:
            out.skip(block, why)
            continue
        if gives_away(question, answer):
            out.skip(block, "the answer stands in the question")
            continue
        out.add(
            block,
            Question(
                make_key(bank.sheet_name, block.section, "qa", question),
                "question",
                "question_answer",
                question,
                strip_end(answer) if not answer.endswith("**") else answer,
                block.section[-1] if block.section else bank.sheet_title,
                block.pos,
                block.section,
                explanation=more,
            ),
        )


def without_subject(question: str, answer: str) -> str:
    """`What is a veth pair?` → `A veth pair is two …` → `two …`: the answer without the
    question's own words repeated in front of it."""
    answer = re.sub(r"^It\s+(?:is|shows|means|returns|gives)\s+(?=\S)", "", answer)
    m = re.match(r"^(?:what|who)\s+(?:is|are)\s+(?:an?\s+|the\s+)?(.+?)\??$", plain(question), re.I)
    if not m:
        return answer
    subject = re.escape(m.group(1).strip())
    trimmed = re.sub(
        rf"^(?:an?\s+|the\s+)?(?:\*\*)?`?{subject}`?(?:\*\*)?\s+(?:is|are|means)\s+",
        "",
        answer,
        flags=re.I,
    )
    return trimmed if trimmed != answer and len(trimmed.split()) >= 2 else answer


def fact_of(sentence: str) -> tuple[str, str, str] | None:
    """(kind, subject, fact) of a sentence that states one checkable fact, or None."""
    text = sentence.strip()
    if text.endswith("?") or is_label(text):
        return None
    for kind, pattern in _FACT_PATTERNS:
        m = pattern.match(text)
        if not m:
            continue
        subject = m.group("x").strip()
        words = re.findall(r"[\w']+", plain(subject).lower())
        if not words or words[0] in _PRONOUNS | _LEADS or words[-1] in _PRONOUNS:
            continue
        if kind == "is" and not _SPECIFIC.search(subject) and len(words) > 3:
            continue
        fact = strip_end(m.group("y"))
        if kind in ("is", "when") and len(re.findall(r"\w+", plain(fact))) < 4:
            continue
        return kind, subject, fact
    return None


def _prompt(kind: str, subject: str) -> str:
    shown = re.sub(r"^(?:the|a|an)\s+", "", subject, flags=re.I)
    if kind == "stands_for":
        return f"What does {shown} stand for?"
    if kind == "port":
        return f"Which port does {shown} use?"
    if kind == "when":
        return f"When does {shown} happen?"
    return f"What is {shown}?"


def prose_questions(sheet: Sheet, bank: QuestionBank, out: Outcomes) -> None:
    for block in sheet.of_kind(Paragraph):
        made = 0
        if re.fullmatch(r"!\[[^\]]*\]\([^)]*\)", block.text.strip()):
            out.skip(block, "a picture alone is not a fact: put it in a table cell or a definition")
            continue
        for sentence in sentences(block.text):
            found = fact_of(sentence)
            if found is None:
                continue
            kind, subject, fact = found
            short = short_answer(fact)
            if short is None or is_set(fact):
                continue
            answer, more = short
            prompt = _prompt(kind, subject)
            if answer_problem(answer) or gives_away(prompt, answer):
                continue
            if set(re.findall(r"\d+", plain(answer))) & set(re.findall(r"\d+", plain(prompt))):
                continue  # `What is /16?` → `the first 16 bits …`: its number is on the front
            out.add(
                block,
                Question(
                    make_key(bank.sheet_name, block.section, "prose", kind, plain(subject)),
                    "prose_fact",
                    "paragraph",
                    prompt,
                    answer,
                    block.section[-1] if block.section else bank.sheet_title,
                    block.pos,
                    block.section,
                    explanation=more,
                ),
            )
            made += 1
        if not made:
            out.skip(
                block,
                "prose: no sentence defines a term or states one fact ('X is …', 'X stands for "
                "…'); prose is context",
            )
