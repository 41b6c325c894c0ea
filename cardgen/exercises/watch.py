"""`cardgen exercise watch DIR`: check again whenever a file of the exercise changes.

On a terminal the screen is cleared before each check, so that one verdict shows at a
time; a line says the check is running (a hanging program takes up to its timeout), and
each verdict carries the time it was given.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TextIO

from cardgen.errors import EXIT_OK
from cardgen.exercises.judge import check_exercise, load, solution_folder

IGNORED = {"target", "__pycache__"}
CLEAR = "\x1b[H\x1b[2J\x1b[3J"
"""Cursor home, clear the screen and its scrollback."""


def _ignored(parts: tuple[str, ...]) -> bool:
    """Build output, hidden files (`.hints-seen`, `.git`, editors' swap files), backups."""
    name = parts[-1]
    return (
        bool(IGNORED & set(parts))
        or any(p.startswith(".") for p in parts)
        or name.endswith("~")
        or name == "4913"  # vim's test of whether it may write the folder
    )


def snapshot(folder: Path) -> dict[str, float]:
    """Modification times of the exercise's own files."""
    seen: dict[str, float] = {}
    for path in folder.rglob("*"):
        if path.is_file() and not _ignored(path.relative_to(folder).parts):
            seen[str(path)] = path.stat().st_mtime
    return seen


def stamp() -> str:
    return time.strftime("%H:%M:%S")


def watch(
    folder: Path,
    solution: bool,
    timeout: float,
    poll: float = 0.5,
    rounds: int | None = None,
    out: TextIO | None = None,
) -> int:
    """Check, then check again after every save; Ctrl-C stops. `rounds` limits checks."""
    out = out or sys.stdout
    load(folder)
    watched = solution_folder(folder) if solution else folder
    clear = out.isatty()
    done = 0

    def say(text: str) -> None:
        out.write(text + "\n")
        out.flush()

    try:
        while rounds is None or done < rounds:
            before = snapshot(watched)
            if clear:
                out.write(CLEAR)
            say(f"[{stamp()}] Checking {watched} … (your program may run up to {timeout:g} s)")
            outcome = check_exercise(folder, solution=solution, timeout=timeout)
            say(f"[{stamp()}] {outcome.text()}")
            done += 1
            if rounds is not None and done >= rounds:
                break
            say(f"\nWatching {watched} for changes (Ctrl-C to stop)…")
            while snapshot(watched) == before:
                time.sleep(poll)
    except KeyboardInterrupt:
        say("stopped")
    return EXIT_OK
