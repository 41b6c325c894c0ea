"""`cardgen exercise check DIR`: build the learner's code, run it against a loopback peer, and
say what happened in the learner's terms."""

from __future__ import annotations

import hashlib
import json
import os
import re
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from cardgen.cache import default_cache
from cardgen.check import peers, tcpstates
from cardgen.check.loopback import free_port
from cardgen.check.process import Started, run
from cardgen.check.rust import cargo_source_args
from cardgen.errors import InputError


@dataclass(slots=True)
class Outcome:
    passed: bool
    message: str
    details: list[str] = field(default_factory=list)

    def text(self) -> str:
        head = f"✔ Passed: {self.message}" if self.passed else f"✘ Not yet: {self.message}"
        body = [f"  {line}" for line in self.details]
        return "\n".join([head, *(["What the checker saw:", *body] if body else [])])


def load(folder: Path) -> dict:
    try:
        return json.loads((folder / "exercise.json").read_text())
    except FileNotFoundError:
        raise InputError("not an exercise folder (no exercise.json here)", str(folder)) from None
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read exercise.json: {exc}", str(folder)) from None


def solution_folder(folder: Path) -> Path:
    found = folder.resolve().parent / "solutions" / folder.resolve().name
    if not found.is_dir():
        raise InputError("no reference solution next to this exercise", str(folder))
    return found


def _cargo_build(folder: Path, meta: dict, timeout: float) -> tuple[Path | None, list[str]]:
    target = (
        default_cache()
        / "exercises"
        / hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:16]
    )
    argv = [
        "cargo",
        "build",
        "--quiet",
        "--message-format=short",
        *cargo_source_args(meta.get("crates", [])),
    ]
    env = {**os.environ, "CARGO_TARGET_DIR": str(target)}
    try:
        fin = run(argv, timeout, env=env, cwd=str(folder))
    except FileNotFoundError:
        return None, ["`cargo` is not installed: install Rust from https://rustup.rs"]
    if fin.timed_out:
        return None, [f"cargo was still building after {timeout:.0f}s"]
    if fin.returncode != 0:
        errors = [
            line
            for line in fin.stderr.splitlines()
            if ": error" in line or line.startswith("error")
        ]
        return None, errors[:8] or fin.stderr.strip().splitlines()[-8:]
    name = re.search(r'^name\s*=\s*"([^"]+)"', (folder / "Cargo.toml").read_text(), re.M)
    binary = target / "debug" / (name.group(1) if name else "")
    return (binary, []) if name and binary.exists() else (None, ["cargo built no program"])


def check_exercise(
    folder: Path, solution: bool = False, timeout: float = 10.0, build_timeout: float = 600.0
) -> Outcome:
    meta = load(folder)
    target = solution_folder(folder) if solution else folder
    if meta["lang"] == "rust":
        binary, errors = _cargo_build(target, meta, build_timeout)
        if binary is None:
            return Outcome(False, "your code does not compile", errors)
        argv = [str(binary)]
    else:
        argv = [sys.executable, "-c", meta["harness"]]
    return judge(meta, argv, str(target), timeout)


def judge(meta: dict, argv: list[str], cwd: str, timeout: float) -> Outcome:
    kind = meta["kind"]
    if kind in ("close_wait", "time_wait"):
        return _state(meta, argv, cwd, timeout)
    port = free_port(socket.SOCK_DGRAM if kind.startswith("udp") else socket.SOCK_STREAM)

    def launch() -> Started:
        return Started([*argv, f"127.0.0.1:{port}"], cwd=cwd)

    if kind == "tcp_server":
        verdict = peers.tcp_server(launch, port, timeout)
    elif kind == "tcp_client":
        verdict = peers.tcp_client(launch, port, timeout)
    elif kind == "udp_echo":
        verdict = peers.udp_echo(launch, port, timeout)
    elif kind == "udp_client":
        verdict = peers.udp_client(launch, port, timeout)
    else:
        prefix = "socket" if meta["lang"] == "rust" else "sock"
        expected = {f"{prefix}.{k}": v for k, v in meta["expect"].items()}
        verdict = peers.socket_options(launch, port, timeout, expected)
    details = list(verdict.transcript)
    if verdict.finished and not verdict.passed:
        details += [
            f"your program printed: {line}"
            for line in verdict.finished.stderr.strip().splitlines()[-5:]
        ]
    return Outcome(verdict.passed, verdict.reason, details)


def _state(meta: dict, argv: list[str], cwd: str, timeout: float) -> Outcome:
    """Serve one connection and watch the learner's socket on loopback."""
    if not tcpstates.available():
        return Outcome(False, "socket states can only be observed on Linux (/proc/net/tcp)")
    want = meta["expect"]["state"]
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(timeout)
    port = listener.getsockname()[1]
    peer: dict[str, int] = {}
    accepted = threading.Event()
    log: list[str] = []

    def serve() -> None:
        try:
            conn, addr = listener.accept()
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
    with Started([*argv, f"127.0.0.1:{port}"], cwd=cwd) as proc:
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
    listener.close()
    thread.join(2)
    if watch is None:
        extra = [f"your program printed: {x}" for x in fin.stderr.strip().splitlines()[-5:]]
        return Outcome(False, "your program never connected to the checker's server", log + extra)
    details = [*log, f"your socket: {watch.path()}"]
    if want in watch.history:
        return Outcome(True, f"your socket reached {want}", details)
    return Outcome(False, f"your socket went {watch.path()}; expected {want}", details)


def next_hint(folder: Path) -> str:
    """The next hint, remembered in `.hints-seen`."""
    try:
        hints = json.loads((folder / "hints.json").read_text())
    except (OSError, ValueError):
        raise InputError("no hints.json here: is this an exercise folder?", str(folder)) from None
    seen_file = folder / ".hints-seen"
    try:
        seen = int(seen_file.read_text().strip() or 0)
    except (OSError, ValueError):
        seen = 0
    if not hints:
        return "This exercise has no hints."
    if seen >= len(hints):
        return "No more hints: " + " / ".join(f"{n}. {h}" for n, h in enumerate(hints, 1))
    seen_file.write_text(str(seen + 1))
    return f"Hint {seen + 1} of {len(hints)}: {hints[seen]}"
