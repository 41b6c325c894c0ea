"""TCP judges: the checker as the server of a learner's client, and as the client of a
learner's server.

A client that closes with unread data makes its kernel answer with RST instead of FIN, so the
checker's server sees a reset where a client that read its reply shows an orderly end. A
server's connection still in the listener's accept queue was never accepted; one whose
receive queue still holds the checker's bytes was never read (`/proc/net/tcp`).
"""

from __future__ import annotations

import contextlib
import socket
import time

from cardgen.check import tcpstates
from cardgen.exercises.verdict import PAYLOAD, QUIET, Launch, Verdict, compare, ended, shown
from cardgen.sandbox.process import Started


def close(sock: socket.socket) -> None:
    """Close a socket, waking a thread blocked in its accept() (a plain close does not)."""
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


def accept(listener: socket.socket, proc: Started, timeout: float) -> socket.socket | None:
    """The program's connection, once it comes (None if it ends or the time runs out)."""
    deadline = time.monotonic() + timeout
    listener.settimeout(0.05)
    while time.monotonic() < deadline:
        try:
            conn, _ = listener.accept()
            return conn
        except TimeoutError:
            if not proc.running():
                listener.settimeout(0.2)  # it may have connected just before it ended
                with contextlib.suppress(TimeoutError, OSError):
                    return listener.accept()[0]
                return None
    return None


def listen(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(4)
    return sock


def receive(conn: socket.socket, size: int, first: float) -> tuple[bytes, str]:
    """Bytes until `size` of them came, the peer closed, or it went quiet. Returns them and
    how the reading ended: `enough`, `closed`, `reset` or `quiet`."""
    got = b""
    deadline = time.monotonic() + first
    while len(got) < size:
        wait = deadline - time.monotonic() if not got else QUIET
        if wait <= 0:
            return got, "quiet"
        conn.settimeout(wait)
        try:
            data = conn.recv(65536)
        except TimeoutError:
            return got, "quiet"
        except ConnectionResetError:
            return got, "reset"
        if not data:
            return got, "closed"
        got += data
    conn.settimeout(0.1)  # a little longer, for bytes beyond those expected
    try:
        while data := conn.recv(65536):
            got += data
    except TimeoutError:
        return got, "enough"
    except ConnectionResetError:
        return got, "reset"
    return got, "closed"


def reset_later(conn: socket.socket) -> bool:
    """Whether the other side ended with a reset: its kernel had data it never read."""
    time.sleep(0.05)
    conn.settimeout(0.5)
    try:
        while conn.recv(65536):
            pass
    except ConnectionResetError:
        return True
    except (TimeoutError, OSError):
        pass
    return conn.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) != 0


def tcp_client(launch: Launch, port: int, timeout: float, expect: dict) -> Verdict:
    """Be the server the learner's client talks to: it must send exactly `send`, read the
    whole reply (when the task says so), and end without an error."""
    want = str(expect.get("send", "")).encode("latin-1")
    read_reply = bool(expect.get("read_reply"))
    log: list[str] = []
    listener = listen(port)
    with launch() as proc:
        conn = accept(listener, proc, timeout)
        close(listener)
        if conn is None:
            fin = proc.stop()
            return Verdict(
                False,
                "connect",
                f"your program never connected to the checker's server on 127.0.0.1:{port}",
                log,
                fin,
            )
        with conn:
            peer = conn.getpeername()
            log.append(f"accepted your connection from {peer[0]}:{peer[1]}")
            got, how = receive(conn, len(want), timeout)
            log.append(f"received {len(got)} byte(s)" + (f": {shown(got)}" if got else ""))
            if (wrong := compare(got, want, "the checker's server")) is not None:
                fin = proc.wait(1.0) if how in ("closed", "reset") else proc.stop()
                if not got:
                    wrong = "your program connected but sent nothing"
                    if how == "quiet":
                        wrong += f" ({ended(fin)})"
                return Verdict(False, "send", wrong, log, fin)
            closed_early = how in ("closed", "reset")
            if closed_early:
                log.append("your program closed the connection before the checker answered")
            if read_reply:
                with contextlib.suppress(OSError):
                    conn.sendall(PAYLOAD)
                    log.append(f"replied {len(PAYLOAD)} bytes: {shown(PAYLOAD)}")
                    conn.shutdown(socket.SHUT_WR)
            fin = proc.wait(timeout)
            reset = how == "reset" or reset_later(conn)
    if reset:
        log.append("your side of the connection ended with a reset (RST), not with FIN")
    if read_reply and reset:
        why = (
            "you never read the reply: your program closed the connection before it came"
            if closed_early
            else f"you did not read the whole reply ({len(PAYLOAD)} bytes): your program "
            "closed the connection with some of it unread, so its kernel reset the connection "
            "(RST instead of FIN)"
        )
        return Verdict(False, "read_reply", why, log, fin)
    if fin.returncode != 0:
        return Verdict(
            False, "finish", f"the checker got {shown(want)}, but {ended(fin)}", log, fin
        )
    read = ", and you read the whole reply" if read_reply else ""
    return Verdict(
        True,
        "",
        f"the checker's server got exactly {shown(want)}{read}; your program ended without "
        "an error",
        log,
        fin,
    )


def _connect(port: int, proc: Started, timeout: float) -> socket.socket | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=1)
        except OSError:
            if not proc.running():
                return None
            time.sleep(0.02)
    return None


def _server_side(port: int, client_port: int) -> tuple[str, int]:
    """(where the checker's connection is on the server's side, bytes it has not read)."""
    listener = tcpstates.find(port, 0)
    accepted = tcpstates.find(port, client_port)
    if accepted is None:
        return "gone", 0
    if listener is not None and listener.state == "LISTEN" and listener.rx_queue > 0:
        return "queued", accepted.rx_queue
    return "accepted", accepted.rx_queue


def tcp_server(launch: Launch, port: int, timeout: float, expect: dict) -> Verdict:
    """Be the learner's server's client: send a line, and expect the same bytes back."""
    log: list[str] = []
    with launch() as proc:
        conn = _connect(port, proc, timeout)
        if conn is None:
            fin = proc.stop()
            return Verdict(
                False,
                "listen",
                f"nothing listened on 127.0.0.1:{port}: the checker could not connect",
                log,
                fin,
            )
        with conn:
            client_port = conn.getsockname()[1]
            log.append(f"connected to 127.0.0.1:{port} from port {client_port}")
            with contextlib.suppress(OSError):
                conn.sendall(PAYLOAD)
                log.append(f"sent {len(PAYLOAD)} bytes: {shown(PAYLOAD)}")
            got, how = receive(conn, len(PAYLOAD), min(timeout, 5.0))
            if how == "closed" and not got and reset_later(conn):
                how = "reset"  # it closed before the checker's bytes came: they were never read
            where, unread = _server_side(port, client_port) if how == "quiet" else ("", 0)
        fin = proc.stop()
    if got:
        log.append(f"your server answered {len(got)} byte(s): {shown(got)}")
    if got == PAYLOAD:
        return Verdict(
            True,
            "",
            "your server accepted the connection, read the checker's line and sent "
            "it back unchanged",
            log,
            fin,
        )
    if got:
        wrong = compare(got, PAYLOAD, "the checker") or ""
        return Verdict(False, "answer", f"your server's answer is not an echo: {wrong}", log, fin)
    if how == "reset":
        return Verdict(
            False,
            "read",
            "your server closed the connection without answering, and without reading what "
            "the checker sent (its kernel reset the connection)",
            log,
            fin,
        )
    if how == "closed":
        return Verdict(
            False,
            "answer",
            "your server read what the checker sent, then closed the connection without answering",
            log,
            fin,
        )
    if where == "queued":
        return Verdict(
            False, "read", "your server never accepted the checker's connection", log, fin
        )
    if unread:
        return Verdict(
            False,
            "read",
            f"your server accepted the connection but never read the {unread} bytes the "
            "checker sent",
            log,
            fin,
        )
    return Verdict(
        False, "answer", "your server read what the checker sent but never answered", log, fin
    )
