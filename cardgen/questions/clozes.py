"""Which words of a sentence to hide: the key term, never the sentence. The sheet's own marks
come first (bold, code), then what a learner would be asked about: a state, a number with its
unit, a term the sheet defines, the complement of `X is …` / `X = …`."""

from __future__ import annotations

import re
from collections.abc import Iterable

from cardgen.parse.inline import CODE_SPAN
from cardgen.questions.text import STOPWORDS, plain, word_count

MAX_HIDDEN_WORDS = 6
_BOLD = re.compile(r"\*\*([^*]+?)\*\*")
_CODE = CODE_SPAN
_STATE = re.compile(r"(?<![\w`])[A-Z][A-Z0-9]*_[A-Z0-9_]+(?![\w`])")
_NUMBER = re.compile(
    r"(?<![\w.])\d[\d,.]*(?:\s*[-–]\s*\d[\d,.]*)?\+?\s*"
    r"(?:%|ms|µs|us|ns|s\b|secs?\b|seconds?|minutes?|mins?\b|hours?|days?|bytes?|bits?|"
    r"[KMGT]i?B\b|[kMG]bps|RTTs?|×|x\b|times|ports?|layers?|steps?|bits|octets?|hops?)(?!\w)"
)
_EQUATION = re.compile(r"(?P<x>[^=,;]{1,40}?)\s+=\s+(?P<y>[^=,;]{1,60})")
_COPULA = re.compile(
    r"^(?:[^,]{0,40},\s+)?(?P<x>(?:\S+\s+){0,3}?\S+)\s+"
    r"(?:(?:is|are|was|were)(?:\s+(?:often|usually|always|also|mostly))?"
    r"(?:\s+(?:treated as|known as|called|used for|used as|like|similar to))?|means|stands for|"
    r"acts? as|becomes?|equals)\s+(?:(?:a|an|the|your|our|their|its)\s+)?"
    r"(?P<y>[^,;.()]{2,60}?)\s*[.!]?$",
    re.I,
)
_QUOTED = re.compile(r"[\"“]([^\"“”]{2,60})[\"”]")


def _spans(pattern: re.Pattern[str], text: str, group: int = 0) -> list[tuple[int, int]]:
    return [(m.start(group), m.end(group)) for m in pattern.finditer(text)]


MAX_SENTENCE_WORDS = 20
_FILLER = frozenset(
    """always never only not all none must should may might can cannot every each any some
    most many more less very really also too just still already yes no true false""".split()
)
_NOT_A_TERM = re.compile(
    r"^(?:how|what|when|where|which|why|who|our|your|their|its|his|her|this|that|these|those|"
    r"here|there)\b|\b(?:is|are|was|were|be|been|can|will|would|should|does|do)\b|"
    r"\b(?:of|in|on|at|to|for|with|within|by|from|into)$",
    re.I,
)


_LEANS_BACK = re.compile(
    r"(?:however|but|so|also|thus|therefore|hence|otherwise|instead|likewise|similarly|"
    r"then|this|that|these|those|it|they|here|there|such)\b(?!\s*(?:=|is\s+called))",
    re.I,
)
_SETUP = re.compile(r"(?:assume|suppose|imagine|say|let's|given|pretend)\b", re.I)


def _ok(text: str, span: tuple[int, int], context_words: int = 2) -> bool:
    hidden = text[span[0] : span[1]]
    if not plain(hidden).strip() or word_count(hidden) > MAX_HIDDEN_WORDS:
        return False
    shown = text[: span[0]] + text[span[1] :]
    visible = [w for w in re.findall(r"\w+", plain(shown).lower()) if w not in STOPWORDS]
    return len(visible) >= context_words and word_count(hidden) <= max(1, word_count(text) // 2)


def _term_like(text: str, span: tuple[int, int]) -> bool:
    """A code span worth hiding names something (`TcpStream::connect`, `SO_REUSEADDR`,
    `unsafe`), not a one-letter variable of the example (`t`, `S`, `x`)."""
    hidden = plain(text[span[0] : span[1]])
    return len(hidden) >= 3 and not re.fullmatch(r"[A-Za-z]\w?", hidden)


def _noun_like(text: str, span: tuple[int, int]) -> bool:
    """A bold phrase worth hiding is a name (`file descriptors`), not a clause (`function is
    called`) or a fragment (`location of`)."""
    hidden = plain(text[span[0] : span[1]]).strip()
    first = hidden.split()[0].lower() if hidden.split() else ""
    if hidden.lower() in _FILLER:
        return False
    return word_count(hidden) <= 3 and not _NOT_A_TERM.search(hidden) and not first.endswith("ly")


def key_terms(
    sentence: str, known: Iterable[str] = (), limit: int = 2, marks_only: bool = False
) -> list[tuple[int, int]]:
    """Spans of `sentence` (inline text) to hide, in sentence order, at most `limit`, never
    overlapping. A sentence that is long, or a lead-in ending in `:`, has none. Where the
    author bolded words, only those are hidden; `marks_only` keeps to bold and code."""
    words = word_count(sentence)
    if words > MAX_SENTENCE_WORDS or plain(sentence).rstrip().endswith((":", ",", ";")):
        return []
    if words < 3 or (plain(sentence)[:1].islower() and not sentence.startswith("`")):
        return []  # a fragment: it continues a sentence that is not on the card
    if plain(sentence).rstrip().endswith("?") or _SETUP.match(plain(sentence)):
        return []  # a question the author asks, or the set-up of an example: no fact in it
    if _LEANS_BACK.match(plain(sentence)):
        return []  # `However, the … also …`: it goes on from a sentence not on the card
    bold = _spans(_BOLD, sentence)
    candidates = [s for s in bold if _noun_like(sentence, s)]
    if not bold:
        code = [s for s in _spans(_CODE, sentence) if _term_like(sentence, s)]
        candidates = code if len(code) == 1 and len(_spans(_CODE, sentence)) == 1 else []
    if not marks_only and not bold:
        candidates += [
            s for s in _spans(_QUOTED, sentence, 1) if word_count(sentence[s[0] : s[1]]) <= 4
        ]
        candidates += _spans(_STATE, sentence) + _spans(_NUMBER, sentence)
        for term in sorted({plain(k) for k in known if k}, key=len, reverse=True):
            if words > 15 or len(term) < 3 or (term.islower() and " " not in term):
                continue
            flags = re.I if " " in term else 0
            for m in re.finditer(rf"(?<!\w){re.escape(term)}(?!\w)", sentence, flags):
                candidates.append((m.start(), m.end()))
        if not candidates:
            candidates += [(m.start("y"), m.end("y")) for m in _EQUATION.finditer(sentence)]
        if not candidates and words <= 12:
            m = _COPULA.search(sentence)
            if m and word_count(m.group("y")) <= 3 and _ok(sentence, m.span("y"), 1):
                return [m.span("y")]
    found: list[tuple[int, int]] = []
    for span in candidates:
        if len(found) >= limit:
            break
        if any(span[0] < b and a < span[1] for a, b in found) or not _ok(sentence, span, 3):
            continue
        hidden = plain(sentence[span[0] : span[1]]).lower().strip()
        rest = plain(sentence[: span[0]] + " " + sentence[span[1] :]).lower()
        if hidden and hidden in rest:
            continue  # the rest of the sentence shows it
        if set(re.findall(r"\d+", hidden)) & set(re.findall(r"\d+", rest)):
            continue  # `/24 means the first [24 bits] …`: its number stands beside it
        found.append(span)
    found.sort()
    for (_a, b), (c, _d) in zip(found, found[1:], strict=False):
        if re.fullmatch(r"\s*(?:,|and|or|&|/)\s*(?:and\s+)?", sentence[b:c]):
            return []  # `TIME_WAIT and CLOSE_WAIT`: items of one set, each the other's cue
    return found
