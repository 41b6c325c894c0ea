"""The plain data `cardgen build` and its output steps share: the options, the job of building
one sheet, and what building it produced. (A module of its own, so that `build` imports
`outputs` and never the other way round.)"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from cardgen.check.model import CheckResult
from cardgen.errors import CardgenError, Diagnostic

if TYPE_CHECKING:  # (not imported to run: a book's warm rebuild needs neither genanki nor them)
    from cardgen.identity import Entry, SheetIdentity
    from cardgen.model import Sheet
    from cardgen.render.deck import SheetNotes


@dataclass(slots=True)
class BuildOptions:
    """What `cardgen build` makes and how (from the config, overridden by flags)."""

    out_dir: Path = Path("output")
    check: bool = True
    seed: int = 0
    strict: bool = False
    jobs: int = 2
    deck_prefix: str = ""
    outputs: tuple[str, ...] = ("decks", "quizzes", "exercises")
    quiz_versions: int = 1
    quiz_questions: int = 40
    check_timeout: float = 10.0
    compile_timeout: float = 600.0
    locked: bool = False
    """Fail, writing no deck, when a ledger of note identities would change."""
    require_isolation: bool = False
    limits: dict[str, float] = field(default_factory=dict)
    """Sandbox limits (`cardgen.sandbox.Limits` fields); empty for the defaults."""
    quiz_versions_differ: bool = False
    report: bool = True
    """Write each sheet's author report (`reports/<sheet>.html`); a book does not publish it."""

    def fingerprint(self) -> str:
        return repr(
            (
                self.deck_prefix,
                sorted(self.outputs),
                self.seed,
                self.quiz_versions,
                self.quiz_versions_differ,
                self.quiz_questions,
                self.check,
                self.require_isolation,
                json.dumps(self.limits, sort_keys=True, default=str),
                os.environ.get("SOURCE_DATE_EPOCH"),
            )
        )


@dataclass(slots=True)
class SheetJob:
    """What a worker process needs to build one sheet."""

    path: Path
    rel: str
    """Path relative to the content folder (`a/notes.md`): the sheet's name in its ledger."""
    name: str
    """What its outputs are named by (`a/notes`)."""
    digest: str
    ledger_lines: list[Entry] = field(default_factory=list)
    """The sheet's lines of its folder's ledger."""
    in_worker: bool = False
    """Built in a worker process: pack the deck there, as the sheet's own lines place its
    notes (the build packs it again only if the whole folder's ledger places them otherwise)."""


@dataclass(slots=True, eq=False)
class SheetOutcome:
    """What building one sheet produced: files to write, counts, warnings or its error.
    (Compared by identity: two outcomes are never "equal".)"""

    path: str
    name: str
    rel: str = ""
    files: dict[str, bytes] = field(default_factory=dict)
    """Output path relative to the output folder → bytes."""
    counts: dict[str, object] = field(default_factory=dict)
    warnings: list[Diagnostic] = field(default_factory=list)
    error: CardgenError | None = None
    retired: list[str] = field(default_factory=list)
    """Keys of notes whose facts left the sheet, sent once more tagged `cardgen::retired`."""
    carried: list[dict[str, str]] = field(default_factory=list)
    """Notes this build carried over to a renamed or moved fact: `{key, from_sheet, from}`."""
    new: list[str] = field(default_factory=list)
    """Keys of facts this build gave a new note."""
    sheet: Sheet | None = None
    checks: list[CheckResult] = field(default_factory=list)
    digest: str = ""
    version: str = ""
    """Digest of the sheet's text: a retired fact is sent again while it stays the same."""
    epoch: int = 0
    reused: bool = False
    """True when the sheet was unchanged and its previous outcome was kept."""
    outputs: list[str] = field(default_factory=list)
    """Paths of the files written for the sheet (once `files` is let go)."""
    hashes: dict[str, str] = field(default_factory=dict)
    """Output path → SHA-256 of what was written: an output is reused only if it still is."""
    ledger_lines: list[Entry] = field(default_factory=list)
    in_worker: bool = False
    notes: SheetNotes | None = None
    """The deck's notes, until the ledger has said which Anki note each one is."""
    identity: SheetIdentity | None = None
    deck_file: str | None = None
    blocks: list[dict[str, object]] = field(default_factory=list)
    """Every block of the sheet: the questions it made, or why it made none."""

    def to_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "name": self.name,
            "status": "failed" if self.error else "built",
            "error": str(self.error) if self.error else None,
            "outputs": self.outputs or sorted(self.files),
            "counts": {k: v for k, v in self.counts.items() if k != "outputs"},
            "warnings": [w.to_json() for w in self.warnings],
            "retired": self.retired,
            "carried": self.carried,
            "new": self.new,
            "checks": [_stable_check(c) for c in self.checks],
            "blocks": self.blocks,
        }


def _stable_check(check: CheckResult) -> dict[str, object]:
    """A check result without what changes from run to run (ports, timings, cache hits)."""
    data = check.to_json()
    return {
        k: data[k]
        for k in (
            "path",
            "line",
            "lang",
            "kind",
            "label",
            "status",
            "reason",
            "context",
            "isolation",
        )
    }
