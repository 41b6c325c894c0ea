"""Where cardgen keeps what it can reuse between runs: check results, snippet binaries, claim
observations, compiled templates.

Every entry is written atomically (a unique temporary file, then a rename) with a SHA-256 of
its bytes, and verified when read: an entry cut short (a full disk, a killed run) or damaged
is removed and made again. When the folder cannot be used at all (not writable, not a
folder, full), the run goes on with a private temporary cache, after one warning.
"""

from __future__ import annotations

import atexit
import contextlib
import errno
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

DIGEST_SUFFIX = ".sha256"
_warned: list[str] = []
_lock = threading.Lock()
on_warning: Callable[[str], None] | None = None
"""Set by the command line: shows the warning (once) when the cache cannot be used."""


def default_cache() -> Path:
    """`$CARDGEN_CACHE_DIR`, else `$XDG_CACHE_HOME/cardgen`, else `~/.cache/cardgen`."""
    if env := os.environ.get("CARDGEN_CACHE_DIR"):
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cardgen"


def warn_once(message: str) -> None:
    with _lock:
        if message in _warned:
            return
        _warned.append(message)
    if on_warning is not None:
        on_warning(message)


def warnings_given() -> list[str]:
    return list(_warned)


def _private_folder() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="cardgen-cache-"))
    atexit.register(shutil.rmtree, folder, True)
    return folder


def unusable_reason(folder: Path) -> str | None:
    """Why `folder` cannot hold a cache (cannot be made, or written), or None."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".probe-", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


def ensure_usable() -> None:
    """Before a run: if the cache folder is unusable, warn once and point this process (and
    every process it starts) at a private temporary cache instead."""
    folder = default_cache()
    why = unusable_reason(folder)
    if why is None:
        return
    os.environ["CARDGEN_CACHE_DIR"] = str(_private_folder())
    warn_once(f"warning: cache folder {folder} cannot be used ({why}): going on without a cache")


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _write_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class Cache:
    """One cache folder. `read=False` (`--no-cache`) reads no entry, but still writes fresh
    ones over whatever was there."""

    def __init__(self, root: Path | None = None, read: bool = True) -> None:
        self.root = root or default_cache()
        self.read = read

    def degrade(self, exc: OSError) -> None:
        """The folder failed mid-run (full, made read-only): go on in a private one."""
        was = self.root
        self.root = _private_folder()
        warn_once(
            f"warning: cache folder {was} cannot be used ({exc.strerror or exc}): "
            "going on without a cache"
        )

    def ensure_room(self, needed: int) -> None:
        """Go on in a private folder if the cache's file system has less than `needed` bytes
        free (a build that runs out of space fails in ways that name no cause)."""
        try:
            free = shutil.disk_usage(self.folder("")).free
        except OSError:
            return
        if free < needed:
            self.degrade(OSError(errno.ENOSPC, f"only {free / (1024 * 1024):.1f} MB free"))

    def folder(self, kind: str) -> Path:
        path = self.root / kind
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self.degrade(exc)
            path = self.root / kind
            path.mkdir(parents=True, exist_ok=True)
        return path

    def _write(self, path_of: Callable[[], Path], data: bytes, mode: int = 0o644) -> Path:
        try:
            path = path_of()
            _write_atomic(path, data, mode)
        except OSError as exc:
            self.degrade(exc)
            path = path_of()
            _write_atomic(path, data, mode)
        return path

    # JSON entries: {"sha256": <digest of data>, "data": <data>}

    def read_json(self, kind: str, key: str) -> dict | None:
        if not self.read:
            return None
        path = self.root / kind / f"{key}.json"
        try:
            entry = json.loads(path.read_bytes())
            data = entry["data"]
            if digest(json.dumps(data, sort_keys=True).encode()) != entry["sha256"]:
                raise ValueError("digest mismatch")
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError):
            with contextlib.suppress(OSError):
                path.unlink()  # damaged: made again by this run
            return None
        return data if isinstance(data, dict) else None

    def write_json(self, kind: str, key: str, data: dict) -> None:
        body = json.dumps(data, sort_keys=True)
        entry = json.dumps({"sha256": digest(body.encode()), "data": data}, sort_keys=True)
        self._write(lambda: self.folder(kind) / f"{key}.json", entry.encode())

    # Files (binaries, scripts), each with a `<name>.sha256` beside it

    def file(self, kind: str, name: str) -> Path | None:
        """The verified file, or None (missing, damaged, or not reading the cache)."""
        if not self.read:
            return None
        return self._verified(self.root / kind / name)

    def _verified(self, path: Path) -> Path | None:
        sidecar = path.with_name(path.name + DIGEST_SUFFIX)
        try:
            expected = sidecar.read_text().strip()
            with path.open("rb") as handle:
                actual = hashlib.file_digest(handle, "sha256").hexdigest()
        except FileNotFoundError:
            if path.exists():
                with contextlib.suppress(OSError):
                    path.unlink()  # no digest: a file cut short by an older run
            return None
        except OSError:
            return None
        if actual != expected:
            for stale in (path, sidecar):
                with contextlib.suppress(OSError):
                    stale.unlink()
            return None
        return path

    def store_file(self, kind: str, name: str, source: Path, mode: int = 0o755) -> Path:
        """Copy `source` into the cache (atomically, with its digest); return the entry."""
        data = source.read_bytes()
        path = self._write(lambda: self.folder(kind) / name, data, mode)
        self._write(lambda: path.with_name(name + DIGEST_SUFFIX), digest(data).encode() + b"\n")
        return path

    def put_file(self, kind: str, name: str, data: bytes) -> Path:
        """A file with these bytes in the cache, written only if it is not already there."""
        path = self.root / kind / name
        try:
            if path.read_bytes() == data:
                return path
        except OSError:
            pass
        return self._write(lambda: self.folder(kind) / name, data)

    def workdir(self, kind: str) -> Path:
        """A fresh folder of its own (removed by the caller), so that runs never share one."""
        try:
            return Path(tempfile.mkdtemp(prefix="work-", dir=self.folder(kind)))
        except OSError as exc:
            self.degrade(exc)
            return Path(tempfile.mkdtemp(prefix="work-", dir=self.folder(kind)))

    @contextlib.contextmanager
    def any_free(self, kind: str, slots: int = 8) -> Iterator[Path]:
        """One of `slots` shared folders (a cargo target directory) that no other run holds
        now; if all are taken, a fresh private one. Never waits."""
        base = self.folder(kind)
        for slot in range(slots):
            lock_path = base / f"slot-{slot}.lock"
            try:
                handle = lock_path.open("a")
            except OSError:
                continue
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                handle.close()
                continue
            try:
                folder = base / f"slot-{slot}"
                folder.mkdir(exist_ok=True)
                yield folder
                return
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
                handle.close()
        private = self.workdir(kind)
        try:
            yield private
        finally:
            shutil.rmtree(private, ignore_errors=True)


def jinja_bytecode_cache(folder: Path):  # -> jinja2.BytecodeCache | None
    """Jinja2's compiled templates kept in `folder`, written atomically with a digest and
    verified when read; None when the folder cannot be used."""
    import jinja2

    if unusable_reason(folder) is not None:
        return None

    class VerifiedBytecodeCache(jinja2.BytecodeCache):
        def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            path = folder / f"{bucket.key}.cache"
            try:
                raw = path.read_bytes()
            except OSError:
                return
            head, _, body = raw.partition(b"\n")
            if head.decode("ascii", "replace") != digest(body):
                with contextlib.suppress(OSError):
                    path.unlink()
                return
            bucket.bytecode_from_string(body)

        def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
            body = bucket.bytecode_to_string()
            with contextlib.suppress(OSError):
                _write_atomic(folder / f"{bucket.key}.cache", digest(body).encode() + b"\n" + body)

    return VerifiedBytecodeCache()
