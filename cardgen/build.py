"""`cardgen build`: gather every sheet's outputs in memory first, then write them (mkdocs' rule)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cardgen import __version__
from cardgen.check.model import CheckResult
from cardgen.errors import CardgenError, Diagnostic
from cardgen.files import find_sheets, write_atomic
from cardgen.model import Sheet, to_json
from cardgen.parse import parse_file
from cardgen.questions import QuestionBank, build_bank


@dataclass(slots=True)
class BuildOptions:
    """What `cardgen build` makes and how."""

    out_dir: Path = Path("output")
    check: bool = True
    seed: int = 0
    strict: bool = False
    jobs: int = 2


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

    def to_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "name": self.name,
            "status": "failed" if self.error else "built",
            "error": str(self.error) if self.error else None,
            "outputs": sorted(self.files),
            "counts": self.counts,
            "warnings": [w.to_json() for w in self.warnings],
            "retired": self.retired,
            "checks": [c.to_json() for c in self.checks],
        }


SheetRenderer = Callable[[Sheet, "QuestionBank", BuildOptions, SheetOutcome], None]
"""A step that adds files and counts for one parsed sheet and its question bank."""


def sheet_renderers() -> list[SheetRenderer]:
    """The outputs, in the order they are made. Imported here so `--help` stays fast."""
    from cardgen.outputs import deck_output, quiz_output

    return [count_blocks, deck_output, quiz_output]


def count_blocks(
    sheet: Sheet, bank: QuestionBank, options: BuildOptions, outcome: SheetOutcome
) -> None:
    outcome.counts["blocks"] = dict(sorted(Counter(b.kind for b in sheet.blocks).items()))
    outcome.counts["questions"] = dict(sorted(Counter(q.kind for q in bank.questions).items()))


def build_sheet(path: Path, options: BuildOptions, renderers: list[SheetRenderer]) -> SheetOutcome:
    outcome = SheetOutcome(str(path), path.stem)
    try:
        sheet = outcome.sheet = parse_file(path)
        bank, bank_warnings = build_bank(sheet)
        outcome.warnings.extend(sheet.warnings)
        outcome.warnings.extend(bank_warnings)
        for render in renderers:
            render(sheet, bank, options, outcome)
    except CardgenError as exc:
        outcome.error = exc
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


def build(paths: list[Path], options: BuildOptions) -> BuildResult:
    renderers = sheet_renderers()
    outcomes = [build_sheet(path, options, renderers) for path in find_sheets(paths)]
    if options.check:
        from cardgen.check.runner import CheckOptions, check_sheets

        built = {o.path: o for o in outcomes if o.sheet and not o.error}
        results = check_sheets(
            [o.sheet for o in built.values() if o.sheet], CheckOptions(jobs=options.jobs)
        )
        for result in results:
            built[result.path].checks.append(result)
    written: list[Path] = []
    for outcome in outcomes:
        for rel, data in sorted(outcome.files.items()):
            target = options.out_dir / rel
            if write_atomic(target, data):
                written.append(target)
    report = {"cardgen": __version__, "sheets": [o.to_json() for o in outcomes]}
    report_path = options.out_dir / "report.json"
    if write_atomic(
        report_path, (json.dumps(report, indent=2, ensure_ascii=False) + "\n").encode()
    ):
        written.append(report_path)
    return BuildResult(outcomes, written)


def model_json(sheet: Sheet) -> str:
    return json.dumps(to_json(sheet), indent=2, ensure_ascii=False) + "\n"
