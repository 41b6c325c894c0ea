"""The measurable half of "cards a learner keeps": minimum information, a cue on every card,
no card that shows its own answer, short answers. Over the seed and every fixture sheet."""

from __future__ import annotations

import re
import statistics
from pathlib import Path

import pytest

from cardgen.parse import parse_file
from cardgen.questions import build_bank
from cardgen.questions.text import STOPWORDS, content_words, gives_away, plain, word_count
from tests.conftest import FIXTURES, SEED

SHEETS = [
    SEED,
    *sorted((FIXTURES / "sheets").glob("*.md")),
    *sorted((FIXTURES / "sheets" / "real").glob("*.md")),
]
VAGUE_PROMPTS = re.compile(
    r"^(?:which one is this|what follows|which item is missing|what is it|explain)\??$", re.I
)


@pytest.fixture(scope="module")
def banks():
    return {path: build_bank(parse_file(path))[0] for path in SHEETS}


def deck_questions(banks):
    return [(path, q) for path, bank in banks.items() for q in bank.deck_questions]


def test_text_clozes_hide_a_key_term_not_the_sentence(banks):
    hidden = [
        word_count(q.cloze[1]) for _, q in deck_questions(banks) if q.style == "cloze" and q.cloze
    ]
    assert len(hidden) >= 30
    assert sum(n <= 6 for n in hidden) / len(hidden) >= 0.95
    listing = [q for _, q in deck_questions(banks) if q.listing]
    assert all(word_count(q.answer) <= 3 for q in listing)


def test_answers_are_short(banks):
    lengths = sorted(
        word_count(a)
        for _, q in deck_questions(banks)
        for a in (q.answer, q.reverse_answer or "")
        if a
    )
    assert statistics.median(lengths) <= 6
    assert lengths[int(len(lengths) * 0.9)] <= 15


def test_every_card_has_a_cue_and_no_vague_prompt(banks):
    for path, q in deck_questions(banks):
        prompt = plain(q.prompt).strip()
        cue = [w for w in re.findall(r"[\w+#<>&|*/-]+", prompt.lower()) if w not in STOPWORDS]
        assert cue, (path, q.key)
        assert not VAGUE_PROMPTS.match(prompt), (path, prompt)
        assert "what follows" not in prompt.lower(), (path, prompt)
        if q.reverse_prompt:
            assert len(content_words(q.reverse_prompt)) >= 2, (path, q.reverse_prompt)


def test_no_card_shows_its_own_answer(banks):
    for path, q in deck_questions(banks):
        context = " ".join([*q.section[-2:], q.context])
        if q.style == "cloze" and q.cloze:
            shown = q.cloze[0] + q.cloze[2] + " " + q.prompt
            assert not gives_away(context + " " + q.prompt, q.cloze[1]), (path, q.key)
            continue
        if q.kind in ("classification", "snippet_output"):
            continue  # the options are the question; an output is worked out from the data shown
        front = f"{context} {q.prompt} {q.code or ''}"
        if q.code_blank:
            start, end = q.code_blank
            front = f"{context} {q.prompt} {q.code[:start]} {q.code[end:]}"  # type: ignore[index]
            assert not re.search(rf"\b{re.escape(plain(q.answer))}\b", front), (path, q.key)
            continue
        assert not gives_away(front, q.answer), (path, q.prompt, q.answer)
        said = content_words(q.answer)
        assert not (said and said <= content_words(front)), (path, q.prompt, q.answer)
        shown = q.reverse_prompt
        if shown and q.reverse_answer:
            assert not gives_away(f"{context} {shown}", q.reverse_answer), (path, shown)


def test_the_sheets_order_is_kept_in_the_bank(banks):
    bank = banks[SEED]
    lines = [q.source.line for q in bank.questions]
    assert lines[:5] and min(lines) == 4


@pytest.mark.parametrize("path", SHEETS, ids=[Path(p).stem for p in SHEETS])
def test_every_block_made_cards_or_says_why(banks, path):
    for outcome in banks[path].outcomes:
        assert outcome.questions or outcome.reasons, (path, outcome.summary)
        for _, reason in outcome.reasons:
            assert len(reason) >= 10 and not reason.startswith("Traceback")
