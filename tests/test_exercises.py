"""Exercises as files and tools: made only from proven snippets, laid out for a learner, built
with the learner's own cargo and python3, and the `cardgen exercise` commands (check, hint,
watch) as a learner uses them. How programs are judged: test_exercise_verdicts.py."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from cardgen.build import BuildOptions, build
from cardgen.check import rust
from cardgen.exercises.judge import check_exercise, next_hint
from cardgen.exercises.watch import CLEAR
from cardgen.sandbox import detect
from tests.conftest import FIXTURES, ROOT, SEED
from tests.test_bad_input import run_cli

PYTHON_SHEET = FIXTURES / "sheets" / "python-sockets.md"
SEED_EXERCISES = [
    "01-tcp-server",
    "02-tcp-client",
    "03-udp-socket",
    "04-socket-options",
    "05-close-wait",
    "06-time-wait",
]


@pytest.fixture(scope="module")
def exercises(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("ex")
    result = build([SEED, PYTHON_SHEET], BuildOptions(out_dir=out, outputs=("exercises",)))
    assert not result.failed
    assert all(not o.warnings for o in result.outcomes), [o.warnings for o in result.outcomes]
    return out / "exercises"


def copy_exercise(exercises: Path, name: str, into: Path, solution: bool = False) -> Path:
    """The learner's folder (and, with `solution`, its solution beside it, as handed out)."""
    sheet, folder = name.split("/")
    shutil.copytree(exercises / name, into / sheet / folder)
    if solution:
        shutil.copytree(
            exercises / sheet / "solutions" / folder, into / sheet / "solutions" / folder
        )
    return into / sheet / folder


def test_layout_readme_and_what_is_checked(exercises):
    folders = sorted(p.name for p in (exercises / "ch02-sockets").iterdir())
    assert folders == [*SEED_EXERCISES, "solutions"]
    client = exercises / "ch02-sockets" / "02-tcp-client"
    readme = (client / "README.md").read_text()
    checked = readme.split("## What the checker checks")[1].split("##")[0]
    assert "1. Your program connects to the address it is given;" in checked
    assert "exactly `Hello` (5 bytes)" in checked
    assert "reads the server's whole reply before it closes" in checked
    assert "<details><summary>Hint 3 (TODO 3)</summary>" in readme
    meta = json.loads((client / "exercise.json").read_text())
    assert meta["expect"] == {"send": "Hello", "read_reply": True}
    assert meta["hints"] == ["connect", "send", "read_reply"]
    assert not (exercises / "ch02-sockets" / "solutions" / "02-tcp-client" / "README.md").exists()
    # nothing of the checker's own protocol is in anything a learner gets
    for path in exercises.rglob("*"):
        if path.is_file():
            assert "CARDGEN_" not in path.read_text(), path
    assert (client / ".gitignore").read_text().split() == ["/target", "Cargo.lock", ".hints-seen"]
    python = exercises / "python-sockets" / "02-tcp-client" / ".gitignore"
    assert ".hints-seen" in python.read_text() and "__pycache__/" in python.read_text()


@pytest.mark.slow
@pytest.mark.skipif(
    rust.cargo_source() != "debian" or shutil.which("git") is None,
    reason="needs Debian's crate registry (librust-socket2-dev) and git",
)
def test_a_copied_exercise_builds_with_plain_cargo_and_git_sees_nothing_new(exercises, tmp_path):
    """The socket2 exercise, copied elsewhere: a plain `cargo build --offline` finds socket2
    through the folder's .cargo/config.toml (so rust-analyzer does too), and nothing that
    cargo or cardgen writes shows up in git."""
    folder = tmp_path / "elsewhere" / "socket-options"
    shutil.copytree(exercises / "ch02-sockets" / "04-socket-options", folder)
    assert 'directory = "/usr/share/cargo/registry"' in (folder / ".cargo/config.toml").read_text()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CARGO_TARGET")}

    def run(*argv: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            argv, cwd=folder, env=env, capture_output=True, text=True, timeout=300
        )

    run("git", "init", "-q")
    run("git", "add", "-A")
    run("git", "-c", "user.name=l", "-c", "user.email=l@l", "commit", "-qm", "start")
    solution = exercises / "ch02-sockets" / "solutions" / "04-socket-options" / "src/exercise.rs"
    shutil.copy(solution, folder / "src" / "exercise.rs")
    built = run("cargo", "build", "--offline")
    assert built.returncode == 0, built.stderr
    ran = run("cargo", "run", "--offline", "-q", "--", "127.0.0.1:0")
    assert ran.returncode == 0, ran.stderr
    assert "your socket: nodelay = true" in ran.stdout
    assert re.search(r"your socket: bound to 127\.0\.0\.1:\d+", ran.stdout)
    assert run("cargo", "metadata", "--offline", "--format-version=1").returncode == 0
    next_hint(folder)
    assert check_exercise(folder, timeout=5).passed
    assert run("git", "status", "--porcelain").stdout.split("\n")[0] == " M src/exercise.rs"
    assert len(run("git", "status", "--porcelain").stdout.strip().splitlines()) == 1


def test_a_python_exercise_runs_with_plain_python3(exercises):
    solution = exercises / "python-sockets" / "solutions" / "04-socket-options" / "exercise.py"
    ran = subprocess.run(
        ["python3", str(solution), "127.0.0.1:0"], capture_output=True, text=True, timeout=30
    )
    assert ran.returncode == 0, ran.stderr
    assert "your socket: TCP_NODELAY = 1" in ran.stdout
    starter = exercises / "python-sockets" / "02-tcp-client" / "exercise.py"
    with subprocess.Popen(
        [
            "python3",
            "-c",
            "import socket, time; s = socket.create_server(("
            "'127.0.0.1', 0)); print(s.getsockname()[1], flush=True); "
            "time.sleep(20)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    ) as server:
        port = server.stdout.readline().strip()
        ran = subprocess.run(
            ["python3", str(starter), f"127.0.0.1:{port}"],
            capture_output=True,
            text=True,
            timeout=30,
        )
        server.kill()
    assert "NotImplementedError: TODO 2: create `reply` with `sock.recv`" in ran.stderr


TRIO = """# Three clients

### A good client
```rust
let mut stream = TcpStream::connect("127.0.0.1:8080")?;
stream.write_all(b"Hello")?;
let mut buffer = [0; 512];
let n = stream.read(&mut buffer)?;
```

### A client that does not compile
```rust
let mut stream = TcpStream::connect("127.0.0.1:8080")?;
stream.write_all(b"Hello")?
let n = stream.read(&mut buffer)?;
```

### A client that dials out
```rust
let mut stream = TcpStream::connect("93.184.216.34:80")?;
stream.write_all(b"Hello")?;
let mut buffer = [0; 512];
let n = stream.read(&mut buffer)?;
```
"""


def test_only_proven_snippets_make_exercises(tmp_path):
    sheet = tmp_path / "trio.md"
    sheet.write_text(TRIO)
    result = build([sheet], BuildOptions(out_dir=tmp_path / "out", outputs=("exercises",)))
    outcome = result.outcomes[0]
    made = sorted(p.name for p in (tmp_path / "out" / "exercises" / "trio").iterdir())
    assert made == ["01-good-client", "solutions"]
    warnings = {w.line: w.message for w in outcome.warnings}
    assert warnings[12].startswith("no exercise from this snippet: its check failed (does not ")
    assert warnings[19].startswith(
        "no exercise from this snippet: its check was refused (contacts 93.184.216.34"
    )
    assert len(warnings) == 2
    unchecked = build(
        [sheet], BuildOptions(out_dir=tmp_path / "fast", outputs=("exercises",), check=False)
    )
    assert not (tmp_path / "fast" / "exercises" / "trio").exists()
    assert not unchecked.outcomes[0].warnings  # one notice for the build, not one per snippet


def test_code_that_checks_refuse_is_never_run(exercises, tmp_path):
    folder = copy_exercise(exercises, "python-sockets/02-tcp-client", tmp_path, solution=True)
    solution = folder.parent / "solutions" / folder.name / "exercise.py"
    solution.write_text(
        solution.read_text().replace(
            "create_connection(addr", 'create_connection(("93.184.216.34", 80)'
        )
    )
    outcome = check_exercise(folder, solution=True, timeout=5)
    assert not outcome.passed and outcome.isolation == ""  # no sandbox was even started
    assert outcome.message.startswith("not run: the solution contacts 93.184.216.34")
    # a link in a comment is no address the program contacts
    code = folder / "exercise.py"
    good = (exercises / "python-sockets/solutions/02-tcp-client/exercise.py").read_text()
    code.write_text("# see https://docs.python.org/3/library/socket.html\n" + good)
    assert check_exercise(folder, timeout=5).passed


def test_compiler_errors_are_shown_whole(exercises, tmp_path):
    folder = copy_exercise(exercises, "ch02-sockets/02-tcp-client", tmp_path)
    (folder / "src" / "exercise.rs").write_text(
        "use std::io::prelude::*;\nuse std::net::*;\n\n"
        "pub fn run(addr: &str) -> Result<(), Box<dyn std::error::Error>> {\n"
        "    let stream = TcpStream::connect(addr)?;\n"
        '    stream.write_all(b"Hello")?;\n    Ok(())\n}\n'
    )
    outcome = check_exercise(folder, timeout=5)
    text = outcome.text()
    assert outcome.message == "your code does not compile"
    assert "error[E0596]: cannot borrow `stream` as mutable" in text
    assert (
        "--> src/exercise.rs:6:5" in text and "help: consider changing this to be mutable" in text
    )
    python = copy_exercise(exercises, "python-sockets/02-tcp-client", tmp_path)
    (python / "exercise.py").write_text("def run(addr:\n    pass\n")
    text = check_exercise(python, timeout=5).text()
    assert "SyntaxError: '(' was never closed" in text and 'File "exercise.py", line 1' in text


def test_cli_exit_codes_hints_and_no_protocol_lines(exercises, tmp_path):
    folder = copy_exercise(exercises, "ch02-sockets/04-socket-options", tmp_path, solution=True)
    failing = run_cli("exercise", "check", str(folder), "--timeout", "5")
    assert failing.returncode == 1 and "✘ Not yet: `run` returned no socket" in failing.stdout
    assert "TODO 1 (src/exercise.rs:" in failing.stdout
    passing = run_cli("exercise", "check", str(folder), "--solution", "--timeout", "5")
    assert passing.returncode == 0 and "✔ Passed" in passing.stdout
    assert "your socket: nodelay = true" in passing.stdout
    for out in (failing, passing):
        assert "CARDGEN_" not in out.stdout + out.stderr
    for action in ("check", "watch", "hint"):
        missing = run_cli("exercise", action, str(tmp_path / "nonexistent"))
        assert (
            missing.returncode == 2
            and f"{tmp_path / 'nonexistent'}: does not exist" in missing.stderr
        )
    empty = run_cli("exercise", "check", str(tmp_path))
    assert empty.returncode == 2 and "not an exercise folder" in empty.stderr
    hints = json.loads((folder / "hints.json").read_text())
    shown = [run_cli("exercise", "hint", str(folder)).stdout.strip() for _ in range(len(hints) + 2)]
    for n, hint in enumerate(hints, start=1):
        assert shown[n - 1] == f"Hint {n} of {len(hints)} (TODO {n}): {hint}"
    for done in shown[len(hints) :]:
        assert done.startswith(f"No more hints: you have seen all {len(hints)}.")
        assert not any(hint in done for hint in hints)


def _read_until(fd: int, pattern: str, seen: list[str], timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                seen.append(os.read(fd, 65536).decode(errors="replace"))
            except OSError:
                break
        if re.search(pattern, "".join(seen)):
            return "".join(seen)
    raise AssertionError(f"no {pattern!r} in {''.join(seen)!r}")


def test_watch_in_a_terminal_clears_stamps_and_shows_the_check_running(exercises, tmp_path):
    folder = copy_exercise(exercises, "python-sockets/03-udp-echo-server", tmp_path)
    solution = (exercises / "python-sockets/solutions/03-udp-echo-server/exercise.py").read_text()
    leader, follower = pty.openpty()
    watcher = subprocess.Popen(
        [sys.executable, "-m", "cardgen", "exercise", "watch", str(folder), "--timeout", "5"],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        start_new_session=True,
    )
    os.close(follower)
    seen: list[str] = []
    try:
        first = _read_until(leader, r"Watching .* for changes", seen)
        (folder / "exercise.py").write_text(solution)
        both = _read_until(leader, r"✔ Passed", seen)
    finally:
        os.killpg(watcher.pid, signal.SIGINT)
        watcher.wait(10)
        os.close(leader)
    stamp = r"\[\d\d:\d\d:\d\d\] "
    assert first.startswith(CLEAR)
    assert re.search(rf"{stamp}Checking .*\r?\n{stamp}✘ Not yet: no socket of your program", first)
    second = both[len(first) :]
    assert CLEAR in second and second.index(CLEAR) < second.index("Checking")
    assert re.search(rf"{stamp}✔ Passed: the datagram came back unchanged", second)
    assert "✘ Not yet" not in second  # the old verdict was cleared away, not piled up


@pytest.mark.skipif(not detect().available, reason="this machine has no sandbox")
def test_a_learners_program_runs_in_the_sandbox(exercises, tmp_path):
    folder = copy_exercise(exercises, "python-sockets/02-tcp-client", tmp_path)
    (folder / "exercise.py").write_text(
        "import socket\n\ndef run(addr):\n    host = '10.' + '1.2.3'\n"
        "    with socket.create_connection((host, 80), timeout=3) as sock:\n"
        "        sock.sendall(b'Hello')\n"
    )
    outcome = check_exercise(folder, timeout=5)
    assert not outcome.passed
    assert outcome.message.startswith("tried to leave loopback"), outcome.text()
    assert outcome.isolation.startswith("bubblewrap")


def test_a_learner_who_is_not_root_checks_a_python_exercise(exercises):
    """As nobody (setpriv), with the system's Python and a plain PATH: the starter fails, the
    solution passes, both inside the sandbox."""
    python = Path("/usr/bin/python3")
    if os.geteuid() != 0 or not python.exists() or shutil.which("setpriv") is None:
        pytest.skip("needs root (to become nobody), setpriv and /usr/bin/python3")
    nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"]
    if subprocess.run([*nobody, "test", "-r", str(ROOT / "cardgen" / "__init__.py")]).returncode:
        pytest.skip(f"nobody cannot read {ROOT}")
    home = Path(tempfile.mkdtemp(prefix="cardgen-nobody-", dir="/tmp"))
    try:
        folder = copy_exercise(exercises, "python-sockets/02-tcp-client", home, solution=True)
        subprocess.run(["chmod", "-R", "a+rwX", str(home)], check=True)
        cli = f"import sys; sys.path.insert(0, {str(ROOT)!r}); from cardgen.cli import main; "
        cli += "sys.argv = ['cardgen', *sys.argv[1:]]; sys.exit(main())"
        env = ["env", "-i", "PATH=/usr/bin:/bin", f"HOME={home}"]

        def check(*extra: str) -> subprocess.CompletedProcess:
            argv = [*nobody, *env, str(python), "-c", cli, "exercise", "check", str(folder)]
            return subprocess.run(
                [*argv, "--timeout", "5", *extra], capture_output=True, text=True, timeout=120
            )

        starter, solution = check(), check("--solution")
    finally:
        shutil.rmtree(home, ignore_errors=True)
    if "without a sandbox" in starter.stdout:
        pytest.skip(f"no sandbox for nobody here: {starter.stdout.splitlines()[-1]}")
    assert starter.returncode == 1, starter.stdout + starter.stderr
    assert "your program connected but sent nothing" in starter.stdout
    assert solution.returncode == 0, solution.stdout + solution.stderr
