"""Where cardgen keeps what it can reuse between runs (check results, builds, templates)."""

from __future__ import annotations

import os
from pathlib import Path


def default_cache() -> Path:
    """`$CARDGEN_CACHE_DIR`, else `$XDG_CACHE_HOME/cardgen`, else `~/.cache/cardgen`."""
    if env := os.environ.get("CARDGEN_CACHE_DIR"):
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cardgen"
