"""The loopback scenarios behind the claims, run once inside the sandbox (in its own network
namespace, so its /proc/net/tcp shows only their sockets); the observations as JSON."""

from __future__ import annotations

from dataclasses import asdict

from cardgen.claims import errors
from cardgen.claims.states import StateLog
from cardgen.claims.states import observe as observe_states


def observe(launch: object = None) -> dict:
    """The sandbox's entry point (`launch` is unused: no program runs here)."""
    found = {name: asdict(run()) for name, run in errors.SCENARIOS.items()}
    time_wait, workaround = errors.address_in_use_time_wait()
    return {
        "errors": found,
        "time_wait_bind": [asdict(time_wait), workaround],
        "states": encode_states(observe_states()),
    }


def encode_states(s: StateLog) -> dict:
    return {
        "holders": {k: [sorted(r) for r in v] for k, v in s.holders.items()},
        "both": sorted(s.both),
        "sequences": [[side, role, seq] for (side, role), seq in s.sequences.items()],
        "time_wait_seconds": s.time_wait_seconds,
    }
