"""TCP socket states on Linux loopback, read from `/proc/net/tcp` and `/proc/net/tcp6`."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

STATES = {
    "01": "ESTABLISHED",
    "02": "SYN_SENT",
    "03": "SYN_RECEIVED",
    "04": "FIN_WAIT_1",
    "05": "FIN_WAIT_2",
    "06": "TIME_WAIT",
    "07": "CLOSED",
    "08": "CLOSE_WAIT",
    "09": "LAST_ACK",
    "0A": "LISTEN",
    "0B": "CLOSING",
}
TABLES = (Path("/proc/net/tcp"), Path("/proc/net/tcp6"))


def available() -> bool:
    return TABLES[0].exists()


@dataclass(frozen=True, slots=True)
class TcpSocket:
    local_port: int
    remote_port: int
    state: str
    tx_queue: int
    rx_queue: int
    """For a LISTEN socket: connections waiting in its accept queue."""
    timer: float
    """Seconds left on the socket's timer (`tm->when`, in USER_HZ = 100 ticks a second)."""


def sockets() -> list[TcpSocket]:
    found = []
    for table in TABLES:
        try:
            rows = table.read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            p = row.split()
            if len(p) < 5:
                continue
            tx, rx = p[4].split(":")
            found.append(
                TcpSocket(
                    int(p[1].rsplit(":", 1)[1], 16),
                    int(p[2].rsplit(":", 1)[1], 16),
                    STATES.get(p[3], p[3]),
                    int(tx, 16),
                    int(rx, 16),
                    int(p[5].split(":")[1], 16) / 100 if len(p) > 5 else 0.0,
                )
            )
    return found


def find(local_port: int, remote_port: int) -> TcpSocket | None:
    """The socket from `local_port` to `remote_port` (0 for a listener), if there is one."""
    for s in sockets():
        if s.local_port == local_port and s.remote_port == remote_port:
            return s
    return None


def state_of(local_port: int, remote_port: int) -> str | None:
    """State of the socket from `local_port` to `remote_port`, or None if there is none."""
    found = find(local_port, remote_port)
    return found.state if found else None


class StateWatch:
    """Samples one socket's state and keeps the distinct states it went through."""

    def __init__(self, local_port: int, remote_port: int) -> None:
        self.local_port = local_port
        self.remote_port = remote_port
        self.history: list[str] = []
        self.since = time.monotonic()

    def sample(self) -> str:
        state = state_of(self.local_port, self.remote_port) or "CLOSED"
        if not self.history or self.history[-1] != state:
            self.history.append(state)
            self.since = time.monotonic()
        return state

    def held(self) -> float:
        """Seconds the current state has lasted."""
        return time.monotonic() - self.since

    def path(self) -> str:
        return " → ".join(self.history) if self.history else "nothing"
