"""Every fault ends in a clear message, and nothing good is lost.

Read-only and full output folders (for real: an unprivileged user, a read-only mount, a small
tmpfs), bad configuration values, Ctrl-C and SIGTERM, `kill -9`, two builds at once, temporary
files of a killed build, a damaged ledger, and a failure inside any one stage of one sheet.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

from cardgen.build import BuildOptions, build, build_sheet
from cardgen.identity import LEDGER_NAME
from tests.conftest import FIXTURES, ROOT, SEED, as_a_user
from tests.test_build import cardgen, snapshot

EPOCH = "1700000000"
OUTPUT_FOLDERS = ("decks", "quizzes", "exercises")
REAL_BUILD_SHEET = build_sheet


@pytest.fixture
def project(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    shutil.copy(SEED, content / "ch02-sockets.md")
    shutil.copy(FIXTURES / "sheets" / "http-basics.md", content)
    return tmp_path


def no_temp_files(folder: Path) -> bool:
    return not [p for p in folder.rglob("*") if p.name.startswith(".cardgen-tmp")]


def edit_seed(project: Path) -> None:
    sheet = project / "content" / "ch02-sockets.md"
    sheet.write_text(sheet.read_text().replace("| 20+ bytes |", "| 20-60 bytes |"))


# -- read-only and full output folders --------------------------------------------------------


def world_readable_project() -> Path:
    """A project an unprivileged user can read (pytest's tmp_path is private to root)."""
    base = Path(tempfile.mkdtemp(prefix="cg-faults-"))
    base.chmod(0o755)
    content = base / "content"
    content.mkdir()
    shutil.copy(SEED, content / "ch02-sockets.md")
    return base


def as_user(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run cardgen without root's power over file modes (root writes anywhere, users do not).

    As root, the process keeps its uid (so it can still read the Python packages installed
    under root's private home) but loses the capabilities that bypass permission checks: a
    folder of mode 0555 is then as read-only to it as to any user."""
    prefix = as_a_user()
    env = {
        **os.environ,
        "SOURCE_DATE_EPOCH": EPOCH,
        "HOME": str(cwd),
        "CARDGEN_CACHE_DIR": str(cwd / "cache"),
        "PYTHONPATH": str(ROOT),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    return subprocess.run(
        [*prefix, sys.executable, "-m", "cardgen", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_read_only_output_folder_as_a_user(project):
    base = world_readable_project()
    try:
        (base / "cache").mkdir()
        (base / "cache").chmod(0o777)
        first = cardgen("build", "--no-check", cwd=base)
        assert first.returncode == 0, first.stderr
        out = base / "output"
        for folder in [out, *[p for p in out.rglob("*") if p.is_dir()]]:
            folder.chmod(0o555)
        before = snapshot(out)
        edit_seed(base)
        second = as_user("build", "--no-check", cwd=base)
        assert second.returncode == 2, second.stderr
        assert second.stderr.strip() == "error: output: cannot write: Permission denied"
        assert "Traceback" not in second.stderr
        assert snapshot(out) == before
    finally:
        for folder in [base, *[p for p in base.rglob("*") if p.is_dir()]]:
            folder.chmod(0o755)
        shutil.rmtree(base, ignore_errors=True)


def in_mount_namespace(script: str, cwd: Path) -> dict:
    """Run a Python script as root of a new user and mount namespace (no privilege needed),
    where it can mount a tmpfs or a read-only bind; it prints a JSON result."""
    probe = subprocess.run(["unshare", "-rm", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.fail(f"unshare -rm is needed for this test: {probe.stderr.decode().strip()}")
    driver = cwd / "driver.py"
    driver.write_text(textwrap.dedent(script))
    done = subprocess.run(
        ["unshare", "-rm", sys.executable, str(driver)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


NAMESPACE_HELPERS = """
import json, os, subprocess, sys
from pathlib import Path

def cardgen(*args):
    done = subprocess.run([sys.executable, "-m", "cardgen", *args], capture_output=True, text=True)
    return {"code": done.returncode, "stderr": done.stderr, "stdout": done.stdout}

def snapshot(out):
    return {str(p.relative_to(out)): p.read_bytes().hex() for p in sorted(out.rglob("*"))
            if p.is_file() and p.name != "filler"}

def edit_seed():
    sheet = Path("content/ch02-sockets.md")
    sheet.write_text(sheet.read_text().replace("| 20+ bytes |", "| 20-60 bytes |"))
"""


def test_full_output_folder(project):
    result = in_mount_namespace(
        NAMESPACE_HELPERS
        + """
out = Path("output")
out.mkdir()
subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(out)], check=True)
first = cardgen("build", "--no-check")
before = snapshot(out)
with open(out / "filler", "wb") as filler:  # fill the disk to the last block
    try:
        while True:
            filler.write(b"\\0" * 65536)
            filler.flush()
    except OSError:
        pass
edit_seed()
second = cardgen("build", "--no-check")
after = snapshot(out)
temp = [p.name for p in out.rglob(".cardgen-tmp*")]
(out / "filler").unlink()
third = cardgen("build", "--no-check")
edited = "20-60 bytes" in Path("content/cardgen-notes.lock").read_text()
print(json.dumps({"first": first, "second": second, "third": third, "same": before == after,
                  "temp": temp, "edited": edited}))
""",
        project,
    )
    assert result["first"]["code"] == 0, result["first"]["stderr"]
    second = result["second"]
    assert second["code"] == 2, second["stderr"]
    assert "cannot write: No space left on device" in second["stderr"]
    assert second["stderr"].startswith("error: output/")
    assert "Traceback" not in second["stderr"]
    assert result["same"] and result["temp"] == []  # earlier outputs intact, nothing left over
    assert result["third"]["code"] == 0 and result["edited"]  # with room again, all is built


def test_read_only_file_system(project):
    result = in_mount_namespace(
        NAMESPACE_HELPERS
        + """
first = cardgen("build", "--no-check")
out = Path("output")
before = snapshot(out)
subprocess.run(["mount", "--bind", str(out), str(out)], check=True)
subprocess.run(["mount", "-o", "remount,bind,ro", str(out)], check=True)
edit_seed()
second = cardgen("build", "--no-check")
print(json.dumps({"first": first, "second": second, "same": before == snapshot(out)}))
""",
        project,
    )
    assert result["first"]["code"] == 0
    assert result["second"]["code"] == 2
    assert (
        result["second"]["stderr"].strip() == "error: output: cannot write: Read-only file system"
    )
    assert result["same"]


def test_a_content_folder_that_cannot_hold_the_ledger(project):
    result = in_mount_namespace(
        NAMESPACE_HELPERS
        + """
subprocess.run(["mount", "--bind", "content", "content"], check=True)
subprocess.run(["mount", "-o", "remount,bind,ro", "content"], check=True)
first = cardgen("build", "--no-check")
print(json.dumps({"first": first, "decks": os.path.exists("output/decks")}))
""",
        project,
    )
    first = result["first"]
    assert first["code"] == 2
    assert f"error: content/{LEDGER_NAME}: cannot write: Read-only file system" in first["stderr"]
    assert not result["decks"]  # no deck whose notes the ledger does not record


# -- configuration ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("check_timeout = -1", "check_timeout: must be more than 0 and at most 86400 seconds"),
        ("jobs = 0", "jobs: must be from 1 to 256, not 0"),
        ("quiz_versions = 0", "quiz_versions: must be from 1 to 50, not 0"),
        ("compile_timeout = nan", "compile_timeout: must be more than 0"),
        ("quiz_questions = -5", "quiz_questions: must be at least 1, not -5"),
        ('content = ["content", 3]', "content: must be a list of non-empty strings"),
        ('deck_prefix = "a\\nb"', "deck_prefix: must not hold control characters"),
    ],
)
def test_config_values_are_range_checked(project, line, message):
    cardgen("build", "--no-check", cwd=project)
    before = snapshot(project / "output")
    (project / "cardgen.toml").write_text(f'output = "output"\n{line}\n')
    result = cardgen("build", "--no-check", cwd=project)
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: cardgen.toml:2: {message}"), result.stderr
    assert snapshot(project / "output") == before


@pytest.mark.parametrize("value", ["yesterday", "-5", "99999999999999999999"])
def test_a_malformed_source_date_epoch_is_an_error(project, value):
    result = cardgen("build", "--no-check", cwd=project, env={"SOURCE_DATE_EPOCH": value})
    assert result.returncode == 2
    assert result.stderr.startswith(
        "error: SOURCE_DATE_EPOCH must be a whole number of seconds since 1970"
    )
    assert not (project / "output" / "decks").exists()


def test_an_output_folder_that_is_a_file(project):
    (project / "site").write_text("not a folder")
    result = cardgen("build", "--no-check", "-o", "site", cwd=project)
    assert result.returncode == 2
    assert (
        result.stderr.strip() == "error: site: is not a folder: choose another output folder (-o)"
    )


def test_a_fifo_is_never_read_as_a_sheet(project):
    os.mkfifo(project / "content" / "pipe.md")
    given = cardgen("build", "--no-check", "content/pipe.md", cwd=project)
    assert given.returncode == 2
    assert "error: content/pipe.md: not a regular file" in given.stderr
    found = cardgen("build", "--no-check", cwd=project)
    assert found.returncode == 0
    assert "warning: content/pipe.md: not a regular file: not read" in found.stderr


def test_jobs_flag_is_range_checked(project):
    result = cardgen("build", "--jobs", "0", cwd=project)
    assert result.returncode == 2 and "--jobs takes a number from 1 to 256" in result.stderr


# -- interrupted and killed builds ------------------------------------------------------------


def many_sheets(folder: Path, count: int) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    from run import make_sheets  # the benchmark's synthetic sheets

    make_sheets(folder, count)


def start_build(project: Path, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    env.pop("CARDGEN_DEBUG", None)
    return subprocess.Popen(
        [sys.executable, "-m", "cardgen", "build", "--no-check", "--jobs", "2", *extra],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        # as from a terminal: a runner that ignores SIGINT would pass that on to the build
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def processes() -> list[tuple[int, str, int, int]]:
    """(pid, state, parent pid, process group) of every process, from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        found.append((int(stat.parent.name), fields[0], int(fields[1]), int(fields[2])))
    return found


def wait_for_workers(process: subprocess.Popen, count: int = 2) -> list[int]:
    for _ in range(400):
        children = [pid for pid, _, parent, _ in processes() if parent == process.pid]
        if len(children) >= count:
            return children
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    pytest.fail("the build never started its workers")


def running_in_group(pgid: int) -> list[int]:
    """Processes of a process group that still run (zombies waiting to be reaped do not)."""
    return [pid for pid, state, _, group in processes() if group == pgid and state != "Z"]


def group_is_gone(pgid: int) -> bool:
    for _ in range(100):
        if not running_in_group(pgid):
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_interrupt_stops_the_build_and_its_workers(tmp_path, sig, code):
    many_sheets(tmp_path / "content", 1000)
    build_process = start_build(tmp_path)
    workers = wait_for_workers(build_process)
    sent = time.monotonic()
    build_process.send_signal(sig)
    out, err = build_process.communicate(timeout=60)
    stopped = time.monotonic() - sent
    assert build_process.returncode == code, err
    assert err.strip().splitlines()[-1] in ("interrupted", "terminated")
    assert "Traceback" not in err
    assert stopped < 5, f"took {stopped:.1f} s to stop"  # a whole build takes far longer
    assert group_is_gone(build_process.pid), "a process of the build is still running"
    assert not any(pid in running_in_group(build_process.pid) for pid in workers)
    assert no_temp_files(tmp_path / "output")


def test_kill_9_leaves_no_worker_and_the_next_build_is_whole(tmp_path, tmp_path_factory):
    big_project = tmp_path
    many_sheets(big_project / "content", 300)
    build_process = start_build(big_project)
    wait_for_workers(build_process)
    time.sleep(0.5)
    build_process.kill()
    build_process.communicate(timeout=60)
    assert group_is_gone(build_process.pid), "a worker outlived the killed build"
    out = big_project / "output"
    (out / "decks").mkdir(parents=True, exist_ok=True)
    (out / "decks" / ".cardgen-tmp-sheet0001.apkg.x1y2z3").write_bytes(b"half a deck")
    (out / "decks" / ".sheet0002.apkg.ab12cd34.tmp").write_bytes(b"cardgen 0.1's temp file")
    again = cardgen("build", "--no-check", "--jobs", "2", cwd=big_project)
    assert again.returncode == 0, again.stderr
    assert no_temp_files(out) and not list(out.rglob("*.tmp"))
    fresh = tmp_path_factory.mktemp("fresh")
    clean = cardgen("build", "--no-check", "-o", str(fresh), cwd=big_project)
    assert clean.returncode == 0

    def outputs(folder: Path) -> dict[str, bytes]:  # the report also says the ledger changed
        return {k: v for k, v in snapshot(folder).items() if k.split("/")[0] in OUTPUT_FOLDERS}

    assert outputs(out) == outputs(fresh) and len(outputs(out)) >= 900


def test_a_second_build_waits_for_the_first(project):
    out = project / "output"
    out.mkdir()
    holder = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(holder, fcntl.LOCK_EX)  # as a running build holds it
        second = start_build(project)
        ready, _, _ = select.select([second.stderr], [], [], 60)
        assert ready, "the second build said nothing"
        line = second.stderr.readline()
        assert "another cardgen build is writing here; waiting for it to finish" in line
        time.sleep(0.5)
        assert second.poll() is None and not (out / "decks").exists()
    finally:
        os.close(holder)
    _, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    assert (out / "decks" / "ch02-sockets.apkg").exists()


# -- the ledger -------------------------------------------------------------------------------


def test_a_damaged_ledger_is_named_with_its_line(project):
    assert cardgen("build", "--no-check", cwd=project).returncode == 0
    ledger = project / "content" / LEDGER_NAME
    lines = ledger.read_text().splitlines()
    before = snapshot(project / "output")
    ledger.write_text("\n".join([*lines[:7], "half a line", *lines[7:]]) + "\n")
    result = cardgen("build", "--no-check", cwd=project)
    assert result.returncode == 2
    assert f"error: content/{LEDGER_NAME}:8: not a ledger line" in result.stderr
    ledger.write_text(
        "\n".join([*lines[:7], "<<<<<<< HEAD", lines[7], "=======", ">>>>>>> other", *lines[8:]])
    )
    result = cardgen("build", "--no-check", cwd=project)
    assert result.returncode == 2
    assert f"{LEDGER_NAME}:8: merge conflict markers" in result.stderr
    fields = lines[7].split("\t")
    fields[3] = "1" + "0" * 30
    ledger.write_text("\n".join([*lines[:7], "\t".join(fields), *lines[8:]]) + "\n")
    result = cardgen("build", "--no-check", cwd=project)
    assert result.returncode == 2
    assert f"{LEDGER_NAME}:8: modification time '1{'0' * 30}' is not a whole number" in (
        result.stderr
    )
    assert snapshot(project / "output") == before


# -- a failure inside one stage of one sheet --------------------------------------------------


def boom_for(sheet: str, real):
    def stage(*args, **kwargs):
        if sheet in repr(args):
            raise ValueError(f"boom in {sheet}")
        return real(*args, **kwargs)

    return stage


STAGES = {
    "parse": ("cardgen.parse", "parse_text", "parsing"),
    "questions": ("cardgen.questions", "build_bank", "making the questions of"),
    "quiz": ("cardgen.quiz", "make_quiz", "making the quizzes of"),
    "deck": ("cardgen.render.deck", "sheet_notes", "making the deck of"),
    "exercises": ("cardgen.exercises", "sheet_exercise_files", "making the exercises of"),
    "render": ("cardgen.render.quiz_html", "render_selfcheck", "making the quizzes of"),
}


@pytest.mark.parametrize("stage", [*STAGES, "write"])
def test_a_failure_in_any_stage_fails_that_sheet_alone(stage, project, monkeypatch, capsys):
    import importlib

    from cardgen.cli import main

    monkeypatch.chdir(project)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.delenv("CARDGEN_DEBUG", raising=False)
    shutil.copy(FIXTURES / "sheets" / "python-sockets.md", project / "content")
    victim = "http-basics"
    if stage == "write":
        import cardgen.build as build_module

        real_write = build_module.write_atomic

        def write(path, data):
            if f"quizzes/{victim}" in str(path):
                raise OSError(errno.ENAMETOOLONG, os.strerror(errno.ENAMETOOLONG))
            return real_write(path, data)

        monkeypatch.setattr(build_module, "write_atomic", write)
        expected = f"content/{victim}.md: output/quizzes/{victim}"
    else:
        module_name, name, doing = STAGES[stage]
        module = importlib.import_module(module_name)
        monkeypatch.setattr(module, name, boom_for(victim, getattr(module, name)))
        expected = f"content/{victim}.md: internal error while {doing} this sheet: ValueError"
    args = ["build", "--no-check", "--jobs", "1"]
    if stage == "exercises":  # made after the checks only; the checks themselves are not the point
        import cardgen.build as build_module

        monkeypatch.setattr(build_module, "_run_checks", lambda *a, **k: None)
        args.remove("--no-check")
    code = main(args)
    err = capsys.readouterr().err
    assert code == 1, err
    assert f"error: {expected}" in err
    report = json.loads((project / "output" / "report.json").read_text())
    status = {s["name"]: s["status"] for s in report["sheets"]}
    assert status == {"ch02-sockets": "built", victim: "failed", "python-sockets": "built"}
    assert (project / "output" / "index.html").exists()
    assert (project / "output" / "decks" / "python-sockets.apkg").exists()
    ledger = (project / "content" / LEDGER_NAME).read_text()
    assert "python-sockets.md\t" in ledger
    # the exercises are made after the checks, when the sheet's deck is written and its notes
    # are in the ledger; a failure of any earlier stage writes neither
    assert (f"\n{victim}.md\t" in ledger) == (stage == "exercises")


def test_a_sheet_whose_outputs_cannot_be_written_fails_alone(project):
    long_name = "n" * 245 + ".md"  # its deck fits in a file name, its self-check page does not
    shutil.copy(FIXTURES / "sheets" / "http-basics.md", project / "content" / long_name)
    result = cardgen("build", "--no-check", cwd=project)
    assert result.returncode == 1, result.stderr
    assert f"error: content/{long_name}: output/quizzes/" in result.stderr
    assert "cannot write: File name too long" in result.stderr
    report = json.loads((project / "output" / "report.json").read_text())
    assert [s["status"] for s in report["sheets"]] == ["built", "built", "failed"]


def dies_on_http_basics(job, options):
    """`build_sheet`, except that the sheet http-basics kills the process building it."""
    if job.name == "http-basics":
        os._exit(9)
    return REAL_BUILD_SHEET(job, options)


def test_a_worker_that_dies_fails_its_sheet_alone(project, monkeypatch):
    import cardgen.build as build_module

    shutil.copy(FIXTURES / "sheets" / "python-sockets.md", project / "content")
    monkeypatch.setattr(build_module, "build_sheet", dies_on_http_basics)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    result = build([project / "content"], BuildOptions(out_dir=project / "o", check=False, jobs=2))
    assert {o.name: str(o.error) for o in result.failed} == {
        "http-basics": f"{project}/content/http-basics.md: the process building this sheet "
        "stopped unexpectedly (exit 9; out of memory?)"
    }
    assert len(result.outcomes) == 3
    assert (project / "o" / "report.json").exists()


# -- found by a second look: a user trying to break the build ---------------------------------


def test_a_huge_file_fails_at_once_without_being_read(project):
    """A 20 GB (sparse) file in the content folder: that sheet fails with its size, in a
    moment and in little memory; the others are built."""
    (project / "content" / "huge.md").touch()
    os.truncate(project / "content" / "huge.md", 20 * 1024**3)
    result = subprocess.run(
        [
            "prlimit",
            "--as=1500000000",
            "--",
            sys.executable,
            "-m",
            "cardgen",
            "build",
            "--no-check",
        ],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH},
    )
    assert result.returncode == 1, result.stderr
    assert "error: content/huge.md:1: sheet is 21474.8 MB; the limit is 8 MB" in result.stderr
    assert (project / "output" / "decks" / "ch02-sockets.apkg").exists()


def test_changing_a_limit_builds_the_sheet_again(project):
    """Check verdicts depend on the sandbox's limits: a sheet built under other limits is not
    reused (its FAILs would stay forever)."""
    first = cardgen("build", "--no-check", cwd=project)
    assert first.returncode == 0, first.stderr
    (project / "cardgen.toml").write_text("limit_cpu_seconds = 20\n")
    again = cardgen("build", "--no-check", cwd=project)
    assert again.returncode == 0, again.stderr
    assert "unchanged" not in again.stdout


@pytest.mark.parametrize("value", ["nan", "inf", "1e300", "-5", "99999999999999"])
def test_a_limit_out_of_range_is_a_config_error(project, value):
    (project / "cardgen.toml").write_text(f"deck_prefix = 'x'\nlimit_cpu_seconds = {value}\n")
    result = cardgen("build", "--no-check", cwd=project)
    assert result.returncode == 2
    assert result.stderr.startswith("error: cardgen.toml:2: limit_cpu_seconds: must be from 0.1 to")
    assert not (project / "output").exists()


@pytest.mark.parametrize("damage", ["empty", "no header", "no guid"])
def test_a_damaged_ledger_stops_the_build_before_any_note_changes(project, damage):
    """An empty ledger (an editor crash, a `>` by mistake) read as 'no ledger' would give
    every moved or renamed fact a new note: it is an error, and nothing is written."""
    first = cardgen("build", "--no-check", cwd=project)
    assert first.returncode == 0, first.stderr
    ledger = project / "content" / LEDGER_NAME
    text = ledger.read_text()
    before = snapshot(project / "output")
    if damage == "empty":
        ledger.write_text("")
    elif damage == "no header":
        ledger.write_text("\n".join(text.split("\n")[1:]))
    else:
        lines = text.split("\n")
        n = next(i for i, line in enumerate(lines) if line and not line.startswith("#"))
        cols = lines[n].split("\t")
        cols[2] = ""
        lines[n] = "\t".join(cols)
        ledger.write_text("\n".join(lines))
    result = cardgen("build", "--no-check", cwd=project)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"error: content/{LEDGER_NAME}:")
    assert "Traceback" not in result.stderr
    assert snapshot(project / "output") == before


@pytest.mark.parametrize(
    ("first", "added"),
    [
        ("**Latency**: The time a packet takes from sender to receiver", "**Jitter**: The spread"),
        ("**SSH**: 22", "**HTTP**: 80"),
    ],
)
def test_adding_a_definition_beside_one_keeps_its_note(tmp_path, first, added):
    """One definition under a heading, then a second: the first fact is the same fact, and
    keeps its note (its key, its GUID), whether or not it gains a reverse card."""
    from cardgen.ledger import read_ledger

    content = tmp_path / "content"
    content.mkdir()
    sheet = content / "g.md"
    sheet.write_text(f"# Sheet\n\n## Glossary\n\n{first}\n")
    env = {"SOURCE_DATE_EPOCH": EPOCH}
    assert cardgen("build", "--no-check", cwd=tmp_path, env=env).returncode == 0
    (before,) = read_ledger(content).entries
    sheet.write_text(sheet.read_text() + f"{added}\n")
    again = cardgen("build", "--no-check", cwd=tmp_path, env=env)
    assert again.returncode == 0, again.stderr
    after = {e.key: e for e in read_ledger(content).entries}
    assert after[before.key].guid == before.guid and after[before.key].live
    assert len(after) == 2 and "retired" not in again.stdout


def test_an_image_outside_the_content_folder_is_never_packed(tmp_path):
    """A sheet may not ship a file from outside its content folder in its deck: not through
    `../`, not through a symlink named `.png`; a file named `.png` that is no image neither."""
    content = tmp_path / "content"
    (tmp_path / "secret").mkdir()
    content.mkdir()
    (tmp_path / "secret" / "key.png").write_text("TOPSECRET\n")
    (content / "pic.png").symlink_to("../secret/key.png")
    (content / "pw.png").symlink_to("/etc/passwd")
    (content / "fake.png").write_text("not an image\n")
    shutil.copy(FIXTURES / "sheets" / "real" / "img" / "rwx-bits.png", content / "ok.png")
    (content / "i.md").write_text(
        "# Images\n\n## Pictures\n\n"
        "**Handshake**: the handshake diagram ![a](pic.png)\n\n"
        "**Sequence**: the sequence diagram ![b](pw.png)\n\n"
        "**Upward**: the upward diagram ![c](../secret/key.png)\n\n"
        "**Fake**: the fake diagram ![d](fake.png)\n\n"
        "**Bits**: the permission bits ![e](ok.png)\n"
    )
    result = cardgen("build", "--no-check", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for line, src in ((5, "pic.png"), (7, "pw.png"), (9, "../secret/key.png")):
        assert f"content/i.md:{line}: image {src} leads out of the content folder" in result.stderr
    assert "content/i.md:11: fake.png is not an image file" in result.stderr
    import zipfile

    with zipfile.ZipFile(tmp_path / "output" / "decks" / "i.apkg") as z:
        media = json.loads(z.read("media"))
        packed = [z.read(k) for k in media]
    assert len(packed) == 1 and packed[0].startswith(b"\x89PNG")
    pages = b"".join(p.read_bytes() for p in (tmp_path / "output" / "quizzes").iterdir())
    assert b"TOPSECRET" not in pages and b"root:x:0" not in pages


def test_building_a_sub_folder_never_overwrites_another_sheets_outputs(tmp_path):
    """`content/a.md` built, then `content/sub` alone into the same output: its `a` outputs
    would overwrite those of `content/a.md`. The sheet fails and says what to do."""
    (tmp_path / "content" / "sub").mkdir(parents=True)
    (tmp_path / "content" / "a.md").write_text("# A\n\n**Alpha**: first letter of a thing\n")
    (tmp_path / "content" / "sub" / "a.md").write_text("# B\n\n**Beta**: second letter\n")
    assert cardgen("build", "--no-check", "content", cwd=tmp_path).returncode == 0
    before = snapshot(tmp_path / "output" / "decks")
    for _ in range(2):  # and the second time too: the output folder remembers whose they are
        sub = cardgen("build", "--no-check", "content/sub", cwd=tmp_path)
        assert sub.returncode == 1
        assert "error: content/sub/a.md: its output " in sub.stderr
        assert "is also the output of content/a.md: build the two in one run" in sub.stderr
        assert snapshot(tmp_path / "output" / "decks") == before
    assert cardgen("build", "--no-check", "content", cwd=tmp_path).returncode == 0


def test_flags_out_of_range_and_unwritable_report_files_are_usage_errors(project):
    sheet = "content/http-basics.md"
    for timeout in ("nan", "inf", "1e300", "0", "-1"):
        bad = cardgen("check", sheet, "--timeout", timeout, cwd=project)
        assert bad.returncode == 2 and "argument --timeout: must be more than 0" in bad.stderr
    for args, message in (
        (["quiz", sheet, "-o", sheet], f"error: {sheet}: cannot write: File exists"),
        (
            ["check", "-q", "--report", "content", sheet],
            "error: content: cannot write: is a folder",
        ),
        (["check", "-q", "--junit", "no/such/x.xml", sheet], "error: no/such/x.xml: cannot write"),
    ):
        result = cardgen(*args, cwd=project)
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith(message) and "Traceback" not in result.stderr
    assert not (project / "no").exists()


def test_new_files_follow_the_umask_and_a_linked_ledger_is_written_through(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    (content / "a.md").write_text("# A\n\n## S\n\n**Alpha**: first letter of a thing\n")
    build = [sys.executable, "-m", "cardgen", "build", "--no-check", "-q"]
    subprocess.run(build, cwd=tmp_path, check=True, preexec_fn=lambda: os.umask(0o077))
    assert (tmp_path / "output" / "decks" / "a.apkg").stat().st_mode & 0o777 == 0o600
    (tmp_path / "shared").mkdir()
    (content / LEDGER_NAME).rename(tmp_path / "shared" / "ledger")
    (content / LEDGER_NAME).symlink_to("../shared/ledger")
    (content / "a.md").write_text((content / "a.md").read_text() + "\n**Beta**: second letter\n")
    subprocess.run(build, cwd=tmp_path, check=True)
    assert (content / LEDGER_NAME).is_symlink()
    assert "beta" in (tmp_path / "shared" / "ledger").read_text()


def test_a_file_name_that_is_not_utf8_is_named_and_the_rest_is_built(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    bad = os.fsdecode(b"caf\xe9.md")
    (content / bad).write_text("# C\n\n**A**: x is a letter\n")
    (content / "ok.md").write_text("# D\n\n**B**: y is a letter\n")
    result = cardgen("build", "--no-check", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "warning: content/caf\ufffd.md: its name is not valid UTF-8: not read" in result.stderr
    assert (tmp_path / "output" / "decks" / "ok.apkg").exists()


@pytest.mark.parametrize("text", ["[]", '{"kind": "bogus", "lang": "rust", "expect": {}}', "{}"])
def test_a_damaged_exercise_json_is_named(tmp_path, text):
    (tmp_path / "exercise.json").write_text(text)
    result = cardgen("exercise", "check", ".", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("error: .: exercise.json is damaged (")
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr


def test_a_folder_left_with_no_sheet_retires_its_notes_and_no_sheets_writes_nothing(tmp_path):
    for folder in ("c1", "c2"):
        (tmp_path / folder).mkdir()
    (tmp_path / "c1" / "x.md").write_text("# X\n\n## S\n\n**Alpha**: first letter of a thing\n")
    (tmp_path / "c2" / "y.md").write_text("# Y\n\n**Gamma**: third letter of a thing\n")
    assert cardgen("build", "--no-check", "c1", "c2", cwd=tmp_path).returncode == 0
    (tmp_path / "c1" / "x.md").rename(tmp_path / "c2" / "x.md")
    moved = cardgen("build", "--no-check", "c1", "c2", cwd=tmp_path)
    assert moved.returncode == 0, moved.stderr
    assert "x.md: no longer there: its 1 notes are retired" in moved.stdout
    (line,) = [x for x in (tmp_path / "c1" / LEDGER_NAME).read_text().split("\n") if "alpha" in x]
    assert "\tretired\t" in line
    for sheet in (tmp_path / "c2").glob("*.md"):
        sheet.rename(sheet.with_suffix(".txt"))
    before = snapshot(tmp_path / "output")
    none = cardgen("build", "--no-check", "c2", cwd=tmp_path)
    assert none.returncode == 2 and none.stderr.strip() == "error: no sheets (*.md) found"
    assert snapshot(tmp_path / "output") == before
