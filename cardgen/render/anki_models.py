"""The three Anki note types cardgen writes. Their IDs are fixed forever: changing one would
make Anki treat every note as a new note type on the next import."""

from __future__ import annotations

from functools import lru_cache

import genanki

from cardgen.render.html import pygments_css

BASIC_ID = 1_607_392_319_001
REVERSE_ID = 1_607_392_319_002
CLOZE_ID = 1_607_392_319_003

CARD_CSS = """
.card { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; font-size: 20px;
  text-align: left; color: #1d1d1f; background: #fff; line-height: 1.45; }
.nightMode.card, .night_mode .card, .card.nightMode { color: #e8e8e8; background: #1e1e1e; }
.cg-context { font-size: 13px; color: #6b6b6b; margin-bottom: .6em; }
.nightMode .cg-context { color: #a0a0a0; }
.cg-back { font-weight: 600; }
.cg-extra { margin-top: .6em; font-size: 16px; }
.cg-source { margin-top: 1.2em; font-size: 12px; color: #6b6b6b; }
.nightMode .cg-source { color: #a0a0a0; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .9em;
  background: rgba(127,127,127,.15); padding: 0 .2em; border-radius: 3px; }
.cg-code { text-align: left; }
.cg-code pre { text-align: left; white-space: pre; overflow-x: auto; font-size: 15px;
  padding: .6em .8em; border-radius: 6px; line-height: 1.35; margin: .4em 0; }
.nightMode .cg-code pre { background: #272822; }
.cg-list li { margin: .2em 0; }
img { max-width: 100%; height: auto; }
pre.cg-cmd { white-space: pre-wrap; margin: .2em 0; }
.cg-verified { margin-top: .5em; font-size: 13px; color: #2e7d32; }
.nightMode .cg-verified { color: #81c784; }
.cloze { font-weight: 700; color: #0050b3; }
.nightMode .cloze { color: #7cb7ff; }
"""

_CONTEXT = '<div class="cg-context">{{Context}}</div>'
_TAIL = (
    '{{#Extra}}<div class="cg-extra">{{Extra}}</div>{{/Extra}}'
    '<div class="cg-source">{{Source}}</div>'
)


def css() -> str:
    return CARD_CSS + pygments_css(dark_scope=".nightMode")


@lru_cache(maxsize=1)
def basic_model() -> genanki.Model:
    return genanki.Model(
        BASIC_ID,
        "cardgen Basic",
        fields=[{"name": n} for n in ("Front", "Back", "Extra", "Context", "Source")],
        templates=[
            {
                "name": "Card 1",
                "qfmt": _CONTEXT + "{{Front}}",
                "afmt": '{{FrontSide}}<hr id="answer"><div class="cg-back">{{Back}}</div>' + _TAIL,
            }
        ],
        css=css(),
    )


@lru_cache(maxsize=1)
def reverse_model() -> genanki.Model:
    return genanki.Model(
        REVERSE_ID,
        "cardgen Basic (and reversed card)",
        fields=[
            {"name": n}
            for n in ("Front", "Back", "ReverseFront", "ReverseBack", "Extra", "Context", "Source")
        ],
        templates=[
            {
                "name": "Card 1",
                "qfmt": _CONTEXT + "{{Front}}",
                "afmt": '{{FrontSide}}<hr id="answer"><div class="cg-back">{{Back}}</div>' + _TAIL,
            },
            {
                "name": "Card 2",
                "qfmt": "{{#ReverseFront}}" + _CONTEXT + "{{ReverseFront}}{{/ReverseFront}}",
                "afmt": '{{FrontSide}}<hr id="answer"><div class="cg-back">{{ReverseBack}}</div>'
                + _TAIL,
            },
        ],
        css=css(),
    )


@lru_cache(maxsize=1)
def cloze_model() -> genanki.Model:
    return genanki.Model(
        CLOZE_ID,
        "cardgen Cloze",
        fields=[{"name": n} for n in ("Text", "Extra", "Context", "Source")],
        templates=[
            {
                "name": "Cloze",
                "qfmt": _CONTEXT + "{{cloze:Text}}",
                "afmt": _CONTEXT + "{{cloze:Text}}" + _TAIL,
            }
        ],
        css=css(),
        model_type=genanki.Model.CLOZE,
    )
