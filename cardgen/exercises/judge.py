"""`cardgen exercise check DIR`: build the learner's code, run it against a loopback peer, and
say what happened in the learner's terms."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import socket
import sys
from dataclasses import dataclass, field
from pathlib import Path

from cardgen.cache import Cache
from cardgen.check.loopback import free_port
from cardgen.errors import InputError
from cardgen.sandbox import Program, Sandbox


@dataclass(slots=True)
class Outcome:
    passed: bool
    message: str
    details: list[str] = field(default_factory=list)
    isolation: str = ""

    def text(self) -> str:
        head = f"✔ Passed: {self.message}" if self.passed else f"✘ Not yet: {self.message}"
        body = [f"  {line}" for line in self.details]
        lines = [head, *(["What the checker saw:", *body] if body else [])]
        if self.isolation.startswith("none"):
            lines.append(f"(your program ran without a sandbox: {self.isolation[6:]})")
        return "\n".join(lines)


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


def _copy_project(folder: Path, into: Path) -> None:
    """The learner's Cargo project, without its build output, into a build folder of its own
    (the build never writes into the learner's folder)."""
    for item in folder.iterdir():
        if item.name in ("target", ".git") or item.name.startswith(".hints"):
            continue
        if item.is_dir():
            shutil.copytree(item, into / item.name, dirs_exist_ok=True)
        elif item.is_file():
            shutil.copy2(item, into / item.name)


def _cargo_build(
    folder: Path, meta: dict, timeout: float, sandbox: Sandbox
) -> tuple[Path | None, list[str]]:
    from cardgen.check import rust

    if (missing := rust.tool_missing("cargo")) is not None:
        return None, [missing]
    cache = Cache()
    digest = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:16]
    home = cache.folder("exercises") / digest
    project = home / "project"
    target = home / "target"
    shutil.rmtree(project, ignore_errors=True)
    project.mkdir(parents=True)
    target.mkdir(exist_ok=True)
    _copy_project(folder, project)
    if (error := rust.cargo_fetch(project, timeout)) is not None:
        return None, [error]
    argv = [
        "cargo",
        "build",
        "--quiet",
        "--message-format=short",
        *rust.cargo_source_args(meta.get("crates", [])),
    ]
    program = Program(argv, rust.build_env(target), str(project))
    ran = sandbox.run(program, timeout, sandbox.limits.for_build(timeout), [project, target])
    fin = ran.finished
    if (problem := ran.error or ran.breach()) is not None or fin is None:
        return None, [f"the build could not run: {problem or 'no compiler'}"]
    if fin.timed_out:
        return None, [f"cargo was still building after {timeout:.0f}s"]
    if fin.returncode != 0:
        errors = [
            line
            for line in fin.stderr.splitlines()
            if ": error" in line or line.startswith("error")
        ]
        return None, errors[:8] or fin.stderr.strip().splitlines()[-8:]
    name = re.search(r'^name\s*=\s*"([^"]+)"', (project / "Cargo.toml").read_text(), re.M)
    binary = target / "debug" / (name.group(1) if name else "")
    return (binary, []) if name and binary.exists() else (None, ["cargo built no program"])


def check_exercise(
    folder: Path,
    solution: bool = False,
    timeout: float = 10.0,
    build_timeout: float = 600.0,
    sandbox: Sandbox | None = None,
) -> Outcome:
    meta = load(folder)
    sandbox = sandbox or Sandbox()
    target = solution_folder(folder) if solution else folder
    if (refusal := sandbox.refusal) is not None:
        return Outcome(False, refusal, isolation=sandbox.description)
    if meta["lang"] == "rust":
        binary, errors = _cargo_build(target, meta, build_timeout, sandbox)
        if binary is None:
            return Outcome(False, "your code does not compile", errors, sandbox.description)
        program = Program([str(binary)], readable=[binary])
    else:
        folder_path = str(target.resolve())
        program = Program([sys.executable, "-c", meta["harness"]], cwd=folder_path)
    return judge(meta, program, timeout, sandbox)


def judge(meta: dict, program: Program, timeout: float, sandbox: Sandbox) -> Outcome:
    """Run the learner's program in the sandbox, with the checker's peer beside it."""
    kind = meta["kind"]
    udp = kind.startswith("udp")
    port = free_port(socket.SOCK_DGRAM if udp else socket.SOCK_STREAM)
    args: dict[str, object] = {"kind": kind, "port": port, "timeout": timeout}
    if kind in ("close_wait", "time_wait"):
        args["kind"] = "socket_state"
        args["want"] = meta["expect"]["state"]
    elif kind == "socket_options":
        prefix = "socket" if meta["lang"] == "rust" else "sock"
        args["expected"] = {f"{prefix}.{k}": v for k, v in meta["expect"].items()}
    argv = [*program.argv, f"127.0.0.1:{port}"]
    run = Program(argv, program.env, program.cwd, program.readable)
    ran = sandbox.call("cardgen.check.peers:run_peer", args, run, timeout + 10)
    from cardgen.check.peers import Verdict

    verdict = Verdict.from_json(ran.value) if isinstance(ran.value, dict) else None
    if (breach := ran.breach()) is not None or verdict is None:
        details = list(verdict.transcript) if verdict else []
        return Outcome(False, breach or "the check did not run", details, sandbox.description)
    details = list(verdict.transcript)
    if verdict.finished and not verdict.passed:
        details += [
            f"your program printed: {line}"
            for line in verdict.finished.stderr.strip().splitlines()[-5:]
        ]
    return Outcome(verdict.passed, verdict.reason, details, sandbox.description)


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
