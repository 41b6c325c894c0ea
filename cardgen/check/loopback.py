"""Only loopback: find the addresses a snippet talks to, refuse any that is not loopback, and
rewrite hard-coded loopback ports to the free ephemeral ports a check hands out."""

from __future__ import annotations

import ipaddress
import re
import socket
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

_HOST_PORT = re.compile(
    r"(?P<q>[\"'])(?P<host>\[[0-9a-fA-F:.]+\]|[A-Za-z0-9][A-Za-z0-9.-]*):(?P<port>\d{1,5})(?P=q)"
)
_HOST_TUPLE = re.compile(r"\(\s*(?P<q>[\"'])(?P<host>[^\"'\s]*)(?P=q)\s*,\s*(?P<port>\d{1,5})\s*\)")
_HOST_ONLY = re.compile(
    r"(?P<q>[\"'])(?P<host>(?:\d{1,3}\.){3}\d{1,3}|"
    r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.(?:com|org|net|io|dev|edu|gov|co|uk|de|fr|app|ai|info))"
    r"(?P=q)"
)
_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://(?P<host>\[[^\]]+\]|[^/:\s'\"]+)")
_SHELL_HOST = re.compile(
    r"(?<![\w.:/-])(?P<host>(?:\d{1,3}\.){3}\d{1,3}|"
    r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.(?:com|org|net|io|dev|edu|gov|co|uk|de|fr|app|ai|info))"
    r"(?![\w.-])"
)
WILDCARDS = {"0.0.0.0", "::", "[::]", ""}


def is_loopback(host: str) -> bool:
    host = host.strip("[]")
    if host.lower() in ("localhost", "localhost.localdomain", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class AddressUse:
    host: str
    port: int | None
    start: int
    end: int
    form: str
    """`host_port` ("127.0.0.1:8080"), `tuple` (("127.0.0.1", 8080)), `host`, `url`."""


def addresses_in_code(code: str) -> list[AddressUse]:
    found: list[AddressUse] = []
    taken: list[range] = []
    for form, pattern in (
        ("host_port", _HOST_PORT),
        ("tuple", _HOST_TUPLE),
        ("host", _HOST_ONLY),
        ("url", _URL),
    ):
        for m in pattern.finditer(code):
            if any(m.start() in r for r in taken):
                continue
            taken.append(range(m.start(), m.end()))
            port = m.groupdict().get("port")
            found.append(
                AddressUse(m.group("host"), int(port) if port else None, m.start(), m.end(), form)
            )
    return sorted(found, key=lambda a: a.start)


def non_loopback(code: str, shell: bool = False) -> list[str]:
    """Hosts a snippet would contact that are not loopback (wildcard binds are allowed)."""
    hosts = [a.host for a in addresses_in_code(code)]
    if shell:
        hosts += [m.group("host") for m in _SHELL_HOST.finditer(code)]
    return sorted({h for h in hosts if h not in WILDCARDS and not is_loopback(h)})


def loopback_ports(code: str) -> list[int]:
    """Ports the snippet uses with a loopback (or wildcard) host, in order of appearance."""
    return [
        a.port
        for a in addresses_in_code(code)
        if a.port is not None and (is_loopback(a.host) or a.host in WILDCARDS)
    ]


def sheet_port(codes: list[str]) -> int | None:
    """The port the sheet's snippets agree on (the most used loopback port)."""
    counts = Counter(p for code in codes for p in loopback_ports(code))
    return counts.most_common(1)[0][0] if counts else None


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    """An ephemeral loopback port that is free right now."""
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rewrite_ports(
    code: str, ports: set[int], address: Callable[[AddressUse], str], number: Callable[[int], str]
) -> tuple[str, list[str]]:
    """Replace every loopback address with `address(use)` and every other standalone use of
    one of `ports` with `number(port)`. Returns the new code and notes for the report."""
    notes: list[str] = []
    uses = [
        a
        for a in addresses_in_code(code)
        if a.port in ports and (is_loopback(a.host) or a.host in WILDCARDS)
    ]
    out: list[str] = []
    last = 0
    for use in uses:
        out.append(_numbers(code[last : use.start], ports, number))
        out.append(address(use))
        if use.host in WILDCARDS:
            notes.append(f"wildcard address {use.host}:{use.port} bound on loopback instead")
        last = use.end
    out.append(_numbers(code[last:], ports, number))
    for port in sorted(ports):
        notes.append(f"port {port} replaced by a free ephemeral loopback port")
    return "".join(out), notes


def _numbers(text: str, ports: set[int], number: Callable[[int], str]) -> str:
    if not ports:
        return text
    alternatives = "|".join(str(p) for p in sorted(ports))
    return re.sub(
        rf"(?<![\w.]){'(?:' + alternatives + ')'}(?![\w.])", lambda m: number(int(m.group())), text
    )
