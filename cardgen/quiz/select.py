"""Question bank → quiz: choose questions for each kind with a seeded generator."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from pathlib import Path

from cardgen.questions import Matching, Ordering, Question, QuestionBank
from cardgen.questions.text import plain
from cardgen.quiz.distractors import distractor_pool, pick_distractors
from cardgen.quiz.model import MAX_OPTIONS, Quiz, QuizItem, letter
from cardgen.render.html import code_html, inline_html

CHOICE_KINDS = frozenset(
    {
        "table_cell",
        "table_reverse",
        "transition",
        "step",
        "step_state",
        "step_sender",
        "definition",
        "command",
        "key_value",
        "takeaway",
    }
)
FILL_IN_KINDS = frozenset({"snippet_call", "definition"})
QUOTAS = {"ordering": 3, "matching": 3, "classification": 5, "fill_in": 7, "true_false": 8}
"""At most this many of each kind; multiple choice fills the rest of the quiz."""


def item_id(kind: str, key: str) -> str:
    return f"q-{hashlib.sha256(f'{kind}:{key}'.encode()).hexdigest()[:10]}"


def source_of(pos) -> str:
    return f"{Path(pos.path).name}:{pos.line}"


def explain(q: Question) -> str:
    said = f"{inline_html(q.context)}: {inline_html(q.answer)}" if q.context else ""
    extra = inline_html(q.explanation)
    return " ".join(p for p in (said, f"({extra})" if extra else "") if p)


def multiple_choice(q: Question, rng: random.Random) -> QuizItem | None:
    wrong = pick_distractors(q, rng, 3)
    if len(wrong) < 2:
        return None
    options = [q.answer, *wrong]
    rng.shuffle(options)
    correct = options.index(q.answer)
    return QuizItem(
        item_id("mc", q.key),
        "multiple_choice",
        inline_html(q.prompt),
        source_of(q.source),
        explain(q),
        options=[inline_html(o) for o in options],
        correct=correct,
        answer=f"{letter(correct)}. {inline_html(q.answer)}",
    )


def true_false(q: Question, rng: random.Random) -> QuizItem | None:
    pool = distractor_pool(q)
    if not pool:
        return None
    truth = rng.random() < 0.5
    proposed = q.answer if truth else rng.choice(pool)
    prompt = (
        f'{inline_html(q.prompt)}<br><span class="proposed">Proposed answer: '
        f"<strong>{inline_html(proposed)}</strong></span>"
    )
    answer = "True" if truth else f"False — {inline_html(q.answer)}"
    return QuizItem(
        item_id("tf", q.key),
        "true_false",
        prompt,
        source_of(q.source),
        explain(q),
        options=["True", "False"],
        correct=0 if truth else 1,
        answer=answer,
    )


def classification(q: Question, rng: random.Random) -> QuizItem | None:
    if q.answer not in q.family:
        return None
    wrong = pick_distractors(q, rng, MAX_OPTIONS - 1)
    if not wrong:
        return None
    options = [o for o in q.family if o == q.answer or o in wrong]
    prompt = inline_html(q.prompt.split(":")[0])
    return QuizItem(
        item_id("cl", q.key),
        "classification",
        f"{prompt} ({inline_html(q.context)})",
        source_of(q.source),
        explain(q),
        options=[inline_html(o) for o in options],
        correct=options.index(q.answer),
        answer=inline_html(q.answer),
    )


def fill_in(q: Question, rng: random.Random) -> QuizItem | None:
    blank = '<span class="blank" aria-label="blank"></span>'
    if q.kind == "snippet_call" and q.code is not None:
        return QuizItem(
            item_id("fi", q.key),
            "fill_in",
            inline_html(q.prompt),
            source_of(q.source),
            explain(q),
            code=code_html(q.code, q.lang, q.code_blank, blank_html=blank),
            accepted=[plain(q.answer)],
            answer=inline_html(q.answer),
        )
    if q.kind == "definition" and q.reverse_prompt and q.reverse_answer:
        prompt = f"{inline_html(q.reverse_prompt)} {blank}"
        return QuizItem(
            item_id("fi", q.key),
            "fill_in",
            prompt,
            source_of(q.source),
            f"{inline_html(q.reverse_answer)}: {inline_html(q.answer)}",
            accepted=[plain(q.reverse_answer)],
            answer=inline_html(q.reverse_answer),
        )
    return None


def matching(m: Matching, rng: random.Random) -> QuizItem:
    pairs = list(m.pairs)
    if len(pairs) > 6:
        pairs = rng.sample(pairs, 6)
    rng.shuffle(pairs)
    rights = [right for _, right in pairs]
    rng.shuffle(rights)
    mapping = [rights.index(right) for _, right in pairs]
    answer = ", ".join(f"{n + 1}–{letter(j)}" for n, j in enumerate(mapping))
    return QuizItem(
        item_id("ma", m.key),
        "matching",
        inline_html(m.prompt),
        source_of(m.source),
        "; ".join(f"{inline_html(a)} → {inline_html(b)}" for a, b in pairs),
        options=[inline_html(r) for r in rights],
        left=[inline_html(left) for left, _ in pairs],
        mapping=mapping,
        answer=answer,
    )


def ordering(o: Ordering, rng: random.Random) -> QuizItem:
    order = list(range(len(o.items)))
    while len(order) > 1 and order == sorted(order):
        rng.shuffle(order)
    shown = [o.items[i] for i in order]
    mapping = [order.index(i) for i in range(len(o.items))]
    sequence = " → ".join(inline_html(x) for x in o.items)
    return QuizItem(
        item_id("or", o.key),
        "ordering",
        inline_html(o.prompt),
        source_of(o.source),
        sequence,
        left=[inline_html(x) for x in shown],
        mapping=mapping,
        answer=sequence,
    )


def make_quiz(bank: QuestionBank, seed: int = 0, version: int = 1, size: int = 40) -> Quiz:
    """Pick up to `size` items; the same bank, seed and version always give the same quiz."""
    rng = random.Random(f"{bank.sheet_name}/{seed}/{version}")
    used: set[str] = set()
    items: list[QuizItem] = []

    def take(
        kind: str,
        candidates: list[Question],
        make: Callable[[Question, random.Random], QuizItem | None],
        limit: int,
    ) -> None:
        pool = [q for q in candidates if q.key not in used]
        rng.shuffle(pool)
        made = 0
        for q in pool:
            if made >= limit or len(items) >= size:
                return
            item = make(q, rng)
            if item is not None:
                item.note = q.verified
                used.add(q.key)
                items.append(item)
                made += 1

    for o in rng.sample(bank.orderings, min(QUOTAS["ordering"], len(bank.orderings))):
        items.append(ordering(o, rng))
    for m in rng.sample(bank.matchings, min(QUOTAS["matching"], len(bank.matchings))):
        items.append(matching(m, rng))
    qs = bank.questions
    take(
        "classification",
        [q for q in qs if q.kind == "classification"],
        classification,
        QUOTAS["classification"],
    )
    take("fill_in", [q for q in qs if q.kind in FILL_IN_KINDS], fill_in, QUOTAS["fill_in"])
    take("true_false", [q for q in qs if q.kind in CHOICE_KINDS], true_false, QUOTAS["true_false"])
    take("multiple_choice", [q for q in qs if q.kind in CHOICE_KINDS], multiple_choice, size)
    quiz = Quiz(bank.sheet_name, bank.sheet_title, seed, version, items)
    number = 0
    for _, group in quiz.by_kind():
        for item in group:
            number += 1
            item.number = number
    quiz.items.sort(key=lambda i: i.number)
    return quiz
