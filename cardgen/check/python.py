"""Python snippets: a script with the port helpers, fixtures and option read-back added."""

from __future__ import annotations

import re
from dataclasses import dataclass

from cardgen.check import fixtures
from cardgen.check.loopback import AddressUse, loopback_ports, rewrite_ports
from cardgen.model import Snippet

HEADER = """\
import os as _cardgen_os
import socket
def _cardgen_port(orig):
    return int(_cardgen_os.environ.get(f"CARDGEN_PORT_{orig}", orig))
def _cardgen_host(host):
    return {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
def _cardgen_addr(orig):
    host, _, port = orig.rpartition(":")
    return f"{_cardgen_host(host)}:{_cardgen_port(int(port))}"
"""
_SETSOCKOPT = re.compile(r"\b(\w+)\.setsockopt\(\s*([\w.]+)\s*,\s*([\w.]+)\s*,\s*([^)]+)\)")


@dataclass(slots=True)
class PythonScript:
    source: str
    first_code_line: int
    """Line of the script where the snippet's first line stands."""
    context: list[str]
    expected: dict[str, str]

    def markdown_line(self, snippet: Snippet, script_line: int) -> int:
        return snippet.code_line + max(0, script_line - self.first_code_line)


def _address(use: AddressUse) -> str:
    if use.form == "tuple":
        return f'(_cardgen_host("{use.host}"), _cardgen_port({use.port}))'
    return f'_cardgen_addr("{use.host}:{use.port}")'


def prepare(snippet: Snippet, sheet_port: int | None) -> PythonScript:
    hidden = snippet.hidden.rstrip("\n") + "\n" if snippet.hidden.strip() else ""
    code = snippet.code.rstrip("\n")
    ports = set(loopback_ports(code)) | ({sheet_port} if sheet_port else set())
    code, notes = rewrite_ports(code, ports, _address, lambda p: f"_cardgen_port({p})")
    context = list(notes)
    if hidden:
        context.append("the author's hidden context (cardgen-context comment)")
    port_expr = f"_cardgen_port({sheet_port})" if sheet_port else "0"
    missing = fixtures.undeclared(snippet.hidden + snippet.code, fixtures.PYTHON_FIXTURES, "python")
    fixture_lines = [
        fixtures.PYTHON_FIXTURES[n][0].format(tuple=f'("127.0.0.1", {port_expr})', port=port_expr)
        for n in missing
    ]
    context += [f"fixture `{n}`: {fixtures.PYTHON_FIXTURES[n][1]}" for n in missing]
    expected: dict[str, str] = {}
    readback: list[str] = []
    for m in _SETSOCKOPT.finditer(code):
        var, level, opt, value = m.groups()
        name = f"{var}.{opt.split('.')[-1]}"
        expected[name] = value.strip()
        readback.append(f'print("CARDGEN_OPT {name}", {var}.getsockopt({level}, {opt}))')
    for var in sorted({m.group(1) for m in _SETSOCKOPT.finditer(code)}):
        if re.search(rf"\b{var}\.bind\(", code):
            readback.append(f'print("CARDGEN_LOCAL {var}", {var}.getsockname())')
    head = HEADER + "".join(f"{line}\n" for line in fixture_lines) + hidden
    first = head.count("\n") + 1
    source = head + code + "\n" + "".join(f"{line}\n" for line in readback)
    return PythonScript(source, first, context, expected)
