"""The typed model of a cheatsheet. It knows nothing of Markdown tokens, Anki or HTML.

Text fields hold *inline text*: plain text in which inline code keeps its backticks
(`SO_REUSEADDR`), strong emphasis keeps `**…**` (the author's mark of a key term), images are
`![alt](src)`, footnote references are `[^label]`, and other markup is removed. Renderers turn
it into HTML or text (`cardgen.questions.text.plain`).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import ClassVar, Union

from cardgen.errors import Diagnostic


@dataclass(frozen=True, slots=True)
class SourcePos:
    """Where a node starts in its Markdown file."""

    path: str
    """The sheet's path as given on the command line."""
    line: int
    """1-based line number."""

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True, slots=True)
class Section:
    """A heading of the sheet, with the path of headings above it."""

    kind: ClassVar[str] = "section"
    title: str
    level: int
    """Heading level: 1 for `#`, 2 for `##`..."""
    path: tuple[str, ...]
    """Titles from the top-level section (level 2) down to this one."""
    pos: SourcePos


@dataclass(frozen=True, slots=True)
class Block:
    """Base of every placed block: where it is and under which headings."""

    kind: ClassVar[str] = "block"
    pos: SourcePos
    section: tuple[str, ...]
    """Heading path (level 2 and below) the block stands under."""


@dataclass(frozen=True, slots=True)
class Definition(Block):
    """`**Term**: text`, as a paragraph or as a list item."""

    kind: ClassVar[str] = "definition"
    term: str
    text: str
    form: str = "bold"
    """How the author wrote it: `bold` (`**T**: x`), `code` (`` `T` - x ``), `plain` (`T - x`),
    `deflist` (`T` + `: x`), `heading` (`### **T**: x`), `summary` (a tldr `>` line),
    `attribute` (`**Function:** x` under a heading that names the subject)."""
    sub: tuple[ListEntry, ...] = ()
    """Nested items under it."""


@dataclass(frozen=True, slots=True)
class KeyValue(Block):
    """A list item `Key: value` without emphasis, as in `Local connection: microseconds`."""

    kind: ClassVar[str] = "key_value"
    key: str
    value: str
    sub: tuple[ListEntry, ...] = ()


@dataclass(frozen=True, slots=True)
class ListItem(Block):
    """A plain bullet: one statement."""

    kind: ClassVar[str] = "item"
    text: str
    sub: tuple[ListEntry, ...] = ()
    """Nested items under it: the item is their context."""


ListEntry = Union["Definition", "KeyValue", "ListItem"]


@dataclass(frozen=True, slots=True)
class LabelledList(Block):
    """A bold label line (`**TCP Use Cases:**`) and the bullets under it."""

    kind: ClassVar[str] = "labelled_list"
    label: str
    items: tuple[ListEntry, ...]
    cue: str = "label"
    """Where `label` comes from: `label` (a bold line), `lead_in` (a sentence ending in `:`),
    `heading` (only the heading above), `item` (a parent list item)."""


@dataclass(frozen=True, slots=True)
class StateNotes(Block):
    """A critical-state block: `**TIME_WAIT:**` and facts about that state."""

    kind: ClassVar[str] = "state_notes"
    state: str
    items: tuple[ListEntry, ...]


@dataclass(frozen=True, slots=True)
class TableRow:
    """One body row; `cells[0]` is the first cell (`Table.key_column` names the row)."""

    kind: ClassVar[str] = "row"
    cells: tuple[str, ...]
    pos: SourcePos

    @property
    def header(self) -> str:
        return self.cells[0]


@dataclass(frozen=True, slots=True)
class Table(Block):
    """A pipe or HTML table, named by the heading (or bold label, or lead-in) above it."""

    kind: ClassVar[str] = "table"
    title: str
    header: tuple[str, ...]
    rows: tuple[TableRow, ...]
    key_column: int = 0
    """The column whose values name their rows (not always the first)."""

    def row_key(self, row: TableRow) -> str:
        return row.cells[self.key_column] if self.key_column < len(row.cells) else ""


@dataclass(frozen=True, slots=True)
class StatePath(Block):
    """A chain of states `A → B → C` (also written with `->`)."""

    kind: ClassVar[str] = "state_path"
    name: str
    states: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Chain(Block):
    """An arrow chain of other things: `socket() -> bind() -> listen()`, `Request => Handler`."""

    kind: ClassVar[str] = "chain"
    name: str
    links: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Step:
    """One numbered step, e.g. `**SYN** (Client → Server)` and its sub-bullets."""

    kind: ClassVar[str] = "step"
    number: int
    title: str
    sender: str | None
    """Who sends the message (`Client` in `Client → Server`)."""
    receiver: str | None
    state_entered: str | None
    """The state named by a sub-bullet such as "Client enters `SYN_SENT` state"."""
    enters: str | None
    """Who enters that state ("Client", "Both")."""
    details: tuple[str, ...]
    pos: SourcePos


@dataclass(frozen=True, slots=True)
class Steps(Block):
    """A numbered list of steps under a label (`**The Steps:**`)."""

    kind: ClassVar[str] = "steps"
    label: str
    steps: tuple[Step, ...]


@dataclass(frozen=True, slots=True)
class Takeaway(Block):
    """`✓ **Point** – explanation`."""

    kind: ClassVar[str] = "takeaway"
    title: str
    text: str


@dataclass(frozen=True, slots=True)
class ShellCommand:
    """One command line of a shell snippet, with the platform comment above it."""

    kind: ClassVar[str] = "command"
    platform: str | None
    """`Linux`, `macOS`, `Windows`, `Linux/macOS`... from a `# Linux` comment."""
    command: str
    pos: SourcePos
    description: str = ""
    """What it does, from the `# comment` above it (or the tldr line, or the snippet's label
    when the snippet holds one command)."""


@dataclass(frozen=True, slots=True)
class Snippet(Block):
    """A fenced code block with its language and label."""

    kind: ClassVar[str] = "snippet"
    lang: str
    """Language from the info string, lower-case (`rust`, `bash`...); empty if none."""
    flags: tuple[str, ...]
    """Further words of the info string (`ignore`, `no_run`...)."""
    label: str
    """The heading or bold line the snippet stands under."""
    code: str
    commands: tuple[ShellCommand, ...] = ()
    """For shell snippets: the commands, split by platform comments."""
    reason: str = ""
    """Why the author marked it `ignore` or `no_run` (from a `<!-- cardgen: ... -->` comment)."""
    hidden: str = ""
    """Context compiled before the snippet but never shown (`<!-- cardgen-context ... -->`)."""

    @property
    def shown_code(self) -> str:
        """The code as readers see it: without rustdoc's hidden `# ` lines."""
        if self.lang not in ("rust", "rs"):
            return self.code
        kept = [
            line for line in self.code.split("\n") if not (line.startswith("# ") or line == "#")
        ]
        return "\n".join(kept)

    @property
    def code_line(self) -> int:
        """Line of the first line of code (the line after the opening fence)."""
        return self.pos.line + 1


@dataclass(frozen=True, slots=True)
class Command(Block):
    """A command and what it does, outside a code block: a tldr entry (`- Description:` then
    `` `command` ``)."""

    kind: ClassVar[str] = "command_entry"
    description: str
    command: str
    """The command as inline code."""


@dataclass(frozen=True, slots=True)
class QuestionAnswer(Block):
    """A question the sheet asks and answers: a heading or bold line ending in `?`, a
    `??? question` admonition, a `<details><summary>` block."""

    kind: ClassVar[str] = "question_answer"
    question: str
    answer: str
    """The answer's first paragraph (or its short list, joined with `; `)."""
    more: str = ""
    """The rest of the answer's text, shown under the answer, never asked."""
    listed: bool = False
    """The answer is a short list, joined with `; `: a set, asked only when it is small."""


@dataclass(frozen=True, slots=True)
class Paragraph(Block):
    """Prose. Only a sentence that defines or states one checkable fact becomes a card."""

    kind: ClassVar[str] = "paragraph"
    text: str


@dataclass(frozen=True, slots=True)
class Skipped(Block):
    """Something that is not a fact (a table of contents, HTML markup, a badge line), kept so
    that the author's report can say why it made no card."""

    kind: ClassVar[str] = "skipped"
    what: str
    reason: str


SHELL_LANGS = frozenset({"bash", "sh", "shell", "console", "zsh", "powershell", "ps", "cmd"})


@dataclass(frozen=True, slots=True)
class Sheet:
    """A parsed cheatsheet."""

    kind: ClassVar[str] = "sheet"
    path: str
    name: str
    """The file's stem, used to name outputs (`ch02-sockets`)."""
    title: str
    sections: tuple[Section, ...]
    blocks: tuple[Block, ...]
    warnings: tuple[Diagnostic, ...] = field(default=())
    tags: tuple[str, ...] = ()
    """From the front matter's `tags`: they become Anki tags."""
    footnotes: dict[str, str] = field(default_factory=dict)
    """Footnote label → its text, shown on the cards whose text refers to it."""

    def of_kind(self, cls: type) -> list:
        """Blocks of one model class, in sheet order."""
        return [b for b in self.blocks if isinstance(b, cls)]


def to_json(node: object) -> object:
    """The model as JSON-ready data: every node has `kind` and `line`."""
    if isinstance(node, SourcePos):
        return node.line
    if isinstance(node, Diagnostic):
        return node.to_json()
    if dataclasses.is_dataclass(node):
        out: dict[str, object] = {"kind": type(node).kind}
        for f in dataclasses.fields(node):
            value = getattr(node, f.name)
            out["line" if f.name == "pos" else f.name] = to_json(value)
        if isinstance(node, Sheet):
            out["path"] = node.path
            out["line"] = 1
        return out
    if isinstance(node, tuple | list):
        return [to_json(v) for v in node]
    return node


def model_json(sheet: Sheet) -> str:
    """`cardgen parse --json`: the model, indented, with every node's kind and line."""
    return json.dumps(to_json(sheet), indent=2, ensure_ascii=False) + "\n"
