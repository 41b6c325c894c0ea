"""Claims judged: the sheet's error table, state table and state paths, compared with what
the loopback scenarios showed (`observe.py`, run in the sandbox). Each claim becomes a check
result naming its row's line."""

from __future__ import annotations

import contextlib
import platform
import re
from dataclasses import dataclass, replace

from cardgen.cache import Cache
from cardgen.check.model import FAIL, PASS, REFUSED, SKIP, CheckResult
from cardgen.check.tcpstates import available
from cardgen.claims import errors
from cardgen.claims.states import StateLog
from cardgen.model import Sheet, StatePath, Table, TableRow
from cardgen.parse.inline import strip_code
from cardgen.questions.model import Question
from cardgen.sandbox import Sandbox

UNOBSERVABLE = {
    "CLOSED": "CLOSED is the absence of a socket: there is nothing to observe",
    "SYN_RECEIVED": "on loopback the handshake completes before a sample can see it",
    "CLOSING": "needs both sides to close at the same instant; not reproducible on demand",
    "FIN_WAIT_1": "on loopback the ACK of the FIN arrives before a sample can see it",
}
PREFIX = "Reproduced on Linux loopback: "


def _name(cell: str) -> str:
    return strip_code(cell).strip().strip('"“”').strip()


def _result(
    row_path: str,
    line: int,
    kind: str,
    label: str,
    status: str,
    reason: str,
    transcript: list[str] | None = None,
) -> CheckResult:
    return CheckResult(row_path, line, "", kind, label, status, reason, transcript=transcript or [])


@dataclass(slots=True)
class Observations:
    """Everything the loopback scenarios showed on this kernel."""

    errors: dict[str, errors.Observed]
    time_wait_bind: tuple[errors.Observed, str]
    states: StateLog


def _cache_key(sandbox: Sandbox) -> str:
    from cardgen.check.fingerprint import key

    kernel = f"{platform.release()}-{platform.version()}"
    return key("claims", kernel, sandbox.description)


def observations(sandbox: Sandbox, cache: Cache, use_cache: bool = True) -> Observations:
    """Run every scenario once, in the sandbox; on a warm cache, read what this kernel showed
    last time (with the same isolation)."""
    key = _cache_key(sandbox)
    if use_cache and (data := cache.read_json("claims", key)) is not None:
        with contextlib.suppress(KeyError, TypeError, ValueError):
            return _decode(data)
    ran = sandbox.call("cardgen.claims.observe:observe", {}, None, 30.0)
    if ran.error or not isinstance(ran.value, dict):
        raise RuntimeError(ran.error or "no observations came back")
    try:
        found = _decode(ran.value)
    except (KeyError, TypeError, ValueError) as exc:
        raise RuntimeError(f"the observations are malformed: {exc}") from None
    with contextlib.suppress(OSError):
        cache.write_json("claims", key, ran.value)
    return found


def _decode(data: dict) -> Observations:
    def observed(d: dict) -> errors.Observed:
        return errors.Observed(d["error"], d["errno_name"], d["python"], tuple(d["steps"]))

    st = data["states"]
    log = StateLog(
        holders={k: [frozenset(r) for r in v] for k, v in st["holders"].items()},
        both=set(st["both"]),
        sequences={(side, role): seq for side, role, seq in st["sequences"]},
        time_wait_seconds=st["time_wait_seconds"],
    )
    return Observations(
        {k: observed(v) for k, v in data["errors"].items()},
        (observed(data["time_wait_bind"][0]), data["time_wait_bind"][1]),
        log,
    )


def error_claims(table: Table, seen_all: Observations) -> list[CheckResult]:
    results = []
    for row in table.rows:
        name = _name(row.header)
        key = name.lower()
        where = (row.pos.path, row.pos.line)
        if key in errors.NOT_CHECKABLE:
            results.append(
                _result(
                    *where,
                    "error_claim",
                    name,
                    SKIP,
                    f"not checkable on loopback: {errors.NOT_CHECKABLE[key]}",
                )
            )
            continue
        if key not in errors.SCENARIOS:
            results.append(
                _result(
                    *where,
                    "error_claim",
                    name,
                    SKIP,
                    "no loopback scenario is known for this error",
                )
            )
            continue
        seen = seen_all.errors[key]
        transcript = list(seen.steps)
        if not errors.names_match(name, seen.error):
            results.append(
                _result(
                    *where,
                    "error_claim",
                    name,
                    FAIL,
                    f"the scenario for this row gave {seen.summary()}",
                    transcript,
                )
            )
            continue
        reason = seen.summary()
        cause = " ".join(row.cells[1:]).lower()
        if key == "address already in use" and "time_wait" in cause:
            tw, workaround = seen_all.time_wait_bind
            transcript += list(tw.steps) + [workaround]
            reason += f"; also next to a TIME_WAIT socket ({tw.errno_name}), and {workaround}"
        results.append(_result(*where, "error_claim", name, PASS, reason, transcript))
    return results


def _who(row: TableRow, header: tuple[str, ...]) -> str | None:
    for col, cell in zip(header, row.cells, strict=False):
        if col.strip().lower() == "who":
            return _name(cell)
    return None


def state_claims(table: Table, log: StateLog) -> list[CheckResult]:
    results = []
    for row in table.rows:
        state = _name(row.header)
        where = (row.pos.path, row.pos.line)
        claimed = _who(row, table.header)
        if state in UNOBSERVABLE and state not in log.holders:
            results.append(
                _result(
                    *where, "state_claim", state, SKIP, f"not observable: {UNOBSERVABLE[state]}"
                )
            )
            continue
        roles = log.roles(state)
        if not roles:
            results.append(
                _result(
                    *where,
                    "state_claim",
                    state,
                    SKIP,
                    "cardgen has no loopback scenario that reaches this state",
                )
            )
            continue
        held = (
            "both ends of the connection"
            if "Both" in roles
            else "the " + " or ".join(sorted(roles))
        )
        if claimed and claimed not in roles:
            results.append(
                _result(
                    *where,
                    "state_claim",
                    state,
                    FAIL,
                    f"the sheet says {claimed} holds {state}; on loopback it was held by {held}",
                )
            )
        else:
            results.append(
                _result(*where, "state_claim", state, PASS, f"{state} observed, held by {held}")
            )
        duration = next(
            (c for h, c in zip(table.header, row.cells, strict=False) if h.lower() == "duration"),
            "",
        )
        if state == "TIME_WAIT" and log.time_wait_seconds is not None:
            results.append(_duration_claim(row, duration, log.time_wait_seconds))
    return results


def _duration_claim(row: TableRow, claimed: str, seconds: float) -> CheckResult:
    linux = f"Linux holds TIME_WAIT for {round(seconds):d} s (the kernel's TCP_TIMEWAIT_LEN)"
    where = (row.pos.path, row.pos.line)
    m = re.search(r"(\d+)\s*(?:-|–|to)\s*(\d+)\s*(s|sec|seconds|min|minutes)", claimed, re.I)
    if not m:
        return _result(
            *where,
            "duration_claim",
            "TIME_WAIT duration",
            SKIP,
            f"{linux}; the sheet's '{claimed}' is not a range cardgen can compare",
        )
    scale = 60 if m.group(3).lower().startswith("min") else 1
    low, high = int(m.group(1)) * scale, int(m.group(2)) * scale
    status = PASS if low <= round(seconds) <= high else FAIL
    return _result(
        *where, "duration_claim", "TIME_WAIT duration", status, f"{linux}; the sheet says {claimed}"
    )


def path_claims(paths: list[StatePath], log: StateLog) -> list[CheckResult]:
    results = []
    for path in paths:
        states = list(path.states)
        side = "server" if "LISTEN" in states or "server" in path.name.lower() else "client"
        role = "Receiver" if {"CLOSE_WAIT", "LAST_ACK"} & set(states) else "Closer"
        seen = log.sequences.get((side, ""), []) + log.sequences.get((side, role), [])
        seen = [s for s in seen if s in states]
        order = [s for s in states if s in seen]
        dedup = list(dict.fromkeys(order))
        where = (path.pos.path, path.pos.line)
        if not seen:
            results.append(
                _result(*where, "path_claim", path.name, SKIP, "no state of this path was observed")
            )
        elif dedup != list(dict.fromkeys(seen)):
            results.append(
                _result(
                    *where,
                    "path_claim",
                    path.name,
                    FAIL,
                    f"on loopback the {side} ({role.lower()}) went "
                    f"{' → '.join(seen)}, which the path puts in another order",
                )
            )
        else:
            results.append(
                _result(
                    *where,
                    "path_claim",
                    path.name,
                    PASS,
                    f"the {side} as {role.lower()} went {' → '.join(seen)}, in the path's order",
                )
            )
    return results


def check_claims(
    sheet: Sheet,
    use_cache: bool = True,
    sandbox: Sandbox | None = None,
    cache: Cache | None = None,
) -> list[CheckResult]:
    """Every claim of the sheet cardgen can reproduce on loopback (Linux only), reproduced
    in the sandbox."""
    error_tables = [
        t
        for t in sheet.of_kind(Table)
        if t.header and t.header[0].strip().lower() in ("error", "errors", "error message")
    ]
    state_tables = [
        t for t in sheet.of_kind(Table) if t.header and t.header[0].strip().lower() == "state"
    ]
    paths = sheet.of_kind(StatePath)
    if not (error_tables or state_tables or paths):
        return []

    def every_row(status: str, reason: str) -> list[CheckResult]:
        rows = [(r.pos, _name(r.header)) for t in error_tables + state_tables for r in t.rows]
        rows += [(p.pos, p.name) for p in paths]
        return [_result(pos.path, pos.line, "claim", name, status, reason) for pos, name in rows]

    if platform.system() != "Linux" or not available():
        return every_row(SKIP, "claims are reproduced on Linux only (/proc/net/tcp)")
    sandbox = sandbox or Sandbox()
    if sandbox.refusal is not None:
        return every_row(REFUSED, sandbox.refusal)
    try:
        seen = observations(sandbox, cache or Cache(read=use_cache), use_cache)
    except (OSError, RuntimeError) as exc:
        return every_row(FAIL, f"the loopback scenarios could not run: {exc}")
    results: list[CheckResult] = []
    for table in error_tables:
        results += error_claims(table, seen)
    if state_tables or paths:
        log = seen.states
        for table in state_tables:
            results += state_claims(table, log)
        results += path_claims(paths, log)
    for result in results:
        if result.status != SKIP:
            result.isolation = sandbox.description
    return results


VERIFIED_COLUMN = {"error_claim": "*", "state_claim": "who", "duration_claim": "duration"}
"""Which table column a claim verifies: an error row as a whole, a state's Who, its Duration."""


def mark_verified(questions: list[Question], results: list[CheckResult]) -> list[Question]:
    """Questions asking about a fact a claim reproduced, with "Reproduced on Linux loopback:
    …" attached. A table cell's key ends in its column (`…/<row>/<column>[/reverse]`)."""
    notes = {
        (r.line, VERIFIED_COLUMN[r.kind]): PREFIX + r.reason
        for r in results
        if r.status == PASS and r.kind in VERIFIED_COLUMN
    }
    marked = []
    for q in questions:
        parts = q.key.split("/")
        column = parts[-2] if parts[-1] == "reverse" else parts[-1]
        note = notes.get((q.source.line, column)) or notes.get((q.source.line, "*"))
        marked.append(replace(q, verified=note) if note and q.block == "table" else q)
    return marked
