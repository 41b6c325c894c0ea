"""The MkDocs plugin (`plugins: [cardgen]`) inside a real `mkdocs build` (MkDocs 1.6 from
PyPI): the page's quiz driven in real Chromium in the default theme's light and dark modes,
the deck link, and a broken snippet that fails the build and publishes nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.book_pages import (
    MARKER,
    apkg_notes,
    book_env,
    check_one_of_each_kind,
    copy_book,
    offline_page,
    run_tool,
    tool,
)

PAGE = "docs/ch02-sockets.md"
LEDGER = "cardgen-notes.lock"
SERVER_FENCE = 132

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="module")
def site(tmp_path_factory, cache) -> Path:
    root = copy_book("sockets-mkdocs", tmp_path_factory.mktemp("mkdocs") / "site-src")
    done = run_tool([tool("mkdocs"), "build"], root, book_env(cache))
    assert done.returncode == 0, done.stderr
    assert "WARNING" not in done.stderr, done.stderr
    return root


def page_in(browser, site: Path, mode: str):
    init = f"localStorage.setItem('mkdocs-colormode', {json.dumps(mode)})"
    page = offline_page(browser, (site / "site" / "ch02-sockets" / "index.html").as_uri(), init)
    assert page.get_attribute("html", "data-bs-theme") == mode
    return page


def site_errors(page, root: Path) -> list[str]:
    """The page's script errors, the site's folder written `<site>`."""
    return [e.replace(root.as_uri(), "<site>") for e in page.errors]  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def theme_errors(browser, tmp_path_factory, cache) -> dict[str, list[str]]:
    """The script errors of the same page built without cardgen, in each mode: the theme's
    own offline (it loads highlight.js from a CDN, which the tests' pages may not reach)."""
    root = copy_book("sockets-mkdocs", tmp_path_factory.mktemp("plain") / "site-src")
    config = root / "mkdocs.yml"
    config.write_text(config.read_text().replace("  - cardgen\n", ""))
    done = run_tool([tool("mkdocs"), "build"], root, book_env(cache))
    assert done.returncode == 0, done.stderr
    errors = {}
    for mode in ("light", "dark"):
        page = page_in(browser, root, mode)
        assert page.locator(".cardgen-quiz").count() == 0
        errors[mode] = site_errors(page, root)
        page.close()
    return errors


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_the_page_holds_a_quiz_that_works(browser, site, mode, theme_errors):
    page = page_in(browser, site, mode)
    quiz = page.locator(".cardgen-quiz")
    assert quiz.count() == 1
    total = quiz.locator("section.cgq-question").count()
    earned, possible, checked = check_one_of_each_kind(quiz)
    assert quiz.locator(".cgq-score").inner_text() == (
        f"Score: {earned} of {possible} points · {checked} of {total} questions checked"
    )
    assert 0 < earned < possible
    results = Axe().run(page, context=".cardgen-quiz")
    serious = [
        (v["id"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
    if mode == "dark":
        assert "dark" in quiz.evaluate("q => getComputedStyle(q).colorScheme")
    # The theme's legend and heading sizes do not reach the quiz: a stem reads as body text.
    sizes = quiz.evaluate(
        "q => [getComputedStyle(q.querySelector('legend')).fontSize,"
        " getComputedStyle(q.querySelector('.cgq-intro')).fontSize]"
    )
    assert sizes[0] == sizes[1]
    assert site_errors(page, site) == theme_errors[mode]  # none of them the quiz's


def test_no_marker_is_left_and_the_deck_link_resolves(browser, site, tmp_path):
    for html in (site / "site").rglob("*.html"):
        assert not MARKER.search(html.read_text(encoding="utf-8")), html
    page = page_in(browser, site, "light")
    href = page.locator("a.cardgen-deck-link").evaluate("a => a.href")
    deck = Path(href.removeprefix("file://"))
    assert deck.is_file() and deck.is_relative_to(site / "site"), href
    assert apkg_notes(deck, tmp_path) > 50
    printable = Path(page.locator("a.cardgen-quiz-link").evaluate("a => a.href")[7:])
    assert "Version A" in printable.read_text(encoding="utf-8")
    assert not list((site / "site").rglob("*-key.html"))
    assert not (site / "docs" / "cardgen").exists()  # the docs folder is left alone


def test_a_broken_snippet_fails_the_build_and_publishes_nothing(site, tmp_path, cache):
    """The build stops before MkDocs empties the site folder: the site built last stays as
    it was, byte for byte, and so does the ledger; a first build leaves no site at all."""
    root = tmp_path / "site-src"
    shutil.copytree(site, root)
    before = {p: p.read_bytes() for p in (root / "site").rglob("*") if p.is_file()}
    ledger = (root / LEDGER).read_bytes()
    page = root / PAGE
    page.write_text(page.read_text().replace("TcpListener::bind(", "TcpListener::bnid(", 1))
    done = run_tool([tool("mkdocs"), "build"], root, book_env(cache))
    assert done.returncode != 0
    assert f"{PAGE}:{SERVER_FENCE}: rust tcp_server snippet: FAIL — " in done.stderr, done.stderr
    assert "bnid" in done.stderr
    assert "Traceback" not in done.stderr
    after = {p: p.read_bytes() for p in (root / "site").rglob("*") if p.is_file()}
    assert after == before
    assert (root / LEDGER).read_bytes() == ledger
    shutil.rmtree(root / "site")
    done = run_tool([tool("mkdocs"), "build"], root, book_env(cache))
    assert done.returncode != 0
    assert not (root / "site").exists()


def test_the_ledger_is_kept_beside_mkdocs_yml(site):
    """`cardgen-notes.lock` beside mkdocs.yml (to commit with the site), its lines naming the
    page as docs/…; never in docs/ nor in the published site."""
    rows = [
        line.split("\t")
        for line in (site / LEDGER).read_text(encoding="utf-8").splitlines()
        if not line.startswith("#")
    ]
    assert len(rows) > 50 and {r[0] for r in rows} == {PAGE}
    assert not list((site / "docs").rglob(LEDGER)) and not list((site / "site").rglob(LEDGER))


def test_a_bad_option_is_named(tmp_path, cache):
    root = copy_book("sockets-mkdocs", tmp_path / "site-src")
    config = root / "mkdocs.yml"
    config.write_text(
        config.read_text().replace("  - cardgen\n", "  - cardgen:\n      quiz: sometimes\n")
    )
    done = run_tool([tool("mkdocs"), "build"], root, book_env(cache))
    assert done.returncode != 0
    assert (
        'mkdocs.yml: plugins: cardgen: quiz: must be "marker" or "every-chapter", not '
        '"sometimes"' in done.stderr
    ), done.stderr
    assert "Traceback" not in done.stderr
    config.write_text(
        config.read_text().replace("quiz: sometimes", "quiz_questions: 0\n      jobs: two")
    )
    done = run_tool([tool("mkdocs"), "build"], root, book_env(cache))
    assert done.returncode != 0
    assert "jobs" in done.stderr and "Traceback" not in done.stderr, done.stderr


def test_every_chapter_mode_adds_the_quiz_without_a_marker(tmp_path, cache):
    root = copy_book("sockets-mkdocs", tmp_path / "site-src")
    page = root / PAGE
    page.write_text(MARKER.sub("", page.read_text()))
    config = root / "mkdocs.yml"
    config.write_text(
        config.read_text().replace(
            "  - cardgen\n", "  - cardgen:\n      quiz: every-chapter\n      decks: false\n"
        )
    )
    done = run_tool([tool("mkdocs"), "build"], root, book_env(cache))
    assert done.returncode == 0, done.stderr
    html = (root / "site" / "ch02-sockets" / "index.html").read_text(encoding="utf-8")
    assert html.count('class="cardgen-quiz"') == 1
    assert "cardgen-deck-link" not in html
    assert not (root / "site" / "cardgen").exists()
