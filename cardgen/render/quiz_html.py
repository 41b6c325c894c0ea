"""Quiz → printable HTML (with its answer key) and the self-checking HTML page (Jinja2)."""

from __future__ import annotations

import base64
import json
import re
from functools import lru_cache
from html import unescape
from importlib import resources

import jinja2

from cardgen.quiz import Quiz
from cardgen.quiz.model import KIND_TITLES, letter
from cardgen.render.html import pygments_css


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
    return env


@lru_cache(maxsize=1)
def _base_css() -> str:
    return resources.files("cardgen.render").joinpath("templates/quiz_base.css").read_text()


def _context(quiz: Quiz, versions: int) -> dict[str, object]:
    return {
        "quiz": quiz,
        "versions": versions,
        "titles": KIND_TITLES,
        "base_css": _base_css(),
        "code_css": pygments_css(),
    }


def render_print(quiz: Quiz, versions: int = 1) -> bytes:
    return (
        environment().get_template("quiz_print.html.j2").render(_context(quiz, versions)).encode()
    )


def _text(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html))


def answers_payload(quiz: Quiz) -> str:
    """The answers, base64-encoded so that none is visible on the page before checking."""
    data = []
    for item in quiz.items:
        entry: dict[str, object] = {
            "id": item.id,
            "kind": item.kind,
            "answer": item.answer,
            "explanation": item.explanation,
            "source": item.source,
            "note": item.note,
        }
        if item.kind == "fill_in":
            entry["accepted"] = item.accepted
        elif item.kind == "matching":
            entry["mapping"] = item.mapping
        elif item.kind == "ordering":
            entry["expected"] = [_text(item.left[i]) for i in item.mapping]
        else:
            entry["correct"] = item.correct
        data.append(entry)
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return base64.b64encode(raw).decode()


def render_selfcheck(quiz: Quiz) -> bytes:
    context = _context(quiz, 1) | {"answers_b64": answers_payload(quiz)}
    return environment().get_template("quiz_selfcheck.html.j2").render(context).encode()
