"""A book's chapters → their quizzes, decks and checks: what the mdBook preprocessor and the
MkDocs plugin share. They translate their host's protocol into `Chapter`s and put the
`ChapterResult`s back; nothing here knows mdBook or MkDocs.

Each chapter is read as a sheet named as the author knows it (`src/ch02.md`), its snippets and
claims are checked on loopback, its quiz and deck are made by `cardgen build`'s own steps, and
its markers are replaced. The decks' notes keep their identity in a ledger beside the book's
configuration (`cardgen-notes.lock` beside book.toml or mkdocs.yml, committed with the book,
never published): a renamed or moved fact keeps its learners' review history. A chapter whose
result is already known comes from the cache (`chapter_cache`).

Nothing is written here: the adapter writes the files and the ledger only when the whole book
built without an error.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from cardgen.errors import ConfigError
from cardgen.integrations.markers import replace, scan
from cardgen.integrations.options import BookOptions

if TYPE_CHECKING:
    from cardgen.cache import Cache
    from cardgen.integrations.chapter_build import ChapterWork
    from cardgen.ledger import Ledger


@dataclass(slots=True)
class Chapter:
    """One chapter as the host gives it."""

    shown: str
    """Its path as the author knows it, from the book's root (`src/ch02-sockets.md`): in
    messages, in the quiz's sources and in the ledger."""
    text: str
    """Its Markdown as the host has it now (after the host's own preprocessing)."""
    name: str
    """What its outputs are named by (`part-1/ch02`): `<folder>/<name>.apkg`."""
    link_prefix: str
    """From the chapter's page to the book's cardgen folder (`cardgen/`, `../cardgen/`)."""
    file: Path | None = None
    """Its file on disk (line numbers, images, the deck's time); None when it has none."""

    def original(self) -> str | None:
        if self.file is None:
            return None
        try:
            return self.file.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
        except (OSError, UnicodeDecodeError):
            return None


def chapter_name(rel: PurePosixPath) -> str:
    """What a chapter's outputs are named by: its path under the book's sources, without
    `.md` (`part-1/ch02`); a `..` in it becomes `_up`."""
    return "/".join(p if p != ".." else "_up" for p in rel.with_suffix("").parts)


@dataclass(slots=True)
class ChapterResult:
    chapter: Chapter
    blocks: list[str] = field(default_factory=list)
    """What replaces each marker of the chapter, in the order they stand (HTML, or "")."""
    tail: str = ""
    """HTML to add at the chapter's end (the quiz, with `quiz = "every-chapter"`)."""
    files: dict[str, bytes] = field(default_factory=dict)
    """Relative to the book's cardgen folder: `<name>.apkg`, `<name>-quiz.html`."""
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    """`path:line: message`: a snippet or claim that failed, a chapter that cannot be read."""
    cached: bool = False

    @property
    def text(self) -> str:
        """The chapter's Markdown with its markers replaced (and its tail added)."""
        return apply_blocks(self.chapter.text, self.blocks, self.tail)


@dataclass(slots=True)
class BookResult:
    chapters: list[ChapterResult]
    ledger_path: Path | None = None
    ledger_text: str | None = None
    """The ledger after this build, when it changed (None: leave it as it is)."""
    problems: list[str] = field(default_factory=list)
    """Errors of the book as a whole (a ledger `locked = true` keeps from changing)."""
    warnings: list[str] = field(default_factory=list)
    """Warnings of the book as a whole (snippets that run without the sandbox)."""
    notes: list[str] = field(default_factory=list)
    """What the author should know (the ledger changed: commit it)."""

    @property
    def errors(self) -> list[str]:
        return [e for r in self.chapters for e in r.errors] + self.problems

    @property
    def files(self) -> dict[str, bytes]:
        return {name: data for r in self.chapters for name, data in r.files.items()}

    def write_ledger(self) -> None:
        """Write the ledger if it changed (atomically); `InputError` if it cannot be."""
        from cardgen.errors import InputError
        from cardgen.files import write_atomic

        if self.ledger_path is None or self.ledger_text is None:
            return
        try:
            write_atomic(self.ledger_path, self.ledger_text.encode())
        except OSError as exc:
            raise InputError(
                f"cannot write the ledger of note identities: {exc.strerror or exc}",
                str(self.ledger_path),
            ) from None


def apply_blocks(text: str, blocks: list[str], tail: str = "") -> str:
    """`text` with its markers (on lines of their own) replaced by `blocks`, in order."""
    markers, _ = scan(text)
    text = replace(text, {m.line: html for m, html in zip(markers, blocks, strict=False)})
    if tail:
        text = text.rstrip("\n") + "\n\n" + tail + "\n"
    return text


def build_book(chapters: list[Chapter], options: BookOptions, ledger_folder: Path) -> BookResult:
    """Every chapter's result, in order, and the ledger after the build. Nothing is written.

    When every chapter comes from the cache and the ledger names no chapter that left the
    book, nothing else is done (nor read, nor imported: a warm rebuild stays cheap)."""
    from cardgen.cache import Cache
    from cardgen.integrations.chapter_cache import (
        environment_stamp,
        epoch_stamp,
        glance_at_ledger,
        load_result,
        result_key,
    )

    glance = glance_at_ledger(ledger_folder if options.decks else None)
    cache = Cache()
    stamp = environment_stamp(options)
    keys = [result_key(c, stamp, epoch_stamp(c), glance.digest) for c in chapters]
    found = [load_result(cache, key, c) for key, c in zip(keys, chapters, strict=True)]
    todo = [i for i, r in enumerate(found) if r is None]
    gone = glance.sheets - {c.shown for c in chapters}
    if not todo and not gone:
        return BookResult([r for r in found if r is not None])
    return _rebuild(chapters, found, todo, options, ledger_folder, cache, stamp, glance.digest)


def _rebuild(
    chapters: list[Chapter],
    found: list[ChapterResult | None],
    todo: list[int],
    options: BookOptions,
    ledger_folder: Path,
    cache: Cache,
    stamp: str,
    ledger_digest: str,
) -> BookResult:
    """Build the chapters not found in the cache, settle the ledger, and cache the results
    under the ledger as this build leaves it."""
    from cardgen.integrations.chapter_build import build_chapters, finish_chapter, guarded
    from cardgen.integrations.chapter_cache import epoch_stamp, result_key, store_result
    from cardgen.ledger import read_ledger
    from cardgen.render.deck import source_date_epoch

    try:
        source_date_epoch()
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    ledger = read_ledger(ledger_folder) if options.decks else None
    work = build_chapters([chapters[i] for i in todo], options) if todo else []
    for i, item in zip(todo, work, strict=True):
        found[i] = item.result
    book = BookResult([r for r in found if r is not None])
    if todo and (warning := isolation_warning(options)):
        book.warnings.append(warning)
    if book.errors:
        return book
    if ledger is not None:
        kept = [r.chapter.shown for r in book.chapters if r.cached]
        _settle_decks(ledger, work, kept, book, options.build.locked)
    for item in work:
        if not item.result.errors:
            guarded(item, "making the page blocks of", lambda i=item: finish_chapter(i, options))
    if book.errors:
        return book
    after = ledger_digest
    if book.ledger_text is not None:
        after = hashlib.sha256(book.ledger_text.encode()).hexdigest()
    for result in book.chapters:
        if not result.cached or after != ledger_digest:
            chapter = result.chapter
            store_result(cache, result_key(chapter, stamp, epoch_stamp(chapter), after), result)
    return book


def _settle_decks(
    ledger: Ledger, work: list[ChapterWork], kept: list[str], book: BookResult, locked: bool
) -> None:
    """Give every note of the rebuilt chapters its identity from the ledger (across chapters:
    a fact moved to another chapter keeps its note), pack their decks, and say how the ledger
    changes. Chapters from the cache keep their lines."""
    from cardgen.identity import assign
    from cardgen.integrations.chapter_build import guarded, pack_deck
    from cardgen.ledger import format_ledger

    notes = {w.chapter.shown: w.outcome.notes for w in work if w.outcome.notes is not None}
    assignment = assign(
        ledger.entries,
        {shown: n.facts(shown) for shown, n in notes.items()},
        {w.chapter.shown: w.outcome.epoch for w in work if w.chapter.shown in notes},
        {w.chapter.shown: w.outcome.version for w in work if w.chapter.shown in notes},
        kept=kept,
    )
    for w in work:
        if w.chapter.shown in notes:
            identity = assignment.sheets[w.chapter.shown]
            guarded(w, "packing the deck of", lambda w=w, i=identity: pack_deck(w, i))
    text = format_ledger(assignment.entries)
    changed = text != ledger.text and (ledger.text is not None or bool(assignment.entries))
    if changed and locked:
        counts = {
            "new": sum(len(i.new) for i in assignment.sheets.values()),
            "carried over": sum(len(i.carried) for i in assignment.sheets.values()),
            "retired": sum(len(i.retired) for i in assignment.sheets.values())
            + len(assignment.removed),
        }
        said = ", ".join(f"{n} {what}" for what, n in counts.items() if n) or "notes changed"
        what = "there is none yet" if ledger.text is None else said
        book.problems.append(
            f"{near(ledger.path)}: the ledger of note identities would change ({what}); "
            "locked = true, so the book is not built: build it without `locked` and commit "
            "the ledger"
        )
    elif changed:
        book.ledger_path, book.ledger_text = ledger.path, text
        book.notes.append(f"{near(ledger.path)}: updated: commit it with the book")


def near(path: Path) -> str:
    """`path` from the working folder when it is below it (`cardgen-notes.lock`), else whole."""
    shown = shown_path(path, Path.cwd())
    return shown if not shown.startswith("../") else str(path)


def shown_path(path: Path, root: Path) -> str:
    """`path` from the book's root, with `/` (`src/ch02.md`)."""
    try:
        return Path(os.path.relpath(path, root)).as_posix()
    except ValueError:  # another drive
        return path.as_posix()


def isolation_warning(options: BookOptions) -> str | None:
    """The one line to say when the chapters' snippets will run without the sandbox (or, with
    `require_isolation`, not at all); None when they run in it, or when checks are off."""
    if not options.checks:
        return None
    from cardgen.sandbox import Limits, Sandbox

    sandbox = Sandbox(Limits.from_json(options.build.limits), options.build.require_isolation)
    if sandbox.refusal:
        return (
            "isolation is required (require_isolation = true), but there is none: "
            f"{sandbox.unavailable}; no snippet is run"
        )
    if not sandbox.isolation.available:
        return (
            f"snippets run without a sandbox ({sandbox.description}): only the address scan "
            "keeps them on loopback (require_isolation = true refuses instead)"
        )
    return None
