"""The checker's side of an exercise: it plays the peer of the learner's program on loopback
and judges the whole behaviour the task states, naming the first thing missing.

It runs inside the sandbox, next to the learner's program (`run_judge` is the sandbox's entry
point), with the standard library only. A verdict's `missing` is a rung of the exercise's
ladder (`cardgen.exercises.tasks`), which the hints are named by. The judges are in
`tcp_judges`, `udp_judges` and `socket_judges`.
"""

from __future__ import annotations

from collections.abc import Callable

from cardgen.exercises.socket_judges import socket_options, socket_state
from cardgen.exercises.tcp_judges import tcp_client, tcp_server
from cardgen.exercises.udp_judges import udp_client, udp_echo
from cardgen.exercises.verdict import Launch, Verdict

JUDGES: dict[str, Callable[[Launch, int, float, dict], Verdict]] = {
    "tcp_client": tcp_client,
    "tcp_server": tcp_server,
    "udp_echo": udp_echo,
    "udp_client": udp_client,
    "close_wait": socket_state,
    "time_wait": socket_state,
}


def run_judge(
    launch: Launch, kind: str, port: int, timeout: float, expect: dict, order: list[str]
) -> dict:
    """The sandbox's entry point: judge the learner's program, return the verdict. `order`
    is the rungs of the ladder the hints address, first to last."""
    if kind == "socket_options":
        return socket_options(launch, port, timeout, expect, order).to_json()
    return JUDGES[kind](launch, port, timeout, expect).to_json()
