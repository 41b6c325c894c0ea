"""A chapter's self-check quiz as one block of HTML to put inside a book's page.

It is a view of the quiz's data, like the self-check page, but made to live in someone
else's page: every class is `cgq-…`, every style rule starts with `.cardgen-quiz`, ids carry
the chapter's scope, the script looks only inside its own element (a page may hold several:
mdBook's print page holds every chapter), and colours follow the book's theme, light or dark
(mdBook's light, rust, coal, navy and ayu; MkDocs' light and dark; Material's slate).

The block holds no blank line, so that Markdown (pulldown-cmark, Python-Markdown) passes it
through as one HTML block: newlines inside code are written `&#10;`.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

import jinja2
from markupsafe import Markup

from cardgen.quiz.model import KIND_TITLES, Quiz, QuizQuestion, letter
from cardgen.render.html import CODE_CLASS, inline_html
from cardgen.render.quiz_html import (
    SCREEN_BLANK,
    answers_payload,
    html_tree,
    prompt_html,
    question_code_html,
)

DARK_THEMES = (
    "html.coal .cardgen-quiz",
    "html.navy .cardgen-quiz",
    "html.ayu .cardgen-quiz",
    '[data-bs-theme="dark"] .cardgen-quiz',
    '[data-md-color-scheme="slate"] .cardgen-quiz',
)
"""Where the book's theme is dark: mdBook's dark themes, MkDocs' and Material's."""


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("cardgen.integrations", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["letter"] = letter
    return env


@lru_cache(maxsize=4)
def _asset(name: str) -> Markup:
    text = resources.files("cardgen.integrations").joinpath(f"templates/{name}").read_text()
    if "</" in text:
        raise ValueError(f"{name} must not hold '</': it is put inside <style> or <script>")
    return Markup(text)


@lru_cache(maxsize=1)
def _code_rules() -> tuple[tuple[str | None, str], ...]:
    """Pygments' colours for the quiz's code, light by default and dark under a dark theme,
    as (token class, rule): only token and background rules, every one under `.cardgen-quiz`
    (Pygments' own `pre { … }` and line number rules would reach the book's code)."""
    from pygments.formatters import HtmlFormatter

    light = HtmlFormatter(style="default", cssclass=CODE_CLASS)
    dark = HtmlFormatter(style="monokai", cssclass=CODE_CLASS)
    rules: list[tuple[str | None, str]] = []
    for formatter, scopes in ((light, [".cardgen-quiz"]), (dark, list(DARK_THEMES))):
        prefixes = [f"{scope} .{CODE_CLASS}" for scope in scopes]
        for rule in (
            *formatter.get_background_style_defs(prefixes),
            *formatter.get_token_style_defs(prefixes),
        ):
            rule = re.sub(r"\s*/\*.*?\*/", "", rule).strip()
            last = rule.split("{", 1)[0].split(",", 1)[0].split()[-1]
            token = last[1:] if last != f".{CODE_CLASS}" else None
            rules.append((token, rule))
    return tuple(rules)


def code_css(used: set[str]) -> Markup:
    """The code colours of the token classes in `used` (and the code's background)."""
    rules = (rule for token, rule in _code_rules() if token is None or token in used)
    return Markup("\n".join(rules))


_CLASSES = re.compile(r'class(?:=|": ?)"([^"]*)"')
_CODE_CSS_SLOT = "/* the code's colours */"


def _plain(html: str) -> str:
    def flat(node: object) -> str:
        if isinstance(node, str):
            return node
        return "".join(flat(child) for child in node[2:])  # type: ignore[index]

    return flat(html_tree(html))


def _view(q: QuizQuestion) -> dict[str, object]:
    return {
        "q": q,
        "prompt": prompt_html(q, SCREEN_BLANK),
        "code": question_code_html(q, SCREEN_BLANK),
        "statement": Markup(inline_html(q.statement)) if q.statement else Markup(""),
        "options": [Markup(inline_html(o)) for o in q.options],
        "entries": [Markup(inline_html(i)) for i in q.items],
        "entry_texts": [_plain(inline_html(i)) for i in q.items],
        "option_texts": [_plain(inline_html(o)) for o in q.options],
    }


def scope_id(name: str) -> str:
    """An id for the chapter's quiz element, from the chapter's output name."""
    return "cgq-" + (re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "chapter")


def quiz_embed_html(quiz: Quiz, scope: str) -> str:
    """The chapter's quiz as one HTML block (version A of the quiz)."""
    import base64

    version = quiz.versions[0]
    groups = [(kind, [_view(q) for q in qs]) for kind, qs in version.by_kind()]
    answers = answers_payload(quiz)
    html = (
        _environment()
        .get_template("quiz_embed.html.j2")
        .render(
            quiz=quiz,
            version=version,
            groups=groups,
            titles=KIND_TITLES,
            scope=scope,
            css=_asset("quiz_embed.css"),
            code_css=Markup(_CODE_CSS_SLOT),
            script=_asset("quiz_embed.js"),
            answers_b64=answers,
        )
    )
    # Only the colours of the token classes the quiz shows, in its page or in the explanations
    # its script builds from the answers.
    shown = html + base64.b64decode(answers).decode("utf-8")
    used = {name for names in _CLASSES.findall(shown) for name in names.split()}
    return one_block(html.replace(_CODE_CSS_SLOT, code_css(used), 1))


_PRE = re.compile(r"<pre\b.*?</pre>", re.S)


def one_block(html: str) -> str:
    """HTML that Markdown reads as one block: no blank line, newlines in `<pre>` as `&#10;`.
    Our own CSS and script hold no `<pre`; nothing else in the block is whitespace-sensitive."""
    html = _PRE.sub(lambda m: m.group(0).replace("\n", "&#10;"), html)
    return "\n".join(line for line in html.split("\n") if line.strip())
