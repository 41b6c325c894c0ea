"""Quizzes: structure, honest distractors, determinism, and the pages in real Chromium."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from html import unescape
from pathlib import Path

import pytest

from cardgen.build import BuildOptions, build
from cardgen.parse import parse_file
from cardgen.questions import build_bank
from cardgen.questions.text import norm
from cardgen.quiz import make_quiz
from cardgen.quiz.select import item_id
from cardgen.render.quiz_html import render_print, render_selfcheck
from tests.conftest import SEED
from tests.test_bad_input import run_cli


@pytest.fixture(scope="module")
def bank(seed_sheet):
    return build_bank(seed_sheet)[0]


def test_seed_quiz_has_30_questions_of_5_kinds_with_stable_ids(bank):
    html = render_print(make_quiz(bank)).decode()
    kinds = re.findall(r'<section class="question" id="(q-[0-9a-f]+)" data-kind="(\w+)"', html)
    assert len(kinds) >= 30
    assert len({k for _, k in kinds}) >= 5
    assert len({i for i, _ in kinds}) == len(kinds)
    assert Counter(k for _, k in kinds)["ordering"] == 3


def test_options_are_distinct_and_no_distractor_is_also_true(bank):
    by_id = {}
    for q in bank.questions:
        for prefix in ("mc", "tf"):
            by_id[item_id(prefix, q.key)] = q
    checked = 0
    for seed in range(25):
        for item in make_quiz(bank, seed=seed).items:
            if item.kind not in ("multiple_choice", "true_false"):
                continue
            q = by_id[item.id]
            if item.kind == "multiple_choice":
                texts = [norm(re.sub(r"<[^>]+>", "", o)) for o in item.options]
                assert len(set(texts)) == len(texts)
                wrong = [o for n, o in enumerate(item.options) if n != item.correct]
            else:
                proposed = re.search(r"<strong>(.*)</strong>", item.prompt).group(1)
                wrong = [] if item.correct == 0 else [proposed]
            for option in wrong:
                plain = norm(re.sub(r"<[^>]+>", "", option))
                assert plain != norm(q.answer)
                assert plain not in {norm(v) for v in q.also_true}, (q.prompt, option)
            checked += 1
    assert checked > 300


def test_both_and_role_answers_get_no_false_distractors(bank):
    who = [q for q in bank.questions if q.kind == "table_cell" and q.prompt.endswith("— Who?")]
    closed = next(q for q in who if "CLOSED" in q.prompt)
    assert closed.answer == "Both" and set(closed.family) <= closed.also_true
    fin_wait = next(q for q in who if "FIN_WAIT_1" in q.prompt)
    assert {"Client", "Server", "Both"} <= fin_wait.also_true


def test_same_seed_same_bytes_other_seed_other_quiz(bank):
    assert render_print(make_quiz(bank, seed=7)) == render_print(make_quiz(bank, seed=7))
    assert render_selfcheck(make_quiz(bank, seed=7)) == render_selfcheck(make_quiz(bank, seed=7))
    assert render_print(make_quiz(bank, seed=7)) != render_print(make_quiz(bank, seed=8))


def test_quiz_command_writes_versions_each_with_its_key(tmp_path):
    result = run_cli("quiz", str(SEED), "--versions", "3", "--seed", "5", "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr
    pages = [(tmp_path / f"ch02-sockets-v{k}.html").read_text() for k in (1, 2, 3)]
    assert len(set(pages)) == 3
    for k, page in enumerate(pages, start=1):
        assert f"Answer key — version {k}" in page
    firsts = [
        re.search(r'data-kind="multiple_choice">\s*<div>(.*?)</div>', p).group(1) for p in pages
    ]
    assert len(set(firsts)) > 1
    assert (tmp_path / "ch02-sockets-selfcheck.html").exists()
    assert run_cli("quiz", str(SEED), "--versions", "0").returncode == 2


def pdf_pages(pdf: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


QNUM = re.compile(r"^(\d+)\.\s", re.M)
"""A question's number starts its line; numbers inside a question are indented."""


def squash(text: str) -> str:
    return re.sub(r"\s+", "", unescape(re.sub(r"<[^>]+>", "", text)))


def last_line(item) -> str:
    if item.kind in ("matching",):
        return item.options[-1]
    if item.kind == "ordering":
        return item.left[-1]
    if item.kind == "fill_in" and item.code:
        return "Answer:"
    if item.options:
        return item.options[-1]
    return unescape(re.sub(r"<[^>]+>", "", item.prompt))[-20:]


@pytest.fixture(scope="module")
def built_quiz(tmp_path_factory):
    out = tmp_path_factory.mktemp("quiz")
    build([SEED], BuildOptions(out_dir=out, check=False))
    return out / "quizzes"


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_printed_quiz_keeps_questions_whole_and_key_on_its_own_page(
    browser, built_quiz, tmp_path, paper
):
    if not shutil.which("pdftotext"):
        pytest.fail("pdftotext (poppler-utils) is needed: run scripts/install-system-deps.sh")
    html_path = built_quiz / "ch02-sockets.html"
    html = html_path.read_text()
    count = len(re.findall(r'<section class="question"', html))
    page = browser.new_page()
    page.goto(html_path.as_uri())
    assert page.evaluate("document.querySelectorAll('link, script[src], img').length") == 0
    pdf = tmp_path / "quiz.pdf"
    page.pdf(path=str(pdf), format=paper)
    page.close()
    pages = pdf_pages(pdf)
    key_pages = [n for n, text in enumerate(pages) if "Answer key" in text]
    assert len(key_pages) == 1
    key_start = key_pages[0]
    assert pages[key_start].strip().startswith("Answer key")
    question_text = "\n".join(pages[:key_start])
    numbers = [int(n) for n in re.findall(QNUM, question_text)]
    assert sorted(set(numbers)) == list(range(1, count + 1))
    items = {i.number: i for i in make_quiz(build_bank(parse_file(SEED))[0]).items}
    for text in pages[:key_start]:  # a question's number and its last line share a page
        for match in QNUM.finditer(text):
            rest = text[match.end() :]
            next_q = QNUM.search(rest)
            block = squash(rest[: next_q.start()] if next_q else rest)
            assert squash(last_line(items[int(match.group(1))])) in block, (paper, match.group(1))
    key_text = "\n".join(pages[key_start:])
    assert len(re.findall(r"ch02-sockets\.md:\d+", key_text)) == count


def test_selfcheck_gives_feedback_and_score(browser, built_quiz):
    page = browser.new_page()
    page.goto((built_quiz / "ch02-sockets-selfcheck.html").as_uri())
    assert "Answer key" not in page.inner_text("body")
    assert page.locator(".feedback:visible").count() == 0
    mc = page.locator('section[data-kind="multiple_choice"]')
    first, second = mc.nth(0), mc.nth(1)
    import base64
    import json

    payload = page.inner_text("#answers")
    answers = {a["id"]: a for a in json.loads(base64.b64decode(payload))}
    right = answers[first.get_attribute("id")]["correct"]
    first.locator(f'input[value="{right}"]').check()
    first.locator("button.check").click()
    assert "✔ Right" in first.locator(".feedback").inner_text()
    assert "Cheatsheet: ch02-sockets.md:" in first.locator(".feedback").inner_text()
    correct2 = answers[second.get_attribute("id")]["correct"]
    wrong = (correct2 + 1) % second.locator("input[type=radio]").count()
    second.locator(f'input[value="{wrong}"]').focus()
    page.keyboard.press("Space")
    second.locator("button.check").focus()
    page.keyboard.press("Enter")
    feedback = second.locator(".feedback").inner_text()
    assert "✘ Not quite" in feedback and "the answer:" in feedback
    assert page.inner_text("#score").startswith("Score: 1 right of 2 checked")
    fill = page.locator('section[data-kind="fill_in"]').nth(0)
    accepted = answers[fill.get_attribute("id")]["accepted"][0]
    fill.locator("input[type=text]").fill(f" {accepted.upper()} ")
    fill.locator("input[type=text]").press("Enter")
    assert "✔ Right" in fill.locator(".feedback").inner_text()
    order = page.locator('section[data-kind="ordering"]').nth(0)
    expected = answers[order.get_attribute("id")]["expected"]
    selects = order.locator("select")
    used: set[int] = set()
    for n in range(selects.count()):
        text = selects.nth(n).get_attribute("data-text")
        pos = next(i for i, t in enumerate(expected) if t == text and i not in used)
        used.add(pos)
        selects.nth(n).select_option(index=pos + 1)  # index 0 is the "—" placeholder
    order.locator("button.check").click()
    assert "✔ Right" in order.locator(".feedback").inner_text()
    assert page.inner_text("#score").startswith("Score: 3 right of 4 checked")
    page.close()


def test_html_in_content_is_text_in_both_pages(browser, tmp_path):
    sheet = tmp_path / "xss.md"
    rows = "".join(f"| Row{n} | value number {n} <i>x</i> |\n" for n in range(5))
    sheet.write_text(
        "# XSS\n\n## T\n\n| Name | Value |\n|---|---|\n"
        "| Evil | <script>window.pwned=1</script> |\n" + rows
    )
    build([sheet], BuildOptions(out_dir=tmp_path / "out", check=False))
    for name in ("xss.html", "xss-selfcheck.html"):
        page = browser.new_page()
        page.goto((tmp_path / "out" / "quizzes" / name).as_uri())
        assert page.evaluate("window.pwned") is None
        assert "<script>window.pwned=1</script>" in page.inner_text("body") or name.endswith(
            "selfcheck.html"
        )
        page.close()
