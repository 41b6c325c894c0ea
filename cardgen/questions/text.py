"""Small text helpers for phrasing questions: plain text, words, sentences, short answers."""

from __future__ import annotations

import re
from functools import lru_cache

from cardgen.parse.inline import CODE_SPAN, strip_code

BLANK = "____"
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_FOOTNOTE = re.compile(r"\[\^[^\]]+\]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z`*\"“(])")
_CLAUSE = re.compile(r"\s*—\s*|\s+–\s+|\s*;\s+|:\s+(?=[a-z])")
STOPWORDS = frozenset(
    """a an the of to in on at by for from with and or but is are was were be been being
    it its this that these those as into over under than then so such via per can could may
    might must should will would do does did has have had you your we our they their there
    here which who whom what when where why how all any each every some more most less very
    also just only if else e.g i.e etc vs""".split()
)
GENERIC_VERBS = frozenset(
    """show shows display displays list lists print prints get gets set sets create creates
    make makes run runs use uses see view views check checks give gives return returns""".split()
)


@lru_cache(maxsize=16384)
def plain(text: str) -> str:
    """Inline text as a reader sees it: no backticks, no `**`, images as their alt text."""
    text = _FOOTNOTE.sub("", text)
    text = _IMAGE.sub(lambda m: m.group(1), text)
    return strip_code(text).replace("**", "").strip()


@lru_cache(maxsize=16384)
def norm(text: str) -> str:
    return re.sub(r"\s+", " ", plain(text).casefold().strip(" .\"'“”"))


def words(text: str) -> list[str]:
    return re.findall(r"[\w'+#./-]+", plain(text))


def word_count(text: str) -> int:
    return len(words(text))


def _stem(word: str) -> str:
    w = word.casefold().strip(".'/-")
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 4 and re.search(r"(?:ss|x|z|ch|sh)es$", w):
        return w[:-2]
    for suffix in ("ing", "ed", "s"):
        if len(w) > len(suffix) + 2 and w.endswith(suffix) and not w.endswith("ss"):
            return w[: -len(suffix)]
    return w


@lru_cache(maxsize=32768)
def content_words(text: str) -> frozenset[str]:
    """Stems of the words that carry meaning (no stopwords, no generic verbs)."""
    return frozenset(
        _stem(w)
        for w in re.findall(r"[\w+#]+", plain(text).casefold())
        if w not in STOPWORDS and w not in GENERIC_VERBS and (len(w) > 1 or w.isdigit())
    )


def rewords(cue: str, answer: str) -> bool:
    """Whether the answer only rewords the cue: most of its meaningful words stand in it."""
    said = content_words(answer)
    if not said:
        return False
    shown = content_words(cue)
    shared = said & shown
    if len(shared) / len(said) >= 0.5:
        return True
    core = content_words(re.sub(r"\s*(?:\([^()]*\)|\[[^\[\]]*\])", "", plain(answer)))
    if not core or core == said:
        return False
    shared = {w for w in core if w in shown or any(_prefixed(w, s) for s in shown)}
    return len(shared) / len(core) >= 0.5


def _prefixed(a: str, b: str) -> bool:
    """`bench` / `benchmark`, `repo` / `repository`: one word is the start of the other."""
    short, long = sorted((a, b), key=len)
    return len(short) >= 4 and long.startswith(short)


def gives_away(prompt: str, answer: str) -> bool:
    """Whether the answer's words stand in the prompt as a whole word."""
    a = norm(answer)
    if not a:
        return False
    text = norm(prompt)
    start = text.find(a)
    while start != -1:
        end = start + len(a)
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        if not (before.isalnum() or before == "_") and not (after.isalnum() or after == "_"):
            return True
        start = text.find(a, start + 1)
    return False


@lru_cache(maxsize=4096)
def _whole_word(target: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w)(?:`|\*\*)?{re.escape(target)}(?:`|\*\*)?(?!\w)", re.I)


def mask(text: str, answer: str) -> str:
    """Replace whole-word occurrences of `answer` in `text` by a blank."""
    target = plain(answer)
    if not target:
        return text
    pattern = _whole_word(target)
    out: list[str] = []
    last = 0
    for m in CODE_SPAN.finditer(text):
        out.append(pattern.sub(BLANK, text[last : m.start()]))
        whole = m.group(2).strip() == target
        out.append(BLANK if whole else m.group(0))
        last = m.end()
    out.append(pattern.sub(BLANK, text[last:]))
    return "".join(out)


def unquote(text: str) -> str:
    return text.strip().strip('"“”').strip()


def sentences(text: str) -> list[str]:
    """Split inline text into sentences (code spans are never split)."""
    guarded = CODE_SPAN.sub(lambda m: m.group(0).replace(".", "\0"), text)
    guarded = re.sub(r"\b(e\.g|i\.e|etc|vs|approx|incl|esp|resp|cf|ca)\.", r"\1\0", guarded)
    parts = _SENTENCE_END.split(guarded)
    return [p.replace("\0", ".").strip() for p in parts if p.strip()]


def bold_spans(text: str) -> list[str]:
    return [
        m.group(1).strip() for m in re.finditer(r"\*\*([^*]+?)\*\*", text) if m.group(1).strip()
    ]


_EXAMPLE_ASIDE = re.compile(r"\s*\((?:e\.\s?g\.?,?|eg,?|for example,?|such as|ex:)\s[^()]*\)", re.I)
"""`(e.g., 192.168.1.1)`: an example beside the fact, shown after the answer, never asked."""


def short_answer(text: str, limit: int = 15, prefer_bold: bool = False) -> tuple[str, str] | None:
    """(answer, more) where the answer is short: the whole text, its first sentence or clause,
    or its bold phrase; None when nothing short says it."""
    text = text.strip()
    if not text:
        return None
    example = _EXAMPLE_ASIDE.search(text)
    if example and _EXAMPLE_ASIDE.sub("", text).strip():
        found = short_answer(_EXAMPLE_ASIDE.sub("", text), limit, prefer_bold)
        if found is not None:
            more = " ".join(p for p in (found[1], example.group(0).strip()) if p)
            return found[0], more
    bold = bold_spans(text)
    if prefer_bold and len(bold) == 1 and word_count(bold[0]) <= 6 and word_count(text) > 6:
        return f"**{bold[0]}**", text
    if word_count(text) <= limit:
        return text, ""
    first = sentences(text)[0]
    if word_count(first) <= limit:
        return first.rstrip(), text[len(first) :].strip()
    clause = _CLAUSE.split(first)[0].strip()
    if 2 <= word_count(clause) <= limit:
        return clause, text[len(clause) :].strip(" ;:—–")
    if len(bold) == 1 and word_count(bold[0]) <= 6:
        return f"**{bold[0]}**", text
    return None


def lower_first(text: str) -> str:
    """`Show all sockets` → `show all sockets`, leaving acronyms and code alone."""
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


def strip_end(text: str) -> str:
    return text.strip().rstrip(".:;,").strip()
