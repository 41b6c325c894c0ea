"""A Rust snippet drafted as `src/exercise.rs`: `pub fn run(addr: &str)`, whose TODOs are
`todo!()` where a later line needs the value (the program stops there, and says so) and
comments where it does not (the program goes on without that line)."""

from __future__ import annotations

import re

from cardgen.check import fixtures
from cardgen.check.loopback import addresses_in_code, is_loopback
from cardgen.exercises.drafts import TODO_MARK, Draft, SourceDraft, line_stage, sent_bytes, shape
from cardgen.model import Snippet
from cardgen.questions.snippets import key_calls

_LITERAL = re.compile(r'"(?:\[[0-9a-fA-F:]+\]|[\w.-]+):\d{1,5}"')
_LET = re.compile(
    r"^(?P<indent>\s*)let\s+(?P<mut>mut\s+)?(?P<pat>\([\w\s,]+\)|\w+)\s*=\s*(?P<expr>.+?;)"
    r"\s*(?://\s*(?P<comment>.*))?$"
)
_STATEMENT = re.compile(r"^(?P<indent>\s*)(?P<code>.+?;)\s*(?://\s*(?P<comment>.*))?$")
TYPES = {
    "TcpStream::connect": "TcpStream",
    "TcpListener::bind": "TcpListener",
    "UdpSocket::bind": "UdpSocket",
    "Socket::new": "Socket",
    "accept": "(TcpStream, SocketAddr)",
    "recv_from": "(usize, SocketAddr)",
    "peek_from": "(usize, SocketAddr)",
    "read": "usize",
    "recv": "usize",
    "write": "usize",
    "send": "usize",
    "send_to": "usize",
    "local_addr": "SocketAddr",
    "peer_addr": "SocketAddr",
}
"""What a key call gives, so that its TODO can be `let x: T = todo!(…)` and still compile."""
SENDS = {"tcp_client": "write_all|write", "udp_client": "send_to|send"}
READS = {"tcp_client": r"\.read(?:_exact|_to_end|_to_string|_line)?\(", "udp_client": r"\.recv"}
_PLACEHOLDER_ARM = re.compile(
    r"^(?P<indent>\s*)Ok\((?:mut\s+)?(?P<name>\w+)\)\s*=>\s*\{\s*(?:/\*\s*(?P<what>.*?)\s*\*/)?"
    r"\s*\}\s*,?\s*$"
)


def _loopback_literal(literal: str) -> bool:
    """A loopback (or wildcard) address with a port: the one the exercise is given. Port 0
    (any free port, as a client binds) stays as it is."""
    return any(
        (is_loopback(a.host) or a.host in ("0.0.0.0", "[::]")) and a.port != 0
        for a in addresses_in_code(literal)
    )


def _echo_handler(lines: list[str]) -> list[str] | None:
    """A server that leaves its connection unhandled (`Ok(stream) => { /* handle … */ }`),
    made an echo server; a server that reads and writes back already, as it is."""
    code = "\n".join(lines)
    if re.search(r"\.read\w*\(", code) and re.search(r"\.write\w*\(", code):
        reads = re.findall(r"\.read\w*\(\s*&mut\s+(\w+)", code)
        echoes = any(re.search(rf"\.write\w*\([^;]*\b{b}\b", code) for b in reads)
        return lines if echoes else None
    out = []
    for line in lines:
        m = _PLACEHOLDER_ARM.match(line)
        if m is None:
            out.append(line)
            continue
        i, name = m.group("indent"), m.group("name")
        what = (m.group("what") or "handle the connection").rstrip(".")
        out += [
            f"{i}Ok(mut {name}) => {{",
            f"{i}    // {what}: read what the client sent, and send it back",
            f"{i}    let mut buffer = [0u8; 1024];",
            f"{i}    let n = {name}.read(&mut buffer)?;",
            f"{i}    {name}.write_all(&buffer[..n])?;",
            f"{i}}}",
        ]
    return out if out != lines else None


def _todo(line: str, calls: list[str], later: str) -> str | None:
    """The starter's line for a key line, or None when it must stay (its value's type is
    not known, and a later line uses it)."""
    call = calls[0]
    receiver = re.search(rf"(\w+)\s*\.\s*{re.escape(call)}\s*\(", line)
    target = f"{receiver.group(1)}.{call}" if receiver else call
    m = _LET.match(line)
    if m is not None:
        pat = m.group("pat")
        what = f"create `{pat}` with `{target}`"
        kind = TYPES.get(call) or TYPES.get(call.rsplit("::", 1)[-1])
        if kind is None:
            names = re.findall(r"\w+", pat)
            if any(re.search(rf"\b{n}\b", later) for n in names):
                return None
        comment = f" ({m.group('comment')})" if m.group("comment") else ""
        typed = f": {kind}" if kind else ""
        return (
            f"{m.group('indent')}let {m.group('mut') or ''}{pat}{typed} = "
            f'todo!("{TODO_MARK}: {what}{comment}");'
        )
    m = _STATEMENT.match(line)
    if m is None:
        return None
    comment = f" ({m.group('comment')})" if m.group("comment") else ""
    return f"{m.group('indent')}// {TODO_MARK}: call `{target}`{comment}"


def rust_draft(snippet: Snippet, kind: str) -> SourceDraft | None:
    original = (snippet.hidden + snippet.code).rstrip("\n")
    original = "\n".join(
        line[2:] if line.startswith("# ") else ("" if line == "#" else line)
        for line in original.split("\n")
    )
    if re.search(r"\bfn\s+main\s*\(", original):
        return None
    missing = fixtures.undeclared(original, fixtures.RUST_FIXTURES, "rust")
    pre = [fixtures.RUST_FIXTURES[n][0].format(addr="addr") for n in missing]
    code = _LITERAL.sub(lambda m: "addr" if _loopback_literal(m.group()) else m.group(), original)
    lines = code.split("\n")
    note = ""
    if kind == "tcp_server":
        handled = _echo_handler(lines)
        if handled is None:
            return None
        if handled != lines:
            note = (
                "The sheet leaves the handling of a connection open; here your server "
                "handles it by sending back what it read."
            )
        lines = handled
    uses = [line for line in lines if re.match(r"\s*use\s", line)]
    body = pre + "\n".join(line for line in lines if line not in uses).strip("\n").split("\n")
    crates = sorted({m.group(1) for m in re.finditer(r"\buse\s+(\w+)::", code)} - {"std", "crate"})
    expect = _expect(kind, "\n".join(body))
    if expect is None:
        return None
    returned = "()"
    tail = ["    Ok(())", "}"]
    if kind == "socket_options":
        sock = next(
            (
                m.group(1)
                for line in body
                if (
                    m := re.match(
                        r"\s*let\s+(?:mut\s+)?(\w+)\s*=\s*"
                        r"Socket::new",
                        line,
                    )
                )
            ),
            None,
        )
        if sock is None:
            return None
        returned, tail = "socket2::Socket", [f"    Ok({sock})", "}"]
    head = [
        "//! Your code: complete `run` where it says TODO. README.md says what it must do.",
        "#![allow(unused)]",
        "use std::io::prelude::*;",
        "use std::net::*;",
        *uses,
        "",
        "/// `addr` is the address to use, such as `127.0.0.1:40123`.",
        f"pub fn run(addr: &str) -> Result<{returned}, Box<dyn std::error::Error>> {{",
    ]
    drafts = []
    for index, line in enumerate(body):
        text = f"    {line}" if line.strip() else ""
        code_part = re.sub(r"//.*$", "", line)
        calls = [c.name for c in key_calls(code_part)]
        stage = line_stage(kind, calls, line, expect) if calls else None
        todo = None
        if stage and code_part.rstrip().endswith(";"):
            todo = _todo(text, calls, "\n".join(body[index + 1 :]))
        if todo is None:
            drafts.append(Draft(text))
        else:
            drafts.append(Draft(text, todo, stage, shape(code_part)))
    return SourceDraft(head, drafts, tail, expect, crates, note)


def _expect(kind: str, code: str) -> dict[str, object] | None:
    """What the checker will hold the program to, read from the code; None when the code
    does not say it plainly enough (bytes that are not a literal, an option read back
    otherwise than as a flag or a number)."""
    if kind in SENDS:
        sent = sent_bytes(code, "rust", SENDS[kind])
        if not sent:
            return None
        return {"send": sent.decode("latin-1"), "read_reply": bool(re.search(READS[kind], code))}
    if kind == "socket_options":
        options = {}
        for m in re.finditer(r"\b\w+\.set_(\w+)\(([^()]*)\)", code):
            value = m.group(2).strip()
            if value not in ("true", "false") and not value.isdigit():
                return None
            options[m.group(1)] = value
        return {"options": options, "bound": ".bind(" in code} if options else None
    return {"answer": "echo"} if kind == "tcp_server" else {}
