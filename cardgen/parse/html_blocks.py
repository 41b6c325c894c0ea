"""Raw HTML blocks placed like Markdown: `<h3>` is a heading, `<li>` an item, `<table>` a
table, `<details><summary>…?</summary>` a question and its answer, `<p>` a paragraph. Markup
with no text (`<div>`, `<br>`, anchors) is not content and is passed over."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from markdown_it.tree import SyntaxTreeNode

from cardgen.model import Definition, SourcePos, TableRow
from cardgen.parse import lists, patterns
from cardgen.parse.html import HEADINGS, HIDDEN, Element, inline_of, parse_html, table_cells
from cardgen.parse.tables import make_table

if TYPE_CHECKING:
    from cardgen.parse.walker import SheetWalker

_DETAILS_CLOSE = re.compile(r"</details\s*>", re.I)


def place_html(
    walker: SheetWalker, node: SyntaxTreeNode, nodes: list[SyntaxTreeNode], i: int, pos: SourcePos
) -> int:
    root = parse_html(node.content)
    details = root.first("details")
    if details is not None and not details.closed:
        return _open_details(walker, details, nodes, i, pos)
    _place_children(walker, root, pos)
    return 1


def _open_details(
    walker: SheetWalker, details: Element, nodes: list[SyntaxTreeNode], i: int, pos: SourcePos
) -> int:
    """`<details><summary>…</summary>` whose body is Markdown up to a later `</details>`."""
    end = next(
        (
            j
            for j in range(i + 1, len(nodes))
            if nodes[j].type == "html_block" and _DETAILS_CLOSE.search(nodes[j].content)
        ),
        len(nodes),
    )
    summary = details.first("summary")
    question = inline_of(summary) if summary is not None else ""
    inner = _without(details, "summary")
    body_text = inline_of(inner)
    body = nodes[i + 1 : end]
    if patterns.is_question(question):
        if body_text:
            walker.paragraph(body_text, pos)
        walker.contained_question(question, pos, body)
    else:
        from cardgen.parse.walker import Cue

        walker.drop_cue()
        if question and body and body[0].type in ("bullet_list", "ordered_list", "table", "fence"):
            walker.cue = Cue(question, pos, "label")
        walker.place(body)
        walker.flush()
        walker.drop_cue()
    return end - i + 1


def _without(element: Element, tag: str) -> Element:
    kept = [c for c in element.children if not (isinstance(c, Element) and c.tag == tag)]
    return Element(element.tag, element.attrs, element.line, kept, element.closed)


def _place_children(walker: SheetWalker, element: Element, base: SourcePos) -> None:
    loose: list[str] = []
    for child in element.children:
        if isinstance(child, str):
            loose.append(child)
            continue
        _flush_loose(walker, loose, base)
        _place_element(walker, child, base)
    _flush_loose(walker, loose, base)


def _flush_loose(walker: SheetWalker, loose: list[str], base: SourcePos) -> None:
    text = inline_of(Element("#text", {}, 0, list(loose)))
    loose.clear()
    if len(patterns.bare(text).split()) >= 3:
        walker.flush()
        walker.paragraph(walker.images(text, base), base)
    elif patterns.bare(text).strip():
        walker.skip(
            base,
            f"HTML text '{patterns.bare(text)[:40]}'",
            "a few words in HTML markup, not a fact",
        )


def _at(base: SourcePos, element: Element) -> SourcePos:
    return SourcePos(base.path, base.line + element.line)


def _place_element(walker: SheetWalker, el: Element, base: SourcePos) -> None:
    pos = _at(base, el)
    tag = el.tag
    if tag in HIDDEN:
        return
    if tag == "li":
        walker.html_items.add(
            lists.entry_for(walker.images(inline_of(el), pos), pos, walker.section)
        )
        return
    walker.flush()
    if tag in HEADINGS:
        title = inline_of(el)
        if title:
            walker.heading(HEADINGS[tag], title, pos)
    elif tag in ("ul", "ol") and all(_only_links(li) for li in el.elements() if li.tag == "li"):
        walker.take_cue()
        walker.skip(pos, "list of links", "a list of links is not a fact")
    elif tag in ("ul", "ol"):
        items = [
            lists.entry_for(
                walker.images(inline_of(li), _at(base, li)), _at(base, li), walker.section
            )
            for li in el.elements()
            if li.tag == "li" and inline_of(li)
        ]
        lists.place_items(walker, items, pos)
    elif tag == "table":
        header, rows = table_cells(el)
        cue = walker.take_cue()
        body = [TableRow(cells, SourcePos(base.path, base.line + line)) for line, cells in rows]
        title = cue.text if cue else walker.heading_title()
        walker.blocks.append(make_table(base.path, pos.line, walker.section, title, header, body))
    elif tag == "details":
        summary = el.first("summary")
        question = inline_of(summary) if summary is not None else ""
        answer = inline_of(_without(el, "summary"))
        if patterns.is_question(question) and answer:
            from cardgen.model import QuestionAnswer

            walker.blocks.append(
                QuestionAnswer(pos, walker.section, patterns.question_text(question), answer)
            )
        else:
            _place_children(walker, _without(el, "summary"), base)
    elif tag == "p" or tag == "img":
        text = walker.images(inline_of(el), pos)
        if text:
            walker.paragraph(text, pos)
    elif tag == "dl":
        term = ""
        for child in el.elements():
            if child.tag == "dt":
                term = inline_of(child)
            elif child.tag == "dd" and term:
                walker.blocks.append(
                    Definition(_at(base, child), walker.section, term, inline_of(child), "deflist")
                )
    elif tag == "pre":
        code = "".join(_text(c) for c in el.children)
        walker.code(code.strip("\n") + "\n", "", (), pos)
    else:
        _place_children(walker, el, base)


def _only_links(el: Element) -> bool:
    """Whether the element's text all stands inside links."""
    outside = "".join(c for c in el.children if isinstance(c, str)).strip(" \n\t|·•,-")
    inner = [c for c in el.elements() if c.tag not in ("br",)]
    return (
        not outside
        and bool(inner)
        and all(c.tag == "a" or (c.tag not in HEADINGS and _only_links(c)) for c in inner)
    )


def _text(node: Element | str) -> str:
    if isinstance(node, str):
        return node
    return "".join(_text(c) for c in node.children)
