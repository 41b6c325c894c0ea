"""Finding sheets, and writing outputs safely: atomically (temporary file, then rename), one
build at a time per output folder, and never leaving a killed build's temporary files behind.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import functools
import hashlib
import os
import re
import stat
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from cardgen.errors import EXIT_USAGE, CardgenError, InputError

STATE_FILE = ".cardgen-state.json"
"""Written in every output folder: its presence marks a folder as cardgen's output."""
TEMP_PREFIX = ".cardgen-tmp-"
_OLD_TEMP = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")
"""Temporary files of cardgen 0.1 (`.<name>.<random>.tmp`)."""
FOLDER_WIDE = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM})
"""Write errors that no other sheet would escape: the build stops."""


class OutputError(CardgenError):
    """An output cannot be written (read-only or full folder): exit code 2."""

    exit_code = EXIT_USAGE


def cannot_write(path: Path | str, exc: OSError) -> OutputError:
    return OutputError(f"cannot write: {exc.strerror or exc}", str(path))


def folder_wide(exc: OSError) -> bool:
    return exc.errno in FOLDER_WIDE


@dataclass(frozen=True, slots=True)
class SheetFile:
    """A sheet found in a content folder."""

    path: Path
    """As found (`content/a/notes.md`): shown in messages."""
    root: Path
    """The content folder it belongs to (where its ledger is kept)."""
    rel: str
    """Its path relative to the content folder, with `/` (`a/notes.md`)."""

    @property
    def name(self) -> str:
        """What its outputs are named by: `a/notes` → `decks/a/notes.apkg`."""
        return self.rel[: -len(".md")] if self.rel.endswith(".md") else self.rel


@dataclass(frozen=True, slots=True)
class FolderWarning:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"

    def to_json(self) -> dict[str, object]:
        return {"kind": "warning", "path": self.path, "line": None, "message": self.message}


@dataclass(slots=True)
class ContentFolder:
    root: Path
    sheets: list[SheetFile] = field(default_factory=list)
    whole: bool = True
    """True when the folder was given (every sheet in it is built); False when only some of
    its files were given."""


@dataclass(slots=True)
class FoundSheets:
    folders: list[ContentFolder]
    warnings: list[FolderWarning]

    @property
    def sheets(self) -> list[SheetFile]:
        return [s for f in self.folders for s in f.sheets]


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def find_sheets(paths: Iterable[Path]) -> list[Path]:
    """The sheets under the given folders (see `gather_sheets`), as paths."""
    return [s.path for s in gather_sheets(paths).sheets]


def gather_sheets(paths: Iterable[Path], out_dir: Path | None = None) -> FoundSheets:
    """Every `*.md` under the given folders, and the files given as they are.

    Never read as sheets: the output folder, any other folder holding cardgen's output (it has
    a `.cardgen-state.json`), hidden files and folders. A symlink is followed only when it
    leads to a place inside its content folder; otherwise a warning names it.
    """
    out_real = os.path.realpath(out_dir) if out_dir is not None else None
    folders: dict[str, ContentFolder] = {}
    warnings: list[FolderWarning] = []
    seen: set[str] = set()
    for path in paths:
        if path.is_dir():
            real = os.path.realpath(path)
            if out_real is not None and real == out_real:
                raise InputError(
                    "is the output folder too: choose another output folder (-o)", str(path)
                )
            folder = folders.get(real)
            if folder is None or not folder.whole:
                folder = folders[real] = ContentFolder(path, [], True)
                found: list[SheetFile] = []
                _walk(path, real, out_real, found, warnings)
                # a sheet reached twice (a symlink to it) is built once, under its own name
                found.sort(key=lambda s: (os.path.islink(s.path), s.rel.split("/")))
                for sheet in found:
                    key = os.path.realpath(sheet.path)
                    if key not in seen:
                        seen.add(key)
                        folder.sheets.append(sheet)
                folder.sheets.sort(key=lambda s: s.rel.split("/"))
        elif path.exists():
            if not _utf8(str(path)):
                shown = str(path).encode("utf-8", "surrogateescape").decode("utf-8", "replace")
                raise InputError("its name is not valid UTF-8: rename it", shown)
            if not path.is_file():
                raise InputError("not a regular file (a sheet is a Markdown file)", str(path))
            real = os.path.realpath(path)
            if real in seen:
                continue
            seen.add(real)
            root = path.parent
            folder = folders.setdefault(os.path.realpath(root), ContentFolder(root, [], False))
            folder.sheets.append(SheetFile(path, root, path.name))
        else:
            raise InputError("no such file or directory", str(path))
    return FoundSheets(list(folders.values()), warnings)


def _utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # bytes the file system gave that are not UTF-8 (surrogates)
        return False
    return True


def _walk(
    root: Path,
    root_real: str,
    out_real: str | None,
    found: list[SheetFile],
    warnings: list[FolderWarning],
) -> None:
    """Every sheet under `root`, folder by folder (no recursion: any depth works)."""
    visited = {root_real}
    pending: list[tuple[Path, tuple[str, ...], str]] = [(root, (), root_real)]
    while pending:
        folder, parts, folder_real = pending.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            warnings.append(FolderWarning(str(folder), f"cannot read folder: {exc.strerror}"))
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if not _utf8(entry.name):
                if entry.name.endswith(".md") or entry.is_dir():
                    shown = entry.name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
                    warnings.append(
                        FolderWarning(
                            str(folder / shown),
                            "its name is not valid UTF-8: not read; rename it",
                        )
                    )
                continue
            path = folder / entry.name
            rel = (*parts, entry.name)
            try:
                is_link = entry.is_symlink()
                # a real path from its folder's (realpath costs a lookup per level)
                real = os.path.realpath(path) if is_link else f"{folder_real}/{entry.name}"
                if is_link and not _inside(real, root_real):
                    if entry.name.endswith(".md") or os.path.isdir(real):
                        warnings.append(
                            FolderWarning(
                                str(path),
                                f"symlink to {real} leads out of the content folder: not followed",
                            )
                        )
                    continue
                is_dir = os.path.isdir(real) if is_link else entry.is_dir(follow_symlinks=False)
                if is_dir:
                    if real == out_real or real in visited:
                        continue
                    if os.path.exists(os.path.join(entry.path, STATE_FILE)):
                        continue  # another cardgen output folder
                    visited.add(real)
                    pending.append((path, rel, real))
                elif entry.name.endswith(".md"):
                    if os.path.isfile(real) if is_link else entry.is_file(follow_symlinks=False):
                        found.append(SheetFile(path, root, "/".join(rel)))
                    else:
                        warnings.append(FolderWarning(str(path), "not a regular file: not read"))
            except OSError as exc:
                warnings.append(FolderWarning(str(path), f"cannot read: {exc.strerror}"))


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_atomic(path: Path, data: bytes) -> bool:
    """Write `data` to `path` unless it already holds exactly that; return whether it wrote.

    The bytes go to a temporary file beside `path` that is then renamed over it: a reader (or a
    build killed half-way) sees the old file or the new one, never a part. Raises `OSError`.
    """
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    if path.is_symlink():  # a ledger linked from elsewhere: the file it names is written
        path = path.resolve()
    make_folders(path.parent)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)  # a file keeps its mode
    except OSError:
        mode = 0o666 & ~_umask()  # a new one gets what the user's umask gives
    fd, tmp = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{path.name[:60]}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


@functools.cache
def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def make_folders(folder: Path) -> None:
    """`mkdir -p`, without recursion (pathlib's and os.makedirs recurse once per level, and a
    sheet may sit a thousand folders deep)."""
    missing: list[Path] = []
    while not folder.is_dir():
        missing.append(folder)
        if folder.parent == folder:
            break
        folder = folder.parent
    for each in reversed(missing):
        try:
            each.mkdir()
        except FileExistsError:
            if not each.is_dir():
                raise


def remove_temp_files(folder: Path, recursive: bool = True, older_than: float = 0) -> int:
    """Remove temporary files a killed build left in `folder`; return how many.

    `older_than` (seconds): only files not touched for that long, where another build may be
    writing right now (a content folder, shared by builds with different output folders).
    """
    removed = 0
    if not folder.is_dir():
        return 0
    now = time.time()
    pending = [str(folder)]
    while pending:  # (not os.walk: it recurses once per level)
        where = pending.pop()
        try:
            entries = list(os.scandir(where))
        except OSError:
            continue
        for entry in entries:
            with contextlib.suppress(OSError):
                if entry.is_dir(follow_symlinks=False):
                    if recursive:
                        pending.append(entry.path)
                    continue
                if not (entry.name.startswith(TEMP_PREFIX) or _OLD_TEMP.match(entry.name)):
                    continue
                if older_than and now - entry.stat(follow_symlinks=False).st_mtime < older_than:
                    continue
                os.unlink(entry.path)
                removed += 1
    return removed


@contextlib.contextmanager
def output_lock(out_dir: Path, waiting: Callable[[str], None]) -> Iterator[None]:
    """Hold the output folder for this build: a second build waits (and says so) until the
    first is done. The folder is created if needed and must be writable."""
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError("is not a folder: choose another output folder (-o)", str(out_dir))
    try:
        make_folders(out_dir)
        fd = os.open(out_dir, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as exc:
        raise cannot_write(out_dir, exc) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            waiting(f"{out_dir}: another cardgen build is writing here; waiting for it to finish")
            fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            probe_fd, probe = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}probe.", dir=out_dir)
            os.close(probe_fd)
            os.unlink(probe)
        except OSError as exc:
            raise cannot_write(out_dir, exc) from None
        yield
    finally:
        os.close(fd)
