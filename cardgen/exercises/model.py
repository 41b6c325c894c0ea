"""An exercise: a task, a program written in numbered steps, a hint per step, and what the
checker checks.

The starter, its TODOs, the hints and the solution are one thing seen at different stages:
the program with no step done is the starter, with every step done the solution, and hint N
belongs to TODO N. They cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Line:
    """One line of the learner's file (it may hold several lines of text)."""

    step: int
    """The step that writes it (1-based), or 0 for a line the starter already has."""
    solved: str | None
    """The text once its step is done; None: no line then."""
    todo: str | None
    """The text before its step is done (the TODO); None: no line then."""

    @classmethod
    def fixed(cls, text: str) -> Line:
        return cls(0, text, text)


@dataclass(frozen=True, slots=True)
class Step:
    """One thing the learner writes: TODO N in the starter, hint N in the README."""

    addresses: str
    """What the checker says is missing while this step is not done (`connect`, `send`,
    `read_reply`, `nodelay`, …): the `missing` of its verdict."""
    hint: str


@dataclass(slots=True)
class Exercise:
    slug: str
    """Folder name without its number: `tcp-server`, `close-wait`."""
    title: str
    kind: str
    """What the checker does: tcp_server, tcp_client, udp_echo, udp_client, socket_options,
    close_wait, time_wait."""
    lang: str
    """`rust` or `python`."""
    task: str
    """Markdown: what to do, for someone who never saw the cheatsheet."""
    background: str
    """Markdown: the facts from the sheet the exercise practises."""
    source: str
    """`sheet.md:line` the exercise comes from."""
    lines: list[Line]
    """The learner's file (`src/exercise.rs` or `exercise.py`), step by step."""
    steps: list[Step]
    checks: list[str]
    """What the checker checks, in the learner's words (the README lists them)."""
    expect: dict[str, object] = field(default_factory=dict)
    """What the checker's verdict rests on: the bytes to send, the options, the state."""
    crates: list[str] = field(default_factory=list)
    number: int = 0

    @property
    def folder(self) -> str:
        return f"{self.number:02d}-{self.slug}"

    def program(self, done: int) -> str:
        """The learner's file with the first `done` steps written."""
        out = []
        for line in self.lines:
            text = line.solved if line.step <= done else line.todo
            if text is not None:
                out.append(text)
        return "\n".join(out) + "\n"

    @property
    def starter(self) -> str:
        return self.program(0)

    @property
    def solution(self) -> str:
        return self.program(len(self.steps))

    @property
    def hints(self) -> list[str]:
        return [step.hint for step in self.steps]
