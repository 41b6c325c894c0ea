"""A learner with a real Anki collection (the `anki` package): imports decks, studies every
card, and tells what an import did to notes and review history."""

from __future__ import annotations

import sqlite3
import zipfile
from dataclasses import dataclass
from pathlib import Path

from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

RETIRED_TAG = "cardgen::retired"


@dataclass(frozen=True, slots=True)
class NoteState:
    nid: int
    guid: str
    fields: tuple[str, ...]
    tags: tuple[str, ...]


def deck_notes(apkg: Path) -> dict[str, tuple[str, ...]]:
    """GUID → tags of every note in an `.apkg`, read straight from its collection."""
    with zipfile.ZipFile(apkg) as zf:
        data = zf.read("collection.anki2")
    conn = sqlite3.connect(":memory:")
    try:
        conn.deserialize(data)
        rows = conn.execute("SELECT guid, tags FROM notes")
        return {guid: tuple(tags.split()) for guid, tags in rows}
    finally:
        conn.close()


class Learner:
    def __init__(self, path: Path) -> None:
        self.col = Collection(str(path))

    def close(self) -> None:
        self.col.close()

    def import_deck(self, apkg: Path):
        request = ImportAnkiPackageRequest(
            package_path=str(apkg), options=ImportAnkiPackageOptions()
        )
        return self.col.import_anki_package(request).log

    def study_everything(self) -> None:
        """Answer every card that has no review yet, so that every card has history."""
        for cid in self.cards_without_history():
            card = self.col.get_card(cid)
            card.start_timer()
            self.col.sched.answerCard(card, 3)

    def cards_without_history(self) -> list[int]:
        return self.col.db.list(
            "SELECT id FROM cards WHERE id NOT IN (SELECT cid FROM revlog) ORDER BY id"
        )

    def history(self) -> dict[int, tuple[int, int, int, int]]:
        """Card id → (type, queue, interval, reviews)."""
        return {
            cid: (ctype, queue, ivl, reps)
            for cid, ctype, queue, ivl, reps in self.col.db.all(
                "SELECT id, type, queue, ivl, reps FROM cards"
            )
        }

    def notes(self) -> dict[int, NoteState]:
        out = {}
        for nid in self.col.find_notes(""):
            note = self.col.get_note(nid)
            out[nid] = NoteState(nid, note.guid, tuple(note.fields), tuple(sorted(note.tags)))
        return out

    def find(self, query: str) -> list[int]:
        return list(self.col.find_notes(query))
