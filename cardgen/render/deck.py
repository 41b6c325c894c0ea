"""The `.apkg` deck of one sheet, written byte for byte the same from the same input.

Which note each fact updates (its GUID) and the note's modification time come from the identity
ledger (`cardgen.identity`): an unchanged note keeps its time, a changed one moves past it, so
that Anki's "update if newer" sees the change and an unchanged rebuild is identical. Facts that
left the sheet are sent once more, tagged `cardgen::retired`.
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
from dataclasses import dataclass, field
from pathlib import Path

import genanki
from genanki.apkg_col import APKG_COL
from genanki.apkg_schema import APKG_SCHEMA

from cardgen.identity import Entry, Fact, SheetIdentity
from cardgen.questions import QuestionBank
from cardgen.render.anki_notes import (
    RETIRED_TAG,
    NoteSpec,
    note_model,
    path_cloze_note,
    question_notes,
    retired_note,
    sheet_tag,
)
from cardgen.render.html import MediaFiles, images_from

DECK_ID_BASE = 1_607_392_320_000_000


@dataclass(slots=True)
class SheetNotes:
    """Every note of one sheet, before the ledger says which Anki note each one is."""

    title: str
    """The sheet's deck (with the configured prefix)."""
    specs: list[NoteSpec]
    digests: list[str]
    """Per spec: digest of its fields, tags and deck."""
    media: dict[str, bytes] = field(default_factory=dict)
    """The sheet's images the notes show (file name in the package → bytes)."""

    def facts(self, sheet_rel: str) -> list[Fact]:
        return [
            Fact(sheet_rel, s.key, s.note_type, s.where, s.cue, s.answer, d)
            for s, d in zip(self.specs, self.digests, strict=True)
        ]


@dataclass(slots=True)
class DeckOutput:
    apkg: bytes
    notes: int
    cards: int


class TimedNote(genanki.Note):
    """A genanki note that carries its own modification time."""

    def __init__(self, mod: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.mod = mod

    def write_to_db(self, cursor, timestamp, deck_id, id_gen):  # type: ignore[override]
        super().write_to_db(cursor, self.mod, deck_id, id_gen)


LATEST_EPOCH = 253_402_300_799
"""The end of year 9999: Anki's and SQLite's times hold it, and no later one is taken."""
LATEST_ZIP_TIME = (2107, 12, 31, 23, 59, 58)
"""A zip file's dates end in 2107."""


def source_date_epoch() -> int | None:
    """`SOURCE_DATE_EPOCH`, checked: None when unset; `ValueError` when it is not a whole
    number of seconds from 1970 to the end of year 9999 (reproducible-builds.org says a
    malformed value must fail the build)."""
    env = os.environ.get("SOURCE_DATE_EPOCH")
    if env is None or not env.strip():
        return None
    value = env.strip()
    if not value.isdigit() or int(value) > LATEST_EPOCH:
        raise ValueError(
            f"SOURCE_DATE_EPOCH must be a whole number of seconds since 1970 (at most "
            f"{LATEST_EPOCH}, the end of year 9999), not {env!r}"
        )
    return int(value)


def build_epoch(sheet_path: str) -> int:
    """`SOURCE_DATE_EPOCH` if set, else the sheet file's modification time."""
    env = source_date_epoch()
    if env is not None:
        return env
    try:
        return min(max(int(Path(sheet_path).stat().st_mtime), 0), LATEST_EPOCH)
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


def deck_title(sheet_title: str, deck_prefix: str) -> str:
    title = sheet_title.replace("::", ":")
    if deck_prefix.strip(": "):
        title = f"{deck_prefix.strip(': ')}::{title}"
    return title


def sheet_notes(
    bank: QuestionBank, sheet_label: str, deck_prefix: str = "", sheet_path: str = ""
) -> SheetNotes:
    """The notes of a sheet, in the sheet's order: one deck, whose new cards a learner meets
    as the sheet tells them. `sheet_label` (its path in the content folder) is their source;
    images beside `sheet_path` go into the package."""
    title = deck_title(bank.sheet_title, deck_prefix)
    name, sheet_title, tags = bank.sheet_name, bank.sheet_title, bank.tags
    media = MediaFiles(sheet_path)
    with images_from(media):
        specs = question_notes(bank.deck_questions, name, sheet_title, sheet_label, tags)
        paths = [
            path_cloze_note(o, name, sheet_title, sheet_label, tags)
            for o in bank.orderings
            if o.block in ("state_path", "chain")
        ]
        specs += [p for p in paths if p is not None]
    specs.sort(key=lambda s: s.line)
    seen: dict[str, int] = {}
    unique: list[NoteSpec] = []
    for spec in specs:  # two notes of one sheet never share a key (and so never a GUID)
        count = seen[spec.key] = seen.get(spec.key, 0) + 1
        if count > 1:
            spec = spec._replace(key=f"{spec.key}#{count}")
        unique.append(spec)
    digests = [note_digest(s, deck_name_for(title, s.deck)) for s in unique]
    return SheetNotes(title, unique, digests, dict(sorted(media.files.items())))


def package_deck(
    notes: SheetNotes,
    identity: SheetIdentity,
    sheet_name: str,
    sheet_label: str,
    epoch: int,
) -> DeckOutput:
    """The `.apkg` of a sheet's notes, each as the note the ledger placed it in, and its
    retiring facts once more, tagged `cardgen::retired`."""
    title = notes.title
    decks: dict[str, genanki.Deck] = {title: genanki.Deck(deck_id(title), title)}
    cards = 0
    for position, spec in enumerate(notes.specs, start=1):
        placed = identity.placed[spec.key]
        name = deck_name_for(title, spec.deck)
        deck = decks.setdefault(name, genanki.Deck(deck_id(name), name))
        note = TimedNote(
            placed.mod,
            model=spec.model,
            fields=list(spec.fields),
            tags=list(spec.tags),
            guid=placed.guid,
            due=position,
        )
        deck.add_note(note)
        cards += len(note.cards)
    for entry in identity.retiring:
        decks[title].add_note(_retired(entry, sheet_name, sheet_label))
    ordered = [decks[n] for n in sorted(decks)]
    return DeckOutput(package_bytes(ordered, epoch, notes.media), len(notes.specs), cards)


def _retired(entry: Entry, sheet_name: str, sheet_label: str) -> TimedNote:
    fields = retired_note(sheet_name, sheet_label, entry.note, entry.where, entry.cue, entry.answer)
    return TimedNote(
        entry.mod,
        model=note_model(entry.note),
        fields=list(fields),
        tags=[sheet_tag(sheet_name), RETIRED_TAG],
        guid=entry.guid,
    )


def package_bytes(
    decks: list[genanki.Deck], epoch: int, media: dict[str, bytes] | None = None
) -> bytes:
    """An `.apkg` of the decks, the same bytes from the same notes, kept in memory, with the
    media files (name → bytes) numbered in name order, as Anki's package format wants.

    The collection is built as genanki builds it, in an in-memory SQLite database whose image is
    then zipped with fixed times; but the decks and note types are written into the collection
    once, not re-read and re-written for every deck (which grew as the square of the sections).
    """
    conn = sqlite3.connect(":memory:")
    try:
        cursor = conn.cursor()
        cursor.executescript(APKG_SCHEMA)
        cursor.executescript(APKG_COL)
        decks_json = json.loads(cursor.execute("SELECT decks FROM col").fetchone()[0])
        models_json = json.loads(cursor.execute("SELECT models FROM col").fetchone()[0])
        id_gen = itertools.count(max(epoch, 1) * 1000)
        for deck in decks:
            decks_json[str(deck.deck_id)] = deck.to_json()
            for model in {id(n.model): n.model for n in deck.notes}.values():
                models_json[str(model.model_id)] = model.to_json(epoch, deck.deck_id)
            for note in deck.notes:
                note.write_to_db(cursor, epoch, deck.deck_id, id_gen)
        collection = (json.dumps(decks_json), json.dumps(models_json))
        cursor.execute("UPDATE col SET decks = ?, models = ?", collection)
        conn.commit()
        db = conn.serialize()
    finally:
        conn.close()
    zip_time = min(time.gmtime(max(epoch, 315532800))[:6], LATEST_ZIP_TIME)
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
