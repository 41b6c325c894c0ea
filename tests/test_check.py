"""Snippet checks against real loopback peers, with real rustc/cargo. A check that passes a
broken snippet is the worst bug this feature can have, so most tests here break one."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from cardgen.check.runner import CheckOptions, check_sheets
from cardgen.parse import parse_file, parse_text
from tests.conftest import FIXTURES, SEED
from tests.test_bad_input import run_cli

SEED_TEXT = SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("cardgen-cache")


def check_text(text: str, cache: Path, **kw):
    sheet = parse_text(text, "sheet.md")
    results = check_sheets(
        [sheet], CheckOptions(cache=cache, jobs=2, timeout=8, **kw), claims=False
    )
    return {r.line: r for r in results}


def broken(old: str, new: str) -> str:
    assert old in SEED_TEXT
    return SEED_TEXT.replace(old, new, 1)


def test_seed_snippets_pass(cache):
    results = check_text(SEED_TEXT, cache, use_cache=False)
    status = {line: (r.kind, r.status) for line, r in results.items()}
    assert status == {
        132: ("tcp_server", "PASS"),
        143: ("tcp_client", "PASS"),
        151: ("udp_echo", "PASS"),
        158: ("socket_options", "PASS"),
        199: ("shell", "PASS"),
        200: ("shell", "PASS"),
        203: ("shell", "SKIP"),
        209: ("shell", "PASS"),
        212: ("shell", "SKIP"),
    }
    assert "Windows" in results[203].reason and "macOS" in results[212].reason
    assert "fixture `buffer`: a 1024-byte buffer" in results[151].context
    assert "fixture `addr`: the peer's loopback address as a SocketAddr" in results[158].context
    assert any("received 5 bytes: b'Hello'" in t for t in results[143].transcript)
    assert "CARDGEN_OPT socket.nodelay true" in results[158].transcript
    assert {results[n].mode for n in (132, 143, 151, 158)} == {"merged"}


def test_repeated_check_comes_from_the_cache(cache):
    check_text(SEED_TEXT, cache)
    again = check_text(SEED_TEXT, cache)
    assert {again[n].mode for n in (132, 143, 151, 158)} == {"cached"}
    edited = check_text(SEED_TEXT.replace("[0; 512]", "[0; 256]"), cache)
    assert edited[143].mode == "single" and edited[143].status == "PASS"
    assert edited[132].mode == "cached"


def test_syntax_error_fails_and_names_its_line(cache):
    results = check_text(
        broken(
            'let listener = TcpListener::bind("127.0.0.1:8080")?;',
            'let listener = TcpListener::bind("127.0.0.1:8080")?',
        ),
        cache,
        use_cache=False,
    )
    server = results[132]
    assert server.status == "FAIL" and server.reason.startswith("does not compile: line 13")
    assert server.mode == "per-snippet"
    assert results[143].status == "PASS"  # the other snippets still run


def test_wrong_port_fails(cache):
    results = check_text(
        broken('TcpStream::connect("127.0.0.1:8080")', 'TcpStream::connect("127.0.0.1:8081")'),
        cache,
    )
    assert results[143].status == "FAIL"
    assert "never connected" in results[143].reason


def test_udp_snippet_that_never_echoes_fails(cache):
    results = check_text(broken("socket.send_to(&buffer[..bytes], src)?;", ""), cache)
    assert results[151].status == "FAIL" and "no echo came back" in results[151].reason


def test_server_that_exits_at_once_fails(cache):
    results = check_text(
        broken(
            'let listener = TcpListener::bind("127.0.0.1:8080")?;',
            'let listener = TcpListener::bind("127.0.0.1:8080")?; return Ok(());',
        ),
        cache,
    )
    assert results[132].status == "FAIL"
    assert "never accepted a connection" in results[132].reason
    assert "exited with code 0" in results[132].reason


def test_server_that_never_accepts_fails(cache):
    results = check_text(
        broken(
            "for stream in listener.incoming() {",
            "std::thread::sleep(Duration::from_secs(60));\nfor stream in listener.incoming() {",
        ),
        cache,
    )
    assert results[132].status == "FAIL"
    assert "never accepted the connection" in results[132].reason


def test_wrong_socket2_call_fails(cache):
    results = check_text(broken("socket.set_nodelay(true)?;", "socket.set_no_delay(true)?;"), cache)
    assert results[158].status == "FAIL"
    assert results[158].reason.startswith(
        "does not compile: line 163: no method named `set_no_delay`"
    )


def test_client_that_sends_nothing_fails(cache):
    results = check_text(broken('stream.write_all(b"Hello")?;', ""), cache)
    assert results[143].status == "FAIL"


def test_non_loopback_is_refused_not_run(cache):
    text = broken('TcpStream::connect("127.0.0.1:8080")', 'TcpStream::connect("93.184.216.34:80")')
    text = text.replace("netstat -an | grep 8080", "curl http://example.com/")
    results = check_text(text, cache)
    assert results[143].status == "REFUSED" and "93.184.216.34" in results[143].reason
    assert results[199].status == "REFUSED" and "example.com" in results[199].reason


def test_shell_command_that_shows_nothing_fails(cache):
    results = check_text(broken("ss -tan | grep 8080", "ss -tan | grep 65000"), cache)
    assert results[200].status == "FAIL"


def test_endless_client_is_stopped_and_reaped(cache):
    text = broken(
        "let n = stream.read(&mut buffer)?;",
        "let n = stream.read(&mut buffer)?; loop { std::thread::sleep("
        "Duration::from_millis(50)); }",
    )
    results = check_text(text, cache)
    assert results[143].status == "FAIL" and "still running" in results[143].reason
    leftover = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            if str(cache).encode() in cmd:
                leftover.append(cmd)
    assert leftover == []


def test_ignore_and_no_run(cache):
    text = SEED_TEXT.replace(
        "### Creating a TCP Server\n```rust", "### Creating a TCP Server\n```rust,no_run"
    ).replace("### Creating a TCP Client\n```rust", "### Creating a TCP Client\n```rust ignore")
    results = check_text(text, cache)
    assert results[132].status == "PASS" and "no_run" in results[132].reason
    assert results[143].status == "SKIP" and "ignore" in results[143].reason


def test_python_sheet_is_checked_the_same_way(cache):
    sheet = parse_file(FIXTURES / "sheets" / "python-sockets.md")
    results = check_sheets([sheet], CheckOptions(cache=cache, jobs=2, use_cache=False))
    assert [(r.kind, r.status) for r in results] == [
        ("tcp_server", "PASS"),
        ("tcp_client", "PASS"),
        ("udp_echo", "PASS"),
        ("socket_options", "PASS"),
    ]
    text = (FIXTURES / "sheets" / "python-sockets.md").read_text()
    bad = parse_text(
        text.replace("sock.sendto(data, addr)", "pass").replace(
            'sock.sendall(b"Hello")', 'sock.sendall(b"Hello"'
        ),
        "py.md",
    )
    failed = {r.line: r for r in check_sheets([bad], CheckOptions(cache=cache, timeout=5))}
    assert failed[20].status == "FAIL" and "syntax error at line 24" in failed[20].reason
    assert failed[29].status == "FAIL" and "no echo" in failed[29].reason


def test_cli_reports_json_junit_and_exit_code(tmp_path, cache):
    sheet = tmp_path / "broken.md"
    sheet.write_text(broken("socket.send_to(&buffer[..bytes], src)?;", ""))
    env_cache = {"CARDGEN_CACHE_DIR": str(cache)}
    os.environ.update(env_cache)
    try:
        result = run_cli(
            "check",
            str(sheet),
            "--report",
            str(tmp_path / "r.json"),
            "--junit",
            str(tmp_path / "r.xml"),
        )
    finally:
        os.environ.pop("CARDGEN_CACHE_DIR")
    assert result.returncode == 1
    assert f"{sheet}:151: rust udp_echo snippet: FAIL — no echo came back" in result.stderr
    data = json.loads((tmp_path / "r.json").read_text())
    entry = next(c for c in data["checks"] if c["line"] == 151)
    assert {"lang", "kind", "line", "status", "reason", "context", "transcript"} <= set(entry)
    suite = ET.parse(tmp_path / "r.xml").getroot().find("testsuite")
    assert suite.get("failures") == "1" and int(suite.get("skipped")) >= 2
    snippets = [c for c in data["checks"] if not c["kind"].endswith("claim")]
    assert [c["status"] for c in snippets].count("FAIL") == 1
    assert data["summary"]["FAIL"] == 1
    assert any(c["kind"] == "state_claim" and c["status"] == "PASS" for c in data["checks"])


def test_author_directives_in_html_comments(cache):
    text = SEED_TEXT.replace(
        "### Creating a TCP Client\n```rust",
        "### Creating a TCP Client\n<!-- cardgen: ignore: needs the server of chapter 3 -->\n"
        "```rust",
    ).replace(
        "### Creating a UDP Socket\n```rust",
        "### Creating a UDP Socket\n<!-- cardgen-context\nlet mut buffer = [7u8; 32];\n-->\n"
        "```rust",
    )
    sheet = parse_text(text, "sheet.md")
    assert sheet.warnings == ()
    results = {r.label: r for r in check_sheets([sheet], CheckOptions(cache=cache, timeout=8))}
    client = results["Creating a TCP Client"]
    assert client.status == "SKIP"
    assert client.reason == "marked `ignore`: needs the server of chapter 3"
    udp = results["Creating a UDP Socket"]
    assert udp.status == "PASS"
    assert "the author's hidden context (cardgen-context comment)" in udp.context
    assert not any("fixture `buffer`" in c for c in udp.context)


def test_hidden_rustdoc_lines_are_compiled_but_not_shown(cache):
    from cardgen.questions import build_bank

    text = SEED_TEXT.replace(
        "let socket = UdpSocket::bind",
        "# let mut buffer = [0u8; 64];\nlet socket = UdpSocket::bind",
    )
    sheet = parse_text(text, "sheet.md")
    bank, _ = build_bank(sheet)
    shown = [q.code for q in bank.questions if q.kind == "snippet_call" and "recv_from" in q.answer]
    assert shown and "let mut buffer" not in shown[0]
    results = {r.line: r for r in check_sheets([sheet], CheckOptions(cache=cache, timeout=8))}
    assert results[151].status == "PASS"
    assert not any("fixture `buffer`" in c for c in results[151].context)
