"""The checker's side of an exercise: it plays the peer of the learner's program on loopback
and judges the whole behaviour the task states, naming the first thing missing.

It runs inside the sandbox, next to the learner's program (`run_judge` is the sandbox's entry
point), with the standard library only. A verdict's `missing` is a rung of the exercise's
ladder (`cardgen.exercises.tasks`), which the hints are named by.

How it tells things apart, all from the outside:
- a client that closes with unread data makes its kernel answer with RST instead of FIN, so
  the checker's server sees a reset where a client that read its reply shows an orderly end;
- a server's connection still in the listener's accept queue was never accepted; one whose
  receive queue still holds the checker's bytes was never read (`/proc/net/tcp`);
- a UDP port is bound when `/proc/net/udp` lists it.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cardgen.check import tcpstates
from cardgen.sandbox.process import Finished, Started

PAYLOAD = b"Hello from the cardgen peer\n"
"""What the checker sends a server and answers a client with."""
QUIET = 0.5
"""Seconds without new bytes after which the checker takes a message to be complete."""
Launch = Callable[[], Started]


@dataclass(slots=True)
class Verdict:
    passed: bool
    missing: str
    """The rung of the ladder the program did not reach (empty when it passed)."""
    reason: str
    transcript: list[str] = field(default_factory=list)
    finished: Finished | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "passed": self.passed,
            "missing": self.missing,
            "reason": self.reason,
            "transcript": self.transcript,
            "finished": self.finished.to_json() if self.finished else None,
        }

    @classmethod
    def from_json(cls, data: dict) -> Verdict:
        fin = data.get("finished")
        return cls(
            bool(data["passed"]),
            str(data.get("missing", "")),
            str(data["reason"]),
            [str(line) for line in data.get("transcript", [])],
            Finished.from_json(fin) if fin else None,
        )


def shown(data: bytes) -> str:
    """Bytes as the learner reads them: `Hello\\n`."""
    text = data.decode("latin-1").encode("unicode_escape").decode("ascii")
    return "`" + text.replace("`", "\\`") + "`"


def ended(fin: Finished) -> str:
    """How the program ended, in a few words."""
    if fin.timed_out:
        return f"it was still running after {fin.seconds:.0f} s and was stopped"
    if fin.returncode == 0:
        return "it ended without an error"
    if fin.returncode is not None and fin.returncode < 0:
        import signal

        return f"it was killed by {signal.Signals(-fin.returncode).name}"
    return f"it ended with exit code {fin.returncode}"


def _compare(got: bytes, want: bytes, who: str) -> str | None:
    """What is wrong with `got`, or None when it is `want`."""
    if got == want:
        return None
    if not got:
        return f"{who} got nothing"
    if want.startswith(got):
        return f"{who} got {len(got)} of {len(want)} bytes: {shown(got)}"
    if got.startswith(want):
        extra = len(got) - len(want)
        return f"{who} got {len(got)} bytes, {extra} more than {shown(want)}: {shown(got)}"
    return f"{who} got {shown(got)} instead of {shown(want)}"


def _close(sock: socket.socket) -> None:
    """Close a socket, waking a thread blocked in its accept() (a plain close does not)."""
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


def _accept(listener: socket.socket, proc: Started, timeout: float) -> socket.socket | None:
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


def _listen(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(4)
    return sock


def _receive(conn: socket.socket, size: int, first: float) -> tuple[bytes, str]:
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


def _reset_later(conn: socket.socket) -> bool:
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
    listener = _listen(port)
    with launch() as proc:
        conn = _accept(listener, proc, timeout)
        _close(listener)
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
            got, how = _receive(conn, len(want), timeout)
            log.append(f"received {len(got)} byte(s)" + (f": {shown(got)}" if got else ""))
            if (wrong := _compare(got, want, "the checker's server")) is not None:
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
            reset = how == "reset" or _reset_later(conn)
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
            got, how = _receive(conn, len(PAYLOAD), min(timeout, 5.0))
            if how == "closed" and not got and _reset_later(conn):
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
        wrong = _compare(got, PAYLOAD, "the checker") or ""
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


def udp_bound(port: int) -> tuple[bool, int]:
    """(whether a UDP socket is bound to `port` on this host, bytes waiting in it)."""
    for table in (Path("/proc/net/udp"), Path("/proc/net/udp6")):
        try:
            rows = table.read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            p = row.split()
            if len(p) > 4 and int(p[1].rsplit(":", 1)[1], 16) == port:
                return True, int(p[4].split(":")[1], 16)
    return False, 0


def udp_echo(launch: Launch, port: int, timeout: float, expect: dict) -> Verdict:
    """Send a datagram to the learner's socket once it is bound; it must come back unchanged,
    from that socket."""
    log: list[str] = []
    with launch() as proc, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as peer:
        peer.bind(("127.0.0.1", 0))
        deadline = time.monotonic() + timeout
        bound = False
        while time.monotonic() < deadline and proc.running():
            bound = udp_bound(port)[0]
            if bound:
                break
            time.sleep(0.01)
        if not bound:
            fin = proc.stop()
            return Verdict(
                False,
                "receive",
                f"no socket of your program was bound on 127.0.0.1:{port}, so nothing received "
                "the checker's datagram",
                log,
                fin,
            )
        echo, source = None, None
        sent = 0
        peer.settimeout(0.5)
        while echo is None and time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                peer.sendto(PAYLOAD, ("127.0.0.1", port))
                sent += 1
            try:
                echo, source = peer.recvfrom(65536)
            except (TimeoutError, ConnectionRefusedError):
                if not proc.running():
                    break
        log.append(f"sent {sent} datagram(s) of {len(PAYLOAD)} bytes: {shown(PAYLOAD)}")
        fin = proc.wait(1.0) if echo is not None else proc.stop()
    if echo is None:
        return Verdict(
            False,
            "echo",
            f"no echo came back: your program received the datagram but never sent it back "
            f"({ended(fin)})",
            log,
            fin,
        )
    log.append(f"got back {len(echo)} bytes from port {source[1]}: {shown(echo)}")
    if echo != PAYLOAD:
        wrong = _compare(echo, PAYLOAD, "the checker") or ""
        return Verdict(False, "echo", f"the datagram came back changed: {wrong}", log, fin)
    if source[1] != port:
        return Verdict(
            False,
            "echo",
            f"the echo came from port {source[1]}, not from 127.0.0.1:{port} where the "
            "checker sent its datagram: answer from the socket that received it",
            log,
            fin,
        )
    return Verdict(True, "", "the datagram came back unchanged, from your socket", log, fin)


def udp_client(launch: Launch, port: int, timeout: float, expect: dict) -> Verdict:
    """Receive the learner's datagram; answer it a moment later; it must wait for the answer."""
    want = str(expect.get("send", "")).encode("latin-1")
    log: list[str] = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as peer:
        peer.bind(("127.0.0.1", port))
        peer.settimeout(timeout)
        with launch() as proc:
            try:
                data, source = peer.recvfrom(65536)
            except OSError:
                data, source = b"", None
            if source is not None:
                log.append(f"received {len(data)} bytes: {shown(data)}")
                time.sleep(0.3)
                waited = proc.running()
                if expect.get("read_reply"):
                    peer.sendto(PAYLOAD, source)
                    log.append(f"answered {len(PAYLOAD)} bytes")
            fin = proc.wait(timeout)
    if source is None:
        return Verdict(False, "send", "no datagram arrived at the checker", log, fin)
    if (wrong := _compare(data, want, "the checker")) is not None:
        return Verdict(False, "send", wrong, log, fin)
    if expect.get("read_reply") and not waited:
        return Verdict(
            False, "read_reply", "your program ended without waiting for the answer", log, fin
        )
    if fin.returncode != 0:
        why = f"the checker got {shown(want)}, but {ended(fin)}"
        return Verdict(False, "finish", why, log, fin)
    return Verdict(True, "", f"the checker got exactly {shown(want)}", log, fin)


REPORT_PREFIX = "your socket: "


def _flag(value: str) -> str:
    return "on" if value.strip().lower() in ("true", "1") else "off"


def socket_options(
    launch: Launch, port: int, timeout: float, expect: dict, order: list[str]
) -> Verdict:
    """Run the learner's `run`; the harness prints what the returned socket reads back.
    What is missing comes in `order`, the order of the hints."""
    with launch() as proc:
        fin = proc.wait(timeout)
    lines = [
        line[len(REPORT_PREFIX) :]
        for line in fin.stdout.splitlines()
        if line.startswith(REPORT_PREFIX)
    ]
    log = [f"your socket: {line}" for line in lines]
    if not lines:
        return Verdict(False, "create", f"`run` returned no socket: {ended(fin)}", log, fin)
    seen = dict(line.split(" = ", 1) for line in lines if " = " in line)
    wrong = []
    for name, value in expect.get("options", {}).items():
        got = seen.get(name)
        if value.isdigit() and value not in ("0", "1"):
            good = got is not None and got.isdigit() and int(got) >= int(value)
        else:
            good = got is not None and _flag(got) == _flag(value)
        if not good:
            wrong.append(
                (name, f"`{name}` is not set: it reads back {got}, the task sets it to {value}")
            )
    bound = next((line[len("bound to ") :] for line in lines if line.startswith("bound to ")), "")
    if expect.get("bound") and bound != f"127.0.0.1:{port}":
        where = f"bound to {bound}" if bound else "not bound"
        wrong.append(("bind", f"the socket is {where}, not to 127.0.0.1:{port}"))
    if wrong:
        wrong.sort(key=lambda w: order.index(w[0]) if w[0] in order else len(order))
        return Verdict(False, wrong[0][0], "; ".join(w for _, w in wrong), log, fin)
    count = len(expect.get("options", {}))
    where = f", bound to 127.0.0.1:{port}" if expect.get("bound") else ""
    return Verdict(True, "", f"all {count} option(s) read back as set{where}", log, fin)


def socket_state(launch: Launch, port: int, timeout: float, expect: dict) -> Verdict:
    """Serve one connection and watch the learner's socket: for CLOSE_WAIT the checker
    closes first and the learner's socket must stay in CLOSE_WAIT half a second; for
    TIME_WAIT the learner must close first."""
    want = str(expect["state"])
    if not tcpstates.available():
        return Verdict(False, "connect", "socket states can only be watched on Linux")
    listener = _listen(port)
    log: list[str] = []
    closer: dict[str, str] = {}

    def serve(conn: socket.socket) -> None:
        with conn:
            conn.settimeout(0.4 if want == "CLOSE_WAIT" else 1.5)
            try:
                while conn.recv(1024):
                    pass
                closer["who"] = "you"
                log.append("your side closed first (the checker read the end of the stream)")
            except TimeoutError:
                closer["who"] = "checker"
                log.append(
                    f"the checker closed its side first, after {conn.gettimeout():g} s "
                    "without news from you"
                )
            except OSError as exc:
                closer["who"] = "you"
                log.append(f"your side ended the connection: {exc.strerror or exc}")

    with launch() as proc:
        conn = _accept(listener, proc, timeout)
        if conn is None:
            fin = proc.stop()
            _close(listener)
            return Verdict(
                False, "connect", "your program never connected to the checker's server", log, fin
            )
        watch = tcpstates.StateWatch(conn.getpeername()[1], port)
        log.append(f"accepted your connection from port {watch.local_port}")
        thread = threading.Thread(target=serve, args=(conn,), daemon=True)
        thread.start()
        held = 0.0
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = watch.sample()
            if state == "CLOSE_WAIT":
                held = max(held, watch.held())
            if state == want and (want != "CLOSE_WAIT" or held >= 0.5):
                break
            if not thread.is_alive() and state in ("CLOSED", "TIME_WAIT"):
                break  # the connection is over, whoever closed it
            time.sleep(0.01)
        fin = proc.stop()
    thread.join(2)
    _close(listener)
    log.append(f"your socket: {watch.path()}")
    if want == "TIME_WAIT":
        if "TIME_WAIT" in watch.history:
            return Verdict(
                True, "", "your socket reached TIME_WAIT: your side closed first", log, fin
            )
        return Verdict(
            False,
            "closed_second",
            f"your socket went {watch.path()}; expected TIME_WAIT: the checker closed first",
            log,
            fin,
        )
    if closer.get("who") == "you":
        return Verdict(
            False,
            "closed_first",
            f"your socket went {watch.path()}; expected CLOSE_WAIT: your side closed first",
            log,
            fin,
        )
    if held >= 0.5:
        return Verdict(True, "", f"your socket sat in CLOSE_WAIT for {held:.1f} s", log, fin)
    return Verdict(
        False,
        "hold",
        f"your socket went {watch.path()}; expected it to stay in CLOSE_WAIT: you closed it "
        "right after the checker closed its side",
        log,
        fin,
    )


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
