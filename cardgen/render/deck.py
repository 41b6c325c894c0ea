"""The `.apkg` deck of one sheet, written byte for byte the same from the same input.

Each note's modification time comes from a ledger kept beside the deck
(`decks/<sheet>.notes.json`): an unchanged note keeps its time, a changed one moves past it,
so that Anki's "update if newer" sees the change and an unchanged rebuild is identical.
Keys that were in the ledger and are gone from the sheet are reported as retired.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import os
import sqlite3
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import genanki

from cardgen.questions import QuestionBank
from cardgen.render.anki_notes import NoteSpec, path_cloze_note, question_notes
from cardgen.render.html import MediaFiles, images_from

DECK_ID_BASE = 1_607_392_320_000_000


@dataclass(slots=True)
class DeckOutput:
    apkg: bytes
    ledger: bytes
    retired: list[str]
    notes: int
    cards: int


class TimedNote(genanki.Note):
    """A genanki note that carries its own modification time."""

    def __init__(self, mod: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.mod = mod

    def write_to_db(self, cursor, timestamp, deck_id, id_gen):  # type: ignore[override]
        super().write_to_db(cursor, self.mod, deck_id, id_gen)


def build_epoch(sheet_path: str) -> int:
    """`SOURCE_DATE_EPOCH` if set, else the sheet file's modification time."""
    env = os.environ.get("SOURCE_DATE_EPOCH")
    if env and env.strip().isdigit():
        return int(env)
    try:
        return int(Path(sheet_path).stat().st_mtime)
    except OSError:
        return 0


def deck_id(name: str) -> int:
    digest = hashlib.sha256(name.encode()).digest()
    return DECK_ID_BASE + int.from_bytes(digest[:4], "big")


def note_digest(spec: NoteSpec, deck_name: str) -> str:
    h = hashlib.sha256()
    for part in (str(spec.model.model_id), deck_name, *spec.fields, *spec.tags):
        h.update(part.encode())
        h.update(b"\x1f")
    return h.hexdigest()[:16]


def deck_name_for(title: str, path: tuple[str, ...]) -> str:
    """`title` may already be a deck path (`Prefix::Sheet`); section names never split it."""
    return "::".join([title, *(p.replace("::", ":") for p in path)])


def render_deck(
    bank: QuestionBank,
    previous_ledger: dict | None,
    epoch: int,
    deck_prefix: str = "",
    sheet_path: str = "",
) -> DeckOutput:
    title = bank.sheet_title.replace("::", ":")
    if deck_prefix.strip(": "):
        title = f"{deck_prefix.strip(': ')}::{title}"
    media = MediaFiles(sheet_path)
    with images_from(media):
        specs = question_notes(bank.deck_questions, bank.sheet_name, bank.sheet_title, bank.tags)
        specs += [
            path_cloze_note(o, bank.sheet_name, bank.sheet_title, bank.tags)
            for o in bank.orderings
            if o.block in ("state_path", "chain")
        ]
    old = (previous_ledger or {}).get("notes", {})
    ledger: dict[str, dict] = {}
    decks: dict[str, genanki.Deck] = {title: genanki.Deck(deck_id(title), title)}
    cards = 0
    for spec in specs:
        name = deck_name_for(title, spec.deck)
        deck = decks.setdefault(name, genanki.Deck(deck_id(name), name))
        digest = note_digest(spec, name)
        before = old.get(spec.key)
        if before and before.get("digest") == digest and not before.get("retired"):
            mod = int(before["mod"])
        else:
            mod = max(epoch, int(before["mod"]) + 1) if before else epoch
        ledger[spec.key] = {"digest": digest, "mod": mod}
        note = TimedNote(
            mod, model=spec.model, fields=list(spec.fields), tags=list(spec.tags), guid=spec.guid
        )
        deck.add_note(note)
        cards += len(note.cards)
    retired = sorted(k for k in old if k not in ledger)
    for key in retired:
        ledger[key] = {**old[key], "retired": True}
    package = genanki.Package([decks[n] for n in sorted(decks)])
    apkg = package_bytes(package, epoch, media.files)
    ledger_doc = {"sheet": bank.sheet_name, "notes": dict(sorted(ledger.items()))}
    ledger_bytes = (json.dumps(ledger_doc, indent=1, sort_keys=True) + "\n").encode()
    return DeckOutput(apkg, ledger_bytes, retired, len(specs), cards)


def package_bytes(
    package: genanki.Package, epoch: int, media: dict[str, bytes] | None = None
) -> bytes:
    """genanki's `write_to_file`, made deterministic and kept in memory: the collection is
    built in an in-memory SQLite database, whose image is then zipped with fixed times, with
    the media files (name → bytes) numbered in name order, as Anki's package format wants."""
    conn = sqlite3.connect(":memory:")
    try:
        package.write_to_db(conn.cursor(), epoch, itertools.count(max(epoch, 1) * 1000))
        conn.commit()
        db = conn.serialize()
    finally:
        conn.close()
    zip_time = time.gmtime(max(epoch, 315532800))[:6]
    out = io.BytesIO()
    names = sorted(media or {})
    index = json.dumps({str(n): name for n, name in enumerate(names)}, sort_keys=True).encode()
    entries = [("collection.anki2", db), ("media", index)]
    entries += [(str(n), (media or {})[name]) for n, name in enumerate(names)]
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=zip_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data, compresslevel=1)  # fast; the same bytes every time
    return out.getvalue()
