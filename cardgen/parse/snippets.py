"""Fenced code: snippets, shell commands split by platform comments, and fence sanity."""

from __future__ import annotations

import re

from cardgen.model import SHELL_LANGS, ShellCommand, SourcePos

_PLATFORM_COMMENT = re.compile(r"^#\s*([A-Za-z][\w./ +-]{0,30}?)\s*:?\s*$")
_CLOSING_FENCE = re.compile(r"^\s*(`{3,}|~{3,})\s*$")


def split_info(info: str) -> tuple[str, tuple[str, ...]]:
    """Info string `rust,no_run ignore` → ("rust", ("no_run", "ignore"))."""
    words = [w for w in re.split(r"[\s,]+", info.strip()) if w]
    if not words:
        return "", ()
    return words[0].lower().lstrip("{."), tuple(w.strip("{}.") for w in words[1:])


def shell_commands(code: str, path: str, first_line: int) -> tuple[ShellCommand, ...]:
    """Commands of a shell block, each with the platform named by the comment above it."""
    platform: str | None = None
    commands: list[ShellCommand] = []
    pending: list[str] = []
    start = first_line
    for offset, line in enumerate(code.split("\n")):
        stripped = line.strip()
        if not pending:
            start = first_line + offset
        if not stripped and not pending:
            continue
        if stripped.startswith("#") and not pending:
            m = _PLATFORM_COMMENT.match(stripped)
            if m:
                platform = m.group(1)
            continue
        stripped = re.sub(r"^\$\s+", "", stripped)
        if stripped.endswith("\\"):
            pending.append(stripped[:-1].rstrip())
            continue
        pending.append(stripped)
        commands.append(ShellCommand(platform, " ".join(pending), SourcePos(path, start)))
        pending = []
    if pending:
        commands.append(ShellCommand(platform, " ".join(pending), SourcePos(path, start)))
    return commands and tuple(commands) or ()


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
