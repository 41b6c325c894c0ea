"""TCP states driven on loopback and observed in /proc/net/tcp, with the side holding each."""

from __future__ import annotations

import contextlib
import socket
import time
from dataclasses import dataclass, field

from cardgen.check.tcpstates import find, state_of


@dataclass(slots=True)
class StateLog:
    """Every state seen, the roles of the socket that held it, and each side's sequence."""

    holders: dict[str, list[frozenset[str]]] = field(default_factory=dict)
    both: set[str] = field(default_factory=set)
    """States both ends of one connection were seen in."""
    _by_connection: dict[int, dict[str, set[str]]] = field(default_factory=dict)
    sequences: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    """(side, role) → states that side went through, in order (e.g. ("server", "Receiver"))."""
    notes: list[str] = field(default_factory=list)
    time_wait_seconds: float | None = None

    def see(self, state: str | None, side: str, role: str | None, connection: int = 0) -> None:
        if not state:
            return
        sides = self._by_connection.setdefault(connection, {}).setdefault(state, set())
        sides.add(side)
        if connection and sides == {"client", "server"}:
            self.both.add(state)
        roles = frozenset({side.capitalize(), *([role] if role else [])})
        self.holders.setdefault(state, []).append(roles)
        seq = self.sequences.setdefault((side, role or ""), [])
        if not seq or seq[-1] != state:
            seq.append(state)

    def roles(self, state: str) -> frozenset[str]:
        """Roles every socket seen in `state` had, plus "Both" if both ends of one connection
        were in it."""
        seen = self.holders.get(state, [])
        if not seen:
            return frozenset()
        return frozenset.intersection(*seen) | ({"Both"} if state in self.both else set())


def _settle() -> None:
    time.sleep(0.05)


def _time_wait_timer(local: int, remote: int) -> float | None:
    """Seconds left on a TIME_WAIT socket's timer."""
    found = find(local, remote)
    return found.timer if found and found.state == "TIME_WAIT" else None


def small_buffers(sock: socket.socket) -> None:
    """Small windows, so that a few kilobytes left unread hold a FIN back."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)


def close_sequence(log: StateLog, closer: str) -> None:
    """Connect, then let `closer` ("client" or "server") close first, and watch both sides.
    The other side's FIN waits behind data the closer does not read yet, which holds it in
    LAST_ACK long enough to be seen."""
    receiver = "server" if closer == "client" else "client"
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    small_buffers(listener)  # inherited by the accepted socket, before the handshake
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    log.see(state_of(port, 0), "server", None)
    client = socket.socket()
    small_buffers(client)
    client.connect(("127.0.0.1", port))
    server, (_, cport) = listener.accept()
    listener.close()
    ends = {"client": (client, cport, port), "server": (server, port, cport)}

    def look() -> None:
        _settle()
        for side, (_, local, remote) in ends.items():
            log.see(
                state_of(local, remote),
                side,
                "Closer" if side == closer else "Receiver",
                connection=cport,
            )

    look()  # ESTABLISHED on both sides
    first, _, _ = ends[closer]
    other, _, _ = ends[receiver]
    first.shutdown(socket.SHUT_WR)
    look()  # FIN_WAIT_2 / CLOSE_WAIT
    other.setblocking(False)
    with contextlib.suppress(BlockingIOError):
        while True:
            other.send(b"x" * 65536)
    other.close()
    look()  # LAST_ACK, held while the closer leaves the data unread
    first.settimeout(5)
    while first.recv(65536):
        pass
    look()  # TIME_WAIT on the closer
    _, local, remote = ends[closer]
    if log.time_wait_seconds is None:
        log.time_wait_seconds = _time_wait_timer(local, remote)
    first.close()


def syn_sent(log: StateLog) -> None:
    """A client whose SYN gets no answer (the listener's accept queue is full)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    filler = socket.create_connection(("127.0.0.1", port), timeout=2)
    client = socket.socket()
    client.setblocking(False)
    with contextlib.suppress(BlockingIOError):
        client.connect(("127.0.0.1", port))
    _settle()
    # the one queued connection keeps the queue full; a second may or may not get in
    log.see(state_of(client.getsockname()[1], port), "client", None)
    for s in (client, filler, listener):
        s.close()


def observe() -> StateLog:
    log = StateLog()
    syn_sent(log)
    close_sequence(log, closer="client")
    close_sequence(log, closer="server")
    return log
