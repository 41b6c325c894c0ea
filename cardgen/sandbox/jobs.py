"""Jobs in the sandbox, seen from outside: a `Program`, the `Sandbox` that runs it (alone, or
with the function that plays its peer), and the `Contained` outcome."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from cardgen.sandbox.bwrap import bwrap_argv
from cardgen.sandbox.limits import Limits
from cardgen.sandbox.probe import NONE_PREFIX, Isolation, detect
from cardgen.sandbox.process import Finished, Started, allow_starts, stop_all

STARTUP_SECONDS = 15.0
"""Added to a job's own timeout for starting the sandbox and its Python."""
_HOST = "import sys; sys.path[:0] = [{root!r}]; from cardgen.sandbox.host import main; main()"


@dataclass(slots=True)
class Program:
    """An untrusted program: what to run, with which extra environment, and what it reads."""

    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    """Added to a clean environment (PATH, HOME = the scratch folder, TMPDIR, LANG)."""
    cwd: str | None = None
    """Working directory; by default the private scratch folder."""
    readable: list[Path] = field(default_factory=list)
    """Files and folders it reads (the binary, the script, the exercise folder)."""

    def to_json(self) -> dict[str, object]:
        return {"argv": self.argv, "env": self.env, "cwd": self.cwd}


@dataclass(slots=True)
class Contained:
    """How a job in the sandbox went."""

    value: object
    """What the job's function returned (the peer's verdict, the observations)."""
    programs: list[Finished]
    """Every run of the program, in order."""
    leftovers: list[str]
    """Command lines of processes that detached from the program and were killed."""
    files: list[str]
    """Files the program left in /tmp or its scratch folder (discarded)."""
    error: str | None
    """The sandbox itself failed, or the job's function raised."""
    isolation: str
    isolated: bool
    limits: Limits
    notes: list[str] = field(default_factory=list)
    process_limit: int | None = None
    """The number of processes the sandbox could hold (None: not bounded here)."""

    def breach(self) -> str | None:
        """Why the run fails whatever the peer saw (a limit, an escape), or None."""
        from cardgen.sandbox.breach import breach

        return breach(self)

    @property
    def finished(self) -> Finished | None:
        return self.programs[-1] if self.programs else None


class Sandbox:
    """Runs programs with the best isolation this machine offers."""

    def __init__(
        self,
        limits: Limits | None = None,
        require: bool = False,
        isolation: Isolation | None = None,
    ) -> None:
        self.limits = limits or Limits()
        self.require = require
        self.isolation = isolation or detect()

    @property
    def description(self) -> str:
        return self.isolation.description

    @property
    def refusal(self) -> str | None:
        """Why nothing may run: isolation is required and unavailable. None if all is well."""
        if self.require and not self.isolation.available:
            return "not run: isolation is required (--require-isolation) and not available"
        return None

    @property
    def unavailable(self) -> str:
        """Why there is no isolation here (empty when there is)."""
        return self.description.removeprefix(NONE_PREFIX) if not self.isolation.available else ""

    def run(
        self,
        program: Program,
        timeout: float,
        limits: Limits | None = None,
        writable: list[Path] | tuple[Path, ...] = (),
    ) -> Contained:
        """Run the program alone (a build); `value` is its `Finished` as JSON."""
        return self.call(
            "cardgen.sandbox.host:run_program",
            {"timeout": timeout},
            program,
            timeout,
            limits=limits,
            writable=writable,
            watch_files=False,
        )

    def call(
        self,
        function: str,
        args: dict[str, object],
        program: Program | None = None,
        timeout: float = 10.0,
        limits: Limits | None = None,
        writable: list[Path] | tuple[Path, ...] = (),
        watch_files: bool = True,
    ) -> Contained:
        """Run `function(launch, **args)` in the sandbox, where `launch()` starts `program`;
        the function plays the program's peer and returns what it judged, as JSON."""
        limits = limits or self.limits
        isolated = self.isolation.available
        nonce = secrets.token_hex(16)
        job = {
            "nonce": nonce,
            "isolated": isolated,
            "function": function,
            "args": args,
            "program": program.to_json() if program else None,
            "limits": limits.to_json(),
            "path": os.environ.get("PATH", os.defpath),
            "watch_files": watch_files,
        }
        root = str(Path(__file__).resolve().parent.parent.parent)
        # -I: no user site, no PYTHONPATH, no current folder; -S: no site-packages either
        # (the sandbox's side of cardgen needs only the standard library), a faster start.
        host = [sys.executable, "-I", "-S", "-c", _HOST.format(root=root)]
        if isolated:
            readable = list(program.readable) if program else []
            if program and program.cwd:
                readable.append(Path(program.cwd))
            readable += [Path(p) for p in job["path"].split(os.pathsep) if p.startswith("/")]
            argv = bwrap_argv(self.isolation, limits, readable, list(writable)) + host
        else:
            argv = host
        env = {"PATH": os.environ.get("PATH", os.defpath), "LANG": "C.UTF-8"}
        bound = timeout + STARTUP_SECONDS
        stdin = json.dumps(job).encode()
        with Started(argv, env=env, output_limit=256 * 1024 * 1024, stdin=stdin) as host_proc:
            fin = host_proc.wait(bound)
        return _read_answer(fin, nonce, bound, self.description, isolated, limits)


def _read_answer(
    fin: Finished, nonce: str, bound: float, isolation: str, isolated: bool, limits: Limits
) -> Contained:
    def failed(error: str) -> Contained:
        return Contained(None, [], [], [], error, isolation, isolated, limits)

    if fin.timed_out:
        return failed(f"the sandbox was still running after {bound:.0f} s and was stopped")
    before, _, last = fin.stdout.rstrip("\n").rpartition("\n")
    try:
        answer = json.loads(last)
        if not isinstance(answer, dict) or answer.get("nonce") != nonce:
            raise ValueError("not the sandbox's answer")
    except ValueError:
        tail = (fin.stderr.strip().splitlines() or [f"exit code {fin.returncode}"])[-1]
        return failed(f"the sandbox ended without an answer: {tail[:200]}")
    if before.strip():  # the host writes nothing else: someone else wrote into its channel
        return failed(
            "something in the sandbox wrote into cardgen's own answer channel "
            f"({before.strip()[:80]!r}): the check was tampered with"
        )
    return Contained(
        answer.get("value"),
        [Finished.from_json(p) for p in answer.get("programs", [])],
        list(answer.get("leftovers", [])),
        list(answer.get("files", [])),
        answer.get("error"),
        isolation,
        isolated,
        limits,
        list(answer.get("notes", [])),
        answer.get("process_limit"),
    )


@contextlib.contextmanager
def interruptible() -> Iterator[None]:
    """While inside: SIGTERM interrupts like Ctrl-C, and an interrupt kills every process
    started here at once (no waiting for timeouts) and starts no new one."""
    main = threading.current_thread() is threading.main_thread()
    previous = None
    if main:

        def on_term(signum: int, frame: object) -> None:
            raise KeyboardInterrupt

        previous = signal.signal(signal.SIGTERM, on_term)
    try:
        yield
    except BaseException:
        stop_all()
        raise
    finally:
        if main and previous is not None:
            signal.signal(signal.SIGTERM, previous)
        allow_starts()
