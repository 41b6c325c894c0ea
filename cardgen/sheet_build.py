"""Building one sheet, whole, in memory: parse, questions, claims, then each output's files.
Whatever fails inside, at any stage, becomes the sheet's own `path:line: message`."""

from __future__ import annotations

import functools
import hashlib
import os
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from cardgen import __version__
from cardgen.build_data import BuildOptions, SheetJob, SheetOutcome
from cardgen.errors import CardgenError, SheetError
from cardgen.model import Sheet
from cardgen.questions import QuestionBank

SheetRenderer = Callable[[Sheet, QuestionBank, BuildOptions, SheetOutcome], None]
"""A step that adds files and counts for one parsed sheet and its question bank."""


def sheet_renderers(options: BuildOptions) -> list[tuple[str, SheetRenderer]]:
    """The outputs, in the order they are made. Imported here so `--help` stays fast."""
    from cardgen import outputs

    chosen: list[tuple[str, SheetRenderer]] = [("counting the blocks of", count_blocks)]
    if "decks" in options.outputs:
        chosen.append(("making the deck of", outputs.deck_output))
    if "quizzes" in options.outputs:
        chosen.append(("making the quizzes of", outputs.quiz_output))
    if options.report:
        chosen.append(("making the report of", outputs.report_output))
    return chosen  # exercises come after the checks, from their results (`build`)


def count_blocks(
    sheet: Sheet, bank: QuestionBank, options: BuildOptions, outcome: SheetOutcome
) -> None:
    outcome.counts["blocks"] = dict(sorted(Counter(b.kind for b in sheet.blocks).items()))
    outcome.counts["questions"] = dict(sorted(Counter(q.kind for q in bank.questions).items()))
    outcome.blocks = [o.to_json() for o in bank.outcomes]


def text_version(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


@functools.cache
def code_version() -> str:
    """cardgen's version and a digest of its own code and templates: a sheet built by other
    code (an upgrade, or a change in a checkout) is built again, never reused."""
    root = Path(__file__).parent
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".j2", ".css", ".js") and "__pycache__" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def sheet_digest(path: Path, name: str, options: BuildOptions) -> str:
    from cardgen.errors import CardgenError
    from cardgen.parse.source import read_sheet_bytes

    try:
        data = read_sheet_bytes(path, str(path))
    except (OSError, CardgenError):
        return ""
    return hashlib.sha256(
        b"\x1f".join([code_version().encode(), options.fingerprint().encode(), name.encode(), data])
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


def build_sheet(job: SheetJob, options: BuildOptions) -> SheetOutcome:
    """Everything one sheet makes, in memory. Any failure inside it, at any stage, becomes the
    sheet's own `path:line: message` and its files are dropped; the build goes on."""
    from cardgen.parse import parse_text
    from cardgen.parse.source import decode_sheet, read_sheet_bytes, read_sheet_text
    from cardgen.questions import build_bank

    shown = str(job.path)
    outcome = SheetOutcome(shown, job.name, job.rel, digest=job.digest)
    outcome.ledger_lines = job.ledger_lines
    outcome.in_worker = job.in_worker
    stage = "reading"
    """What the build was doing, for the message if something fails inside."""
    try:
        try:
            data = read_sheet_bytes(job.path, shown)
        except OSError:
            read_sheet_text(job.path, shown)  # raises the located error
            raise
        outcome.version = text_version(data)
        stage = "parsing"
        sheet = outcome.sheet = parse_text(decode_sheet(data, shown), shown, job.name)
        stage = "making the questions of"
        bank, bank_warnings = build_bank(sheet)
        if options.check:
            stage = "reproducing the claims of"
            bank = with_claims(sheet, bank, outcome, options)
        outcome.warnings.extend(sheet.warnings)
        outcome.warnings.extend(bank_warnings)
        for doing, render in sheet_renderers(options):
            stage = doing
            render(sheet, bank, options, outcome)
    except CardgenError as exc:
        fail_sheet(outcome, exc)
    except RecursionError:
        fail_sheet(outcome, SheetError("nested too deeply to build", shown, 1))
    except MemoryError:
        fail_sheet(outcome, SheetError(f"out of memory while {stage} this sheet", shown))
    except Exception as exc:  # a bug inside one sheet fails that sheet, never the build
        if os.environ.get("CARDGEN_DEBUG"):
            raise
        fail_sheet(
            outcome,
            SheetError(
                f"internal error while {stage} this sheet: {type(exc).__name__}: {exc} "
                "(set CARDGEN_DEBUG=1 for the traceback, and please report it)",
                shown,
            ),
        )
    return outcome


def fail_sheet(outcome: SheetOutcome, error: CardgenError) -> None:
    outcome.error = error
    outcome.files.clear()
    outcome.notes = outcome.identity = outcome.deck_file = None
