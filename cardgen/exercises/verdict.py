"""A verdict on a learner's program, and the words the judges share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from cardgen.sandbox.process import Finished, Started

PAYLOAD = b"Hello from the cardgen peer\n"
"""What the checker sends a server and answers a client with."""
QUIET = 0.5
"""Seconds without new bytes after which the checker takes a message to be complete."""
Launch = Callable[[], Started]


@dataclass(slots=True)
class Verdict:
    passed: bool
    missing: str
    """The rung of the ladder the program did not reach (empty when it passed)."""
    reason: str
    transcript: list[str] = field(default_factory=list)
    finished: Finished | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "passed": self.passed,
            "missing": self.missing,
            "reason": self.reason,
            "transcript": self.transcript,
            "finished": self.finished.to_json() if self.finished else None,
        }

    @classmethod
    def from_json(cls, data: dict) -> Verdict:
        fin = data.get("finished")
        return cls(
            bool(data["passed"]),
            str(data.get("missing", "")),
            str(data["reason"]),
            [str(line) for line in data.get("transcript", [])],
            Finished.from_json(fin) if fin else None,
        )


def shown(data: bytes) -> str:
    """Bytes as the learner reads them: `Hello\\n`."""
    text = data.decode("latin-1").encode("unicode_escape").decode("ascii")
    return "`" + text.replace("`", "\\`") + "`"


def ended(fin: Finished) -> str:
    """How the program ended, in a few words."""
    if fin.timed_out:
        return f"it was still running after {fin.seconds:.0f} s and was stopped"
    if fin.returncode == 0:
        return "it ended without an error"
    if fin.returncode is not None and fin.returncode < 0:
        import signal

        return f"it was killed by {signal.Signals(-fin.returncode).name}"
    return f"it ended with exit code {fin.returncode}"


def compare(got: bytes, want: bytes, who: str) -> str | None:
    """What is wrong with `got`, or None when it is `want`."""
    if got == want:
        return None
    if not got:
        return f"{who} got nothing"
    if want.startswith(got):
        return f"{who} got {len(got)} of {len(want)} bytes: {shown(got)}"
    if got.startswith(want):
        extra = len(got) - len(want)
        return f"{who} got {len(got)} bytes, {extra} more than {shown(want)}: {shown(got)}"
    return f"{who} got {shown(got)} instead of {shown(want)}"
