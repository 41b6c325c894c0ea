"""A Python snippet drafted as `exercise.py`: `def run(addr)`, whose TODOs raise
`NotImplementedError` where a later line needs the value (the program stops there, and
says so) and are `pass` where it does not (the program goes on without that line)."""

from __future__ import annotations

import re

from cardgen.check import fixtures
from cardgen.exercises.drafts import TODO_MARK, Draft, SourceDraft, line_stage, sent_bytes, shape
from cardgen.exercises.harness import python_main
from cardgen.model import Snippet
from cardgen.questions.snippets import key_calls

_TUPLE = re.compile(
    r"\(\s*([\"'])(127\.0\.0\.1|localhost|::1|0\.0\.0\.0|)\1\s*,\s*(?!0\s*\))\d{1,5}\s*\)"
)
"""A loopback address with a port (port 0, any free port, stays as it is)."""
_ASSIGN = re.compile(r"^(?P<indent>\s*)(?P<targets>[\w, ]+?)\s*=(?!=)\s*(?P<expr>.+)$")
_COMPOUND = ("with ", "for ", "while ", "if ", "elif ", "else", "try", "except", "def ", "return")
SENDS = {"tcp_client": "sendall|send", "udp_client": "sendto|send"}
READS = {"tcp_client": r"\.(recv|recv_into|makefile|recvmsg)\(", "udp_client": r"\.recv"}


def _echoes(code: str) -> bool:
    """Whether a server sends back what it read (`conn.sendall(conn.recv(1024))`)."""
    read_into = set(re.findall(r"(\w+)\s*:?=\s*\w+\.recv\w*\(", code))
    for line in code.split("\n"):
        m = re.search(r"\.(?:sendall|send)\((.*)", line)
        sent = m.group(1) if m else ""
        if m and (".recv" in sent or any(re.search(rf"\b{n}\b", sent) for n in read_into)):
            return True
    return False


def _todo(line: str, call: str) -> str:
    indent = line[: len(line) - len(line.lstrip())]
    receiver = re.search(rf"(\w+)\.{re.escape(call)}\(", line)
    target = f"{receiver.group(1)}.{call}" if receiver else call
    comment = re.search(r"#\s*(.*)$", line)
    why = f" ({comment.group(1).strip()})" if comment else ""
    option = re.search(r"setsockopt\(\s*[\w.]+\s*,\s*(?:\w+\.)?(\w+)", line)
    if option and not why:
        why = f" for `{option.group(1)}`"
    m = _ASSIGN.match(line)
    if m is not None:
        what = f"create `{m.group('targets').strip()}` with `{target}`{why}"
        return f'{indent}raise NotImplementedError("{TODO_MARK}: {what}")'
    return f"{indent}pass  # {TODO_MARK}: call `{target}`{why}"


def python_draft(snippet: Snippet, kind: str) -> SourceDraft | None:
    original = (snippet.hidden + snippet.code).rstrip("\n")
    if re.search(r"^if __name__", original, re.M):
        return None
    missing = fixtures.undeclared(original, fixtures.PYTHON_FIXTURES, "python")
    code = _TUPLE.sub("addr", original)
    pre = [fixtures.PYTHON_FIXTURES[n][0].format(tuple="addr", port="addr[1]") for n in missing]
    lines = pre + code.split("\n")
    if kind == "tcp_server" and not _echoes(code):
        return None
    expect = _expect(kind, "\n".join(lines))
    if expect is None:
        return None
    imports = [line for line in lines if re.match(r"(import|from)\s", line)]
    body = "\n".join(line for line in lines if line not in imports).strip("\n").split("\n")
    head = [
        '"""Your code: complete `run` where it says TODO. README.md says what it must do."""',
        "",
        "import socket",
        *[i for i in imports if i != "import socket"],
        "",
        "",
        "def run(addr):",
        '    """`addr` is the address to use, a (host, port) tuple such as '
        '("127.0.0.1", 40123)."""',
    ]
    tail: list[str] = []
    if kind == "socket_options":
        sock = next(iter(re.findall(r"\b(\w+)\.setsockopt\(", code)), None)
        if sock is None:
            return None
        tail.append(f"    return {sock}")
    tail += ["", "", *python_main(kind, expect)]
    drafts = []
    for line in body:
        text = f"    {line}" if line.strip() else ""
        calls = [c.name for c in key_calls(line, "python")]
        stripped = line.strip()
        simple = not stripped.endswith(":") and not stripped.startswith(_COMPOUND)
        stage = line_stage(kind, calls, line, expect) if calls and simple else None
        if stage is None:
            drafts.append(Draft(text))
        else:
            drafts.append(Draft(text, _todo(text, calls[0]), stage, shape(line.split("#")[0])))
    return SourceDraft(head, drafts, tail, expect, [])


def _expect(kind: str, code: str) -> dict[str, object] | None:
    if kind in SENDS:
        sent = sent_bytes(code, "python", SENDS[kind])
        if not sent:
            return None
        return {"send": sent.decode("latin-1"), "read_reply": bool(re.search(READS[kind], code))}
    if kind == "socket_options":
        options: dict[str, str] = {}
        levels: dict[str, str] = {}
        for m in re.finditer(
            r"\b\w+\.setsockopt\(\s*(?:socket\.)?(\w+)\s*,\s*(?:socket\.)?(\w+)\s*,\s*(\w+)\)", code
        ):
            if not m.group(3).isdigit() and m.group(3) not in ("True", "False"):
                return None
            options[m.group(2)] = m.group(3)
            levels[m.group(2)] = m.group(1)
        if not options:
            return None
        return {"options": options, "levels": levels, "bound": ".bind(" in code}
    return {"answer": "echo"} if kind == "tcp_server" else {}
