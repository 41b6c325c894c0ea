"""A cache that tells the truth: results keyed by what decides the verdict and reported where
the snippet stands now; entries written atomically and verified when read; a cache that
cannot be used means one warning and a run without it; a missing toolchain is a SKIP."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cardgen.cache import Cache
from cardgen.check.runner import CheckOptions, check_sheets
from cardgen.parse import parse_file
from tests.conftest import FIXTURES, SEED
from tests.test_sandbox import RUST_HOMES

PYTHON_SHEET = FIXTURES / "sheets" / "python-sockets.md"
SNIPPET_LINES = {132, 143, 151, 158}
"""The seed's Rust snippets."""


def check(path: Path, cache: Path, **kw) -> dict[int, object]:
    sheet = parse_file(path, str(path))
    options = CheckOptions(cache=cache, jobs=2, timeout=8, **kw)
    results = check_sheets([sheet], options, claims=False)
    return {r.line: r for r in results if r.lang in ("rust", "python")}


@pytest.fixture(scope="module")
def warm(tmp_path_factory) -> Path:
    """A cache that has seen the seed and the Python sheet once."""
    cache = tmp_path_factory.mktemp("warm-cache")
    first = check(SEED, cache)
    assert {r.status for r in first.values()} == {"PASS"}
    assert {r.status for r in check(PYTHON_SHEET, cache).values()} == {"PASS"}
    return cache


def test_a_copied_sheet_reports_its_own_path(warm, tmp_path):
    for original in (SEED, PYTHON_SHEET):
        copy = tmp_path / "elsewhere" / original.name
        copy.parent.mkdir(exist_ok=True)
        shutil.copy(original, copy)
        results = check(copy, warm)
        assert results and {r.mode for r in results.values()} == {"cached"}
        assert {r.path for r in results.values()} == {str(copy)}
        assert {r.status for r in results.values()} == {"PASS"}


def test_prose_above_the_snippets_shifts_lines_and_recompiles_nothing(warm, tmp_path):
    for original in (SEED, PYTHON_SHEET):
        before = check(original, warm)
        text = original.read_text(encoding="utf-8")
        title, rest = text.split("\n", 1)
        edited = tmp_path / original.name
        edited.write_text(
            f"{title}\n\nThree lines of prose,\nadded above every snippet.\n{rest}",
            encoding="utf-8",
        )
        after = check(edited, warm)
        assert sorted(after) == sorted(line + 3 for line in before)
        assert {r.mode for r in after.values()} == {"cached"}, {
            line: r.mode for line, r in after.items()
        }
        assert not list((warm / "rust").glob("work-*"))  # nothing was built


def test_an_edited_snippet_is_the_only_one_built_again(warm, tmp_path):
    edited = tmp_path / "seed.md"
    edited.write_text(SEED.read_text().replace("[0; 512]", "[0; 256]"))
    results = check(edited, warm)
    assert results[143].mode == "single" and results[143].status == "PASS"
    assert {results[n].mode for n in SNIPPET_LINES - {143}} == {"cached"}


def test_damaged_entries_are_rebuilt_and_no_cache_reads_none(tmp_path):
    cache = tmp_path / "cache"
    check(SEED, cache)
    entries = sorted((cache / "results").glob("*.json"))
    binaries = [p for p in (cache / "bin").iterdir() if not p.name.endswith(".sha256")]
    assert len(entries) == 4 and len(binaries) == 1
    # cut short, as a full disk or a killed run would leave them
    for entry in entries:
        entry.write_bytes(entry.read_bytes()[:40])
    binary = binaries[0]
    binary.write_bytes(binary.read_bytes()[: binary.stat().st_size // 2])
    again = check(SEED, cache)
    assert {r.status for r in again.values()} == {"PASS"}
    assert {r.mode for r in again.values()} == {"merged"}  # built again, not trusted
    reader = Cache(cache)
    assert all(reader.read_json("results", p.stem) for p in entries)
    assert reader.file("bin", binary.name) is not None  # whole again, and verified
    # a partial binary with no digest at all (an older cardgen's copy), and --no-cache
    Path(str(binary) + ".sha256").unlink()
    binary.write_bytes(b"\x7fELF partial")
    fresh = check(SEED, cache, use_cache=False)
    assert {r.status for r in fresh.values()} == {"PASS"}
    assert {r.mode for r in fresh.values()} == {"merged"}
    assert not list(cache.rglob("*.tmp"))


def test_template_bytecode_is_verified(tmp_path, monkeypatch):
    from cardgen.cache import jinja_bytecode_cache

    folder = tmp_path / "jinja"
    script = (
        "import sys; from cardgen.render.quiz_html import environment\n"
        "print(environment().get_template('quiz_print.html.j2').name)\n"
    )
    env = {**os.environ, "CARDGEN_CACHE_DIR": str(tmp_path)}
    first = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    entries = list(folder.glob("*.cache"))
    assert entries
    for entry in entries:
        entry.write_bytes(entry.read_bytes()[:100])  # cut short
    again = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True)
    assert again.returncode == 0 and again.stdout.strip() == "quiz_print.html.j2", again.stderr
    assert jinja_bytecode_cache(tmp_path / "file-not-folder" / "x") is not None
    (tmp_path / "blocked").write_text("a file where the folder should be")
    assert jinja_bytecode_cache(tmp_path / "blocked" / "jinja") is None


def cli_check(sheet: Path, cache: str, env: dict[str, str] | None = None, *extra: str):
    return subprocess.run(
        [sys.executable, "-m", "cardgen", "check", str(sheet), *extra],
        capture_output=True,
        text=True,
        env={**os.environ, "CARDGEN_CACHE_DIR": cache, **(env or {})},
        timeout=300,
    )


def test_an_unusable_cache_folder_means_one_warning_and_a_run_without_it(tmp_path):
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder should be")
    done = cli_check(SEED, str(blocked / "cardgen"))
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("warning: cache folder") == 1
    assert "cannot be used (Not a directory): going on without a cache" in done.stderr
    assert "checks: 22 pass, 0 fail" in done.stdout


def can_mount() -> bool:
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return False
    tried = subprocess.run(["unshare", "--mount", "true"], capture_output=True)
    return tried.returncode == 0


@pytest.mark.skipif(not can_mount(), reason="mounting a read-only or full folder needs root")
@pytest.mark.parametrize("fault", ["read-only", "full"])
def test_a_read_only_or_full_cache_folder_means_one_warning(tmp_path, fault):
    cache = tmp_path / "cache"
    cache.mkdir()
    if fault == "read-only":
        check(SEED, cache)  # a cache with entries, then made read-only
        mount = f"mount --bind {cache} {cache} && mount -o remount,bind,ro {cache}"
    else:
        mount = f"mount -t tmpfs -o size=1m tmpfs {cache}"
    env = {**os.environ, **RUST_HOMES, "CARDGEN_CACHE_DIR": str(cache)}
    done = subprocess.run(
        ["unshare", "--mount", "sh", "-c", f'{mount} && exec "$@"', "sh"]
        + [sys.executable, "-m", "cardgen", "check", str(SEED)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("warning: cache folder") == 1, done.stderr
    assert "checks: 22 pass, 0 fail" in done.stdout


def test_two_checks_sharing_a_cache_neither_corrupt_nor_block_it(tmp_path):
    cache = tmp_path / "cache"
    sheets = []
    for n in range(2):
        sheet = tmp_path / f"copy{n}" / "ch02-sockets.md"
        sheet.parent.mkdir()
        shutil.copy(SEED, sheet)
        sheets.append(sheet)
    env = {**os.environ, "CARDGEN_CACHE_DIR": str(cache)}
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "cardgen", "check", str(s), "--report", str(s) + ".json"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for s in sheets
    ]
    for run in runs:
        _, err = run.communicate(timeout=300)
        assert run.returncode == 0, err
    for sheet in sheets:
        checks = json.loads(Path(str(sheet) + ".json").read_text())["checks"]
        assert {c["status"] for c in checks} <= {"PASS", "SKIP"}
        assert {c["path"] for c in checks} == {str(sheet)}
    reader = Cache(cache)
    entries = list((cache / "results").glob("*.json"))
    assert entries and all(reader.read_json("results", p.stem) for p in entries)
    binaries = [p for p in (cache / "bin").iterdir() if not p.name.endswith(".sha256")]
    assert binaries and all(reader.file("bin", p.name) for p in binaries)
    assert not list(cache.rglob("*.tmp")) and not list((cache / "rust").glob("work-*"))


def path_without(tmp_path: Path, *tools: str) -> str:
    """A PATH with every command of this one except `tools`."""
    folder = tmp_path / ("bin-without-" + "-".join(tools))
    folder.mkdir()
    for directory in os.environ["PATH"].split(os.pathsep):
        if not os.path.isdir(directory):
            continue
        for name in os.listdir(directory):
            link = folder / name
            if name in tools or link.exists() or link.is_symlink():
                continue
            link.symlink_to(os.path.join(directory, name))
    return str(folder)


def test_a_missing_toolchain_is_a_skip_that_names_it(tmp_path):
    sheet = tmp_path / "tools.md"
    sheet.write_text(
        SEED.read_text() + "\n\n**Python from the shell:**\n```bash\npython3 -c 'print(1)'\n```\n"
    )
    done = cli_check(
        sheet,
        str(tmp_path / "cache"),
        {"PATH": path_without(tmp_path, "rustc", "cargo", "python3")},
        "--report",
        str(tmp_path / "r.json"),
    )
    assert "does not compile" not in done.stdout + done.stderr
    checks = {c["line"]: c for c in json.loads((tmp_path / "r.json").read_text())["checks"]}
    for line in (132, 143, 151):
        assert checks[line]["status"] == "SKIP"
        assert checks[line]["reason"].startswith("needs `rustc`, which is not installed here")
    assert checks[158]["reason"].startswith("needs `cargo`, which is not installed here")
    shell = next(c for c in checks.values() if "python3 -c" in c["label"])
    assert shell["status"] == "SKIP" and "needs `python3`" in shell["reason"]
    assert done.returncode == 0, done.stderr
