"""Exercises from the state table: put a socket into a named state, judged on loopback.

The programs are written here step by step: `!N` lines are TODO N as the starter has it, `@N`
lines what the step writes, other lines are the same in the starter and the solution.
"""

from __future__ import annotations

from collections import Counter

from cardgen.exercises.harness import python_main
from cardgen.exercises.model import Exercise, Line, Step
from cardgen.model import Sheet, Snippet, Table
from cardgen.parse.inline import strip_code

RUST = {
    "close_wait": """\
let mut stream = TcpStream::connect(addr)?;
!1 // TODO 1: wait until the server has closed its side of the connection
@1 // Wait until the server has closed its side: read() returns 0 at the end of the stream.
@1 let mut buf = [0u8; 64];
@1 while stream.read(&mut buf)? > 0 {}
!2 // TODO 2: keep `stream` open (do not drop it) for a few seconds
@2 // Keep `stream` open: this side sits in CLOSE_WAIT until it is dropped.
@2 std::thread::sleep(std::time::Duration::from_secs(3));
Ok(())""",
    "time_wait": """\
let mut stream = TcpStream::connect(addr)?;
stream.write_all(b"bye")?;
!1 // TODO 1: close your side of the connection now, before the server closes its side
@1 // Close this side first: the side that sends the first FIN is the one that holds TIME_WAIT.
@1 stream.shutdown(Shutdown::Write)?;
// Wait until the server has closed its side too: read() returns 0 at the end of the stream.
let mut buf = [0u8; 64];
while stream.read(&mut buf)? > 0 {}
Ok(())""",
}
PYTHON = {
    "close_wait": """\
sock = socket.create_connection(addr)
!1 # TODO 1: wait until the server has closed its side of the connection
@1 while sock.recv(64):  # recv() returns b"" once the server has closed its side
@1     pass
!2 # TODO 2: keep `sock` open (do not close it) for a few seconds
@2 time.sleep(3)  # keep the socket open: this side sits in CLOSE_WAIT until it is closed
sock.close()""",
    "time_wait": """\
sock = socket.create_connection(addr)
sock.sendall(b"bye")
!1 # TODO 1: close your side of the connection now, before the server closes its side
@1 sock.shutdown(socket.SHUT_WR)  # the side that sends the first FIN holds TIME_WAIT
# Wait until the server has closed its side too: recv() returns b"" at the end.
while sock.recv(64):
    pass
sock.close()""",
}
TASKS = {
    "close_wait": (
        "Leave a connection in **CLOSE_WAIT**. Connect to the server at the address you are "
        "given. The server closes its side soon after; your program must notice that (reading "
        "returns end of stream) and keep its own socket open for a few seconds."
    ),
    "time_wait": (
        "Make your side hold **TIME_WAIT**. Connect to the server at the address you are "
        "given, send it something, and close your side of the connection *before* the server "
        "closes its own."
    ),
}
CHECKS = {
    "close_wait": [
        "your program connects to the address it is given;",
        "the checker closes its side first (once your program has been quiet for 0.4 s), and "
        "your socket then sits in CLOSE_WAIT for at least half a second: you keep it open.",
    ],
    "time_wait": [
        "your program connects to the address it is given;",
        "your side closes the connection first (the checker waits 1.5 s for that before it "
        "closes its own side), so that your socket enters TIME_WAIT.",
    ],
}
HINTS = {
    ("close_wait", "rust"): [
        (
            "closed_first",
            "Your side closed first, so the server's socket, not yours, went to CLOSE_WAIT: "
            "CLOSE_WAIT is where the side that *receives* the first FIN waits. Let the server "
            "close first: read until `read` returns 0, the end of the stream. At TODO 1: "
            "`while stream.read(&mut buf)? > 0 {}`.",
        ),
        (
            "hold",
            "Your socket left CLOSE_WAIT at once: it lasts only as long as you keep the socket "
            "open after the server closed. Keep it a few seconds before `run` returns (which "
            "drops it). At TODO 2: `std::thread::sleep(…);`.",
        ),
    ],
    ("time_wait", "rust"): [
        (
            "closed_second",
            "The server closed first (it waited 1.5 s for you), so your socket went to "
            "CLOSE_WAIT: the side that sends the first FIN is the one that holds TIME_WAIT. "
            "Close your writing side before you wait for the server. At TODO 1: "
            "`stream.shutdown(Shutdown::Write)?;`.",
        ),
    ],
    ("close_wait", "python"): [
        (
            "closed_first",
            "Your side closed first, so the server's socket, not yours, went to CLOSE_WAIT: "
            "CLOSE_WAIT is where the side that *receives* the first FIN waits. Let the server "
            'close first: receive until `recv` returns `b""`, the end of the stream. At '
            "TODO 1: `while sock.recv(64): pass`.",
        ),
        (
            "hold",
            "Your socket left CLOSE_WAIT at once: it lasts only as long as you keep the socket "
            "open after the server closed. Keep it a few seconds before you close it. At "
            "TODO 2: `time.sleep(…)`.",
        ),
    ],
    ("time_wait", "python"): [
        (
            "closed_second",
            "The server closed first (it waited 1.5 s for you), so your socket went to "
            "CLOSE_WAIT: the side that sends the first FIN is the one that holds TIME_WAIT. "
            "Close your writing side before you wait for the server. At TODO 1: "
            "`sock.shutdown(socket.SHUT_WR)`.",
        ),
    ],
}


def _lines(body: str, lang: str, kind: str) -> list[Line]:
    if lang == "rust":
        head = [
            "//! Your code: complete `run` where it says TODO. README.md says what it must do.",
            "#![allow(unused)]",
            "use std::io::prelude::*;",
            "use std::net::*;",
            "",
            "/// `addr` is the address to use, such as `127.0.0.1:40123`.",
            "pub fn run(addr: &str) -> Result<(), Box<dyn std::error::Error>> {",
        ]
        tail = ["}"]
    else:
        imports = ["import socket", *(["import time"] if "time." in body else [])]
        head = [
            '"""Your code: complete `run` where it says TODO. README.md says what it must do."""',
            "",
            *imports,
            "",
            "",
            "def run(addr):",
            '    """`addr` is the address to use, a (host, port) tuple such as '
            '("127.0.0.1", 40123)."""',
        ]
        tail = ["", "", *python_main(kind, {})]
    lines = [Line.fixed(text) for text in head]
    for raw in body.split("\n"):
        if raw[:1] in "!@" and raw[1:2].isdigit():
            step, text = int(raw[1]), "    " + raw[3:]
            lines.append(Line(step, text, None) if raw[0] == "@" else Line(step, None, text))
        else:
            lines.append(Line.fixed("    " + raw))
    return lines + [Line.fixed(text) for text in tail]


def state_exercises(sheet: Sheet) -> list[Exercise]:
    table = next(
        (t for t in sheet.of_kind(Table) if t.header and t.header[0].lower() == "state"), None
    )
    if table is None:
        return []
    langs = Counter(
        "rust" if s.lang in ("rust", "rs") else "python"
        for s in sheet.of_kind(Snippet)
        if s.lang in ("rust", "rs", "python", "py")
    )
    lang = langs.most_common(1)[0][0] if langs else "rust"
    out = []
    for row in table.rows:
        state = strip_code(row.header).strip()
        kind = state.lower()
        if kind not in TASKS:
            continue
        facts = "; ".join(
            f"{h}: {c}" for h, c in zip(table.header[1:], row.cells[1:], strict=False) if c
        )
        background = f"From the cheatsheet *{sheet.title}*, state table: **{state}** — {facts}."
        body = (RUST if lang == "rust" else PYTHON)[kind]
        out.append(
            Exercise(
                slug=kind.replace("_", "-"),
                title=f"Hold {state}",
                kind=kind,
                lang=lang,
                task=TASKS[kind],
                background=background,
                source=f"{row.pos.path.rsplit('/', 1)[-1]}:{row.pos.line}",
                lines=_lines(body, lang, kind),
                steps=[Step(stage, hint) for stage, hint in HINTS[kind, lang]],
                checks=list(CHECKS[kind]),
                expect={"state": state},
            )
        )
    return out
