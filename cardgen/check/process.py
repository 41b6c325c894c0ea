"""Starting processes that always end: a hard timeout, their own process group, killed and
reaped, whatever happens."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from dataclasses import dataclass


@dataclass(slots=True)
class Finished:
    returncode: int | None
    """None when the process was killed at its timeout."""
    stdout: str
    stderr: str
    seconds: float

    @property
    def timed_out(self) -> bool:
        return self.returncode is None


def _kill_group(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


class Started:
    """A process running in its own group; `stop()` or `wait()` always reaps it."""

    def __init__(
        self, argv: list[str], env: dict[str, str] | None = None, cwd: str | None = None
    ) -> None:
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            cwd=cwd,
            start_new_session=True,
            text=True,
            errors="replace",
        )

    def running(self) -> bool:
        return self.proc.poll() is None

    def wait(self, timeout: float) -> Finished:
        """Wait up to `timeout` seconds, then kill the whole group."""
        try:
            out, err = self.proc.communicate(timeout=timeout)
            code: int | None = self.proc.returncode
        except subprocess.TimeoutExpired:
            _kill_group(self.proc)
            out, err = self.proc.communicate()
            code = None
        _kill_group(self.proc)  # children it left behind
        return Finished(code, out or "", err or "", time.monotonic() - self.started)

    def stop(self) -> Finished:
        """Kill the group now (it was satisfied or is stuck) and collect what it printed."""
        if self.proc.poll() is None:
            _kill_group(self.proc)
        out, err = self.proc.communicate()
        code = self.proc.returncode
        return Finished(
            code if code is not None and code >= 0 else None,
            out or "",
            err or "",
            time.monotonic() - self.started,
        )

    def __enter__(self) -> Started:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc.poll() is None:
            self.stop()


def run(
    argv: list[str], timeout: float, env: dict[str, str] | None = None, cwd: str | None = None
) -> Finished:
    with Started(argv, env, cwd) as started:
        return started.wait(timeout)
