"""Question → Anki note fields. One note per question; its GUID comes from the question's key."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape
from pathlib import Path

import genanki

from cardgen.questions import Ordering, Question
from cardgen.questions.model import slug
from cardgen.render.anki_models import basic_model, cloze_model, reverse_model
from cardgen.render.html import code_html, inline_html


@dataclass(frozen=True, slots=True)
class NoteSpec:
    """Everything that goes into one note; `digest()` tells whether it changed."""

    key: str
    model: genanki.Model
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    deck: tuple[str, ...]
    """Section path below the sheet's deck: () for the sheet's own deck."""

    @property
    def guid(self) -> str:
        return genanki.guid_for("cardgen", self.key)


def cloze_safe(html: str) -> str:
    """Keep Anki's cloze parser away from `{{`, `}}` and `::` that belong to the content."""
    return html.replace("{", "&#123;").replace("}", "&#125;").replace(":", "&#58;")


def cloze(index: int, html: str) -> str:
    return f"{{{{c{index}::{cloze_safe(html)}}}}}"


def source_field(q_source, section: tuple[str, ...]) -> str:
    where = f"{Path(q_source.path).name}:{q_source.line}"
    return escape(f"{where} · {' › '.join(section)}" if section else where)


def context_field(sheet_title: str, section: tuple[str, ...], context: str) -> str:
    parts = [sheet_title, *section]
    if context and context not in section:
        parts.append(context)
    return escape(" › ".join(parts))


def tags_for(sheet: str, section: tuple[str, ...], block: str) -> tuple[str, ...]:
    tags = [f"cardgen::{slug(sheet)}", f"kind::{block}"]
    if section:
        tags.append(f"section::{slug(section[0])}")
    return tuple(tags)


def listing_html(items: tuple[str, ...], blank: int, blank_html: str) -> str:
    lis = [f"<li>{blank_html if i == blank else inline_html(t)}</li>" for i, t in enumerate(items)]
    return f'<ul class="cg-list">{"".join(lis)}</ul>'


def question_note(q: Question, sheet_name: str, sheet_title: str) -> NoteSpec:
    context = context_field(sheet_title, q.section, q.context)
    source = source_field(q.source, q.section)
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
        return NoteSpec(q.key, cloze_model(), (text, extra, context, source), tags, deck)
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
        return NoteSpec(q.key, reverse_model(), fields, tags, deck)
    return NoteSpec(q.key, basic_model(), (front, back, extra, context, source), tags, deck)


def path_cloze_note(o: Ordering, sheet_name: str, sheet_title: str) -> NoteSpec:
    """The whole path with every state after the first hidden in turn."""
    parts = [inline_html(o.items[0])]
    parts += [cloze(i, inline_html(item)) for i, item in enumerate(o.items[1:], start=1)]
    name = re.sub(r":?\s*put the states in order\.$", "", o.prompt)
    text = f"<div>{cloze_safe(inline_html(name))}</div><div>{' → '.join(parts)}</div>"
    fields = (
        text,
        "",
        context_field(sheet_title, o.section, ""),
        source_field(o.source, o.section),
    )
    return NoteSpec(
        o.key, cloze_model(), fields, tags_for(sheet_name, o.section, o.block), o.section[:1]
    )
