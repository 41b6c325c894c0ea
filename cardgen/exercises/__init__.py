"""Self-checking exercises built from a sheet's proven snippets and its state table.

Imports happen inside the functions: the checker's side (`cardgen.exercises.peers`) runs in
the sandbox's own Python, which has the standard library only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cardgen.check.model import CheckResult
    from cardgen.errors import Diagnostic
    from cardgen.exercises.model import Exercise
    from cardgen.model import Sheet

__all__ = ["sheet_exercise_files", "sheet_exercises"]


def sheet_exercises(
    sheet: Sheet, checks: list[CheckResult] | None
) -> tuple[list[Exercise], list[Diagnostic]]:
    """The sheet's exercises, numbered, and a warning for each snippet that would have made
    one but whose check did not pass (`checks` None: no checks ran)."""
    from cardgen.exercises.from_snippets import snippet_exercises
    from cardgen.exercises.from_states import state_exercises

    exercises, warnings = snippet_exercises(sheet, checks)
    exercises += state_exercises(sheet)
    for number, exercise in enumerate(exercises, start=1):
        exercise.number = number
    return exercises, warnings


def sheet_exercise_files(
    sheet: Sheet, checks: list[CheckResult] | None
) -> tuple[dict[str, bytes], list[Diagnostic]]:
    """Every exercise of the sheet, as paths relative to `exercises/<sheet>/`, and the
    warnings."""
    from cardgen.exercises.render import exercise_files

    exercises, warnings = sheet_exercises(sheet, checks)
    files: dict[str, bytes] = {}
    for exercise in exercises:
        files.update(exercise_files(exercise, sheet.name))
    return files, warnings
