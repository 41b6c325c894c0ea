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
from cardgen.render.html import code_html, code_html_blanks, inline_html


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


def tags_for(
    sheet: str, section: tuple[str, ...], block: str, own: tuple[str, ...] = ()
) -> tuple[str, ...]:
    tags = [f"cardgen::{slug(sheet)}", f"kind::{block}"]
    if section:
        tags.append(f"section::{slug(section[0])}")
    tags += [slug(t) for t in own if slug(t) != "x"]
    return tuple(dict.fromkeys(tags))


def listing_html(items: tuple[str, ...], blank: int, blank_html: str) -> str:
    lis = [f"<li>{blank_html if i == blank else inline_html(t)}</li>" for i, t in enumerate(items)]
    return f'<ul class="cg-list">{"".join(lis)}</ul>'


def question_notes(
    questions: list[Question], sheet_name: str, sheet_title: str, own_tags: tuple[str, ...] = ()
) -> list[NoteSpec]:
    """One note per question, except cloze deletions of one text (same `note`): one note
    with c1, c2…, so that Anki buries the siblings."""
    groups: dict[tuple[str, object], list[Question]] = {}
    for q in questions:
        text = q.code if q.code is not None else (q.cloze and q.cloze[0] + q.cloze[1] + q.cloze[2])
        groups.setdefault((q.note_key, text or q.listing), []).append(q)
    specs = []
    for (key, _), group in groups.items():
        if len(group) > 1 and all(q.style == "cloze" for q in group):
            specs.append(cloze_group_note(key, group, sheet_name, sheet_title, own_tags))
        else:
            specs += [question_note(q, sheet_name, sheet_title, own_tags) for q in group]
    return specs


def _extra(q: Question) -> str:
    extra = inline_html(q.explanation)
    if q.verified:
        extra += f'<div class="cg-verified">{escape(q.verified)}</div>'
    return extra


def cloze_group_note(
    key: str, group: list[Question], sheet_name: str, sheet_title: str, own_tags: tuple[str, ...]
) -> NoteSpec:
    first = group[0]
    if first.code is not None and all(q.code_blank for q in group):
        spans = [q.code_blank for q in group if q.code_blank]
        body, marks = code_html_blanks(first.code, first.lang, spans)
        body = cloze_safe(body)
        for n, (mark, q) in enumerate(zip(marks, group, strict=True), start=1):
            body = body.replace(mark, cloze(n, inline_html(q.answer)), 1)
    elif first.cloze is not None:
        text = "".join(first.cloze)
        spans = sorted(
            (len(q.cloze[0]), len(q.cloze[0]) + len(q.cloze[1]), n)
            for n, q in enumerate(group, start=1)
            if q.cloze
        )
        parts, last = [], 0
        for start, end, n in spans:
            if start < last:
                continue
            parts.append(cloze_safe(inline_html(text[last:start])))
            parts.append(cloze(n, inline_html(text[start:end])))
            last = end
        parts.append(cloze_safe(inline_html(text[last:])))
        body = f"<div>{''.join(parts)}</div>"
    else:
        blanks = {q.listing_blank: n for n, q in enumerate(group, start=1)}
        items = [
            cloze(blanks[i], inline_html(t)) if i in blanks else cloze_safe(inline_html(t))
            for i, t in enumerate(first.listing)
        ]
        body = f'<ul class="cg-list">{"".join(f"<li>{i}</li>" for i in items)}</ul>'
    text = f"<div>{cloze_safe(inline_html(first.prompt))}</div>{body}"
    extra = " ".join(e for e in dict.fromkeys(_extra(q) for q in group) if e)
    return NoteSpec(
        key,
        cloze_model(),
        (
            text,
            extra,
            context_field(sheet_title, first.section, first.context),
            source_field(first.source, first.section),
        ),
        tags_for(sheet_name, first.section, first.block, own_tags),
        first.section[:1],
    )


def question_note(
    q: Question, sheet_name: str, sheet_title: str, own_tags: tuple[str, ...] = ()
) -> NoteSpec:
    context = context_field(sheet_title, q.section, q.context)
    source = source_field(q.source, q.section)
    extra = _extra(q)
    tags = tags_for(sheet_name, q.section, q.block, own_tags)
    deck = q.section[:1]
    if q.style == "cloze" and q.cloze is not None:
        before, hidden, after = q.cloze
        body = (
            cloze_safe(inline_html(before))
            + cloze(1, inline_html(hidden))
            + cloze_safe(inline_html(after))
        )
        text = f"<div>{cloze_safe(inline_html(q.prompt))}</div><div>{body}</div>"
        return NoteSpec(q.note_key, cloze_model(), (text, extra, context, source), tags, deck)
    if q.style == "cloze":
        answer_html = inline_html(q.answer)
        if q.code is not None and q.code_blank:
            body = code_html(q.code, q.lang, q.code_blank, blank_html="\0")
            body = cloze_safe(body).replace("\0", cloze(1, answer_html))
        else:
            body = cloze_safe(listing_html(q.listing, q.listing_blank, "\0"))
            body = body.replace("\0", cloze(1, answer_html))
        text = f"<div>{cloze_safe(inline_html(q.prompt))}</div>{body}"
        return NoteSpec(q.note_key, cloze_model(), (text, extra, context, source), tags, deck)
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


def path_cloze_note(
    o: Ordering, sheet_name: str, sheet_title: str, own_tags: tuple[str, ...] = ()
) -> NoteSpec:
    """The whole path with each link after the first hidden in turn (a link that stands
    twice in the path is never hidden: the other would give it away)."""
    counts: dict[str, int] = {}
    for item in o.items:
        counts[item] = counts.get(item, 0) + 1
    parts = [cloze_safe(inline_html(o.items[0]))]
    n = 0
    for item in o.items[1:]:
        if counts[item] > 1:
            parts.append(cloze_safe(inline_html(item)))
        else:
            n += 1
            parts.append(cloze(n, inline_html(item)))
    name = re.sub(r":?\s*put the (?:state|step)s in order\.$", "", o.prompt)
    text = f"<div>{cloze_safe(inline_html(name))}</div><div>{' → '.join(parts)}</div>"
    fields = (
        text,
        "",
        context_field(sheet_title, o.section, ""),
        source_field(o.source, o.section),
    )
    return NoteSpec(
        o.key,
        cloze_model(),
        fields,
        tags_for(sheet_name, o.section, o.block, own_tags),
        o.section[:1],
    )
