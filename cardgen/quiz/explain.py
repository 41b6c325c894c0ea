"""One line from the sheet that explains an answer: the row it stands in, the list it belongs
to, the sentence it completes, the line of code, the path around a state; and the evidence
when a check reproduced the fact.

An explanation is made of *items*. Each item says what it shows (`check`, with the names that
make it a fact) so that selection can drop the items that would give away another question's
answer. The item that states the question's own fact is `required`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cardgen.model import (
    Chain,
    LabelledList,
    Sheet,
    Snippet,
    StateNotes,
    StatePath,
    Steps,
    Table,
    TableRow,
)
from cardgen.questions import Matching, Ordering, Question
from cardgen.questions.text import norm, plain

MAX_CHARS = 150
"""An explanation longer than this is cut (at an item, else at a word): it is one line of the
printed key."""


@dataclass(slots=True)
class Item:
    text: str
    """As shown, inline text."""
    check: str
    """What it shows, with the names that make it a fact (for the leak check)."""
    required: bool = False
    keep: int = 0
    """When the line is too long, items with a lower `keep` go first: the rest of the row or
    list (0), what else the sheet says (1), the sentence's "more" (2), the evidence (3)."""


@dataclass(slots=True)
class Sentence:
    """`lead` then its items joined by `joiner`: `Header Size — TCP: 20+ bytes; UDP: 8 bytes`."""

    lead: str
    items: list[Item]
    joiner: str = "; "


@dataclass(slots=True)
class Explanation:
    sentences: list[Sentence] = field(default_factory=list)

    def required_checks(self) -> list[str]:
        return [i.check for s in self.sentences for i in s.items if i.required]

    def optional_items(self) -> list[Item]:
        return [i for s in self.sentences for i in s.items if not i.required]

    def text(self, dropped: set[int] = frozenset()) -> str:  # type: ignore[assignment]
        """The explanation without the items whose `id()` is in `dropped`, at most
        `MAX_CHARS` long."""
        sentences = [
            (s, [i for i in s.items if id(i) not in dropped]) for s in self.sentences if s.items
        ]
        sentences = [(s, items) for s, items in sentences if items]
        while True:
            out = _join(sentences)
            if len(plain(out)) <= MAX_CHARS:
                return out
            optional = [(n, i) for n, (_, items) in enumerate(sentences) for i in items]
            optional = [(n, i) for n, i in optional if not i.required]
            if not optional:
                return _cut(out)
            lowest = min(i.keep for _, i in optional)
            n, last = [(n, i) for n, i in optional if i.keep == lowest][-1]
            s, items = sentences[n]
            items = [i for i in items if i is not last]
            sentences[n] = (s, items)
            sentences = [(s, items) for s, items in sentences if items]


def _join(sentences: list[tuple[Sentence, list[Item]]]) -> str:
    parts = [s.lead + s.joiner.join(i.text for i in items) for s, items in sentences]
    out = ""
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if out:
            out += " " if out.rstrip().endswith((".", "!", "?", ":")) else ". "
        out += part
    return out


def _cut(text: str) -> str:
    """`text` cut at a word so that its plain form fits `MAX_CHARS`, a code span closed."""
    words = text.split(" ")
    while len(words) > 1 and len(plain(" ".join(words))) > MAX_CHARS - 1:
        words.pop()
    out = " ".join(words).rstrip(",;:—-")
    if out.count("`") % 2:
        out += "`"
    if out.count("**") % 2:
        out += "**"
    return out + "…"


class SheetIndex:
    """The sheet's blocks by the line their items start on."""

    def __init__(self, sheet: Sheet | None) -> None:
        self.rows: dict[int, tuple[Table, TableRow]] = {}
        self.tables: dict[int, Table] = {}
        self.entries: dict[int, tuple[str, str, list[str]]] = {}
        """line → (label, the entry's text, texts of the list's entries)."""
        self.paths: dict[int, tuple[str, tuple[str, ...]]] = {}
        self.steps: dict[int, tuple[Steps, int]] = {}
        self.described: dict[str, tuple[Table, TableRow]] = {}
        """A row's name (case-folded) → its row, for the first table that has it."""
        self.commands: dict[str, list[tuple[str, str]]] = {}
        """What a command does (case-folded) → (platform, command) of every command doing it."""
        if sheet is None:
            return
        for block in sheet.blocks:
            if isinstance(block, Table):
                self.tables[block.pos.line] = block
                for row in block.rows:
                    self.rows[row.pos.line] = (block, row)
                    self.described.setdefault(norm(block.row_key(row)), (block, row))
            elif isinstance(block, LabelledList | StateNotes):
                label = block.label if isinstance(block, LabelledList) else block.state
                texts = [_entry_text(e) for e in block.items]
                for entry, text in zip(block.items, texts, strict=True):
                    self.entries[entry.pos.line] = (label, text, texts)
            elif isinstance(block, StatePath | Chain):
                links = block.states if isinstance(block, StatePath) else block.links
                self.paths[block.pos.line] = (block.name, links)
            elif isinstance(block, Steps):
                for n, step in enumerate(block.steps):
                    self.steps[step.pos.line] = (block, n)
            elif isinstance(block, Snippet):
                for cmd in block.commands:
                    if cmd.description:
                        self.commands.setdefault(norm(cmd.description), []).append(
                            (cmd.platform or "", cmd.command)
                        )


def compared_values(q: Question, index: SheetIndex) -> tuple[str, ...]:
    """In a table that compares things (`Feature | TCP | UDP`), the other things' values for
    the row asked: the wrong answers a learner weighs (UDP's header size for TCP's)."""
    from cardgen.questions.tables import ATTRIBUTE_AXES

    if q.block != "table" or q.source.line not in index.rows:
        return ()
    table, row = index.rows[q.source.line]
    k = table.key_column
    if k >= len(table.header) or norm(plain(table.header[k])) not in ATTRIBUTE_AXES:
        return ()
    return tuple(
        cell
        for j, cell in enumerate(row.cells)
        if j != k and j < len(table.header) and table.header[j] != q.column and plain(cell)
    )


def _entry_text(entry: object) -> str:
    for term, text in (("term", "text"), ("key", "value")):
        if hasattr(entry, term):
            return f"{getattr(entry, term)}: {getattr(entry, text)}"
    return str(getattr(entry, "text", ""))


def _cell(row: TableRow, j: int) -> str:
    return row.cells[j] if j < len(row.cells) else ""


def _row_sentence(table: Table, row: TableRow, own_column: str) -> Sentence | None:
    k = table.key_column
    name = table.row_key(row)
    items = []
    for j, header in enumerate(table.header):
        cell = _cell(row, j)
        if j == k or not plain(cell):
            continue
        head = plain(header).rstrip("?:").strip()
        text = f"{head}: {cell}" if head else cell
        items.append(Item(text, f"{name} — {text}", required=norm(header) == norm(own_column)))
    if not any(i.required for i in items):
        return None
    return Sentence("", items)  # the row's name is the stem's: each item's check names it


def _evidence(q: Question) -> list[Sentence]:
    """What a check reproduced, in short (its first clause: the full text is the quiz's
    `evidence`)."""
    if not q.verified:
        return []
    short = q.verified.split("; ")[0]
    return [Sentence("", [Item(short, f"{q.context}: {q.verified}", keep=3)])]


def _more(q: Question) -> list[Sentence]:
    if q.explanation and norm(q.explanation) != norm(q.answer):
        return [Sentence("", [Item(q.explanation, f"{q.context}: {q.explanation}", keep=2)])]
    return []


def explain(q: Question, index: SheetIndex, shown_answer: str | None = None) -> Explanation:
    """What the sheet says around the fact `q` asks."""
    line = q.source.line
    own = _own_sentence(q, index, shown_answer)
    return Explanation([own, *_evidence(q), *_more(q), *_context(q, index, line)])


def _own_sentence(q: Question, index: SheetIndex, shown_answer: str | None) -> Sentence:
    line = q.source.line
    answer = shown_answer or q.answer
    if q.block == "table" and line in index.rows:
        table, row = index.rows[line]
        sentence = _row_sentence(table, row, q.column)
        if sentence:
            return sentence
    if q.kind == "classification" and line in index.entries:
        label, text, texts = index.entries[line]
        others = [t for t in texts if t != text][:4]
        return Sentence(
            f"{label}: ",
            [Item(text, f"{label}: {text}", required=True)]
            + [Item(t, f"{label}: {t}") for t in others],
            ", ",
        )
    if q.cloze:
        before, hidden, after = q.cloze
        sentence = f"{before}{hidden}{after}".strip()
        lead = "" if norm(sentence).startswith(norm(q.context)) else f"{q.context}: "
        return Sentence(lead, [Item(sentence, f"{q.context}: {sentence}", required=True)])
    if q.kind == "transition" and line in index.paths:
        name, links = index.paths[line]
        return Sentence(f"{name}: ", [_transition_item(q, links, name)])
    if q.kind.startswith("step") and line in index.steps:
        return _step_sentence(q, *index.steps[line])
    if q.kind == "snippet_call" and q.code and q.code_blank:
        start, end = q.code_blank
        first = q.code.rfind("\n", 0, start) + 1
        last = q.code.find("\n", end)
        code_line = q.code[first : last if last != -1 else len(q.code)].strip()
        return Sentence(
            f"{q.context}: ", [Item(f"`{code_line}`", f"{q.context}: {code_line}", required=True)]
        )
    if q.kind == "command":
        what = q.context or q.prompt
        return Sentence("", [Item(f"{answer} — {what}", f"{what}: {answer}", required=True)])
    if q.reverse_answer and shown_answer == q.reverse_answer:
        text = f"{q.reverse_answer}: {q.answer}"
        return Sentence("", [Item(text, f"{q.context}: {text}", required=True)])
    if q.kind in ("definition", "key_value", "question", "prose_fact"):
        subject = plain(q.prompt).rstrip("?").strip()
        text = f"{subject}: {q.answer}" if q.kind != "question" else q.answer
        return Sentence("", [Item(text, f"{subject}: {q.answer}", required=True)])
    return Sentence(
        f"{q.context}: " if q.context else "", [Item(answer, f"{q.prompt} {answer}", required=True)]
    )


def _transition_item(q: Question, links: tuple[str, ...], name: str) -> Item:
    for a, b in zip(links, links[1:], strict=False):
        if norm(b) == norm(q.answer) and norm(a) in norm(q.prompt):
            text = f"{a} → {b}"
            return Item(text, f"{name}: {text}", required=True)
    return Item(q.answer, f"{q.prompt} {q.answer}", required=True)


def _step_sentence(q: Question, block: Steps, n: int) -> Sentence:
    step = block.steps[n]
    who = f" ({step.sender} → {step.receiver})" if step.sender and step.receiver else ""
    name = f"Step {step.number}, {step.title}{who}"
    items = [Item(name, name, required=True)]
    items += [
        Item(d, f"{name}: {d}", required=q.kind == "step_state" and norm(q.answer) in norm(d))
        for d in step.details
    ]
    return Sentence("", items)


def _context(q: Question, index: SheetIndex, line: int) -> list[Sentence]:
    """What else the sheet says about the answer: the rest of a compared thing's column (TCP
    in a TCP-vs-UDP table), the other platforms' command, the rest of the list a sentence
    stands in, a state's row in a table of states."""
    if q.block == "table" and line in index.rows:
        return _column_sentence(q, *index.rows[line])
    if q.kind == "command":
        return _platforms_sentence(q, index)
    if q.cloze and line in index.entries:
        label, text, texts = index.entries[line]
        others = [t for t in texts if t != text][:3]
        if others:
            return [Sentence("Also: ", [Item(t, f"{label}: {t}") for t in others], "; ")]
        return []
    if q.kind in ("definition", "key_value") and line in index.entries:
        label, text, texts = index.entries[line]
        at = texts.index(text)
        near = [texts[k] for k in (at - 1, at + 1) if 0 <= k < len(texts) and k != at]
        if near:
            return [Sentence("Next to it: ", [Item(t, f"{label}: {t}") for t in near], "; ")]
        return []
    if q.kind not in ("transition", "step_state"):
        return []
    found = index.described.get(norm(q.answer))
    if not found:
        return []
    table, row = found
    k = table.key_column
    name = table.row_key(row)
    for j, cell in enumerate(row.cells):
        if j != k and plain(cell):
            head = plain(table.header[j]) if j < len(table.header) else ""
            return [Sentence(f"{name}: ", [Item(cell, f"{name} — {head}: {cell}", keep=1)])]
    return []


def _column_sentence(q: Question, table: Table, row: TableRow) -> list[Sentence]:
    """In a table that compares things (`Feature | TCP | UDP`), the rest of the compared
    thing's column says what it is: `TCP: Guaranteed delivery; Packets arrive in order`."""
    from cardgen.questions.tables import ATTRIBUTE_AXES

    k = table.key_column
    key_header = plain(table.header[k]) if k < len(table.header) else ""
    if norm(key_header) not in ATTRIBUTE_AXES or q.column not in table.header:
        return []
    j = table.header.index(q.column)
    items = [
        Item(other.cells[j], f"{table.row_key(other)} — {plain(q.column)}: {other.cells[j]}")
        for other in table.rows
        if other is not row and j < len(other.cells) and plain(other.cells[j])
    ][:3]
    head = plain(q.column).rstrip("?:").strip()
    return [Sentence(f"{head} also: ", items, "; ")] if items else []


def _platforms_sentence(q: Question, index: SheetIndex) -> list[Sentence]:
    """The same command on the other platforms the sheet gives."""
    found = index.commands.get(norm(q.context), [])
    items = [
        Item(f"{platform}: `{cmd}`" if platform else f"`{cmd}`", f"{q.context}: {cmd}")
        for platform, cmd in found
        if norm(cmd) not in norm(q.answer)
    ]
    return [Sentence("Elsewhere — ", items[:2], "; ")] if items else []


def explain_matching(m: Matching, pairs: list[tuple[str, str]]) -> Explanation:
    items = [Item(f"{a} → {b}", f"{a} — {b}", required=True) for a, b in pairs]
    return Explanation([Sentence("", items)])


def explain_ordering(o: Ordering, items: list[str]) -> Explanation:
    name = plain(o.prompt).split(":")[0].strip()
    chain = " → ".join(items)
    return Explanation([Sentence(f"{name}: ", [Item(chain, f"{name}: {chain}", required=True)])])
