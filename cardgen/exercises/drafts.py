"""A snippet's code on its way to an exercise: each line with the stage of the checker's
ladder it gets a program past, and the TODO that stands for it in the starter."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from cardgen.exercises.tasks import ladder

TODO_MARK = "TODO #"
"""Stands for `TODO <step number>` until the steps are numbered."""


@dataclass(slots=True)
class Draft:
    text: str
    """The line as the solution has it."""
    todo: str | None = None
    """The starter's line (with `TODO #`), or None for a line the starter keeps."""
    stage: str | None = None
    """The rung of the ladder this line gets a program past (for a TODO line)."""
    shape: str = ""
    """The line with its arguments elided, for the hint: `let n = stream.read(…)?;`."""


@dataclass(slots=True)
class SourceDraft:
    """The learner's file, drafted: fixed head and tail around the body's lines."""

    head: list[str]
    body: list[Draft]
    tail: list[str]
    expect: dict[str, object] = field(default_factory=dict)
    crates: list[str] = field(default_factory=list)
    note: str = ""
    """What the exercise adds to the snippet, for the README's background."""


CALL_STAGES: dict[str, list[tuple[str, str]]] = {
    "tcp_client": [
        (r"connect|create_connection|socket|new|set_\w+|setsockopt|settimeout", "connect"),
        (r"write\w*|send\w*|flush|shutdown", "send"),
        (r"read\w*|recv\w*|makefile", "read_reply"),
    ],
    "tcp_server": [
        (r"bind|listen|socket|new|set_\w+|setsockopt", "listen"),
        (r"read\w*|recv\w*", "read"),
        (r"write\w*|send\w*", "answer"),
    ],
    "udp_echo": [
        (r"bind|socket|new|set_\w+|setsockopt|recv_from|recvfrom", "receive"),
        (r"send_to|sendto", "echo"),
    ],
    "udp_client": [
        (r"bind|socket|new|connect|set_\w+|setsockopt|send_to|sendto|send", "send"),
        (r"recv\w*", "read_reply"),
    ],
}


STRUCTURE = {"tcp_server": {"accept", "incoming"}}
"""Calls the starter keeps: a server's accept loop is its frame (and a server must block in
accept for the checker to see it listen)."""


def line_stage(kind: str, calls: list[str], line: str, expect: dict) -> str | None:
    """The earliest rung of the ladder any of the line's calls belongs to, or None (the
    starter keeps the line)."""
    if STRUCTURE.get(kind, set()) & {call.rsplit("::", 1)[-1] for call in calls}:
        return None
    order = ladder(kind, expect)
    stages = []
    for call in calls:
        name = call.rsplit("::", 1)[-1]
        if kind == "socket_options":
            stages.append(_option_stage(name, line, expect))
            continue
        for pattern, stage in CALL_STAGES[kind]:
            if re.fullmatch(pattern, name):
                stages.append(stage)
                break
    known = [s for s in stages if s in order]
    return min(known, key=order.index) if known else None


def _option_stage(name: str, line: str, expect: dict) -> str | None:
    options = expect.get("options", {})
    if name in ("new", "socket"):
        return "create"
    if name.startswith("set_") and name[4:] in options:
        return name[4:]
    if name == "setsockopt":
        m = re.search(r"setsockopt\(\s*[\w.]+\s*,\s*(?:\w+\.)?(\w+)", line)
        return m.group(1) if m and m.group(1) in options else None
    if name in ("bind", "listen"):
        return "bind"
    return None


def call_args(code: str, start: int) -> str:
    """The text between the parenthesis at `start` and its match."""
    depth = 0
    for i in range(start, len(code)):
        if code[i] == "(":
            depth += 1
        elif code[i] == ")":
            depth -= 1
            if depth == 0:
                return code[start + 1 : i]
    return code[start + 1 :]


_RUST_ESCAPES = {"n": 10, "r": 13, "t": 9, "\\": 92, '"': 34, "'": 39, "0": 0}


def rust_bytes(literal: str) -> bytes | None:
    """`b"Hello\\n"` (or `"Hello".as_bytes()`) → the bytes; None for anything else."""
    m = re.fullmatch(r'b?"((?:[^"\\]|\\.)*)"(\.as_bytes\(\))?', literal.strip())
    if m is None or (not literal.strip().startswith("b") and not m.group(2)):
        return None
    body, out, i = m.group(1), bytearray(), 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out += ch.encode()
            i += 1
        elif body[i + 1] == "x":
            out.append(int(body[i + 2 : i + 4], 16))
            i += 4
        elif body[i + 1] in _RUST_ESCAPES:
            out.append(_RUST_ESCAPES[body[i + 1]])
            i += 2
        else:
            return None
    return bytes(out)


def python_bytes(literal: str) -> bytes | None:
    """`b"Hello"` (or `"Hello".encode()`) → the bytes; None for anything else."""
    text = literal.strip()
    encoded = re.fullmatch(r"(.+)\.encode\(\s*(?:[\"']utf-?8[\"'])?\s*\)", text)
    try:
        value = ast.literal_eval(encoded.group(1) if encoded else text)
    except (ValueError, SyntaxError):
        return None
    if isinstance(value, str) and encoded:
        return value.encode()
    return value if isinstance(value, bytes) else None


def sent_bytes(code: str, lang: str, sends: str) -> bytes | None:
    """Everything the code sends, in order, when every call sends a literal (or a name
    assigned one); else None."""
    decode = rust_bytes if lang == "rust" else python_bytes
    out = b""
    found = False
    for m in re.finditer(rf"\.({sends})\(", code):
        arg = call_args(code, m.end() - 1)
        first = arg.split(",")[0].strip() if m.group(1) in ("send_to", "sendto") else arg
        value = decode(first)
        if value is None and re.fullmatch(r"&?\w+", first):
            assigned = re.search(rf"\b{first.lstrip('&')}\s*=(?!=)\s*([^;\n]+)", code)
            value = decode(assigned.group(1)) if assigned else None
        if value is None:
            return None
        out += value
        found = True
    return out if found else None


def shape(line: str) -> str:
    """`let n = stream.read(&mut buffer)?;` → `let n = stream.read(…)?;`."""
    return re.sub(r"(?<=[\w>])\(([^()]|\([^()]*\))+\)", "(…)", line.strip())
