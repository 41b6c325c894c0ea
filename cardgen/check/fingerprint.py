"""What decides a check's verdict besides the snippet itself, for the result cache's keys:
cardgen's own checking code, the toolchain, the crates, the isolation and the limits.
Never the sheet's path or the snippet's line: moving a snippet keeps its key."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

from cardgen import __version__

_CHECKING_CODE = ("check", "sandbox", "claims")


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """cardgen's version and the text of every module that wraps, runs or judges a snippet."""
    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256(__version__.encode())
    for package in _CHECKING_CODE:
        for path in sorted((root / package).glob("*.py")):
            h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]


@lru_cache(maxsize=8)
def tool_version(tool: str) -> str | None:
    """`tool -vV` (or `--version`) output, or None when the tool is not installed."""
    path = shutil.which(tool)
    if path is None:
        return None
    for flag in ("-vV", "--version"):
        try:
            done = subprocess.run(
                [path, flag], capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL
            )
        except (OSError, subprocess.SubprocessError):
            continue
        if done.returncode == 0 and done.stdout.strip():
            return done.stdout.strip()
    return None


def python_version() -> str:
    return f"{sys.executable} {sys.version}"


def key(*parts: str) -> str:
    return hashlib.sha256("\x1f".join((code_fingerprint(), *parts)).encode()).hexdigest()[:32]
