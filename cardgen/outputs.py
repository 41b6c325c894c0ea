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
    notes = sheet_notes(bank, rel, options.deck_prefix, sheet.path)
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
        versions_differ=options.quiz_versions_differ,
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


def report_output(
    sheet: Sheet, bank: QuestionBank, options: BuildOptions, outcome: SheetOutcome
) -> None:
    """`reports/<sheet>.html`: the author's page, every block with its cards or why it made none."""
    import os
    from pathlib import Path

    from cardgen.explain import explain
    from cardgen.render.index_html import href
    from cardgen.render.report_html import render_report

    rel = f"reports/{sheet.name}.html"
    page = (options.out_dir / rel).parent
    try:  # a link from the page to the sheet itself, relative so the output folder can move
        to_sheet = os.path.relpath(Path(sheet.path).resolve(), page.resolve())
    except ValueError:  # another drive
        to_sheet = ""
    up = "../" * rel.count("/")
    explained = explain(sheet, bank)
    outcome.files[rel] = render_report(
        explained, href(to_sheet) if to_sheet else "", f"{up}index.html"
    )
    outcome.counts["report"] = explained.summary
