"""Worker processes that never outlive the build, and never take another job down with them.

A small pool of forked processes, one pipe each, fed one job at a time. Compared with
`concurrent.futures` it promises three things the build needs:

- a worker that dies (out of memory, a crash) fails the job it was doing, and no other;
- Ctrl-C or SIGTERM in the parent stops every worker at once (they are killed, not asked);
- a worker dies with its parent, even when the parent is killed with `kill -9` (Linux's
  `PR_SET_PDEATHSIG`).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Generic, TypeVar

Job = TypeVar("Job")
Result = TypeVar("Result")


@dataclass(frozen=True, slots=True)
class Failed:
    """A job that did not give a result: why, in words ("stopped unexpectedly (exit 9)")."""

    reason: str


def _die_with_parent(parent: int) -> None:
    """In a worker: Ctrl-C is the parent's to handle, and the worker dies with it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)


def _serve(conn: Connection, work: Callable, parent: int) -> None:
    _die_with_parent(parent)
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            os._exit(0)
        if message is None:
            os._exit(0)
        index, job = message
        try:
            reply: object = work(job)
        except BaseException as exc:  # reported, not raised: the pool goes on
            reply = Failed(f"failed: {type(exc).__name__}: {exc}")
        try:
            conn.send((index, reply))
        except Exception as exc:  # a result that cannot be sent back
            conn.send((index, Failed(f"failed to send its result: {type(exc).__name__}: {exc}")))


@dataclass(slots=True)
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection
    doing: int | None = None


class WorkerPool(Generic[Job, Result]):
    """`work(job)` for every job in `size` forked processes; results come back in job order."""

    def __init__(self, work: Callable[[Job], Result], size: int) -> None:
        self.work = work
        self.size = size
        self.workers: list[_Worker] = []
        self.context = multiprocessing.get_context("fork")

    def _start(self) -> _Worker:
        parent_end, child_end = self.context.Pipe()
        process = self.context.Process(
            target=_serve, args=(child_end, self.work, os.getpid()), daemon=True
        )
        process.start()
        child_end.close()
        worker = _Worker(process, parent_end)
        self.workers.append(worker)
        return worker

    def run(self, jobs: list[Job]) -> Iterator[tuple[Job, Result | Failed]]:
        """Yield (job, its result or `Failed`) in the order of `jobs`. Leaving the loop early,
        or an exception (KeyboardInterrupt included), kills every worker."""
        todo = deque(enumerate(jobs))
        results: dict[int, Result | Failed] = {}
        next_out = 0
        try:
            for _ in range(min(self.size, len(jobs))):
                self._give(self._start(), todo)
            while next_out < len(jobs):
                while next_out in results:
                    yield jobs[next_out], results.pop(next_out)
                    next_out += 1
                if next_out >= len(jobs):
                    break
                busy = [w for w in self.workers if w.doing is not None]
                ready = wait([w.conn for w in busy] + [w.process.sentinel for w in busy])
                for worker in busy:
                    if worker.conn in ready or worker.conn.poll():
                        self._collect(worker, results, todo)
                    elif worker.process.sentinel in ready:
                        self._lost(worker, results, todo)
        finally:
            self.close()

    def _give(self, worker: _Worker, todo: deque) -> None:
        if todo:
            index, job = todo.popleft()
            worker.doing = index
            worker.conn.send((index, job))
        else:
            worker.doing = None

    def _collect(self, worker: _Worker, results: dict, todo: deque) -> None:
        try:
            index, reply = worker.conn.recv()
        except (EOFError, OSError):
            self._lost(worker, results, todo)
            return
        results[index] = reply
        self._give(worker, todo)

    def _lost(self, worker: _Worker, results: dict, todo: deque) -> None:
        """The worker died doing a job: that job fails; a new worker takes the rest."""
        worker.process.join(1)
        code = worker.process.exitcode
        how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit {code}"
        if worker.doing is not None:
            results[worker.doing] = Failed(f"stopped unexpectedly ({how}; out of memory?)")
        worker.doing = None
        worker.conn.close()
        self.workers.remove(worker)
        if todo:
            self._give(self._start(), todo)

    def close(self) -> None:
        """Stop every worker now."""
        for worker in self.workers:
            with contextlib.suppress(OSError, ValueError, AttributeError):
                worker.process.kill()
        for worker in self.workers:
            with contextlib.suppress(OSError, ValueError, AssertionError):
                worker.process.join(1)
            worker.conn.close()
        self.workers = []
