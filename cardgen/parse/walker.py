"""Walk markdown-it-py's syntax tree and place every block in the model.

The walker keeps two pieces of state: the heading stack (for each block's section path) and the
last bold label line (`**TCP Use Cases:**`) waiting for the list, table or fence it names.
Anything it cannot place becomes a warning with its line.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

from cardgen.errors import Diagnostic, SheetError
from cardgen.model import (
    Block,
    Definition,
    KeyValue,
    LabelledList,
    ListEntry,
    ListItem,
    Section,
    Sheet,
    Snippet,
    SourcePos,
    StateNotes,
    StatePath,
    Step,
    Steps,
    Takeaway,
)
from cardgen.parse import patterns
from cardgen.parse.inline import markdown_to_text, strip_code, tokens_to_text
from cardgen.parse.snippets import fence_is_closed, is_shell, shell_commands, split_info
from cardgen.parse.tables import build_table

_DIRECTIVE = re.compile(r"^<!--\s*cardgen:\s*(ignore|no_run)\b\s*[:—-]?\s*(.*?)\s*-->\s*$", re.S)
_CONTEXT = re.compile(r"^<!--\s*cardgen-context\s*\n(.*?)-->\s*$", re.S)
_COMMENT = re.compile(r"^<!--.*-->\s*$", re.S)
_ENTERS = re.compile(r"^(?P<who>.+?)\s+enters?\s+(?:the\s+)?`?(?P<state>[A-Z][A-Z0-9_]*)`?", re.I)
_DIRECTION = re.compile(r"\(\s*([^()]+?)\s*(?:→|->|⟶)\s*([^()]+?)\s*\)")


def new_markdown() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("table")


class SheetWalker:
    """Turns one sheet's syntax tree into a `Sheet`."""

    def __init__(self, md: MarkdownIt, text: str, path: str, name: str) -> None:
        self.md = md
        self.path = path
        self.name = name
        self.lines = text.split("\n")
        self.title: str | None = None
        self.headings: list[tuple[int, str]] = []
        self.sections: list[Section] = []
        self.blocks: list[Block] = []
        self.warnings: list[Diagnostic] = []
        self.label: tuple[str, SourcePos] | None = None
        self.directive: dict[str, str] = {}
        """`<!-- cardgen: ... -->` settings waiting for the next code fence."""

    # -- helpers ---------------------------------------------------------------------------

    def pos(self, node: SyntaxTreeNode) -> SourcePos:
        return SourcePos(self.path, (node.map[0] + 1) if node.map else 1)

    def warn(self, line: int, message: str) -> None:
        self.warnings.append(Diagnostic(self.path, line, message))

    @property
    def section(self) -> tuple[str, ...]:
        return tuple(title for level, title in self.headings if level >= 2)

    def text(self, raw: str) -> str:
        return markdown_to_text(self.md, raw)

    def take_label(self) -> str | None:
        """The pending bold label, consumed; None if there is none."""
        label, self.label = self.label, None
        return label[0] if label else None

    def drop_label(self) -> None:
        if self.label:
            name, pos = self.label
            self.warn(pos.line, f"label '{name}' is not followed by a list, table or code block")
        self.label = None

    def heading_title(self) -> str:
        return self.headings[-1][1] if self.headings else (self.title or self.name)

    # -- the walk --------------------------------------------------------------------------

    def walk(self, root: SyntaxTreeNode) -> Sheet:
        for node in root.children:
            handler = getattr(self, f"on_{node.type}", None)
            if handler is None:
                self.drop_label()
                self.warn(
                    self.pos(node).line, f"{node.type.replace('_', ' ')} not placed in any card"
                )
                continue
            handler(node)
        self.drop_label()
        if self.title is None:
            self.warn(1, "sheet has no '# Title' heading; using the file name")
        return Sheet(
            self.path,
            self.name,
            self.title or self.name,
            tuple(self.sections),
            tuple(self.blocks),
            tuple(self.warnings),
        )

    def on_heading(self, node: SyntaxTreeNode) -> None:
        self.drop_label()
        level = int(node.tag[1])
        title = tokens_to_text(node.children[0].token.children) if node.children else ""
        if level == 1 and self.title is None:
            self.title = title
            self.headings = []
            return
        self.headings = [(lv, t) for lv, t in self.headings if lv < level] + [(level, title)]
        self.sections.append(Section(title, level, self.section, self.pos(node)))

    def on_hr(self, node: SyntaxTreeNode) -> None:
        self.drop_label()

    def on_paragraph(self, node: SyntaxTreeNode) -> None:
        raw = node.children[0].token.content if node.children else ""
        pos = self.pos(node)
        label = patterns.match_label(raw)
        if label is not None:
            self.drop_label()
            self.label = (self.text(label), pos)
            return
        pending = self.take_label()
        states = patterns.match_state_path(raw, min_states=3)
        if states:
            self.blocks.append(
                StatePath(pos, self.section, pending or self.heading_title(), states)
            )
            return
        if pending is not None:
            self.warn(
                self.label_line(pos),
                f"label '{pending}' is not followed by a list, table or code block",
            )
        if (found := patterns.match_takeaway(raw)) is not None:
            self.blocks.append(
                Takeaway(pos, self.section, self.text(found[0]), self.text(found[1]))
            )
        elif (found := patterns.match_definition(raw)) is not None:
            self.blocks.append(
                Definition(pos, self.section, self.text(found[0]), self.text(found[1]))
            )
        else:
            snippet = self.text(raw)[:50]
            self.warn(pos.line, f"paragraph not placed in any card: '{snippet}'")

    def label_line(self, fallback: SourcePos) -> int:
        return fallback.line - 1 if fallback.line > 1 else fallback.line

    def on_bullet_list(self, node: SyntaxTreeNode) -> None:
        pos = self.pos(node)
        label = self.take_label()
        items = tuple(self.list_entry(item) for item in node.children)
        items = tuple(i for i in items if i is not None)
        if label is not None and patterns.is_state_name(label):
            self.blocks.append(StateNotes(pos, self.section, strip_code(label), items))
        else:
            self.blocks.append(
                LabelledList(pos, self.section, label or self.heading_title(), items)
            )

    def list_entry(self, item: SyntaxTreeNode) -> ListEntry | None:
        pos = self.pos(item)
        paragraphs = [c for c in item.children if c.type == "paragraph"]
        for extra in item.children:
            if extra.type != "paragraph" or extra is not (paragraphs[0] if paragraphs else None):
                self.warn(
                    self.pos(extra).line,
                    f"nested {extra.type.replace('_', ' ')} in a list item not placed",
                )
        if not paragraphs:
            return None
        raw = paragraphs[0].children[0].token.content
        if (found := patterns.match_definition(raw)) is not None:
            return Definition(pos, self.section, self.text(found[0]), self.text(found[1]))
        if (found := patterns.match_key_value(raw)) is not None:
            return KeyValue(pos, self.section, self.text(found[0]), self.text(found[1]))
        return ListItem(pos, self.section, self.text(raw))

    def on_ordered_list(self, node: SyntaxTreeNode) -> None:
        label = self.take_label() or self.heading_title()
        start = int(node.attrs.get("start", 1) or 1)
        steps = tuple(self.step(item, start + i) for i, item in enumerate(node.children))
        self.blocks.append(Steps(self.pos(node), self.section, label, steps))

    def step(self, item: SyntaxTreeNode, number: int) -> Step:
        title_raw = ""
        details: list[str] = []
        for child in item.children:
            if child.type == "paragraph" and not title_raw:
                title_raw = child.children[0].token.content
            elif child.type in ("bullet_list", "ordered_list"):
                for sub in child.children:
                    paras = [c for c in sub.children if c.type == "paragraph"]
                    if paras:
                        details.append(self.text(paras[0].children[0].token.content))
            else:
                self.warn(self.pos(child).line, "content in a step not placed in any card")
        title = self.text(title_raw)
        sender = receiver = None
        if (direction := _DIRECTION.search(strip_code(title))) is not None:
            sender, receiver = direction.group(1), direction.group(2)
            title = title[: title.find("(")].strip() or title
        state = enters = None
        for detail in details:
            if (m := _ENTERS.match(strip_code(detail))) is not None:
                enters, state = m.group("who"), m.group("state")
                break
        return Step(number, title, sender, receiver, state, enters, tuple(details), self.pos(item))

    def on_fence(self, node: SyntaxTreeNode) -> None:
        pos = self.pos(node)
        if not fence_is_closed(self.lines, node.map, node.markup):
            raise SheetError(
                f"code fence '{node.markup}' opened here is never closed", self.path, pos.line
            )
        label = self.take_label()
        lang, flags = split_info(node.info)
        code = node.content
        if not lang:
            paths = [patterns.match_state_path(line) for line in code.strip().split("\n")]
            if paths and all(paths):
                name = label or self.heading_title()
                for i, states in enumerate(paths):
                    suffix = f" ({i + 1})" if len(paths) > 1 else ""
                    self.blocks.append(StatePath(pos, self.section, name + suffix, states))
                return
        commands = shell_commands(code, self.path, pos.line + 1) if is_shell(lang) else ()
        directive, self.directive = self.directive, {}
        if directive.get("flag") and directive["flag"] not in flags:
            flags = (*flags, directive["flag"])
        self.blocks.append(
            Snippet(
                pos,
                self.section,
                lang,
                flags,
                label or self.heading_title(),
                code,
                commands,
                directive.get("reason", ""),
                directive.get("hidden", ""),
            )
        )

    def on_html_block(self, node: SyntaxTreeNode) -> None:
        """Author directives for the next snippet; other comments are not content."""
        text = node.content.strip()
        if m := _DIRECTIVE.match(text):
            self.directive["flag"] = m.group(1)
            self.directive["reason"] = m.group(2).strip()
        elif m := _CONTEXT.match(text):
            self.directive["hidden"] = m.group(1)
        elif not _COMMENT.match(text):
            self.warn(self.pos(node).line, "html block not placed in any card")

    def on_code_block(self, node: SyntaxTreeNode) -> None:
        """An indented code block: a snippet without a language."""
        label = self.take_label()
        self.blocks.append(
            Snippet(
                self.pos(node), self.section, "", (), label or self.heading_title(), node.content
            )
        )

    def on_table(self, node: SyntaxTreeNode) -> None:
        label = self.take_label()
        table, warnings = build_table(
            node, self.lines, self.path, self.section, label or self.heading_title()
        )
        self.warnings.extend(warnings)
        self.blocks.append(table)
