"""Claims reproduced live: the sheet's error table, state table and state paths, compared with
what Linux loopback actually does. Each claim becomes a check result naming its row's line.

The scenarios (`errors.py`, `states.py`, `observe.py`) run inside the sandbox and import
nothing beyond the standard library; the judging (`verdicts.py`) is loaded only when asked
for, so that the sandbox's Python starts fast."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cardgen.claims.verdicts import (
        PREFIX,
        VERIFIED_COLUMN,
        check_claims,
        mark_verified,
        observations,
    )

__all__ = ["PREFIX", "VERIFIED_COLUMN", "check_claims", "mark_verified", "observations"]


def __getattr__(name: str) -> object:
    if name in __all__:
        from cardgen.claims import verdicts

        return getattr(verdicts, name)
    raise AttributeError(name)
