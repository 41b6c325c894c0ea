"""Names that fragments use without declaring them, and what a check declares for them.

The table is documented in the README; the report lists every fixture a snippet was given.
`{addr}` stands for the loopback address of the snippet's peer (its port rewritten).
"""

from __future__ import annotations

import re

RUST_FIXTURES: dict[str, tuple[str, str]] = {
    "buffer": ("let mut buffer = [0u8; 1024];", "a 1024-byte buffer"),
    "buf": ("let mut buf = [0u8; 1024];", "a 1024-byte buffer"),
    "addr": (
        "let addr: std::net::SocketAddr = {addr}.parse()?;",
        "the peer's loopback address as a SocketAddr",
    ),
    "data": ('let data = b"Hello";', "five bytes of data"),
}
PYTHON_FIXTURES: dict[str, tuple[str, str]] = {
    "buffer": ("buffer = bytearray(1024)", "a 1024-byte buffer"),
    "data": ('data = b"Hello"', "five bytes of data"),
    "addr": ("addr = {tuple}", "the peer's loopback address as a (host, port) tuple"),
    "HOST": ('HOST = "127.0.0.1"', "the loopback host"),
    "PORT": ("PORT = {port}", "the peer's port"),
}

_RUST_DECL = (
    r"\blet\s+(?:mut\s+)?[^=;]*\b{n}\b",
    r"\bfor\s+(?:\(|)[^;{{]*\b{n}\b[^;{{]*\bin\b",
    r"\|[^|]*\b{n}\b[^|]*\|",
    r"\b(?:Ok|Some|Err)\(\s*(?:mut\s+)?{n}\s*\)",
    r"\bfn\s+\w+\s*(?:<[^>]*>)?\([^)]*\b{n}\s*:",
    r"\b(?:static|const)\s+{n}\b",
)
_PY_DECL = (
    r"^\s*(?:[\w, ]*,\s*)?{n}\s*(?:,[\w, ]*)?=(?!=)",
    r"\bfor\s+[\w, ]*\b{n}\b[\w, ]*\s+in\b",
    r"\bdef\s+\w+\([^)]*\b{n}\b",
    r"\bas\s+{n}\b",
    r"\bimport\s+{n}\b",
    r"^\s*\(?[\w, ]*\b{n}\b[\w, ]*\)?\s*=(?!=)",
)


def _used(code: str, name: str) -> bool:
    return re.search(rf"(?<![\w.:]){re.escape(name)}\b(?!\s*::)", code) is not None


def undeclared(code: str, table: dict[str, tuple[str, str]], lang: str) -> list[str]:
    """Fixture names the code uses but never declares."""
    patterns = _RUST_DECL if lang == "rust" else _PY_DECL
    missing = []
    for name in table:
        if not _used(code, name):
            continue
        declared = any(re.search(p.format(n=re.escape(name)), code, re.M) for p in patterns)
        if not declared:
            missing.append(name)
    return missing
