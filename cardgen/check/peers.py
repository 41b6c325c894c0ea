"""Loopback peers: the other end of a snippet's socket. Each starts the snippet (through
`launch`), does its part of the exchange, and judges by what it saw.

They run inside the sandbox, in the snippet's own network namespace (`run_peer` is the
sandbox's entry point), so the loopback they share is the snippet's only network."""

from __future__ import annotations

import contextlib
import signal
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from cardgen.check import tcpstates
from cardgen.sandbox.process import Finished, Started

PAYLOAD = b"Hello from the cardgen peer\n"
Launch = Callable[[], Started]


@dataclass(slots=True)
class Verdict:
    passed: bool
    reason: str
    transcript: list[str] = field(default_factory=list)
    finished: Finished | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "passed": self.passed,
            "reason": self.reason,
            "transcript": self.transcript,
            "finished": self.finished.to_json() if self.finished else None,
        }

    @classmethod
    def from_json(cls, data: dict) -> Verdict:
        fin = data.get("finished")
        return cls(
            bool(data["passed"]),
            str(data["reason"]),
            list(data.get("transcript", [])),
            Finished.from_json(fin) if fin else None,
        )


def _exit_note(fin: Finished) -> str:
    if fin.timed_out:
        return f"it was still running after {fin.seconds:.0f}s and was stopped"
    if fin.signal is not None:
        return f"it was killed by {signal.Signals(fin.signal).name}"
    err = [line for line in fin.stderr.strip().splitlines() if line.strip()]
    tail = f": {err[-1].replace('CARDGEN_ERROR ', '')}" if err else ""
    return f"it exited with code {fin.returncode}{tail}"


def _close_listener(sock: socket.socket) -> None:
    """Close a listening socket and wake the thread blocked in its accept() (on Linux a
    plain close does not)."""
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


def listener_accept_queue(port: int) -> int | None:
    """Connections waiting in the accept queue of the loopback listener on `port` (Linux)."""
    listener = tcpstates.find(port, 0)
    return listener.rx_queue if listener and listener.state == "LISTEN" else None


def tcp_server(launch: Launch, port: int, timeout: float) -> Verdict:
    """Connect to the server snippet; it passes once it has accepted the connection."""
    log: list[str] = []
    with launch() as proc:
        deadline = time.monotonic() + timeout
        conn = None
        while time.monotonic() < deadline and proc.running():
            try:
                conn = socket.create_connection(("127.0.0.1", port), timeout=1)
                break
            except OSError:
                time.sleep(0.05)
        if conn is None:
            fin = proc.stop()
            return Verdict(
                False,
                "the server never accepted a connection on its port; " + _exit_note(fin),
                log,
                fin,
            )
        with conn:
            log.append(f"connected to 127.0.0.1:{port}")
            conn.sendall(PAYLOAD)
            log.append(f"sent {len(PAYLOAD)} bytes")
            accepted = False
            conn.settimeout(0.1)
            until = time.monotonic() + min(timeout, 5)
            while time.monotonic() < until and not accepted:
                queue = listener_accept_queue(port)
                if queue == 0:
                    accepted = True
                    log.append("the listener's accept queue emptied: the server accepted")
                try:
                    data = conn.recv(4096)
                    accepted = True
                    log.append(
                        f"server replied {data!r}"
                        if data
                        else "server closed the connection after accepting it"
                    )
                except TimeoutError:
                    pass
                except OSError as exc:
                    accepted = True
                    log.append(f"connection ended: {exc}")
        fin = proc.stop()
    if not accepted:
        return Verdict(False, "connected, but the server never accepted the connection", log, fin)
    return Verdict(True, "the server accepted a connection on loopback", log, fin)


def tcp_client(launch: Launch, port: int, timeout: float) -> Verdict:
    """Listen for the client snippet; it passes if its bytes arrive and it exits cleanly."""
    log: list[str] = []
    received = bytearray()
    connected = threading.Event()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(4)
    listener.settimeout(timeout)

    def serve() -> None:
        try:
            conn, peer = listener.accept()
        except OSError:
            return
        connected.set()
        log.append(f"accepted a connection from {peer[0]}:{peer[1]}")
        with conn:
            conn.settimeout(timeout)
            try:
                data = conn.recv(65536)
                while data:
                    received.extend(data)
                    conn.settimeout(0.3)
                    try:
                        data = conn.recv(65536)
                    except TimeoutError:
                        break
                log.append(f"received {len(received)} bytes: {bytes(received[:60])!r}")
                conn.sendall(PAYLOAD)
                log.append(f"replied {len(PAYLOAD)} bytes")
                conn.settimeout(2)
                conn.recv(1)
            except OSError:
                pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        with launch() as proc:
            fin = proc.wait(timeout)
    finally:
        _close_listener(listener)
        thread.join(3)
    if not connected.is_set():
        return Verdict(
            False, "the client never connected to the peer's port; " + _exit_note(fin), log, fin
        )
    if not received:
        return Verdict(False, "the client connected but sent nothing; " + _exit_note(fin), log, fin)
    if fin.returncode != 0:
        return Verdict(False, f"the peer received its bytes, but {_exit_note(fin)}", log, fin)
    return Verdict(
        True, f"the peer received {len(received)} bytes and the client exited cleanly", log, fin
    )


def udp_echo(launch: Launch, port: int, timeout: float) -> Verdict:
    """Send datagrams to the snippet until it echoes one back."""
    log: list[str] = []
    with launch() as proc, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as peer:
        peer.bind(("127.0.0.1", 0))
        peer.settimeout(0.2)
        deadline = time.monotonic() + timeout
        echo = None
        sent = 0
        while time.monotonic() < deadline and echo is None:
            peer.sendto(PAYLOAD, ("127.0.0.1", port))
            sent += 1
            try:
                echo, _ = peer.recvfrom(65536)
            except (TimeoutError, ConnectionRefusedError):
                if not proc.running():
                    break
        log.append(f"sent {sent} datagram(s) of {len(PAYLOAD)} bytes to 127.0.0.1:{port}")
        fin = proc.wait(2) if echo is not None else proc.stop()
    if echo is None:
        return Verdict(False, "no echo came back; " + _exit_note(fin), log, fin)
    log.append(f"got back {echo!r}")
    if echo != PAYLOAD:
        return Verdict(False, "the datagram that came back differs from the one sent", log, fin)
    return Verdict(True, "the datagram came back unchanged", log, fin)


def udp_client(launch: Launch, port: int, timeout: float) -> Verdict:
    """Receive the snippet's datagram and answer it."""
    log: list[str] = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as peer:
        peer.bind(("127.0.0.1", port))
        peer.settimeout(timeout)
        with launch() as proc:
            try:
                data, addr = peer.recvfrom(65536)
                log.append(f"received {data!r} from {addr[0]}:{addr[1]}")
                peer.sendto(PAYLOAD, addr)
                log.append(f"replied {len(PAYLOAD)} bytes")
            except OSError:
                data = b""
            fin = proc.wait(timeout)
    if not data:
        return Verdict(False, "no datagram arrived at the peer; " + _exit_note(fin), log, fin)
    if fin.returncode != 0:
        return Verdict(False, f"the datagram arrived, but {_exit_note(fin)}", log, fin)
    return Verdict(True, "the peer received the datagram and the snippet exited cleanly", log, fin)


def socket_options(launch: Launch, port: int, timeout: float, expected: dict[str, str]) -> Verdict:
    """Run the snippet; the options it set and the address it bound are read back."""
    with launch() as proc:
        fin = proc.wait(timeout)
    log = [line for line in fin.stdout.splitlines() if line.startswith("CARDGEN_")]
    if fin.returncode != 0:
        return Verdict(False, _exit_note(fin), log, fin)
    seen = {}
    for line in log:
        parts = line.split(" ", 2)
        if parts[0] == "CARDGEN_OPT" and len(parts) == 3:
            seen[parts[1]] = parts[2]
    wrong = [
        f"{name} reads back {seen.get(name)!r}, set to {value}"
        for name, value in expected.items()
        if value in ("true", "false") and seen.get(name) != value
    ]
    wrong += [
        f"{name} reads back {seen.get(name)!r}, set to {value}"
        for name, value in expected.items()
        if value.isdigit()
        and (seen.get(name) or "0").strip() in ("0", "False", "false")
        and value != "0"
    ]
    if wrong:
        return Verdict(False, "; ".join(wrong), log, fin)
    local = [line for line in log if line.startswith("CARDGEN_LOCAL")]
    if local and "127.0.0.1" not in local[0] and "::1" not in local[0]:
        return Verdict(False, f"the socket is not bound on loopback: {local[0]}", log, fin)
    return Verdict(
        True,
        f"{len(expected)} option(s) read back as set" + (", bound on loopback" if local else ""),
        log,
        fin,
    )


def program(launch: Launch, timeout: float) -> Verdict:
    with launch() as proc:
        fin = proc.wait(timeout)
    log = fin.stdout.strip().splitlines()[-5:]
    if fin.returncode != 0:
        return Verdict(False, _exit_note(fin), log, fin)
    return Verdict(True, "ran to completion", log, fin)


def listener(launch: Launch, port: int, timeout: float) -> Verdict:
    """Hold a listener on the port while the program (a shell command) runs to its end."""
    log = [f"listener on 127.0.0.1:{port}"]
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        sock.listen(1)
        with launch() as proc:
            fin = proc.wait(timeout)
    return Verdict(fin.returncode == 0, _exit_note(fin), log, fin)


def socket_state(launch: Launch, port: int, timeout: float, want: str) -> Verdict:
    """Serve one connection and watch the program's socket until it reaches `want`
    (CLOSE_WAIT, held half a second, or TIME_WAIT)."""
    if not tcpstates.available():
        return Verdict(False, "socket states can only be observed on Linux (/proc/net/tcp)")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(1)
    sock.settimeout(timeout)
    peer: dict[str, int] = {}
    accepted = threading.Event()
    log: list[str] = []

    def serve() -> None:
        try:
            conn, addr = sock.accept()
        except OSError:
            return
        peer["port"] = addr[1]
        accepted.set()
        log.append(f"accepted your connection from port {addr[1]}")
        with conn:
            conn.settimeout(0.4 if want == "CLOSE_WAIT" else 1.5)
            try:
                while conn.recv(1024):
                    pass
                log.append("your side closed first (the checker read end of stream)")
            except OSError:
                log.append("the checker closed its side first")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    watch = None
    with launch() as proc:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if watch is None and "port" in peer:
                watch = tcpstates.StateWatch(peer["port"], port)
            if watch is not None:
                state = watch.sample()
                if state == want and (want != "CLOSE_WAIT" or watch.held() > 0.5):
                    break
                if state == "CLOSED" and not proc.running():
                    break  # gone for good: a socket in TIME_WAIT outlives its program
            elif not proc.running() and not accepted.wait(1.0):
                break  # it ended, and no connection is even waiting to be accepted
            time.sleep(0.01)
        fin = proc.stop()
    _close_listener(sock)
    thread.join(2)
    if watch is None:
        return Verdict(False, "your program never connected to the checker's server", log, fin)
    log.append(f"your socket: {watch.path()}")
    if want in watch.history:
        return Verdict(True, f"your socket reached {want}", log, fin)
    return Verdict(False, f"your socket went {watch.path()}; expected {want}", log, fin)


PEERS = {
    "tcp_server": tcp_server,
    "tcp_client": tcp_client,
    "udp_echo": udp_echo,
    "udp_client": udp_client,
    "socket_options": socket_options,
    "program": lambda launch, port, timeout: program(launch, timeout),
    "listener": listener,
    "socket_state": socket_state,
}


def run_peer(launch: Launch, kind: str, port: int, timeout: float, **extra: object) -> dict:
    """The sandbox's entry point: play the peer of `kind` for the program, return the verdict."""
    return PEERS[kind](launch, port, timeout, **extra).to_json()
