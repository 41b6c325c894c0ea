"""The one place that knows how to run untrusted code: snippets, their builds, the peers that
judge them, the claim scenarios and learners' exercise programs.

Callers describe a `Program` and ask a `Sandbox` to run it, alone (`run`) or together with a
function that plays its peer (`call`); nobody else builds an `unshare` or `bwrap` line. With
bubblewrap (see `bwrap.py`), the program and its peer share a network namespace where only
loopback exists, a PID namespace that dies with the check, a read-only system, a private
/tmp and scratch folder, and the limits of `Limits`. Without it (no bwrap, no user
namespaces, not Linux) the same job runs with the limits only, and `isolation` says
`none: <why>`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cardgen.sandbox.jobs import Contained, Program, Sandbox, interruptible
    from cardgen.sandbox.limits import Limits
    from cardgen.sandbox.probe import Isolation, detect
    from cardgen.sandbox.process import Finished, Interrupted, Started, stop_all

_WHERE = {
    "Contained": "jobs",
    "Program": "jobs",
    "Sandbox": "jobs",
    "interruptible": "jobs",
    "Limits": "limits",
    "Isolation": "probe",
    "detect": "probe",
    "Finished": "process",
    "Interrupted": "process",
    "Started": "process",
    "stop_all": "process",
}
__all__ = [
    "Contained",
    "Finished",
    "Interrupted",
    "Isolation",
    "Limits",
    "Program",
    "Sandbox",
    "Started",
    "detect",
    "interruptible",
    "stop_all",
]


def __getattr__(name: str) -> object:
    """Names load with their module, so that the sandbox's own Python (`host.py`), which
    imports this package, does not load what only the outside needs."""
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(f"cardgen.sandbox.{_WHERE[name]}"), name)
    raise AttributeError(name)
