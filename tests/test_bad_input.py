"""Bad sheets give `path:line: message` and the right exit code, never a traceback."""

from __future__ import annotations

import contextlib
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cardgen.errors import CardgenError, SheetError
from cardgen.parse import parse_bytes, parse_file
from tests.conftest import SEED


def run_cli(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "cardgen", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("data", "line", "words"),
    [
        (b"", 1, "empty sheet"),
        (b"  \n\n\t\n", 1, "empty sheet"),
        (b"# Title\n\nsome\x00binary", 3, "binary file"),
        (b"# Title\n\n**Term**: caf\xe9\n", 3, "not valid UTF-8"),
        (b"---\ntitle: T\n---\n", 1, "nothing but front matter"),
    ],
)
def test_bad_sheet_is_located(data, line, words):
    with pytest.raises(SheetError) as info:
        parse_bytes(data, "bad.md")
    assert info.value.line == line
    assert words in str(info.value)
    assert str(info.value).startswith(f"bad.md:{line}: ")


def test_unclosed_fence_is_a_warning_and_the_code_still_counts():
    sheet = parse_bytes(b"# Title\n\n```rust\nfn main() {}\n", "bad.md")
    assert [(w.line, w.message) for w in sheet.warnings] == [
        (3, "code fence '```' opened here is never closed")
    ]
    assert [b.kind for b in sheet.blocks] == ["snippet"]


def test_unclosed_fence_ends_where_the_prose_starts_again():
    data = b"# T\n\n```bash\nls -la\n\n## Next\n\n**TCP**: reliable\n"
    sheet = parse_bytes(data, "bad.md")
    assert [b.kind for b in sheet.blocks] == ["snippet", "definition"]
    assert sheet.blocks[1].pos.line == 8


def test_bom_and_crlf_are_read_like_plain_text():
    plain = SEED.read_bytes()
    windows = b"\xef\xbb\xbf" + plain.replace(b"\n", b"\r\n")
    a = parse_bytes(plain, "s.md")
    b = parse_bytes(windows, "s.md")
    assert a == b


def test_missing_cell_is_a_warning_with_its_line():
    sheet = parse_bytes(b"# T\n\n| A | B | C |\n|---|---|---|\n| x | y |\n", "t.md")
    assert [(w.line, w.message) for w in sheet.warnings] == [
        (5, "table row has 2 cells but the header has 3 (1 missing)")
    ]


def test_large_sheet_parses(tmp_path):
    body = SEED.read_text(encoding="utf-8").split("\n", 2)[2]
    big = "# Big\n" + body * (5_000_000 // len(body.encode()))
    path = tmp_path / "big.md"
    path.write_text(big, encoding="utf-8")
    assert path.stat().st_size > 4_900_000
    sheet = parse_file(path)
    assert len(sheet.blocks) > 10_000


def test_oversized_sheet_is_refused(tmp_path):
    path = tmp_path / "huge.md"
    path.write_bytes(b"- item\n" * 1_300_000)
    with pytest.raises(SheetError, match="the limit is"):
        parse_file(path)


def test_cli_reports_bad_sheets_and_builds_the_good_one(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    (content / "good.md").write_bytes(SEED.read_bytes())
    (content / "binary.md").write_bytes(b"\x00\x01\x02")
    (content / "latin1.md").write_bytes(b"# T\n\ncaf\xe9\n")
    (content / "fence.md").write_text("# T\n\n```bash\nls\n")
    result = run_cli("build", "--no-check", str(content), "-o", str(tmp_path / "out"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"{content / 'binary.md'}:1: binary file" in result.stderr
    assert f"{content / 'latin1.md'}:3: not valid UTF-8" in result.stderr
    assert f"{content / 'fence.md'}:3: code fence" in result.stderr
    assert f"{content / 'good.md'}: built" in result.stdout


def test_cli_exit_codes(tmp_path):
    assert run_cli("parse", str(tmp_path / "missing.md")).returncode == 2
    assert run_cli("parse").returncode == 2
    assert run_cli("frobnicate").returncode == 2
    ok = run_cli("parse", str(SEED))
    assert ok.returncode == 0 and "Client Path" in ok.stdout
    version = run_cli("--version")
    assert version.returncode == 0 and version.stdout.startswith("cardgen ")


markdownish = st.lists(
    st.sampled_from(
        [
            "# ",
            "## ",
            "### ",
            "**",
            "*",
            "`",
            "```",
            "```rust",
            "~~~",
            "\n",
            "\n\n",
            "- ",
            "1. ",
            "| ",
            " |",
            "|---|",
            "→",
            "->",
            "✓ ",
            ": ",
            "Term",
            "CLOSED",
            "> ",
            "\\|",
            "  ",
            "<b>",
            "[x](y)",
            "\r\n",
            "\t",
            "\ufeff",
            "é",
            "TIME_WAIT",
            "# Linux\n",
        ]
    )
    | st.text(max_size=8),
    max_size=60,
).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markdownish)
def test_random_markdown_raises_only_our_error(text):
    try:
        sheet = parse_bytes(text.encode("utf-8", "surrogatepass"), "random.md")
    except CardgenError:
        return
    for block in sheet.blocks:
        assert block.pos.line >= 1
    for warning in sheet.warnings:
        assert warning.line >= 1


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes_raise_only_our_error(data):
    with contextlib.suppress(CardgenError):
        parse_bytes(data, "random.md")


@pytest.mark.parametrize("argv", [["--help"], ["parse", str(SEED)]])
def test_help_and_parse_do_not_load_the_renderers(argv):
    code = (
        "import sys\nfrom cardgen.cli import main\n"
        f"try:\n    main({argv!r})\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('genanki', 'jinja2', 'pygments') if m in sys.modules),"
        " file=sys.stderr)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.stderr.strip().splitlines()[-1] == "[]"
