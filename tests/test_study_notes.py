"""Study notes and Q&A sheets: a card only where it is a good one, and a reason for every block
that made none. The traps sheet holds one of each kind of bad card real notes used to give."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from cardgen.build import BuildOptions, build
from cardgen.explain import explain, format_text
from cardgen.parse import parse_file
from cardgen.questions import build_bank
from cardgen.questions.text import plain, word_count
from tests.conftest import FIXTURES

TRAPS = FIXTURES / "sheets" / "traps" / "study-notes-traps.md"


@pytest.fixture(scope="module")
def cards():
    sheet = parse_file(TRAPS)
    bank, _ = build_bank(sheet)
    return sheet, bank, explain(sheet, bank)


def views(cards):
    return [(v.outcome.source.line, c) for v in cards[2].blocks for c in v.cards]


def test_question_headings_and_blocks_are_short_answer_cards(cards):
    asked = {c.front: c.back for _, c in views(cards)}
    assert asked["What is a veth pair?"].startswith("two virtual interfaces")
    assert asked["Why do published ports need NAT?"] == (
        "Because the container's address is private to the host"
    )
    assert "What does docker network inspect show?" in asked  # ??? question
    assert "Why can two bridges not talk by default?" in asked  # <details><summary>
    assert "Which driver spans several hosts?" in asked  # a question as a definition term
    assert all(not f.startswith(("4.", "Q:")) for f in asked)  # numbering kept out of the cue


def test_none_of_the_ten_kinds_of_bad_card(cards):
    sheet, bank, ex = cards
    for _, c in views(cards):
        front, back = c.front, c.back
        # 1. a list item blanked with no cue, 10. a table of contents
        assert "Basics" not in back and "Contents" not in front
        # 2. an answer that only rewords its cue (kubectl logs → "Show logs of a pod")
        assert "kubectl logs" not in back
        # 3. vague prompts
        assert not re.search(r"which one is this|what follows", front, re.I)
        # 4. a whole prose sentence blanked
        assert word_count(back) <= 20
        # 5. sample data (lorem ipsum, an example block)
        assert "ipsum" not in back.lower() and "eirmod" not in back.lower()
        # 6. the answer on the front
        assert plain(back).lower() not in front.lower() or len(back) <= 2
        # 7. identical options
        m = re.search(r": (\S+(?: or \S+)+)\?", front)
        if m:
            options = m.group(1).split(" or ")
            assert len(set(options)) == len(options)
        # 8. lead-ins and labels as answers
        assert not back.rstrip().endswith(":")
        assert back.strip().lower() not in ("example", "pros", "cons", "note", "simple", "fast")
    assert not [q for q in bank.questions if "follows" in q.prompt]


def test_every_block_that_made_no_card_says_why(cards):
    sheet, bank, ex = cards
    silent = [v for v in ex.blocks if not v.cards and not v.outcome.reasons]
    assert silent == []
    reasons = {r for v in ex.blocks for _, r in v.outcome.reasons}
    for words in (
        "table of contents",
        "which says nothing to ask by",  # Pros / Cons
        "the description says the command's own words",
        "a table with no rows",
        "a label with no list",
    ):
        assert any(words in r for r in reasons), words


def test_empty_bits_build(tmp_path):
    """A missing state, an empty list, a table with no body, a heading with no text."""
    sheet = tmp_path / TRAPS.name  # a build writes the folder's note ledger beside the sheet
    shutil.copy(TRAPS, sheet)
    result = build([sheet], BuildOptions(out_dir=tmp_path / "out", check=False, jobs=1))
    assert not result.failed
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    states = [b for b in report["sheets"][0]["blocks"] if b["summary"].startswith("table 'States'")]
    assert states and any("no name" in r["reason"] for r in states[0]["skipped"])


def test_explain_names_a_line(cards, capsys):
    from cardgen.cli import main

    assert main(["explain", f"{TRAPS}:44"]) == 0
    out = capsys.readouterr().out
    assert "Why do published ports need NAT?" in out and "veth" not in out
    assert main(["explain", f"{TRAPS}:9999"]) == 1
    text = format_text(cards[2])
    assert re.search(r"\d+ blocks, \d+ with cards, \d+ cards", text)


def test_the_report_separates_what_to_fix_from_what_is_not_a_fact(cards):
    """An author sees at a glance which blocks could make cards, what to change, and where;
    an introduction, a table of contents or a worked example is counted, not flagged."""
    from cardgen.render.report_html import render_report

    _, _, ex = cards
    summary = ex.summary
    to_fix, not_facts = summary["to_fix"], summary["not_facts"]
    assert "a table of contents is not a fact" in not_facts
    assert not any("table of contents" in kind for kind in to_fix)
    labels = [e for k, e in to_fix.items() if k.startswith("a label with no list")]
    assert labels and labels[0]["advice"].startswith("put the list")
    flagged = {v.outcome.source.line for v in ex.blocks if v.to_fix}
    assert flagged == {n for e in to_fix.values() for n in e["lines"]}
    assert sum(len(e["lines"]) for e in to_fix.values()) + sum(not_facts.values()) == sum(
        not v.made for v in ex.blocks
    )
    page = render_report(ex).decode()
    for n in flagged:
        assert f'href="#line-{n}"' in page and f'id="line-{n}"' in page
    assert page.count('class="block none fix"') == len(flagged)
    assert "could make cards" in page and "nothing to do" in page


def test_the_build_writes_each_sheets_report_linked_from_the_index(tmp_path, browser):
    """The author opens the index, follows the sheet's report link, and sees what to fix: the
    same summary as report.json, every block that made no card with its reason, and each
    'to fix' line number jumping to its block."""
    sheet = tmp_path / "notes" / TRAPS.name
    sheet.parent.mkdir()
    shutil.copy(TRAPS, sheet)
    out = tmp_path / "out"
    result = build([sheet], BuildOptions(out_dir=out, check=False, jobs=1))
    assert not result.failed
    entry = json.loads((out / "report.json").read_text())["sheets"][0]
    summary = entry["counts"]["report"]
    page = browser.new_page()
    try:
        page.goto((out / "index.html").as_uri())
        to_fix = sum(len(e["lines"]) for e in summary["to_fix"].values())
        assert to_fix > 0
        page.get_by_text(f"{to_fix} blocks could make cards").click()
        page.wait_for_load_state("load")
        assert page.url.endswith(f"reports/{entry['name']}.html")
        body = page.inner_text("body")
        assert (
            f"{summary['with_cards']} of {summary['blocks']} blocks made {summary['cards']}" in body
        )
        skipped = page.locator("section.block.none")
        assert skipped.count() == summary["blocks"] - summary["with_cards"]
        for n in range(skipped.count()):  # every block that made none says why
            assert skipped.nth(n).locator(".reasons li").count() >= 1
        first_line = next(iter(summary["to_fix"].values()))["lines"][0]
        page.locator(".to-fix a", has_text=str(first_line)).first.click()
        assert page.url.endswith(f"#line-{first_line}")
        assert page.locator(f"#line-{first_line}").is_visible()
        href = page.locator(".path a").get_attribute("href")
        assert (out / "reports" / href).resolve() == sheet.resolve()
    finally:
        page.close()


GIVE_AWAYS = FIXTURES / "sheets" / "traps" / "give-aways.md"


def test_no_card_gives_itself_away_or_is_a_guess():
    """Each block of the give-aways sheet holds a card a blind grader marked bad or weak: a text
    that repeats its name, a yes/no or 'both' cell, a numbered neighbour in a path, a sentence
    opening on 'If'/'Below'/'However', a number shown beside its blank, a repr, a placeholder
    call, a program's output as a command, a condition as an answer."""
    from cardgen.render.anki_notes import path_cloze_note

    sheet = parse_file(GIVE_AWAYS)
    bank, _ = build_bank(sheet)
    ex = explain(sheet, bank)
    fronts = [c.front for v in ex.blocks for c in v.cards]
    backs = [c.back for v in ex.blocks for c in v.cards]
    said = "\n".join(fronts + backs)
    for never in (
        "Enqueue",  # "Enqueue: Enqueue an item at the back"
        "LEASE_OFFERED — Description",  # "Offered lease, …"
        "Yes",
        "No",
        "Both",
        "If the proxy",
        "Below",
        "scope id",
        "the first 16 bits",
        "function_name",
        "Hello, Reader!",
        "If the target is Sized",
    ):
        assert never not in said, never
    assert not [b for b in backs if "re.Match object" in b]  # shown as context, never asked
    assert "Peek" in said and "QUIC — Runs over?" in fronts  # the good ones stay
    (retry,) = [o for o in bank.orderings if "Retry" in o.prompt]
    note = path_cloze_note(retry, "give-aways", sheet.title, "give-aways.md")
    assert note is not None
    text = note.fields[0]
    assert (
        "{{c1::GIVE_UP}}" in text
        and "RETRY_1" in text
        and "{{c" not in text.replace("{{c1::GIVE_UP}}", "")
    )
    reasons = " ".join(r for v in ex.blocks for _, r in v.outcome.reasons)
    assert "the text repeats the name 'Enqueue'" in reasons
    assert "'Yes' in column 'QUIC' says yes, no or 'both'" in reasons
