"""The sandbox's first process: `python -m cardgen.sandbox.host`, a job as JSON on standard
input, the outcome as JSON on standard output.

Inside bwrap it caps the PID namespace, gives up every capability, sets the limits (which the
program inherits), runs the job's function (a loopback peer, the claim scenarios, or just the
program) with a `launch` that starts the untrusted program, and then looks at what the
program left behind: processes that detached from it, files in /tmp and its scratch folder.
Everything it started is killed before it answers. The answer carries the job's nonce, so
that nothing the program prints can pass for it.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import secrets
import shutil
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path

from cardgen.sandbox.bwrap import PRIVATE, SCRATCH
from cardgen.sandbox.limits import Limits
from cardgen.sandbox.process import Finished, Started

FUNCTIONS = {
    "cardgen.check.peers:run_peer",
    "cardgen.claims.observe:observe",
    "cardgen.exercises.peers:run_judge",
    "cardgen.sandbox.host:run_program",
}
"""What a job may run: nothing but these."""
MAX_LISTED = 2000
MARKER = "CARDGEN_RUN"


def run_program(launch, timeout: float) -> dict:
    """Run the program alone (a build, say) and report how it ended."""
    with launch() as proc:
        return proc.wait(timeout).to_json()


class Launcher:
    """Starts the job's program, as often as the function asks, and remembers each run."""

    def __init__(
        self, program: dict | None, limits: Limits, scratch: str, path: str, isolated: bool
    ) -> None:
        self.program = program
        self.isolated = isolated
        self.limits = limits
        self.scratch = scratch
        self.path = path
        self.started: list[Started] = []
        self.marker = secrets.token_hex(8)
        """In the environment of the program and whatever it starts (unless they drop it),
        to find what it left running where there is no PID namespace."""

    def __call__(self) -> Started:
        if self.program is None:
            raise RuntimeError("this job has no program to start")
        env = {
            "PATH": self.path,
            "HOME": self.scratch,
            "TMPDIR": "/tmp",
            "LANG": "C.UTF-8",
            "PYTHONDONTWRITEBYTECODE": "1",
            **self.program.get("env", {}),
            MARKER: self.marker,
        }
        started = Started(
            self.program["argv"],
            env=env,
            cwd=self.program.get("cwd") or self.scratch,
            output_limit=self.limits.output_bytes,
        )
        self.started.append(started)
        return started


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, process group) of a process, from /proc."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    rest = raw[raw.rfind(")") + 2 :].split()
    return rest[0], int(rest[2])


def _others() -> dict[int, tuple[str, int]]:
    """Live processes of this PID namespace other than bwrap (pid 1) and this one."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) not in (1, os.getpid()):
            stat = _stat(int(entry.name))
            if stat and stat[0] not in ("Z", "X"):
                found[int(entry.name)] = stat
    return found


def left_behind(program_groups: set[int]) -> list[str]:
    """Kill every process still alive in the namespace; return the command lines of those
    that had left the program's process group (detached: a daemon, a `setsid`)."""
    from cardgen.sandbox.process import command_line

    until = time.monotonic() + 0.5
    others = _others()
    while time.monotonic() < until and any(g in program_groups for _, g in others.values()):
        time.sleep(0.02)  # the program's own group is dying from the SIGKILL already sent
        others = _others()
    detached = sorted(
        {command_line(pid) for pid, (_, group) in others.items() if group not in program_groups}
    )
    for pid in others:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    return detached


def marked_left_behind(marker: str) -> list[str]:
    """Without a PID namespace: kill the processes that still carry this run's marker in
    their environment; return their command lines."""
    from cardgen.sandbox.process import command_line

    needle = f"{MARKER}={marker}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if needle not in (entry / "environ").read_bytes().split(b"\0"):
                continue
        except OSError:
            continue
        found.append(command_line(int(entry.name)))
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(int(entry.name), signal.SIGKILL)
    return sorted(set(found))


def _listing() -> set[str]:
    found: set[str] = set()
    for top in PRIVATE:
        for folder, dirs, files in os.walk(top):
            for name in dirs + files:
                found.add(os.path.join(folder, name))
                if len(found) > MAX_LISTED:
                    return found
    return found


def written(before: set[str]) -> list[str]:
    """Files and folders that appeared in /tmp, /var/tmp and the scratch folder."""
    new = _listing() - before
    top = sorted(p for p in new if os.path.dirname(p) not in new)
    return [p.replace(SCRATCH, "$HOME", 1) if p.startswith(SCRATCH + "/") else p for p in top]


def _answer(out: dict) -> None:
    """One line, written once every process the program started is gone."""
    sys.stdout.write("\n" + json.dumps(out) + "\n")
    sys.stdout.flush()


def main() -> None:
    job = json.loads(sys.stdin.buffer.read())
    answer: dict = {"nonce": job["nonce"], "notes": [], "programs": [], "leftovers": []}
    answer["files"] = []
    isolated = bool(job["isolated"])
    limits = Limits.from_json(job["limits"])
    from cardgen.sandbox import caps

    answer["process_limit"] = limits.processes if isolated and os.getuid() != 0 else None
    if isolated:
        note = caps.cap_pid_namespace(limits.processes)
        if note:
            answer["notes"].append(note)
        elif os.getuid() == 0:  # RLIMIT_NPROC does not bind root: the namespace's size does
            answer["process_limit"] = caps.pid_namespace_size(limits.processes)
        try:
            caps.drop_all()
            held = {k: v for k, v in caps.capabilities().items() if k != "CapBnd" and v}
        except OSError as exc:
            held = {"error": exc.errno or 1}
        if held:
            answer["error"] = f"the sandbox could not give up its capabilities ({held})"
            _answer(answer)
            return
    else:
        with contextlib.suppress(OSError, AttributeError):
            caps.undumpable()
    limits.apply(processes=isolated)
    scratch = SCRATCH if isolated else tempfile.mkdtemp(prefix="cardgen-scratch-")
    before = _listing() if isolated and job.get("watch_files") else set()
    launch = Launcher(job.get("program"), limits, scratch, job.get("path") or os.defpath, isolated)
    answer["value"] = None
    try:
        if job["function"] not in FUNCTIONS:
            raise ValueError(f"not a sandbox function: {job['function']}")
        module, name = job["function"].split(":")
        function = getattr(importlib.import_module(module), name)
        answer["value"] = function(launch, **job.get("args", {}))
    except Exception as exc:  # the answer says what went wrong; the caller decides
        answer["error"] = f"{type(exc).__name__}: {exc}"
        answer["traceback"] = traceback.format_exc()[-2000:]
    finished: list[Finished] = [started.stop() for started in launch.started]
    answer["programs"] = [f.to_json() for f in finished]
    if isolated:
        answer["leftovers"] = left_behind({s.pid for s in launch.started})
        if job.get("watch_files"):
            answer["files"] = written(before)
    else:
        answer["leftovers"] = marked_left_behind(launch.marker)
        shutil.rmtree(scratch, ignore_errors=True)
    _answer(answer)


if __name__ == "__main__":
    main()
