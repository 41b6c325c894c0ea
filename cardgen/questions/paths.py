"""State paths and numbered steps: transitions, who sends what, which state is entered."""

from __future__ import annotations

from collections import Counter

from cardgen.model import Sheet, StatePath, Steps
from cardgen.questions.model import Ordering, Question, QuestionBank, make_key

ORDINALS = ("first", "second", "third", "fourth", "fifth")


def state_path_questions(sheet: Sheet, bank: QuestionBank) -> None:
    paths = sheet.of_kind(StatePath)
    every_state = tuple(dict.fromkeys(s for p in paths for s in p.states))
    for path in paths:
        successors: dict[str, set[str]] = {}
        for a, b in zip(path.states, path.states[1:], strict=False):
            successors.setdefault(a, set()).add(b)
        seen: Counter[str] = Counter()
        for a, b in zip(path.states, path.states[1:], strict=False):
            seen[a] += 1
            repeated = len(successors[a]) > 1
            nth = f" (its {ORDINALS[min(seen[a], 5) - 1]} time)" if repeated else ""
            key_parts = ("after", a) + ((str(seen[a]),) if repeated else ())
            bank.questions.append(
                Question(
                    make_key(bank.sheet_name, path.section, path.name, *key_parts),
                    "transition",
                    "state_path",
                    f"{path.name}: what comes after {a}{nth}?",
                    b,
                    path.name,
                    path.pos,
                    path.section,
                    family=every_state,
                    also_true=frozenset(successors[a]) - {b},
                    explanation=" → ".join(path.states),
                )
            )
        bank.orderings.append(
            Ordering(
                make_key(bank.sheet_name, path.section, path.name, "order"),
                f"{path.name}: put the states in order.",
                path.states,
                path.pos,
                path.section,
                "state_path",
            )
        )


def steps_questions(sheet: Sheet, bank: QuestionBank) -> None:
    for block in sheet.of_kind(Steps):
        ctx = block.section[-1] if block.section else block.label
        titles = tuple(s.title for s in block.steps)
        parties = tuple(dict.fromkeys(p for s in block.steps for p in (s.sender, s.receiver) if p))
        states = tuple(s.state_entered for s in block.steps if s.state_entered)
        for step in block.steps:
            base = (bank.sheet_name, block.section, block.label, f"step-{step.title}")
            bank.questions.append(
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
                )
            )
            if step.sender:
                bank.questions.append(
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
                    )
                )
            if step.state_entered:
                bank.questions.append(
                    Question(
                        make_key(*base, "state"),
                        "step_state",
                        "steps",
                        f"{ctx}: with the {step.title} (step {step.number}), which state "
                        + (
                            "do both sides enter?"
                            if step.enters == "Both"
                            else f"does the {step.enters} enter?"
                        ),
                        step.state_entered,
                        ctx,
                        step.pos,
                        block.section,
                        family=states,
                    )
                )
            facts = [
                d
                for d in step.details
                if not d.startswith(('"', "“")) and step.state_entered not in (d or "")
            ]
            for index, detail in enumerate(facts):
                bank.questions.append(
                    Question(
                        make_key(*base, "detail", detail[:60]),
                        "step_detail",
                        "steps",
                        f"{ctx}, step {step.number} ({step.title}): which fact is missing?",
                        detail,
                        f"{ctx}, step {step.number}",
                        step.pos,
                        block.section,
                        style="cloze",
                        listing=tuple(facts),
                        listing_blank=index,
                    )
                )
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
