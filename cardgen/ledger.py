"""The ledger file of note identities: `cardgen-notes.lock`, one line a fact, beside the sheets.

It holds, per fact, the sheet it is in, its key, its GUID, the modification time and digest of
its note, its state (live, retiring, retired), and its place, cue and answer as plain text:
enough to match a renamed fact by content. Lines are sorted and tab-separated (tabs, line breaks
and backslashes in a text are written `\\t`, `\\n`, `\\\\`): diff-friendly, and the author commits
it the way a lockfile is committed. `cardgen.identity` decides what goes in it.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from cardgen.errors import EXIT_USAGE, CardgenError

LEDGER_NAME = "cardgen-notes.lock"
FORMAT_LINE = "# cardgen note ledger, format 1"
HEADER = f"""{FORMAT_LINE}
# The Anki note (GUID) of every fact in the sheets of this folder. Commit it with the sheets:
# it keeps learners' review history when a fact is renamed, fixed or moved to another file.
# `cardgen build` updates it; `cardgen build --locked` fails when it would change.
# sheet\tkey\tguid\tmodified\tfields\tnote\tstate\twhere\tcue\tanswer
"""
COLUMNS = 10
MAX_MOD = 253_402_300_799
"""Latest modification time a ledger may hold: the end of year 9999."""
NOTE_TYPES = ("basic", "reverse", "cloze")

LIVE = "live"
RETIRED = "retired"
RETIRING = "retiring:"
"""`retiring:<sheet version>`: left the sheet; emitted once more while the sheet is unchanged."""


class LedgerError(CardgenError):
    """The ledger cannot be read (exit code 2)."""

    exit_code = EXIT_USAGE


class LockedLedgerError(CardgenError):
    """`--locked` is set and a ledger would change (exit code 1, like a failed check)."""


class Entry(NamedTuple):
    """One line of the ledger."""

    sheet: str
    key: str
    guid: str
    mod: int
    fields: str
    note: str
    state: str
    where: str
    cue: str
    answer: str

    @property
    def live(self) -> bool:
        return self.state == LIVE

    @property
    def retiring_version(self) -> str | None:
        return self.state[len(RETIRING) :] if self.state.startswith(RETIRING) else None


@dataclass(slots=True)
class Ledger:
    path: Path
    entries: list[Entry]
    text: str | None
    """The file's text as read; None when there was no ledger."""

    def by_sheet(self) -> dict[str, list[Entry]]:
        return by_sheet(self.entries)


def by_sheet(entries: Iterable[Entry]) -> dict[str, list[Entry]]:
    out: dict[str, list[Entry]] = defaultdict(list)
    for e in entries:
        out[e.sheet].append(e)
    return dict(out)


# -- reading and writing ----------------------------------------------------------------------

_UNESCAPES = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}


def _escape(text: str) -> str:
    """One line a fact: tabs, line breaks and backslashes in a text are written `\\t`..."""
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t")
        text = text.replace("\n", "\\n").replace("\r", "\\r")
    return text


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: _UNESCAPES.get(m.group(1), m.group(1)), text)


def entry_line(e: Entry) -> str:
    parts = (e.sheet, e.key, e.guid, str(e.mod), e.fields, e.note, e.state)
    parts += (e.where, e.cue, e.answer)
    return "\t".join(_escape(p) for p in parts)


def format_ledger(entries: Iterable[Entry]) -> str:
    lines = sorted(entry_line(e) for e in entries)
    return HEADER + "".join(line + "\n" for line in lines)


def parse_ledger(text: str, path: str) -> list[Entry]:
    entries: list[Entry] = []
    seen: dict[tuple[str, str], int] = {}
    guids: dict[str, int] = {}
    if not text.startswith(FORMAT_LINE):
        raise LedgerError(
            f"not a note ledger (an empty or damaged file: its first line is not "
            f"'{FORMAT_LINE}'); restore it from version control, or delete it to start over "
            "(learners would then get new notes for every renamed or moved fact)",
            path,
            1,
        )
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith(("<<<<<<<", "=======", ">>>>>>>", "|||||||")):
            raise LedgerError(
                "merge conflict markers: keep the lines of both sides, remove the markers, "
                "and build again",
                path,
                number,
            )
        parts = [_unescape(p) for p in line.split("\t")]
        if len(parts) == COLUMNS and not (parts[3].isdigit() and int(parts[3]) <= MAX_MOD):
            raise LedgerError(
                f"modification time {parts[3]!r} is not a whole number of seconds from 1970 "
                "to the end of year 9999; restore the file from version control",
                path,
                number,
            )
        if len(parts) != COLUMNS:
            raise LedgerError(
                f"not a ledger line (expected {COLUMNS} tab-separated columns); "
                "restore the file from version control",
                path,
                number,
            )
        sheet, key, guid, mod, fields, note, state, where, cue, answer = parts
        if not guid.strip() or not key.strip() or not sheet.strip():
            raise LedgerError(
                "a line with no sheet, key or GUID; restore the file from version control",
                path,
                number,
            )
        if note not in NOTE_TYPES or not (state in (LIVE, RETIRED) or state.startswith(RETIRING)):
            raise LedgerError(
                f"unknown note type '{note}' or state '{state}'; "
                "restore the file from version control",
                path,
                number,
            )
        if state == LIVE and (sheet, key) in seen:
            raise LedgerError(
                f"fact '{key}' of {sheet} is also on line {seen[sheet, key]}", path, number
            )
        if guid in guids:
            raise LedgerError(
                f"GUID {guid} is also on line {guids[guid]}: two facts cannot share a note",
                path,
                number,
            )
        if state == LIVE:
            seen[sheet, key] = number
        guids[guid] = number
        entries.append(Entry(sheet, key, guid, int(mod), fields, note, state, where, cue, answer))
    return entries


def read_ledger(folder: Path) -> Ledger:
    path = folder / LEDGER_NAME
    try:
        text = path.read_text(encoding="utf-8").removeprefix("\ufeff")
    except FileNotFoundError:
        return Ledger(path, [], None)
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8"
        raise LedgerError(f"cannot read: {reason}", str(path)) from None
    return Ledger(path, parse_ledger(text, str(path)), text)


def lines_digest(entries: Iterable[Entry]) -> str:
    """Digest of the lines that decide a sheet's deck (live and retiring facts)."""
    h = hashlib.sha256()
    for line in sorted(entry_line(e) for e in entries if e.state != RETIRED):
        h.update(line.encode())
        h.update(b"\n")
    return h.hexdigest()[:16]
