"""Which isolation this machine offers: bubblewrap with user, network and PID namespaces, or
none (and why). Probed once per process by starting a real, empty sandbox."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache

NONE_PREFIX = "none: "


@dataclass(frozen=True, slots=True)
class Isolation:
    bwrap: str | None
    """Path of bwrap when it works here, else None."""
    description: str
    """`bwrap 0.8.0`, or `none: <why>`."""
    sized_tmpfs: bool = False
    """bwrap can size a tmpfs (`--size`, bubblewrap 0.7 and later)."""
    no_nested_userns: bool = False
    """bwrap can forbid user namespaces inside the sandbox (`--disable-userns`, 0.8)."""

    @property
    def available(self) -> bool:
        return self.bwrap is not None


def none(reason: str) -> Isolation:
    return Isolation(None, NONE_PREFIX + reason)


@lru_cache(maxsize=1)
def detect() -> Isolation:
    """The isolation to use. `CARDGEN_SANDBOX=none` turns it off (to measure its cost)."""
    if os.environ.get("CARDGEN_SANDBOX", "").lower() in ("none", "off", "0"):
        return none("turned off (CARDGEN_SANDBOX=none)")
    if platform.system() != "Linux":
        return none(f"{platform.system()} has no Linux namespaces; bubblewrap needs Linux")
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return none("bubblewrap (bwrap) is not installed (Debian: apt-get install bubblewrap)")
    try:
        helped = subprocess.run(
            [bwrap, "--help"], capture_output=True, text=True, timeout=10
        ).stdout
        version = subprocess.run(
            [bwrap, "--version"], capture_output=True, text=True, timeout=10
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError) as exc:
        return none(f"bwrap does not run: {exc}")
    true = shutil.which("true") or "/bin/true"
    from cardgen.sandbox.bwrap import namespace_args

    trial = Isolation(
        bwrap,
        version,
        sized_tmpfs="--size" in helped,
        no_nested_userns="--disable-userns" in helped,
    )
    try:
        tried = subprocess.run(
            [*namespace_args(trial), "--ro-bind", "/", "/", "--proc", "/proc", "--", true],
            capture_output=True,
            text=True,
            timeout=20,
            start_new_session=True,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return none(f"bwrap does not run: {exc}")
    if tried.returncode != 0:
        why = (tried.stderr.strip().splitlines() or [f"exit code {tried.returncode}"])[-1]
        return none(f"bwrap cannot create its namespaces here ({why})")
    return trial
