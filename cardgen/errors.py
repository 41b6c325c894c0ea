"""The one exception family the CLI turns into `path:line: message` and an exit code."""

from __future__ import annotations

from dataclasses import dataclass

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


class Interrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM, raised so that the build stops its workers on the way out."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


PENDING_INTERRUPTS: list[int] = []
"""Signals the build received. Python drops an exception raised inside a fork hook (a Ctrl-C
while a worker starts): the build raises it again at its next `raise_pending_interrupt()`."""


def raise_pending_interrupt() -> None:
    if PENDING_INTERRUPTS:
        raise Interrupted(PENDING_INTERRUPTS[-1])


class CardgenError(Exception):
    """A problem the user can fix, located in a file (and a line when one is known)."""

    exit_code = EXIT_FAILED

    def __init__(self, message: str, path: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line

    def __str__(self) -> str:
        return located(self.message, self.path, self.line)

    def __reduce__(self):  # picklable, for builds in worker processes
        return (type(self), (self.message, self.path, self.line))


class SheetError(CardgenError):
    """A sheet cannot be turned into a model: binary, not UTF-8, unterminated fence..."""


class InputError(CardgenError):
    """Input that cannot be read at all (missing file, permission denied): exit code 2."""

    exit_code = EXIT_USAGE


class ConfigError(CardgenError):
    """A bad configuration file or key: exit code 2."""

    exit_code = EXIT_USAGE


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A warning about one place in a sheet: content that was not placed, a ragged row..."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return located(self.message, self.path, self.line)

    def to_json(self) -> dict[str, object]:
        return {"kind": "warning", "path": self.path, "line": self.line, "message": self.message}


def located(message: str, path: str | None, line: int | None) -> str:
    """Format `path:line: message`, leaving out what is not known."""
    if path is None:
        return message
    if line is None:
        return f"{path}: {message}"
    return f"{path}:{line}: {message}"
