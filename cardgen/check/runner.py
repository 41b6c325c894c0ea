"""`cardgen check`: every runnable snippet of the sheets, against its loopback peer, in the
sandbox.

Rust snippets not already proven by the cache are compiled together as one crate; each
snippet then runs, with its peer, in a sandbox of its own, in parallel with `jobs`. Passing
results are cached under a key made of what decides the verdict (the code as wrapped, the
toolchain, the crates, the peer, cardgen's checking code, the isolation and the limits),
never of where the snippet stands: a moved snippet comes from the cache, reported at its
current path and line.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from cardgen.cache import Cache, default_cache
from cardgen.check import fingerprint, python, rust
from cardgen.check.classify import PYTHON, RUST, classify
from cardgen.check.loopback import free_port, non_loopback, sheet_port
from cardgen.check.model import FAIL, PASS, REFUSED, SKIP, CheckResult
from cardgen.check.peers import Verdict
from cardgen.check.shell import check_command
from cardgen.model import SHELL_LANGS, Sheet, Snippet
from cardgen.sandbox import Limits, Program, Sandbox, interruptible, stop_all

Task = Callable[[], CheckResult]


@dataclass(slots=True)
class CheckOptions:
    jobs: int = 1
    timeout: float = 10.0
    """Seconds a snippet may run."""
    compile_timeout: float = 600.0
    cache: Path = field(default_factory=default_cache)
    use_cache: bool = True
    """False (`--no-cache`): read no cache entry (results, binaries); fresh ones are written."""
    require_isolation: bool = False
    """Refuse to run anything when the sandbox is not available."""
    limits: Limits = field(default_factory=Limits)
    sandbox: Sandbox | None = None
    """The sandbox to use; made from `limits` and `require_isolation` when None."""

    def make_sandbox(self) -> Sandbox:
        if self.sandbox is None:
            self.sandbox = Sandbox(self.limits, self.require_isolation)
        return self.sandbox


@dataclass(slots=True)
class _Run:
    """What one check run shares: its options, sandbox and cache."""

    options: CheckOptions
    sandbox: Sandbox
    cache: Cache

    def result_key(self, *parts: str) -> str:
        o = self.options
        return fingerprint.key(
            *parts, self.sandbox.description, self.sandbox.limits.fingerprint(), f"{o.timeout:g}"
        )


def check_sheets(
    sheets: list[Sheet],
    options: CheckOptions,
    progress: Callable[[CheckResult], None] | None = None,
    claims: bool = True,
) -> list[CheckResult]:
    """Check every snippet of the sheets (and, with `claims`, the claims of their tables)."""
    run = _Run(options, options.make_sandbox(), Cache(options.cache, read=options.use_cache))
    results: list[CheckResult] = []

    def found(new: list[CheckResult]) -> None:
        results.extend(new)
        for result in new:
            if progress:
                progress(result)

    with interruptible():
        pool = ThreadPoolExecutor(max_workers=max(1, options.jobs))
        futures: list[Future[list[CheckResult]]] = []

        def submit(task: Callable[[], list[CheckResult]]) -> None:
            futures.append(pool.submit(task))

        try:
            _prefetch_toolchains(sheets)
            for sheet in sheets:
                if claims:
                    submit(lambda s=sheet: _claims(s, run))
                port = sheet_port([s.code for s in sheet.of_kind(Snippet)])
                # tasks start as soon as they are planned: the Rust build overlaps them
                found(_plan(sheet, port, run, lambda t: submit(lambda: [t()])))
            for future in as_completed(futures):
                found(future.result())
        except BaseException:
            stop_all()  # every sandbox now, not after its timeout
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        pool.shutdown()
    results.sort(key=lambda r: (r.path, r.line))
    return results


def _claims(sheet: Sheet, run: _Run) -> list[CheckResult]:
    from cardgen.claims import check_claims

    return check_claims(sheet, run.options.use_cache, run.sandbox, run.cache)


def _prefetch_toolchains(sheets: list[Sheet]) -> None:
    """Ask rustc and cargo for their versions (part of every Rust result's key) while the
    first sandboxes start, instead of before."""
    if any(s.lang in RUST for sheet in sheets for s in sheet.of_kind(Snippet)):
        for tool in ("rustc", "cargo"):
            threading.Thread(target=fingerprint.tool_version, args=(tool,), daemon=True).start()


def _base(snippet: Snippet, kind: str) -> dict[str, object]:
    return dict(
        path=snippet.pos.path,
        line=snippet.pos.line,
        lang=snippet.lang,
        kind=kind,
        label=snippet.label,
    )


def _cached(key: str, snippet: Snippet, kind: str, run: _Run) -> CheckResult | None:
    """A cached pass, reported where the snippet stands now."""
    data = run.cache.read_json("results", key)
    if data is None:
        return None
    try:
        return CheckResult(
            **_base(snippet, kind),
            status=str(data["status"]),
            reason=str(data["reason"]),
            context=list(data["context"]),
            transcript=list(data["transcript"]),
            mode="cached",
            isolation=str(data["isolation"]),
        )
    except (KeyError, TypeError):
        return None


def _store(key: str, result: CheckResult, run: _Run) -> None:
    if result.status != PASS:
        return
    data = {
        k: v
        for k, v in result.to_json().items()
        if k in ("status", "reason", "context", "transcript", "isolation")
    }
    run.cache.write_json("results", key, data)


def _plan(
    sheet: Sheet, port: int | None, run: _Run, submit: Callable[[Task], None]
) -> list[CheckResult]:
    """Results known without running (skips, refusals, cache hits, compile errors); what must
    run is handed to `submit` as soon as it is ready."""
    options = run.options
    done: list[CheckResult] = []
    units: list[tuple[rust.RustUnit, str]] = []
    refusal = run.sandbox.refusal
    for snippet in sheet.of_kind(Snippet):
        lang = snippet.lang
        if lang in SHELL_LANGS:
            for cmd in snippet.commands:
                submit(
                    lambda s=snippet, c=cmd: check_command(s, c, port, options.timeout, run.sandbox)
                )
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
        if refusal is not None:
            done.append(CheckResult(**base, status=REFUSED, reason=refusal))
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
            if (missing := rust.tool_missing(unit.tool)) is not None:
                done.append(CheckResult(**base, status=SKIP, context=unit.context, reason=missing))
                continue
            units.append((unit, kind))
        else:
            done_or_task = _python(snippet, kind, port, run)
            if isinstance(done_or_task, CheckResult):
                done.append(done_or_task)
            else:
                submit(done_or_task)
    for task in _rust_tasks(units, port, run, done):
        submit(task)
    return done


def _python(snippet: Snippet, kind: str, port: int | None, run: _Run) -> CheckResult | Task:
    base = _base(snippet, kind)
    script = python.prepare(snippet, port)
    key = run.result_key(
        "python", kind, script.source, ",".join(snippet.flags), fingerprint.python_version()
    )
    if (hit := _cached(key, snippet, kind, run)) is not None:
        return hit
    try:
        compile(script.source, "snippet.py", "exec")
    except SyntaxError as exc:
        line = script.markdown_line(snippet, exc.lineno or 0)
        return CheckResult(
            **base,
            status=FAIL,
            context=script.context,
            reason=f"syntax error at line {line}: {exc.msg}",
        )
    path = run.cache.put_file("python", f"{key}.py", script.source.encode())
    program = Program([sys.executable, "-I", str(path)], readable=[path])
    context, expected = script.context, script.expected
    return lambda: _run_task(
        snippet, kind, key, context, program, set(), port, expected, "interpreted", run
    )


def _rust_tasks(
    units: list[tuple[rust.RustUnit, str]],
    port: int | None,
    run: _Run,
    done: list[CheckResult],
) -> list[Task]:
    """Rust units (with their kind) not proven by the cache, compiled together, as tasks."""
    pending: list[tuple[rust.RustUnit, str, str]] = []
    for unit, kind in units:
        key = run.result_key(
            "rust",
            kind,
            unit.body(),
            ",".join(unit.snippet.flags),
            fingerprint.tool_version(unit.tool) or "",
            rust.crate_versions(unit.crates),
        )
        if (hit := _cached(key, unit.snippet, kind, run)) is not None:
            done.append(hit)
        else:
            pending.append((unit, kind, key))
    if not pending:
        return []
    options = run.options
    build = rust.compile_units(
        [u for u, _, _ in pending], run.cache, options.compile_timeout, run.sandbox
    )
    tasks: list[Task] = []
    for unit, kind, key in pending:
        snippet = unit.snippet
        if unit.name in build.errors or build.binary is None:
            error = build.errors.get(unit.name)
            if build.mode == "environment":
                reason = f"could not be built: {error or 'the build did not run'}"
            else:
                where = error or next(iter(build.errors.values()), "the build failed")
                if where[:1].isdigit():
                    where = f"line {where}"
                reason = f"does not compile: {where}"
            done.append(
                CheckResult(
                    **_base(snippet, kind),
                    status=FAIL,
                    context=unit.context,
                    mode=build.mode,
                    reason=reason,
                    isolation=run.sandbox.description,
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
                    isolation=run.sandbox.description,
                )
            )
            continue
        expected = {f"{var}.{opt}": value for var, opt, value in unit.setters}
        program = Program([str(build.binary), unit.name], readable=[build.binary])
        tasks.append(
            lambda s=snippet, k=kind, key=key, u=unit, p=program, e=expected: _run_task(
                s, k, key, u.context, p, u.ports, port, e, build.mode, run
            )
        )
    return tasks


def _run_task(
    snippet: Snippet,
    kind: str,
    key: str,
    context: list[str],
    program: Program,
    ports: set[int],
    sheet_port: int | None,
    expected: dict[str, str],
    mode: str,
    run: _Run,
) -> CheckResult:
    started = time.monotonic()
    peer_port = free_port()
    env: dict[str, str] = {}
    for orig in ports | ({sheet_port} if sheet_port else set()):
        env[f"CARDGEN_PORT_{orig}"] = str(peer_port if orig == sheet_port else free_port())
    if not sheet_port and ports:
        env[f"CARDGEN_PORT_{min(ports)}"] = str(peer_port)
    program = Program(program.argv, env, program.cwd, program.readable)
    timeout = run.options.timeout
    args: dict[str, object] = {"kind": kind, "port": peer_port, "timeout": timeout}
    if kind == "socket_options":
        args["expected"] = expected
    ran = run.sandbox.call("cardgen.check.peers:run_peer", args, program, timeout + 10)
    verdict = Verdict.from_json(ran.value) if isinstance(ran.value, dict) else None
    breach = ran.breach()
    result = CheckResult(
        **_base(snippet, kind),
        status=PASS if verdict and verdict.passed and breach is None else FAIL,
        reason=breach or (verdict.reason if verdict else "the check did not run"),
        context=context,
        transcript=verdict.transcript if verdict else [],
        mode=mode,
        seconds=time.monotonic() - started,
        isolation=run.sandbox.description,
    )
    _store(key, result, run)
    return result


__all__ = ["CheckOptions", "CheckResult", "FAIL", "PASS", "REFUSED", "SKIP", "check_sheets"]
