"""The sheet's claims (error table, state table, paths) reproduced on Linux loopback."""

from __future__ import annotations

import sqlite3
import zipfile

import pytest

from cardgen.build import BuildOptions, build
from cardgen.claims import check_claims
from cardgen.parse import parse_text
from tests.conftest import SEED
from tests.test_bad_input import run_cli

SEED_TEXT = SEED.read_text(encoding="utf-8")


def claims_of(text: str, use_cache: bool = True):
    sheet = parse_text(text, "sheet.md")
    return {(r.kind, r.label): r for r in check_claims(sheet, use_cache)}


@pytest.fixture(scope="module")
def seed_claims():
    return claims_of(SEED_TEXT, use_cache=False)  # observed now, not read from a cache


def test_error_rows_are_reproduced(seed_claims):
    errors = {label: r for (kind, label), r in seed_claims.items() if kind == "error_claim"}
    passed = [label for label, r in errors.items() if r.status == "PASS"]
    assert sorted(passed) == [
        "Address already in use",
        "Broken pipe",
        "Connection refused",
        "Connection reset",
        "Connection timeout",
    ]
    assert errors["Connection refused"].reason.startswith(
        "ECONNREFUSED (Connection refused); Python ConnectionRefusedError; "
        "Rust io::ErrorKind::ConnectionRefused"
    )
    assert "ETIMEDOUT" in errors["Connection timeout"].reason
    in_use = errors["Address already in use"].reason
    assert "next to a TIME_WAIT socket (EADDRINUSE)" in in_use
    assert "with SO_REUSEADDR the bind succeeds" in in_use
    unreachable = errors["Network unreachable"]
    assert unreachable.status == "SKIP" and "not checkable on loopback" in unreachable.reason
    assert errors["Broken pipe"].line == 175


def test_states_and_who_holds_them(seed_claims):
    states = {label: r for (kind, label), r in seed_claims.items() if kind == "state_claim"}
    passed = sorted(label for label, r in states.items() if r.status == "PASS")
    assert passed == [
        "CLOSE_WAIT",
        "ESTABLISHED",
        "FIN_WAIT_2",
        "LAST_ACK",
        "LISTEN",
        "SYN_SENT",
        "TIME_WAIT",
    ]
    assert states["TIME_WAIT"].reason == "TIME_WAIT observed, held by the Closer"
    assert states["ESTABLISHED"].reason.endswith("held by both ends of the connection")
    assert {states[s].status for s in ("CLOSED", "SYN_RECEIVED", "CLOSING", "FIN_WAIT_1")} == {
        "SKIP"
    }
    duration = seed_claims[("duration_claim", "TIME_WAIT duration")]
    assert duration.status == "PASS"
    assert duration.reason.startswith("Linux holds TIME_WAIT for 60 s")
    assert duration.reason.endswith("the sheet says 30-120 seconds")
    assert seed_claims[("path_claim", "Server Path")].status == "PASS"
    assert seed_claims[("path_claim", "Client Path")].status == "PASS"


def test_sheet_claiming_the_receiver_holds_time_wait_fails_on_its_line(tmp_path):
    sheet = tmp_path / "edited.md"
    sheet.write_text(
        SEED_TEXT.replace(
            "| **TIME_WAIT** | Waiting to ensure clean close | Closer |",
            "| **TIME_WAIT** | Waiting to ensure clean close | Receiver |",
        )
    )
    result = run_cli("check", str(sheet))
    assert result.returncode == 1
    assert (
        f"{sheet}:109: state claim 'TIME_WAIT': FAIL — the sheet says Receiver holds "
        "TIME_WAIT; on loopback it was held by the Closer"
    ) in result.stderr


def test_wrong_path_order_and_duration_fail():
    text = SEED_TEXT.replace("FIN_WAIT_2 → TIME_WAIT → CLOSED", "TIME_WAIT → FIN_WAIT_2 → CLOSED")
    text = text.replace("| Closer | 30-120 seconds |", "| Closer | 1-5 seconds |")
    claims = claims_of(text)
    path = claims[("path_claim", "Client Path")]
    assert path.status == "FAIL" and path.line == 91
    assert claims[("duration_claim", "TIME_WAIT duration")].status == "FAIL"


def test_reproduced_facts_are_marked_on_cards_and_answer_keys(tmp_path, monkeypatch):
    monkeypatch.setenv("CARDGEN_CACHE_DIR", str(tmp_path / "cache"))
    sheet = tmp_path / "content" / SEED.name  # a deck build writes the folder's note ledger
    sheet.parent.mkdir()
    sheet.write_bytes(SEED.read_bytes())
    build([sheet], BuildOptions(out_dir=tmp_path / "checked", outputs=("decks", "quizzes")))
    build(
        [sheet], BuildOptions(out_dir=tmp_path / "plain", check=False, outputs=("decks", "quizzes"))
    )

    def notes(out):
        with zipfile.ZipFile(out / "decks" / "ch02-sockets.apkg") as z:
            db = tmp_path / "c.anki2"
            db.write_bytes(z.read("collection.anki2"))
        con = sqlite3.connect(db)
        try:
            return [row[0] for row in con.execute("select flds from notes")]
        finally:
            con.close()

    checked = [n for n in notes(tmp_path / "checked") if "Reproduced on Linux loopback" in n]
    refused = [n for n in checked if '"Connection refused" — Meaning?' in n]
    assert refused and "ECONNREFUSED" in refused[0]
    assert any("TIME_WAIT — Who?" in n and "held by the Closer" in n for n in checked)
    duration = next(n for n in checked if "TIME_WAIT — Duration?" in n)
    assert "Linux holds TIME_WAIT for 60 s" in duration and "held by" not in duration
    assert not any("TIME_WAIT — Description?" in n for n in checked)  # no claim checks it
    assert not any("Reproduced on Linux loopback" in n for n in notes(tmp_path / "plain"))
    key = (tmp_path / "checked" / "quizzes" / "ch02-sockets-key.html").read_text()
    assert key.count("Reproduced on Linux loopback: ") >= 1
