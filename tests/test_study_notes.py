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
