"""`cardgen exercise check DIR`: build the learner's code, run it in the sandbox next to the
checker (`cardgen.exercises.peers`), and say what happened in the learner's terms: what is
missing, where the program stopped, which hint is about it."""

from __future__ import annotations

import json
import re
import socket
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from cardgen.check.loopback import free_port, non_loopback
from cardgen.errors import InputError
from cardgen.exercises.harness import REPORT_PREFIX, python_check_harness
from cardgen.sandbox import Program, Sandbox


@dataclass(slots=True)
class Outcome:
    passed: bool
    message: str
    details: list[str] = field(default_factory=list)
    """What the checker saw and did."""
    isolation: str = ""
    missing: str = ""
    """The rung of the ladder the program did not reach (empty when it passed)."""
    stopped: str = ""
    """Where the program stopped: at a TODO, a panic, an exception, an error."""
    output: list[str] = field(default_factory=list)
    """Compiler errors (whole), or the last lines the program printed."""
    hint: int = 0
    """The hint about what is missing (1-based), 0 when none is."""

    def text(self) -> str:
        head = f"✔ Passed: {self.message}" if self.passed else f"✘ Not yet: {self.message}"
        lines = [head]
        if self.stopped:
            lines.append(f"  {self.stopped[0].upper()}{self.stopped[1:]}")
        if self.output:
            lines += ["", *self.output, ""]
        if self.details:
            lines += ["What the checker saw:", *(f"  {line}" for line in self.details)]
        if self.hint:
            lines.append(f"Stuck? Hint {self.hint} in README.md (TODO {self.hint}) is about this.")
        if self.isolation.startswith("none"):
            lines.append(f"(your program ran without a sandbox: {self.isolation[6:]})")
        return "\n".join(lines)


def load(folder: Path) -> dict:
    if not folder.exists():
        raise InputError("does not exist", str(folder))
    if not folder.is_dir():
        raise InputError("is not a folder: give the exercise's folder", str(folder))
    try:
        data = json.loads((folder / "exercise.json").read_text())
    except FileNotFoundError:
        raise InputError("not an exercise folder (no exercise.json here)", str(folder)) from None
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read exercise.json: {exc}", str(folder)) from None
    if (why := _damage(data)) is not None:
        raise InputError(
            f"exercise.json is damaged ({why}): restore it from the exercises cardgen made",
            str(folder),
        )
    return data


def _damage(data: object) -> str | None:
    """What is wrong with a loaded `exercise.json`, or None."""
    from cardgen.exercises.tasks import KINDS, STATE_KINDS

    if not isinstance(data, dict):
        return "not a JSON object"
    if data.get("kind") not in KINDS + STATE_KINDS:
        return f"unknown kind {data.get('kind')!r}"
    if data.get("lang") not in ("rust", "python"):
        return f"unknown language {data.get('lang')!r}"
    if not isinstance(data.get("expect"), dict):
        return "no 'expect' object"
    if not isinstance(data.get("crates", []), list) or not isinstance(data.get("hints", []), list):
        return "'crates' and 'hints' must be lists"
    return None


def solution_folder(folder: Path) -> Path:
    found = folder.resolve().parent / "solutions" / folder.resolve().name
    if not found.is_dir():
        raise InputError("no reference solution next to this exercise", str(folder))
    return found


def _code_files(folder: Path, lang: str) -> list[Path]:
    if lang == "rust":
        return sorted(p for p in (folder / "src").rglob("*.rs") if p.name != "main.rs")
    return sorted(folder.glob("*.py"))


def _without_comments(code: str, lang: str) -> str:
    """The code with its comments blanked out (strings kept): a link in a comment is no
    address the program contacts."""
    comment = r"//[^\n]*" if lang == "rust" else r"#[^\n]*"
    strings = r"\"(?:[^\"\\\n]|\\.)*\""
    if lang != "rust":
        strings += r"|'(?:[^'\\\n]|\\.)*'"
    return re.sub(rf"({strings})|{comment}", lambda m: m.group(1) or "", code)


def refusal(folder: Path, lang: str, whose: str) -> str | None:
    """Why the code is not run: an address that is not loopback, as `cardgen check` refuses
    snippets (exercises talk to the checker on loopback only)."""
    hosts: set[str] = set()
    for path in _code_files(folder, lang):
        try:
            hosts.update(non_loopback(_without_comments(path.read_text(errors="replace"), lang)))
        except OSError:
            continue
    if not hosts:
        return None
    return (
        f"not run: {whose} contacts {', '.join(sorted(hosts))}, which is not loopback "
        "(an exercise talks only to the checker, on loopback)"
    )


def _python_errors(folder: Path) -> list[str]:
    """Syntax errors in the learner's Python, whole, as Python prints them."""
    for path in _code_files(folder, "python"):
        try:
            compile(path.read_text(errors="replace"), path.name, "exec")
        except SyntaxError as exc:
            return ["".join(traceback.format_exception_only(exc)).rstrip()]
        except (OSError, ValueError):
            continue
    return []


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
    lang = meta["lang"]
    if (refused := refusal(target, lang, "the solution" if solution else "your code")) is not None:
        return Outcome(False, refused)
    if (required := sandbox.refusal) is not None:
        return Outcome(False, required, isolation=sandbox.description)
    if lang == "rust":
        from cardgen.exercises.cargo_build import cargo_build

        with cargo_build(target, meta, build_timeout, sandbox) as (binary, errors):
            if binary is None:
                return Outcome(
                    False,
                    "your code does not compile",
                    output=errors,
                    isolation=sandbox.description,
                )
            return judge(meta, Program([str(binary)], readable=[binary]), timeout, sandbox)
    else:
        if errors := _python_errors(target):
            return Outcome(False, "your code does not compile", output=errors)
        harness = python_check_harness(meta["kind"], meta.get("expect", {}))
        folder_path = str(target.resolve())
        program = Program([sys.executable, "-c", harness], cwd=folder_path)
    return judge(meta, program, timeout, sandbox)


def judge(meta: dict, program: Program, timeout: float, sandbox: Sandbox) -> Outcome:
    """Run the learner's program in the sandbox, with the checker beside it."""
    from cardgen.exercises.verdict import Verdict

    kind = meta["kind"]
    port = free_port(socket.SOCK_DGRAM if kind.startswith("udp") else socket.SOCK_STREAM)
    args: dict[str, object] = {
        "kind": kind,
        "port": port,
        "timeout": timeout,
        "expect": meta.get("expect", {}),
        "order": list(meta.get("hints", [])),
    }
    run = Program([*program.argv, f"127.0.0.1:{port}"], program.env, program.cwd, program.readable)
    ran = sandbox.call("cardgen.exercises.peers:run_judge", args, run, timeout + 10)
    verdict = Verdict.from_json(ran.value) if isinstance(ran.value, dict) else None
    fin = verdict.finished if verdict else ran.finished
    stopped = stopped_at(fin.stderr if fin else "", meta["lang"])
    details = list(verdict.transcript) if verdict else []
    breach = ran.breach()
    if breach is not None or verdict is None:
        message = breach or "the check did not run"
        return Outcome(False, message, details, sandbox.description, stopped=stopped)
    output = []
    if fin and not verdict.passed:
        printed = [
            line
            for line in (fin.stdout + "\n" + ("" if stopped else fin.stderr)).splitlines()
            if line.strip() and not line.startswith(REPORT_PREFIX)
        ]
        if printed:
            output = ["Your program printed:", *(f"  {line}" for line in printed[-8:])]
    hints = meta.get("hints", [])
    hint = hints.index(verdict.missing) + 1 if verdict.missing in hints else 0
    return Outcome(
        verdict.passed,
        verdict.reason,
        details,
        sandbox.description,
        missing=verdict.missing,
        stopped="" if verdict.passed else stopped,
        output=output,
        hint=hint,
    )


_PANIC = re.compile(r"panicked at (?P<file>[^\n]+?):(?P<line>\d+):\d+:\n(?P<message>[^\n]*)")
_TODO = re.compile(r"^(?:not yet implemented: )?TODO (?P<n>\d+): (?P<what>.*)$")


def stopped_at(stderr: str, lang: str) -> str:
    """Where the learner's program stopped, from what it printed: a TODO, a panic, an
    exception, an error `run` returned. Empty when it did not say."""
    if lang == "rust":
        if m := _PANIC.search(stderr):
            where = f"{m.group('file')}:{m.group('line')}"
            if todo := _TODO.match(m.group("message")):
                n, what = todo.group("n"), todo.group("what")
                return f"your program stopped at TODO {n} ({where}): {what}"
            return f"your program panicked at {where}: {m.group('message')}"
        errors = [line[7:] for line in stderr.splitlines() if line.startswith("error: ")]
        return f"your program ended with an error: {errors[-1]}" if errors else ""
    lines = stderr.strip().splitlines()
    if not lines or not any(line.startswith("Traceback") for line in lines):
        return ""
    frames = re.findall(r'File "[^"]*?([^"/]+\.py)", line (\d+)', stderr)
    own = [f for f in frames if f[0] == "exercise.py"] or frames  # the learner's line first
    where = f" ({own[-1][0]}:{own[-1][1]})" if own else ""
    last = lines[-1]
    kind, _, message = last.partition(": ")
    if kind == "NotImplementedError" and (todo := _TODO.match(message)):
        return f"your program stopped at TODO {todo.group('n')}{where}: {todo.group('what')}"
    return f"your program raised {last}{where}"


def next_hint(folder: Path) -> str:
    """The next hint, remembered in `.hints-seen`; once all are seen, says so."""
    from cardgen.exercises.render import HINTS_SEEN

    load(folder)
    try:
        hints = json.loads((folder / "hints.json").read_text())
    except (OSError, ValueError):
        raise InputError("no hints.json here: is this an exercise folder?", str(folder)) from None
    seen_file = folder / HINTS_SEEN
    try:
        seen = int(seen_file.read_text().strip() or 0)
    except (OSError, ValueError):
        seen = 0
    if not hints:
        return "This exercise has no hints."
    if seen >= len(hints):
        return (
            f"No more hints: you have seen all {len(hints)}. They are in README.md, under "
            f"Hints (delete {HINTS_SEEN} to start again)."
        )
    seen_file.write_text(f"{seen + 1}\n")
    return f"Hint {seen + 1} of {len(hints)} (TODO {seen + 1}): {hints[seen]}"
