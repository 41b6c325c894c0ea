"""Question bank → quiz: which questions, then each version's order and option letters.

Selection is seeded and spreads the quiz over the sheet's blocks. A question is taken only if
it tests no fact already asked and neither shows the other's answer (`cardgen.quiz.leaks`);
parts of an explanation that would show another answer are left out. Versions shuffle the
same questions (or, with `versions_differ`, each selects its own), and option letters are
dealt so that no letter holds the right answer more often than the others.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterator

from cardgen.model import Sheet
from cardgen.questions import Question, QuestionBank
from cardgen.quiz import candidates as make
from cardgen.quiz.candidates import Candidate
from cardgen.quiz.explain import SheetIndex
from cardgen.quiz.leaks import same_fact, shows
from cardgen.quiz.model import KINDS, LETTERED, Quiz, QuizQuestion, QuizVersion, letter

SHARES = {
    "ordering": 1 / 13,
    "matching": 1 / 13,
    "classification": 1 / 8,
    "fill_in": 1 / 5,
    "multiple_choice": 1 / 3,
    "true_false": 1 / 6,
}
"""At most this share of the quiz for each kind on a first pass, in this order (a matching or
an ordering asks many facts at once; a false statement shows a wrong answer, so true or false
comes last); then a second pass lets any kind fill the quiz."""
REFILL_ORDER = ("multiple_choice", "fill_in", "classification", "true_false")
VISITS_PER_QUESTION = 40
"""Selection looks at most at this many candidates per question it wants (huge sheets)."""
VERSION_NAMES = [letter(i) for i in range(50)]


def make_quiz(
    bank: QuestionBank,
    sheet: Sheet | None = None,
    seed: int = 0,
    size: int = 40,
    versions: int = 1,
    versions_differ: bool = False,
) -> Quiz:
    """The quiz of a sheet: the same bank, sheet and settings always give the same quiz."""
    index = SheetIndex(sheet)
    letters: Counter[int] = Counter()
    out: list[QuizVersion] = []
    chosen = None
    for v in range(versions):
        if chosen is None or versions_differ:
            rng = random.Random(f"{bank.sheet_name}/{seed}/select/{v if versions_differ else 0}")
            chosen = select(bank, index, rng, size)
        rng = random.Random(f"{bank.sheet_name}/{seed}/version/{v}")
        out.append(arrange(chosen, VERSION_NAMES[v], rng, letters))
    return Quiz(bank.sheet_name, bank.sheet_title, seed, out, versions_differ)


def select(
    bank: QuestionBank, index: SheetIndex, rng: random.Random, size: int
) -> list[tuple[Candidate, str]]:
    """Up to `size` candidates that do not answer each other, each with its explanation."""
    chosen: list[Candidate] = []
    used: set[str] = set()
    groups: set[str] = set()
    truths: Counter[bool] = Counter()
    makers = _makers(bank, index, rng, truths)
    order = {kind: _spread(sources, rng) for kind, sources in makers.items()}
    visits = VISITS_PER_QUESTION * max(size, 1)

    def take(kind: str, limit: int) -> None:
        nonlocal visits
        taken = sum(c.kind == kind for c in chosen)
        for build in order[kind]:
            if taken >= limit or len(chosen) >= size or visits <= 0:
                return
            visits -= 1
            candidate = build()
            if candidate is None or candidate.key in used or _conflicts(candidate, chosen):
                continue
            if kind in ("matching", "ordering") and candidate.group in groups:
                continue  # one matching of a table, one ordering of a path
            chosen.append(candidate)
            used.add(candidate.key)
            groups.add(candidate.group)
            if candidate.kind == "true_false":
                truths[candidate.truth] += 1
            taken += 1

    facts = len(bank.questions) + len(bank.orderings) + len(bank.matchings)
    target = min(size, facts)
    for kind, share in SHARES.items():
        take(kind, max(1, round(target * share)))
    for kind in REFILL_ORDER:
        take(kind, size)
    return [(c, _final_explanation(c, chosen)) for c in chosen]


Builder = Callable[[], Candidate | None]


def _makers(
    bank: QuestionBank, index: SheetIndex, rng: random.Random, truths: Counter[bool]
) -> dict[str, list[tuple[str, list[Builder]]]]:
    """For each kind, its candidates (built when first looked at) grouped by block."""

    def grouped(items, build) -> list[tuple[str, list[Builder]]]:
        groups: dict[str, list[Builder]] = {}
        for item in items:
            groups.setdefault(make.group_of(item), []).append(
                lambda item=item: build(item, index, rng)
            )
        return list(groups.items())

    def tf(q: Question, index: SheetIndex, rng: random.Random) -> Candidate | None:
        lead = truths[True] - truths[False]
        truth = rng.random() < 0.5 if lead == 0 else lead < 0
        return make.true_false(q, index, rng, truth)

    qs = bank.questions
    classes = [q for q in qs if q.kind == "classification"]
    return {
        "ordering": grouped(bank.orderings, make.ordering),
        "matching": grouped(bank.matchings, make.matching),
        "classification": grouped(classes, make.classification),
        "fill_in": grouped(qs, make.fill_in),
        "true_false": grouped(qs, tf),
        "multiple_choice": grouped(qs, make.multiple_choice),
    }


def _spread(groups: list[tuple[str, list[Builder]]], rng: random.Random) -> Iterator[Builder]:
    """Candidates one block at a time, in a seeded order: the quiz covers the sheet."""
    queues = [list(builders) for _, builders in groups]
    for queue in queues:
        rng.shuffle(queue)
    rng.shuffle(queues)
    while queues:
        for queue in list(queues):
            if not queue:
                queues.remove(queue)
                continue
            yield queue.pop()


def _conflicts(candidate: Candidate, chosen: list[Candidate]) -> bool:
    shown = candidate.shown()
    for other in chosen:
        if candidate.contrast and candidate.contrast == other.contrast:
            return True  # TCP's and UDP's ordering: each answers the other
        if any(same_fact(a, b) for a in candidate.facts for b in other.facts):
            return True
        if any(shows(shown, f, candidate.code) for f in other.facts):
            return True
        other_shown = other.shown()
        if any(shows(other_shown, f, other.code) for f in candidate.facts):
            return True
    return False


def _final_explanation(candidate: Candidate, chosen: list[Candidate]) -> str:
    """The explanation without the items that would show another question's answer."""
    others = [f for c in chosen if c is not candidate for f in c.facts]
    dropped = {
        id(item)
        for item in candidate.explanation.optional_items()
        if any(shows([item.check], f) for f in others)
    }
    return candidate.explanation.text(dropped)


def arrange(
    chosen: list[tuple[Candidate, str]], name: str, rng: random.Random, letters: Counter[int]
) -> QuizVersion:
    """One version: the questions grouped by kind, shuffled; options dealt with balanced
    letters (`letters` counts the right letters over every version made so far)."""
    by_kind: dict[str, list[tuple[Candidate, str]]] = {}
    for entry in chosen:
        by_kind.setdefault(entry[0].kind, []).append(entry)
    ordered: list[tuple[Candidate, str]] = []
    for kind in KINDS:
        group = list(by_kind.get(kind, []))
        rng.shuffle(group)
        ordered.extend(group)
    positions = _deal_letters([c for c, _ in ordered if c.kind == "multiple_choice"], rng, letters)
    questions = []
    for number, (c, explanation) in enumerate(ordered, start=1):
        questions.append(_question(c, explanation, number, rng, positions.get(id(c))))
    return QuizVersion(name, questions)


def _deal_letters(
    mcs: list[Candidate], rng: random.Random, letters: Counter[int]
) -> dict[int, int]:
    """The right option's position for each multiple-choice question: the least-used letter so
    far (ties drawn at random), the questions taken in a random order (those with the fewest
    options first) so that no pattern runs down the page."""
    out: dict[int, int] = {}
    visit = list(mcs)
    rng.shuffle(visit)
    visit.sort(key=lambda c: len(c.options))  # the fewest options first: they choose least
    for c in visit:
        places = list(range(len(c.options)))
        rng.shuffle(places)
        pos = min(places, key=lambda p: letters[p])
        letters[pos] += 1
        out[id(c)] = pos
    return out


def _question(
    c: Candidate, explanation: str, number: int, rng: random.Random, position: int | None
) -> QuizQuestion:
    q = QuizQuestion(
        id=c.id,
        kind=c.kind,
        number=number,
        prompt=c.prompt,
        answer=c.answer,
        explanation=explanation,
        source=c.source,
        points=c.points,
        code=c.code,
        lang=c.lang,
        blank=list(c.blank) if c.blank else None,
        statement=c.statement,
        accepted=list(c.accepted),
        evidence=c.evidence,
    )
    if c.kind == "multiple_choice":
        wrong = c.options[1:]
        rng.shuffle(wrong)
        pos = position if position is not None else 0
        q.options = [*wrong[:pos], c.options[0], *wrong[pos:]]
        q.answer = letter(pos)
    elif c.kind in LETTERED:  # classification: the classes in the sheet's order
        q.options = list(c.options)
        q.answer = letter(c.options.index(c.answer))
    elif c.kind == "matching":
        lefts = [left for left, _ in c.pairs]
        rights = [right for _, right in c.pairs]
        rng.shuffle(lefts)
        rng.shuffle(rights)
        right_of = dict(c.pairs)
        q.items = lefts
        q.options = rights
        q.answer = [letter(rights.index(right_of[left])) for left in lefts]
    elif c.kind == "ordering":
        shown = list(c.sequence)
        while shown == c.sequence:
            rng.shuffle(shown)
        q.items = shown
        q.answer = [str(c.sequence.index(item) + 1) for item in shown]
    return q
