"""`cardgen build`: gather every sheet's outputs in memory first, then write them (mkdocs' rule).

A sheet whose text, cardgen version and configuration are unchanged since the last build is
not built again: its outcome comes from `output/.cardgen-state.json`.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cardgen import __version__
from cardgen.check.model import CheckResult
from cardgen.errors import CardgenError, Diagnostic, SheetError
from cardgen.files import find_sheets, write_atomic
from cardgen.model import Sheet
from cardgen.parse import parse_file
from cardgen.questions import QuestionBank, build_bank

STATE_FILE = ".cardgen-state.json"


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
    require_isolation: bool = False
    limits: dict[str, float] = field(default_factory=dict)
    """Sandbox limits (`cardgen.sandbox.Limits` fields); empty for the defaults."""

    def fingerprint(self) -> str:
        return repr(
            (
                self.deck_prefix,
                sorted(self.outputs),
                self.seed,
                self.quiz_versions,
                self.quiz_questions,
                self.check,
                os.environ.get("SOURCE_DATE_EPOCH"),
            )
        )


@dataclass(slots=True)
class SheetOutcome:
    """What building one sheet produced: files to write, counts, warnings or its error."""

    path: str
    name: str
    files: dict[str, bytes] = field(default_factory=dict)
    """Output path relative to the output folder → bytes."""
    counts: dict[str, object] = field(default_factory=dict)
    warnings: list[Diagnostic] = field(default_factory=list)
    error: CardgenError | None = None
    retired: list[str] = field(default_factory=list)
    """Keys of notes whose facts are gone from the sheet."""
    sheet: Sheet | None = None
    checks: list[CheckResult] = field(default_factory=list)
    digest: str = ""
    reused: bool = False
    """True when the sheet was unchanged and its previous outcome was kept."""
    outputs: list[str] = field(default_factory=list)
    """Paths of the files written for the sheet (once `files` is let go)."""
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
            "checks": [_stable_check(c) for c in self.checks],
            "blocks": self.blocks,
        }


def _stable_check(check: CheckResult) -> dict[str, object]:
    """A check result without what changes from run to run (ports, timings, cache hits)."""
    data = check.to_json()
    keys = ("path", "line", "lang", "kind", "label", "status", "reason", "context", "isolation")
    return {k: data[k] for k in keys}


SheetRenderer = Callable[[Sheet, QuestionBank, BuildOptions, SheetOutcome], None]
"""A step that adds files and counts for one parsed sheet and its question bank."""


def sheet_renderers(options: BuildOptions) -> list[SheetRenderer]:
    """The outputs, in the order they are made. Imported here so `--help` stays fast."""
    from cardgen import outputs

    chosen: list[SheetRenderer] = [count_blocks]
    if "decks" in options.outputs:
        chosen.append(outputs.deck_output)
    if "quizzes" in options.outputs:
        chosen.append(outputs.quiz_output)
    return chosen  # exercises come after the checks: `_write_exercises`


def count_blocks(
    sheet: Sheet, bank: QuestionBank, options: BuildOptions, outcome: SheetOutcome
) -> None:
    outcome.counts["blocks"] = dict(sorted(Counter(b.kind for b in sheet.blocks).items()))
    outcome.counts["questions"] = dict(sorted(Counter(q.kind for q in bank.questions).items()))
    outcome.blocks = [o.to_json() for o in bank.outcomes]


def sheet_digest(path: Path, options: BuildOptions) -> str:
    try:
        data = path.read_bytes()
    except OSError:
        return ""
    return hashlib.sha256(
        b"\x1f".join([__version__.encode(), options.fingerprint().encode(), data])
    ).hexdigest()[:24]


def with_claims(
    sheet: Sheet, bank: QuestionBank, outcome: SheetOutcome, options: BuildOptions
) -> QuestionBank:
    """Reproduce the sheet's claims on loopback; mark the questions whose fact was reproduced."""
    from cardgen.claims import check_claims, mark_verified
    from cardgen.sandbox import Limits, Sandbox

    sandbox = Sandbox(Limits.from_json(options.limits), options.require_isolation)
    results = check_claims(sheet, sandbox=sandbox)
    outcome.checks.extend(results)
    bank.questions = mark_verified(bank.questions, results)
    return bank


def build_sheet(path: Path, options: BuildOptions) -> SheetOutcome:
    outcome = SheetOutcome(str(path), path.stem, digest=sheet_digest(path, options))
    try:
        sheet = outcome.sheet = parse_file(path)
        bank, bank_warnings = build_bank(sheet)
        if options.check:
            bank = with_claims(sheet, bank, outcome, options)
        outcome.warnings.extend(sheet.warnings)
        outcome.warnings.extend(bank_warnings)
        for render in sheet_renderers(options):
            render(sheet, bank, options, outcome)
    except CardgenError as exc:
        outcome.error = exc
        outcome.files.clear()
    except RecursionError:
        outcome.error = SheetError("nested too deeply to build", str(path), 1)
        outcome.files.clear()
    except Exception as exc:  # a bug inside one sheet fails that sheet, never the build
        if os.environ.get("CARDGEN_DEBUG"):
            raise
        outcome.error = SheetError(
            f"internal error while building this sheet: {type(exc).__name__}: {exc} "
            "(set CARDGEN_DEBUG=1 for the traceback, and please report it)",
            str(path),
        )
        outcome.files.clear()
    return outcome


@dataclass(slots=True)
class BuildResult:
    outcomes: list[SheetOutcome]
    written: list[Path]

    @property
    def failed(self) -> list[SheetOutcome]:
        return [o for o in self.outcomes if o.error]

    @property
    def failed_checks(self) -> list[CheckResult]:
        return [c for o in self.outcomes for c in o.checks if c.failed]

    @property
    def warning_count(self) -> int:
        return sum(len(o.warnings) for o in self.outcomes)


def _load_state(out_dir: Path) -> dict[str, dict]:
    try:
        state = json.loads((out_dir / STATE_FILE).read_text())
        return state["sheets"] if state.get("cardgen") == __version__ else {}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _reuse(path: Path, options: BuildOptions, state: dict[str, dict]) -> SheetOutcome | None:
    """The previous outcome of an unchanged sheet whose outputs are all still there."""
    entry = state.get(str(path))
    digest = sheet_digest(path, options)
    if not entry or entry.get("digest") != digest or entry["report"]["status"] != "built":
        return None
    report = entry["report"]
    if not all((options.out_dir / rel).exists() for rel in report["outputs"]):
        return None
    outcome = SheetOutcome(
        str(path),
        path.stem,
        digest=digest,
        reused=True,
        outputs=list(report["outputs"]),
        counts=dict(report["counts"]),
        retired=list(report["retired"]),
        blocks=list(report.get("blocks", [])),
    )
    outcome.warnings = [Diagnostic(w["path"], w["line"], w["message"]) for w in report["warnings"]]
    outcome.checks = [CheckResult.from_json(c) for c in report["checks"]]
    return outcome


def build(
    paths: list[Path], options: BuildOptions, progress: Callable[[str], None] | None = None
) -> BuildResult:
    """Build every sheet (each one whole in memory, then written and let go), run the checks,
    then write the report and the index."""
    sheets = find_sheets(paths)
    state = _load_state(options.out_dir)
    outcomes: dict[Path, SheetOutcome] = {}
    written: list[Path] = []
    todo: list[Path] = []
    for path in sheets:
        if (kept := _reuse(path, options, state)) is not None:
            outcomes[path] = kept
        else:
            todo.append(path)

    def done(path: Path, outcome: SheetOutcome) -> None:
        written.extend(_write_sheet(outcome, options))
        outcomes[path] = outcome
        if progress:
            progress(f"built {path}")

    if options.jobs > 1 and len(todo) > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=options.jobs) as pool:
            results = pool.map(build_sheet, todo, [options] * len(todo), chunksize=4)
            for path, outcome in zip(todo, results, strict=True):
                done(path, outcome)
    else:
        for path in todo:
            done(path, build_sheet(path, options))
    ordered = [outcomes[p] for p in sheets]
    fresh = [o for o in ordered if not o.reused and o.sheet and not o.error]
    if options.check:
        _run_checks(fresh, options, progress)
    if "exercises" in options.outputs:
        written += _write_exercises(fresh, options)
    written += _write_reports(ordered, options)
    return BuildResult(ordered, written)


def _write_sheet(outcome: SheetOutcome, options: BuildOptions) -> list[Path]:
    """Write one sheet's files and keep only their names (and the sheet, if it is checked)."""
    written = []
    for rel, data in sorted(outcome.files.items()):
        target = options.out_dir / rel
        if write_atomic(target, data):
            written.append(target)
    outcome.outputs = sorted(set(outcome.outputs) | set(outcome.files))
    outcome.files = {}
    if not options.check and "exercises" not in options.outputs:
        outcome.sheet = None
    return written


def _write_exercises(outcomes: list[SheetOutcome], options: BuildOptions) -> list[Path]:
    """Exercises are made from proven snippets only: after the checks, from their results."""
    from cardgen.outputs import exercise_output

    written: list[Path] = []
    for outcome in outcomes:
        assert outcome.sheet is not None
        try:
            exercise_output(outcome.sheet, options, outcome)
        except Exception as exc:  # a bug inside one sheet fails that sheet, never the build
            if os.environ.get("CARDGEN_DEBUG"):
                raise
            outcome.error = SheetError(
                f"internal error while making this sheet's exercises: {type(exc).__name__}: "
                f"{exc} (set CARDGEN_DEBUG=1 for the traceback, and please report it)",
                outcome.path,
            )
            outcome.files.clear()
        written += _write_sheet(outcome, options)
    return written


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


def _write_reports(outcomes: list[SheetOutcome], options: BuildOptions) -> list[Path]:
    from cardgen.render.index_html import render_index

    written: list[Path] = []
    report = {"cardgen": __version__, "sheets": [o.to_json() for o in outcomes]}
    extra = {
        "report.json": (
            json.dumps(report, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
        ).encode(),
        "index.html": render_index(report),
    }
    state = {
        "cardgen": __version__,
        "sheets": {
            o.path: {"digest": o.digest, "report": o.to_json()} for o in outcomes if not o.error
        },
    }
    extra[STATE_FILE] = (json.dumps(state, indent=1, sort_keys=True) + "\n").encode()
    for name, data in extra.items():
        if write_atomic(options.out_dir / name, data):
            written.append(options.out_dir / name)
    return written
