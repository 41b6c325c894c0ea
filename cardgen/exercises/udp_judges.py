"""UDP judges: the checker as the client of a learner's echo server, and as the server of a
learner's client. A UDP port is bound when `/proc/net/udp` lists it."""

from __future__ import annotations

import contextlib
import socket
import time
from pathlib import Path

from cardgen.exercises.verdict import PAYLOAD, Launch, Verdict, compare, ended, shown


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
        wrong = compare(echo, PAYLOAD, "the checker") or ""
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
    if (wrong := compare(data, want, "the checker")) is not None:
        return Verdict(False, "send", wrong, log, fin)
    if expect.get("read_reply") and not waited:
        return Verdict(
            False, "read_reply", "your program ended without waiting for the answer", log, fin
        )
    if fin.returncode != 0:
        why = f"the checker got {shown(want)}, but {ended(fin)}"
        return Verdict(False, "finish", why, log, fin)
    return Verdict(True, "", f"the checker got exactly {shown(want)}", log, fin)
