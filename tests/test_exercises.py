"""Exercises: for every one, the starter fails and the reference solution passes, judged by
real programs on real loopback sockets."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from cardgen.build import BuildOptions, build
from cardgen.exercises.judge import check_exercise, next_hint
from cardgen.exercises.watch import watch
from tests.conftest import FIXTURES, SEED
from tests.test_bad_input import run_cli


@pytest.fixture(scope="module")
def exercises(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("ex")
    result = build(
        [SEED, FIXTURES / "sheets" / "python-sockets.md"],
        BuildOptions(out_dir=out, check=False, outputs=("exercises",)),
    )
    assert not result.failed
    return out / "exercises"


SEED_EXERCISES = [
    "01-tcp-server",
    "02-tcp-client",
    "03-udp-socket",
    "04-socket-options",
    "05-close-wait",
    "06-time-wait",
]


def seed_folders(root: Path) -> list[Path]:
    return sorted(p for p in (root / "ch02-sockets").iterdir() if p.name[:2].isdigit())


def test_layout_keeps_solutions_apart(exercises):
    folders = seed_folders(exercises)
    assert [f.name for f in folders] == SEED_EXERCISES
    readmes = sorted(str(p.relative_to(exercises)) for p in exercises.rglob("README.md"))
    assert readmes[:6] == [f"ch02-sockets/{f.name}/README.md" for f in folders]
    assert all(r.count("/") == 2 and "/solutions/" not in r for r in readmes)
    for folder in folders:
        learner = (folder / "src" / "exercise.rs").read_text()
        solution = (
            exercises / "ch02-sockets" / "solutions" / folder.name / "src" / "exercise.rs"
        ).read_text()
        assert "TODO" in learner and "TODO" not in solution
        readme = (folder / "README.md").read_text()
        assert "cardgen exercise check ." in readme and "ch02-sockets.md:" in readme
        assert "<details><summary>Hint 1</summary>" in readme
    state = json.loads((folders[4] / "exercise.json").read_text())
    assert state["kind"] == "close_wait" and state["expect"] == {"state": "CLOSE_WAIT"}


@pytest.mark.parametrize(
    "name",
    SEED_EXERCISES,
)
def test_seed_starter_fails_and_solution_passes(exercises, name):
    folder = exercises / "ch02-sockets" / name
    starter = check_exercise(folder, timeout=8)
    assert not starter.passed, starter.text()
    solution = check_exercise(folder, solution=True, timeout=8)
    assert solution.passed, solution.text()


def test_state_verdicts_speak_in_states(exercises):
    folder = exercises / "ch02-sockets" / "05-close-wait"
    starter = check_exercise(folder, timeout=8)
    assert starter.message.startswith("your socket went ")
    assert starter.message.endswith("; expected CLOSE_WAIT")
    passed = check_exercise(folder, solution=True, timeout=8)
    assert "CLOSE_WAIT" in passed.details[-1]


def test_python_exercises(exercises):
    folders = sorted(p for p in (exercises / "python-sockets").iterdir() if p.name[:2].isdigit())
    assert [f.name for f in folders] == [
        "01-tcp-echo-server",
        "02-tcp-client",
        "03-udp-echo-server",
        "04-socket-options",
    ]
    for folder in folders:
        assert (folder / "exercise.py").exists()
        assert not check_exercise(folder, timeout=5).passed, folder
        outcome = check_exercise(folder, solution=True, timeout=5)
        assert outcome.passed, (folder, outcome.text())


def test_cli_exit_codes_and_hints(exercises, tmp_path):
    folder = exercises / "ch02-sockets" / "03-udp-socket"
    failing = run_cli("exercise", "check", str(folder), "--timeout", "5")
    assert failing.returncode == 1 and "✘ Not yet: no echo came back" in failing.stdout
    passing = run_cli("exercise", "check", str(folder), "--solution", "--timeout", "5")
    assert passing.returncode == 0 and "✔ Passed" in passing.stdout
    assert run_cli("exercise", "check", str(tmp_path)).returncode == 2
    first = next_hint(folder)
    second = next_hint(folder)
    assert first.startswith("Hint 1 of") and second.startswith("Hint 2 of")
    assert "UdpSocket::bind" in first and "UdpSocket::bind(…)" in second


def test_watch_checks_again_after_a_save(exercises, capsys):
    folder = exercises / "ch02-sockets" / "03-udp-socket"
    target = folder / "src" / "exercise.rs"
    solution = (
        exercises / "ch02-sockets" / "solutions" / folder.name / "src" / "exercise.rs"
    ).read_text()
    original = target.read_text()

    def save_later() -> None:
        time.sleep(1.5)
        target.write_text(solution)

    thread = threading.Thread(target=save_later)
    thread.start()
    try:
        watch(folder, solution=False, timeout=5, poll=0.1, rounds=2)
    finally:
        thread.join()
        target.write_text(original)
    out = capsys.readouterr().out
    assert out.index("✘ Not yet") < out.index("✔ Passed")
