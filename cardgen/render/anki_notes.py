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
from cardgen.questions.text import plain
from cardgen.render.anki_models import basic_model, cloze_model, reverse_model
from cardgen.render.html import code_html, code_html_blanks, inline_html

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
    line: int = 0
    """The sheet line the note asks about: new cards are met in this order."""

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


def context_field(
    sheet_title: str, section: tuple[str, ...], context: str, prompt: str = ""
) -> str:
    """The short line above a question: the sheet and the section (the context, where it is not
    that section), leaving out what the question itself already says."""
    asked = _plain(prompt).casefold()
    parts = [sheet_title]
    for part in [*section[-1:], context]:
        seen = [p.casefold() for p in parts]
        text = _plain(part).casefold()
        if not part or text in seen or (asked and text in asked):
            continue
        parts.append(part)
    return escape(" › ".join(_plain(p) for p in parts))


def _plain(text: str) -> str:
    from cardgen.questions.text import plain

    return plain(text)


def sheet_tag(sheet: str) -> str:
    """`cardgen::ch02-sockets`; a sheet in a subfolder `a/notes` is `cardgen::a::notes`.
    Never `cardgen::retired`, which marks retired notes."""
    tag = "cardgen::" + "::".join(slug(part) for part in sheet.split("/"))
    return tag + "-sheet" if tag == RETIRED_TAG else tag


def tags_for(
    sheet: str, section: tuple[str, ...], block: str, own: tuple[str, ...] = ()
) -> tuple[str, ...]:
    """The sheet's tag, the kind of block, the top section, and the sheet's own tags (front
    matter)."""
    tags = [sheet_tag(sheet), f"kind::{block}"]
    if section:
        tags.append(f"section::{slug(section[0])}")
    tags += [slug(t) for t in own if slug(t) != "x" and slug(t) != "cardgen::retired"]
    return tuple(dict.fromkeys(tags))


def listing_html(items: tuple[str, ...], blank: int, blank_html: str) -> str:
    lis = [f"<li>{blank_html if i == blank else inline_html(t)}</li>" for i, t in enumerate(items)]
    return f'<ul class="cg-list">{"".join(lis)}</ul>'


def question_notes(
    questions: list[Question],
    sheet_name: str,
    sheet_title: str,
    sheet_label: str,
    own_tags: tuple[str, ...] = (),
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
            specs.append(
                cloze_group_note(key, group, sheet_name, sheet_title, sheet_label, own_tags)
            )
        else:
            specs += [
                question_note(q, sheet_name, sheet_title, sheet_label, own_tags) for q in group
            ]
    return specs


def _extra(q: Question) -> str:
    extra = inline_html(q.explanation)
    if q.verified:
        extra += f'<div class="cg-verified">{escape(q.verified)}</div>'
    return extra


def _cloze_cue(q: Question) -> str:
    """What the ledger matches a cloze note on: its prompt and its text."""
    text = "".join(q.cloze) if q.cloze else " · ".join(q.listing)
    return " ".join(p for p in (q.prompt, text) if p)


def cloze_group_note(
    key: str,
    group: list[Question],
    sheet_name: str,
    sheet_title: str,
    sheet_label: str,
    own_tags: tuple[str, ...],
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
    cue = first.prompt if first.code is not None else _cloze_cue(first)
    return NoteSpec(
        key,
        "cloze",
        (
            text,
            extra,
            context_field(sheet_title, first.section, first.context, first.prompt),
            source_field(sheet_label, first.section),
        ),
        tags_for(sheet_name, first.section, first.block, own_tags),
        (),
        cue,
        " · ".join(q.answer for q in group),
        where_of(first.section, first.context),
        min(q.source.line for q in group),
    )


def question_note(
    q: Question,
    sheet_name: str,
    sheet_title: str,
    sheet_label: str,
    own_tags: tuple[str, ...] = (),
) -> NoteSpec:
    """`sheet_label`: the sheet's path relative to its content folder, shown as the source."""
    context = context_field(sheet_title, q.section, q.context, q.prompt)
    source = source_field(sheet_label, q.section)
    where = where_of(q.section, q.context)
    extra = _extra(q)
    tags = tags_for(sheet_name, q.section, q.block, own_tags)
    line = q.source.line
    if q.style == "cloze" and q.cloze is not None:
        before, hidden, after = q.cloze
        body = (
            cloze_safe(inline_html(before))
            + cloze(1, inline_html(hidden))
            + cloze_safe(inline_html(after))
        )
        text = f"<div>{cloze_safe(inline_html(q.prompt))}</div><div>{body}</div>"
        fields = (text, extra, context, source)
        return NoteSpec(q.note_key, "cloze", fields, tags, (), _cloze_cue(q), q.answer, where, line)
    if q.style == "cloze":
        answer_html = inline_html(q.answer)
        if q.code is not None and q.code_blank:
            body = code_html(q.code, q.lang, q.code_blank, blank_html="\0")
            body = cloze_safe(body).replace("\0", cloze(1, answer_html))
            cue = q.prompt
        else:
            body = cloze_safe(listing_html(q.listing, q.listing_blank, "\0"))
            body = body.replace("\0", cloze(1, answer_html))
            cue = _cloze_cue(q)
        text = f"<div>{cloze_safe(inline_html(q.prompt))}</div>{body}"
        fields = (text, extra, context, source)
        return NoteSpec(q.note_key, "cloze", fields, tags, (), cue, q.answer, where, line)
    front = inline_html(q.prompt)
    if q.code:
        front += code_html(q.code, q.lang)
    back = inline_html(q.answer)
    about = (q.prompt, q.answer, where, line)
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
        return NoteSpec(q.key, "reverse", fields, tags, (), *about)
    return NoteSpec(q.key, "basic", (front, back, extra, context, source), tags, (), *about)


def numbered_like_a_neighbour(items: tuple[str, ...], at: int) -> bool:
    """`FIN_WAIT_1 → FIN_WAIT_2`: a link whose name, but for its number, is its neighbour's is
    given away by that neighbour."""

    def stem(text: str) -> str:
        return re.sub(r"[\s_-]*\d+$", "", plain(text))

    mine = stem(items[at])
    if mine == plain(items[at]):
        return False
    return any(
        0 <= k < len(items) and stem(items[k]) == mine and items[k] != items[at]
        for k in (at - 1, at + 1)
    )


def path_cloze_note(
    o: Ordering,
    sheet_name: str,
    sheet_title: str,
    sheet_label: str,
    own_tags: tuple[str, ...] = (),
) -> NoteSpec | None:
    """The whole path with each link after the first hidden in turn (a link that stands
    twice in the path is never hidden: the other would give it away)."""
    counts: dict[str, int] = {}
    for item in o.items:
        counts[item] = counts.get(item, 0) + 1
    parts = [cloze_safe(inline_html(o.items[0]))]
    n = 0
    for at, item in enumerate(o.items[1:], start=1):
        if counts[item] > 1 or numbered_like_a_neighbour(o.items, at):
            parts.append(cloze_safe(inline_html(item)))
        else:
            n += 1
            parts.append(cloze(n, inline_html(item)))
    if n == 0:
        return None  # every link is given away by another: nothing to recall
    name = re.sub(r":?\s*put the (?:state|step)s in order\.$", "", o.prompt)
    text = f"<div>{cloze_safe(inline_html(name))}</div><div>{' → '.join(parts)}</div>"
    fields = (
        text,
        "",
        context_field(sheet_title, o.section, "", name),
        source_field(sheet_label, o.section),
    )
    return NoteSpec(
        o.key,
        "cloze",
        fields,
        tags_for(sheet_name, o.section, o.block, own_tags),
        (),
        o.prompt,
        " → ".join(o.items),
        where_of(o.section, ""),
        o.source.line,
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
