"""The quiz's data (`cardgen.quiz.Quiz`, as in `<sheet>.quiz.json`) → its pages: the printable
quiz of each version, the answer key of every version, and the self-check page.

Pages stand alone (images inlined, no external resource). Every text from the sheet is escaped
by Jinja2 or built by the self-check's script as DOM nodes with `textContent`; the script never
parses HTML.
"""

from __future__ import annotations

import base64
import json
from functools import lru_cache
from html.parser import HTMLParser
from importlib import resources

import jinja2
from markupsafe import Markup

from cardgen.questions.text import norm
from cardgen.quiz.model import BLANK, KIND_TITLES, LETTERED, Quiz, QuizQuestion, letter
from cardgen.render.html import code_html, inline_html, pygments_css
from cardgen.render.quiz_layout import page_starts

PRINT_BLANK = '<span class="blank"></span>'
SCREEN_BLANK = '<span class="blank"><span class="sr-only">(blank)</span></span>'
HOW_TO = {
    "multiple_choice": "Circle the letter of the one right answer.",
    "true_false": "Circle True if the proposed answer is right, False if it is not.",
    "classification": "Circle the letter of the class the item belongs to.",
    "fill_in": "Write the missing word, term or call on the line.",
    "matching": "Write the letter of the matching entry in each box. One point for each right "
    "pair.",
    "ordering": "Number the boxes 1, 2, 3… in order. The points count when the whole order is "
    "right.",
}


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates kept between runs (in the cardgen cache folder), when writable;
    each written atomically with its digest, and verified when read."""
    from cardgen.cache import default_cache, jinja_bytecode_cache

    return jinja_bytecode_cache(default_cache() / "jinja")


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The Jinja2 environment for every HTML output (templates beside this module)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("cardgen.render", "templates"),
        bytecode_cache=_bytecode_cache(),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["letter"] = letter
    env.filters["css_string"] = css_string
    return env


@lru_cache(maxsize=4)
def _asset(name: str) -> Markup:
    """One of our own files under templates/, put into a page as it is (CSS, script)."""
    text = resources.files("cardgen.render").joinpath(f"templates/{name}").read_text()
    if "</" in text:
        raise ValueError(f"{name} must not hold '</': it is put inside <style> or <script>")
    return Markup(text)


def css_string(text: str) -> Markup:
    """`text` as a CSS string: every character but letters, digits and spaces hex-escaped, so
    that nothing in it can end the string or the `<style>` element."""
    out = []
    for ch in str(text):
        out.append(ch if ch.isascii() and (ch.isalnum() or ch == " ") else f"\\{ord(ch):x} ")
    return Markup('"' + "".join(out) + '"')


def prompt_html(q: QuizQuestion, blank: str = PRINT_BLANK) -> Markup:
    """The stem as HTML, its blank (if any) as a line to write on."""
    html = inline_html(q.prompt)
    if not q.code and BLANK in html:
        html = html.replace(BLANK, blank, 1)
    return Markup(html)


def question_code_html(q: QuizQuestion, blank: str = PRINT_BLANK) -> Markup:
    if not q.code:
        return Markup("")
    span = tuple(q.blank) if q.blank else None
    return Markup(code_html(q.code, q.lang, span, blank_html=blank))  # type: ignore[arg-type]


def _views(q: QuizQuestion, blank: str) -> dict[str, object]:
    """A question with its texts as HTML, for the templates."""
    return {
        "q": q,
        "prompt": prompt_html(q, blank),
        "code": question_code_html(q, blank),
        "statement": Markup(inline_html(q.statement)) if q.statement else Markup(""),
        "options": [Markup(inline_html(o)) for o in q.options],
        "entries": [Markup(inline_html(i)) for i in q.items],
        "entry_texts": [_text(inline_html(i)) for i in q.items],
        "option_texts": [_text(inline_html(o)) for o in q.options],
        "short_options": all(len(_text(inline_html(o))) <= 28 for o in q.options),
    }


def key_answer(q: QuizQuestion) -> str:
    """The answer as the key prints it: `B`, `False`, `read`, `1–C, 2–A`, `3, 1, 2`."""
    if q.kind == "matching":
        return ", ".join(f"{n}–{a}" for n, a in enumerate(q.answer, start=1))
    if q.kind == "ordering":
        return ", ".join(q.answer)
    return str(q.answer)


def key_detail(q: QuizQuestion) -> str:
    """What the letter stands for (multiple choice, classification), as inline text."""
    if q.kind in LETTERED:
        return q.options[q.correct]
    return ""


def _unless_said(detail: str, explanation: str) -> str:
    return "" if norm(detail) and norm(detail) in norm(explanation) else detail


def _groups(version, blank: str) -> list[tuple[str, list[dict[str, object]]]]:
    return [(kind, [_views(q, blank) for q in qs]) for kind, qs in version.by_kind()]


def render_print(quiz: Quiz, version: int = 0) -> bytes:
    """The printable quiz of one version (0 for A), without its key."""
    v = quiz.versions[version]
    context = {
        "quiz": quiz,
        "version": v,
        "page_starts": set(page_starts(v)),
        "groups": _groups(v, PRINT_BLANK),
        "titles": KIND_TITLES,
        "how_to": HOW_TO,
        "base_css": _asset("quiz_base.css"),
        "code_css": Markup(pygments_css()),
    }
    return environment().get_template("quiz_print.html.j2").render(context).encode()


def render_key(quiz: Quiz) -> bytes:
    """The answer key of every version: one line per answer, its explanation and sheet line."""
    versions = [
        (
            v,
            [
                {
                    "q": q,
                    "line": q.source.rpartition(":")[2],
                    "answer": key_answer(q),
                    "detail": Markup(inline_html(_unless_said(key_detail(q), q.explanation))),
                    "explanation": Markup(inline_html(q.explanation)),
                }
                for q in v.questions
            ],
        )
        for v in quiz.versions
    ]
    sources = {q.source.rpartition(":")[0] for v in quiz.versions for q in v.questions}
    context = {
        "quiz": quiz,
        "versions": versions,
        "base_css": _asset("quiz_base.css"),
        "sheet_file": ", ".join(sorted(sources)),
    }
    return environment().get_template("quiz_key.html.j2").render(context).encode()


class _Tree(HTMLParser):
    """Our own inline HTML (escaped text, `<code>`, `<b>`, `<img>`, highlighted spans) as
    nested lists: `[tag, {attr: value}, child…]`, text as strings. The self-check's script
    builds these with `createElement` and `textContent`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root: list[object] = ["span", {}]
        self.stack: list[list[object]] = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node: list[object] = [tag, {k: v or "" for k, v in attrs if k in ("class", "src", "alt")}]
        self.stack[-1].append(node)
        if tag not in ("img", "br"):
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        if len(self.stack) > 1 and self.stack[-1][0] == tag:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.stack[-1].append(data)


def html_tree(html: str) -> list[object]:
    parser = _Tree()
    parser.feed(html)
    parser.close()
    return parser.root


def _text(html: str) -> str:
    def flat(node: object) -> str:
        return node if isinstance(node, str) else "".join(flat(c) for c in node[2:])  # type: ignore[index]

    return flat(html_tree(html))


def _feedback_answer(q: QuizQuestion) -> str:
    """The right answer as shown after checking (inline text)."""
    if q.kind in LETTERED:
        return f"{q.answer}. {q.options[q.correct]}"
    if q.kind == "true_false":
        return f"{q.answer}: {q.statement} is {'right' if q.answer == 'True' else 'not right'}"
    if q.kind == "matching":
        return "; ".join(
            f"{item} → {q.options[ord(a) - 65]}" for item, a in zip(q.items, q.answer, strict=True)
        )
    if q.kind == "ordering":
        order = sorted(zip((int(n) for n in q.answer), q.items, strict=True))
        return " → ".join(item for _, item in order)
    return str(q.answer)


def _evidence_left(q: QuizQuestion) -> str:
    """What the explanation does not already say of the evidence."""
    first, _, rest = q.evidence.partition("; ")
    if first and first in q.explanation:
        return f"The check also saw: {rest}" if rest else ""
    return q.evidence


def answers_payload(quiz: Quiz) -> str:
    """What the self-check's script judges with and shows after checking, base64-encoded so
    that no answer is visible on the page before it is checked."""
    data = []
    for q in quiz.versions[0].questions:
        entry: dict[str, object] = {
            "id": q.id,
            "kind": q.kind,
            "number": q.number,
            "points": q.points,
            "answer": html_tree(inline_html(_feedback_answer(q))),
            "explanation": html_tree(inline_html(q.explanation)),
            "source": q.source,
            "evidence": _evidence_left(q),
        }
        if q.kind == "fill_in":
            entry["accepted"] = q.accepted
        elif q.kind == "matching":
            entry["expected"] = [ord(a) - 65 for a in q.answer]
        elif q.kind == "ordering":
            entry["expected"] = [int(n) - 1 for n in q.answer]
        else:
            entry["expected"] = q.correct
        data.append(entry)
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return base64.b64encode(raw).decode()


def render_selfcheck(quiz: Quiz) -> bytes:
    v = quiz.versions[0]
    context = {
        "quiz": quiz,
        "version": v,
        "groups": _groups(v, SCREEN_BLANK),
        "titles": KIND_TITLES,
        "how_to": HOW_TO,
        "base_css": _asset("quiz_base.css"),
        "code_css": Markup(pygments_css()),
        "script": _asset("quiz_selfcheck.js"),
        "answers_b64": answers_payload(quiz),
    }
    return environment().get_template("quiz_selfcheck.html.j2").render(context).encode()


def quiz_json(quiz: Quiz) -> bytes:
    return (json.dumps(quiz.to_json(), ensure_ascii=False, indent=1) + "\n").encode()


def quiz_pages(quiz: Quiz, name: str) -> dict[str, bytes]:
    """Every file of a sheet's quiz, by name relative to the quizzes folder, rendered from the
    data as `<name>.quiz.json` holds it: `<name>.html` (version A), `<name>-v2.html`… (B…),
    `<name>-key.html`, `<name>-selfcheck.html`."""
    data = quiz_json(quiz)
    quiz = Quiz.from_json(json.loads(data))
    files = {f"{name}.quiz.json": data}
    for n in range(len(quiz.versions)):
        suffix = f"-v{n + 1}" if n else ""
        files[f"{name}{suffix}.html"] = render_print(quiz, n)
    files[f"{name}-key.html"] = render_key(quiz)
    files[f"{name}-selfcheck.html"] = render_selfcheck(quiz)
    return files
