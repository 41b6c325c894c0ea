"""The per-sheet output steps `cardgen build` runs: each adds files and counts to an outcome."""

from __future__ import annotations

import json
from collections import Counter
from typing import TYPE_CHECKING

from cardgen.model import Sheet
from cardgen.questions import QuestionBank

if TYPE_CHECKING:
    from cardgen.build import BuildOptions, SheetOutcome


def deck_output(
    sheet: Sheet, bank: QuestionBank, options: BuildOptions, outcome: SheetOutcome
) -> None:
    """`decks/<sheet>.apkg` and its note ledger `decks/<sheet>.notes.json`."""
    from cardgen.render.deck import build_epoch, render_deck

    ledger_path = options.out_dir / "decks" / f"{sheet.name}.notes.json"
    try:
        previous = json.loads(ledger_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        previous = None
    deck = render_deck(
        bank, previous, build_epoch(sheet.path), options.deck_prefix, sheet_path=sheet.path
    )
    outcome.files[f"decks/{sheet.name}.apkg"] = deck.apkg
    outcome.files[f"decks/{sheet.name}.notes.json"] = deck.ledger
    outcome.retired.extend(deck.retired)
    outcome.counts["deck"] = {"notes": deck.notes, "cards": deck.cards}


def quiz_output(
    sheet: Sheet, bank: QuestionBank, options: BuildOptions, outcome: SheetOutcome
) -> None:
    """`quizzes/<sheet>.quiz.json` (the quiz as data) and the pages rendered from it: the
    printable quiz of each version, `<sheet>-key.html` and `<sheet>-selfcheck.html`."""
    from cardgen.quiz import make_quiz
    from cardgen.render.html import data_uri_images, images_from
    from cardgen.render.quiz_html import quiz_pages

    quiz = make_quiz(
        bank,
        sheet,
        seed=options.seed,
        size=options.quiz_questions,
        versions=options.quiz_versions,
        versions_differ=getattr(options, "quiz_versions_differ", False),
    )
    with images_from(data_uri_images(sheet.path)):
        for name, data in quiz_pages(quiz, sheet.name).items():
            outcome.files[f"quizzes/{name}"] = data
    kinds = Counter(q.kind for q in quiz.versions[0].questions)
    outcome.counts["quiz"] = dict(sorted(kinds.items()))


def exercise_output(sheet: Sheet, options: BuildOptions, outcome: SheetOutcome) -> None:
    """`exercises/<sheet>/<NN>-<slug>/` for the learner, `exercises/<sheet>/solutions/` apart.

    Made once the checks have run: only a snippet whose check passed (in `outcome.checks`)
    makes an exercise; one that failed, was refused or was not checked makes a warning."""
    from cardgen.exercises import sheet_exercise_files

    files, warnings = sheet_exercise_files(sheet, outcome.checks if options.check else None)
    for rel, data in files.items():
        outcome.files[f"exercises/{sheet.name}/{rel}"] = data
    outcome.warnings.extend(warnings)
    outcome.counts["exercises"] = sum(1 for rel in files if rel.endswith("/README.md"))
