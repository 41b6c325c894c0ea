"""Wrong options drawn from the sheet's own structure, never one that is also right."""

from __future__ import annotations

import random

from cardgen.questions import Question
from cardgen.questions.text import norm


def distractor_pool(q: Question) -> list[str]:
    """Sibling answers (same column, other states, other calls...) that are plainly wrong."""
    excluded = {norm(q.answer)} | {norm(v) for v in q.also_true}
    pool: list[str] = []
    seen: set[str] = set()
    for value in q.family:
        n = norm(value)
        if n and n not in excluded and n not in seen:
            seen.add(n)
            pool.append(value)
    return pool


def pick_distractors(q: Question, rng: random.Random, count: int) -> list[str]:
    pool = distractor_pool(q)
    return rng.sample(pool, min(count, len(pool)))
