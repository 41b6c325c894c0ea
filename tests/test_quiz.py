"""Quizzes as data: the `.quiz.json` and the pages rendered from it, selection that teaches
(no question gives another away, no fact asked twice, balanced letters, no trivial stem),
versions, and the `cardgen quiz` command."""

from __future__ import annotations

import ast
import json
import math
import re
from collections import Counter

import pytest

from cardgen.build import BuildOptions, build
from cardgen.parse import parse_file
from cardgen.questions import build_bank
from cardgen.quiz import Quiz, make_quiz
from cardgen.quiz.model import KINDS
from cardgen.render.quiz_html import quiz_pages, render_key, render_print, render_selfcheck
from tests.conftest import FIXTURES, ROOT, SEED
from tests.quiz_reading import asked, leaks, plain, same_facts
from tests.test_bad_input import run_cli

SHEETS = [
    SEED,
    *sorted((FIXTURES / "sheets").glob("*.md")),
    *sorted((FIXTURES / "sheets" / "real").glob("*.md")),
]


@pytest.fixture(scope="module")
def banks():
    """(path, sheet, bank) of the seed and every fixture sheet."""
    out = []
    for path in SHEETS:
        sheet = parse_file(path)
        out.append((path, sheet, build_bank(sheet)[0]))
    return out


@pytest.fixture(scope="module")
def seed_quiz(banks):
    _, sheet, bank = banks[0]
    return make_quiz(bank, sheet, versions=3)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("built")
    build([SEED], BuildOptions(out_dir=out, check=False, outputs=("quizzes",), quiz_versions=2))
    return out / "quizzes"


def test_the_quiz_json_is_written_beside_the_pages_in_the_documented_shape(built):
    assert sorted(p.name for p in built.iterdir()) == [
        "ch02-sockets-key.html",
        "ch02-sockets-selfcheck.html",
        "ch02-sockets-v2.html",
        "ch02-sockets.html",
        "ch02-sockets.quiz.json",
    ]
    data = json.loads((built / "ch02-sockets.quiz.json").read_text())
    assert {"sheet", "title", "seed", "versions"} <= set(data)
    assert data["sheet"] == "ch02-sockets" and data["seed"] == 0
    assert [v["version"] for v in data["versions"]] == ["A", "B"]
    documented = {"id", "kind", "prompt", "code", "options", "answer", "explanation"}
    documented |= {"source", "points"}
    for version in data["versions"]:
        assert len(version["questions"]) == 40
        for n, q in enumerate(version["questions"], start=1):
            assert documented <= set(q)
            assert q["number"] == n and q["kind"] in KINDS and q["points"] >= 1
            assert re.fullmatch(r"ch02-sockets\.md:\d+", q["source"])
            assert q["explanation"].strip()
            if q["kind"] in ("matching", "ordering"):
                assert isinstance(q["answer"], list) and len(q["answer"]) == len(q["items"])
            else:
                assert isinstance(q["answer"], str) and q["answer"]
            assert "<" not in q["prompt"] + q["explanation"]  # inline text, never HTML


def test_every_page_is_the_rendering_of_the_json(built):
    data = json.loads((built / "ch02-sockets.quiz.json").read_text())
    quiz = Quiz.from_json(data)
    assert quiz.to_json() == data
    assert (built / "ch02-sockets.html").read_bytes() == render_print(quiz, 0)
    assert (built / "ch02-sockets-v2.html").read_bytes() == render_print(quiz, 1)
    assert (built / "ch02-sockets-key.html").read_bytes() == render_key(quiz)
    assert (built / "ch02-sockets-selfcheck.html").read_bytes() == render_selfcheck(quiz)
    first = data["versions"][0]["questions"][0]
    first["prompt"] = "Edited in the data <b>only</b>?"
    edited = Quiz.from_json(data)
    page = render_print(edited, 0).decode()
    assert "Edited in the data &lt;b&gt;only&lt;/b&gt;?" in page
    ids = re.findall(r'<section class="question[^"]*" id="(q-[0-9a-f]+)"', page)
    assert ids == [q["id"] for q in data["versions"][0]["questions"]]


def test_selection_imports_nothing_from_the_renderers():
    for path in (ROOT / "cardgen" / "quiz").glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not any(n.startswith("cardgen.render") for n in names), path.name


def test_the_leak_reader_catches_the_give_aways_the_issue_found(banks):
    """The check below can fail: it flags a code that shows another blank's call, one fact
    asked twice, and an ordering that answers the transitions."""
    code = 'let mut stream = TcpStream::connect("127.0.0.1:8080")?;\n'
    q30 = {
        "number": 30,
        "kind": "fill_in",
        "prompt": "Creating a TCP Client: which call is missing?",
        "code": code + 'stream._____(b"Hello")?;\nlet n = stream.read(&mut buffer)?;',
        "answer": "`write_all`",
        "explanation": "",
    }
    q32 = dict(q30, number=32, answer="`read`")
    q32["code"] = code + 'stream.write_all(b"Hello")?;\nlet n = stream._____(&mut buffer)?;'
    assert leaks([q30, q32]) == [
        "Q32 shows Q30's answer '`write_all`'",
        "Q30 shows Q32's answer '`read`'",
    ]
    q7 = {
        "number": 7,
        "kind": "multiple_choice",
        "prompt": "TIME_WAIT — Duration?",
        "options": ["Brief", "30-120 seconds", "Milliseconds"],
        "answer": "B",
        "explanation": "",
    }
    q12 = {
        "number": 12,
        "kind": "fill_in",
        "prompt": "TIME_WAIT: Lasts _____ after closing",
        "answer": "30-120 seconds",
        "explanation": "",
    }
    assert same_facts([q7, q12]) == ["Q7 and Q12 both ask '30-120 seconds'"]
    q1 = {
        "number": 1,
        "kind": "multiple_choice",
        "prompt": "Server Path: which state comes right after CLOSED?",
        "options": ["SYN_SENT", "LISTEN", "CLOSE_WAIT"],
        "answer": "B",
        "explanation": "",
    }
    q38 = {
        "number": 38,
        "kind": "ordering",
        "prompt": "Server Path: put the states in order.",
        "items": ["LISTEN", "CLOSED", "SYN_RECEIVED"],
        "answer": ["2", "1", "3"],
        "explanation": "",
    }
    assert same_facts([q1, q38]) == ["Q1 and Q38 both ask 'LISTEN'"]
    _, sheet, bank = banks[0]
    every_blank = [q for q in bank.questions if q.kind == "snippet_call"]
    naive = [
        {
            "number": n,
            "kind": "fill_in",
            "prompt": q.prompt,
            "code": q.code[: q.code_blank[0]] + "_____" + q.code[q.code_blank[1] :],
            "answer": q.answer,
            "explanation": "",
        }
        for n, q in enumerate(every_blank, start=1)
    ]
    assert len(leaks(naive)) >= 10  # every blank of a snippet shows the others' calls


@pytest.mark.parametrize("differ", [False, True])
def test_no_question_gives_another_away_or_asks_a_fact_twice(banks, differ):
    checked = 0
    for path, sheet, bank in banks:
        for seed in (0, 1, 2):
            quiz = make_quiz(bank, sheet, seed=seed, versions=2, versions_differ=differ)
            for version in quiz.versions:
                qs = [q.to_json() for q in version.questions]
                assert leaks(qs) == [], (path.name, seed, version.version)
                assert same_facts(qs) == [], (path.name, seed, version.version)
                checked += len(qs)
    assert checked > 2800  # about 1,000 questions per differ setting, every one checked


def test_right_letters_are_balanced_across_versions(banks):
    """No letter holds more than 40% of the multiple-choice answers of a quiz's versions."""
    shares = []
    for path, sheet, bank in banks:
        for seed in range(5):
            for versions in (1, 3):
                quiz = make_quiz(bank, sheet, seed=seed, versions=versions)
                letters = Counter(
                    q.answer
                    for v in quiz.versions
                    for q in v.questions
                    if q.kind == "multiple_choice"
                )
                n = sum(letters.values())
                if n >= 5:
                    top = max(letters.values())
                    assert top <= math.ceil(0.4 * n), (path.name, seed, versions, letters)
                    shares.append(top / n)
    assert len(shares) > 100
    _, sheet, bank = banks[0]
    default = make_quiz(bank, sheet)
    letters = Counter(
        q.answer for q in default.versions[0].questions if q.kind == "multiple_choice"
    )
    assert max(letters.values()) / sum(letters.values()) <= 0.3, letters


def test_versions_shuffle_the_same_questions_unless_told_to_differ(banks, seed_quiz):
    a, b, c = seed_quiz.versions
    by_id = [{q.id: q for q in v.questions} for v in (a, b, c)]
    assert set(by_id[0]) == set(by_id[1]) == set(by_id[2])
    for qid, qa in by_id[0].items():
        for other in by_id[1:]:
            qb = other[qid]
            same = ("kind", "prompt", "statement", "code", "explanation", "source", "points")
            assert [getattr(qa, f) for f in same] == [getattr(qb, f) for f in same]
            assert sorted(qa.options) == sorted(qb.options)
            assert sorted(qa.items) == sorted(qb.items)
            assert sorted(map(str, asked(qa.to_json()))) == sorted(map(str, asked(qb.to_json())))
    assert [q.id for q in a.questions] != [q.id for q in b.questions]
    moved = sum(by_id[0][i].options != by_id[1][i].options for i in by_id[0])
    assert moved >= 10
    _, sheet, bank = banks[0]
    differ = make_quiz(bank, sheet, versions=3, versions_differ=True)
    ids = [{q.id for q in v.questions} for v in differ.versions]
    assert ids[0] != ids[1] and ids[1] != ids[2]
    assert len(ids[0] & ids[1]) < 0.8 * len(ids[0])


STEM_ASKS = re.compile(r"\?|_____|\b(?:put|match)\b", re.I)


def _form(text: str) -> str:
    t = plain(text).strip().casefold()
    if t in ("yes", "no", "true", "false"):
        return "yes/no"
    if re.fullmatch(r"`[^`]+`", text.strip()):
        return "code"
    if re.fullmatch(r"[~<>]?\s*\d[\d.,:%+\-–\s]*(?:\s*[a-zµ]+){0,2}", t):
        return "number"  # a quantity: `20+ bytes`, `30-120 seconds`
    return "text"


def test_trivial_stems_are_dropped(banks):
    """Every stem asks something; no option can be struck out for its form alone; a blank
    stands in a sentence that says something."""
    for path, sheet, bank in banks:
        for q in make_quiz(bank, sheet).versions[0].questions:
            where = (path.name, q.number, q.prompt)
            assert STEM_ASKS.search(q.prompt), where
            if q.kind == "multiple_choice":
                right = _form(q.options[q.correct])
                same = [o for n, o in enumerate(q.options) if n != q.correct and _form(o) == right]
                assert len(same) == len(q.options) - 1 >= (1 if right == "yes/no" else 2), where
            if q.kind == "true_false":
                assert _form(q.statement) != "yes/no", where
            if q.kind == "fill_in" and not q.code:
                around = plain(q.prompt.replace("_____", " ")).split()
                assert len(around) >= 4, where


def test_the_count_adapts_to_what_the_sheet_has(tmp_path, banks):
    _, sheet, bank = banks[0]
    assert len(make_quiz(bank, sheet).versions[0].questions) == 40
    assert len(make_quiz(bank, sheet, size=12).versions[0].questions) == 12
    small = tmp_path / "small.md"
    small.write_text(
        "# Small\n\n## Terms\n\n**Words to know:**\n\n"
        "- **Socket**: an endpoint of a connection between two programs\n"
        "- **Port**: a 16-bit number that names a service on a host\n"
        "- **Backlog**: the queue of connections waiting to be accepted\n"
        "- **Listener**: a socket that waits for incoming connections\n"
    )
    small_sheet = parse_file(small)
    small_bank = build_bank(small_sheet)[0]
    quiz = make_quiz(small_bank, small_sheet)
    assert 1 <= len(quiz.versions[0].questions) <= len(small_bank.questions)
    empty = tmp_path / "empty.md"
    empty.write_text("# Nothing to ask\n\nJust a sentence of prose here.\n")
    empty_sheet = parse_file(empty)
    files = quiz_pages(make_quiz(build_bank(empty_sheet)[0], empty_sheet), "empty")
    assert json.loads(files["empty.quiz.json"])["versions"][0]["questions"] == []
    assert b"no facts a quiz can ask" in files["empty.html"]


def test_same_seed_same_bytes_other_seed_other_quiz(banks):
    _, sheet, bank = banks[0]
    one = quiz_pages(make_quiz(bank, sheet, seed=7, versions=2), "s")
    assert one == quiz_pages(make_quiz(bank, sheet, seed=7, versions=2), "s")
    other = quiz_pages(make_quiz(bank, sheet, seed=8, versions=2), "s")
    assert all(one[name] != other[name] for name in one)


def test_quiz_command_writes_the_data_the_versions_and_their_key(tmp_path):
    result = run_cli("quiz", str(SEED), "--versions", "3", "--seed", "5", "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "ch02-sockets-key.html",
        "ch02-sockets-selfcheck.html",
        "ch02-sockets-v2.html",
        "ch02-sockets-v3.html",
        "ch02-sockets.html",
        "ch02-sockets.quiz.json",
    ]
    key = (tmp_path / "ch02-sockets-key.html").read_text()
    for letter in "ABC":
        assert f"Answer key — Version {letter}" in key
    data = json.loads((tmp_path / "ch02-sockets.quiz.json").read_text())
    ids = [{q["id"] for q in v["questions"]} for v in data["versions"]]
    assert ids[0] == ids[1] == ids[2]
    differ = tmp_path / "differ"
    result = run_cli("quiz", str(SEED), "--versions", "2", "--versions-differ", "-o", str(differ))
    assert result.returncode == 0, result.stderr
    data = json.loads((differ / "ch02-sockets.quiz.json").read_text())
    assert data["versions_differ"] is True
    assert {q["id"] for q in data["versions"][0]["questions"]} != {
        q["id"] for q in data["versions"][1]["questions"]
    }
    assert run_cli("quiz", str(SEED), "--versions", "0").returncode == 2


def test_quiz_versions_differ_is_a_known_setting(tmp_path):
    from cardgen.config import config_from_table
    from cardgen.errors import ConfigError

    assert config_from_table({"quiz_versions_differ": True}, "cardgen.toml").quiz_versions_differ
    with pytest.raises(ConfigError, match="quiz_versions_differ"):
        config_from_table({"quiz_versions_differ": "yes"}, "cardgen.toml")


def test_explanations_explain_rather_than_repeat_the_answer(seed_quiz):
    """The explanation adds what the sheet says around the answer: its row, its list, the
    line of code, the state's description, the evidence."""
    richer = 0
    questions = [
        q for q in seed_quiz.versions[0].questions if q.kind not in ("matching", "ordering")
    ]
    for q in questions:
        answer = " ".join(map(str, asked(q.to_json())))
        extra = set(re.findall(r"\w+", plain(q.explanation).casefold()))
        extra -= set(re.findall(r"\w+", plain(answer + " " + q.prompt).casefold()))
        richer += len(extra) >= 2
        assert len(plain(q.explanation)) <= 151
    # 0.6: yes/no cells (whose explanations were their rich rows) are no longer asked, and what
    # the sheet says next to a fact is dropped when it would answer another question
    assert richer >= 0.6 * len(questions), (richer, len(questions))


def test_the_build_step_honours_quiz_versions_differ(banks):
    """`quiz_output` reads `quiz_versions_differ` from the build's options (plain data)."""
    from types import SimpleNamespace

    from cardgen.outputs import quiz_output

    _, sheet, bank = banks[0]
    made = {}
    for differ in (False, True):
        options = SimpleNamespace(
            seed=0, quiz_questions=40, quiz_versions=2, quiz_versions_differ=differ
        )
        outcome = SimpleNamespace(files={}, counts={})
        quiz_output(sheet, bank, options, outcome)
        data = json.loads(outcome.files["quizzes/ch02-sockets.quiz.json"])
        made[differ] = [{q["id"] for q in v["questions"]} for v in data["versions"]]
        assert outcome.counts["quiz"] == dict(
            sorted(Counter(q["kind"] for q in data["versions"][0]["questions"]).items())
        )
    assert made[False][0] == made[False][1]
    assert made[True][0] != made[True][1]
