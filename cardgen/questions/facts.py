"""One named fact (a term and its text, a key and its value, a row's cell) turned into a card:
forward (name → text) where the text is short and says more than the name, reverse
(text → name) where the text names exactly one thing. Both directions are two cards of one
note, so Anki buries the sibling. The shared rules of every generator live here."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cardgen.model import Block, SourcePos
from cardgen.questions.model import Question
from cardgen.questions.outcome import Outcomes
from cardgen.questions.quality import (
    answer_problem,
    cue_problem,
    is_label,
    is_vague,
    leans_on_context,
)
from cardgen.questions.text import (
    content_words,
    gives_away,
    lower_first,
    mask,
    norm,
    plain,
    rewords,
    sentences,
    short_answer,
    strip_end,
    word_count,
)

SLOT = "\x00"
"""Where the (masked) text goes in a reverse question's template."""
SET_MIN = 3
"""A comma list of this many short items is a set: never one answer (no sets, SuperMemo)."""
_COMMAND_WORD = re.compile(r"^`[a-z][\w.-]*(?:\s+[\w.=:/<>{}\[\]|-]+)*`$")


@dataclass(slots=True)
class Fact:
    """A name and what the sheet says of it, with where it stands."""

    block: Block
    key: str
    name: str
    """The thing named: a term, a row key, a command."""
    text: str
    """What the sheet says of it."""
    pos: SourcePos
    section: tuple[str, ...]
    context: str
    """What the fact belongs to (the list's label, the table's title)."""
    forward: str
    """The question asking for `text`, e.g. `What is TCP?`, `State Descriptions — LISTEN — Who?`."""
    reverse: str
    """The question asking for `name`, with `SLOT` where the (masked) text goes."""
    kind: str
    family: tuple[str, ...] = ()
    """Sibling texts: distractors for the forward question."""
    names: tuple[str, ...] = ()
    """Sibling names: distractors for the reverse question."""
    reverse_ok: bool = True
    forward_ok: bool = True
    prefer_bold: bool = False
    key_extra: tuple[str, ...] = ()
    column: str = ""
    also_true: frozenset[str] = field(default_factory=frozenset)
    compares: bool = False
    """A cell of a comparison (TCP vs UDP): its cue is the column, which the text may not name."""


def is_set(text: str) -> bool:
    """`HTTP, HTTPS, FTP, SMTP, DNS`: several short items and nothing else."""
    from cardgen.parse.patterns import is_verb_3rd

    parts = [p for p in re.split(r",|\s+and\s+|;", plain(text).rstrip(".")) if p.strip()]
    if parts and is_verb_3rd(parts[0].strip()):
        return False  # `Establishes, manages, and terminates sessions`: one description
    return len(parts) >= SET_MIN and all(word_count(p) <= 3 for p in parts)


def is_command(name: str) -> bool:
    """A code name that reads like a command line (`git status`, `docker ps -a`)."""
    return bool(_COMMAND_WORD.match(name.strip())) and " " in name.strip()


_SAME_ACT = (
    {"create", "allocate", "make", "new", "construct", "instantiate"},
    {"close", "terminate", "shut", "end", "finish"},
    {"connect", "establish", "open"},
    {"read", "write", "exchange", "transfer"},
    {"delete", "remove", "erase", "destroy"},
    {"start", "begin", "launch", "spawn"},
    {"stop", "halt", "kill", "abort"},
    {"find", "search", "locate", "lookup"},
    {"copy", "duplicate", "clone"},
    {"test", "tests", "testing"},
)
"""Words for one act: `Create` glossed "Allocate a new socket" says its own name again."""


def _words(text: str) -> set[str]:
    from cardgen.questions.text import STOPWORDS, _stem

    found = re.findall(r"[a-z][a-z0-9]+", re.sub(r"[_()/]", " ", plain(text)).casefold())
    return {_stem(w) for w in found if w not in STOPWORDS}


def _said(part: str, said: set[str]) -> bool:
    if part in said:
        return True
    if any(part == a + b for a in said for b in said if a != b):
        return True  # `:tabfirst`, "Go to first tab"
    if len(part) >= 5 and any(w[:5] == part[:5] and len(w) >= 5 for w in said):
        return True  # `connect`, "connection"
    return any(part in group and group & said for group in _SAME_ACT)


def repeats_name(name: str, text: str) -> bool:
    """`Accept`: "Accept an incoming connection", `SYN_SENT`: "Sent SYN, waiting…",
    `Create`: "Allocate a new socket", `cargo test`: "Run the tests": every word of the name
    (but a command's tool) stands in its text, or a word for the same act does."""
    bare = plain(name).strip("`").strip()
    if is_command(f"`{bare}`"):
        bare = bare.split(None, 1)[1]  # the tool is not what the text could repeat
    parts = _words(bare)
    if not parts or len(parts) > 3:
        return False
    said = _words(text)
    if name.lstrip().startswith("`") and len(parts) < 2 and not is_command(name):
        # `trait T {}` → "Define a trait; common behavior types can adhere to": the keyword
        # is not the whole name; `[:upper:]` → "All upper case letters" says nothing more
        return word_count(text) <= 5 and all(_said(p, said) for p in parts)
    return all(_said(p, said) for p in parts)


def emit(out: Outcomes, fact: Fact) -> Question | None:
    """Make the card(s) of one fact, or record why not. Returns the question made."""
    block = fact.block
    if (why := cue_problem(fact.name)) is not None:
        out.skip(block, why, fact.pos.line)
        return None
    if is_label(fact.name) and not fact.name.startswith("`"):
        out.skip(block, f"'{plain(fact.name)}' is a label, not a fact", fact.pos.line)
        return None
    if leans_on_context(fact.name) or word_count(fact.name) > 8:
        out.skip(block, f"'{plain(fact.name)[:40]}' does not name one thing", fact.pos.line)
        return None
    if not fact.compares and repeats_name(fact.name, fact.text):
        out.skip(
            block,
            f"the text repeats the name '{plain(fact.name)[:40]}': each side gives the other away",
            fact.pos.line,
        )
        return None
    forward, no_forward = _forward(fact)
    reverse, no_reverse = _reverse(fact)
    if forward is None and reverse is None:
        out.skip(block, f"{no_forward}; asked the other way: {no_reverse}", fact.pos.line)
        return None
    common = dict(
        key=fact.key,
        kind=fact.kind,
        block=block.kind,
        context=fact.context,
        source=fact.pos,
        section=fact.section,
        key_extra=fact.key_extra,
        column=fact.column,
    )
    if forward is not None:
        answer, more = forward
        both = dict(style="reverse", reverse_prompt=reverse, reverse_answer=fact.name)
        q = Question(
            prompt=fact.forward,
            answer=answer,
            family=fact.family,
            also_true=fact.also_true,
            explanation=more,
            **(both if reverse is not None else {}),
            **common,
        )
    else:
        assert reverse is not None
        q = Question(
            prompt=reverse,
            answer=fact.name,
            family=fact.names,
            explanation=fact.text if word_count(fact.text) > 12 else "",
            **common,
        )
    out.add(block, q)
    return q


def _forward(fact: Fact) -> tuple[tuple[str, str] | None, str]:
    """((answer, more), "") or (None, why the name → text card is not made)."""
    if not fact.forward_ok:
        return None, "asked only by what it does"
    if is_set(fact.text):
        n = len(re.split(r",|\s+and\s+|;", plain(fact.text)))
        return None, f"a set of {n} items is not one answer"
    if is_vague(fact.text):
        return None, f"'{plain(fact.text)}' says too little to be a fact"
    short = short_answer(fact.text, prefer_bold=fact.prefer_bold)
    if short is None:
        return None, f"text of {word_count(fact.text)} words: too long for one answer"
    answer, more = short
    if (why := answer_problem(answer)) is not None:
        return None, why
    digits = max(
        (len(re.sub(r"[_,']", "", d)) for d in re.findall(r"\d[\d_,']*", answer)), default=0
    )
    if digits > 10:
        return None, f"a number of {digits} digits: nobody recalls it digit by digit"
    if gives_away(fact.forward, answer):
        return None, "the answer stands in the question"
    if rewords(plain(fact.name), answer) and word_count(answer) <= 4:
        return None, "the text only rewords the name"
    return (strip_end(answer) if answer.endswith((".", ";")) else answer, more), ""


def _reverse(fact: Fact) -> tuple[str | None, str]:
    """(the text → name question, "") or (None, why it is not made)."""
    if not fact.reverse_ok:
        return None, "the text does not name one thing"
    if word_count(fact.name) > 6:
        return None, "the name is too long to ask for"
    if is_vague(fact.text) or is_set(fact.text):
        return None, "the text says too little to name one thing"
    first = sentences(fact.text)[0] if sentences(fact.text) else fact.text
    shown = short_answer(first)
    shown_text = shown[0] if shown else ""
    if not shown_text or answer_problem(shown_text, 30) is not None:
        return None, "the text is too long to ask by"
    if re.fullmatch(r"\s*(`+)[^`]+\1\s*", shown_text):
        return None, "the text is code: it is the answer, never the question"
    if re.fullmatch(r"[\d.,:/ -]+", plain(shown_text)) and not re.search(
        r"\b(?:port|number|code|id|errno|signal|status|value|address|mask|prefix)s?\b",
        plain(fact.reverse),
        re.I,
    ):
        return None, "a number alone names nothing here"
    masked = mask(shown_text, fact.name)
    if masked != shown_text and len(content_words(fact.name)) <= 1:
        return None, "the text contains the name"
    for part in re.findall(r"[\w-]{4,}", plain(fact.name)):
        if len(content_words(fact.name)) > 1 and part.lower() in plain(masked).lower():
            masked = mask(masked, part)
    if gives_away(masked, fact.name) or masked != shown_text:
        return None, "the text contains the name"  # a blank in the cue leaves half a question
    if not content_words(masked):
        return None, "the text says too little to name one thing"
    if rewords(masked, fact.name) and not fact.name.startswith("`"):
        return None, "the name only rewords the text"
    if [norm(t) for t in fact.family].count(norm(fact.text)) > 1:
        return None, "another item has the same text"
    shown = (
        strip_end(lower_first(masked)) if fact.reverse.endswith(f"{SLOT}?") else strip_end(masked)
    )
    return fact.reverse.replace(SLOT, shown), ""
