"""Note identity: which Anki note (GUID) each fact of a content folder's sheets is, kept in the
ledger beside the sheets (`cardgen.ledger`, `cardgen-notes.lock`).

On a rebuild, a fact whose key is in the ledger keeps its GUID. When keys vanished and new keys
appeared (a renamed heading, a fixed typo, a section moved to another file), the vanished facts
are matched to the new ones by content, the way git detects renames: the same answer under a
similar cue, or the same cue and answer under another heading or in another file. A match keeps
its GUID, and so the learner's review history. The key is treated as an opaque string: nothing
here depends on how keys are made.

A fact that left its sheet is *retired*: its note is emitted once more (tagged
`cardgen::retired`) for as long as the sheet stays as it was when the fact left it, and its line
stays in the ledger, so that its GUID is never given to another fact (and comes back with it).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import NamedTuple

import genanki

from cardgen.ledger import (
    LEDGER_NAME,
    LIVE,
    RETIRED,
    RETIRING,
    Entry,
    Ledger,
    LedgerError,
    LockedLedgerError,
    by_sheet,
    format_ledger,
    lines_digest,
    read_ledger,
)

__all__ = [
    "LEDGER_NAME",
    "Assignment",
    "Entry",
    "Fact",
    "Ledger",
    "LedgerError",
    "LockedLedgerError",
    "Placement",
    "SheetIdentity",
    "assign",
    "format_ledger",
    "lines_digest",
    "read_ledger",
]

SIMILAR = 0.6
"""Least similarity of the part of a cue (or answer) that differs, for a typo or rename."""
DISTINCTIVE = 24
"""An answer (or cue) at least this long, met once on each side, is matched on its own."""
LEFTOVER_DISTINCTIVE = 8
"""The same, for facts of one sheet left over once the others were matched."""
MAX_PAIRS = 200_000
"""A bucket of more pairs than this (thousands of facts with the answer "Yes") is not
compared pair by pair: matching stays near linear in the number of facts."""


class Fact(NamedTuple):
    """One note as this build makes it: what the ledger records of it. (Named tuples: they
    cross between processes by the ten thousand, and pickle fast.)"""

    sheet: str
    """The sheet's path relative to its content folder (`a/notes.md`)."""
    key: str
    note: str
    """Note type: `basic`, `reverse` or `cloze` (a GUID never changes note type)."""
    where: str
    """Section path and context, joined with ` › `: parts of the cue that name a place."""
    cue: str
    answer: str
    fields: str
    """Digest of the note's fields, tags and deck: changes exactly when the note does."""


# -- matching ---------------------------------------------------------------------------------

_TOKEN = re.compile(r"\w+|[^\w\s]")


def normal(text: str) -> str:
    """What two spellings of the same text share: NFKC, casefolded, spaces collapsed."""
    text = unicodedata.normalize("NFKC", text).replace("`", "").casefold()
    return " ".join(text.split())


def core_cue(cue: str, where: str) -> str:
    """The cue without the names of the place it stands in (heading, table, list label)."""
    out = normal(cue)
    parts = sorted({normal(p) for p in where.split(" › ") if len(p.strip()) >= 3}, key=len)
    for part in reversed(parts):
        out = out.replace(part, "…")
    return out


def changed_part_similarity(a: str, b: str) -> float:
    """How alike the parts of two texts are that differ (1.0: identical texts).

    "Table — Conection — Col?" and "Table — Connection — Col?" differ in one word that is
    nearly the same (0.95); "… — REST APIs — Col?" and "… — Live scores — Col?" differ in
    words that are not (0.1). A differing number is never a typo ("IPv4", "IPv6").
    """
    ta, tb = _TOKEN.findall(a), _TOKEN.findall(b)
    start = 0
    while start < min(len(ta), len(tb)) and ta[start] == tb[start]:
        start += 1
    end = 0
    while end < min(len(ta), len(tb)) - start and ta[-1 - end] == tb[-1 - end]:
        end += 1
    ra = " ".join(ta[start : len(ta) - end])
    rb = " ".join(tb[start : len(tb) - end])
    if not ra and not rb:
        return 1.0
    if re.findall(r"\d+", ra) != re.findall(r"\d+", rb):
        return 0.0
    return SequenceMatcher(None, ra, rb, autojunk=False).ratio()


def key_affinity(a: str, b: str) -> int:
    """Length of the common start and end of two keys: a tie-breaker only."""
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    end = 0
    while end < min(len(a), len(b)) - start and a[-1 - end] == b[-1 - end]:
        end += 1
    return start + end


@dataclass(slots=True)
class _Side:
    """A fact or a ledger entry, normalised once for matching."""

    index: int
    sheet: str
    key: str
    note: str
    cue: str
    """The cue without the names of its place (`core_cue`)."""
    full: str
    """The whole cue, normalised: when a place's name is also a word of the cue ("TCP")."""
    answer: str
    live: bool = True

    def same_cue(self, other: _Side) -> bool:
        return self.cue == other.cue or self.full == other.full

    def cue_similarity(self, other: _Side) -> float:
        return max(
            changed_part_similarity(self.cue, other.cue),
            changed_part_similarity(self.full, other.full),
        )


def _side(
    index: int,
    sheet: str,
    key: str,
    note: str,
    cue: str,
    where: str,
    answer: str,
    live: bool = True,
) -> _Side:
    return _Side(
        index,
        sheet,
        key,
        note_family(note),
        core_cue(cue, where),
        normal(cue),
        normal(answer),
        live,
    )


def note_family(note: str) -> str:
    """A basic note and one with a reverse card are one fact asked one way or both: a fact
    that gains or loses its reverse card keeps its note (Anki keeps the learner's note, with
    its history, when the type it arrives with differs; a new note would lose the history)."""
    return "cloze" if note == "cloze" else "card"


def _score(old: _Side, new: _Side, answer_alone: bool, cue_alone: bool) -> float | None:
    """How surely `new` is `old` renamed, moved or fixed (None: it is not)."""
    same_cue = old.same_cue(new)
    if same_cue and old.answer == new.answer:
        return 3.0
    if old.answer == new.answer:
        similar = old.cue_similarity(new)
        if similar >= SIMILAR or answer_alone:
            return 1.0 + similar
    if same_cue:
        similar = changed_part_similarity(old.answer, new.answer)
        if similar >= SIMILAR or cue_alone:
            return 1.0 + similar
    return None


def match_by_content(
    old: list[_Side], new: list[_Side], leftovers: bool = False
) -> list[tuple[int, int]]:
    """Pairs (old index, new index) of facts that are the same fact, best matches first.

    Candidates share their answer or their cue (with or without the names of its place);
    a bucket that holds one vanished and one new fact matches on its cue alone, or on its
    answer alone when that answer is long enough to say which fact it is. Then the facts left
    over are matched once more, the same way (`leftovers`), where an answer of one sheet left
    alone in its bucket may be shorter: the rest of its section was matched already.
    """
    if not old or not new:
        return []
    buckets: dict[tuple[str, str, str], tuple[list[_Side], list[_Side]]] = defaultdict(
        lambda: ([], [])
    )
    for side, slot in ((old, 0), (new, 1)):
        for s in side:
            buckets["answer", s.note, s.answer][slot].append(s)
            buckets["cue", s.note, s.cue][slot].append(s)
            if s.full != s.cue:
                buckets["cue", s.note, s.full][slot].append(s)
    scored: dict[tuple[int, int], tuple] = {}
    for (kind, _note, text), (olds, news) in buckets.items():
        if not olds or not news:
            continue
        one_each = len(olds) == len(news) == 1
        long_enough = len(text) >= (
            LEFTOVER_DISTINCTIVE if leftovers and olds[0].sheet == news[0].sheet else DISTINCTIVE
        )
        answer_alone = kind == "answer" and one_each and long_enough
        cue_alone = kind == "cue" and one_each
        if len(olds) * len(news) > MAX_PAIRS:
            continue  # too many alike: their exact matches are found through their cues
        for o in olds:
            for n in news:
                score = _score(o, n, answer_alone, cue_alone)
                if score is None:
                    continue
                rank = (-score, o.sheet != n.sheet, not o.live, -key_affinity(o.key, n.key))
                pair = (o.index, n.index)
                if pair not in scored or rank < scored[pair][:4]:
                    scored[pair] = (*rank, o.index, n.index)
    pairs: list[tuple[int, int]] = []
    taken_old: set[int] = set()
    taken_new: set[int] = set()
    for o, n in sorted(scored, key=scored.__getitem__):
        if o in taken_old or n in taken_new:
            continue
        taken_old.add(o)
        taken_new.add(n)
        pairs.append((o, n))
    if pairs and not leftovers:  # what is left may now be alone in its bucket: once more
        rest_old = [s for s in old if s.index not in taken_old]
        rest_new = [s for s in new if s.index not in taken_new]
        pairs += match_by_content(rest_old, rest_new, leftovers=True)
    return pairs


# -- assignment -------------------------------------------------------------------------------


class Placement(NamedTuple):
    """The note a fact becomes: its GUID and modification time."""

    guid: str
    mod: int


@dataclass(slots=True)
class SheetIdentity:
    """What one sheet's deck needs from the ledger, and what this build changed in it."""

    placed: dict[str, Placement] = field(default_factory=dict)
    """Key → note, for every fact of the sheet."""
    retiring: list[Entry] = field(default_factory=list)
    """Facts that left the sheet and are emitted once more, tagged `cardgen::retired`."""
    carried: list[tuple[Entry, str]] = field(default_factory=list)
    """(the ledger line it came from, the new key): renamed or moved facts."""
    new: list[str] = field(default_factory=list)
    retired: list[Entry] = field(default_factory=list)
    """Facts this build retired."""

    def same_deck(self, other: SheetIdentity) -> bool:
        return self.placed == other.placed and [e.guid for e in self.retiring] == [
            e.guid for e in other.retiring
        ]


@dataclass(slots=True)
class Assignment:
    entries: list[Entry]
    """The ledger after this build."""
    sheets: dict[str, SheetIdentity]
    removed: list[Entry] = field(default_factory=list)
    """Facts retired because their sheet is gone (no deck emits them)."""

    def by_sheet(self) -> dict[str, list[Entry]]:
        return by_sheet(self.entries)


def fresh_guid(key: str, sheet: str, taken: set[str]) -> str:
    """A GUID for a new fact: from its key (as cardgen has always made it), else a variant."""
    guid = genanki.guid_for("cardgen", key)
    n = 0
    while guid in taken:
        n += 1
        guid = genanki.guid_for("cardgen", key, sheet, str(n))
    return guid


def assign(
    entries: list[Entry],
    facts: dict[str, list[Fact]],
    epochs: dict[str, int],
    versions: dict[str, str],
    kept: Iterable[str] = (),
    scope: set[str] | None = None,
) -> Assignment:
    """Give every fact of the rebuilt sheets its note, and work out the ledger after the build.

    - `facts`: the facts of each rebuilt sheet, in sheet order.
    - `epochs`: each rebuilt sheet's build time (a changed note's time moves past it).
    - `versions`: each rebuilt sheet's version (its text digest), for retiring facts.
    - `kept`: sheets not rebuilt (unchanged, or failed to build): their lines stay as they are.
    - `scope`: the sheets this build covers (None: every sheet in the ledger). Lines of other
      sheets stay as they are; lines of sheets in scope that are neither rebuilt nor kept are
      of sheets that are gone.
    """
    kept = set(kept)
    untouched: list[Entry] = []
    candidates: list[Entry] = []
    by_place: dict[tuple[str, str, str], list[Entry]] = defaultdict(list)
    for e in entries:
        in_scope = scope is None or e.sheet in scope
        if not in_scope or e.sheet in kept:
            untouched.append(e)
        else:
            by_place[e.sheet, e.key, note_family(e.note)].append(e)
            candidates.append(e)
    for same in by_place.values():  # live first, then retiring, then retired
        same.sort(key=lambda e: (not e.live, e.state == RETIRED, e.guid))
    taken = {e.guid for e in entries}
    sheets = {name: SheetIdentity() for name in facts}
    result: list[Entry] = list(untouched)
    used: set[str] = set()
    """GUIDs of the ledger that went to a fact of this build."""

    def place(fact: Fact, before: Entry | None, guid: str) -> None:
        epoch = epochs.get(fact.sheet, 0)
        if before is None:
            mod = epoch
        elif before.live and before.fields == fact.fields:
            mod = before.mod
        else:
            mod = max(epoch, before.mod + 1)
        sheets[fact.sheet].placed[fact.key] = Placement(guid, mod)
        result.append(
            Entry(
                fact.sheet,
                fact.key,
                guid,
                mod,
                fact.fields,
                fact.note,
                LIVE,
                fact.where,
                fact.cue,
                fact.answer,
            )
        )

    unplaced: list[Fact] = []
    for sheet, sheet_facts in facts.items():
        for fact in sheet_facts:
            same = by_place.get((sheet, fact.key, note_family(fact.note)))
            if same:
                before = same.pop(0)
                used.add(before.guid)
                place(fact, before, before.guid)
            else:
                unplaced.append(fact)

    vanished = [e for e in candidates if e.guid not in used]
    old_sides, new_sides = [], []
    if vanished and unplaced:  # (most builds have nothing to match)
        old_sides = [
            _side(i, e.sheet, e.key, e.note, e.cue, e.where, e.answer, e.live)
            for i, e in enumerate(vanished)
        ]
        new_sides = [
            _side(i, f.sheet, f.key, f.note, f.cue, f.where, f.answer)
            for i, f in enumerate(unplaced)
        ]
    matched: dict[int, Entry] = {}
    for o, n in match_by_content(old_sides, new_sides):
        matched[n] = vanished[o]
        used.add(vanished[o].guid)
    for i, fact in enumerate(unplaced):
        before = matched.get(i)
        if before is not None:
            place(fact, before, before.guid)
            sheets[fact.sheet].carried.append((before, fact.key))
        else:
            guid = fresh_guid(fact.key, fact.sheet, taken)
            taken.add(guid)
            place(fact, None, guid)
            sheets[fact.sheet].new.append(fact.key)

    removed: list[Entry] = []
    for e in vanished:
        if e.guid in used:
            continue
        if e.sheet not in facts:  # the sheet is gone: no deck to emit it in
            if e.state != RETIRED:
                removed.append(e)
            result.append(e._replace(state=RETIRED))
            continue
        version = versions.get(e.sheet, "")
        identity = sheets[e.sheet]
        if e.live:
            e = e._replace(state=RETIRING + version, mod=max(epochs.get(e.sheet, 0), e.mod + 1))
            identity.retired.append(e)
            identity.retiring.append(e)
        elif e.retiring_version == version:
            identity.retiring.append(e)
        else:
            e = e._replace(state=RETIRED)
        result.append(e)
    for identity in sheets.values():
        identity.retiring.sort(key=lambda e: e.key)
    return Assignment(result, sheets, removed)
