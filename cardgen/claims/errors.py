"""Socket errors reproduced on loopback: each scenario returns what it observed."""

from __future__ import annotations

import errno
import os
import socket
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass

RUST_KINDS = {
    errno.ECONNREFUSED: "ConnectionRefused",
    errno.EADDRINUSE: "AddrInUse",
    errno.EPIPE: "BrokenPipe",
    errno.ECONNRESET: "ConnectionReset",
    errno.ETIMEDOUT: "TimedOut",
    errno.ENETUNREACH: "NetworkUnreachable",
}
"""How Rust's std maps each errno to `io::ErrorKind` (`sys::decode_error_kind` on Unix)."""


@dataclass(frozen=True, slots=True)
class Observed:
    """What a scenario produced: the error, its errno, and Python's exception for it."""

    error: str
    """Words that name the error, as in the sheet: "Connection refused"."""
    errno_name: str
    python: str
    steps: tuple[str, ...]

    @property
    def rust(self) -> str:
        code = getattr(errno, self.errno_name, None)
        return f"io::ErrorKind::{RUST_KINDS[code]}" if code in RUST_KINDS else "—"

    def summary(self) -> str:
        return f"{self.errno_name} ({self.error}); Python {self.python}; Rust {self.rust}"


def _listener(backlog: int = 8, reuse: bool = True) -> socket.socket:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if reuse:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(backlog)
    s.settimeout(5)
    return s


def _observed(exc: OSError, steps: list[str]) -> Observed:
    code = exc.errno or (errno.ETIMEDOUT if isinstance(exc, TimeoutError) else 0)
    name = errno.errorcode.get(code, str(code))
    words = os.strerror(code) if code else str(exc)
    return Observed(words, name, type(exc).__name__, tuple(steps))


def connection_refused() -> Observed:
    """Connect to a loopback port nobody listens on."""
    probe = _listener()
    port = probe.getsockname()[1]
    probe.close()
    steps = [f"no listener on 127.0.0.1:{port}", "connect()"]
    with socket.socket() as s:
        try:
            s.connect(("127.0.0.1", port))
        except OSError as exc:
            return _observed(exc, steps)
    raise RuntimeError("connect() to a closed port succeeded")


def address_in_use() -> Observed:
    """Bind a second socket to a port another socket is listening on."""
    with _listener(reuse=False) as first, socket.socket() as second:
        port = first.getsockname()[1]
        steps = [f"a listener holds 127.0.0.1:{port}", "bind() a second socket to it"]
        try:
            second.bind(("127.0.0.1", port))
        except OSError as exc:
            return _observed(exc, steps)
    raise RuntimeError("the second bind() succeeded")


def address_in_use_time_wait() -> tuple[Observed, str]:
    """A server (with SO_REUSEADDR, as servers set it) that closed first leaves its port in
    TIME_WAIT: a new bind() fails without SO_REUSEADDR and works with it. Returns the failure
    and what SO_REUSEADDR did."""
    server = _listener(reuse=True)
    port = server.getsockname()[1]
    client = socket.create_connection(("127.0.0.1", port), timeout=5)
    conn, _ = server.accept()
    conn.close()  # the server closes first: its side (port `port`) goes to TIME_WAIT
    time.sleep(0.05)
    client.close()
    server.close()
    time.sleep(0.05)
    steps = [
        f"server on port {port} closed first; its socket is in TIME_WAIT",
        "bind() a new socket to the port without SO_REUSEADDR",
    ]
    with socket.socket() as again:
        try:
            again.bind(("127.0.0.1", port))
        except OSError as exc:
            observed = _observed(exc, steps)
        else:
            raise RuntimeError("bind() next to a TIME_WAIT socket succeeded")
    with socket.socket() as reuse:
        reuse.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            reuse.bind(("127.0.0.1", port))
            reuse.listen(1)
            workaround = "with SO_REUSEADDR the bind succeeds"
        except OSError as exc:
            workaround = f"with SO_REUSEADDR the bind still fails: {exc.strerror}"
    return observed, workaround


def broken_pipe() -> Observed:
    """Write to a connection whose peer has closed."""
    with _listener() as server:
        client = socket.create_connection(server.getsockname(), timeout=5)
        conn, _ = server.accept()
        conn.close()
        steps = ["the peer closed the connection", "write() until the kernel refuses"]
        try:
            for _ in range(50):
                client.send(b"x" * 1024)
                time.sleep(0.01)
        except BrokenPipeError as exc:
            return _observed(exc, steps)
        except ConnectionResetError:
            steps.append("the first write drew a reset; writing again")
            try:
                client.send(b"x")
            except OSError as exc:
                return _observed(exc, steps)
        finally:
            client.close()
    raise RuntimeError("writing to a closed connection never failed")


def connection_reset() -> Observed:
    """The peer closes with SO_LINGER 0, which sends RST instead of FIN."""
    with _listener() as server:
        client = socket.create_connection(server.getsockname(), timeout=5)
        conn, _ = server.accept()
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.close()
        steps = ["the peer closed with SO_LINGER 0 (RST)", "recv()"]
        try:
            client.recv(1024)
        except OSError as exc:
            return _observed(exc, steps)
        finally:
            client.close()
    raise RuntimeError("recv() after a reset did not fail")


def connection_timeout(wait: float = 1.5) -> Observed:
    """A listener whose accept queue is full drops new SYNs: connect() gets no answer."""
    server = _listener(backlog=0)
    queued: list[socket.socket] = []
    try:
        for _ in range(8):
            s = socket.socket()
            s.settimeout(wait)
            try:
                s.connect(server.getsockname())
                queued.append(s)
            except TimeoutError as exc:
                s.close()
                steps = [
                    f"the listener's accept queue holds {len(queued)} connection(s), "
                    "nobody accepts",
                    f"connect() with a {wait:g}s timeout: no SYN-ACK",
                ]
                return Observed(
                    os.strerror(errno.ETIMEDOUT), "ETIMEDOUT", type(exc).__name__, tuple(steps)
                )
    finally:
        for s in queued:
            s.close()
        server.close()
    raise RuntimeError("the accept queue never filled")


SCENARIOS: dict[str, Callable[[], Observed]] = {
    "connection refused": connection_refused,
    "address already in use": address_in_use,
    "broken pipe": broken_pipe,
    "connection reset": connection_reset,
    "connection timeout": connection_timeout,
    "connection timed out": connection_timeout,
}
NOT_CHECKABLE = {
    "network unreachable": "needs a route that does not exist; loopback always has a route, "
    "so this error cannot be produced without leaving loopback",
}


def names_match(claimed: str, observed: str) -> bool:
    def key(text: str) -> str:
        text = text.lower().replace('"', "").replace("by peer", "").replace("timed out", "timeout")
        return " ".join(text.split())

    return key(claimed) == key(observed) or key(observed).startswith(key(claimed))
