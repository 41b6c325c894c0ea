"""Lists: bullets with their nesting, numbered steps, definition lists, tldr entries and
raw-HTML `<li>` items, placed as model blocks by the walker."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from markdown_it.tree import SyntaxTreeNode

from cardgen.model import (
    Command,
    Definition,
    KeyValue,
    LabelledList,
    ListEntry,
    ListItem,
    Paragraph,
    QuestionAnswer,
    SourcePos,
    StateNotes,
    Step,
    Steps,
)
from cardgen.parse import patterns
from cardgen.parse.inline import code_span, only_links, strip_code, tokens_to_text

if TYPE_CHECKING:
    from cardgen.parse.walker import SheetWalker

_ENTERS = re.compile(r"^(?P<who>.+?)\s+enters?\s+(?:the\s+)?`?(?P<state>[A-Z][A-Z0-9_]*)`?", re.I)
_DIRECTION = re.compile(r"\(\s*([^()]+?)\s*(?:→|->|⟶)\s*([^()]+?)\s*\)")
_LI = re.compile(r"^\s*(?:<li\b[^>]*>.*?(?:</li>\s*|(?=<li\b)|$))+\s*$", re.S | re.I)
_PROCEDURE = re.compile(
    r"\b(?:steps?|process|procedure|how to|how do|sequence|order|flow|handshake|lifecycle|"
    r"life cycle|workflow|setup|install(?:ation)?|getting started|instructions)\b",
    re.I,
)
_IMPERATIVE = frozenset(
    """open create write run install add set start stop go click select type enter press use
    make build copy move delete remove check configure edit save close connect send wait
    read call define import initialize initialise declare update download clone push pull
    commit restart enable disable choose navigate log verify test deploy apply mount launch
    bind listen accept""".split()
)
ATTRIBUTE_TERMS = frozenset(
    " ".join(term.split())
    for term in [
        "function",
        " functions",
        " purpose",
        " role",
        " job",
        " protocols",
        " protocol",
        " devices",
        " device",
        "\n    data unit",
        " data units",
        " pdu",
        " responsibilities",
        " features",
        " key features",
        " use",
        " uses",
        " use case",
        "\n    use cases",
        " used for",
        " port",
        " ports",
        " layer",
        " osi layer",
        " type",
        " types",
        " definition",
        " meaning",
        "\n    description",
        " advantages",
        " disadvantages",
        " pros",
        " cons",
        " benefits",
        " drawbacks",
        " limitations",
        "\n    syntax",
        " usage",
        " format",
        " properties",
        " characteristics",
        " address",
        " addressing",
        " size",
        " range",
        "\n    default",
        " scope",
        " owner",
        " lifetime",
        " duration",
        " speed",
        " reliability",
        " ordering",
        " overhead",
        " header",
        "\n    state",
        " states",
        " what it does",
        " how it works",
        " key points",
        " works at",
        " operates at",
        " also known\n    as",
        " aka",
        " analogy",
        " goal",
        " goals",
        " example",
        " examples",
        " real-world example",
    ]
)
"""Terms that name an attribute of the heading's subject rather than a subject of their own."""
SHORT_ANSWER_ITEMS = 5
SHORT_ANSWER_WORDS = 8


class HtmlItems:
    """Raw-HTML `<li>` items met in a row, kept until something else comes."""

    def __init__(self) -> None:
        self.items: list[ListEntry] = []
        self.pos: SourcePos | None = None

    def add(self, entry: ListEntry) -> None:
        if self.pos is None:
            self.pos = entry.pos
        self.items.append(entry)

    def take(self) -> tuple[list[ListEntry], SourcePos | None]:
        items, pos = self.items, self.pos
        self.items, self.pos = [], None
        return items, pos


_BULLET = re.compile(r"^(?:[✓✔✗✘×•·▪►→*+-]|\d+[.)])\s+(?=\S)")


def line_items(walker: SheetWalker, children: list, pos: SourcePos) -> bool:
    """A paragraph written one fact per line (`22 - SSH`, `Class A: 1.0.0.0 …`, `✓ Reliable`)
    is read as a list; False if it is prose."""
    lines: list[list] = [[]]
    for tok in children:
        if tok.type in ("softbreak", "hardbreak"):
            lines.append([])
        else:
            lines[-1].append(tok)
    texts = [walker.images(tokens_to_text(line), pos) for line in lines]
    if len(lines) < 3 and not (
        len(lines) == 2 and all(patterns.match_definition(t) for t in texts)
    ):
        return False
    label = None
    if texts[0].endswith((":", "：")) and not patterns.match_key_value(texts[0]):
        label, texts, first = texts[0].rstrip(":： "), texts[1:], 1
    else:
        first = 0
    bulleted = [_BULLET.sub("", t) for t in texts]
    entries = [
        entry_for(t, SourcePos(pos.path, pos.line + first + n), walker.section)
        for n, t in enumerate(bulleted)
        if t
    ]
    named = sum(not isinstance(e, ListItem) for e in entries)
    marked = sum(bool(_BULLET.match(t)) for t in texts)
    if len(entries) < 2 or (named * 3 < len(entries) * 2 and marked * 3 < len(texts) * 2):
        return False
    if label is not None:
        from cardgen.parse.walker import Cue

        walker.drop_cue()
        walker.cue = Cue(label, pos, "lead_in")
    place_items(walker, entries, pos)
    return True


def only_list_items(html: str) -> bool:
    return bool(_LI.match(html))


def entry_for(text: str, pos: SourcePos, section: tuple[str, ...], sub: tuple = ()) -> ListEntry:
    """The model entry for one list item's text."""
    if (found := patterns.match_definition(text)) is not None:
        return Definition(pos, section, found[0], found[1], found[2], sub)
    if (kv := patterns.match_key_value(text)) is not None:
        return KeyValue(pos, section, kv[0], kv[1], sub)
    if (plain := patterns.match_plain_definition(text)) is not None:
        return Definition(pos, section, plain[0], plain[1], "plain", sub)
    return ListItem(pos, section, text, sub)


def list_entries(walker: SheetWalker, node: SyntaxTreeNode) -> tuple[ListEntry, ...]:
    entries: list[ListEntry] = []
    for item in node.children:
        entry = list_entry(walker, item)
        if entry is not None:
            entries.append(entry)
    return tuple(entries)


def is_reference(paragraph: SyntaxTreeNode | None) -> bool:
    """`[Testing for Weak TLS](…) - OWASP`: a link to a document and who wrote it."""
    inline = paragraph.children[0] if paragraph is not None and paragraph.children else None
    tokens = (inline.token.children or []) if inline is not None and inline.token else []
    if not tokens or tokens[0].type != "link_open":
        return False
    close = next((i for i, t in enumerate(tokens) if t.type == "link_close"), len(tokens))
    named = tokens[1:close]
    if any(t.type == "code_inline" for t in named):
        return False  # [`docker create`](…) creates a container: a command, named by its docs
    rest = tokens_to_text(tokens[close + 1 :])
    return len(patterns.bare(rest).split()) <= 4


def list_entry(walker: SheetWalker, item: SyntaxTreeNode) -> ListEntry | None:
    pos = walker.pos(item)
    paragraphs = [c for c in item.children if c.type == "paragraph"]
    if paragraphs and is_reference(paragraphs[0]) and len(item.children) == 1:
        walker.skip(pos, "reference", "a link to a document is not a fact")
        return None
    text = walker.inline(paragraphs[0], pos) if paragraphs else ""
    sub: tuple[ListEntry, ...] = ()
    for child in item.children:
        if child.type in ("bullet_list", "ordered_list"):
            sub += list_entries(walker, child)
        elif child.type in ("fence", "code_block"):
            from cardgen.parse.walker import Cue

            walker.cue = Cue(text.rstrip(":： ") or walker.heading_title(), pos, "label")
            getattr(walker, f"on_{child.type}")(child)
        elif child.type == "paragraph" and child is not (paragraphs[0] if paragraphs else None):
            more = walker.inline(child, walker.pos(child))
            if more:
                text = f"{text} {more}".strip()
        elif child.type in ("table", "blockquote", "html_block", "dl"):
            walker.place([child])
    if not text:
        return None
    return entry_for(text, pos, walker.section, sub)


def is_link_list(node: SyntaxTreeNode) -> bool:
    """Every item only links: a table of contents, a 'see also', a list of resources."""
    items = node.children
    if not items:
        return False
    for item in items:
        paragraphs = [c for c in item.children if c.type == "paragraph"]
        if not paragraphs:
            continue
        inline = paragraphs[0].children[0] if paragraphs[0].children else None
        if inline is None or not only_links(inline.token.children if inline.token else None):
            return False
    return True


def on_bullet_list(walker: SheetWalker, node: SyntaxTreeNode, nodes: list, i: int) -> int:
    pos = walker.pos(node)
    if (consumed := tldr_entry(walker, node, nodes, i)) is not None:
        return consumed
    if describes_next_code(walker, node, nodes, i):
        return 1
    from cardgen.parse.walker import title_is_toc

    if is_link_list(node) or title_is_toc(walker.heading_title()):
        cue = walker.take_cue()
        what = "table of contents" if title_is_toc(walker.heading_title()) else "list of links"
        walker.skip(pos, what if cue is None else f"{what} '{cue.text}'", f"a {what} is not a fact")
        return 1
    items = list_entries(walker, node)
    place_items(walker, list(items), pos)
    return 1


def describes_next_code(walker: SheetWalker, node: SyntaxTreeNode, nodes: list, i: int) -> bool:
    """`* View the config` and then a code block: the item says what the code does."""
    if len(node.children) != 1 or i + 1 >= len(nodes):
        return False
    if nodes[i + 1].type not in ("fence", "code_block"):
        return False
    item = node.children[0]
    if len(item.children) != 1 or item.children[0].type != "paragraph":
        return False
    text = walker.inline(item.children[0], walker.pos(item))
    if not text or len(patterns.bare(text).split()) > 20:
        return False
    from cardgen.parse.walker import Cue

    walker.drop_cue()
    walker.cue = Cue(text.rstrip(":： "), walker.pos(item), "label")
    return True


def tldr_entry(walker: SheetWalker, node: SyntaxTreeNode, nodes: list, i: int) -> int | None:
    """`- Description:` followed by a paragraph that is one code span: a tldr entry."""
    if len(node.children) != 1 or i + 1 >= len(nodes) or nodes[i + 1].type != "paragraph":
        return None
    item = node.children[0]
    paragraphs = [c for c in item.children if c.type == "paragraph"]
    if len(paragraphs) != 1 or len(item.children) != 1:
        return None
    pos = walker.pos(item)
    description = walker.inline(paragraphs[0], pos)
    following = nodes[i + 1]
    inline = following.children[0] if following.children else None
    tokens = [t for t in (inline.token.children or []) if t.type != "softbreak"] if inline else []
    if not description.endswith((":", "：")) or len(tokens) != 1 or tokens[0].type != "code_inline":
        return None
    walker.drop_cue()
    command = code_span(tokens[0].content)
    walker.blocks.append(Command(pos, walker.section, description.rstrip(":： "), command))
    return 2


def place_items(walker: SheetWalker, items: list[ListEntry], pos: SourcePos | None) -> None:
    """Place a list's entries under their cue: an open question's short answer, a state's
    notes, or a labelled list."""
    if not items or pos is None:
        walker.drop_cue()
        return
    cue = walker.take_cue()
    if cue is not None and cue.question:
        if is_short_answer(items):
            walker.blocks.append(
                QuestionAnswer(
                    cue.pos,
                    walker.section,
                    patterns.question_text(cue.text),
                    "; ".join(_entry_text(e) for e in items),
                    listed=True,
                )
            )
            return
        walker.blocks.append(
            LabelledList(
                pos, walker.section, patterns.question_text(cue.text), tuple(items), "label"
            )
        )
        return
    question = walker.question
    if cue is None and question is not None and not question.answer:
        if is_short_answer(items):
            walker.answer("; ".join(_entry_text(e) for e in items))
            question.listed = True
            return
        walker.blocks.append(
            LabelledList(pos, walker.section, question.question, tuple(items), "label")
        )
        walker.question = None  # the list answers it: nothing after it is its answer
        return
    if cue is not None and patterns.is_state_name(cue.text):
        walker.blocks.append(StateNotes(pos, walker.section, strip_code(cue.text), tuple(items)))
        return
    label, kind = (cue.text, cue.kind) if cue else (walker.heading_title(), "heading")
    if kind == "lead_in" and (
        len(patterns.bare(label).split()) > 10 or patterns.describing(label) is None
    ):
        walker.blocks.append(Paragraph(cue.pos, walker.section, label + ":"))  # type: ignore[union-attr]
        label, kind = walker.heading_title(), "heading"
    walker.blocks.append(LabelledList(pos, walker.section, label, tuple(items), kind))


def is_short_answer(items: list[ListEntry]) -> bool:
    return len(items) <= SHORT_ANSWER_ITEMS and all(
        len(patterns.bare(_entry_text(e)).split()) <= SHORT_ANSWER_WORDS for e in items
    )


def _entry_text(entry: ListEntry) -> str:
    if isinstance(entry, Definition):
        return f"{entry.term}: {entry.text}"
    if isinstance(entry, KeyValue):
        return f"{entry.key}: {entry.value}"
    return entry.text


def on_ordered_list(walker: SheetWalker, node: SyntaxTreeNode, nodes: list, i: int) -> int:
    from cardgen.parse.walker import title_is_toc

    pos = walker.pos(node)
    if is_link_list(node) or title_is_toc(walker.heading_title()):
        walker.take_cue()
        walker.skip(pos, "table of contents", "a table of contents is not a fact")
        return 1
    cue = walker.cue
    label = cue.text if cue else walker.heading_title()
    if not is_procedure(walker, node, label):
        items = list_entries(walker, node)
        place_items(walker, list(items), pos)
        return 1
    walker.take_cue()
    if cue is None and walker.question is not None and not walker.question.answer:
        label = walker.question.question
        walker.question = None  # the steps answer it
    start = int(node.attrs.get("start", 1) or 1)
    steps = tuple(step(walker, item, start + n) for n, item in enumerate(node.children))
    walker.blocks.append(Steps(pos, walker.section, label, steps))
    return 1


def is_procedure(walker: SheetWalker, node: SyntaxTreeNode, label: str) -> bool:
    """Numbered items that are steps in order (a handshake, an install), not a numbered list
    of separate facts."""
    if len(node.children) < 2:
        return False
    if _PROCEDURE.search(label) or _PROCEDURE.search(walker.heading_title()):
        return True
    firsts = []
    bold = 0
    for item in node.children:
        paragraphs = [c for c in item.children if c.type == "paragraph"]
        raw = paragraphs[0].children[0].content if paragraphs and paragraphs[0].children else ""
        bold += raw.lstrip().startswith("**")
        word = re.sub(r"[^a-z]", "", raw.split()[0].lower()) if raw.split() else ""
        firsts.append(word)
    verbs = sum(w in _IMPERATIVE for w in firsts)
    return (
        verbs * 2 >= len(firsts)
        or bold == len(firsts)
        and any(
            _DIRECTION.search(c.children[0].content)
            for it in node.children
            for c in it.children
            if c.type == "paragraph" and c.children
        )
    )


def step(walker: SheetWalker, item: SyntaxTreeNode, number: int) -> Step:
    title = ""
    details: list[str] = []
    for child in item.children:
        if child.type == "paragraph" and not title:
            title = walker.inline(child, walker.pos(child))
        elif child.type in ("bullet_list", "ordered_list"):
            for sub in child.children:
                paras = [c for c in sub.children if c.type == "paragraph"]
                if paras:
                    details.append(walker.inline(paras[0], walker.pos(sub)))
        elif child.type in ("fence", "code_block"):
            from cardgen.parse.walker import Cue

            walker.cue = Cue(
                patterns.bare(title).rstrip(":") or walker.heading_title(),
                walker.pos(child),
                "label",
            )
            getattr(walker, f"on_{child.type}")(child)
        elif child.type == "paragraph":
            details.append(walker.inline(child, walker.pos(child)))
    sender = receiver = None
    if (direction := _DIRECTION.search(strip_code(title))) is not None:
        sender, receiver = direction.group(1), direction.group(2)
        title = title[: title.find("(")].strip() or title
    title = patterns.bare(title) if title.startswith("**") and title.endswith("**") else title
    state = enters = None
    for detail in details:
        if (m := _ENTERS.match(strip_code(detail))) is not None:
            enters, state = m.group("who"), m.group("state")
            break
    return Step(number, title, sender, receiver, state, enters, tuple(details), walker.pos(item))


def on_definition_list(walker: SheetWalker, node: SyntaxTreeNode) -> None:
    """Markdown Extra's `Term` + `: text`."""
    walker.drop_cue()
    term = ""
    term_pos = walker.pos(node)
    for child in node.children:
        if child.type == "dt":
            term = walker.inline(child, walker.pos(child))
            term_pos = walker.pos(child) if child.map else term_pos
        elif child.type == "dd" and term:
            texts = [
                walker.inline(p, walker.pos(p)) for p in child.children if p.type == "paragraph"
            ]
            sub: tuple[ListEntry, ...] = ()
            for c in child.children:
                if c.type in ("bullet_list", "ordered_list"):
                    sub += list_entries(walker, c)
            text = " ".join(t for t in texts if t)
            if text and patterns.is_question(term):
                walker.blocks.append(
                    QuestionAnswer(term_pos, walker.section, patterns.question_text(term), text)
                )
            elif text or sub:
                walker.blocks.append(
                    Definition(term_pos, walker.section, term, text, "deflist", sub)
                )
