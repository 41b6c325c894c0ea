"""`cardgen build`: gather every sheet's outputs in memory first, then write them (mkdocs' rule).

1. Hold the output folder (one build at a time) and remove what a killed build left behind.
2. Find the sheets (never the output folder, hidden folders or symlinks leading out).
3. Build each sheet (in worker processes with `--jobs`): parse, questions, quizzes, exercises,
   and the deck with its notes placed as the sheet's own ledger lines say. Whatever fails inside
   one sheet fails that sheet alone. Everything but the deck is written as each sheet is done.
4. Settle each content folder's identity ledger (renamed and moved facts keep their notes),
   write it (or, with `--locked`, fail if it would change), then write the decks.
5. Run the snippet checks, then write `report.json`, `index.html` and the build state.

A sheet whose text, ledger lines, cardgen version and configuration are unchanged since the last
build, and whose outputs still hold what was written, is not built again.
"""

from __future__ import annotations

import functools
import gc
import json
import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cardgen import __version__
from cardgen.build_data import BuildOptions, SheetJob, SheetOutcome
from cardgen.build_state import load_state, reuse_outcome, state_bytes
from cardgen.check.model import CheckResult
from cardgen.errors import ConfigError, InputError, SheetError
from cardgen.files import (
    STATE_FILE,
    ContentFolder,
    FolderWarning,
    FoundSheets,
    cannot_write,
    file_hash,
    folder_wide,
    gather_sheets,
    output_lock,
    remove_temp_files,
    write_atomic,
)
from cardgen.identity import (
    LEDGER_NAME,
    Assignment,
    Ledger,
    LockedLedgerError,
    assign,
    format_ledger,
    read_ledger,
)
from cardgen.sheet_build import build_sheet, fail_sheet, sheet_digest

__all__ = ["BuildOptions", "BuildResult", "SheetOutcome", "build", "build_sheet"]

STALE_SECONDS = 600
"""A temporary ledger file untouched this long was left by a killed build."""
GC_THRESHOLD = 100_000
"""Allocations between two collections of the youngest generation (Python's default: 700)."""


@dataclass(slots=True)
class BuildResult:
    outcomes: list[SheetOutcome]
    written: list[Path]
    warnings: list[FolderWarning] = field(default_factory=list)
    ledgers: list[dict[str, object]] = field(default_factory=list)
    """Per content folder: its ledger, whether it changed, and the facts of removed sheets."""

    @property
    def failed(self) -> list[SheetOutcome]:
        return [o for o in self.outcomes if o.error]

    @property
    def failed_checks(self) -> list[CheckResult]:
        return [c for o in self.outcomes for c in o.checks if c.failed]

    @property
    def warning_count(self) -> int:
        return sum(len(o.warnings) for o in self.outcomes) + len(self.warnings)


# -- the build --------------------------------------------------------------------------------


def build(
    paths: list[Path],
    options: BuildOptions,
    progress: Callable[[str], None] | None = None,
    notice: Callable[[str], None] | None = None,
) -> BuildResult:
    """Build every sheet, settle the ledgers, run the checks, then write the report and index.

    Raises `OutputError` (exit code 2) when the output folder cannot be written, `LedgerError`
    (2) when a ledger cannot be read, `LockedLedgerError` (1) when one would change and
    `options.locked` is set.
    """
    from cardgen.render.deck import source_date_epoch

    try:
        source_date_epoch()
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    say = notice or (lambda message: None)
    thresholds = gc.get_threshold()
    # A sheet's parse makes hundreds of thousands of small objects, and Python's default
    # collector thresholds (700 allocations) scan them again and again: on a 1 MB sheet, half
    # of the build was the garbage collector, and the share grew with the sheet.
    gc.set_threshold(GC_THRESHOLD, *thresholds[1:])
    try:
        with output_lock(options.out_dir, say):
            remove_temp_files(options.out_dir)
            return _build(paths, options, progress, say)
    finally:
        gc.set_threshold(*thresholds)


@dataclass(slots=True)
class _Writer:
    """Writes each sheet's files; no two sheets may write the same file."""

    options: BuildOptions
    written: list[Path] = field(default_factory=list)
    owner: dict[str, str] = field(default_factory=dict)
    """Output path → the sheet that writes it."""
    earlier: set[str] = field(default_factory=set)
    """Sheets an earlier build wrote into this folder, not built now."""

    def claim(self, outcome: SheetOutcome) -> None:
        """Fail the sheet if another sheet already writes one of its files."""
        mine = outcome.outputs if outcome.reused else list(outcome.files)
        for rel in mine:
            other = self.owner.get(rel)
            if other is not None and other != outcome.path:
                fix = (
                    "build the two in one run, or this one into another folder (-o)"
                    if other in self.earlier
                    else "rename one of the two sheets"
                )
                fail_sheet(
                    outcome,
                    SheetError(
                        f"its output {rel} is also the output of {other}: {fix}", outcome.path
                    ),
                )
                return
        for rel in mine:
            self.owner[rel] = outcome.path

    def write(self, outcome: SheetOutcome, skip: str | None = None) -> None:
        """Write the sheet's files (but `skip`); a folder-wide fault stops the build."""
        for rel, data in sorted(outcome.files.items()):
            if rel == skip:
                continue
            target = self.options.out_dir / rel
            try:
                if write_atomic(target, data):
                    self.written.append(target)
            except OSError as exc:
                if folder_wide(exc):
                    raise cannot_write(target, exc) from None
                fail_sheet(
                    outcome, SheetError(f"{target}: cannot write: {exc.strerror}", outcome.path)
                )
                return
            outcome.hashes[rel] = file_hash(data)
        kept = {skip: outcome.files[skip]} if skip in outcome.files else {}
        outcome.outputs = sorted(set(outcome.outputs) | set(outcome.files))
        outcome.files = kept


def _build(
    paths: list[Path],
    options: BuildOptions,
    progress: Callable[[str], None] | None,
    say: Callable[[str], None],
) -> BuildResult:
    found = gather_sheets(paths, options.out_dir)
    if not found.sheets and not found.warnings:
        # nothing to build: nothing is written (the last index, report and decks stay)
        raise InputError("no sheets (*.md) found")
    decks = "decks" in options.outputs
    ledgers: dict[str, Ledger] = {}
    for folder in found.folders:
        # a whole folder left with no sheet still settles its ledger: its notes are retired
        if decks and (folder.sheets or (folder.whole and (folder.root / LEDGER_NAME).exists())):
            remove_temp_files(folder.root, recursive=False, older_than=STALE_SECONDS)
            ledgers[str(folder.root)] = read_ledger(folder.root)
    state = load_state(options.out_dir)
    writer = _Writer(options)
    this_build = {str(s.path) for s in found.sheets}
    others = {  # sheets an earlier build wrote here, not in this one: their outputs are theirs
        path: entry
        for path, entry in state.items()
        if path not in this_build and isinstance(entry, dict) and Path(path).is_file()
    }
    writer.earlier = set(others)
    for path, entry in others.items():
        for rel in entry.get("hashes", {}):
            writer.owner.setdefault(rel, path)
    outcomes: dict[Path, SheetOutcome] = {}
    todo: list[SheetJob] = []
    for folder in found.folders:
        ledger = ledgers.get(str(folder.root))
        lines = ledger.by_sheet() if ledger else {}
        for sheet in folder.sheets:
            job = SheetJob(
                sheet.path,
                sheet.rel,
                sheet.name,
                sheet_digest(sheet.path, sheet.name, options),
                lines.get(sheet.rel, []),
            )
            kept = reuse_outcome(job, options, state)
            if kept is not None:
                writer.claim(kept)
                outcomes[sheet.path] = kept
            else:
                todo.append(job)

    def done(job: SheetJob, outcome: SheetOutcome) -> None:
        writer.claim(outcome)
        if not outcome.error:
            writer.write(outcome, skip=outcome.deck_file)
        if not options.check:
            outcome.sheet = None
        outcomes[job.path] = outcome
        if progress:
            progress(f"built {job.path}")

    _build_all(todo, options, done)
    ordered = [outcomes[s.path] for s in found.sheets]
    settled = [
        _settle(folder, ledgers[str(folder.root)], [outcomes[s.path] for s in folder.sheets])
        for folder in found.folders
        if str(folder.root) in ledgers
    ]
    locked = [s for s in settled if s.would_change and options.locked]
    if locked:
        raise LockedLedgerError(
            "; ".join(s.locked_message() for s in locked)
            + ". --locked is set, so no deck was written: run `cardgen build` without "
            "--locked and commit the ledger"
        )
    for s in settled:
        if s.would_change:
            try:
                write_atomic(s.ledger.path, s.text.encode())
            except OSError as exc:
                raise cannot_write(s.ledger.path, exc) from None
    for outcome in ordered:
        if outcome.deck_file and not outcome.error:
            writer.write(outcome)
            outcome.notes = None
    fresh = [o for o in ordered if not o.reused and o.sheet and not o.error]
    if options.check:
        _run_checks(fresh, options, progress)
    if "exercises" in options.outputs and options.check:
        _write_exercises(fresh, options, writer)
    elif "exercises" in options.outputs and fresh:
        say(
            "exercises: none made, they are made from checked snippets only "
            "(the build ran without checks)"
        )
    for outcome in ordered:
        outcome.sheet = None
    ledger_report = [s.to_json() for s in settled]
    writer.written += _write_reports(ordered, found, ledger_report, options, others)
    return BuildResult(ordered, writer.written, found.warnings, ledger_report)


def _build_all(
    todo: list[SheetJob], options: BuildOptions, done: Callable[[SheetJob, SheetOutcome], None]
) -> None:
    """Build the sheets, in worker processes when `--jobs` allows; `done` gets each outcome in
    sheet order. An interrupted build (Ctrl-C, SIGTERM) kills its workers at once."""
    if options.jobs <= 1 or len(todo) <= 1:
        for job in todo:
            done(job, build_sheet(job, options))
        return
    from cardgen.workers import Failed, WorkerPool

    for job in todo:
        job.in_worker = True
    pool = WorkerPool(functools.partial(build_sheet, options=options), options.jobs)
    for job, outcome in pool.run(todo):
        if isinstance(outcome, Failed):
            failed = SheetOutcome(str(job.path), job.name, job.rel)
            reason = f"the process building this sheet {outcome.reason}"
            fail_sheet(failed, SheetError(reason, str(job.path)))
            outcome = failed
        done(job, outcome)


@dataclass(slots=True)
class _Settled:
    """A content folder's ledger, and what this build makes of it."""

    ledger: Ledger
    assignment: Assignment
    would_change: bool
    text: str
    """The ledger after this build."""

    def locked_message(self) -> str:
        if self.ledger.text is None:
            return f"{self.ledger.path}: there is no ledger of note identities yet"
        changes = Counter()
        for identity in self.assignment.sheets.values():
            changes["new"] += len(identity.new)
            changes["carried over"] += len(identity.carried)
            changes["retired"] += len(identity.retired)
        changes["retired"] += len(self.assignment.removed)
        said = ", ".join(f"{n} {what}" for what, n in changes.items() if n)
        return f"{self.ledger.path}: would change ({said or 'notes changed'})"

    def to_json(self) -> dict[str, object]:
        return {
            "path": str(self.ledger.path),
            "changed": self.would_change,
            "removed": [{"sheet": e.sheet, "key": e.key} for e in self.assignment.removed],
        }


def _settle(folder: ContentFolder, ledger: Ledger, outcomes: list[SheetOutcome]) -> _Settled:
    """Place every fact of the folder's rebuilt sheets, across sheets; pack again the decks
    whose notes the sheet alone could not place (a fact moved in, a GUID already taken)."""
    from cardgen.render.deck import package_deck

    built = [o for o in outcomes if o.notes is not None and not o.error and not o.reused]
    rebuilt = {id(o) for o in built}
    kept = [o.rel for o in outcomes if id(o) not in rebuilt]
    assignment = assign(
        ledger.entries,
        {o.rel: o.notes.facts(o.rel) for o in built if o.notes is not None},
        {o.rel: o.epoch for o in built},
        {o.rel: o.version for o in built},
        kept=kept,
        scope=None if folder.whole else {o.rel for o in outcomes},
    )
    for o in built:
        final = assignment.sheets[o.rel]
        if (
            o.notes is not None
            and o.deck_file
            and (o.identity is None or not final.same_deck(o.identity))
        ):
            try:
                deck = package_deck(o.notes, final, o.name, o.rel, o.epoch)
            except Exception as exc:  # a bug packing one deck fails that sheet alone
                if os.environ.get("CARDGEN_DEBUG"):
                    raise
                message = f"internal error while packing the deck of this sheet: {exc!r}"
                fail_sheet(o, SheetError(message, o.path))
                continue
            o.files[o.deck_file] = deck.apkg
            o.counts["deck"] = {"notes": deck.notes, "cards": deck.cards}
        o.identity = final
        o.retired = [e.key for e in final.retiring]
        o.new = list(final.new)
        o.carried = [
            {"key": key, "from_sheet": before.sheet, "from": before.key}
            for before, key in final.carried
        ]
    lines = assignment.by_sheet()
    for o in built:
        o.ledger_lines = lines.get(o.rel, [])
    text = format_ledger(assignment.entries)
    changed = text != ledger.text and (ledger.text is not None or bool(assignment.entries))
    return _Settled(ledger, assignment, changed, text)


def _write_exercises(outcomes: list[SheetOutcome], options: BuildOptions, writer: _Writer) -> None:
    """Exercises are made from proven snippets only: after the checks, from their results."""
    from cardgen.outputs import exercise_output

    for outcome in outcomes:
        if outcome.error or outcome.sheet is None:
            continue
        try:
            exercise_output(outcome.sheet, options, outcome)
        except Exception as exc:  # a bug inside one sheet fails that sheet, never the build
            if os.environ.get("CARDGEN_DEBUG"):
                raise
            fail_sheet(
                outcome,
                SheetError(
                    f"internal error while making the exercises of this sheet: "
                    f"{type(exc).__name__}: {exc} (set CARDGEN_DEBUG=1 for the traceback, and "
                    "please report it)",
                    outcome.path,
                ),
            )
            continue
        writer.claim(outcome)
        if not outcome.error:
            writer.write(outcome)


def _run_checks(
    outcomes: list[SheetOutcome], options: BuildOptions, progress: Callable[[str], None] | None
) -> None:
    from cardgen.check.runner import CheckOptions, check_sheets
    from cardgen.sandbox import Limits

    if not outcomes:
        return
    by_path = {o.path: o for o in outcomes}
    check_options = CheckOptions(
        jobs=options.jobs,
        timeout=options.check_timeout,
        compile_timeout=options.compile_timeout,
        require_isolation=options.require_isolation,
        limits=Limits.from_json(options.limits),
    )

    def show(result: CheckResult) -> None:
        if progress:
            progress(f"checked {result.path}:{result.line}")

    sheets = [o.sheet for o in outcomes if o.sheet]
    for result in check_sheets(sheets, check_options, show, claims=False):
        by_path[result.path].checks.append(result)


def _write_reports(
    outcomes: list[SheetOutcome],
    found: FoundSheets,
    ledgers: list[dict[str, object]],
    options: BuildOptions,
    others: dict[str, dict] | None = None,
) -> list[Path]:
    from cardgen.render.index_html import render_index

    written: list[Path] = []
    report = {
        "cardgen": __version__,
        "sheets": [o.to_json() for o in outcomes],
        "ledgers": ledgers,
        "warnings": [w.to_json() for w in found.warnings],
    }
    extra = {
        "report.json": (
            json.dumps(report, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
        ).encode(),
        "index.html": render_index(report),
    }
    extra[STATE_FILE] = state_bytes(outcomes, others or {})
    for name, data in extra.items():
        target = options.out_dir / name
        try:
            if write_atomic(target, data):
                written.append(target)
        except OSError as exc:
            raise cannot_write(target, exc) from None
    return written
