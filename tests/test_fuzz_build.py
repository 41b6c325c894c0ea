"""Generated folders of sheets (structure and bytes), built, edited and built again through the
whole build: never an internal error, and the ledger always agrees with the decks."""

from __future__ import annotations

import os
import tempfile
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cardgen.build import BuildOptions, build
from cardgen.identity import read_ledger

WORDS = [
    "TCP",
    "UDP",
    "socket",
    "LISTEN",
    "TIME_WAIT",
    "Connection refused",
    "套接字",
    "端口",
    "Ünïcödé",
    "עברית",
    "😀",
    "<script>alert(1)</script>",
    "<b>",
    "&amp;",
    "{{c1::x}}",
    "::",
    "`code`",
    "**bold**",
    "[x](javascript:alert(1))",
    "|",
    "\\|",
    "→",
    "->",
    "—",
    "-",
    "?",
    "x" * 300,
    "",
]
text = st.lists(st.sampled_from(WORDS) | st.text(max_size=6), min_size=1, max_size=4).map(" ".join)
heading = st.tuples(st.integers(1, 4), text).map(lambda t: "#" * t[0] + " " + t[1])
table = st.tuples(
    st.lists(text, min_size=1, max_size=5),
    st.lists(st.lists(text, max_size=6), max_size=12),
).map(
    lambda t: "\n".join(
        ["| " + " | ".join(t[0]) + " |", "|" + "---|" * len(t[0])]
        + ["| " + " | ".join(row) + " |" for row in t[1]]
    )
)
definitions = st.lists(st.tuples(text, text), min_size=1, max_size=8).map(
    lambda items: "\n".join(f"- **{term}**: {body}" for term, body in items)
)
labelled = st.tuples(text, st.lists(text, min_size=1, max_size=8)).map(
    lambda t: f"**{t[0]}:**\n" + "\n".join(f"- {item}" for item in t[1])
)
state_path = st.lists(st.sampled_from(["CLOSED", "LISTEN", "SYN_SENT", "x", "套接字"]), max_size=6)
path_block = state_path.map(lambda states: "```\n" + " → ".join(states) + "\n```")
steps = st.lists(text, min_size=1, max_size=5).map(
    lambda items: "\n".join(
        f"{n}. **{t}** (Client → Server)\n   - Client enters `SYN_SENT` state"
        for n, t in enumerate(items, 1)
    )
)
takeaway = st.tuples(text, text).map(lambda t: f"✓ **{t[0]}** – {t[1]}")
fence = st.tuples(st.sampled_from(["rust", "python", "bash", "", "text"]), text).map(
    lambda t: f'```{t[0]}\n{t[1]}\nlet x = TcpListener::bind("127.0.0.1:8080")?;\n```'
)
block = st.one_of(heading, table, definitions, labelled, path_block, steps, takeaway, fence, text)
sheet_text = st.lists(block, min_size=1, max_size=12).map(lambda blocks: "\n\n".join(blocks) + "\n")
name = st.text(
    st.characters(blacklist_characters="/\0", blacklist_categories=("Cs",)), min_size=1, max_size=20
).filter(lambda n: not n.startswith(".") and len(n.encode()) < 200)


@st.composite
def sheet_bytes(draw) -> bytes:
    data = draw(sheet_text).encode("utf-8")
    how = draw(st.sampled_from(["as is", "as is", "text", "bytes"]))
    if how != "as is":  # spliced: any text (controls, BOM, CR...), or any bytes at all
        spliced = draw(st.binary(max_size=12) if how == "bytes" else st.text(max_size=12))
        spliced = spliced if isinstance(spliced, bytes) else spliced.encode("utf-8", "replace")
        at = draw(st.integers(0, len(data)))
        data = data[:at] + spliced + data[at + draw(st.integers(0, 8)) :]
    return data


folder = st.dictionaries(name, sheet_bytes(), min_size=1, max_size=3)
edit = st.sampled_from(["none", "swap", "drop", "rename", "retitle"])


def apply_edit(content: Path, how: str, other: bytes) -> None:
    sheets = sorted(content.glob("*.md"))
    if not sheets:
        return
    target = sheets[0]
    data = target.read_bytes()
    if how == "swap":
        parts = data.split(b"\n\n")
        target.write_bytes(b"\n\n".join(parts[1:] + parts[:1]))
    elif how == "drop":
        target.write_bytes(b"\n\n".join(data.split(b"\n\n")[1:]) or other)
    elif how == "rename":
        target.rename(target.with_name("renamed " + target.name))
    elif how == "retitle":
        target.write_bytes(data.replace(b"#", b"# Edited", 1) + b"\n" + other)


def check_decks_agree_with_ledger(content: Path, out: Path) -> None:
    import sqlite3

    entries = read_ledger(content).entries  # it always reads back
    live = [e for e in entries if e.state != "retired"]
    assert len({e.guid for e in entries}) == len(entries)
    for sheet in {e.sheet for e in live}:
        deck = out / "decks" / (sheet[: -len(".md")] + ".apkg")
        if not deck.exists():
            continue
        with zipfile.ZipFile(deck) as zf:
            conn = sqlite3.connect(":memory:")
            conn.deserialize(zf.read("collection.anki2"))
            guids = {g for (g,) in conn.execute("SELECT guid FROM notes")}
            conn.close()
        assert guids == {e.guid for e in live if e.sheet == sheet}


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
@given(folder, edit, sheet_bytes())
def test_generated_sheets_never_meet_an_internal_error(sheets, how, other):
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = "1700000000"
    try:
        with tempfile.TemporaryDirectory() as tmp:
            content = Path(tmp) / "content"
            content.mkdir()
            for sheet_name, data in sheets.items():
                (content / f"{sheet_name}.md").write_bytes(data)
            out = Path(tmp) / "out"
            for _ in range(2):
                result = build([content], BuildOptions(out_dir=out, check=False, jobs=1))
                for outcome in result.outcomes:
                    assert "internal error" not in str(outcome.error), outcome.error
                assert (out / "report.json").exists() and (out / "index.html").exists()
                check_decks_agree_with_ledger(content, out)
                apply_edit(content, how, other)
    finally:
        if old is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old
