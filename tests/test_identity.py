"""Everyday edits keep every learner's history: the identity ledger, read back in real Anki.

Each test builds the seed, imports its deck into a real Anki collection (the `anki` package),
studies every card, makes one everyday edit, builds and imports again, and checks what a
learner would notice: no card arrives without history, no duplicate note is left behind, and
only the notes of the facts the edit changed are rewritten. Nothing here counts today's cards:
the assertions hold whatever the question generators make of the seed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from cardgen.build import BuildOptions, build
from cardgen.identity import LEDGER_NAME
from tests.anki_learner import RETIRED_TAG, Learner, NoteState, deck_notes
from tests.conftest import SEED

EPOCH = "1700000000"
SHEET = "ch02-sockets.md"


@dataclass
class Change:
    """What one re-import did to the learner's collection."""

    before: dict[int, NoteState]
    after: dict[int, NoteState]
    without_history: list[int]
    live: set[str]
    """GUIDs of the notes the latest decks hold as facts (not retired)."""
    retired: set[str]
    report: dict

    @property
    def rewritten(self) -> set[int]:
        """Notes whose fields or tags the import changed."""
        return {
            nid
            for nid, note in self.after.items()
            if nid in self.before
            and (note.fields, note.tags) != (self.before[nid].fields, self.before[nid].tags)
        }

    @property
    def added(self) -> set[int]:
        return set(self.after) - set(self.before)

    @property
    def stale(self) -> list[NoteState]:
        """Notes left in the collection that are neither a fact of the decks nor marked
        retired: a learner would see them as duplicates."""
        return [
            n for n in self.after.values() if n.guid not in self.live and RETIRED_TAG not in n.tags
        ]

    def mentioning(self, text: str) -> set[int]:
        return {nid for nid, n in self.before.items() if any(text in f for f in n.fields)}


class Book:
    """A content folder with the seed in it, its output, and one learner."""

    def __init__(self, root: Path, jobs: int = 1) -> None:
        self.jobs = jobs
        """Worker processes: with 2, each deck is packed in its worker and again by the build
        when the folder's ledger places a note otherwise (a fact moved in from another sheet)."""
        self.content = root / "content"
        self.content.mkdir()
        self.out = root / "out"
        self.learner = Learner(root / "collection.anki2")

    def sheet(self, name: str = SHEET) -> Path:
        return self.content / name

    def edit(self, old: str, new: str, name: str = SHEET) -> None:
        text = self.sheet(name).read_text(encoding="utf-8")
        assert old in text, old
        self.sheet(name).write_text(text.replace(old, new, 1), encoding="utf-8")

    def build(self, **options) -> dict:
        opts = {"out_dir": self.out, "check": False, "jobs": self.jobs, **options}
        result = build([self.content], BuildOptions(**opts))
        assert not result.failed, [str(o.error) for o in result.failed]
        return json.loads((self.out / "report.json").read_text(encoding="utf-8"))

    def decks(self) -> list[Path]:
        return sorted((self.out / "decks").rglob("*.apkg"))

    def publish(self) -> tuple[dict, set[str], set[str]]:
        """Build, and import every deck into the learner's collection."""
        report = self.build()
        live: set[str] = set()
        retired: set[str] = set()
        for deck in self.decks():
            for guid, tags in deck_notes(deck).items():
                (retired if RETIRED_TAG in tags else live).add(guid)
            self.learner.import_deck(deck)
        return report, live, retired

    def studied(self) -> None:
        """Published, imported and every card studied: every card has history."""
        self.publish()
        self.learner.study_everything()
        assert self.learner.cards_without_history() == []

    def republish(self) -> Change:
        before = self.learner.notes()
        report, live, retired = self.publish()
        return Change(
            before,
            self.learner.notes(),
            self.learner.cards_without_history(),
            live,
            retired,
            report,
        )


@pytest.fixture
def book(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    book = Book(tmp_path)
    book.sheet().write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    yield book
    book.learner.close()


def assert_history_kept(change: Change) -> None:
    assert change.without_history == [], "cards arrived without review history"
    assert change.added == set(), "the import added notes"
    assert change.stale == [], "notes were left behind as duplicates"
    assert change.retired == set()


def test_renaming_a_section_keeps_history(book):
    book.studied()
    book.edit("## TCP vs UDP Quick Reference", "## TCP and UDP Compared")
    change = book.republish()
    assert_history_kept(change)
    in_section = change.mentioning("TCP vs UDP Quick Reference")
    assert change.rewritten and change.rewritten <= in_section
    (sheet,) = change.report["sheets"]
    assert sheet["new"] == [] and sheet["retired"] == []


def test_renaming_a_section_and_editing_a_cell_in_it_at_once_keeps_history(book):
    book.studied()
    book.edit("## TCP vs UDP Quick Reference", "## TCP and UDP Compared")
    book.edit("| 20+ bytes |", "| 20-60 bytes |")
    change = book.republish()
    assert_history_kept(change)
    assert change.rewritten <= change.mentioning("TCP vs UDP Quick Reference")


def test_a_ledger_saved_with_a_bom_and_crlf_reads_the_same(book):
    book.build()
    ledger = book.content / LEDGER_NAME
    text = ledger.read_text(encoding="utf-8")
    ledger.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    assert book.build(locked=True)["ledgers"][0]["changed"] is False


def test_fixing_a_typo_in_a_row_header_keeps_history(book):
    book.edit("| **Reliability** |", "| **Reliabilty** |")
    book.studied()
    book.edit("| **Reliabilty** |", "| **Reliability** |")
    change = book.republish()
    assert_history_kept(change)
    assert change.rewritten and change.rewritten <= change.mentioning("Reliabilty")


def test_fixing_a_typo_in_a_term_keeps_history(book):
    book.edit("- **Listen**: Prepare", "- **Lisen**: Prepare")
    book.studied()
    book.edit("- **Lisen**: Prepare", "- **Listen**: Prepare")
    change = book.republish()
    assert_history_kept(change)
    assert change.rewritten and change.rewritten <= change.mentioning("Lisen")


def test_moving_a_section_rewrites_nothing(book):
    book.studied()
    text = book.sheet().read_text(encoding="utf-8")
    start = text.index("## Error Handling Quick Reference")
    end = text.index("## Key Takeaways")
    section = text[start:end]
    book.sheet().write_text(text[:start] + text[end:] + "\n" + section, encoding="utf-8")
    change = book.republish()
    assert_history_kept(change)
    assert change.rewritten == set()


def test_inserting_a_paragraph_rewrites_nothing(book):
    book.studied()
    book.edit(
        "# Chapter 2 Cheatsheet: Sockets and Connections\n",
        "# Chapter 2 Cheatsheet: Sockets and Connections\n\n"
        "This sheet sums up the second chapter; read it before the exercises.\n",
    )
    change = book.republish()
    assert_history_kept(change)
    assert change.rewritten == set()


def test_a_one_line_edit_rewrites_only_the_notes_of_its_fact(book):
    book.studied()
    book.edit("| **Header Size** | 20+ bytes |", "| **Header Size** | 20-60 bytes |")
    change = book.republish()
    assert_history_kept(change)
    assert change.rewritten and change.rewritten == change.mentioning("20+ bytes")


@pytest.mark.parametrize("jobs", [1, 2])
def test_splitting_the_sheet_keeps_history(book, jobs):
    book.jobs = jobs
    book.studied()
    text = book.sheet().read_text(encoding="utf-8")
    cut = text.index("## Socket States Reference")
    book.sheet().write_text(text[:cut], encoding="utf-8")
    book.sheet("ch02-states.md").write_text(
        "# Chapter 2 Cheatsheet: States and Patterns\n\n" + text[cut:], encoding="utf-8"
    )
    change = book.republish()
    assert_history_kept(change)
    moved = next(s for s in change.report["sheets"] if s["name"] == "ch02-states")
    assert moved["carried"] and moved["new"] == []
    assert {c["from_sheet"] for c in moved["carried"]} == {SHEET}


@pytest.mark.parametrize("jobs", [1, 2])
def test_renaming_the_file_keeps_history(book, jobs):
    book.jobs = jobs
    book.studied()
    book.sheet().rename(book.sheet("sockets.md"))
    change = book.republish()
    assert_history_kept(change)
    (sheet,) = change.report["sheets"]
    assert sheet["name"] == "sockets" and sheet["new"] == []
    assert len(sheet["carried"]) == len(change.before)
    (ledger,) = change.report["ledgers"]
    assert ledger["changed"] and ledger["removed"] == []


def test_retired_notes_are_sent_once_more_and_found_by_their_tag(book):
    book.studied()
    history = book.learner.history()
    book.edit("- REST APIs\n", "")
    change = book.republish()
    assert change.without_history == [] and change.stale == []
    retired = book.learner.find(f"tag:{RETIRED_TAG}")
    assert retired and len(retired) == len(change.retired)
    for nid in retired:
        note = book.learner.col.get_note(nid)
        assert note.guid in change.retired
        assert any("REST APIs" in f for f in note.fields)
        for card in note.cards():  # the learner keeps its history until they delete it
            assert book.learner.history()[card.id] == history[card.id]
    (sheet,) = change.report["sheets"]
    assert len(sheet["retired"]) == len(retired)

    # An unchanged rebuild sends it again; the next edit of the sheet stops sending it.
    assert any(change.retired <= set(deck_notes(d)) for d in book.decks())
    book.learner.col.remove_notes(retired)
    book.edit("| 20+ bytes |", "| 20-60 bytes |")
    change = book.republish()
    assert book.learner.find(f"tag:{RETIRED_TAG}") == []
    assert change.retired == set()


def test_a_fact_that_comes_back_gets_its_note_back(book):
    book.studied()
    text = book.sheet().read_text(encoding="utf-8")
    book.edit("- REST APIs\n", "")
    book.republish()
    book.sheet().write_text(text, encoding="utf-8")
    change = book.republish()
    assert change.without_history == [] and change.added == set()
    assert book.learner.find(f"tag:{RETIRED_TAG}") == []


def test_first_build_writes_the_ledger_and_keeps_the_old_guids(book):
    import genanki

    report = book.build()
    ledger = book.content / LEDGER_NAME
    lines = [line for line in ledger.read_text(encoding="utf-8").splitlines() if line[:1] != "#"]
    (sheet,) = report["sheets"]
    assert len(lines) == sheet["counts"]["deck"]["notes"] == len(sheet["new"])
    guids = set(deck_notes(book.decks()[0]))
    assert guids == {genanki.guid_for("cardgen", key) for key in sheet["new"]}
    assert book.build()["sheets"][0]["new"] == []  # now the ledger knows them all
    assert [line for line in ledger.read_text().splitlines() if line[:1] != "#"] == lines


def test_locked_fails_when_the_ledger_would_change(book):
    from cardgen.identity import LockedLedgerError

    with pytest.raises(LockedLedgerError, match="there is no ledger"):
        book.build(locked=True)
    assert not (book.content / LEDGER_NAME).exists() and not book.out.joinpath("decks").exists()
    book.build()
    decks = {d: d.read_bytes() for d in book.decks()}
    ledger = (book.content / LEDGER_NAME).read_bytes()
    assert book.build(locked=True)["ledgers"][0]["changed"] is False
    book.edit("- REST APIs\n", "- REST and GraphQL APIs\n")
    with pytest.raises(LockedLedgerError, match=r"would change \(\d+ new, \d+ retired\)"):
        book.build(locked=True)
    assert (book.content / LEDGER_NAME).read_bytes() == ledger
    assert {d: d.read_bytes() for d in book.decks()} == decks


def test_eight_chinese_facts_make_eight_notes(book):
    terms = ["套接字", "端口", "协议", "连接", "监听", "握手", "超时", "缓冲区"]
    book.sheet().unlink()
    book.sheet("术语.md").write_text(
        "# 网络术语\n\n## 基本概念\n\n**术语表:**\n"
        + "".join(f"- **{t}**: 第{i}个概念的解释\n" for i, t in enumerate(terms, 1)),
        encoding="utf-8",
    )
    report = book.build()
    assert report["sheets"][0]["counts"]["deck"]["notes"] == 8
    assert report["sheets"][0]["warnings"] == []
