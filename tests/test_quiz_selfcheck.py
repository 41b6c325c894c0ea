"""The self-check page in real Chromium: one scored check per question, a retry that scores
nothing, explanations, accessibility (axe-core, names, the code blank, focus), phone width,
and a page that never runs a sheet's text as script."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from cardgen.build import BuildOptions, build
from tests.conftest import FIXTURES, SEED

EVIL_NAME = "<img src=x onerror=window.pwned=1>"


@pytest.fixture(scope="module")
def quizzes(tmp_path_factory):
    out = tmp_path_factory.mktemp("selfcheck")
    evil = tmp_path_factory.mktemp("evil") / f"{EVIL_NAME}.md"
    evil.write_text((FIXTURES / "sheets" / "http-basics.md").read_text())
    build([SEED, evil], BuildOptions(out_dir=out, check=False, outputs=("quizzes",)))
    return out / "quizzes"


def open_page(browser, path: Path, width: int = 1000, height: int = 800):
    page = browser.new_page(viewport={"width": width, "height": height})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    page.errors = errors  # type: ignore[attr-defined]
    return page


def answers(page) -> dict[str, dict]:
    data = json.loads(base64.b64decode(page.inner_text("#answers")))
    return {a["id"]: a for a in data}


def score(page) -> str:
    return page.inner_text("#score")


def section(page, kind: str, n: int = 0):
    return page.locator(f'section[data-kind="{kind}"]').nth(n)


def test_a_second_check_cannot_raise_the_score(browser, quizzes):
    page = open_page(browser, quizzes / "ch02-sockets-selfcheck.html")
    truth = answers(page)
    q = section(page, "multiple_choice")
    right = truth[q.get_attribute("id")]["expected"]
    wrong = (right + 1) % q.locator("input[type=radio]").count()
    q.locator(f'input[value="{wrong}"]').check()
    q.locator("button.check").click()
    assert score(page).startswith("Score: 0 of 1 points · 1 of 40 questions checked")
    assert "✘ Not right" in q.locator(".feedback").inner_text()
    assert q.locator("fieldset").evaluate("f => f.disabled")
    assert all(r.is_disabled() for r in q.locator("input[type=radio]").all())
    assert q.locator("button.check").is_hidden()
    # Force it: enable the inputs again, pick the right answer, submit the form twice.
    page.evaluate(
        """(id) => { const s = document.getElementById(id);
            s.querySelector('fieldset').disabled = false;
            const b = s.querySelector('button.check'); b.disabled = false; b.hidden = false; }""",
        q.get_attribute("id"),
    )
    q.locator(f'input[value="{right}"]').check()
    q.evaluate("s => { s.querySelector('form').requestSubmit(); }")
    q.evaluate("s => { s.querySelector('form').requestSubmit(); }")
    assert score(page).startswith("Score: 0 of 1 points · 1 of 40 questions checked")
    # Retry the wrong ones: a second pass, unscored.
    assert page.locator("#retry").is_enabled()
    page.locator("#retry").click()
    assert q.get_attribute("class").split().count("retry") == 1
    assert not q.locator("fieldset").evaluate("f => f.disabled")
    assert q.locator("input[type=radio]:checked").count() == 0  # answered again from memory
    assert "Practice" in q.locator(".feedback").inner_text()
    q.locator(f'input[value="{right}"]').check()
    q.locator("button.check").click()
    feedback = q.locator(".feedback").inner_text()
    assert "✔ Right this time (practice: your score stays as it was)" in feedback
    assert score(page).startswith("Score: 0 of 1 points · 1 of 40 questions checked")
    assert q.locator("fieldset").evaluate("f => f.disabled")
    assert page.errors == []
    page.close()


def test_each_kind_is_judged_once_with_an_explanation_and_its_line(browser, quizzes):
    page = open_page(browser, quizzes / "ch02-sockets-selfcheck.html")
    truth = answers(page)
    q = section(page, "multiple_choice", 1)
    q.locator("button.check").click()  # nothing chosen: not scored, not locked
    assert "Answer first, then check." in q.locator(".feedback").inner_text()
    assert score(page).startswith("Score: 0 of 0 points · 0 of 40")
    a = truth[q.get_attribute("id")]
    q.locator(f'input[value="{a["expected"]}"]').focus()
    page.keyboard.press("Space")
    page.keyboard.press("Enter")  # Enter in the form checks it
    text = q.locator(".feedback").inner_text()
    assert "✔ Right — the answer: " in text
    assert re.search(r"Cheatsheet: ch02-sockets\.md:\d+", text)
    explanation = q.locator(".explanation").inner_text().removeprefix("Why: ").strip()
    assert len(explanation) > 10
    assert page.evaluate("document.activeElement.classList.contains('feedback')")
    fill = section(page, "fill_in")
    accepted = truth[fill.get_attribute("id")]["accepted"][0]
    fill.locator("input[type=text]").fill(f"  {accepted.upper()} ")
    fill.locator("input[type=text]").press("Enter")
    assert "✔ Right" in fill.locator(".feedback").inner_text()
    match = section(page, "matching")
    expected = truth[match.get_attribute("id")]["expected"]
    selects = match.locator("select")
    for n in range(selects.count()):  # all right but the first two, swapped
        pick = expected[n] if n > 1 else expected[1 - n]
        selects.nth(n).select_option(index=pick + 1)  # index 0: "Choose…"
    match.locator("button.check").click()
    points = selects.count() - 2
    assert f"Partly right ({points} of {selects.count()} points)" in match.inner_text()
    order = section(page, "ordering")
    expected = truth[order.get_attribute("id")]["expected"]
    for n in range(order.locator("select").count()):
        order.locator("select").nth(n).select_option(index=expected[n] + 1)
    order.locator("button.check").click()
    assert "✔ Right" in order.locator(".feedback").inner_text()
    total = 1 + 1 + points + int(order.get_attribute("data-points"))
    possible = 1 + 1 + selects.count() + int(order.get_attribute("data-points"))
    assert score(page).startswith(f"Score: {total} of {possible} points · 4 of 40")
    assert page.errors == []
    page.close()


def serious(page) -> list[tuple[str, str, int]]:
    results = Axe().run(page)
    return [
        (v["id"], v["impact"], len(v["nodes"]))
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def check_everything(page) -> None:
    """Answer every question (the first option, or a made-up word) and check it."""
    page.evaluate(
        """() => { for (const s of document.querySelectorAll('section.question')) {
            const radio = s.querySelector('input[type=radio]'); if (radio) radio.checked = true;
            const text = s.querySelector('input[type=text]'); if (text) text.value = 'guess';
            s.querySelectorAll('select').forEach((sel, i) => {
              sel.selectedIndex = 1 + i % (sel.length - 1); });
            const form = s.querySelector('form'); if (form) form.requestSubmit(); } }"""
    )


@pytest.mark.parametrize("width", [1000, 375])
def test_axe_finds_nothing_serious_on_any_quiz_page(browser, quizzes, width):
    found = {}
    for name in ("ch02-sockets-selfcheck.html", "ch02-sockets.html", "ch02-sockets-key.html"):
        page = open_page(browser, quizzes / name, width)
        found[name] = serious(page)
        if name.endswith("selfcheck.html"):
            check_everything(page)
            found["after checking"] = serious(page)
            page.locator("#retry").click()
            found["retrying"] = serious(page)
        page.close()
    assert found == {
        "ch02-sockets-selfcheck.html": [],
        "ch02-sockets.html": [],
        "ch02-sockets-key.html": [],
        "after checking": [],
        "retrying": [],
    }


def test_every_control_is_named_for_its_item_and_the_code_blank_is_announced(browser, quizzes):
    from playwright.sync_api import expect

    page = open_page(browser, quizzes / "ch02-sockets-selfcheck.html")
    for q in page.locator("section.question").all():
        number = q.locator(".qnum").inner_text().rstrip(".")
        kind = q.get_attribute("data-kind")
        assert q.get_by_role("button", name=f"Check question {number}", exact=True).count() == 1
        group = q.get_by_role("group").first
        expect(group).to_have_accessible_name(re.compile(rf"^{number}\. .+ \(\d+ points?\)$"))
        if kind == "fill_in":
            box = q.get_by_role("textbox", name=f"Your answer to question {number}", exact=True)
            assert box.count() == 1
            if q.locator(".cg-code").count():
                expect(box).to_have_accessible_description(re.compile(r"\(blank\)"))
                code = q.get_by_role("group", name=f"Code of question {number}", exact=True)
                assert "(blank)" in code.inner_text()
        for item in q.locator(".pairs .item").all():
            text = re.sub(r"^\d+\. ", "", item.inner_text()).strip()
            what = "Match for" if kind == "matching" else "Position of"
            name = f"{what} “{text}” (question {number})"
            assert q.get_by_role("combobox", name=name, exact=True).count() == 1, name
    page.close()


@pytest.mark.parametrize(("width", "height"), [(1000, 800), (375, 700)])
def test_focus_is_never_hidden_behind_the_score_bar(browser, quizzes, width, height):
    page = open_page(browser, quizzes / "ch02-sockets-selfcheck.html", width, height)
    hidden = """() => { const bar = document.getElementById('score').getBoundingClientRect();
        const r = document.activeElement.getBoundingClientRect();
        return r.top < bar.bottom - 1 || r.bottom > window.innerHeight + 1; }"""
    stops = 0
    page.locator("h1").click()
    for key in ["Tab"] * 120 + ["Shift+Tab"] * 120:
        page.keyboard.press(key)
        if page.evaluate("document.activeElement === document.body"):
            continue
        stops += 1
        assert not page.evaluate(hidden), (
            key,
            stops,
            page.evaluate("document.activeElement.outerHTML.slice(0, 120)"),
        )
    assert stops >= 200
    page.close()


def test_no_sideways_scroll_at_375_px(browser, quizzes):
    for name in ("ch02-sockets-selfcheck.html", "ch02-sockets.html"):
        page = open_page(browser, quizzes / name, 375, 700)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, name
        if name.endswith("selfcheck.html"):
            check_everything(page)  # feedback with code, long commands, explanations
            assert page.evaluate("document.documentElement.scrollWidth") <= 375
            assert page.locator(".feedback:visible").count() == 40
        page.close()


def test_a_sheet_name_with_html_in_it_is_shown_as_text(browser, quizzes):
    names = [p.name for p in quizzes.iterdir() if p.name.startswith("<img")]
    assert sorted(names) == sorted(
        f"{EVIL_NAME}{suffix}" for suffix in (".html", "-key.html", "-selfcheck.html", ".quiz.json")
    )
    for suffix in (".html", "-key.html", "-selfcheck.html"):
        page = open_page(browser, quizzes / f"{EVIL_NAME}{suffix}")
        if suffix == "-selfcheck.html":
            check_everything(page)
            sources = page.locator(".feedback .source").all_inner_texts()
            assert sources and all(s.startswith(f"Cheatsheet: {EVIL_NAME}.md:") for s in sources)
        if suffix == "-key.html":
            assert f"{EVIL_NAME}.md" in page.inner_text("body")
        assert page.evaluate("window.pwned") is None
        assert page.evaluate("document.querySelectorAll('img').length") == 0
        assert page.errors == []
        page.close()
    script = (quizzes / "ch02-sockets-selfcheck.html").read_text()
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script


def test_html_in_a_sheets_text_is_text_on_every_page(browser, tmp_path):
    sheet = tmp_path / "xss.md"
    rows = "".join(f"| Row{n} | value number {n} <i>x</i> |\n" for n in range(5))
    sheet.write_text(
        "# XSS <script>window.pwned=1</script>\n\n## T\n\n| Name | Value |\n|---|---|\n"
        "| Evil | <img src=x onerror=window.pwned=2> value |\n" + rows
    )
    build([sheet], BuildOptions(out_dir=tmp_path / "out", check=False, outputs=("quizzes",)))
    for name in ("xss.html", "xss-key.html", "xss-selfcheck.html"):
        page = open_page(browser, tmp_path / "out" / "quizzes" / name)
        check_everything(page)
        assert page.evaluate("window.pwned") is None
        assert "XSS <script>window.pwned=1</script>" in page.inner_text("body")
        page.close()
