"""The per-sheet output steps `cardgen build` runs: each adds files and counts to an outcome."""

from __future__ import annotations

from collections import Counter

from cardgen.build_data import BuildOptions, SheetOutcome
from cardgen.model import Sheet
from cardgen.questions import QuestionBank


def deck_output(
    sheet: Sheet, bank: QuestionBank, options: BuildOptions, outcome: SheetOutcome
) -> None:
    """`decks/<sheet>.apkg`, its notes placed as the sheet's own lines of the ledger say.

    The build settles the ledger of the whole content folder afterwards (a fact may have moved
    in from another sheet); it packs the deck again only if that changes anything here.
    """
    from cardgen.identity import assign
    from cardgen.render.deck import build_epoch, package_deck, sheet_notes

    rel = outcome.rel
    notes = sheet_notes(bank, rel, options.deck_prefix)
    outcome.epoch = build_epoch(sheet.path)
    outcome.notes = notes
    outcome.deck_file = f"decks/{sheet.name}.apkg"
    outcome.counts["deck"] = {"notes": len(notes.specs), "cards": None}
    if not outcome.in_worker:  # the build packs it once the ledger is settled
        return
    alone = assign(
        outcome.ledger_lines,
        {rel: notes.facts(rel)},
        {rel: outcome.epoch},
        {rel: outcome.version},
        scope={rel},
    )
    identity = alone.sheets[rel]
    deck = package_deck(notes, identity, sheet.name, rel, outcome.epoch)
    outcome.files[outcome.deck_file] = deck.apkg
    outcome.identity = identity
    outcome.counts["deck"] = {"notes": deck.notes, "cards": deck.cards}


def quiz_output(
    sheet: Sheet, bank: QuestionBank, options: BuildOptions, outcome: SheetOutcome
) -> None:
    """`quizzes/<sheet>.html` (printable, with its key) and `quizzes/<sheet>-selfcheck.html`."""
    from cardgen.quiz import make_quiz
    from cardgen.render.quiz_html import render_print, render_selfcheck

    quiz = make_quiz(bank, seed=options.seed, size=options.quiz_questions)
    outcome.files[f"quizzes/{sheet.name}.html"] = render_print(quiz, options.quiz_versions)
    outcome.files[f"quizzes/{sheet.name}-selfcheck.html"] = render_selfcheck(quiz)
    for version in range(2, options.quiz_versions + 1):
        other = make_quiz(bank, seed=options.seed, version=version, size=options.quiz_questions)
        outcome.files[f"quizzes/{sheet.name}-v{version}.html"] = render_print(
            other, options.quiz_versions
        )
    outcome.counts["quiz"] = dict(sorted(Counter(i.kind for i in quiz.items).items()))


def exercise_output(
    sheet: Sheet, bank: QuestionBank, options: BuildOptions, outcome: SheetOutcome
) -> None:
    """`exercises/<sheet>/<NN>-<slug>/` for the learner, `exercises/<sheet>/solutions/` apart."""
    from cardgen.exercises import sheet_exercise_files

    files = sheet_exercise_files(sheet)
    for rel, data in files.items():
        outcome.files[f"exercises/{sheet.name}/{rel}"] = data
    outcome.counts["exercises"] = sum(1 for rel in files if rel.endswith("/README.md"))
