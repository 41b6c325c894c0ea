"""What a check of one snippet (or one shell command) found."""

from __future__ import annotations

from dataclasses import dataclass, field

PASS, FAIL, SKIP, REFUSED = "PASS", "FAIL", "SKIP", "REFUSED"


@dataclass(slots=True)
class CheckResult:
    path: str
    line: int
    """Line of the snippet's opening fence (or of the shell command) in the Markdown file."""
    lang: str
    kind: str
    """tcp_server, tcp_client, udp_echo, udp_client, socket_options, program, shell."""
    label: str
    status: str
    reason: str
    context: list[str] = field(default_factory=list)
    """What was added to make the fragment run: imports, fixtures, port rewrites."""
    transcript: list[str] = field(default_factory=list)
    """What the loopback peer saw and did."""
    mode: str = ""
    """How it was compiled: `merged`, `per-snippet`, `cached`, `interpreted`."""
    seconds: float = 0.0
    isolation: str = ""
    """What contained it when it ran (`bubblewrap 0.8.0`, or `none: <why>`); empty when
    nothing ran (skipped, refused)."""

    @property
    def failed(self) -> bool:
        return self.status in (FAIL, REFUSED)

    def line_text(self) -> str:
        if self.kind.endswith("claim"):
            what = self.kind.replace("_", " ")
            return f"{self.path}:{self.line}: {what} '{self.label}': {self.status} — {self.reason}"
        what = f"{self.lang} {self.kind}" if self.lang else self.kind
        return f"{self.path}:{self.line}: {what} snippet: {self.status} — {self.reason}"

    def to_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "lang": self.lang,
            "kind": self.kind,
            "label": self.label,
            "status": self.status,
            "reason": self.reason,
            "context": self.context,
            "transcript": self.transcript,
            "mode": self.mode,
            "seconds": round(self.seconds, 3),
            "isolation": self.isolation,
        }

    @classmethod
    def from_json(cls, data: dict) -> CheckResult:
        return cls(**{k: data[k] for k in cls.__slots__ if k in data})  # type: ignore[attr-defined]
