"""An exercise: a task, the learner's starter files, hints, and the reference solution."""

from __future__ import annotations

from dataclasses import dataclass, field


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
    starter: str
    """The learner's file (`src/exercise.rs` or `exercise.py`) with TODOs."""
    solution: str
    hints: list[str] = field(default_factory=list)
    crates: list[str] = field(default_factory=list)
    expect: dict[str, str] = field(default_factory=dict)
    """What the checker reads back (socket options) or waits for (a state)."""
    number: int = 0

    @property
    def folder(self) -> str:
        return f"{self.number:02d}-{self.slug}"
