"""Sheet → question bank. One small generator per block kind, in a named, ordered list
(the way markdown-it-py registers its rules), then one pass that keeps every key distinct,
merges real repeats and attaches footnotes."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from cardgen.errors import Diagnostic
from cardgen.model import Block, Command, Sheet, Skipped, Snippet
from cardgen.questions.definitions import definition_questions
from cardgen.questions.lists import list_questions
from cardgen.questions.model import Matching, Ordering, Question, QuestionBank, slug
from cardgen.questions.outcome import Outcomes
from cardgen.questions.paths import state_path_questions, steps_questions
from cardgen.questions.prose import prose_questions, qa_questions
from cardgen.questions.quality import unbound_letters
from cardgen.questions.snippets import snippet_questions
from cardgen.questions.tables import table_questions
from cardgen.questions.takeaways import takeaway_questions
from cardgen.questions.text import content_words, gives_away, mask, norm, plain

__all__ = ["GENERATORS", "Matching", "Ordering", "Question", "QuestionBank", "build_bank"]

Generator = Callable[[Sheet, QuestionBank, Outcomes], None]

GENERATORS: list[tuple[str, Generator]] = [
    ("questions", qa_questions),
    ("definitions", definition_questions),
    ("tables", table_questions),
    ("lists", list_questions),
    ("state_paths", state_path_questions),
    ("steps", steps_questions),
    ("takeaways", takeaway_questions),
    ("snippets", snippet_questions),
    ("prose", prose_questions),
]
OPTIONS_IN_PROMPT = frozenset({"classification"})
"""Kinds whose prompt lists the choices on purpose ("TCP or UDP?")."""
_FOOTNOTE = re.compile(r"\[\^([^\]]+)\]")


def build_bank(sheet: Sheet) -> tuple[QuestionBank, list[Diagnostic]]:
    """Every question of the sheet, and what became of every block."""
    bank = QuestionBank(sheet.name, sheet.title, tags=sheet.tags, footnotes=dict(sheet.footnotes))
    out = Outcomes(sheet, bank)
    about = [b for b in sheet.blocks if about_the_sheet(b.section)]
    for block in about:
        if not isinstance(block, Skipped):
            out.skip(block, "about the sheet itself (resources, credits, links), not a fact")
    samples = [
        b
        for b in sheet.blocks
        if worked_example(b.section) and not isinstance(b, Snippet | Command)
    ]
    for block in samples:
        if not isinstance(block, Skipped):
            out.skip(block, "a worked example: its data is a sample, not a fact to learn")
    dropped = {id(b) for b in about + samples}
    sheet = replace(sheet, blocks=tuple(b for b in sheet.blocks if id(b) not in dropped))
    for _name, generate in GENERATORS:
        generate(sheet, bank, out)
    owner = {id(q): block for block in out.blocks for q in out.questions_of(block)}
    made = []
    for original in bank.questions:
        block = owner[id(original)]
        q = _with_footnotes(_without_giveaway(original), sheet.footnotes)
        shown = front_shows_answer(q)
        if shown == "all":
            out.skip(block, "the answer stands on the card's front", q.source.line)
            continue
        letters = [] if q.style == "cloze" or q.kind == "snippet_output" else None
        if letters is None and (letters := unbound_letters(front_text(q, q.prompt), q.answer)):
            why = f"the answer speaks of {', '.join(letters)}, which the card never shows"
            out.skip(block, why, q.source.line)
            continue
        if shown == "reverse":
            q = replace(q, style="basic", reverse_prompt=None, reverse_answer=None)
        made.append((q, block))
    kept, repeats = distinct(made)
    for (q, block), first in repeats:
        out.skip(block, f"repeats the fact of line {first.source.line}: merged", q.source.line)
    out.made = {}
    for q, block in kept:
        out.made.setdefault(id(block), []).append(q)
    bank.questions = [q for q, _ in kept]
    bank.outcomes = out.finish()
    return bank, []


Owned = tuple[Question, Block]


_ABOUT = re.compile(
    r"^(?:additional |further |other |useful |more |external |helpful )?(?:resources?|references?|"
    r"reading|links?|credits?|acknowledg(?:e)?ments?|license|licen[cs]e|contributing|"
    r"contributors?|about(?: this (?:sheet|cheatsheet|document|guide))?|authors?|see also|"
    r"related(?: articles| pages| links)?|sources?|bibliography|changelog|support|sponsors?|"
    r"table of contents|contents|toc|translations?|other languages|tools?|tutorials?|"
    r"books?|videos?|courses?|websites?|articles?|links? (?:&|and) \w+|learn more)$",
    re.I,
)


def about_the_sheet(section: tuple[str, ...]) -> bool:
    """Sections that talk about the sheet (its links, credits, licence), not its subject."""
    from cardgen.questions.text import plain

    return any(_ABOUT.match(plain(title).strip(" :")) for title in section)


_EXAMPLE = re.compile(
    r"\b(?:examples?|scenarios?|samples?|demo|practice|exercises?|walk-?through|case stud(?:y|ies)|"
    r"worked|calculation examples?|problem \d+|lab \d+)\b",
    re.I,
)


def worked_example(section: tuple[str, ...]) -> bool:
    """A section that works through an example: its numbers and names are sample data."""
    from cardgen.questions.text import plain

    return any(_EXAMPLE.search(plain(title)) for title in section)


def distinct(questions: list[Owned]) -> tuple[list[Owned], list[tuple[Owned, Question]]]:
    """Give every question a key of its own and a front of its own. Two facts with one key
    take their next distinguishing names, then their order; the same fact with the same
    answer twice is a repeat, merged (and returned, so the report can say so)."""
    by_key: dict[str, list[int]] = {}
    for i, (q, _) in enumerate(questions):
        by_key.setdefault(q.key, []).append(i)
    result: list[Owned | None] = list(questions)
    repeats: list[tuple[Owned, Question]] = []
    for key, group in list(by_key.items()):
        if len(group) == 1:
            continue
        first_of: dict[tuple[str, str], Question] = {}
        n = 0
        for i in group:
            q, block = questions[i]
            fact = (norm(q.prompt), norm(q.answer))
            if fact in first_of:
                repeats.append(((q, block), first_of[fact]))
                result[i] = None
                continue
            first_of[fact] = q
            n += 1
            if n == 1:
                continue
            new_key = key
            for part in [slug(x) for x in q.key_extra] + [str(n)]:
                new_key = f"{new_key}/{part}"
                if new_key not in by_key:
                    break
            by_key.setdefault(new_key, [i])
            result[i] = (replace(q, key=new_key), block)
    fronts: dict[tuple[object, ...], Question] = {}
    kept: list[Owned] = []
    for item in result:
        if item is None:
            continue
        q, block = item
        front = (
            q.prompt,
            q.code,
            q.code_blank,
            q.listing,
            q.listing_blank,
            q.cloze and q.cloze[0],
            q.cloze and q.cloze[2],
        )
        other = fronts.get(front)
        if other is not None and norm(other.answer) == norm(q.answer):
            repeats.append(((q, block), other))
            continue
        if other is not None:
            where = q.section[-1] if q.section else ""
            if (
                not where
                or where.lower() in q.prompt.lower()
                or (f"{q.prompt} ({where})", *front[1:]) in fronts
            ):
                repeats.append(((q, block), other))
                continue
            q = replace(q, prompt=f"{q.prompt} ({where})")
        fronts[(q.prompt, *front[1:])] = q
        kept.append((q, block))
    return kept, repeats


def front_text(q: Question, prompt: str) -> str:
    """Everything a card shows before the answer: its context line and its question."""
    return " ".join([*q.section[-2:], q.context, prompt, q.code or ""])


def front_shows_answer(q: Question) -> str:
    """`all` when every meaningful word of the answer already stands on the front (context
    line included), `reverse` when only the reverse card shows its answer, else ``."""
    if q.kind in OPTIONS_IN_PROMPT or q.kind == "snippet_output":
        return ""  # an output is worked out from the code, whose data it may well repeat
    if q.style == "cloze":
        hidden = q.cloze[1] if q.cloze else q.answer
        context = " ".join([*q.section[-2:], q.context, q.prompt])
        return "all" if gives_away(context, hidden) else ""
    if _shows(front_text(q, q.prompt), q.answer, head=q.kind not in ("command", "option")):
        return "all"
    reverse = q.style == "reverse" and q.reverse_prompt and q.reverse_answer
    if reverse and _shows(front_text(q, q.reverse_prompt or ""), q.reverse_answer or ""):
        return "reverse"
    return ""


def _shows(front: str, answer: str, head: bool = True) -> bool:
    """Whether the front gives the answer away: the answer stands in it, every meaningful word
    of the answer does, or its head word does (`Rc::clone(&a)` → `Rc (Shared Ptr)`), or a
    short answer is spelled by a word of the front (`<repo>` → `Repository`)."""
    if gives_away(front, answer):
        return True
    flag = re.fullmatch(r"-([A-Za-z0-9])", plain(answer).strip())
    if flag and re.search(rf"(?<![\w-])-[A-Za-z0-9]*{flag.group(1)}", plain(front)):
        return True  # `-S` on a front that shows `-sS`
    said = content_words(answer)
    shown = content_words(front)
    if said and said <= shown:
        return True
    words = re.findall(r"[\w+#]+", plain(answer).lower())
    if (
        head
        and words
        and len(words[0]) >= 2
        and words[0] in re.findall(r"[\w+#]+", plain(front).lower())
    ):
        return len(words) <= 4
    if len(said) == 1:
        from cardgen.questions.text import _prefixed

        return any(_prefixed(a, f) for a in said for f in shown)
    return False


def _without_giveaway(q: Question) -> Question:
    if q.style == "basic" and q.kind not in OPTIONS_IN_PROMPT and gives_away(q.prompt, q.answer):
        return replace(q, prompt=mask(q.prompt, q.answer))
    return q


def _with_footnotes(q: Question, footnotes: dict[str, str]) -> Question:
    """`[^1]` markers leave the card's text; the notes they point to join its explanation."""
    text = " ".join(
        t
        for t in (
            q.prompt,
            q.answer,
            q.explanation,
            q.reverse_prompt or "",
            q.cloze and "".join(q.cloze) or "",
        )
        if t
    )
    labels = list(dict.fromkeys(_FOOTNOTE.findall(text)))
    if not labels:
        return q

    def strip(value: str | None) -> str | None:
        return _FOOTNOTE.sub("", value).strip() if value else value

    notes = " ".join(f"[{label}] {footnotes[label]}" for label in labels if label in footnotes)
    return replace(
        q,
        prompt=strip(q.prompt) or "",
        answer=strip(q.answer) or "",
        reverse_prompt=strip(q.reverse_prompt),
        reverse_answer=strip(q.reverse_answer),
        cloze=tuple(_FOOTNOTE.sub("", c) for c in q.cloze) if q.cloze else None,  # type: ignore[arg-type]
        listing=tuple(_FOOTNOTE.sub("", t) for t in q.listing),
        explanation=" ".join(p for p in (strip(q.explanation), notes) if p),
    )
