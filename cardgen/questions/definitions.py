"""Definitions in every form (`**Term**: text`, `` `cmd` - text ``, `Term` + `: text`, a tldr
summary, a heading naming an API): the term ↔ its text, or the subject's attribute."""

from __future__ import annotations

import re
from collections import defaultdict

from cardgen.model import Block, Definition, KeyValue, Sheet
from cardgen.parse.patterns import VERBS as VERB_STEMS
from cardgen.questions.facts import SLOT, Fact, emit, is_command
from cardgen.questions.model import QuestionBank, make_key
from cardgen.questions.outcome import Outcomes
from cardgen.questions.snippets import _rewords_command as rewords_command
from cardgen.questions.text import content_words, norm, plain, strip_end

GENERIC_TERMS = {"definition", "meaning", "summary", "answer"}
PURPOSE_TERMS = {"purpose", "goal", "idea", "aim"}
_VERB_3RD = re.compile(r"^[a-z]+(?:s|es)\b")


def which(kind_word: str, verb: bool) -> str:
    """`Which command creates …?` for a text that starts with a verb, `Which term: …?`
    otherwise (the text goes where `SLOT` is)."""
    return f"Which {kind_word} {SLOT}?" if verb else f"Which {kind_word}: {SLOT}?"


def kind_word(term: str) -> str:
    if is_command(term):
        return "command"
    if term.startswith("`") and "(" in term:
        return "call"
    if term.startswith("`"):
        return "one"
    return "term"


def predicate(text: str, term: str) -> str:
    """`The `values()` method gets the values` → `gets the values`: the text without its
    subject, when it starts by naming the term."""
    bare_term = re.escape(plain(term))
    m = re.match(
        rf"^(?:the\s*)?`?\**{bare_term}\**`?(?:\s+(?:method|function|command|keyword|operator|"
        rf"flag|option|call|macro|type|trait|statement|clause))?\s+(?=[a-z])",
        text,
        re.I,
    )
    rest = text[m.end() :] if m else text
    return strip_end(rest) if rest != text else text.rstrip(":").strip()


def definition_fact(
    bank: QuestionBank,
    owner: Block,
    d: Definition | KeyValue,
    label: str = "",
    family: tuple[str, ...] = (),
    names: tuple[str, ...] = (),
    attribute_groups: dict[str, list[str]] | None = None,
) -> Fact | None:
    """The fact of one definition (standalone, or an item of a list labelled `label`)."""
    term = d.term if isinstance(d, Definition) else d.key
    text = d.text if isinstance(d, Definition) else d.value
    form = d.form if isinstance(d, Definition) else "key_value"
    if not text.strip():
        return None
    subject = d.section[-1] if d.section else bank.sheet_title
    lowered = norm(term)
    # a list under its heading, with no label of its own, is named by the heading: its facts
    # keep their keys when a second definition turns one into a list
    key_label = "" if d.section and norm(label) == norm(d.section[-1]) else label
    base = dict(block=owner, pos=d.pos, section=d.section, family=family, names=names)
    starts_with_verb = bool(re.match(r"^[A-Z]?[a-z]+(?:s|es)\b", plain(term))) and (
        plain(term).split()[0].lower().rstrip("s") in VERB_STEMS
        or plain(term).split()[0].lower()[:-2] in VERB_STEMS
    )
    attribute = form == "attribute" or (
        form in ("bold", "label")
        and not label
        and d.section
        and (not is_specific(term) or starts_with_verb)
    )
    if attribute or (not label and lowered in GENERIC_TERMS | PURPOSE_TERMS):
        if lowered in GENERIC_TERMS:
            forward = subject if subject.endswith("?") else f"What is {subject}?"
        elif lowered in PURPOSE_TERMS:
            shown = re.sub(r"^The\s+", "the ", subject)
            forward = f"What is the {lowered} of {shown}?"
        else:
            forward = f"{subject} — {term}?"
        group = (attribute_groups or {}).get(lowered, [])
        mine = content_words(text)
        unique = (
            len(group) >= 3
            and bool(mine)
            and sum(bool(mine & content_words(t)) for t in group) == 1
        )
        return Fact(
            key=make_key(bank.sheet_name, d.section, "def", term),
            name=subject,
            text=text,
            context=subject,
            forward=forward,
            reverse=f"Which one has {term} “{SLOT}”?",
            kind="definition",
            reverse_ok=unique and lowered not in GENERIC_TERMS | PURPOSE_TERMS,
            **base,
        )
    word = "command" if form == "summary" else kind_word(term)
    if form in ("api", "summary", "code") and term.startswith("`"):
        text = predicate(text, term)
        verb = _VERB_3RD.match(text) is not None
        forward = f"What does {term} do?" if verb or form == "summary" else f"What is {term}?"
        return Fact(
            key=make_key(bank.sheet_name, d.section, *filter(None, [key_label]), "def", term),
            name=term,
            text=text,
            context=label or subject,
            forward=f"{label}: {forward[0].lower()}{forward[1:]}" if label else forward,
            reverse=which(word, verb),
            kind="definition",
            forward_ok=not is_command(term),
            reverse_ok=not (is_command(term) and rewords_command(text, plain(term))),
            **base,
        )
    if form == "key_value":
        name_like = bool(re.match(r"^(?:`|\d)|^[A-Z0-9_]{2,}\b", term))
        return Fact(
            key=make_key(bank.sheet_name, d.section, *filter(None, [key_label]), "kv", term),
            name=term,
            text=text,
            context=label,
            forward=f"{label} — {term}?" if label else f"{subject} — {term}?",
            reverse=f"{label}: which one is “{SLOT}”?" if label else f"Which one is “{SLOT}”?",
            kind="key_value",
            reverse_ok=name_like,
            **base,
        )
    forward = f"{label} — {term}?" if label else f"What is {term}?"
    if re.fullmatch(r"[\d/.,-]+", plain(term)):
        word = "one"
    reverse = f"Which {word} means “{SLOT}”?"
    if label:
        reverse = f"{label}: which {word} means “{SLOT}”?"
    return Fact(
        key=make_key(bank.sheet_name, d.section, *filter(None, [key_label]), "def", term),
        name=term,
        text=text,
        context=label or subject,
        forward=forward,
        reverse=reverse,
        kind="definition",
        **base,
    )


def is_specific(term: str) -> bool:
    """A term of its own (an acronym, code, a name with digits or capitals) rather than a
    common word naming an attribute of the heading's subject (`Problem`, `Safe`)."""
    bare = plain(term)
    if term.startswith("`") or re.search(r"\d|[A-Z]{2,}|[a-z][A-Z]", bare):
        return True
    words = bare.split()
    return (
        len(words) > 1
        and sum(w[:1].isupper() for w in words[1:]) == len(words) - 1
        and (not re.match(r"^[A-Z][a-z]+s\b", bare))
    )


def attribute_groups(sheet: Sheet) -> dict[str, list[str]]:
    """Attribute definitions by term across the sheet (`Function` of every layer)."""
    groups: dict[str, list[str]] = defaultdict(list)
    for block in sheet.blocks:
        if isinstance(block, Definition) and (
            block.form == "attribute"
            or block.form in ("bold", "label")
            and not is_specific(block.term)
        ):
            groups[norm(block.term)].append(block.text)
    return groups


def definition_questions(sheet: Sheet, bank: QuestionBank, out: Outcomes) -> None:
    groups = attribute_groups(sheet)
    for block in sheet.blocks:
        if not isinstance(block, Definition):
            continue
        fact = definition_fact(bank, block, block, attribute_groups=groups)
        if fact is None:
            if not block.sub:
                out.skip(block, "a term with no text")
            continue
        emit(out, fact)
        if block.sub:
            from cardgen.questions.lists import entry_questions

            entry_questions(bank, out, block, block.sub, plain(block.term))
