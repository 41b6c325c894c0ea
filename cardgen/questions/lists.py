"""Labelled lists and critical-state notes: named items ask like definitions; sibling lists
(`TCP Use Cases` / `UDP Use Cases`) ask which one an item belongs to; a short list of a few
words asks for its missing item; a sentence asks for its key term."""

from __future__ import annotations

import re
from collections import defaultdict

from cardgen.model import (
    Block,
    Definition,
    KeyValue,
    LabelledList,
    ListEntry,
    ListItem,
    Sheet,
    StateNotes,
)
from cardgen.questions.clozes import key_terms
from cardgen.questions.definitions import definition_fact
from cardgen.questions.facts import emit
from cardgen.questions.model import Question, QuestionBank, make_key
from cardgen.questions.outcome import Outcomes
from cardgen.questions.quality import answer_problem, is_label, is_sample
from cardgen.questions.text import norm, plain, word_count

MISSING_ITEM_MAX_ITEMS = 5
MISSING_ITEM_MAX_WORDS = 3
CLASSIFY_MAX_WORDS = 8


def sibling_groups(lists: list[LabelledList]) -> list[tuple[str, list[tuple[str, LabelledList]]]]:
    """Lists in one section whose labels differ in their first word only:
    `TCP Use Cases` and `UDP Use Cases` → ("Use Cases", [("TCP", ...), ("UDP", ...)])."""
    groups: dict[tuple[tuple[str, ...], str], list[tuple[str, LabelledList]]] = defaultdict(list)
    for block in lists:
        m = re.match(r"^(\S+)\s+(.+)$", plain(block.label))
        if m and block.cue != "heading":
            groups[(block.section, m.group(2).lower())].append((m.group(1), block))
    out = []
    for members in groups.values():
        names = [norm(name) for name, _ in members]
        if len(members) >= 2 and len(set(names)) == len(names):
            out.append((plain(members[0][1].label).split(None, 1)[1], members))
    return out


def entry_name(entry: ListEntry) -> str:
    if isinstance(entry, Definition):
        return entry.term
    if isinstance(entry, KeyValue):
        return entry.key
    return entry.text


def entry_text(entry: ListEntry) -> str:
    if isinstance(entry, Definition):
        return f"{entry.term}: {entry.text}"
    if isinstance(entry, KeyValue):
        return f"{entry.key}: {entry.value}"
    return entry.text


def classification_questions(
    bank: QuestionBank, out: Outcomes, topic: str, members: list[tuple[str, LabelledList]]
) -> set[int]:
    """Items that belong to one list of a sibling group: `Online gaming: TCP or UDP?`."""
    classes = tuple(name for name, _ in members)
    seen: dict[str, int] = defaultdict(int)
    for _, block in members:
        for item in block.items:
            seen[norm(entry_text(item))] += 1
    asked: set[int] = set()
    for name, block in members:
        for item in block.items:
            text = entry_text(item)
            if seen[norm(text)] > 1 or not isinstance(item, ListItem):
                continue
            if word_count(text) > CLASSIFY_MAX_WORDS or any(
                re.search(rf"(?<!\w){re.escape(norm(c))}(?!\w)", norm(text)) for c in classes
            ):
                out.skip(
                    block, "the item names its own list, or is too long to classify", item.pos.line
                )
                asked.add(id(item))
                continue
            q = Question(
                make_key(bank.sheet_name, block.section, topic, "classify", text[:60]),
                "classification",
                "labelled_list",
                f"{text}: {' or '.join(classes)}? ({topic})",
                name,
                topic,
                item.pos,
                block.section,
                family=classes,
            )
            out.add(block, q)
            asked.add(id(item))
    return asked


def missing_item_questions(
    bank: QuestionBank, out: Outcomes, block: Block, label: str, items: tuple[ListEntry, ...]
) -> bool:
    """A short list of a few words each: each item hidden in turn, the rest shown."""
    texts = tuple(entry_text(i) for i in items)
    if not (3 <= len(items) <= MISSING_ITEM_MAX_ITEMS) or not all(
        isinstance(i, ListItem) for i in items
    ):
        return False
    if any(word_count(t) > MISSING_ITEM_MAX_WORDS or answer_problem(t) for t in texts):
        return False
    if len({norm(t) for t in texts}) != len(texts):
        return False
    note = make_key(bank.sheet_name, block.section, label, "items")
    for index, item in enumerate(items):
        q = Question(
            make_key(bank.sheet_name, block.section, label, "item", texts[index][:60]),
            "list_item",
            block.kind,
            f"{label}: which one is missing?",
            texts[index],
            label,
            item.pos,
            block.section,
            style="cloze",
            listing=texts,
            listing_blank=index,
            family=texts,
            note=note,
        )
        out.add(block, q)
    return True


def sentence_questions(
    bank: QuestionBank, out: Outcomes, block: Block, label: str, item: ListItem, known: list[str]
) -> None:
    """A sentence item: its key term hidden, the label as the cue."""
    text = item.text
    if is_sample(text):
        out.skip(block, "sample or placeholder text", item.pos.line)
        return
    spans = key_terms(text, known)
    if not spans:
        out.skip(
            block,
            "a sentence with no key term to ask: bold the word to learn, or write '**Term**: text'",
            item.pos.line,
        )
        return
    note = make_key(bank.sheet_name, block.section, label, "item", text[:60])
    for start, end in spans:
        hidden = text[start:end]
        q = Question(
            f"{note}/{norm(hidden)[:40]}",
            "item_term",
            block.kind,
            label,
            hidden,
            label,
            item.pos,
            block.section,
            style="cloze",
            cloze=(text[:start], hidden, text[end:]),
            note=note,
        )
        out.add(block, q)


def entry_questions(
    bank: QuestionBank,
    out: Outcomes,
    block: Block,
    items: tuple[ListEntry, ...],
    label: str,
    known: list[str] | None = None,
    skip: set[int] | None = None,
) -> None:
    """Every entry of a list (and of its nested lists, under their parent's name)."""
    known = known if known is not None else []
    skip = skip or set()
    named = [i for i in items if isinstance(i, Definition | KeyValue)]
    family = tuple(i.text if isinstance(i, Definition) else i.value for i in named)
    names = tuple(entry_name(i) for i in named)
    plain_items = [i for i in items if isinstance(i, ListItem) and id(i) not in skip]
    if re.search(r"\bexamples?\b|\bsample\b|\be\.g\b", plain(label), re.I):
        out.skip(block, f"'{plain(label)}' holds examples: sample data is not a fact to learn")
        return
    finishes = re.search(
        r"\b(?:into|of|to|the|a|an|for|with|by|from|as|that|which|and|or|are|is|be|can)$",
        plain(label).strip(" ,"),
        re.I,
    )
    if plain_items and finishes:
        out.skip(block, "the items finish the sentence above them: they are not facts alone")
        plain_items = []
    elif (
        plain_items
        and isinstance(block, LabelledList)
        and block.cue == "heading"
        and not block.section
    ):
        out.skip(block, "a list with no heading or label to ask it by")
        plain_items = []
    elif label and is_label(label) and plain_items:
        out.skip(block, f"the items stand under '{plain(label)}', which says nothing to ask by")
        plain_items = []
    elif plain_items and not missing_item_questions(bank, out, block, label, tuple(plain_items)):
        for item in plain_items:
            sentence_questions(bank, out, block, label, item, known)
    for item in named:
        fact = definition_fact(bank, block, item, label, family, names)
        if fact is None:
            if not item.sub:
                out.skip(block, "a name with no text", item.pos.line)
        else:
            emit(out, fact)
    for item in items:
        if item.sub:
            parent = plain(entry_name(item)).rstrip(":")
            sub_label = parent if word_count(parent) <= 8 else label
            entry_questions(bank, out, block, item.sub, sub_label, known)


def known_terms(sheet: Sheet) -> list[str]:
    """Terms the sheet defines anywhere: a sentence that uses one can be asked for it."""
    terms: list[str] = []
    for block in sheet.blocks:
        if isinstance(block, Definition):
            terms.append(block.term)
        elif isinstance(block, LabelledList | StateNotes):
            terms += [entry_name(i) for i in block.items if isinstance(i, Definition)]
    from cardgen.parse.lists import ATTRIBUTE_TERMS

    return [
        t
        for t in terms
        if 1 <= word_count(t) <= 3 and not is_label(t) and norm(t) not in ATTRIBUTE_TERMS
    ]


def list_questions(sheet: Sheet, bank: QuestionBank, out: Outcomes) -> None:
    lists = sheet.of_kind(LabelledList)
    known = known_terms(sheet)
    asked: dict[int, set[int]] = {}
    for topic, members in sibling_groups(lists):
        done = classification_questions(bank, out, topic, members)
        for _, block in members:
            asked[id(block)] = done
    for block in sheet.blocks:
        if isinstance(block, LabelledList):
            entry_questions(bank, out, block, block.items, block.label, known, asked.get(id(block)))
        elif isinstance(block, StateNotes):
            entry_questions(bank, out, block, block.items, block.state, known)
