"""Question → Anki note fields. One note per question; which note (GUID) it updates is the
identity ledger's business (`cardgen.identity`), not this module's.

No field holds anything that changes when unrelated lines of the sheet move: the source is
shown as `file › section`, never with a line number.
"""

from __future__ import annotations

import re
from html import escape
from typing import NamedTuple

import genanki

from cardgen.questions import Ordering, Question
from cardgen.questions.model import slug
from cardgen.render.anki_models import basic_model, cloze_model, reverse_model
from cardgen.render.html import code_html, inline_html

RETIRED_TAG = "cardgen::retired"


def note_model(note_type: str) -> genanki.Model:
    return {"basic": basic_model, "reverse": reverse_model, "cloze": cloze_model}[note_type]()


class NoteSpec(NamedTuple):
    """Everything that goes into one note, and what the identity ledger records of it. (A
    named tuple: a worker sends thousands back to the build, and these pickle fast.)"""

    key: str
    note_type: str
    """`basic`, `reverse` or `cloze`: the model (note type) of the note."""
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    deck: tuple[str, ...]
    """Section path below the sheet's deck: () for the sheet's own deck."""
    cue: str
    """The question as plain inline text, and its answer: what the ledger matches on."""
    answer: str
    where: str
    """Section path and context (` › `): the parts of the cue that name a place."""

    @property
    def model(self) -> genanki.Model:
        return note_model(self.note_type)


def cloze_safe(html: str) -> str:
    """Keep Anki's cloze parser away from `{{`, `}}` and `::` that belong to the content."""
    return html.replace("{", "&#123;").replace("}", "&#125;").replace(":", "&#58;")


def cloze(index: int, html: str) -> str:
    return f"{{{{c{index}::{cloze_safe(html)}}}}}"


def source_field(sheet_label: str, section: tuple[str, ...]) -> str:
    """`ch02-sockets.md › TCP vs UDP Quick Reference`: no line number, which would change
    every note below an inserted line."""
    return escape(" › ".join([sheet_label, *section]))


def where_of(section: tuple[str, ...], context: str) -> str:
    return " › ".join([*section, context] if context and context not in section else section)


def context_field(sheet_title: str, section: tuple[str, ...], context: str) -> str:
    parts = [sheet_title, *section]
    if context and context not in section:
        parts.append(context)
    return escape(" › ".join(parts))


def sheet_tag(sheet: str) -> str:
    """`cardgen::ch02-sockets`; a sheet in a subfolder `a/notes` is `cardgen::a::notes`.
    Never `cardgen::retired`, which marks retired notes."""
    tag = "cardgen::" + "::".join(slug(part) for part in sheet.split("/"))
    return tag + "-sheet" if tag == RETIRED_TAG else tag


def tags_for(sheet: str, section: tuple[str, ...], block: str) -> tuple[str, ...]:
    tags = [sheet_tag(sheet), f"kind::{block}"]
    if section:
        tags.append(f"section::{slug(section[0])}")
    return tuple(tags)


def listing_html(items: tuple[str, ...], blank: int, blank_html: str) -> str:
    lis = [f"<li>{blank_html if i == blank else inline_html(t)}</li>" for i, t in enumerate(items)]
    return f'<ul class="cg-list">{"".join(lis)}</ul>'


def question_note(q: Question, sheet_name: str, sheet_title: str, sheet_label: str) -> NoteSpec:
    """`sheet_label`: the sheet's path relative to its content folder, shown as the source."""
    context = context_field(sheet_title, q.section, q.context)
    source = source_field(sheet_label, q.section)
    about = (q.prompt, q.answer, where_of(q.section, q.context))
    extra = inline_html(q.explanation)
    if q.verified:
        extra += f'<div class="cg-verified">{escape(q.verified)}</div>'
    tags = tags_for(sheet_name, q.section, q.block)
    deck = q.section[:1]
    if q.style == "cloze":
        answer_html = inline_html(q.answer)
        if q.code is not None and q.code_blank:
            body = code_html(q.code, q.lang, q.code_blank, blank_html="\0")
            body = cloze_safe(body).replace("\0", cloze(1, answer_html))
        else:
            body = cloze_safe(listing_html(q.listing, q.listing_blank, "\0"))
            body = body.replace("\0", cloze(1, answer_html))
        text = f"<div>{cloze_safe(inline_html(q.prompt))}</div>{body}"
        return NoteSpec(q.key, "cloze", (text, extra, context, source), tags, deck, *about)
    front = inline_html(q.prompt)
    if q.code:
        front += code_html(q.code, q.lang)
    back = inline_html(q.answer)
    if q.style == "reverse":
        fields = (
            front,
            back,
            inline_html(q.reverse_prompt or ""),
            inline_html(q.reverse_answer or ""),
            extra,
            context,
            source,
        )
        return NoteSpec(q.key, "reverse", fields, tags, deck, *about)
    return NoteSpec(q.key, "basic", (front, back, extra, context, source), tags, deck, *about)


def path_cloze_note(o: Ordering, sheet_name: str, sheet_title: str, sheet_label: str) -> NoteSpec:
    """The whole path with every state after the first hidden in turn."""
    parts = [inline_html(o.items[0])]
    parts += [cloze(i, inline_html(item)) for i, item in enumerate(o.items[1:], start=1)]
    name = re.sub(r":?\s*put the states in order\.$", "", o.prompt)
    text = f"<div>{cloze_safe(inline_html(name))}</div><div>{' → '.join(parts)}</div>"
    fields = (
        text,
        "",
        context_field(sheet_title, o.section, ""),
        source_field(sheet_label, o.section),
    )
    return NoteSpec(
        o.key,
        "cloze",
        fields,
        tags_for(sheet_name, o.section, o.block),
        o.section[:1],
        o.prompt,
        " → ".join(o.items),
        where_of(o.section, ""),
    )


def retired_note(
    sheet_name: str, sheet_label: str, note_type: str, where: str, cue: str, answer: str
) -> tuple[str, ...]:
    """Fields for a note whose fact left the sheet, sent once more to carry the retired tag:
    its last cue and answer as the ledger recorded them."""
    source = escape(f"{sheet_label} (no longer in the sheet)")
    context = escape(where)
    if note_type == "cloze":
        shown = cloze_safe(inline_html(cue))
        text = f"<div>{shown}</div><div>{cloze(1, inline_html(answer))}</div>"
        return (text, "", context, source)
    if note_type == "reverse":
        return (inline_html(cue), inline_html(answer), "", "", "", context, source)
    return (inline_html(cue), inline_html(answer), "", context, source)
