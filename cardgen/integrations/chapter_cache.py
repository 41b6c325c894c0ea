"""A chapter's whole result (its markers' HTML, its files, its warnings), cached: a chapter whose
text, ledger lines, settings, cardgen and tools are unchanged since a build that succeeded comes
from the cache without being parsed, checked or rendered again, so that a rebuild of the book
(`mdbook serve` after an edit of another chapter) costs little.

Only results without errors are stored; a failing snippet is checked again at every build.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from cardgen import __version__
from cardgen.cache import DIGEST_SUFFIX, Cache, digest
from cardgen.ledger import LEDGER_NAME, LedgerError, parse_ledger

if TYPE_CHECKING:
    from cardgen.integrations.book import Chapter, ChapterResult
    from cardgen.integrations.options import BookOptions

CACHE_KIND = "book"
TOOLS = ("rustc", "cargo", "python3", "bwrap", "ss", "netstat")
"""What a check's verdict depends on beyond the chapter's text (by file identity)."""


def _code_stamp() -> str:
    """cardgen's own files (name, size, time): a changed cardgen never reuses a result."""
    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256()
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith((".py", ".j2", ".js", ".css")):
                st = os.stat(os.path.join(folder, name))
                h.update(f"{folder}/{name}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def environment_stamp(options: BookOptions) -> str:
    """What every chapter's result depends on beyond the chapter: cardgen, the settings, and
    with checks the tools (by file identity, without running them), the crates, the kernel,
    the user and the sandbox setting."""
    parts = [__version__, _code_stamp(), options.fingerprint()]
    if options.checks:
        for tool in TOOLS:
            found = shutil.which(tool)
            try:
                st = os.stat(found) if found else None
            except OSError:
                st = None
            parts.append(f"{tool}={found}:{st.st_size}:{st.st_mtime_ns}" if st else f"{tool}=")
        try:
            parts.append(str(os.stat("/usr/share/cargo/registry").st_mtime_ns))
        except OSError:
            parts.append("no-registry")
        parts += [os.uname().release, str(os.geteuid()), os.environ.get("CARDGEN_SANDBOX", "")]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


@dataclass(slots=True)
class LedgerGlance:
    """What a warm rebuild needs of the ledger: its digest and the sheets it names (its lines
    are read, and checked, only when a chapter is built again)."""

    digest: str
    sheets: set[str] = field(default_factory=set)


def glance_at_ledger(folder: Path | None) -> LedgerGlance:
    """The ledger beside the book's configuration, at a glance (None: decks are off)."""
    if folder is None:
        return LedgerGlance("no decks")
    path = folder / LEDGER_NAME
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return LedgerGlance("no ledger")
    except OSError:
        return LedgerGlance("unreadable", {"\0unreadable"})  # the rebuild names the problem
    glance = LedgerGlance(hashlib.sha256(data).hexdigest())
    for line in data.decode("utf-8", errors="replace").split("\n"):
        if not line.strip() or line.startswith("#"):
            continue
        sheet = line.split("\t", 1)[0]
        if "\\" in sheet:  # written escaped: read as the ledger reads it
            try:
                sheet = parse_ledger(line, str(path))[0].sheet
            except (LedgerError, IndexError):
                sheet = "\0unreadable"
        glance.sheets.add(sheet)
    return glance


def epoch_stamp(chapter: Chapter) -> str:
    """What the time of the chapter's deck depends on: `SOURCE_DATE_EPOCH` when it is set,
    else the chapter file's modification time (`cardgen.render.deck.build_epoch`)."""
    env = os.environ.get("SOURCE_DATE_EPOCH", "")
    if env.strip():
        return f"epoch={env}"
    try:
        return f"mtime={int(chapter.file.stat().st_mtime)}" if chapter.file else "none"
    except OSError:
        return "none"


def result_key(chapter: Chapter, stamp: str, epoch: str, ledger_digest: str) -> str:
    """The key of a chapter's result: the stamp, the chapter (its text as the host gives it
    and its file's), its deck's time and the ledger (any change to it is a new key)."""
    h = hashlib.sha256()
    for part in (
        stamp,
        chapter.shown,
        chapter.name,
        chapter.link_prefix,
        str(chapter.file or ""),
        epoch,
        ledger_digest,
        chapter.text,
        chapter.original() or "",
    ):
        h.update(part.encode())
        h.update(b"\x1f")
    return h.hexdigest()[:32]


def load_result(cache: Cache, key: str, chapter: Chapter) -> ChapterResult | None:
    """The chapter's stored result, or None (not there, damaged, or cut short)."""
    from cardgen.integrations.book import ChapterResult

    path = cache.file(CACHE_KIND, f"{key}.json")  # checked against its digest
    if path is None:
        return None
    try:
        data = json.loads(path.read_bytes())
        files = {name: base64.b64decode(b64) for name, b64 in data["files"].items()}
        return ChapterResult(
            chapter,
            blocks=[str(b) for b in data["blocks"]],
            tail=str(data["tail"]),
            files=files,
            warnings=[str(w) for w in data["warnings"]],
            cached=True,
        )
    except (OSError, KeyError, TypeError, ValueError, AttributeError):
        return None


def store_result(cache: Cache, key: str, result: ChapterResult) -> None:
    """The result as one file of the cache, with its digest beside it (written last: a file
    without its digest, or with another, is never read)."""
    data = {
        "blocks": result.blocks,
        "tail": result.tail,
        "files": {n: base64.b64encode(b).decode() for n, b in sorted(result.files.items())},
        "warnings": result.warnings,
    }
    body = json.dumps(data, sort_keys=True).encode()
    name = f"{key}.json"
    cache.put_file(CACHE_KIND, name, body)
    cache.put_file(CACHE_KIND, name + DIGEST_SUFFIX, digest(body).encode() + b"\n")
