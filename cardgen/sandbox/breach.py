"""What a contained run's end means: a limit reached, an attempt to leave loopback or to write
outside the scratch folder, a process left behind. Each becomes a verdict's reason."""

from __future__ import annotations

import re
import signal
from typing import TYPE_CHECKING

from cardgen.sandbox.caps import PID_MAX_FLOOR

if TYPE_CHECKING:
    from cardgen.sandbox import Contained

_NETWORK = re.compile(
    r"Network is unreachable|os error 101|Errno 101|ENETUNREACH|"
    r"Temporary failure in name resolution|Name or service not known|"
    r"failed to lookup address information|Could not resolve host|No address associated"
)
_MEMORY = re.compile(
    r"memory allocation of \d+ bytes failed|MemoryError|Cannot allocate memory|"
    r"out of memory|std::bad_alloc"
)
_PROCESSES = re.compile(
    r"fork: (retry: )?Resource temporarily unavailable|Cannot fork|failed to spawn thread|"
    r"can't start new thread|fork\(\)[^\n]*\n?[^\n]*(Errno 11|os error 11)"
)
_EAGAIN = re.compile(r"Resource temporarily unavailable|Errno 11|os error 11")
_READ_ONLY = re.compile(r"Read-only file system|os error 30|Errno 30|EROFS")
_TOO_LARGE = re.compile(r"File too large|os error 27|Errno 27|EFBIG")
"""What a program that ignores SIGXFSZ (Python does) sees at the file size limit."""


def _line(pattern: re.Pattern[str], text: str) -> str | None:
    for line in reversed(text.splitlines()):
        if pattern.search(line):
            return line.strip().replace("CARDGEN_ERROR ", "")[:160]
    return None


def breach(contained: Contained) -> str | None:
    """Why this run must fail whatever its peer saw, or None."""
    limits = contained.limits
    isolated = contained.isolated
    if contained.error:
        return contained.error
    for fin in contained.programs:
        text = fin.stdout[-20000:] + "\n" + fin.stderr[-20000:]
        if fin.signal == signal.SIGXCPU:
            return f"stopped at the {limits.cpu_seconds:g} s CPU time limit"
        if fin.signal == signal.SIGXFSZ:
            return f"stopped at the {limits.file_size_mb} MB file size limit"
        if (line := _line(_TOO_LARGE, text)) is not None:
            return f"stopped at the {limits.file_size_mb} MB file size limit ({line})"
        bound = contained.process_limit or limits.processes
        crowded = fin.group_size >= min(bound, PID_MAX_FLOOR) * 3 // 4
        many = "fork" in text or "spawn" in text or fin.group_size >= 8
        forked = _PROCESSES.search(text) or (many and _EAGAIN.search(text))
        if crowded or forked:
            line = _line(_PROCESSES, text) or _line(_EAGAIN, text)
            seen = f"{fin.group_size} processes at the end" if crowded else ""
            why = "; ".join(w for w in (seen, line) if w)
            if contained.process_limit:
                return f"stopped at the {bound}-process limit ({why})"
            return f"it started too many processes ({why})"
        if (line := _line(_MEMORY, text)) is not None:
            return f"stopped at the {limits.memory_mb} MB memory limit ({line})"
        if fin.output_exceeded:
            return f"stopped at the {limits.output_kb} KB output limit: it printed more than that"
        if (line := _line(_NETWORK, text)) is not None:
            where = "inside the sandbox, where only loopback exists" if isolated else "here"
            return f"tried to leave loopback: {line} — the network is unreachable {where}"
        if (line := _line(_READ_ONLY, text)) is not None:
            return (
                f"tried to write outside its scratch folder: {line} — the system is "
                "read-only inside the sandbox"
            )
    for fin in contained.programs:
        if fin.returncode is not None and fin.group_size:
            return (
                f"it exited but left {fin.group_size} process(es) running in the background; "
                "they were killed"
            )
    if contained.leftovers:
        shown = ", ".join(contained.leftovers[:3])
        return (
            f"it left {len(contained.leftovers)} detached process(es) running ({shown}); "
            "they were killed with the sandbox"
        )
    for fin in contained.programs:
        if fin.pipe_held:
            shown = ", ".join(fin.killed_holders[:3]) or "a process it started"
            return (
                f"a process it detached ({shown}) kept its output open after it exited; "
                "that process was killed"
            )
    if contained.files:
        shown = ", ".join(contained.files[:5])
        more = f" and {len(contained.files) - 5} more" if len(contained.files) > 5 else ""
        return (
            f"it wrote files ({shown}{more}): a check must leave nothing behind; "
            "they were discarded with the sandbox"
        )
    return None
