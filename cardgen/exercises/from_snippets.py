"""Exercises from runnable snippets: the snippet becomes the solution, its key lines TODOs."""

from __future__ import annotations

import re

from cardgen.check import fixtures
from cardgen.check.classify import PYTHON, RUST, classify
from cardgen.check.loopback import addresses_in_code, is_loopback
from cardgen.exercises.model import Exercise
from cardgen.model import Sheet, Snippet
from cardgen.questions.model import slug
from cardgen.questions.snippets import key_calls

TASKS = {
    "tcp_server": (
        "Write a TCP server that listens on the address it is given and accepts "
        "connections. The checker connects to your server and sends a line; you pass "
        "once your server has accepted the connection."
    ),
    "tcp_client": (
        "Write a TCP client that connects to the server at the address it is given, "
        "sends `Hello`, and reads the reply. You pass when the bytes reach the "
        "checker's server and your program ends without an error."
    ),
    "udp_echo": (
        "Write a UDP echo server: bind a UDP socket to the address it is given, receive "
        "one datagram, and send it back to where it came from. You pass when the "
        "checker gets its datagram back unchanged."
    ),
    "udp_client": (
        "Write a UDP client: send a datagram to the address it is given and read the "
        "answer. You pass when the checker receives your datagram."
    ),
    "socket_options": (
        "Create a TCP socket, set the options below, and bind it to the address "
        "it is given; return the socket. The checker reads every option back."
    ),
}
_RUST_LITERAL = re.compile(r'"(?:\[[0-9a-fA-F:]+\]|[\w.-]+):\d{1,5}"')


def _rust_body(snippet: Snippet, kind: str) -> tuple[list[str], list[str], list[str], list[str]]:
    """(use lines, fixture lines, body lines, crates) of the snippet as `run(addr: &str)`."""
    original = (snippet.hidden + snippet.code).rstrip("\n")
    original = "\n".join(
        line[2:] if line.startswith("# ") else line for line in original.split("\n")
    )
    missing = fixtures.undeclared(original, fixtures.RUST_FIXTURES, "rust")
    pre = [fixtures.RUST_FIXTURES[n][0].format(addr="addr") for n in missing]
    code = _RUST_LITERAL.sub(
        lambda m: "addr" if _loopback_literal(m.group()) else m.group(), original
    )
    lines = code.split("\n")
    uses = [line for line in lines if re.match(r"\s*use\s", line)]
    body = [line for line in lines if line not in uses]
    crates = sorted({m.group(1) for m in re.finditer(r"\buse\s+(\w+)::", code)} - {"std", "crate"})
    return uses, pre, body, crates


def _loopback_literal(literal: str) -> bool:
    return any(
        is_loopback(a.host) or a.host in ("0.0.0.0", "[::]") for a in addresses_in_code(literal)
    )


def _returns_socket(body: list[str]) -> str | None:
    for line in body:
        if m := re.match(r"\s*let\s+(?:mut\s+)?(\w+)\s*=\s*Socket::new", line):
            return m.group(1)
    return None


def _split_comment(line: str) -> tuple[str, str]:
    """`socket.set_nodelay(true)?; // Disable Nagle` → (code, "Disable Nagle")."""
    m = re.match(r"^(.*?;)\s*(?://|#)\s*(.*)$", line)
    return (m.group(1), m.group(2).strip()) if m else (line, "")


def _todo(line: str, call: str, comment: str) -> str:
    indent = line[: len(line) - len(line.lstrip())]
    target = re.match(r"\s*let\s+(?:mut\s+)?\(?([\w, ]+)\)?\s*=", line)
    what = f"create `{target.group(1).strip()}` with" if target else "call"
    why = f" ({comment})" if comment else ""
    return f"{indent}// TODO: {what} `{call}`{why}"


def rust_files(snippet: Snippet, kind: str) -> tuple[str, str, list[str], list[str], dict]:
    """(solution, starter, hints, crates, expect) for a Rust snippet."""
    uses, pre, body, crates = _rust_body(snippet, kind)
    socket_var = _returns_socket(body) if kind == "socket_options" else None
    ret_type = "socket2::Socket" if socket_var else "()"
    ret = f"Ok({socket_var})" if socket_var else "Ok(())"
    expect = {}
    for m in re.finditer(r"\b(\w+)\.set_(\w+)\((\w+)\)", "\n".join(body)):
        expect[m.group(2)] = m.group(3)
    head = ["use std::io::prelude::*;", "use std::net::*;", *uses, ""]
    signature = f"pub fn run(addr: &str) -> Result<{ret_type}, Box<dyn std::error::Error>> {{"

    def assemble(lines: list[str]) -> str:
        inner = [f"    {line}" if line.strip() else "" for line in pre + lines]
        return "\n".join(["#![allow(unused)]", *head, signature, *inner, f"    {ret}", "}", ""])

    starter_body: list[str] = []
    hints: list[str] = []
    for line in body:
        code, comment = _split_comment(line)
        calls = [c.name for c in key_calls(code)]
        if calls and code.rstrip().endswith(";"):
            starter_body.append(_todo(code, calls[0], comment))
            hints.append(f"Look up `{calls[0]}` in the documentation.")
            hints.append(f"The line you need has this shape: `{_shape(code.strip())}`")
        else:
            starter_body.append(line)
    return assemble(body), assemble(starter_body), hints, crates, expect


def _shape(line: str) -> str:
    """`let n = stream.read(&mut buffer)?;` → `let n = stream.read(…)?;`."""
    return re.sub(r"\(([^()]|\([^()]*\))+\)", "(…)", line)


def python_files(snippet: Snippet, kind: str) -> tuple[str, str, list[str], list[str], dict]:
    original = (snippet.hidden + snippet.code).rstrip("\n")
    missing = fixtures.undeclared(original, fixtures.PYTHON_FIXTURES, "python")
    code = re.sub(
        r"\(\s*([\"'])(127\.0\.0\.1|localhost|::1|0\.0\.0\.0|)\1\s*,\s*\d{1,5}\s*\)",
        "addr",
        original,
    )
    pre = [fixtures.PYTHON_FIXTURES[n][0].format(tuple="addr", port="addr[1]") for n in missing]
    lines = pre + code.split("\n")
    socket_var = None
    expect = {}
    for m in re.finditer(r"\b(\w+)\.setsockopt\(\s*[\w.]+\s*,\s*([\w.]+)\s*,\s*(\w+)\)", code):
        socket_var = m.group(1)
        expect[m.group(2).split(".")[-1]] = m.group(3)
    imports = [line for line in lines if re.match(r"(import|from)\s", line)]
    body = [line for line in lines if line not in imports]

    def assemble(inner: list[str]) -> str:
        out = [
            "import socket",
            *[i for i in imports if i != "import socket"],
            "",
            "",
            "def run(addr):",
            '    """`addr` is a (host, port) tuple."""',
        ]
        out += [f"    {line}" if line.strip() else "" for line in inner]
        if socket_var and kind == "socket_options":
            out.append(f"    return {socket_var}")
        return "\n".join(out) + "\n"

    starter, hints = [], []
    for line in body:
        calls = [c.name for c in key_calls(line)]
        stripped = line.strip()
        if calls and not stripped.endswith(":") and not stripped.startswith(("with ", "for ")):
            indent = line[: len(line) - len(line.lstrip())]
            starter.append(f"{indent}pass  # TODO: call `{calls[0]}`")
            hints.append(f"Look up `socket.{calls[0]}` in Python's documentation.")
            hints.append(f"The line you need has this shape: `{_shape(stripped)}`")
        else:
            starter.append(line)
    return assemble(body), assemble(starter), hints, [], expect


def snippet_exercises(sheet: Sheet) -> list[Exercise]:
    out = []
    for snippet in sheet.of_kind(Snippet):
        if snippet.lang not in RUST | PYTHON or "ignore" in snippet.flags:
            continue
        kind = classify(snippet.lang, snippet.hidden + snippet.code)
        if kind not in TASKS:
            continue
        lang = "rust" if snippet.lang in RUST else "python"
        make = rust_files if lang == "rust" else python_files
        solution, starter, hints, crates, expect = make(snippet, kind)
        if starter == solution:
            continue
        task = TASKS[kind]
        if expect:
            task += "\n\n" + "\n".join(f"- `{k}` set to `{v}`" for k, v in expect.items())
        background = (
            f"This exercise practises **{snippet.label}** from the cheatsheet "
            f"*{sheet.title}*. The sheet's version of the code is the model answer."
        )
        name = re.sub(
            r"^((creating|setting|using|writing|making)-)?(an?-|the-)?", "", slug(snippet.label)
        )
        out.append(
            Exercise(
                name,
                snippet.label,
                kind,
                lang,
                task,
                background,
                f"{snippet.pos.path.rsplit('/', 1)[-1]}:{snippet.pos.line}",
                starter,
                solution,
                hints,
                crates,
                expect,
            )
        )
    return out
