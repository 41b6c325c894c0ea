"""The bubblewrap command line: the whole sandbox as one argument list.

Own user, network (loopback only), PID, IPC and UTS namespaces; the system read-only; a
private /tmp (holding the scratch folder that is HOME and the working directory), /var/tmp
and /dev/shm; /proc of the sandbox's own PID and network namespaces; bwrap dies with
cardgen.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from cardgen.sandbox.limits import MB, Limits

if TYPE_CHECKING:
    from cardgen.sandbox.probe import Isolation

SCRATCH = "/tmp/home"
"""The scratch folder inside the sandbox: HOME and the working directory of programs."""
PRIVATE = ("/tmp", "/var/tmp", "/dev/shm")
"""Folders replaced by empty, private, sized ones inside the sandbox."""


def namespace_args(isolation: Isolation) -> list[str]:
    assert isolation.bwrap
    args = [
        isolation.bwrap,
        "--unshare-user",
        "--unshare-net",
        "--unshare-pid",
        "--unshare-ipc",
        "--unshare-uts",
        "--unshare-cgroup-try",
        "--hostname",
        "sandbox",
        "--die-with-parent",
        "--new-session",
        # Only to set the PID namespace's pid_max; the sandbox's first process drops it
        # (and every other capability) before it runs anything.
        "--cap-add",
        "CAP_SYS_ADMIN",
    ]
    if isolation.no_nested_userns:
        args.append("--disable-userns")
    return args


def _under(path: Path, folders: tuple[str, ...]) -> bool:
    return any(path == Path(f) or Path(f) in path.parents for f in folders)


def _existing(path: Path) -> Path | None:
    """The real path of `path`, or None where it is missing or the user may not look at it."""
    try:
        real = path.resolve()
        return real if real.exists() else None
    except OSError:
        return None


def host_paths() -> list[Path]:
    """What the sandbox's first process (cardgen's Python) needs to see."""
    import cardgen

    paths = {Path(sys.prefix), Path(sys.base_prefix), Path(cardgen.__file__).parent.parent}
    paths.update(Path(p) for p in sys.path if p and Path(p).is_absolute())
    return sorted(paths)


def bwrap_argv(
    isolation: Isolation,
    limits: Limits,
    readable: list[Path],
    writable: list[Path],
) -> list[str]:
    """bwrap's argument list, up to (not including) the command."""
    args = namespace_args(isolation)
    args += ["--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev"]
    for folder in PRIVATE:
        if Path(folder).is_dir() and not Path(folder).is_symlink():
            if isolation.sized_tmpfs:
                args += ["--size", str(limits.scratch_mb * MB)]
            args += ["--tmpfs", folder]
    args += ["--dir", SCRATCH]
    seen: set[Path] = set()
    for path in [*readable, *host_paths()]:
        real = _existing(path)
        if real is None or real in seen or not _under(real, PRIVATE):
            continue
        if str(real) in PRIVATE or Path(SCRATCH) == real or real in Path(SCRATCH).parents:
            continue  # `/tmp` itself (a script run from /tmp): binding it would hide the scratch
        seen.add(real)
        args += ["--ro-bind", str(real), str(real)]
    for path in writable:
        real = path.resolve()
        args += ["--bind", str(real), str(real)]
    args += ["--chdir", SCRATCH, "--"]
    return args
