"""Exercises from the state table: put a socket into a named state, judged on loopback."""

from __future__ import annotations

from collections import Counter

from cardgen.exercises.model import Exercise
from cardgen.model import Sheet, Snippet, Table
from cardgen.parse.inline import strip_code

RUST = {
    "close_wait": (
        """    let mut stream = TcpStream::connect(addr)?;
    let mut buf = [0u8; 64];
    // Wait until the server has closed its side: read() returns 0 at end of stream.
    while stream.read(&mut buf)? > 0 {}
    // Keep `stream` open: this side now sits in CLOSE_WAIT until it is dropped.
    std::thread::sleep(std::time::Duration::from_secs(3));
    Ok(())""",
        """    let mut stream = TcpStream::connect(addr)?;
    // TODO: wait until the server has closed its side of the connection,
    // then keep `stream` open (do not drop it) for a few seconds.
    Ok(())""",
    ),
    "time_wait": (
        """    let mut stream = TcpStream::connect(addr)?;
    stream.write_all(b"bye")?;
    // Close first: the side that closes first holds TIME_WAIT.
    drop(stream);
    Ok(())""",
        """    let mut stream = TcpStream::connect(addr)?;
    let mut buf = [0u8; 64];
    while stream.read(&mut buf)? > 0 {} // waits for the server to close first
    // TODO: make *this* side close the connection first.
    Ok(())""",
    ),
}
PYTHON = {
    "close_wait": (
        """    sock = socket.create_connection(addr)
    while sock.recv(64):  # wait until the server has closed its side
        pass
    time.sleep(3)  # keep the socket open: this side sits in CLOSE_WAIT
    return sock""",
        """    sock = socket.create_connection(addr)
    # TODO: wait until the server has closed its side, then keep `sock` open a few seconds.
    sock.close()""",
    ),
    "time_wait": (
        """    sock = socket.create_connection(addr)
    sock.sendall(b"bye")
    sock.close()  # close first: the side that closes first holds TIME_WAIT""",
        """    sock = socket.create_connection(addr)
    while sock.recv(64):  # waits for the server to close first
        pass
    # TODO: make *this* side close the connection first.
    sock.close()""",
    ),
}
TASKS = {
    "close_wait": (
        "Leave a connection in **CLOSE_WAIT**. Connect to the server at the address you are "
        "given. The server closes its side soon after; your program must notice that (reading "
        "returns end of stream) and keep its own socket open for a few seconds. The checker "
        "watches your socket's state on loopback and passes when it sits in CLOSE_WAIT."
    ),
    "time_wait": (
        "Make your side hold **TIME_WAIT**. Connect to the server at the address you are given "
        "and close the connection *before* the server does. The checker watches your socket's "
        "state on loopback and passes when your side enters TIME_WAIT."
    ),
}
HINTS = {
    "close_wait": [
        "Reading from a socket returns 0 bytes once the other side has closed.",
        "A socket stays open until it is dropped (Rust) or closed (Python): sleep "
        "while you still hold it.",
    ],
    "time_wait": [
        "The side that sends the first FIN (closes first) is the one that waits in TIME_WAIT.",
        "Do not wait for the server: close (drop) your socket right after writing.",
    ],
}


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
        solution, starter = (RUST if lang == "rust" else PYTHON)[kind]
        out.append(
            Exercise(
                kind.replace("_", "-"),
                f"Hold {state}",
                kind,
                lang,
                TASKS[kind],
                background,
                f"{row.pos.path.rsplit('/', 1)[-1]}:{row.pos.line}",
                _wrap(starter, lang),
                _wrap(solution, lang),
                list(HINTS[kind]),
                [],
                {"state": state},
            )
        )
    return out


def _wrap(body: str, lang: str) -> str:
    if lang == "rust":
        return (
            "#![allow(unused)]\nuse std::io::prelude::*;\nuse std::net::*;\n\n"
            "pub fn run(addr: &str) -> Result<(), Box<dyn std::error::Error>> {\n"
            f"{body}\n}}\n"
        )
    return (
        "import socket\nimport time\n\n\ndef run(addr):\n"
        '    """`addr` is a (host, port) tuple."""\n' + body + "\n"
    )
