"""`cardgen exercise watch DIR`: check again whenever a file in the exercise changes."""

from __future__ import annotations

import time
from pathlib import Path

from cardgen.errors import EXIT_OK
from cardgen.exercises.judge import check_exercise, solution_folder

IGNORED = {"target", ".git", "__pycache__"}


def snapshot(folder: Path) -> dict[str, float]:
    """Modification times of the exercise's own files (build output left out)."""
    seen: dict[str, float] = {}
    for path in folder.rglob("*"):
        if path.is_file() and not IGNORED & set(path.relative_to(folder).parts):
            if path.name.startswith(".hints"):
                continue
            seen[str(path)] = path.stat().st_mtime
    return seen


def watch(
    folder: Path, solution: bool, timeout: float, poll: float = 0.5, rounds: int | None = None
) -> int:
    """Check, then check again after every save; Ctrl-C stops. `rounds` limits checks."""
    watched = solution_folder(folder) if solution else folder
    done = 0
    try:
        while rounds is None or done < rounds:
            before = snapshot(watched)
            print(check_exercise(folder, solution=solution, timeout=timeout).text(), flush=True)
            done += 1
            if rounds is not None and done >= rounds:
                break
            print(f"Watching {watched} for changes (Ctrl-C to stop)…", flush=True)
            while snapshot(watched) == before:
                time.sleep(poll)
            print("", flush=True)
    except KeyboardInterrupt:
        print("stopped", flush=True)
    return EXIT_OK
