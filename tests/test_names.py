"""Outputs never collide and never lie: names, folders, symlinks, damaged outputs, and file
names with HTML in them."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, SEED
from tests.test_build import cardgen, snapshot

HTTP = FIXTURES / "sheets" / "http-basics.md"
PYTHON = FIXTURES / "sheets" / "python-sockets.md"


def report_of(out: Path) -> dict:
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


def test_the_same_file_name_in_two_folders_gives_two_outputs(tmp_path):
    for folder, sheet in (("a", HTTP), ("b", PYTHON)):
        (tmp_path / "content" / folder).mkdir(parents=True)
        shutil.copy(sheet, tmp_path / "content" / folder / "notes.md")
    result = cardgen("build", "--no-check", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    decks = tmp_path / "output" / "decks"
    assert sorted(str(p.relative_to(decks)) for p in decks.rglob("*.apkg")) == [
        "a/notes.apkg",
        "b/notes.apkg",
    ]
    assert (tmp_path / "output" / "quizzes" / "b" / "notes-selfcheck.html").exists()
    assert [s["name"] for s in report_of(tmp_path / "output")["sheets"]] == ["a/notes", "b/notes"]


def test_two_sheets_writing_one_file_is_an_error(tmp_path):
    for folder in ("one", "two"):
        (tmp_path / folder).mkdir()
        shutil.copy(HTTP, tmp_path / folder / "notes.md")
    result = cardgen("build", "--no-check", "one", "two", cwd=tmp_path)
    assert result.returncode == 1
    assert (
        "error: two/notes.md: its output decks/notes.apkg is also the output of one/notes.md: "
        "rename one of the two sheets" in result.stderr
    )
    report = report_of(tmp_path / "output")
    assert [s["status"] for s in report["sheets"]] == ["built", "failed"]

    (tmp_path / "three").mkdir()
    shutil.copy(HTTP, tmp_path / "three" / "x.md")
    shutil.copy(PYTHON, tmp_path / "three" / "x-selfcheck.md")
    result = cardgen("build", "--no-check", "three", "-o", "out3", cwd=tmp_path)
    assert result.returncode == 1
    assert "its output quizzes/x-selfcheck.html is also the output of three/x" in result.stderr


def test_building_the_project_folder_twice_reads_no_output(tmp_path):
    shutil.copy(SEED, tmp_path / "ch02-sockets.md")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "notes.md").write_text("# Not a sheet\n\n- **A**: b\n")
    (tmp_path / ".draft.md").write_text("# Hidden\n\n- **A**: b\n")
    first = cardgen("build", "--no-check", ".", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    # Markdown in the output folders (exercise READMEs) and a -o site are never read as sheets:
    readme = tmp_path / "output" / "exercises" / "ch02-sockets" / "01-echo" / "README.md"
    readme.parent.mkdir(parents=True)
    readme.write_text("# Exercise\n\n- **Task**: write an echo server\n")
    assert cardgen("build", "--no-check", ".", "-o", "site", cwd=tmp_path).returncode == 0
    second = cardgen("build", "--no-check", ".", cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert "warning" not in second.stderr
    assert [s["path"] for s in report_of(tmp_path / "output")["sheets"]] == ["ch02-sockets.md"]
    assert sorted(p.name for p in (tmp_path / "output" / "decks").iterdir()) == [
        "ch02-sockets.apkg"
    ]


def remove_tree(top: Path) -> None:
    """`rm -rf`, without recursion (shutil.rmtree recurses once per level)."""
    pending, folders = [str(top)], []
    while pending:
        folder = pending.pop()
        folders.append(folder)
        for entry in os.scandir(folder):
            if entry.is_dir(follow_symlinks=False):
                pending.append(entry.path)
            else:
                os.unlink(entry.path)
    for folder in reversed(folders):
        os.rmdir(folder)


def test_a_sheet_a_thousand_folders_deep():
    """Found, built and written without recursion limits (pathlib's mkdir and os.walk recurse
    once per level)."""
    import tempfile

    top = Path(tempfile.mkdtemp(prefix="cg-deep-"))
    here = os.getcwd()
    try:
        os.chdir(top)
        os.mkdir("content")
        os.chdir("content")
        for _ in range(1100):
            os.mkdir("d")
            os.chdir("d")
        Path("deep.md").write_text("# Deep\n\n- **Term**: its meaning\n")
        os.chdir(here)
        for _ in range(2):  # the second build also looks for temporary files that deep
            result = cardgen("build", "--no-check", cwd=top)
            assert result.returncode == 0, result.stderr[-500:]
        deck = Path("decks", *["d"] * 1100, "deep.apkg")
        os.chdir(top / "output")  # (the whole path is longer than a path may be)
        assert deck.is_file()
    finally:
        os.chdir(here)
        remove_tree(top)


def test_the_output_folder_cannot_be_the_content_folder(tmp_path):
    shutil.copy(HTTP, tmp_path / "notes.md")
    result = cardgen("build", "--no-check", ".", "-o", ".", cwd=tmp_path)
    assert result.returncode == 2
    assert "error: .: is the output folder too: choose another output folder (-o)" in (
        result.stderr
    )


@pytest.mark.parametrize("damage", ["empty", "foreign", "missing"])
def test_a_damaged_output_is_rebuilt(tmp_path, damage):
    (tmp_path / "content").mkdir()
    shutil.copy(HTTP, tmp_path / "content")
    assert cardgen("build", "--no-check", cwd=tmp_path).returncode == 0
    out = tmp_path / "output"
    before = snapshot(out)
    deck = out / "decks" / "http-basics.apkg"
    if damage == "empty":
        deck.write_bytes(b"")  # cut short, as by a full disk
    elif damage == "foreign":
        deck.write_bytes(b"PK\x03\x04 another build's deck")
    else:
        deck.unlink()
    result = cardgen("build", "--no-check", cwd=tmp_path)
    assert result.returncode == 0
    assert "content/http-basics.md: built" in result.stdout

    def outputs(snap: dict[str, bytes]) -> dict[str, bytes]:  # the report says less is new
        return {k: v for k, v in snap.items() if k.split("/")[0] in ("decks", "quizzes")}

    assert outputs(snapshot(out)) == outputs(before)


def test_symlinks_out_of_the_content_folder_are_not_followed(tmp_path):
    content = tmp_path / "content"
    (content / "real").mkdir(parents=True)
    shutil.copy(HTTP, content / "real" / "http.md")
    (content / ".drafts").mkdir()
    shutil.copy(PYTHON, content / ".drafts" / "python.md")
    (content / "python.md").symlink_to(content / ".drafts" / "python.md")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "secret.md").write_text("# Secret\n\n- **Password**: hunter2\n")
    (content / "passwd.md").symlink_to("/etc/passwd")
    (content / "secret.md").symlink_to(outside / "secret.md")
    (content / "etc").symlink_to("/etc")
    (content / "inside.md").symlink_to(content / "real" / "http.md")
    (content / "loop").symlink_to(content)
    result = cardgen("build", "--no-check", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for name, target in (("passwd.md", "/etc/passwd"), ("secret.md", outside / "secret.md")):
        assert (
            f"warning: content/{name}: symlink to {target} leads out of the content folder: "
            "not followed" in result.stderr
        )
    assert "warning: content/etc: symlink to /etc leads out" in result.stderr
    report_text = (tmp_path / "output" / "report.json").read_text()
    report = json.loads(report_text)
    assert [s["path"] for s in report["sheets"]] == ["content/python.md", "content/real/http.md"]
    assert "root:" not in report_text and "hunter2" not in report_text
    assert len(report["warnings"]) == 3
    strict = cardgen("build", "--no-check", "--strict", cwd=tmp_path)
    assert strict.returncode == 1  # the warnings count


HOSTILE = '<img src=x onerror="window.pwned=1">&amp;'


def test_a_file_name_with_html_in_it_is_escaped_everywhere(tmp_path, browser):
    """A sheet named with HTML and script: the index, the exercise READMEs and the deck show
    it as text, and the index still links to its outputs."""
    from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest
    from markdown_it import MarkdownIt

    content = tmp_path / "content"
    content.mkdir()
    sheet = content / f"{HOSTILE}.md"
    shutil.copy(PYTHON, sheet)  # checked quickly, and its checked snippets make exercises
    result = cardgen("build", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = tmp_path / "output"

    page = browser.new_page()
    try:
        page.goto((out / "index.html").as_uri())
        page.wait_for_load_state("load")
        assert page.evaluate("window.pwned") is None
        assert page.locator("img").count() == 0
        assert f"content/{HOSTILE}.md" in page.inner_text("body")
        hrefs = page.eval_on_selector_all("a", "links => links.map(a => a.href)")
        outputs = [h for h in hrefs if "/output/" in h and not h.endswith("report.json")]
        assert outputs and all(h.startswith("file://") for h in outputs)
        from urllib.parse import unquote, urlparse

        assert all(Path(unquote(urlparse(h).path)).is_file() for h in outputs)
    finally:
        page.close()

    readmes = list((out / "exercises").rglob("README.md"))
    assert readmes
    commonmark = MarkdownIt("commonmark", {"html": True})  # a renderer that lets HTML through
    for readme in readmes:
        html = commonmark.render(readme.read_text(encoding="utf-8"))
        assert "<img" not in html and "onerror=" not in html.replace("onerror=&quot;", "")
        assert f"{HOSTILE}.md:" in readme.read_text(encoding="utf-8")  # in a code span

    col = Collection(str(tmp_path / "c.anki2"))
    try:
        (deck,) = (out / "decks").glob("*.apkg")
        col.import_anki_package(
            ImportAnkiPackageRequest(package_path=str(deck), options=ImportAnkiPackageOptions())
        )
        sources = {col.get_note(nid)["Source"] for nid in col.find_notes("")}
    finally:
        col.close()
    assert sources and all(s.startswith("&lt;img src=x onerror=&quot;") for s in sources)
    assert os.path.exists(out / "decks" / f"{HOSTILE}.apkg")
