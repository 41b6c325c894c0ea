"""Self-checking exercises built from a sheet's snippets and its state table."""

from __future__ import annotations

from cardgen.exercises.from_snippets import snippet_exercises
from cardgen.exercises.from_states import state_exercises
from cardgen.exercises.model import Exercise
from cardgen.exercises.render import exercise_files
from cardgen.model import Sheet

__all__ = ["Exercise", "sheet_exercise_files", "sheet_exercises"]


def sheet_exercises(sheet: Sheet) -> list[Exercise]:
    exercises = snippet_exercises(sheet) + state_exercises(sheet)
    for number, exercise in enumerate(exercises, start=1):
        exercise.number = number
    return exercises


def sheet_exercise_files(sheet: Sheet) -> dict[str, bytes]:
    """Every exercise of the sheet, as paths relative to `exercises/<sheet>/`."""
    files: dict[str, bytes] = {}
    for exercise in sheet_exercises(sheet):
        files.update(exercise_files(exercise, sheet.name))
    return files
