"""Chapters built fresh: each read as a sheet (at its own file's lines), the snippets and claims
of them all checked on loopback in one run, then each chapter's quiz and deck notes made by
`cardgen build`'s own output steps (`cardgen.sheet_build.sheet_renderers`).

Whatever fails inside one chapter, at any stage, becomes that chapter's `path:line: message`.
"""

from __future__ import annotations

import dataclasses
import html
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field

from cardgen.build_data import SheetOutcome
from cardgen.errors import CardgenError, located
from cardgen.identity import SheetIdentity
from cardgen.integrations.book import Chapter, ChapterResult
from cardgen.integrations.lines import LineMap, line_map, relocate
from cardgen.integrations.markers import DECK_MARKER, QUIZ_MARKER, Marker, scan
from cardgen.integrations.options import BookOptions
from cardgen.model import Sheet, Snippet
from cardgen.questions import QuestionBank
from cardgen.quiz.model import Quiz

RUSTDOC_EXPECTED_FAILURES = ("compile_fail", "should_panic")


@dataclass(slots=True)
class ChapterWork:
    """One chapter on its way through the build."""

    chapter: Chapter
    result: ChapterResult
    outcome: SheetOutcome
    """What `cardgen build`'s output steps made of it (the quiz's files, the deck's notes)."""
    markers: list[Marker] = field(default_factory=list)
    where: LineMap = lambda line: line
    """Line of the host's text → line of the chapter's file."""
    sheet: Sheet | None = None
    bank: QuestionBank | None = None
    quiz: Quiz | None = None


def build_chapters(chapters: list[Chapter], options: BookOptions) -> list[ChapterWork]:
    work = [_read(chapter) for chapter in chapters]
    if options.checks:
        _check([w for w in work if w.sheet is not None], options)
    for item in work:
        if item.sheet is not None and not item.result.errors:
            _make_outputs(item, options)
    return work


def guarded(item: ChapterWork, stage: str, step: Callable[[], None]) -> bool:
    """Run one step of a chapter; a failure becomes the chapter's error. True if it went well."""
    shown = item.chapter.shown
    try:
        step()
        return True
    except CardgenError as exc:
        line = item.where(exc.line) if exc.line else None
        item.result.errors.append(located(exc.message, shown, line))
    except RecursionError:
        item.result.errors.append(f"{shown}: nested too deeply to build")
    except MemoryError:
        item.result.errors.append(f"{shown}: out of memory while {stage} this chapter")
    except Exception as exc:  # a bug inside one chapter names the chapter, never a traceback
        if os.environ.get("CARDGEN_DEBUG"):
            raise
        item.result.errors.append(
            f"{shown}: internal error while {stage} this chapter: {type(exc).__name__}: {exc} "
            "(set CARDGEN_DEBUG=1 for the traceback, and please report it)"
        )
    return False


def _read(chapter: Chapter) -> ChapterWork:
    """The chapter's markers, its sheet (every position at its line in the chapter's file) and
    its question bank."""
    from cardgen.parse import parse_text
    from cardgen.questions import build_bank

    item = ChapterWork(chapter, ChapterResult(chapter), SheetOutcome(chapter.shown, chapter.name))
    item.markers, stray = scan(chapter.text)
    item.where = line_map(chapter.text, chapter.original())
    for line in stray:
        item.result.warnings.append(
            f"{chapter.shown}:{item.where(line)}: a cardgen marker counts only on a line of its "
            "own: this one is left as it is"
        )
    if not chapter.text.strip():
        return item

    def parse() -> None:
        file = str(chapter.file) if chapter.file else chapter.shown
        sheet = parse_text(chapter.text, file, chapter.name)
        item.sheet = relocate(sheet, item.where, chapter.shown)
        item.bank, bank_warnings = build_bank(item.sheet)
        item.result.warnings += [str(w) for w in (*item.sheet.warnings, *bank_warnings)]

    if not guarded(item, "reading", parse):
        item.sheet = item.bank = None
    return item


def checked_sheet(sheet: Sheet) -> Sheet:
    """The sheet as the checks see it: a Rust snippet marked `compile_fail` or `should_panic`
    (rustdoc's tests that are meant to fail; mdBook books have many) is skipped, with why."""
    blocks = []
    for block in sheet.blocks:
        if isinstance(block, Snippet) and "ignore" not in block.flags:
            expected = [f for f in block.flags if f in RUSTDOC_EXPECTED_FAILURES]
            if expected:
                reason = block.reason or f"rustdoc's `{expected[0]}`: it is meant to fail"
                block = dataclasses.replace(block, flags=(*block.flags, "ignore"), reason=reason)
        blocks.append(block)
    return dataclasses.replace(sheet, blocks=tuple(blocks))


def _check(items: list[ChapterWork], options: BookOptions) -> None:
    """Every snippet and claim of the chapters, in one run (the Rust snippets of the whole
    book compiled together); a failure is its chapter's error, a reproduced claim marks its
    questions."""
    from cardgen.check.runner import CheckOptions, check_sheets
    from cardgen.claims import mark_verified
    from cardgen.sandbox import Limits

    if not items:
        return
    b = options.build
    check_options = CheckOptions(
        jobs=b.jobs,
        timeout=b.check_timeout,
        compile_timeout=b.compile_timeout,
        require_isolation=b.require_isolation,
        limits=Limits.from_json(b.limits),
    )
    sheets = [checked_sheet(w.sheet) for w in items if w.sheet is not None]
    by_path: dict[str, list] = {}
    for result in check_sheets(sheets, check_options, claims=True):
        by_path.setdefault(result.path, []).append(result)
    for item in items:
        mine = by_path.get(item.chapter.shown, [])
        item.outcome.checks = mine
        item.result.errors += [r.line_text() for r in mine if r.failed]
        if item.bank is not None:
            item.bank.questions = mark_verified(item.bank.questions, mine)


def _make_outputs(item: ChapterWork, options: BookOptions) -> None:
    """The quiz (as data and pages) and the deck's notes, by the build's own steps; the quiz is
    read back from its data, as every view of it is."""
    from cardgen.sheet_build import sheet_renderers, text_version

    sheet, bank, outcome = item.sheet, item.bank, item.outcome
    assert sheet is not None and bank is not None
    outcome.rel = item.chapter.shown
    outcome.version = text_version(item.chapter.text.encode())
    for doing, render in sheet_renderers(options.build):
        if not guarded(item, doing, lambda r=render: r(sheet, bank, options.build, outcome)):
            return

    def read_quiz() -> None:
        data = outcome.files[f"quizzes/{sheet.name}.quiz.json"]
        item.quiz = Quiz.from_json(json.loads(data))

    guarded(item, "reading the quiz of", read_quiz)


def pack_deck(item: ChapterWork, identity: SheetIdentity) -> None:
    """The chapter's `.apkg`, its notes placed as the ledger says."""
    from cardgen.render.deck import package_deck

    outcome = item.outcome
    assert outcome.notes is not None and outcome.deck_file
    deck = package_deck(
        outcome.notes, identity, item.chapter.name, item.chapter.shown, outcome.epoch
    )
    outcome.files[outcome.deck_file] = deck.apkg
    outcome.counts["deck"] = {"notes": deck.notes, "cards": deck.cards}
    outcome.identity = identity


def finish_chapter(item: ChapterWork, options: BookOptions) -> None:
    """The HTML of the chapter's markers (and tail), and its files in the book."""
    from cardgen.integrations.embed import quiz_embed_html, scope_id

    chapter, result, quiz = item.chapter, item.result, item.quiz
    shown = chapter.shown
    blocks: dict[int, str] = {}
    if quiz is None:  # a blank chapter: its markers go, with a word
        for marker in item.markers:
            result.warnings.append(
                f"{shown}:{item.where(marker.line)}: the chapter is empty: marker removed"
            )
        result.blocks = ["" for _ in item.markers]
        return
    asked = len(quiz.versions[0].questions)
    quiz_lines = [m.line for m in item.markers if m.name == QUIZ_MARKER]
    deck_lines = [m.line for m in item.markers if m.name == DECK_MARKER]
    at_end = options.quiz == "every-chapter" and not quiz_lines and asked
    embed = quiz_embed_html(quiz, scope_id(chapter.name)) if quiz_lines or at_end else ""
    for n, line in enumerate(quiz_lines):
        blocks[line] = "" if n else embed
        if n:
            result.warnings.append(
                f"{shown}:{item.where(line)}: a chapter has one quiz: this second marker is removed"
            )
    if at_end:
        result.tail = embed
    deck = item.outcome.counts.get("deck")
    notes, cards = (deck["notes"], deck["cards"]) if isinstance(deck, dict) else (0, 0)
    link = ""
    if options.decks and notes:
        link = deck_files(item, int(notes), int(cards or 0))
    for line in deck_lines:
        blocks[line] = link
        if not link:
            why = "decks = false" if not options.decks else "the chapter makes no cards"
            result.warnings.append(f"{shown}:{item.where(line)}: {why}: the deck marker is removed")
    result.blocks = [blocks[m.line] for m in item.markers]


def deck_files(item: ChapterWork, notes: int, cards: int) -> str:
    """The chapter's deck and printable quiz into its files; the link block to them."""
    chapter, outcome = item.chapter, item.outcome
    name = chapter.name
    item.result.files[f"{name}.apkg"] = outcome.files[outcome.deck_file or ""]
    item.result.files[f"{name}-quiz.html"] = outcome.files[f"quizzes/{name}.html"]
    deck_href = html.escape(f"{chapter.link_prefix}{name}.apkg")
    quiz_href = html.escape(f"{chapter.link_prefix}{name}-quiz.html")
    return (
        '<div class="cardgen-deck"><p>'
        f'<a class="cardgen-deck-link" href="{deck_href}" download>Anki deck of this chapter</a>'
        f" ({notes} notes, {cards} cards) · "
        f'<a class="cardgen-quiz-link" href="{quiz_href}">printable quiz</a>'
        "</p></div>"
    )
