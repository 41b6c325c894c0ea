"""State paths, arrow chains and numbered steps. In the deck a path is one cloze note (each
link hidden in turn); its transitions are asked by the quiz only, so no step is taught twice."""

from __future__ import annotations

from collections import Counter

from cardgen.model import Chain, Sheet, StatePath, Steps
from cardgen.questions.model import Ordering, Question, QuestionBank, make_key
from cardgen.questions.outcome import Outcomes
from cardgen.questions.quality import answer_problem
from cardgen.questions.text import plain

ORDINALS = ("first", "second", "third", "fourth", "fifth")


def state_path_questions(sheet: Sheet, bank: QuestionBank, out: Outcomes) -> None:
    paths = [b for b in sheet.blocks if isinstance(b, StatePath | Chain)]
    every = tuple(dict.fromkeys(s for p in paths for s in _links(p)))
    for path in paths:
        links = _links(path)
        if len(links) < 2:
            out.skip(path, "a chain of one link")
            continue
        if len(set(links)) == 1:
            out.skip(path, "every link is the same")
            continue
        successors: dict[str, set[str]] = {}
        for a, b in zip(links, links[1:], strict=False):
            successors.setdefault(a, set()).add(b)
        seen: Counter[str] = Counter()
        what = "state" if isinstance(path, StatePath) else "step"
        for a, b in zip(links, links[1:], strict=False):
            seen[a] += 1
            repeated = len(successors[a]) > 1
            nth = f" (its {ORDINALS[min(seen[a], 5) - 1]} time)" if repeated else ""
            key_parts = ("after", a) + ((str(seen[a]),) if repeated else ())
            out.add(
                path,
                Question(
                    make_key(bank.sheet_name, path.section, path.name, *key_parts),
                    "transition",
                    path.kind,
                    f"{path.name}: which {what} comes right after {a}{nth}?",
                    b,
                    path.name,
                    path.pos,
                    path.section,
                    family=every,
                    also_true=frozenset(successors[a]) - {b},
                    in_deck=False,
                ),
            )
        bank.orderings.append(
            Ordering(
                make_key(bank.sheet_name, path.section, path.name, "order"),
                f"{path.name}: put the {what}s in order.",
                links,
                path.pos,
                path.section,
                path.kind,
            )
        )


def _links(path: StatePath | Chain) -> tuple[str, ...]:
    return path.states if isinstance(path, StatePath) else path.links


def steps_questions(sheet: Sheet, bank: QuestionBank, out: Outcomes) -> None:
    for block in sheet.of_kind(Steps):
        ctx = block.section[-1] if block.section else block.label
        titles = tuple(s.title for s in block.steps)
        parties = tuple(dict.fromkeys(p for s in block.steps for p in (s.sender, s.receiver) if p))
        states = tuple(s.state_entered for s in block.steps if s.state_entered)
        short_titles = all(answer_problem(t, 3) is None for t in titles)
        for step in block.steps:
            base = (bank.sheet_name, block.section, block.label, f"step-{plain(step.title)[:60]}")
            if short_titles and len(set(titles)) == len(titles):
                out.add(
                    block,
                    Question(
                        make_key(*base, "name"),
                        "step",
                        "steps",
                        f"{ctx}: what is step {step.number}?",
                        step.title,
                        ctx,
                        step.pos,
                        block.section,
                        family=titles,
                    ),
                )
            if step.sender:
                out.add(
                    block,
                    Question(
                        make_key(*base, "sender"),
                        "step_sender",
                        "steps",
                        f"{ctx}: who sends the {step.title} (step {step.number})?",
                        step.sender,
                        ctx,
                        step.pos,
                        block.section,
                        family=parties,
                        explanation=f"{step.sender} → {step.receiver}",
                    ),
                )
            if step.state_entered:
                who = (
                    "do both sides enter?"
                    if (step.enters or "").lower() == "both"
                    else f"does the {step.enters} enter?"
                )
                out.add(
                    block,
                    Question(
                        make_key(*base, "state"),
                        "step_state",
                        "steps",
                        f"{ctx}: with the {step.title} (step {step.number}), which state {who}",
                        step.state_entered,
                        ctx,
                        step.pos,
                        block.section,
                        family=states,
                    ),
                )
        if not short_titles:
            out.skip(block, "steps are sentences: asked only as an ordering in the quiz")
        if len(block.steps) >= 2:
            bank.orderings.append(
                Ordering(
                    make_key(bank.sheet_name, block.section, block.label, "order"),
                    f"{ctx}: put the steps in order.",
                    titles,
                    block.pos,
                    block.section,
                    "steps",
                )
            )
