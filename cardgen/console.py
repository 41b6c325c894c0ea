"""Terminal output: a progress line on a terminal, plain lines in CI or a pipe, colour only
where it helps and never with `NO_COLOR` set."""

from __future__ import annotations

import os
import shutil
import sys


class Console:
    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet
        self.live = sys.stderr.isatty() and not os.environ.get("CI") and not quiet
        self.color = (
            sys.stderr.isatty()
            and "NO_COLOR" not in os.environ
            and os.environ.get("TERM") != "dumb"
        )
        self._shown = False

    def progress(self, message: str) -> None:
        """A transient status line, on a terminal only."""
        if not self.live:
            return
        width = shutil.get_terminal_size((80, 20)).columns - 1
        sys.stderr.write("\r\033[K" + message[:width])
        sys.stderr.flush()
        self._shown = True

    def _clear(self) -> None:
        if self._shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()
            self._shown = False

    def info(self, message: str) -> None:
        if not self.quiet:
            self._clear()
            print(message, flush=True)

    def notice(self, message: str) -> None:
        """Something the user should know even with `-q` (a build waiting for another)."""
        self._clear()
        print(message, file=sys.stderr, flush=True)

    def problem(self, message: str) -> None:
        self._clear()
        if self.color:
            message = f"\033[31m{message}\033[0m"
        print(message, file=sys.stderr, flush=True)
