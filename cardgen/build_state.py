"""The build state (`output/.cardgen-state.json`): what the last build wrote, and whether an
unchanged sheet's outputs may be kept."""

from __future__ import annotations

import json
from pathlib import Path

from cardgen import __version__
from cardgen.build_data import BuildOptions, SheetJob, SheetOutcome
from cardgen.check.model import CheckResult
from cardgen.errors import Diagnostic
from cardgen.files import STATE_FILE, file_hash
from cardgen.ledger import lines_digest


def load_state(out_dir: Path) -> dict[str, dict]:
    try:
        state = json.loads((out_dir / STATE_FILE).read_text(encoding="utf-8"))
        sheets = state["sheets"] if state.get("cardgen") == __version__ else {}
        return sheets if isinstance(sheets, dict) else {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def verified(out_dir: Path, hashes: dict[str, str]) -> bool:
    """Every recorded output still holds exactly what was written (not cut short, not
    replaced by another build or by hand)."""
    for rel, digest in hashes.items():
        try:
            if file_hash((out_dir / rel).read_bytes()) != digest:
                return False
        except OSError:
            return False
    return True


def reuse_outcome(
    job: SheetJob, options: BuildOptions, state: dict[str, dict]
) -> SheetOutcome | None:
    """The previous outcome of an unchanged sheet whose outputs are all still as written."""
    entry = state.get(str(job.path))
    try:
        if (
            not entry
            or entry["digest"] != job.digest
            or entry["ledger"] != lines_digest(job.ledger_lines)
            or entry["report"]["status"] != "built"
            or sorted(entry["hashes"]) != sorted(entry["report"]["outputs"])
            or not verified(options.out_dir, entry["hashes"])
        ):
            return None
        report = entry["report"]
        outcome = SheetOutcome(
            str(job.path),
            job.name,
            job.rel,
            digest=job.digest,
            reused=True,
            outputs=list(report["outputs"]),
            counts=dict(report["counts"]),
            retired=list(report["retired"]),
            hashes=dict(entry["hashes"]),
            blocks=list(report.get("blocks", [])),
        )
        outcome.ledger_lines = job.ledger_lines
        outcome.warnings = [
            Diagnostic(w["path"], w["line"], w["message"]) for w in report["warnings"]
        ]
        outcome.checks = [CheckResult.from_json(c) for c in report["checks"]]
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    return outcome


def state_bytes(outcomes: list[SheetOutcome], others: dict[str, dict]) -> bytes:
    """The state after this build: per built sheet, its digest, ledger lines, outputs' hashes
    and report. Compact: it is for cardgen only, and JSON's fast (C) encoder does not indent."""
    sheets = {
        o.path: {
            "digest": o.digest,
            "ledger": lines_digest(o.ledger_lines),
            "hashes": o.hashes,
            "report": o.to_json(),
        }
        for o in outcomes
        if not o.error
    }
    for path, entry in others.items():  # sheets of another build into this folder, still there
        sheets.setdefault(path, entry)
    state = {"cardgen": __version__, "sheets": sheets}
    text = json.dumps(state, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    return (text + "\n").encode()
