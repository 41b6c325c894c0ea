"""What the sandbox's first process does with the one capability bwrap leaves it: cap the PID
namespace's process count, then give up every capability for good. Linux only."""

from __future__ import annotations

import ctypes
import ctypes.util
from pathlib import Path

PR_SET_DUMPABLE = 4
PR_CAPBSET_DROP = 24
PR_SET_NO_NEW_PRIVS = 38
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4
CAPABILITY_VERSION_3 = 0x20080522
PID_MAX_FLOOR = 301
"""The smallest pid_max Linux accepts (RESERVED_PIDS + 1)."""


class _Header(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _Data(ctypes.Structure):
    _fields_ = [
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    ]


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)


def pid_namespace_size(processes: int) -> int:
    """How many processes the PID namespace holds once capped for `processes`."""
    return max(PID_MAX_FLOOR, processes + 16) - 1


def cap_pid_namespace(processes: int) -> str | None:
    """Set pid_max of this PID namespace (per namespace since Linux 6.14). Returns a note
    when it could not be set."""
    value = pid_namespace_size(processes) + 1
    try:
        Path("/proc/sys/kernel/pid_max").write_text(f"{value}\n")
    except OSError as exc:
        return f"the PID namespace's size could not be capped ({exc.strerror})"
    return None


def drop_all() -> None:
    """Give up every capability (effective, permitted, inheritable, ambient, and the bounding
    set where allowed), forbid gaining any on exec, and make this process undumpable so that
    code it starts cannot read its memory or open its files through /proc."""
    libc = _libc()
    libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    for cap in range(64):
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 and ctypes.get_errno() == 22:
            break  # EINVAL: past the last capability this kernel knows
    header = _Header(CAPABILITY_VERSION_3, 0)
    data = (_Data * 2)()
    if libc.capset(ctypes.byref(header), data) != 0:
        raise OSError(ctypes.get_errno(), "capset failed")
    libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)


def capabilities() -> dict[str, int]:
    """This process's capability sets, from /proc/self/status."""
    sets = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("Cap"):
            name, value = line.split(":", 1)
            sets[name] = int(value.strip(), 16)
    return sets


def undumpable() -> None:
    _libc().prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
