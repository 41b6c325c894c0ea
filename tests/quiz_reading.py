"""Reading a quiz's JSON as a student would, written apart from cardgen's own selection code:
what each question asks, and whether one question's text gives another's answer away."""

from __future__ import annotations

import re
from collections.abc import Iterator

WORD = re.compile(r"\w+(?:[-']\w+)*")
NAME_BREAK = re.compile(r"[—–→:;?!()\[\]{}\"“”,|]|\s-\s|\.\s|\.$")
SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+|;\s+|\n+")
ASKING = set(
    """a an the of to in on at by for from with and or but not no is are was were be been it
    its this that these those as into than then so can may must should will would do does did
    has have had you your we our they their there which who whom whose what when where why how
    all any each every some more most very also just only if else vs comes come right after
    before next step state states call calls missing command term terms means mean meaning
    sends send enter enters put order match true false proposed answer key takeaway line last
    give fill blank name both side following part correct best one kind type value item""".split()
)


def plain(text: str) -> str:
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return text.replace("`", "").replace("**", "")


def words(text: str) -> list[str]:
    return WORD.findall(plain(text).casefold())


def contains(haystack: list[str], needle: list[str]) -> bool:
    n = len(needle)
    return n > 0 and any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))


def names_in(stem: str, answer: str) -> list[list[str]]:
    """Runs of naming words in a stem (what the question is about), the answer left out."""
    out: list[list[str]] = []
    gone = words(answer)
    for part in NAME_BREAK.split(plain(stem)):
        run: list[str] = []
        ws = words(part)
        skip: set[int] = set()
        for i in range(len(ws) - len(gone) + 1):
            if gone and ws[i : i + len(gone)] == gone:
                skip.update(range(i, i + len(gone)))
        for i, w in enumerate(ws + [""]):
            if i in skip or w in ASKING or not w:
                if run:
                    out.append(run)
                run = []
            else:
                run.append(w)
    return out


def specific(answer: str) -> bool:
    return "`" in answer or bool(re.search(r"\d", answer)) or len(words(answer)) >= 3


def asked(q: dict) -> Iterator[tuple[str, str]]:
    """(stem, answer) of every fact a question asks, as the key states it."""
    kind = q["kind"]
    if kind in ("multiple_choice", "classification"):
        index = ord(q["answer"]) - ord("A")
        stem = q["prompt"].split(":")[0] if kind == "classification" else q["prompt"]
        yield stem, q["options"][index]
    elif kind == "true_false":
        if q["answer"] == "True":
            yield q["prompt"], q["statement"]
    elif kind == "fill_in":
        yield q["prompt"].replace("_____", " "), q["answer"]
    elif kind == "matching":
        for item, letter in zip(q["items"], q["answer"], strict=True):
            yield item, q["options"][ord(letter) - ord("A")]
    elif kind == "ordering":
        order = sorted(zip((int(n) for n in q["answer"]), q["items"], strict=True))
        name = q["prompt"].split(":")[0]
        for (_, a), (_, b) in zip(order, order[1:], strict=False):
            yield f"{name}: after {a}", b


def shown(q: dict) -> list[str]:
    """What a question shows: its stem, the answer it proposes, its code, its explanation."""
    return [f"{q['prompt']} {q.get('statement', '')}", q.get("code", ""), q["explanation"]]


def gives_away(text: str, stem: str, answer: str) -> bool:
    """Whether `text` states the answer of (stem, answer): the answer in a sentence that also
    names what the stem asks about; a specific answer (code, a number, 3+ words) anywhere."""
    target = words(answer)
    if not target:
        return bool(plain(answer).strip()) and plain(answer).strip() in text
    names = names_in(stem, answer)
    for sentence in SENTENCE_BREAK.split(text):
        ws = words(sentence)
        if not contains(ws, target):
            continue
        if specific(answer) or any(contains(ws, name) for name in names):
            return True
    return False


def leaks(questions: list[dict]) -> list[str]:
    """Every (question, question) pair where the second's text gives the first's answer."""
    out = []
    for a in questions:
        for stem, answer in asked(a):
            for b in questions:
                if b is a:
                    continue
                for text in shown(b):
                    if text and gives_away(text, stem, answer):
                        out.append(f"Q{b['number']} shows Q{a['number']}'s answer {answer!r}")
                        break
    return out


def same_facts(questions: list[dict]) -> list[str]:
    """Pairs of questions that ask one fact: the same answer about the same named thing."""
    out = []
    facts = [(q, stem, answer) for q in questions for stem, answer in asked(q)]
    for i, (qa, sa, aa) in enumerate(facts):
        for qb, sb, ab in facts[i + 1 :]:
            if qa is qb or words(aa) != words(ab):
                continue
            shared = [n for n in names_in(sa, aa) if n in names_in(sb, ab)]
            if any(not all(w.isdigit() for w in n) for n in shared):
                out.append(f"Q{qa['number']} and Q{qb['number']} both ask {aa!r}")
    return out
