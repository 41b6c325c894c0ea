"""Decks imported into a real Anki collection (the `anki` package from PyPI)."""

from __future__ import annotations

import json
import re
import shutil
from html import unescape
from pathlib import Path

import pytest
from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

from cardgen.build import BuildOptions, build
from cardgen.model import Definition, KeyValue, Snippet, StatePath, Table
from cardgen.parse import parse_file
from tests.conftest import SEED

EPOCH = "1700000000"


def build_deck(content: Path, out: Path) -> Path:
    result = build([content], BuildOptions(out_dir=out, check=False))
    assert not result.failed, [str(o.error) for o in result.failed]
    return out / "decks" / f"{content.stem if content.is_file() else 'ch02-sockets'}.apkg"


def import_deck(col: Collection, apkg: Path):
    request = ImportAnkiPackageRequest(package_path=str(apkg), options=ImportAnkiPackageOptions())
    return col.import_anki_package(request).log


def text_of(html: str) -> str:
    html = re.sub(r"<style>.*?</style>", "", html, flags=re.S)
    html = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", unescape(html)).strip()


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    content = tmp_path / "content"
    content.mkdir()
    shutil.copy(SEED, content / "ch02-sockets.md")
    return content, tmp_path / "out"


@pytest.fixture
def collection(tmp_path):
    col = Collection(str(tmp_path / "collection.anki2"))
    yield col
    col.close()


def all_cards(col: Collection):
    return [col.get_card(cid) for cid in col.find_cards("")]


def test_every_fact_of_the_seed_has_a_card(workspace, collection):
    """Every table cell that is a fact, every definition, command and key call is asked;
    what is not asked is not a fact (a vague cell) and the report says why."""
    content, out = workspace
    log = import_deck(collection, build_deck(content, out))
    assert len(log.new) == collection.note_count() and not log.duplicate and not log.conflicting
    answers = [text_of(c.answer()) for c in all_cards(collection)]
    sheet = parse_file(SEED)
    facts: list[str] = []
    for table in sheet.of_kind(Table):
        facts += [cell for row in table.rows for cell in row.cells[1:]]
        facts += [row.header for row in table.rows]
    for path in sheet.of_kind(StatePath):
        facts += list(path.states)
    for block in sheet.blocks:
        for item in getattr(block, "items", ()):
            if isinstance(item, Definition):
                facts += [item.term, item.text]
            elif isinstance(item, KeyValue):
                facts.append(item.value.replace("`", ""))
    facts += [c.command for s in sheet.of_kind(Snippet) for c in s.commands]
    facts += ["set_nodelay", "recv_from", "TcpListener::bind", "set_reuse_address"]
    missing = [f for f in facts if not any(f.replace("**", "") in a for a in answers)]
    # not facts (vague), a set of three causes, an answer whose head word is its cue's, texts
    # that repeat their name (Accept, SYN_SENT, SYN_RECEIVED) and yes/no cells (Flow Control)
    assert sorted(missing) == [
        "Accept",
        "Accept an incoming connection (server)",
        "Brief",
        "Brief",
        "Brief (rare)",
        "Flow Control",
        "Network/routing problem",
        "Received SYN, sent SYN-ACK",
        "Sent SYN, waiting for SYN-ACK",
        "Server down, network issue, firewall",
        "Starting point",
        "Yes",
    ]
    report = json.loads((out / "report.json").read_text())
    reasons = [r for b in report["sheets"][0]["blocks"] for r in b["skipped"]]
    assert {r["line"] for r in reasons if "'Brief'" in r["reason"]} == {104, 108}


def test_counts_per_block_kind(workspace, collection):
    content, out = workspace
    import_deck(collection, build_deck(content, out))
    counts = {
        kind: len(collection.find_notes(f"tag:kind::{kind}"))
        for kind in (
            "table",
            "definition",
            "state_path",
            "steps",
            "labelled_list",
            "state_notes",
            "takeaway",
            "snippet",
            "question_answer",
        )
    }
    # 61 cells less 4 that are not facts, 2 bad cards, 5 yes/no/both and 2 that repeat their
    # name; a reverse card is a note's second card
    assert counts["table"] == 48
    assert counts["definition"] == 1
    assert counts["state_path"] == 2  # one cloze note per path, each state hidden in turn
    assert counts["steps"] == 3 * 3
    assert counts["labelled_list"] == 10 + 1 + 6 + 2  # classification, Key Concepts, ops, Timing
    assert counts["state_notes"] == 1 + 2 + 0
    assert counts["takeaway"] == 4
    assert counts["snippet"] == 4 + 4  # one cloze note per snippet, one per command description
    assert counts["question_answer"] == 1
    reverse_cards = collection.find_cards('"note:cardgen Basic (and reversed card)" card:2')
    assert len(reverse_cards) == 11
    decks = {d.name for d in collection.decks.all_names_and_ids()}
    assert decks == {"Chapter 2 Cheatsheet: Sockets and Connections", "Default"}


def test_day_one_follows_the_sheet(workspace, collection):
    """Under Anki's default options the real scheduler serves the new cards in the sheet's
    order: "What is a Socket?" first, then each section's facts as the sheet tells them."""
    from cardgen.identity import read_ledger
    from cardgen.questions import build_bank
    from cardgen.render.deck import sheet_notes

    content, out = workspace
    import_deck(collection, build_deck(content, out))
    sheet = parse_file(content / "ch02-sockets.md")
    line_of = {s.key: s.line for s in sheet_notes(build_bank(sheet)[0], "ch02-sockets.md").specs}
    key_of = {e.guid: e.key for e in read_ledger(content).entries}
    deck = collection.decks.id_for_name("Chapter 2 Cheatsheet: Sockets and Connections")
    collection.decks.select(deck)
    config = collection.decks.config_dict_for_deck_id(deck)
    assert config["new"]["perDay"] == 20  # Anki's default
    # Anki gathers the day's 20 new cards by position, then sorts them "card type, then order
    # gathered": the first cards of the sheet's first notes in its order, then their reverses.
    day_one = [
        collection.get_card(c.card.id)
        for c in collection.sched.get_queued_cards(fetch_limit=100).cards
    ]
    assert len(day_one) == 20
    assert text_of(day_one[0].question()).endswith("What is a Socket?")
    firsts = [line_of[key_of[c.note().guid]] for c in day_one if c.ord == 0]
    assert firsts == sorted(line_of.values())[: len(firsts)]
    seconds = [line_of[key_of[c.note().guid]] for c in day_one if c.ord == 1]
    assert seconds == sorted(seconds) and set(seconds) <= set(firsts)
    config["new"]["perDay"] = 1000
    collection.decks.update_config(config)
    queued = [
        collection.get_card(c.card.id)
        for c in collection.sched.get_queued_cards(fetch_limit=1000).cards
    ]
    assert len(queued) == len(collection.find_cards(""))
    for ord_ in {c.ord for c in queued}:
        lines = [line_of[key_of[c.note().guid]] for c in queued if c.ord == ord_]
        assert lines == sorted(lines), ord_


def test_fronts_are_unique_non_empty_and_keep_their_answer_hidden(workspace, collection):
    content, out = workspace
    import_deck(collection, build_deck(content, out))
    fronts = []
    for card in all_cards(collection):
        question = text_of(card.question())
        assert question, card.note().fields
        fronts.append(question)
        note = card.note()
        if "Back" in note and card.ord == 0:
            back = text_of(note["Back"])
            offered = f"{back} or " in question or f" or {back}" in question  # "TCP or UDP?"
            assert back and (offered or back not in question.split("›")[-1]), (question, back)
    assert len(fronts) == len(set(fronts))


def test_source_and_tags_on_every_note(workspace, collection):
    content, out = workspace
    import_deck(collection, build_deck(content, out))
    nid = collection.find_notes('"Header Size" "note:cardgen Basic"')[0]
    note = collection.get_note(nid)
    assert note["Source"] == "ch02-sockets.md › TCP vs UDP Quick Reference"  # no line number
    assert set(note.tags) >= {
        "cardgen::ch02-sockets",
        "kind::table",
        "section::tcp-vs-udp-quick-reference",
    }


def test_html_in_content_shows_as_text(tmp_path, collection):
    sheet = tmp_path / "xss.md"
    sheet.write_text(
        "# XSS\n\n## T\n\n| Name | Value |\n|---|---|\n"
        "| Evil | <script>alert(1)</script> |\n| Tag | <b>bold</b> |\n"
        "| Three | x |\n"
    )
    build([sheet], BuildOptions(out_dir=tmp_path / "out", check=False))
    import_deck(collection, tmp_path / "out" / "decks" / "xss.apkg")
    nid = collection.find_notes("Evil")[0]
    back = collection.get_note(nid)["Back"]
    assert "<script>" not in back and "&lt;script&gt;alert(1)&lt;/script&gt;" in back


def review_all(col: Collection, deck: str) -> dict[int, tuple[int, int, int]]:
    col.decks.select(col.decks.id_for_name(deck))
    for _ in range(40):
        card = col.sched.getCard()
        if card is None:
            break
        col.sched.answerCard(card, 3)
    return {c.id: (c.type, c.due, c.ivl) for c in all_cards(col) if c.type != 0}


def test_edited_sheet_updates_notes_in_place_and_keeps_history(workspace, collection):
    content, out = workspace
    apkg = build_deck(content, out)
    first = apkg.read_bytes()
    import_deck(collection, apkg)
    notes_before = set(collection.find_notes(""))
    reviewed = review_all(collection, "Chapter 2 Cheatsheet: Sockets and Connections")
    revlog_before = collection.db.scalar("select count() from revlog")
    assert reviewed and revlog_before >= len(reviewed)
    speed_nid = collection.find_notes('"UDP — Speed?" "note:cardgen Basic"')[0]

    # An unchanged rebuild is byte-identical.
    assert build_deck(content, out).read_bytes() == first

    sheet = content / "ch02-sockets.md"
    text = sheet.read_text()
    text = text.replace("Faster (minimal overhead)", "Faster (little overhead)")
    text = text.replace("- IoT sensor data\n", "- IoT sensor data\n- Live sports scores\n")
    text = text.replace("- REST APIs\n", "")
    sheet.write_text(text)
    apkg = build_deck(content, out)
    log = import_deck(collection, apkg)

    # Anki logs unchanged notes it skipped as "duplicate": none of them is added again.
    assert not log.conflicting and not log.first_field_match
    assert len(log.new) == 1  # the added list item, and nothing else
    updated = {n.id.nid for n in log.updated}
    (retired,) = collection.find_notes("tag:cardgen::retired")  # REST APIs, sent once more
    assert updated == {speed_nid, retired}
    assert "REST APIs" in collection.get_note(retired)["Front"]
    assert len(log.duplicate) == log.found_notes - len(updated) - 1
    assert collection.get_note(speed_nid)["Back"] == "Faster (little overhead)"
    notes_after = set(collection.find_notes(""))
    assert notes_before <= notes_after and len(notes_after - notes_before) == 1
    for cid, history in reviewed.items():
        card = collection.get_card(cid)
        assert (card.type, card.due, card.ivl) == history
    assert collection.db.scalar("select count() from revlog") == revlog_before

    report = json.loads((out / "report.json").read_text())
    (sheet_report,) = report["sheets"]
    assert sheet_report["retired"] == [
        "ch02-sockets/tcp-vs-udp-quick-reference/use-cases/classify/rest-apis"
    ]


def test_changed_note_time_moves_forward(workspace):
    from cardgen.identity import read_ledger

    content, out = workspace
    build_deck(content, out)
    before = {e.key: e for e in read_ledger(content).entries}
    sheet = content / "ch02-sockets.md"
    sheet.write_text(sheet.read_text().replace("| 20+ bytes |", "| 20-60 bytes |"))
    build_deck(content, out)
    after = {e.key: e for e in read_ledger(content).entries}
    assert after.keys() == before.keys()
    changed = sorted(k for k in after if after[k].fields != before[k].fields)
    cell = "ch02-sockets/tcp-vs-udp-quick-reference/tcp-vs-udp-quick-reference/header-size/tcp"
    assert changed == [cell]
    assert all(after[k].mod > before[k].mod for k in changed)
    assert all(after[k].mod == before[k].mod for k in after if k not in changed)
    assert all(after[k].guid == before[k].guid for k in after)
