"""Walk markdown-it-py's syntax tree and place every block in the model.

The walker keeps a little state between siblings: the heading stack (each block's section
path), a pending cue (a bold label, a lead-in sentence ending in `:`) waiting for the list,
table or fence it names, and an open question (a heading or bold line ending in `?`) waiting
for its answer. Containers (quotes, alerts, admonitions, `:::` blocks, `<details>`) are walked
like the sheet itself. Nothing is dropped silently: what is not a fact becomes a `Skipped`
block with its reason, so the author's report can show it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

from cardgen.errors import Diagnostic
from cardgen.model import (
    Block,
    Chain,
    Definition,
    Paragraph,
    QuestionAnswer,
    Section,
    Sheet,
    Skipped,
    Snippet,
    SourcePos,
    StatePath,
    Takeaway,
)
from cardgen.parse import lists, patterns
from cardgen.parse.frontmatter import FrontMatter
from cardgen.parse.inline import only_links, tokens_to_text
from cardgen.parse.snippets import (
    fence_is_closed,
    guess_language,
    is_shell,
    shell_commands,
    split_info,
)
from cardgen.parse.source import looks_like_image
from cardgen.parse.tables import build_table

_DIRECTIVE = re.compile(r"^<!--\s*cardgen:\s*(ignore|no_run)\b\s*[:—-]?\s*(.*?)\s*-->\s*$", re.S)
_CONTEXT = re.compile(r"^<!--\s*cardgen-context\s*\n(.*?)-->\s*$", re.S)
_COMMENT = re.compile(r"^<!--.*-->\s*$", re.S)
_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]*)\)")
_TOC_TITLES = re.compile(
    r"^(?:table of )?contents?$|^toc$|^index$|^in this (?:page|article|sheet)$", re.I
)
_NOTES_LINE = re.compile(
    r"^(?:[✅✓✔☑❌✗✘•▪►→*+-]|\d+[.)]|[A-Z][\w /()&-]{0,30}:(?:\s|$))\s*\S?", re.U
)
_TICK = re.compile(r"^(\s*)[✅✓✔☑❌✗✘•▪►→]\s*")
_MORE_INFO = re.compile(r"^(?:more information|see also|source|docs?|reference)s?\s*:", re.I)


@dataclass(slots=True)
class Cue:
    """A bold label or lead-in waiting for the block it names."""

    text: str
    pos: SourcePos
    kind: str
    """`label` (a bold line) or `lead_in` (a sentence ending in `:`)."""
    question: bool = False


@dataclass(slots=True)
class OpenQuestion:
    """A question heading (or bold question line, `??? question`, `<summary>`) and what has
    been read of its answer so far."""

    question: str
    pos: SourcePos
    section: tuple[str, ...]
    level: int
    """Heading level; 0 when it is not a heading."""
    answer: str = ""
    more: list[str] = field(default_factory=list)
    listed: bool = False


def new_markdown() -> MarkdownIt:
    from mdit_py_plugins.admon import admon_plugin
    from mdit_py_plugins.container import container_plugin
    from mdit_py_plugins.deflist import deflist_plugin
    from mdit_py_plugins.footnote import footnote_plugin

    md = MarkdownIt("commonmark", {"alerts": True}).enable(["table", "strikethrough"])
    md.use(admon_plugin).use(deflist_plugin).use(footnote_plugin)
    md.use(container_plugin, name="any", validate=lambda params, *_: bool(params.strip()))
    return md


class SheetWalker:
    """Turns one sheet's syntax tree into a `Sheet`."""

    def __init__(self, text: str, path: str, name: str, front: FrontMatter | None = None) -> None:
        self.path = path
        self.name = name
        self.front = front or FrontMatter()
        self.lines = text.split("\n")
        self.title: str | None = None
        self.headings: list[tuple[int, str]] = []
        self.sections: list[Section] = []
        self.blocks: list[Block] = []
        self.warnings: list[Diagnostic] = list(self.front.warnings)
        self.cue: Cue | None = None
        self.question: OpenQuestion | None = None
        self.api: tuple[str, SourcePos] | None = None
        """A heading that names a command or API, waiting for the paragraph that explains it."""
        self.directive: dict[str, str] = {}
        """`<!-- cardgen: ... -->` settings waiting for the next code fence."""
        self.html_items = lists.HtmlItems()
        self.details: list[OpenQuestion | None] = []
        self.footnotes: dict[str, str] = {}
        self.sheet_dir = Path(path).parent
        self.line_offset = 0
        """Added to every node's line while notes written inside a code fence are walked."""
        self.dangling: set[int] = set()
        """Lines of fences the author never closed (closed for them where the code ends)."""

    # -- helpers ---------------------------------------------------------------------------

    def pos(self, node: SyntaxTreeNode | None, offset: int = 0) -> SourcePos:
        line = (node.map[0] + 1) if node is not None and node.map else 1
        return SourcePos(self.path, line + offset + self.line_offset)

    def warn(self, line: int, message: str) -> None:
        self.warnings.append(Diagnostic(self.path, line, message))

    @property
    def section(self) -> tuple[str, ...]:
        return tuple(title for _level, title in self.headings)

    def imperative_above(self, pos: SourcePos) -> str | None:
        """`Do a production-optimized build.` right above a code block says what the code
        does, better than the heading over several blocks: it becomes the block's label."""
        last = self.blocks[-1] if self.blocks else None
        if not isinstance(last, Paragraph) or last.section != self.section:
            return None
        if not 0 < pos.line - last.pos.line <= 2:
            return None
        text = last.text.strip()
        if "\n" in text or not text.endswith(".") or re.search(r"[.!?]\s", text):
            return None
        body = text[:-1].strip()
        words = patterns.bare(body).split()
        if not words or words[0].lower() not in patterns.VERBS or not words[0][:1].isupper():
            return None
        if patterns.describing(body) is None:
            return None
        self.blocks.pop()
        return body

    def heading_title(self) -> str:
        return self.headings[-1][1] if self.headings else (self.title or self.name)

    def skip(self, pos: SourcePos, what: str, reason: str) -> None:
        self.blocks.append(Skipped(pos, self.section, what, reason))

    def inline(self, node: SyntaxTreeNode | None, pos: SourcePos) -> str:
        """Inline text of a paragraph-like node (its first inline child)."""
        if node is None:
            return ""
        inline = (
            node
            if node.type == "inline"
            else next((c for c in node.children if c.type == "inline"), None)
        )
        if inline is None:
            return ""
        return self.images(tokens_to_text(inline.token.children if inline.token else None), pos)

    def images(self, text: str, pos: SourcePos) -> str:  # noqa: C901
        """Warn about missing images; remote images become their alt text."""
        if "![" not in text:
            return text

        def check(m: re.Match[str]) -> str:
            alt, src = m.group(1), m.group(2)
            if re.match(r"^(?:[a-z][a-z0-9+.-]*:|//)", src, re.I) and not src.startswith("data:"):
                self.warn(pos.line, f"remote image not fetched, its alt text kept: {src}")
                return alt
            if src.startswith("data:"):
                return m.group(0)
            path = self.sheet_dir / src.split("#")[0].split("?")[0]
            if not path.is_file():
                self.warn(pos.line, f"image not found: {src}")
                return alt
            root = (
                self.sheet_dir.parents[self.name.count("/") - 1]
                if "/" in self.name
                else (self.sheet_dir)
            )
            if not path.resolve().is_relative_to(root.resolve()):
                self.warn(
                    pos.line,
                    f"image {src} leads out of the content folder (to {path.resolve()}): "
                    "not packed, its alt text kept",
                )
                return alt
            if not looks_like_image(path):
                self.warn(pos.line, f"{src} is not an image file: its alt text kept")
                return alt
            return m.group(0)

        return _IMAGE.sub(check, text)

    def take_cue(self) -> Cue | None:
        cue, self.cue = self.cue, None
        return cue

    def drop_cue(self) -> None:
        """A pending label that nothing followed: a lead-in is prose after all."""
        cue, self.cue = self.cue, None
        if cue is None:
            return
        if cue.kind == "lead_in":
            self.blocks.append(Paragraph(cue.pos, self.section, cue.text + ":"))
        elif cue.question:
            self.skip(cue.pos, f"question '{cue.text}'", "a question with no answer under it")
        else:
            self.skip(
                cue.pos, f"label '{cue.text}'", "a label with no list, table or code under it"
            )

    # -- the walk --------------------------------------------------------------------------

    def walk(self, root: SyntaxTreeNode) -> Sheet:
        self.place(root.children)
        self.flush()
        self.close_question()
        self.drop_cue()
        if self.title is None:
            if self.front.title:
                self.title = self.front.title
            else:
                self.warn(1, "sheet has no '# Title' heading; using the file name")
        blocks = sorted(self.blocks, key=lambda b: b.pos.line)
        self.warnings = list(dict.fromkeys(self.warnings))
        return Sheet(
            self.path,
            self.name,
            self.front.title or self.title or self.name,
            tuple(self.sections),
            tuple(blocks),
            tuple(self.warnings),
            self.front.tags,
            dict(self.footnotes),
        )

    def place(self, nodes: list[SyntaxTreeNode]) -> None:
        i = 0
        while i < len(nodes):
            node = nodes[i]
            if not (node.type == "html_block" and lists.only_list_items(node.content)):
                self.flush()
            handler = getattr(self, f"on_{node.type}", None)
            if handler is None:
                self.drop_cue()
                self.skip(
                    self.pos(node), node.type.replace("_", " "), "not a kind of block cardgen reads"
                )
                i += 1
                continue
            i += handler(node, nodes, i) or 1

    def flush(self) -> None:
        """Close a run of raw-HTML `<li>` items into a list."""
        items, pos = self.html_items.take()
        if items:
            lists.place_items(self, items, pos)

    # -- headings and questions ------------------------------------------------------------

    def on_heading(self, node: SyntaxTreeNode, *_: object) -> None:
        title = self.inline(node, self.pos(node))
        self.heading(int(node.tag[1]), title, self.pos(node))

    def heading(self, level: int, title: str, pos: SourcePos) -> None:
        self.drop_cue()
        self.close_question()
        self.api = None
        if level == 1 and self.title is None and not self.sections:
            self.title = patterns.clean_heading(title)
            self.headings = []
            return
        shown = patterns.clean_heading(title)
        definition = patterns.match_definition(shown)
        if definition is not None:
            shown = definition[0]
        self.headings = [(lv, t) for lv, t in self.headings if lv < level] + [(level, shown)]
        self.sections.append(Section(shown, level, self.section, pos))
        if definition is not None:
            term, text, _ = definition
            self.blocks.append(Definition(pos, self.section[:-1], term, text, "heading"))
        elif patterns.is_question(title):
            self.question = OpenQuestion(patterns.question_text(title), pos, self.section, level)
        elif (api := patterns.looks_like_api(title)) is not None:
            self.api = (api, pos)

    def close_question(self) -> None:
        q, self.question = self.question, None
        if q is None:
            return
        if q.answer:
            self.blocks.append(
                QuestionAnswer(q.pos, q.section, q.question, q.answer, " ".join(q.more), q.listed)
            )

    def answer(self, text: str) -> bool:
        """Give an open question its answer (or more of it); False if none is open."""
        q = self.question
        if q is None:
            return False
        if not q.answer:
            q.answer = text
        else:
            q.more.append(text)
        return True

    # -- paragraphs ------------------------------------------------------------------------

    def on_paragraph(self, node: SyntaxTreeNode, nodes: list[SyntaxTreeNode], i: int) -> int:
        pos = self.pos(node)
        inline = node.children[0] if node.children else None
        children = inline.token.children if inline is not None and inline.token else None
        if only_links(children):
            text = tokens_to_text(children)
            self.drop_cue()
            self.skip(pos, f"links '{patterns.bare(text)[:60]}'", "a line of links is not a fact")
            return 1
        text = self.inline(node, pos)
        if not text:
            return 1
        if children and lists.line_items(self, children, pos):
            return 1
        return self.paragraph(text, pos, nodes, i)

    def paragraph(
        self, text: str, pos: SourcePos, nodes: list[SyntaxTreeNode] | None = None, i: int = 0
    ) -> int:
        label = patterns.match_label(text)
        if label is not None:
            self.drop_cue()
            self.cue = Cue(label, pos, "label", patterns.is_question(label))
            return 1
        pending = self.take_cue()
        named = re.match(r"^([^:→>]{1,60}?):\s+(\S.*)$", text)
        if named and not (pending and pending.kind == "label"):
            inner = named.group(2).rstrip(" .;")
            if patterns.match_chain(inner) is not None:
                pending = Cue(named.group(1), pos, "label")
                text = inner
        states = patterns.match_state_path(text, min_states=3)
        chain = None if states else patterns.match_chain(text)
        if states or chain:
            name = pending.text if pending else self.heading_title()
            if states:
                self.blocks.append(StatePath(pos, self.section, name, states))
            else:
                self.blocks.append(Chain(pos, self.section, name, chain or ()))
            return 1
        if pending is not None and self.cue_paragraph(pending, text, pos):
            return 1
        if self.question is not None and not self.question.answer:
            found = patterns.match_definition(text)
            if found and found[0].lower() in ("definition", "answer", "ans", "a"):
                text = found[1]
            self.answer(text)
            return 1
        if (found := patterns.match_takeaway(text)) is not None:
            self.blocks.append(Takeaway(pos, self.section, found[0], found[1]))
            return 1
        if (found := patterns.match_definition(text)) is not None:
            term, body, form = found
            if form == "bold" and self.is_attribute(term):
                form = "attribute"
            self.blocks.append(Definition(pos, self.section, term, body, form))
            return 1
        if self.api is not None:
            api, _ = self.api
            self.api = None
            self.blocks.append(Definition(pos, self.section, api, text, "api"))
            return 1
        lead_in = patterns.match_lead_in(text)
        named = ("bullet_list", "ordered_list", "table", "fence", "code_block", "dl")
        following = nodes[i + 1].type if nodes is not None and i + 1 < len(nodes) else ""
        if lead_in is not None and following in named:
            self.cue = Cue(lead_in, pos, "lead_in")
            return 1
        if self.question is not None and not self.question.level:
            self.answer(text)
            return 1
        if self.question is not None:
            self.question.more.append(text)
            return 1
        self.blocks.append(Paragraph(pos, self.section, text))
        return 1

    def cue_paragraph(self, cue: Cue, text: str, pos: SourcePos) -> bool:
        """A bold line followed by a paragraph: a question and its answer; any other label
        over prose is a sub-heading (the prose's own sentences say the facts)."""
        if cue.question or cue.text.endswith("?"):
            self.blocks.append(
                QuestionAnswer(cue.pos, self.section, patterns.question_text(cue.text), text)
            )
            return True
        if cue.kind == "label":
            self.skip(
                cue.pos, f"label '{cue.text}'", "a label over prose: the prose says the facts"
            )
            return False
        if cue.kind == "lead_in":
            self.blocks.append(Paragraph(cue.pos, self.section, cue.text + ":"))
        return False

    def is_attribute(self, term: str) -> bool:
        """`**Function:**` under `Layer 7: Application`: an attribute of the heading's subject,
        not a term of its own."""
        from cardgen.parse.lists import ATTRIBUTE_TERMS

        return bool(self.headings) and patterns.bare(term).lower() in ATTRIBUTE_TERMS

    # -- lists -----------------------------------------------------------------------------

    def on_bullet_list(self, node: SyntaxTreeNode, nodes: list[SyntaxTreeNode], i: int) -> int:
        return lists.on_bullet_list(self, node, nodes, i)

    def on_ordered_list(self, node: SyntaxTreeNode, nodes: list[SyntaxTreeNode], i: int) -> int:
        return lists.on_ordered_list(self, node, nodes, i)

    def on_dl(self, node: SyntaxTreeNode, *_: object) -> None:
        lists.on_definition_list(self, node)

    # -- code ------------------------------------------------------------------------------

    def on_fence(self, node: SyntaxTreeNode, *_: object) -> None:
        pos = self.pos(node)
        if pos.line in self.dangling or not fence_is_closed(self.lines, node.map, node.markup):
            self.warn(pos.line, f"code fence '{node.markup}' opened here is never closed")
        lang, flags = split_info(node.info)
        self.code(node.content, lang, flags, pos)

    def on_code_block(self, node: SyntaxTreeNode, *_: object) -> None:
        self.code(node.content, "", (), self.pos(node))

    def code(self, code: str, lang: str, flags: tuple[str, ...], pos: SourcePos) -> None:
        cue = self.take_cue()
        label = cue.text if cue else (self.imperative_above(pos) or self.heading_title())
        if cue is not None and cue.kind == "lead_in":
            label = patterns.describing(cue.text) or self.heading_title()
            if label != cue.text:
                self.blocks.append(Paragraph(cue.pos, self.section, cue.text + ":"))
        if cue and cue.question:
            label = patterns.question_text(cue.text)
        if not code.strip():
            self.skip(pos, "empty code block", "an empty code block")
            return
        if not lang:
            lines = code.strip().split("\n")
            paths = [patterns.match_state_path(line) for line in lines]
            if all(paths):
                name = label
                for n, states in enumerate(paths):
                    suffix = f" ({n + 1})" if len(paths) > 1 else ""
                    self.blocks.append(StatePath(pos, self.section, name + suffix, states or ()))
                return
            chains = [patterns.match_chain(line, 2) for line in lines]
            if all(chains) and len(lines) <= 3:
                for n, links in enumerate(chains):
                    suffix = f" ({n + 1})" if len(chains) > 1 else ""
                    self.blocks.append(Chain(pos, self.section, label + suffix, links or ()))
                return
            lang = guess_language(code)
            short = [ln.strip() for ln in code.strip().split("\n") if ln.strip()]
            if (
                not lang
                and cue is not None
                and len(short) <= 3
                and all(re.match(r"^(?:sudo\s+)?[a-z][\w.-]*(?:\s|$)", ln) for ln in short)
            ):
                lang = "console"  # a described one-liner: a command
            flags = (*flags, "guessed") if lang else flags
            if not lang and _NOTES_LINE is not None and self.notes_in_fence(code, pos, cue):
                return
        if lang == "diagram":
            self.skip(pos, "diagram", "a drawing in characters: no fact to ask")
            return
        commands = shell_commands(code, self.path, pos.line + 1) if is_shell(lang) else ()
        directive, self.directive = self.directive, {}
        if directive.get("flag") and directive["flag"] not in flags:
            flags = (*flags, directive["flag"])
        self.api = None
        self.blocks.append(
            Snippet(
                pos,
                self.section,
                lang,
                flags,
                label,
                code,
                commands,
                directive.get("reason", ""),
                directive.get("hidden", ""),
            )
        )

    def notes_in_fence(self, code: str, pos: SourcePos, cue: Cue | None) -> bool:
        """A fence without a language that holds notes, not code (`Features:` and `✅` lines,
        a numbered list, `Key: value` lines): read as the Markdown it almost is."""
        lines = [line.strip() for line in code.split("\n") if line.strip()]
        if len(lines) < 2 or sum(bool(_NOTES_LINE.match(line)) for line in lines) * 2 < len(lines):
            return False
        from cardgen.parse import markdown

        text = "\n".join(
            _TICK.sub(r"\1- ", re.sub(r"^(\s*)#+\s*", r"\1", line)) for line in code.split("\n")
        )
        root = SyntaxTreeNode(markdown().parse(text))
        saved, self.line_offset = self.line_offset, self.line_offset + pos.line
        headings = list(self.headings)
        if cue is not None:
            self.headings.append((7, patterns.clean_heading(cue.text)))
        try:
            self.place(root.children)
            self.flush()
            self.drop_cue()
            self.close_question()
        finally:
            self.line_offset = saved
            self.headings = headings
        return True

    # -- tables ----------------------------------------------------------------------------

    def on_table(self, node: SyntaxTreeNode, *_: object) -> None:
        cue = self.take_cue()
        title = cue.text if cue else self.heading_title()
        if cue is not None and cue.kind == "lead_in" and patterns.describing(cue.text) is None:
            self.blocks.append(Paragraph(cue.pos, self.section, cue.text + ":"))
            title = self.heading_title()
        table, warnings = build_table(node, self.lines, self.path, self.section, title, self.images)
        self.warnings.extend(warnings)
        self.blocks.append(table)

    # -- containers ------------------------------------------------------------------------

    def on_hr(self, node: SyntaxTreeNode, *_: object) -> None:
        self.drop_cue()

    def on_blockquote(self, node: SyntaxTreeNode, *_: object) -> None:
        self.drop_cue()
        pos = self.pos(node)
        if self.title and not self.sections and not self.blocks and self.summary(node, pos):
            return
        self.place(node.children)
        self.flush()

    def summary(self, node: SyntaxTreeNode, pos: SourcePos) -> bool:
        """A tldr page's `> summary` right under its title: the definition of the command."""
        title = self.title or ""
        command = patterns.looks_like_api(title) or (
            f"`{title}`" if re.fullmatch(r"[a-z][\w.+-]*(?: [a-z][\w.+-]*)?", title) else None
        )
        if command is None:
            return False
        paragraphs = [c for c in node.children if c.type == "paragraph"]
        if not paragraphs:
            return False
        text = self.inline(paragraphs[0], pos)
        kept = [s for s in re.split(r"(?<=\.)\s+", text) if not _MORE_INFO.match(patterns.bare(s))]
        if not kept:
            return False
        self.blocks.append(Definition(pos, (), command, " ".join(kept), "summary"))
        return True

    def on_alert(self, node: SyntaxTreeNode, *_: object) -> None:
        self.drop_cue()
        self.place([c for c in node.children if c.type != "alert_title"])
        self.flush()

    def on_admonition(self, node: SyntaxTreeNode, *_: object) -> None:
        self.drop_cue()
        title_node = next((c for c in node.children if c.type == "admonition_title"), None)
        title = self.inline(title_node, self.pos(node)) if title_node else ""
        body = [c for c in node.children if c.type != "admonition_title"]
        tag = (node.meta or {}).get("tag", "")
        if tag in ("question", "faq", "quiz", "help") or patterns.is_question(title):
            self.contained_question(title, self.pos(node), body)
            return
        if title and body and body[0].type in ("bullet_list", "ordered_list", "table", "fence"):
            self.cue = Cue(title, self.pos(node), "label")
        self.place(body)
        self.flush()
        self.drop_cue()

    def contained_question(self, question: str, pos: SourcePos, body: list[SyntaxTreeNode]) -> None:
        """`??? question "…"` or `<details><summary>…?`: the first paragraph answers it."""
        outer, self.question = (
            self.question,
            OpenQuestion(patterns.question_text(question), pos, self.section, 0),
        )
        self.place(body)
        self.flush()
        self.drop_cue()
        self.close_question()
        self.question = outer

    def on_container_any(self, node: SyntaxTreeNode, *_: object) -> None:
        self.drop_cue()
        self.place(node.children)
        self.flush()

    def on_footnote_block(self, node: SyntaxTreeNode, *_: object) -> None:
        for note in node.children:
            label = str((note.meta or {}).get("label", (note.meta or {}).get("id", "")))
            texts = [self.inline(p, self.pos(p)) for p in note.children if p.type == "paragraph"]
            self.footnotes[label] = " ".join(t for t in texts if t)

    # -- raw HTML --------------------------------------------------------------------------

    def on_html_block(self, node: SyntaxTreeNode, nodes: list[SyntaxTreeNode], i: int) -> int:
        text = node.content.strip()
        pos = self.pos(node)
        if m := _DIRECTIVE.match(text):
            self.directive["flag"] = m.group(1)
            self.directive["reason"] = m.group(2).strip()
            return 1
        if m := _CONTEXT.match(text):
            self.directive["hidden"] = m.group(1)
            return 1
        if _COMMENT.match(text):
            return 1
        from cardgen.parse.html_blocks import place_html

        return place_html(self, node, nodes, i, pos)


def title_is_toc(title: str) -> bool:
    return bool(_TOC_TITLES.match(patterns.bare(title).strip(" :")))
