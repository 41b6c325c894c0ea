"""Judges that look at the learner's socket itself: the options it reads back (printed by
the harness), and the TCP state it goes through (`/proc/net/tcp`)."""

from __future__ import annotations

import socket
import threading
import time

from cardgen.check import tcpstates
from cardgen.exercises.harness import REPORT_PREFIX
from cardgen.exercises.tcp_judges import accept, close, listen
from cardgen.exercises.verdict import Launch, Verdict, ended


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
        wrong.append(
            (
                "bind",
                f"the socket is bound to {bound}, not to 127.0.0.1:{port}"
                if bound
                else f"the socket is not bound (to 127.0.0.1:{port}, the address `run` is given)",
            )
        )
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
    listener = listen(port)
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
        conn = accept(listener, proc, timeout)
        if conn is None:
            fin = proc.stop()
            close(listener)
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
    close(listener)
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
