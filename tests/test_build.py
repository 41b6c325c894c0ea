"""`cardgen build` as a docs-pipeline step: config, report, index, incremental, safe."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cardgen.errors import ConfigError
from cardgen.files import write_atomic
from tests.conftest import FIXTURES, ROOT, SEED

BAD = {
    "binary.md": b"\x89PNG\r\n\x1a\n\x00\x00",
    "latin1.md": b"# Caf\xe9\n\n**Term**: text\n",
    "frontmatter.md": b"---\ntitle: Only a title\n---\n\n",
    "empty.md": b"",
}


def cardgen(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000", **(env or {})}
    full_env.pop("CARDGEN_DEBUG", None)
    # the cardgen of this checkout, whichever one pip last installed in editable mode
    full_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), full_env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-m", "cardgen", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture
def project(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    shutil.copy(SEED, content / "ch02-sockets.md")
    shutil.copy(FIXTURES / "sheets" / "python-sockets.md", content)
    shutil.copy(FIXTURES / "sheets" / "http-basics.md", content)
    return tmp_path


def snapshot(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_good_sheets_build_bad_ones_are_named_twice_the_same(project, tmp_path_factory):
    for name, data in BAD.items():
        (project / "content" / name).write_bytes(data)
    env = {"CARDGEN_CACHE_DIR": str(tmp_path_factory.mktemp("cache"))}
    first = cardgen("build", cwd=project, env=env)
    assert first.returncode == 1, first.stderr
    assert "Traceback" not in first.stderr + first.stdout
    for line in (
        "content/binary.md:3: binary file",
        "content/latin1.md:1: not valid UTF-8",
        "content/frontmatter.md:1: nothing but front matter",
        "content/empty.md:1: empty sheet",
    ):
        assert f"error: {line}" in first.stderr
    out = project / "output"
    for name in ("ch02-sockets", "python-sockets", "http-basics"):
        assert (out / "decks" / f"{name}.apkg").stat().st_size > 1000
        assert (out / "quizzes" / f"{name}.html").exists()
        assert (out / "quizzes" / f"{name}-selfcheck.html").exists()
    report = json.loads((out / "report.json").read_text())
    status = {s["name"]: s["status"] for s in report["sheets"]}
    assert status == {
        "binary": "failed",
        "ch02-sockets": "built",
        "empty": "failed",
        "http-basics": "built",
        "latin1": "failed",
        "python-sockets": "built",
        "frontmatter": "failed",
    }
    seed = next(s for s in report["sheets"] if s["name"] == "ch02-sockets")
    # 61 cells: 4 vague, a set, a give-away, 5 yes/no/both, 5 that say their state's name again
    assert seed["counts"]["questions"]["table_cell"] == 45
    assert {c["status"] for c in seed["checks"]} == {"PASS", "SKIP"}
    index = (out / "index.html").read_text()
    assert 'href="decks/ch02-sockets.apkg"' in index and "content/binary.md:3: binary" in index
    assert "content/cardgen-notes.lock: updated" in first.stdout
    decks = {name: data for name, data in snapshot(out).items() if name.startswith("decks/")}

    second = cardgen("build", cwd=project, env=env)
    assert second.returncode == 1
    assert "content/ch02-sockets.md: unchanged" in second.stdout
    assert "notes.lock: updated" not in second.stdout
    before = snapshot(out)
    assert {name: data for name, data in before.items() if name.startswith("decks/")} == decks
    assert cardgen("build", cwd=project, env=env).returncode == 1
    assert snapshot(out) == before

    fresh = project / "fresh"
    third = cardgen("build", "-o", str(fresh), cwd=project, env=env)
    assert third.returncode == 1
    assert snapshot(fresh) == before  # a fresh build with the same ledger and SOURCE_DATE_EPOCH


def test_jobs_give_the_same_bytes(project):
    assert cardgen("build", "--no-check", "-o", "first", cwd=project).returncode == 0
    one = cardgen("build", "--no-check", "--jobs", "1", "-o", "one", cwd=project)
    two = cardgen("build", "--no-check", "--jobs", "2", "-o", "two", cwd=project)
    assert one.returncode == two.returncode == 0, one.stderr + two.stderr
    assert snapshot(project / "one") == snapshot(project / "two")


def test_config_file_and_flags(project):
    (project / "cardgen.toml").write_text(
        'deck_prefix = "Networking in Rust"\noutputs = ["decks", "quizzes"]\n'
        'quiz_versions = 2\nquiz_seed = 3\nchecks = false\ncontent = ["content/http-basics.md"]\n'
        'output = "site"\n'
    )
    result = cardgen("build", cwd=project)
    assert result.returncode == 0, result.stderr
    site = project / "site"
    assert sorted(p.name for p in (site / "quizzes").iterdir()) == [
        "http-basics-key.html",
        "http-basics-selfcheck.html",
        "http-basics-v2.html",
        "http-basics.html",
        "http-basics.quiz.json",
    ]
    report = json.loads((site / "report.json").read_text())
    assert [s["name"] for s in report["sheets"]] == ["http-basics"]
    assert report["sheets"][0]["checks"] == []
    from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

    col = Collection(str(project / "c.anki2"))
    try:
        col.import_anki_package(
            ImportAnkiPackageRequest(
                package_path=str(site / "decks" / "http-basics.apkg"),
                options=ImportAnkiPackageOptions(),
            )
        )
        names = {d.name for d in col.decks.all_names_and_ids()}
    finally:
        col.close()
    # one deck per sheet, under the prefix: a section is a tag, so renaming it moves no card
    assert {n for n in names if n.startswith("Networking")} == {
        "Networking in Rust",
        "Networking in Rust::HTTP Basics Cheatsheet",
    }
    seeded = (site / "quizzes" / "http-basics.html").read_bytes()
    flag = cardgen("build", "--seed", "4", "-o", "other", cwd=project)
    assert flag.returncode == 0
    assert (project / "other" / "quizzes" / "http-basics.html").read_bytes() != seeded


def test_pyproject_table_and_unknown_keys(project):
    (project / "pyproject.toml").write_text(
        '[project]\nname = "book"\n\n[tool.cardgen]\nchecks = false\nquiz_sed = 4\n'
    )
    result = cardgen("build", cwd=project)
    assert result.returncode == 2
    assert "pyproject.toml:6: quiz_sed: unknown key" in result.stderr
    (project / "pyproject.toml").write_text('[tool.cardgen]\nchecks = "no"\n')
    result = cardgen("build", cwd=project)
    assert result.returncode == 2
    assert 'pyproject.toml:2: checks: must be true or false, not "no"' in result.stderr
    (project / "pyproject.toml").write_text("[project]\n\n[tool.cardgen\n")
    result = cardgen("build", cwd=project)
    assert result.returncode == 2 and "pyproject.toml:3: not valid TOML" in result.stderr
    assert "Traceback" not in result.stderr


def test_strict_fails_on_warnings(project):
    (project / "content" / "warn.md").write_text(
        "# W\n\n![diagram](missing.png)\n\n- **Term**: text\n"
    )
    plain = cardgen("build", "--no-check", cwd=project)
    assert plain.returncode == 0
    assert "warning: content/warn.md:3: image not found: missing.png" in plain.stderr
    strict = cardgen("build", "--no-check", "--strict", cwd=project)
    assert strict.returncode == 1


def test_incremental_rebuilds_only_what_changed(project):
    assert cardgen("build", "--no-check", cwd=project).returncode == 0
    out = project / "output"
    http_deck = out / "decks" / "http-basics.apkg"
    seed_deck = out / "decks" / "ch02-sockets.apkg"
    mtimes = (http_deck.stat().st_mtime_ns, seed_deck.stat().st_mtime_ns)
    sheet = project / "content" / "http-basics.md"
    sheet.write_text(sheet.read_text().replace("| OK |", "| OK, with a body |"))
    result = cardgen("build", "--no-check", cwd=project)
    assert "content/http-basics.md: built" in result.stdout
    assert "content/ch02-sockets.md: unchanged" in result.stdout
    assert seed_deck.stat().st_mtime_ns == mtimes[1]
    assert http_deck.stat().st_mtime_ns != mtimes[0]
    reseeded = cardgen("build", "--no-check", "--seed", "9", cwd=project)
    assert "content/ch02-sockets.md: built" in reseeded.stdout  # config changed


def test_plain_lines_in_ci_quiet_and_no_color(project):
    result = cardgen("build", "--no-check", cwd=project, env={"CI": "true", "NO_COLOR": "1"})
    assert "\r" not in result.stderr and "\033[" not in result.stderr + result.stdout
    assert "content/http-basics.md: built" in result.stdout
    quiet = cardgen("build", "--no-check", "-q", "-o", "q", cwd=project)
    assert quiet.returncode == 0 and quiet.stdout == ""


def test_interrupted_write_leaves_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "deck.apkg"
    target.write_bytes(b"old deck")

    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, b"new deck" * 1000)
    assert target.read_bytes() == b"old deck"
    assert [p.name for p in tmp_path.iterdir()] == ["deck.apkg"]


def test_config_errors_name_the_key():
    from cardgen.config import config_from_table

    with pytest.raises(ConfigError, match="unknown output 'slides'"):
        config_from_table({"outputs": ["slides"]}, "cardgen.toml", 'outputs = ["slides"]\n')
