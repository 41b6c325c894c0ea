"""Sheets in the styles people really write (`fixtures/sheets/real/`, our own text): every one
builds, every idiom gives the cards it should, and no card is junk. Decks are read back
through the real `anki` package."""

from __future__ import annotations

import json
import re
import shutil
from html import unescape
from pathlib import Path

import pytest
from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

from cardgen.build import BuildOptions, build
from tests.conftest import FIXTURES

REAL = FIXTURES / "sheets" / "real"


def text_of(html: str) -> str:
    html = re.sub(r"<style>.*?</style>", "", html, flags=re.S)
    html = re.sub(r'<img\b[^>]*\balt="([^"]*)"[^>]*>', r" [image: \1] ", html)
    html = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", unescape(html)).strip()


class Deck:
    """All the fixture decks imported into one real Anki collection."""

    def __init__(self, col: Collection, out: Path, report: dict) -> None:
        self.col = col
        self.out = out
        self.report = report
        self.cards = []
        for cid in col.find_cards(""):
            card = col.get_card(cid)
            note = card.note()
            question = text_of(card.question())
            answer_html = card.answer()
            back = answer_html.split('<hr id="answer">', 1)[-1]
            back = re.sub(r'<div class="cg-source">.*?</div>', "", back, flags=re.S)
            self.cards.append(
                {
                    "deck": col.decks.name(card.did),
                    "front": question,
                    "back": text_of(back),
                    "answer": text_of(answer_html),
                    "answer_html": answer_html,
                    "tags": note.tags,
                    "cloze": note.note_type()["type"] == 1,
                    "fields": dict(note.items()),
                }
            )

    def of(self, sheet: str) -> list[dict]:
        return [c for c in self.cards if sheet in c["fields"].get("Source", "")]

    def sheet(self, name: str) -> dict:
        return next(s for s in self.report["sheets"] if s["name"] == name)


@pytest.fixture(scope="module")
def deck(tmp_path_factory):
    root = tmp_path_factory.mktemp("real")
    content = root / "content"
    shutil.copytree(REAL, content)
    out = root / "out"
    result = build([content], BuildOptions(out_dir=out, check=False, jobs=1))
    assert not result.failed, [str(o.error) for o in result.failed]
    col = Collection(str(root / "collection.anki2"))
    for apkg in sorted((out / "decks").glob("*.apkg")):
        request = ImportAnkiPackageRequest(
            package_path=str(apkg), options=ImportAnkiPackageOptions()
        )
        col.import_anki_package(request)
    report = json.loads((out / "report.json").read_text())
    yield Deck(col, out, report)
    col.close()


def fronts(cards: list[dict]) -> list[str]:
    return [c["front"] for c in cards]


def find(cards: list[dict], front_part: str) -> list[dict]:
    return [c for c in cards if front_part in c["front"]]


def test_every_sheet_builds_and_every_block_is_accounted_for(deck):
    sheets = deck.report["sheets"]
    assert len(sheets) >= 25
    for sheet in sheets:
        assert sheet["status"] == "built", sheet["error"]
        for block in sheet["blocks"]:
            assert block["questions"] or block["skipped"], (sheet["path"], block)


def test_front_matter_names_the_deck_and_tags_the_notes(deck):
    cards = deck.of("devhints-systemd.md")
    assert cards and {c["deck"].split("::")[0] for c in cards} == {"systemd"}
    assert all({"wip", "sysadmin"} <= set(c["tags"]) for c in cards)
    for c in cards:
        assert "2024-02-19" not in c["answer"] and "updated:" not in c["answer"]
        assert "category" not in c["answer"].lower()


def test_site_generator_noise_never_shows(deck):
    for c in deck.cards:
        for noise in ("{:", "{%", "{{ tab", "{{ std", "three-column", "{: .-", "+++"):
            assert noise not in c["answer"], (noise, c["front"])


def test_tldr_entries_are_asked_by_what_they_do(deck):
    cards = deck.of("tldr-chmod.md")
    source = (REAL / "tldr-chmod.md").read_text()
    entries = re.findall(r"^- (.+):\n\n`([^`]+)`", source, flags=re.M)
    assert len(entries) == source.count("\n- ") >= 8
    for description, command in entries:
        wanted = f"Which command: {description[0].lower()}{description[1:]}?".replace("`", "")
        asked = [c for c in cards if c["front"].endswith(wanted)]
        assert len(asked) == 1, description
        short = re.sub(r"\{\{\[([^|\]]+)\|[^\]]*\]\}\}", r"\1", command)  # tldr's [-c|--changes]
        assert asked[0]["back"].startswith(short)
    let_owner = find(cards, "Which command: let the owner ([u]ser) e[x]ecute a file?")
    assert [c["back"].split(" tldr-chmod.md")[0] for c in let_owner] == [
        "chmod u+x {{path/to/file}}"
    ]
    summary = find(cards, "What does chmod do?")
    assert summary and "Change the access permissions" in summary[0]["back"]
    assert not any("More information" in c["answer"] for c in cards)


def test_every_operator_row_is_a_fact_of_its_own(deck):
    """The operator table's rows ask by their example (`1 << 4 == 16`), since `*` and `-`
    name two operators each; no row is lost as a repeat."""
    cards = deck.of("awesome-c-reference.md")
    source = (REAL / "awesome-c-reference.md").read_text().split("\n")
    rows = [n + 1 for n, line in enumerate(source) if re.match(r"^\| `[^`]+` \| [a-z]", line)]
    from cardgen.explain import explain
    from cardgen.parse import parse_file
    from cardgen.questions import build_bank

    sheet = parse_file(REAL / "awesome-c-reference.md")
    ex = explain(sheet, build_bank(sheet)[0])
    lines = {c.line for view in ex.blocks for c in view.cards}
    assert rows and set(rows) <= lines
    asked = {f for c in cards if "Operators" in c["fields"]["Source"] for f in [c["front"]]}
    assert len(asked) >= len(rows)


def test_symbol_only_names_are_keys_of_their_own(tmp_path):
    from cardgen.parse import parse_bytes
    from cardgen.questions import build_bank

    sheet = parse_bytes(
        b"# Ops\n\n## Shell\n\n| Op | Does |\n|---|---|\n| `&&` | run next if this succeeds |\n"
        b"| `\\|\\|` | run next if this fails |\n| `;` | run next anyway |\n| `-` | read stdin |\n"
        b"| `<<` | here-document |\n",
        "ops.md",
    )
    bank, _ = build_bank(sheet)
    keys = [q.key for q in bank.questions]
    assert len(keys) == len(set(keys)) == 5
    assert all(not k.endswith("/x/does") for k in keys)


def test_running_numbers_and_shared_values_are_not_facts(deck):
    cards = deck.of("awesome-c-reference.md")
    assert not find(cards, " — #?")
    assert not [c for c in cards if re.search(r"which \w+ has Signed", c["front"])]


def test_key_column_is_the_one_that_names_rows(deck):
    """`| Description | Specifier |`: the specifier names the row, so it is the cue."""
    cards = deck.of("awesome-c-reference.md")
    assert find(cards, "%u — Description?")
    assert not find(cards, "unsigned decimal integer — Specifier?")


def test_definition_lists_in_every_form(deck):
    cards = deck.of("glossary-networking.md")
    arp = find(cards, "ARP")
    assert any("Address Resolution Protocol" in c["answer"] for c in arp)
    assert len(find(cards, "What is ACK?")) == 1


def test_a_repeated_definition_is_merged_and_reported(deck):
    sheet = deck.sheet("glossary-networking")
    reasons = [r["reason"] for b in sheet["blocks"] for r in b["skipped"]]
    assert any("repeats the fact of line" in r for r in reasons)


def test_questions_in_admonitions_and_details(deck):
    ttl = find(deck.of("mkdocs-dns.md"), "What is a TTL?")
    assert len(ttl) == 1 and "time to live" in ttl[0]["back"]
    details = find(deck.of("readme-git-workflow.md"), "Why not GitFlow?")
    assert len(details) == 1 and "versioned releases" in details[0]["back"]


def test_alerts_are_read_like_the_rest(deck):
    sheet = deck.sheet("readme-git-workflow")
    alert_lines = [
        n + 1
        for n, line in enumerate((REAL / "readme-git-workflow.md").read_text().split("\n"))
        if line.startswith("> [!")
    ]
    covered = {b["line"] for b in sheet["blocks"]}
    assert any(line + 1 in covered for line in alert_lines)


def test_footnotes_show_on_their_card(deck):
    cards = [
        c
        for c in deck.of("readme-git-workflow.md")
        if "[trunk]" in c["answer"] or "trunk" in c["fields"].get("Extra", "")
    ]
    assert cards or any("[^" not in c["answer"] for c in deck.of("readme-git-workflow.md"))
    assert not any("[^" in c["answer"] for c in deck.cards)


def test_relative_images_are_packed_and_shown(deck):
    cards = deck.of("linux-permissions-images.md")
    with_image = [c for c in cards if "<img" in c["answer_html"]]
    assert with_image
    media = deck.col.media.dir()
    for c in with_image:
        for src in re.findall(r'<img src="([^"]+)"', c["answer_html"]):
            assert (Path(media) / src).is_file()
    warnings = [w["message"] for w in deck.sheet("linux-permissions-images")["warnings"]]
    assert any(m.startswith("image not found: img/mode-644.png") for m in warnings)
    assert any(m.startswith("remote image not fetched") for m in warnings)


def test_non_latin_facts_keep_their_own_notes(deck):
    cards = deck.of("zh-docker-networking.md")
    assert find(cards, "请求头") and find(cards, "响应头")
    keys = [q for b in deck.sheet("zh-docker-networking")["blocks"] for q in b["questions"]]
    assert len(keys) == len(set(keys))
    assert any(re.search(r"[\u4e00-\u9fff]", k) for k in keys)


def test_state_paths_and_chains_are_one_cloze_note_each(deck):
    cards = deck.of("tcp-state-machine.md")
    chains = [c for c in cards if c["cloze"] and "socket()" in c["front"]]
    assert chains
    assert not find(cards, "comes right after")


def test_code_and_commands(deck):
    rust = [c for c in deck.of("sockets-rust-python.md") if "which call is missing" in c["front"]]
    assert rust
    kubectl = find(deck.of("kubectl-reference.md"), "Which command:")
    assert len(kubectl) >= 20
    for c in kubectl:
        assert "using `" not in c["front"] or c["front"].count("using") == 1


def test_code_cloze_notes_hold_one_snippet_each(deck):
    rust_and_python = [c for c in deck.of("sockets-rust-python.md") if c["cloze"]]
    assert rust_and_python
    for c in deck.cards:
        assert "CARDGENBLANK" not in " ".join(c["fields"].values())
    for c in rust_and_python:
        text = c["fields"]["Text"]
        rust = "let " in text or "::" in text
        python = "import socket" in text or "socket.socket" in text
        assert not (rust and python), text[:200]
        numbers = sorted({int(n) for n in re.findall(r"\{\{c(\d+)::", text)})
        assert numbers == list(range(1, len(numbers) + 1))


def test_no_junk_cards(deck):
    seen_fronts: dict[str, str] = {}
    for c in deck.cards:
        front, back = c["front"], c["back"]
        assert front, c
        answer = back.split(" · ")[0]
        code_answer = re.search(r'<hr id="answer">\s*(?:<[^>]+>\s*)*<code>', c["answer_html"])
        assert code_answer or not re.fullmatch(r"[\s\-—–?|.…\[\]]*", answer), c
        assert not answer.rstrip().endswith(":") or c["cloze"], c
        m = re.search(r"^(.*?): (\S+(?: or \S+)+)\?", front)
        if m and " or " in m.group(2):
            options = m.group(2).split(" or ")
            assert len(set(options)) == len(options), c
        if not c["cloze"]:
            assert front not in seen_fronts or seen_fronts[front] == answer, front
            seen_fronts[front] = answer
        for toc in ("Table of Contents", "table of contents"):
            assert toc not in front, c
