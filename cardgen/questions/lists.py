"""Labelled lists and critical-state notes: classification, key/value and one-item cloze."""

from __future__ import annotations

import re
from collections import defaultdict

from cardgen.model import KeyValue, LabelledList, ListItem, Sheet, StateNotes
from cardgen.questions.model import Question, QuestionBank, make_key
from cardgen.questions.text import norm


def sibling_groups(lists: list[LabelledList]) -> list[tuple[str, list[tuple[str, LabelledList]]]]:
    """Lists in one section whose labels differ in their first word only:
    `TCP Use Cases` and `UDP Use Cases` → ("Use Cases", [("TCP", ...), ("UDP", ...)])."""
    groups: dict[tuple[tuple[str, ...], str], list[tuple[str, LabelledList]]] = defaultdict(list)
    for block in lists:
        m = re.match(r"^(\S+)\s+(.+)$", block.label)
        if m:
            groups[(block.section, m.group(2).lower())].append((m.group(1), block))
    return [
        (members[0][1].label.split(None, 1)[1], members)
        for members in groups.values()
        if len(members) >= 2
    ]


def classification_questions(
    bank: QuestionBank, topic: str, members: list[tuple[str, LabelledList]]
) -> None:
    classes = tuple(name for name, _ in members)
    seen: dict[str, int] = defaultdict(int)
    for _, block in members:
        for item in block.items:
            seen[norm(_item_text(item))] += 1
    for name, block in members:
        for item in block.items:
            text = _item_text(item)
            if seen[norm(text)] > 1:
                continue
            bank.questions.append(
                Question(
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
            )


def _item_text(item: object) -> str:
    if isinstance(item, KeyValue):
        return f"{item.key}: {item.value}"
    return getattr(item, "text", "")


def item_questions(bank: QuestionBank, block: LabelledList | StateNotes, label: str) -> None:
    """`Key: value` bullets ask for the value; plain bullets are hidden one at a time."""
    shown = tuple(
        _item_text(i) if not hasattr(i, "term") else f"{i.term}: {i.text}" for i in block.items
    )
    values = tuple(i.value for i in block.items if isinstance(i, KeyValue))
    for index, item in enumerate(block.items):
        if isinstance(item, KeyValue):
            bank.questions.append(
                Question(
                    make_key(bank.sheet_name, block.section, label, "kv", item.key),
                    "key_value",
                    block.kind,
                    f"{label} — {item.key}?",
                    item.value,
                    label,
                    item.pos,
                    block.section,
                    family=values,
                )
            )
        elif isinstance(item, ListItem):
            bank.questions.append(
                Question(
                    make_key(bank.sheet_name, block.section, label, "item", item.text[:60]),
                    "list_item",
                    block.kind,
                    f"{label} — which item is missing?",
                    item.text,
                    label,
                    item.pos,
                    block.section,
                    style="cloze",
                    listing=shown,
                    listing_blank=index,
                    family=tuple(_item_text(i) for i in block.items),
                )
            )


def list_questions(sheet: Sheet, bank: QuestionBank) -> None:
    lists = sheet.of_kind(LabelledList)
    classified: set[int] = set()
    for topic, members in sibling_groups(lists):
        classification_questions(bank, topic, members)
        classified.update(id(block) for _, block in members)
    for block in sheet.blocks:
        if isinstance(block, LabelledList) and id(block) not in classified:
            item_questions(bank, block, block.label)
        elif isinstance(block, StateNotes):
            item_questions(bank, block, block.state)
