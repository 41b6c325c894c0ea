"""Resource limits for sandboxed code: memory, processes, CPU time, file size, captured output
and scratch space. Set as rlimits on the sandbox's first process, so everything it starts
inherits them."""

from __future__ import annotations

import os
import resource
from dataclasses import asdict, dataclass, fields, replace

from cardgen.errors import ConfigError

MB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    memory_mb: int = 512
    """Address space of each process (RLIMIT_AS)."""
    processes: int = 64
    """Processes and threads in the sandbox (RLIMIT_NPROC in its user namespace; the PID
    namespace's pid_max as well, which the kernel cannot set below 300)."""
    cpu_seconds: float = 10.0
    """CPU time of each process (RLIMIT_CPU)."""
    file_size_mb: int = 16
    """Largest file a process may write (RLIMIT_FSIZE)."""
    output_kb: int = 1024
    """Output captured from each stream (standard output, standard error); past it the
    program is stopped."""
    scratch_mb: int = 64
    """Size of each private /tmp (which holds the scratch folder), /var/tmp and /dev/shm
    (where bwrap can size a tmpfs)."""

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 1:
                raise ConfigError(f"limit_{f.name} must be a number of at least 1, not {value!r}")

    @property
    def output_bytes(self) -> int:
        return int(self.output_kb * 1024)

    def apply(self, processes: bool = True) -> None:
        """Set these limits on the current process (inherited by everything it starts).
        `processes` is False where RLIMIT_NPROC would count every process of the user on
        the machine, not only the sandbox's (no user namespace)."""
        wanted = [
            (resource.RLIMIT_AS, self.memory_mb * MB),
            (resource.RLIMIT_CPU, int(self.cpu_seconds + 0.999)),
            (resource.RLIMIT_FSIZE, self.file_size_mb * MB),
            (resource.RLIMIT_CORE, 0),
        ]
        if processes:
            wanted.append((resource.RLIMIT_NPROC, self.processes))
        for which, value in wanted:
            _, hard = resource.getrlimit(which)
            soft = value if hard == resource.RLIM_INFINITY else min(value, hard)
            # CPU: SIGXCPU at the soft limit (a reason cardgen can name), SIGKILL a second on
            new_hard = soft + 1 if which == resource.RLIMIT_CPU else soft
            if hard != resource.RLIM_INFINITY:
                new_hard = min(new_hard, hard)
            try:
                resource.setrlimit(which, (soft, new_hard))
            except (ValueError, OSError):
                resource.setrlimit(which, (soft, hard))

    def to_json(self) -> dict[str, float]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> Limits:
        return cls(**{f.name: data[f.name] for f in fields(cls) if f.name in data})

    def for_build(self, timeout: float) -> Limits:
        """Limits for compilers: rustc needs far more than a snippet, and uses every core."""
        return replace(
            self,
            memory_mb=max(self.memory_mb, 8192),
            processes=max(self.processes, 1024),
            cpu_seconds=max(self.cpu_seconds, timeout * (os.cpu_count() or 1)),
            file_size_mb=max(self.file_size_mb, 2048),
            output_kb=max(self.output_kb, 16 * 1024),
            scratch_mb=max(self.scratch_mb, 512),
        )

    @classmethod
    def from_config(cls, config: object) -> Limits:
        """The `limit_*` keys of a `Config`."""
        return cls(**{f.name: getattr(config, f"limit_{f.name}") for f in fields(cls)})

    def fingerprint(self) -> str:
        return ",".join(f"{k}={v}" for k, v in sorted(asdict(self).items()))
