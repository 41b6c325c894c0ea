"""Fenced code: the language (from the info string, or guessed from the code), shell commands
with what their comments say of them, and fence sanity."""

from __future__ import annotations

import re

from cardgen.model import SHELL_LANGS, ShellCommand, SourcePos
from cardgen.parse.patterns import KNOWN_TOOLS

_PLATFORMS = re.compile(
    r"^(?:on\s+|for\s+)?((?:linux|mac\s?os(?:\s?x)?|osx|windows|win(?:32|64)?|bsd|freebsd|openbsd|"
    r"unix|debian|ubuntu|fedora|centos|rhel|arch|alpine|wsl|powershell|cmd)"
    r"(?:\s*(?:/|,|and|&|\+|or)\s*(?:linux|mac\s?os(?:\s?x)?|osx|windows|bsd|unix|debian|ubuntu|"
    r"fedora|centos|wsl))*)(?:\s+only)?\s*:?$",
    re.I,
)
_CLOSING_FENCE = re.compile(r"^\s*(`{3,}|~{3,})\s*$")
_PROMPT = re.compile(r"^(?:\$|PS [^>]*>|C:\\[^>]*>)\s*(?=\S)")
_OPENERS = {
    "for": "done",
    "while": "done",
    "until": "done",
    "select": "done",
    "if": "fi",
    "case": "esac",
}
_HEREDOC = re.compile(r"<<-?\s*['\"]?(\w+)['\"]?")
_SCRIPT_WORDS = frozenset(
    """if then else elif fi for do done while until case esac function return local export
    declare readonly set unset shift echo printf read source . eval exec exit trap alias [[
    [ test let true false break continue""".split()
)
_ASSIGNMENT = re.compile(r"^[A-Za-z_]\w*(?:\[[^\]]*\])?\+?=")
_DIAGRAM = re.compile(r"[─│┌┐└┘├┤┬┴┼═║╔╗╚╝╠╣╦╩╬▲▼◄►]")
_TRAILING_COMMENT = re.compile(r"\s+#\s*(?![=>→])(.+)$")


def split_info(info: str) -> tuple[str, tuple[str, ...]]:
    """Info string `rust,no_run ignore` → ("rust", ("no_run", "ignore"))."""
    words = [w for w in re.split(r"[\s,]+", info.strip()) if w]
    if not words:
        return "", ()
    return words[0].lower().lstrip("{.").rstrip("}"), tuple(w.strip("{}.") for w in words[1:])


def guess_language(code: str) -> str:
    """The language of a fence that names none: `diagram`, `console`, `rust`, `python`, `c`,
    `json`, or "" when nothing says."""
    lines = [line for line in code.split("\n") if line.strip()]
    if not lines:
        return ""
    if sum(bool(_DIAGRAM.search(line)) for line in lines) >= max(2, len(lines) // 3):
        return "diagram"
    if any(line.lstrip().startswith(">>> ") for line in lines):
        return "python"
    if sum(line.startswith("$ ") for line in lines) >= max(1, len(lines) // 3):
        return "console"
    joined = "\n".join(lines)
    if re.search(r"\bfn\s+\w+\s*\(|\blet\s+mut\b|\bimpl\b|\buse\s+std::|::new\(", joined):
        return "rust"
    if re.search(r"^\s*(?:def \w+\(|import \w|from \w[\w.]* import|print\()", joined, re.M):
        return "python"
    if re.search(r"#include\s*<|\bint\s+main\s*\(", joined):
        return "c"
    if lines[0].lstrip().startswith(("{", "[")) and lines[-1].rstrip().endswith(("}", "]")):
        return "json"
    first_words = [line.split()[0] for line in lines if not line.lstrip().startswith("#")]
    if first_words and all(w in KNOWN_TOOLS or w == "sudo" for w in first_words):
        return "console"
    return ""


def platform_of(comment: str) -> str | None:
    """`# Linux/macOS` → "Linux/macOS"; a comment that names no system → None."""
    m = _PLATFORMS.match(comment.strip())
    return m.group(1) if m else None


def _logical_lines(code: str, first_line: int) -> list[tuple[int, str, str]]:
    """(line, text, comment-above) for each command, joining continued lines, multi-line
    constructs and here-documents into one."""
    out: list[tuple[int, str, str]] = []
    lines = code.split("\n")
    i = 0
    comment = ""
    while i < len(lines):
        raw = lines[i]
        stripped = raw.strip()
        if not stripped:
            i += 1
            comment = ""
            continue
        if (
            stripped.startswith("#")
            and not stripped.startswith("#!")
            and not _PROMPT.match(stripped)
        ):
            comment = stripped.lstrip("#").strip()
            out.append((first_line + i, "", comment))
            i += 1
            continue
        start = i
        parts = [_PROMPT.sub("", stripped)]
        closer = _closer(parts[0])
        heredoc = _HEREDOC.search(parts[0])
        while i + 1 < len(lines) and (parts[-1].endswith("\\") or closer or heredoc):
            i += 1
            nxt = lines[i].rstrip()
            parts.append(re.sub(r"^\s*(?:>|\.\.\.)\s", "", nxt) if not heredoc else nxt)
            if heredoc and nxt.strip() == heredoc.group(1):
                heredoc = None
            elif closer and re.search(rf"(?:^|;|\s){closer}\b", nxt.strip()):
                closer = None
        out.append((first_line + start, "\n".join(parts), comment))
        comment = ""
        i += 1
    return out


def _closer(line: str) -> str | None:
    first = line.split()[0] if line.split() else ""
    want = _OPENERS.get(first)
    if want and not re.search(rf"(?:;|\s){want}\b", line):
        return want
    if line.rstrip().endswith("{") and "}" not in line:
        return "}"
    return None


def shell_commands(code: str, path: str, first_line: int) -> tuple[ShellCommand, ...]:
    """Commands of a shell block, each with the platform named by the comment above it and
    the description that comment (or a trailing one) gives."""
    platform: str | None = None
    commands: list[ShellCommand] = []
    has_prompt = any(
        _PROMPT.match(line.strip()) and line.strip()[0] == "$" for line in code.split("\n")
    )
    for line, text, comment in _logical_lines(code, first_line):
        if not text:
            if (found := platform_of(comment)) is not None:
                platform = found
            continue
        if has_prompt and not code.split("\n")[line - first_line].lstrip().startswith("$"):
            continue  # a console transcript: this line is output
        description = comment if comment and platform_of(comment) is None else ""
        single = re.sub(r"\s*\\\n\s*", " ", text)
        if "\n" not in text:
            single = re.sub(r"\s+\\$", "", single)
            if m := _TRAILING_COMMENT.search(single):
                if not description and len(m.group(1).split()) >= 2:
                    description = m.group(1).strip()
                single = single[: m.start()].rstrip()
        commands.append(ShellCommand(platform, single, SourcePos(path, line), description))
    return tuple(commands)


def is_script(commands: tuple[ShellCommand, ...]) -> bool:
    """Whether a shell block is a script (assignments, control flow, builtins) rather than a
    list of commands to remember."""
    if not commands:
        return True
    scripted = 0
    for cmd in commands:
        first = cmd.command.split()[0] if cmd.command.split() else ""
        if (
            first.endswith("()")
            or first == "function"
            or re.match(r"^\w+\s*\(\)\s*\{", cmd.command)
        ):
            return True  # it defines a function: a script, whatever else it holds
        if first in _SCRIPT_WORDS or _ASSIGNMENT.match(cmd.command):
            scripted += 1
    return scripted / len(commands) > 0.4


def is_shell(lang: str) -> bool:
    return lang in SHELL_LANGS


def fence_is_closed(lines: list[str], fence_map: list[int] | None, markup: str) -> bool:
    """markdown-it closes a fence at end of input silently; tell whether it was really closed."""
    if not fence_map:
        return True
    last = fence_map[1] - 1
    if last <= fence_map[0] or last >= len(lines):
        return False
    m = _CLOSING_FENCE.match(lines[last].lstrip(" >"))
    return bool(m and m.group(1)[0] == markup[0] and len(m.group(1)) >= len(markup))
