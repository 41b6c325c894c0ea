"""`cardgen check`: every runnable snippet of the sheets, against its loopback peer.

Rust snippets not already proven by the cache are compiled together as one crate; each
snippet then runs in its own process group with a free ephemeral port, in parallel with
`jobs`. Passing results are cached by the hash of what ran, so a repeated check is instant.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from cardgen import __version__
from cardgen.cache import default_cache
from cardgen.check import peers, python, rust
from cardgen.check.classify import PYTHON, RUST, classify
from cardgen.check.loopback import free_port, non_loopback, sheet_port
from cardgen.check.model import FAIL, PASS, REFUSED, SKIP, CheckResult
from cardgen.check.process import Started
from cardgen.check.shell import check_command
from cardgen.model import SHELL_LANGS, Sheet, Snippet


@dataclass(slots=True)
class CheckOptions:
    jobs: int = 1
    timeout: float = 10.0
    """Seconds a snippet may run."""
    compile_timeout: float = 600.0
    cache: Path = field(default_factory=default_cache)
    use_cache: bool = True


@dataclass(slots=True)
class _Task:
    """One snippet ready to run: how to start it and which peer judges it."""

    snippet: Snippet
    kind: str
    lang: str
    key: str
    context: list[str]
    argv: list[str]
    ports: set[int]
    sheet_port: int | None
    expected: dict[str, str]
    mode: str


def check_sheets(
    sheets: list[Sheet],
    options: CheckOptions,
    progress: Callable[[CheckResult], None] | None = None,
    claims: bool = True,
) -> list[CheckResult]:
    """Check every snippet of the sheets (and, with `claims`, the claims of their tables)."""
    results: list[CheckResult] = []
    tasks: list[_Task] = []
    for sheet in sheets:
        if claims:
            from cardgen.claims import check_claims

            results += check_claims(sheet, options.use_cache)
        port = sheet_port([s.code for s in sheet.of_kind(Snippet)])
        sheet_results, sheet_tasks = _plan(sheet, port, options)
        results += sheet_results
        tasks += sheet_tasks
    for r in results:
        if progress:
            progress(r)
    with ThreadPoolExecutor(max_workers=max(1, options.jobs)) as pool:
        for result in pool.map(lambda t: _run_task(t, options), tasks):
            results.append(result)
            if progress:
                progress(result)
    results.sort(key=lambda r: (r.path, r.line))
    return results


def _base(snippet: Snippet, kind: str) -> dict[str, object]:
    return dict(
        path=snippet.pos.path,
        line=snippet.pos.line,
        lang=snippet.lang,
        kind=kind,
        label=snippet.label,
    )


def _cached(key: str, options: CheckOptions) -> CheckResult | None:
    if not options.use_cache:
        return None
    try:
        data = json.loads((options.cache / "results" / f"{key}.json").read_text())
        result = CheckResult.from_json(data)
    except (OSError, ValueError, TypeError):
        return None
    result.mode = "cached"
    return result


def _store(key: str, result: CheckResult, options: CheckOptions) -> None:
    if result.status != PASS or not options.use_cache:
        return
    path = options.cache / "results" / f"{key}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(result.to_json()))
    os.replace(tmp, path)


def _key(*parts: str) -> str:
    return hashlib.sha256("\x1f".join((__version__, *parts)).encode()).hexdigest()[:24]


def _plan(
    sheet: Sheet, port: int | None, options: CheckOptions
) -> tuple[list[CheckResult], list[_Task]]:
    """Results known without running (skips, refusals, cache hits, compile errors) and tasks."""
    done: list[CheckResult] = []
    tasks: list[_Task] = []
    units: list[tuple[rust.RustUnit, str]] = []
    for snippet in sheet.of_kind(Snippet):
        lang = snippet.lang
        if lang in SHELL_LANGS:
            for cmd in snippet.commands:
                done.append(check_command(snippet, cmd, port, options.timeout))
            continue
        if lang not in RUST | PYTHON:
            continue
        kind = classify(lang, snippet.hidden + snippet.code)
        base = _base(snippet, kind)
        if "ignore" in snippet.flags:
            why = f": {snippet.reason}" if snippet.reason else ""
            done.append(CheckResult(**base, status=SKIP, reason=f"marked `ignore`{why}"))
            continue
        hosts = non_loopback(snippet.hidden + snippet.code)
        if hosts:
            done.append(
                CheckResult(
                    **base,
                    status=REFUSED,
                    reason=(f"contacts {', '.join(hosts)}, which is not loopback: not run"),
                )
            )
            continue
        if lang in RUST:
            unit = rust.prepare(snippet, port)
            if unit.unknown_crates:
                done.append(
                    CheckResult(
                        **base,
                        status=SKIP,
                        context=unit.context,
                        reason=(
                            f"needs crate(s) {', '.join(sorted(unit.unknown_crates))}, "
                            "which cardgen does not provide (mark it `ignore` to silence this)"
                        ),
                    )
                )
                continue
            units.append((unit, kind))
        else:
            script = python.prepare(snippet, port)
            key = _key("python", kind, script.source, ",".join(snippet.flags))
            if (hit := _cached(key, options)) is not None:
                done.append(hit)
                continue
            try:
                compile(script.source, "snippet.py", "exec")
            except SyntaxError as exc:
                line = script.markdown_line(snippet, exc.lineno or 0)
                done.append(
                    CheckResult(
                        **base,
                        status=FAIL,
                        context=script.context,
                        reason=f"syntax error at line {line}: {exc.msg}",
                    )
                )
                continue
            script_path = options.cache / "python" / f"{key}.py"
            script_path.parent.mkdir(parents=True, exist_ok=True)
            script_path.write_text(script.source)
            tasks.append(
                _Task(
                    snippet,
                    kind,
                    lang,
                    key,
                    script.context,
                    [sys.executable, "-I", str(script_path)],
                    set(),
                    port,
                    script.expected,
                    "interpreted",
                )
            )
    tasks += _rust_tasks(units, port, options, done)
    return done, tasks


def _rust_tasks(
    units: list[tuple[rust.RustUnit, str]],
    port: int | None,
    options: CheckOptions,
    done: list[CheckResult],
) -> list[_Task]:
    """Rust units (with their kind) not proven by the cache, compiled together, as tasks."""
    pending: list[tuple[rust.RustUnit, str, str]] = []
    for unit, kind in units:
        key = _key(
            "rust",
            kind,
            unit.source(),
            ",".join(unit.snippet.flags),
            rust.cargo_source() if unit.crates else "",
        )
        if (hit := _cached(key, options)) is not None:
            done.append(hit)
        else:
            pending.append((unit, kind, key))
    if not pending:
        return []
    build = rust.compile_units([u for u, _, _ in pending], options.cache, options.compile_timeout)
    tasks = []
    for unit, kind, key in pending:
        snippet = unit.snippet
        if unit.name in build.errors or build.binary is None:
            error = build.errors.get(unit.name)
            reason = (
                f"line {error}" if error else next(iter(build.errors.values()), "the build failed")
            )
            done.append(
                CheckResult(
                    **_base(snippet, kind),
                    status=FAIL,
                    context=unit.context,
                    mode=build.mode,
                    reason=f"does not compile: {reason}",
                )
            )
            continue
        if "no_run" in snippet.flags:
            done.append(
                CheckResult(
                    **_base(snippet, kind),
                    status=PASS,
                    context=unit.context,
                    mode=build.mode,
                    reason="compiles (marked `no_run`)",
                )
            )
            continue
        expected = {f"{var}.{opt}": value for var, opt, value in unit.setters}
        tasks.append(
            _Task(
                snippet,
                kind,
                "rust",
                key,
                unit.context,
                [str(build.binary), unit.name],
                unit.ports,
                port,
                expected,
                build.mode,
            )
        )
    return tasks


def _run_task(task: _Task, options: CheckOptions) -> CheckResult:
    started = time.monotonic()
    peer_port = free_port()
    env = dict(os.environ)
    for orig in task.ports | ({task.sheet_port} if task.sheet_port else set()):
        env[f"CARDGEN_PORT_{orig}"] = str(peer_port if orig == task.sheet_port else free_port())
    if not task.sheet_port and task.ports:
        env[f"CARDGEN_PORT_{min(task.ports)}"] = str(peer_port)

    def launch() -> Started:
        return Started(task.argv, env=env)

    t = options.timeout
    if task.kind == "tcp_server":
        verdict = peers.tcp_server(launch, peer_port, t)
    elif task.kind == "tcp_client":
        verdict = peers.tcp_client(launch, peer_port, t)
    elif task.kind == "udp_echo":
        verdict = peers.udp_echo(launch, peer_port, t)
    elif task.kind == "udp_client":
        verdict = peers.udp_client(launch, peer_port, t)
    elif task.kind == "socket_options":
        verdict = peers.socket_options(launch, peer_port, t, task.expected)
    else:
        verdict = peers.program(launch, t)
    result = CheckResult(
        **_base(task.snippet, task.kind),
        status=PASS if verdict.passed else FAIL,
        reason=verdict.reason,
        context=task.context,
        transcript=verdict.transcript,
        mode=task.mode,
        seconds=time.monotonic() - started,
    )
    _store(task.key, result, options)
    return result


__all__ = ["CheckOptions", "CheckResult", "FAIL", "PASS", "REFUSED", "SKIP", "check_sheets"]
