"""Code snippets: fill in the key call; shell snippets: which command does this."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from cardgen.model import Sheet, Snippet
from cardgen.parse.inline import code_span
from cardgen.questions.model import Question, QuestionBank, make_key

_PATH_CALL = re.compile(r"\b([A-Z][A-Za-z0-9_]*::[a-z_][a-z0-9_]*)\s*(?:::<[^>]*>)?\(")
_METHOD_CALL = re.compile(r"\.([a-z_][a-z0-9_]*)\s*(?:::<[^>]*>)?\(")
_COMMENT = re.compile(r"//[^\n]*|#[^\n]*|/\*.*?\*/", re.S)
_STRING = re.compile(r'"(?:\\.|[^"\\])*"')
GENERIC_CALLS = frozenset(
    {
        "into",
        "unwrap",
        "expect",
        "clone",
        "iter",
        "to_string",
        "as_ref",
        "len",
        "map",
        "collect",
        "ok",
        "format",
        "push",
        "get",
        "new",
        "is_ok",
        "is_err",
        "as_str",
        "to_owned",
    }
)
CODE_LANGS = frozenset(
    {"rust", "rs", "python", "py", "go", "c", "cpp", "java", "javascript", "js", "typescript", "ts"}
)


@dataclass(frozen=True, slots=True)
class Call:
    name: str
    start: int
    end: int


def key_calls(code: str) -> list[Call]:
    """Calls worth learning, with their span in the code: `TcpListener::bind`, `.recv_from(`."""
    masked = _STRING.sub(lambda m: " " * len(m.group()), code)
    masked = _COMMENT.sub(lambda m: " " * len(m.group()), masked)
    calls: list[Call] = []
    taken: list[range] = []
    for pattern in (_PATH_CALL, _METHOD_CALL):
        for m in pattern.finditer(masked):
            name = m.group(1)
            if pattern is _METHOD_CALL and name in GENERIC_CALLS:
                continue
            if name.split("::")[0] in ("Ok", "Err", "Some", "String", "Vec", "Box"):
                continue
            span = range(m.start(1), m.end(1))
            if any(span.start in t for t in taken):
                continue
            taken.append(span)
            calls.append(Call(name, m.start(1), m.end(1)))
    return sorted(calls, key=lambda c: c.start)


def snippet_questions(sheet: Sheet, bank: QuestionBank) -> None:
    snippets = [s for s in sheet.of_kind(Snippet) if s.lang in CODE_LANGS]
    found = {id(s): key_calls(s.shown_code) for s in snippets}
    family = tuple(dict.fromkeys(code_span(c.name) for calls in found.values() for c in calls))
    for snippet in snippets:
        seen: Counter[str] = Counter()
        for call in found[id(snippet)]:
            seen[call.name] += 1
            suffix = (str(seen[call.name]),) if seen[call.name] > 1 else ()
            bank.questions.append(
                Question(
                    make_key(
                        bank.sheet_name, snippet.section, snippet.label, "call", call.name, *suffix
                    ),
                    "snippet_call",
                    "snippet",
                    f"{snippet.label}: which call is missing?",
                    code_span(call.name),
                    snippet.label,
                    snippet.pos,
                    snippet.section,
                    style="cloze",
                    code=snippet.shown_code,
                    code_blank=(call.start, call.end),
                    lang=snippet.lang,
                    family=family,
                )
            )


def command_questions(sheet: Sheet, bank: QuestionBank) -> None:
    snippets = [s for s in sheet.of_kind(Snippet) if s.commands]
    family = tuple(code_span(c.command) for s in snippets for c in s.commands)
    for snippet in snippets:
        per_place = Counter((c.platform or "") for c in snippet.commands)
        for cmd in snippet.commands:
            tool = cmd.command.split()[0]
            platform = cmd.platform or "any system"
            prompt = f"Which command: {snippet.label[0].lower()}{snippet.label[1:]} on {platform}"
            names = [snippet.label, cmd.platform or "any"]
            if per_place[cmd.platform or ""] > 1:
                prompt += f", using {code_span(tool)}"
                names.append(tool)
            bank.questions.append(
                Question(
                    make_key(bank.sheet_name, snippet.section, *names, "command"),
                    "command",
                    "snippet",
                    prompt + "?",
                    code_span(cmd.command),
                    snippet.label,
                    cmd.pos,
                    snippet.section,
                    family=family,
                )
            )
