"""Processes that always end: their own session, a hard timeout, output read with a cap, killed
and reaped whatever happens, and never waited on because some other process holds their pipes.

Every live process is registered, so that an interrupt (Ctrl-C, SIGTERM) can stop them all at
once (`stop_all`) and no new one starts afterwards.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

DRAIN_SECONDS = 0.3
"""How long output is still read after a process exited, before whoever holds its pipes is
taken to be a process it left behind."""


class Interrupted(KeyboardInterrupt):
    """Raised instead of starting a process once `stop_all` has been called."""


@dataclass(slots=True)
class Finished:
    returncode: int | None
    """The exit code; None when cardgen killed it (at its timeout, or once its peer was
    satisfied). A negative code means a signal ended it that cardgen did not send."""
    stdout: str
    stderr: str
    seconds: float
    output_exceeded: bool = False
    """It printed more than its output limit and was stopped."""
    pipe_held: bool = False
    """After it exited, another process still held its output open (a process it detached)."""
    killed_holders: tuple[str, ...] = ()
    """Command lines of the processes found holding its output, which were killed."""
    group_size: int = 0
    """Processes in its process group when cardgen killed it, or, when it exited on its own,
    those of its group it left running (which were then killed)."""

    @property
    def timed_out(self) -> bool:
        return self.returncode is None

    @property
    def signal(self) -> int | None:
        return -self.returncode if self.returncode is not None and self.returncode < 0 else None

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        data["killed_holders"] = list(self.killed_holders)
        return data

    @classmethod
    def from_json(cls, data: dict) -> Finished:
        data = dict(data)
        data["killed_holders"] = tuple(data.get("killed_holders", ()))
        return cls(**data)


_live: set[Started] = set()
_live_lock = threading.Lock()
_stopping = threading.Event()


def stop_all() -> None:
    """Kill every process started here, now, and refuse to start new ones."""
    _stopping.set()
    with _live_lock:
        live = list(_live)
    for started in live:
        started.kill()


def allow_starts() -> None:
    """Undo `stop_all` (for a long-lived process that goes on after an interrupt)."""
    _stopping.clear()


class _Reader(threading.Thread):
    """Reads one pipe into memory up to `cap` bytes; past the cap it calls `on_exceed` once
    and discards the rest."""

    def __init__(self, fd: int, cap: int, on_exceed) -> None:
        super().__init__(daemon=True)
        self.fd = fd
        self.cap = cap
        self.on_exceed = on_exceed
        self.chunks: list[bytes] = []
        self.size = 0
        self.exceeded = False
        self.quit = threading.Event()

    def run(self) -> None:
        try:
            while not self.quit.is_set():
                ready, _, _ = select.select([self.fd], [], [], 0.1)
                if not ready:
                    continue
                data = os.read(self.fd, 65536)
                if not data:
                    return
                room = self.cap - self.size
                if room > 0:
                    self.chunks.append(data[:room])
                self.size += len(data)
                if self.size > self.cap and not self.exceeded:
                    self.exceeded = True
                    self.on_exceed()
        except (OSError, ValueError):
            return

    def text(self) -> str:
        return b"".join(self.chunks).decode("utf-8", errors="replace")


def pipe_holders(inode: int, skip: set[int]) -> list[tuple[int, str]]:
    """Processes (pid, command line) that hold the pipe `inode` open, as far as /proc shows."""
    found = []
    target = f"pipe:[{inode}]"
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else []:
        if not entry.name.isdigit() or int(entry.name) in skip:
            continue
        try:
            fds = os.listdir(entry / "fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(entry / "fd" / fd) == target:
                    found.append((int(entry.name), command_line(int(entry.name))))
                    break
            except OSError:
                continue
    return found


def group_size(group: int) -> int:
    """How many live processes are in process group `group`, as far as /proc shows."""
    count = 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                raw = (entry / "stat").read_text()
            except OSError:
                continue
            rest = raw[raw.rfind(")") + 2 :].split()
            if rest[0] not in ("Z", "X") and int(rest[2]) == group:
                count += 1
    return count


def command_line(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "?"
    return raw.replace(b"\0", b" ").decode("utf-8", errors="replace").strip()[:120] or "?"


class Started:
    """A process in its own session; `wait()` or `stop()` always ends and reaps it."""

    def __init__(
        self,
        argv: list[str],
        env: dict[str, str] | None = None,
        cwd: str | None = None,
        output_limit: int = 16 * 1024 * 1024,
        stdin: bytes | None = None,
    ) -> None:
        if _stopping.is_set():
            raise Interrupted("interrupted")
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            cwd=cwd,
            start_new_session=True,
        )
        with _live_lock:
            _live.add(self)
        self.killed = False
        """True once cardgen sent it SIGKILL (so its end is cardgen's doing)."""
        self._result: Finished | None = None
        self._group: int | None = None
        assert self.proc.stdout and self.proc.stderr
        self._inode = os.fstat(self.proc.stdout.fileno()).st_ino
        self._inode_err = os.fstat(self.proc.stderr.fileno()).st_ino
        self._readers = [
            _Reader(self.proc.stdout.fileno(), output_limit, self.kill),
            _Reader(self.proc.stderr.fileno(), output_limit, self.kill),
        ]
        for reader in self._readers:
            reader.start()
        if stdin is not None and self.proc.stdin:
            with contextlib.suppress(OSError):
                self.proc.stdin.write(stdin)
            with contextlib.suppress(OSError):
                self.proc.stdin.close()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def running(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL its whole process group (it and every child that stayed in it)."""
        if self.proc.poll() is None:
            if self._group is None:
                self._group = group_size(self.proc.pid)
            self.killed = True
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)

    def wait(self, timeout: float) -> Finished:
        """Wait up to `timeout` seconds for it to exit, then kill the whole group."""
        if not self._exited_within(max(0.0, timeout)):
            self.kill()
        return self._finish()

    def _exited_within(self, timeout: float) -> bool:
        """Wait for the exit, woken at once by a pidfd where Linux has them (Popen.wait with
        a timeout polls, up to 50 ms late)."""
        try:
            pidfd = os.pidfd_open(self.proc.pid)
        except (AttributeError, OSError):
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                return False
            return True
        try:
            ready, _, _ = select.select([pidfd], [], [], timeout)
        finally:
            os.close(pidfd)
        return bool(ready) or self.proc.poll() is not None

    def stop(self) -> Finished:
        """Kill the group now (it was satisfied or is stuck) and collect what it printed."""
        self.kill()
        return self._finish()

    def _finish(self) -> Finished:
        if self._result is not None:
            return self._result
        self.proc.wait()
        if self._group is None:
            self._group = group_size(self.proc.pid)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)  # children it left in its group
        held = self._drain()
        holders: list[tuple[int, str]] = []
        if held:
            skip = {os.getpid()}
            holders = pipe_holders(self._inode, skip) + pipe_holders(self._inode_err, skip)
            for pid, _ in holders:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
            for reader in self._readers:
                reader.join(1.0)
                reader.quit.set()
                reader.join(1.0)
        code = self.proc.returncode
        if self.killed and code is not None and code < 0:
            code = None
        out, err = self._readers
        self._result = Finished(
            code,
            out.text(),
            err.text(),
            time.monotonic() - self.started,
            output_exceeded=out.exceeded or err.exceeded,
            pipe_held=held,
            killed_holders=tuple(sorted({cmd for _, cmd in holders})),
            group_size=self._group or 0,
        )
        for stream in (self.proc.stdout, self.proc.stderr):
            with contextlib.suppress(OSError):
                stream.close()  # type: ignore[union-attr]
        with _live_lock:
            _live.discard(self)
        return self._result

    def _drain(self) -> bool:
        """Read what is left; True if the pipes stay open after the process is gone."""
        until = time.monotonic() + DRAIN_SECONDS
        for reader in self._readers:
            reader.join(max(0.0, until - time.monotonic()))
        return any(reader.is_alive() for reader in self._readers)

    def __enter__(self) -> Started:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._result is None:
            self.stop()


def run(
    argv: list[str],
    timeout: float,
    env: dict[str, str] | None = None,
    cwd: str | None = None,
    output_limit: int = 16 * 1024 * 1024,
) -> Finished:
    with Started(argv, env, cwd, output_limit) as started:
        return started.wait(timeout)
