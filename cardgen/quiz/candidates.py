"""Questions of the bank as quiz questions of each kind, or the reason one would be trivial.

A candidate knows the facts it tests and the text it shows (stem, proposed answer, code, the
required part of its explanation), so that selection can keep questions that do not answer
each other.
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from cardgen.questions import Matching, Ordering, Question
from cardgen.questions.text import content_words, norm, plain
from cardgen.quiz.distractors import distractor_pool, pick_distractors, shape
from cardgen.quiz.explain import (
    Explanation,
    SheetIndex,
    compared_values,
    explain,
    explain_matching,
    explain_ordering,
)
from cardgen.quiz.leaks import Fact, fact
from cardgen.quiz.model import BLANK

MAX_OPTIONS = 4
"""A multiple-choice question offers the answer and at most three wrong options."""
MAX_PAIRS = 6
MAX_ORDER = 8
FILL_IN_MAX_WORDS = 4
"""A blank a learner types: a few words at most."""
ASKS = re.compile(r"\?|\b(?:put|match|name|fill|complete|order)\b", re.I)


@dataclass(slots=True)
class Candidate:
    """One question of the bank asked one way, before versions shuffle it."""

    kind: str
    id: str
    key: str
    """The bank question's key (or the matching's, the ordering's): asked once at most."""
    group: str
    """The block it comes from: selection spreads the quiz over the sheet's blocks."""
    prompt: str
    source: str
    facts: list[Fact]
    explanation: Explanation
    answer: str = ""
    options: list[str] = field(default_factory=list)
    """Multiple choice: the answer first, then the wrong options; classification: the classes."""
    statement: str = ""
    truth: bool = True
    code: str = ""
    lang: str = ""
    blank: list[int] | None = None
    accepted: list[str] = field(default_factory=list)
    pairs: list[tuple[str, str]] = field(default_factory=list)
    """Matching: left and right of each pair, in the sheet's order."""
    sequence: list[str] = field(default_factory=list)
    """Ordering: the items in their right order."""
    evidence: str = ""
    points: int = 1
    contrast: str = ""
    """A row of a table that compares things: its cells answer each other (one per quiz)."""

    def shown(self) -> list[str]:
        """Texts a reader sees before answering, and the required part of the explanation."""
        stem = f"{self.prompt} {self.statement}".strip()
        return [stem, *self.explanation.required_checks()]


def item_id(prefix: str, key: str) -> str:
    return f"q-{hashlib.sha256(f'{prefix}:{key}'.encode()).hexdigest()[:10]}"


def source_of(q: Question | Matching | Ordering) -> str:
    return f"{Path(q.source.path).name}:{q.source.line}"


def group_of(q: Question | Matching | Ordering) -> str:
    return "/".join((*q.section, getattr(q, "context", "") or str(q.source.line)))


def asks_something(prompt: str) -> bool:
    """A stem that asks: a question mark, a blank, or an instruction ("put … in order")."""
    return bool(ASKS.search(plain(prompt))) or BLANK in prompt


def _base(q: Question, kind: str, prefix: str, index: SheetIndex, **kw) -> Candidate:
    shown_answer = kw.pop("shown_answer", None)
    compared = bool(compared_values(q, index))
    return Candidate(
        contrast=f"{Path(q.source.path).name}:{q.source.line}" if compared else "",
        kind=kind,
        id=item_id(prefix, q.key),
        key=q.key,
        group=group_of(q),
        source=source_of(q),
        facts=[fact(q.prompt, q.answer, [q.context])],
        explanation=explain(q, index, shown_answer),
        evidence=q.verified,
        **kw,
    )


def _code(q: Question) -> dict[str, object]:
    """The question's code, its hidden call as a blank (`_____`)."""
    if not q.code:
        return {}
    if not q.code_blank:
        return {"code": q.code, "lang": q.lang}
    start, end = q.code_blank
    code = q.code[:start] + BLANK + q.code[end:]
    return {"code": code, "lang": q.lang, "blank": [start, start + len(BLANK)]}


def _choice_stem(q: Question) -> bool:
    return q.kind != "classification" and not q.cloze and asks_something(q.prompt)


def multiple_choice(q: Question, index: SheetIndex, rng: random.Random) -> Candidate | None:
    if not _choice_stem(q):
        return None
    wrong = pick_distractors(q, rng, MAX_OPTIONS - 1, compared_values(q, index))
    if len(wrong) < (1 if shape(q.answer) == "yes_no" else 2):
        return None  # yes or no: the other is the one wrong option
    return _base(
        q,
        "multiple_choice",
        "mc",
        index,
        prompt=q.prompt,
        answer=q.answer,
        options=[q.answer, *wrong],
        **_code(q),
    )


def true_false(q: Question, index: SheetIndex, rng: random.Random, truth: bool) -> Candidate | None:
    """The stem with "Proposed answer: X"; `truth` says whether X is the right answer."""
    if not _choice_stem(q) or shape(q.answer) == "yes_no":
        return None  # "Proposed answer: No", true or false? A yes-no stem is asked as it is
    closest = compared_values(q, index)
    pool = distractor_pool(q, rng, closest)
    if not pool:
        return None
    near = [v for v in pool if v in closest]
    statement = q.answer if truth else rng.choice(near or pool)
    return _base(
        q,
        "true_false",
        "tf",
        index,
        prompt=q.prompt,
        statement=statement,
        truth=truth,
        answer="True" if truth else "False",
        **_code(q),
    )


def classification(q: Question, index: SheetIndex, rng: random.Random) -> Candidate | None:
    classes = list(dict.fromkeys(q.family))
    if q.kind != "classification" or q.answer not in classes or len(classes) < 2:
        return None
    if len(classes) > MAX_OPTIONS + 2 or not asks_something(q.prompt):
        return None
    candidate = _base(
        q, "classification", "cl", index, prompt=q.prompt, answer=q.answer, options=classes
    )
    item = q.prompt.split(":")[0]  # the thing classified; the classes stand in every stem
    candidate.facts = [fact(item, q.answer, [q.context])]
    return candidate


def _short(text: str) -> bool:
    return 0 < len(plain(text).split()) <= FILL_IN_MAX_WORDS


def fill_in(q: Question, index: SheetIndex, rng: random.Random) -> Candidate | None:
    """The hidden call of a snippet, the blank of a sentence, or a term from its meaning."""
    if q.kind == "snippet_call" and q.code and q.code_blank and _short(q.answer):
        return _base(
            q,
            "fill_in",
            "fi",
            index,
            prompt=q.prompt,
            answer=q.answer,
            accepted=_accepted(q.answer),
            **_code(q),
        )
    if q.cloze and _short(q.cloze[1]):
        before, hidden, after = q.cloze
        around = content_words(f"{before} {after}")
        if len(around) < 3 or len(plain(hidden)) * 2 > len(plain(before + hidden + after)):
            return None  # trivial: the sentence around the blank says too little
        lead = "" if norm(before).startswith(norm(q.context)) else f"{q.context}: "
        prompt = f"{lead}{before}{BLANK}{after}".strip()
        candidate = _base(
            q, "fill_in", "fi", index, prompt=prompt, answer=hidden, accepted=_accepted(hidden)
        )
        candidate.facts = [fact(prompt.replace(BLANK, " "), hidden, [q.context])]
        return candidate
    if q.reverse_prompt and q.reverse_answer and _short(q.reverse_answer):
        if not asks_something(q.reverse_prompt):
            return None
        candidate = _base(
            q,
            "fill_in",
            "fi",
            index,
            prompt=f"{q.reverse_prompt} {BLANK}",
            answer=q.reverse_answer,
            accepted=_accepted(q.reverse_answer),
            shown_answer=q.reverse_answer,
        )
        candidate.facts.append(fact(q.reverse_prompt, q.reverse_answer, [q.context]))
        return candidate
    return None


def _accepted(answer: str) -> list[str]:
    text = plain(answer).strip()
    out = [text]
    bare = text.rstrip("()").strip()
    if bare != text:
        out.append(bare)
    return out


def matching(m: Matching, index: SheetIndex, rng: random.Random) -> Candidate | None:
    pairs: list[tuple[str, str]] = []
    lefts: set[str] = set()
    rights: set[str] = set()
    for left, right in m.pairs:
        if norm(left) in lefts or norm(right) in rights or not norm(left) or not norm(right):
            continue
        lefts.add(norm(left))
        rights.add(norm(right))
        pairs.append((left, right))
    if len(pairs) < 3:
        return None
    if len(pairs) > MAX_PAIRS:
        keep = sorted(rng.sample(range(len(pairs)), MAX_PAIRS))
        pairs = [pairs[i] for i in keep]
    facts = [fact(left, right) for left, right in pairs]
    facts += [fact(right, left, probe=False) for left, right in pairs]
    return Candidate(
        kind="matching",
        id=item_id("ma", m.key),
        key=m.key,
        group=f"match:{m.source.line}",
        prompt=m.prompt,
        source=source_of(m),
        facts=facts,
        explanation=explain_matching(m, pairs),
        pairs=pairs,
        points=len(pairs),
    )


def ordering(o: Ordering, index: SheetIndex, rng: random.Random) -> Candidate | None:
    items = list(dict.fromkeys(o.items))  # a path back to its start: the start once
    if not 3 <= len(items) <= MAX_ORDER or len({norm(i) for i in items}) != len(items):
        return None
    name = plain(o.prompt).split(":")[0].strip()
    facts = [fact(f"{name}: after {a}", b) for a, b in zip(items, items[1:], strict=False)]
    facts += [fact(f"{name}: step {n}", item) for n, item in enumerate(items, start=1)]
    return Candidate(
        kind="ordering",
        id=item_id("or", o.key),
        key=o.key,
        group=f"order:{o.source.line}",
        prompt=o.prompt,
        source=source_of(o),
        facts=facts,
        explanation=explain_ordering(o, items),
        sequence=items,
        points=2,
    )
