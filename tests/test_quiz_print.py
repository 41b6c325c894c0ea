"""The printed quiz and its key, printed by real Chromium on A4 and Letter and read back with
pdftotext: page labels, whole questions, the planned pages, the fonts, and the key against the
quiz's JSON."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html import unescape
from pathlib import Path

import pytest

from cardgen.build import BuildOptions, build
from cardgen.quiz import Quiz
from cardgen.render.quiz_html import key_answer
from cardgen.render.quiz_layout import page_starts
from tests.conftest import FIXTURES, SEED

PAPERS = ["A4", "Letter"]
FOOTER = re.compile(r"(Answer key · )?Version ([A-Z]) · page (\d+) of (\d+)")
OTHER_SHEETS = [
    FIXTURES / "sheets" / "real" / name
    for name in (
        "awesome-c-reference.md",  # long, code
        "zh-docker-networking.md",  # CJK text
        "linux-permissions-images.md",  # images
        "kubectl-reference.md",  # long commands
    )
]


def need(tool: str) -> None:
    if not shutil.which(tool):
        pytest.fail(f"{tool} (poppler-utils) is needed: run scripts/install-system-deps.sh")


def run(*args: str) -> str:
    out = subprocess.run(args, capture_output=True, check=True, timeout=60).stdout
    return out.decode("utf-8", "replace")


def pdf_pages(pdf: Path, layout: bool = True) -> list[str]:
    need("pdftotext")
    text = run("pdftotext", *(["-layout"] if layout else []), str(pdf), "-")
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


def page_fill(pdf: Path) -> list[float]:
    """How far down each page its text goes, the footer left out (0 top, 1 bottom margin)."""
    boxes = run("pdftotext", "-bbox", str(pdf), "-")
    fills = []
    for height, body in re.findall(
        r'<page width="[\d.]+" height="([\d.]+)">(.*?)</page>', boxes, re.S
    ):
        bottoms = [float(y) for y in re.findall(r'yMax="([\d.]+)"', body)]
        footer = max(bottoms)
        text = [y for y in bottoms if y < footer - 5] or [0.0]
        top, bottom = 42.5, float(height) - 48.2  # the 15 mm and 17 mm margins, in points
        fills.append((max(text) - top) / (bottom - top))
    return fills


@pytest.fixture(scope="module")
def quizzes(tmp_path_factory):
    out = tmp_path_factory.mktemp("print")
    build(
        [SEED, *OTHER_SHEETS],
        BuildOptions(out_dir=out, check=False, outputs=("quizzes",), quiz_versions=2),
    )
    return out / "quizzes"


def print_pdf(browser, html: Path, pdf: Path, paper: str) -> None:
    page = browser.new_page()
    page.goto(html.as_uri())
    assert page.evaluate("document.querySelectorAll('link, script[src]').length") == 0
    assert page.evaluate("[...document.images].every(i => i.src.startsWith('data:'))")
    page.pdf(path=str(pdf), format=paper)
    page.close()


QNUM = re.compile(r"^(\d+)\.\s", re.M)
"""A question's number starts its line; numbered items inside a question are indented."""


def squash(text: str) -> str:
    return re.sub(r"\s+", "", unescape(re.sub(r"<[^>]+>|`|\*\*", "", text)))


def last_line(q) -> str:
    """Text that ends a printed question."""
    if q.kind in ("multiple_choice", "classification", "matching"):
        return q.options[-1]
    if q.kind == "ordering":
        return q.items[-1]
    if q.kind == "true_false":
        return "False"
    if q.code:
        return "Answer:"
    return q.prompt.split("_____")[-1][-15:] or q.prompt.split("_____")[0][-15:]


@pytest.mark.parametrize("paper", PAPERS)
def test_every_page_says_version_and_page_and_no_question_is_cut(browser, quizzes, tmp_path, paper):
    quiz = Quiz.from_json(json.loads((quizzes / "ch02-sockets.quiz.json").read_text()))
    for n, (name, version) in enumerate(
        (("ch02-sockets.html", "A"), ("ch02-sockets-v2.html", "B"))
    ):
        pdf = tmp_path / f"{version}.pdf"
        print_pdf(browser, quizzes / name, pdf, paper)
        pages = pdf_pages(pdf)
        planned = len(page_starts(quiz.versions[n])) + 1
        assert len(pages) == planned, (paper, version)
        for number, text in enumerate(pages, start=1):
            labels = FOOTER.findall(text)
            assert labels == [("", version, str(number), str(len(pages)))], (paper, number)
        assert min(page_fill(pdf)) >= 0.5, (paper, page_fill(pdf))
        items = {q.number: q for q in quiz.versions[n].questions}
        body = [FOOTER.sub("", text) for text in pages]
        seen = []
        for text in body:  # a question's number and its last line share a page
            for match in QNUM.finditer(text):
                rest = text[match.end() :]
                following = QNUM.search(rest)
                block = squash(rest[: following.start()] if following else rest)
                block = re.sub(r"\(\d+pts?\)", "", block)  # the points, beside the stem
                number = int(match.group(1))
                if number in items and squash(items[number].prompt)[:12] in block:
                    assert squash(last_line(items[number])) in block, (paper, number)
                    seen.append(number)
        assert seen == list(range(1, len(items) + 1)), (paper, version)
        assert f"Quiz · Version {version} · 40 questions · " in pages[0]
        assert "Instructions." in pages[0] and "points in all" in pages[0]


@pytest.mark.parametrize("paper", PAPERS)
def test_other_sheets_print_on_the_pages_planned_for_them(browser, quizzes, tmp_path, paper):
    """Pages are planned before printing (the same on both papers, evenly filled): Chromium
    must print exactly those pages, for long, code-heavy, CJK and image sheets too."""
    for sheet in OTHER_SHEETS:
        quiz = Quiz.from_json(json.loads((quizzes / f"{sheet.stem}.quiz.json").read_text()))
        pdf = tmp_path / f"{sheet.stem}.pdf"
        print_pdf(browser, quizzes / f"{sheet.stem}.html", pdf, paper)
        pages = pdf_pages(pdf)
        assert len(pages) == len(page_starts(quiz.versions[0])) + 1, (sheet.name, paper)
        assert [FOOTER.search(p).group(3, 4) for p in pages] == [
            (str(n), str(len(pages))) for n in range(1, len(pages) + 1)
        ]
        if len(pages) > 1:
            assert min(page_fill(pdf)) >= 0.3, (sheet.name, paper, page_fill(pdf))


@pytest.mark.parametrize("paper", PAPERS)
def test_the_printed_key_is_the_json_one_line_an_answer_and_fits_its_pages(
    browser, quizzes, tmp_path, paper
):
    data = json.loads((quizzes / "ch02-sockets.quiz.json").read_text())
    quiz = Quiz.from_json(data)
    pdf = tmp_path / "key.pdf"
    print_pdf(browser, quizzes / "ch02-sockets-key.html", pdf, paper)
    pages = pdf_pages(pdf)
    assert len(pages) == 2  # one page for each version's 40 answers
    for version, text in zip(quiz.versions, pages, strict=True):
        assert FOOTER.findall(text) == [
            ("Answer key · ", version.version, str(pages.index(text) + 1), "2")
        ]
        assert f"Answer key — Version {version.version}" in text
        assert "ch02-sockets.md" in text
        rows = re.split(r"^\s*(?=\d+\.\s)", FOOTER.sub("", text).split("Line", 1)[1], flags=re.M)
        rows = [r for r in rows if r.strip()]
        assert len(rows) == len(version.questions)
        for q, row in zip(version.questions, rows, strict=True):
            first_line = row.splitlines()[0]
            assert first_line.split()[0] == f"{q.number}."
            assert first_line.rstrip().endswith(" " + q.source.rpartition(":")[2]), first_line
            shown = squash(row)
            parts = [squash(p) for p in key_answer(q).split(", ")]
            at = 0
            for part in parts:  # the answer, in order, even when it wraps in its column
                at = shown.find(part, at)
                assert at >= 0, (q.number, key_answer(q), row)
            assert len(row.strip().splitlines()) <= 2, row
        assert {q.source for q in version.questions} == {
            f"ch02-sockets.md:{line}"
            for line in re.findall(r"(\d+)\s*$", "\n".join(r.splitlines()[0] for r in rows), re.M)
        }


def test_the_font_stack_reaches_the_page_on_both_papers(browser, quizzes, tmp_path):
    need("pdffonts")
    html = (quizzes / "ch02-sockets.html").read_text()
    style = html.split("<style>", 1)[1].split("</style>", 1)[0]
    assert "&#34;" not in style and "&quot;" not in style
    assert 'font-family: "DejaVu Sans", "Liberation Sans"' in style
    page = browser.new_page()
    page.goto((quizzes / "ch02-sockets.html").as_uri())
    assert page.evaluate("getComputedStyle(document.body).fontFamily").startswith('"DejaVu Sans"')
    page.close()
    for name in ("ch02-sockets.html", "ch02-sockets-key.html"):
        pdf = tmp_path / f"{name}.pdf"
        print_pdf(browser, quizzes / name, pdf, "A4")
        fonts = re.findall(r"^\S+\+(\S+)", run("pdffonts", str(pdf)), re.M)
        sans = ("DejaVuSans", "LiberationSans", "LiberationMono", "Arial")
        assert fonts and all(f.startswith(sans) for f in fonts), fonts  # never Times
