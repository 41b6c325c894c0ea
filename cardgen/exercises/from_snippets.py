"""Exercises from proven snippets: the snippet, made runnable, is the solution; its key lines,
grouped by what the checker can tell apart, are the steps (TODO N, hint N).

Only a snippet whose check passed makes an exercise. One that failed, was refused or was not
run makes a warning at its line instead.
"""

from __future__ import annotations

import re

from cardgen.check.classify import PYTHON, RUST, classify
from cardgen.check.model import PASS, REFUSED, SKIP, CheckResult
from cardgen.errors import Diagnostic
from cardgen.exercises import tasks
from cardgen.exercises.drafts import TODO_MARK, SourceDraft
from cardgen.exercises.model import Exercise, Line, Step
from cardgen.exercises.python_source import python_draft
from cardgen.exercises.rust_source import rust_draft
from cardgen.model import Sheet, Snippet
from cardgen.questions.model import slug

KINDS = tasks.KINDS


def _steps(draft: SourceDraft, kind: str, lang: str) -> tuple[list[Line], list[Step]] | None:
    """Number the TODO lines by the rung of the ladder they get a program past: TODO 1 is
    what the untouched starter lacks first."""
    order = tasks.ladder(kind, draft.expect)
    stages = sorted({d.stage for d in draft.body if d.todo and d.stage}, key=order.index)
    if not stages:
        return None
    number = {stage: n for n, stage in enumerate(stages, start=1)}
    lines = [Line.fixed(text) for text in draft.head]
    shapes: dict[int, list[str]] = {}
    for d in draft.body:
        if d.todo is None or d.stage is None:
            lines.append(Line.fixed(d.text))
            continue
        n = number[d.stage]
        lines.append(Line(n, d.text, d.todo.replace(TODO_MARK, f"TODO {n}")))
        shapes.setdefault(n, []).append(f"`{d.shape}`")
    lines += [Line.fixed(text) for text in draft.tail]
    steps = []
    for stage in stages:
        n = number[stage]
        finished = shapes[n]
        reads = "line reads" if len(finished) == 1 else "lines read"
        listed = ", ".join(finished[:-1]) + (" and " if len(finished) > 1 else "") + finished[-1]
        lead = tasks.hint_lead(kind, stage, draft.expect, lang)
        steps.append(Step(stage, f"{lead} At TODO {n}, the finished {reads} {listed}."))
    return lines, steps


def snippet_exercise(sheet: Sheet, snippet: Snippet, kind: str) -> Exercise | None:
    """The exercise the snippet makes, or None when its shape makes none."""
    lang = "rust" if snippet.lang in RUST else "python"
    draft = rust_draft(snippet, kind) if lang == "rust" else python_draft(snippet, kind)
    if draft is None:
        return None
    numbered = _steps(draft, kind, lang)
    if numbered is None:
        return None
    lines, steps = numbered
    background = (
        f"This exercise practises **{snippet.label}** from the cheatsheet *{sheet.title}*. "
        "The sheet's version of the code, made runnable, is the model answer."
    )
    if draft.note:
        background += f" {draft.note}"
    name = re.sub(
        r"^((creating|setting|using|writing|making)-)?(an?-|the-)?", "", slug(snippet.label)
    )
    return Exercise(
        slug=name or kind.replace("_", "-"),
        title=snippet.label,
        kind=kind,
        lang=lang,
        task=tasks.task(kind, draft.expect),
        background=background,
        source=f"{snippet.pos.path.rsplit('/', 1)[-1]}:{snippet.pos.line}",
        lines=lines,
        steps=steps,
        checks=tasks.checks(kind, draft.expect),
        expect=draft.expect,
        crates=draft.crates,
    )


def _unproven(snippet: Snippet, result: CheckResult | None) -> str | None:
    """Why the snippet's check does not prove it (the warning), or None when it does."""
    if result is None:
        return "no exercise from this snippet: it was not checked (the build ran without checks)"
    if result.status == PASS:
        return None
    if result.status == REFUSED:
        return f"no exercise from this snippet: its check was refused ({result.reason})"
    if result.status == SKIP:
        return f"no exercise from this snippet: it was not run ({result.reason})"
    return f"no exercise from this snippet: its check failed ({result.reason})"


def snippet_exercises(
    sheet: Sheet, checks: list[CheckResult] | None
) -> tuple[list[Exercise], list[Diagnostic]]:
    """Exercises from the snippets whose check passed (with `checks` None, none were run),
    and a warning for each snippet that would have made one but is not proven."""
    by_line = {(r.path, r.line): r for r in checks or [] if not r.kind.endswith("claim")}
    out: list[Exercise] = []
    warnings: list[Diagnostic] = []
    for snippet in sheet.of_kind(Snippet):
        if snippet.lang not in RUST | PYTHON or {"ignore", "no_run"} & set(snippet.flags):
            continue
        kind = classify(snippet.lang, snippet.hidden + snippet.code)
        if kind not in KINDS:
            continue
        exercise = snippet_exercise(sheet, snippet, kind)
        if exercise is None:
            continue
        result = by_line.get((snippet.pos.path, snippet.pos.line))
        if (why := _unproven(snippet, result)) is not None:
            warnings.append(Diagnostic(snippet.pos.path, snippet.pos.line, why))
            continue
        out.append(exercise)
    return out, warnings
