"""A book's chapters → their quiz, deck and checks: what the mdBook preprocessor and the
MkDocs plugin share. They translate their host's protocol into `Chapter`s and put
`ChapterResult`s back; nothing here knows mdBook or MkDocs.

Each chapter is read as a sheet (its path as the author knows it: `src/ch02.md`), its
snippets and claims are checked on loopback (cached), and its markers are replaced. A
chapter whose result is already known (same text, settings, cardgen and tools) comes from the
cache without being parsed again, so that a rebuild (`mdbook serve`) costs little.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import html
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from cardgen import __version__
from cardgen.integrations.markers import DECK_MARKER, QUIZ_MARKER, replace, scan

QUIZ_MODES = ("marker", "every-chapter")
CACHE_KIND = "book"
RUSTDOC_EXPECTED_FAILURES = ("compile_fail", "should_panic")


@dataclass(slots=True)
class BookOptions:
    """The integration's settings (`[preprocessor.cardgen]`, the MkDocs plugin's options)."""

    checks: bool = True
    quiz: str = "marker"
    """`marker`: where `{{#cardgen-quiz}}` stands; `every-chapter`: also at the end of every
    chapter without a marker that has questions."""
    decks: bool = True
    seed: int = 0
    questions: int = 40
    deck_prefix: str = ""
    jobs: int = 2
    check_timeout: float = 10.0
    require_isolation: bool = False

    def fingerprint(self) -> str:
        return json.dumps(dataclasses.asdict(self), sort_keys=True)


@dataclass(slots=True)
class Chapter:
    """One chapter as the host gives it."""

    shown: str
    """Its path in messages, as the author knows it (`src/ch02-sockets.md`)."""
    text: str
    """Its Markdown as the host has it now (after the host's own preprocessing)."""
    out_name: str
    """Name of its files in the book's cardgen folder, without suffix (`part-1/ch02`)."""
    link_prefix: str
    """From the chapter's page to the book's cardgen folder (`cardgen/`, `../cardgen/`)."""
    file: Path | None = None
    """Its file on disk (line numbers, images, the deck's time); None when it has none."""

    def original(self) -> str | None:
        if self.file is None:
            return None
        try:
            return self.file.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
        except (OSError, UnicodeDecodeError):
            return None


@dataclass(slots=True)
class ChapterResult:
    chapter: Chapter
    blocks: list[str] = field(default_factory=list)
    """What replaces each marker of the chapter, in the order they stand (HTML, or "")."""
    tail: str = ""
    """HTML to add at the chapter's end (the quiz, with `quiz = "every-chapter"`)."""
    files: dict[str, bytes] = field(default_factory=dict)
    """Relative to the book's cardgen folder: `<out_name>.apkg`, `<out_name>-quiz.html`."""
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    """`path:line: message`: a snippet or claim that failed, a chapter that cannot be read."""
    cached: bool = False

    @property
    def text(self) -> str:
        """The chapter's Markdown with its markers replaced (and its tail added)."""
        return apply_blocks(self.chapter.text, self.blocks, self.tail)


def apply_blocks(text: str, blocks: list[str], tail: str = "") -> str:
    """`text` with its markers (on lines of their own) replaced by `blocks`, in order."""
    markers, _ = scan(text)
    text = replace(text, {m.line: html for m, html in zip(markers, blocks, strict=False)})
    if tail:
        text = text.rstrip("\n") + "\n\n" + tail + "\n"
    return text


def build_book(chapters: list[Chapter], options: BookOptions) -> list[ChapterResult]:
    """Every chapter's result, in order. Nothing is written: the caller writes the files
    only when no chapter has an error."""
    from cardgen.cache import Cache

    cache = Cache()
    stamp = environment_stamp(options)
    keys = [_result_key(ch, options, stamp) for ch in chapters]
    results: list[ChapterResult | None] = [
        _from_cache(cache, k, ch) for k, ch in zip(keys, chapters, strict=True)
    ]
    todo = [i for i, r in enumerate(results) if r is None]
    if todo:
        fresh = _build_chapters([chapters[i] for i in todo], options)
        for i, result in zip(todo, fresh, strict=True):
            results[i] = result
            if not result.errors:
                _to_cache(cache, keys[i], result)
    return [r for r in results if r is not None]


# The cache of whole chapter results


def _epoch(chapter: Chapter) -> int:
    """`SOURCE_DATE_EPOCH`, else the chapter file's modification time (the deck's note time)."""
    env = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if env.isdigit():
        return int(env)
    try:
        return int(chapter.file.stat().st_mtime) if chapter.file else 0
    except OSError:
        return 0


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
    """What a check's verdict depends on beyond the chapter: the tools (by file identity,
    without running them), the crates, the kernel, the user, the sandbox setting."""
    parts = [__version__, _code_stamp(), options.fingerprint()]
    if options.checks:
        for tool in ("rustc", "cargo", "python3", "bwrap", "ss", "netstat"):
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


def _result_key(chapter: Chapter, options: BookOptions, stamp: str) -> str:
    h = hashlib.sha256()
    for part in (
        stamp,
        chapter.shown,
        chapter.out_name,
        chapter.link_prefix,
        str(chapter.file or ""),
        str(_epoch(chapter)),
        chapter.text,
        chapter.original() or "",
    ):
        h.update(part.encode())
        h.update(b"\x1f")
    return h.hexdigest()[:32]


def _from_cache(cache, key: str, chapter: Chapter) -> ChapterResult | None:
    data = cache.read_json(CACHE_KIND, key)
    if not data:
        return None
    try:
        files = {name: base64.b64decode(b64) for name, b64 in data["files"].items()}
        blocks = [str(b) for b in data["blocks"]]
        return ChapterResult(
            chapter, blocks, str(data["tail"]), files, list(data["warnings"]), cached=True
        )
    except (KeyError, TypeError, ValueError):
        return None


def _to_cache(cache, key: str, result: ChapterResult) -> None:
    data = {
        "blocks": result.blocks,
        "tail": result.tail,
        "files": {n: base64.b64encode(b).decode() for n, b in sorted(result.files.items())},
        "warnings": result.warnings,
    }
    cache.write_json(CACHE_KIND, key, data)


# Building chapters


@dataclass(slots=True)
class _Work:
    chapter: Chapter
    result: ChapterResult
    sheet: object = None
    bank: object = None
    markers: list = field(default_factory=list)


def _build_chapters(chapters: list[Chapter], options: BookOptions) -> list[ChapterResult]:
    from cardgen.errors import CardgenError
    from cardgen.integrations.lines import line_map, relocate
    from cardgen.parse import parse_text
    from cardgen.questions import build_bank

    work: list[_Work] = []
    for chapter in chapters:
        item = _Work(chapter, ChapterResult(chapter))
        work.append(item)
        item.markers, stray = scan(chapter.text)
        original = chapter.original()
        where = line_map(chapter.text, original)
        for line in stray:
            item.result.warnings.append(
                f"{chapter.shown}:{where(line)}: a cardgen marker counts only on a line of its "
                "own: this one is left as it is"
            )
        if not chapter.text.strip():
            continue
        try:
            sheet = parse_text(chapter.text, chapter.shown, Path(chapter.out_name).name)
        except CardgenError as exc:
            line = where(exc.line) if exc.line else None
            item.result.errors.append(str(type(exc)(exc.message, chapter.shown, line)))
            continue
        if original is not None and original != chapter.text:
            sheet = relocate(sheet, where)
        item.sheet = sheet
        item.bank, bank_warnings = build_bank(sheet)
        item.result.warnings += [str(w) for w in bank_warnings]
    if options.checks:
        _check(work, options)
    for item in work:
        if not item.result.errors:
            _render(item, options)
    return [item.result for item in work]


def checked_sheet(sheet):
    """The sheet as the checks see it: a Rust snippet marked `compile_fail` or `should_panic`
    (rustdoc's tests that are meant to fail; mdBook books have many) is skipped, with why."""
    from cardgen.model import Snippet

    blocks = []
    for block in sheet.blocks:
        if isinstance(block, Snippet) and "ignore" not in block.flags:
            expected = [f for f in block.flags if f in RUSTDOC_EXPECTED_FAILURES]
            if expected:
                reason = block.reason or f"rustdoc's `{expected[0]}`: it is meant to fail"
                block = dataclasses.replace(block, flags=(*block.flags, "ignore"), reason=reason)
        blocks.append(block)
    return dataclasses.replace(sheet, blocks=tuple(blocks))


def _check(work: list[_Work], options: BookOptions) -> None:
    from cardgen.check.runner import CheckOptions, check_sheets
    from cardgen.claims import mark_verified
    from cardgen.sandbox import Limits, Sandbox

    items = [w for w in work if w.sheet is not None]
    if not items:
        return
    sandbox = Sandbox(Limits(), options.require_isolation)
    check_options = CheckOptions(jobs=options.jobs, timeout=options.check_timeout, sandbox=sandbox)
    results = check_sheets([checked_sheet(w.sheet) for w in items], check_options, claims=True)
    by_path: dict[str, list] = {}
    for result in results:
        by_path.setdefault(result.path, []).append(result)
    for item in items:
        mine = by_path.get(item.chapter.shown, [])
        item.result.errors += [r.line_text() for r in mine if r.failed]
        item.bank.questions = mark_verified(item.bank.questions, mine)


def _render(item: _Work, options: BookOptions) -> None:
    from cardgen.integrations.embed import quiz_embed_html, scope_id

    chapter, result = item.chapter, item.result
    blocks: dict[int, str] = {}
    if item.bank is None:  # a blank chapter: its markers go, with a word
        for marker in item.markers:
            result.warnings.append(
                f"{chapter.shown}:{marker.line}: the chapter is empty: marker removed"
            )
        result.blocks = ["" for _ in item.markers]
        return
    quiz_lines = [m.line for m in item.markers if m.name == QUIZ_MARKER]
    deck_lines = [m.line for m in item.markers if m.name == DECK_MARKER]
    has_questions = bool(item.bank.questions)
    append_quiz = options.quiz == "every-chapter" and not quiz_lines and has_questions
    quiz = _quiz(item, options) if quiz_lines or append_quiz or options.decks else None
    for n, line in enumerate(quiz_lines):
        if n:
            result.warnings.append(
                f"{chapter.shown}:{line}: a chapter has one quiz: this second marker is removed"
            )
            blocks[line] = ""
        else:
            blocks[line] = quiz_embed_html(quiz, scope_id(chapter.out_name))
    link = ""
    if options.decks and (deck_lines or has_questions):
        link = _deck_files(item, quiz, options)
    elif deck_lines:
        result.warnings.append(
            f"{chapter.shown}:{deck_lines[0]}: decks = false: the deck marker is removed"
        )
    for line in deck_lines:
        blocks[line] = link
    result.blocks = [blocks[m.line] for m in item.markers]
    if append_quiz:
        result.tail = quiz_embed_html(quiz, scope_id(chapter.out_name))


def _quiz(item: _Work, options: BookOptions):
    from cardgen.quiz import make_quiz

    return make_quiz(item.bank, item.sheet, seed=options.seed, size=options.questions)


def _images(chapter: Chapter):
    from cardgen.render.html import data_uri_images

    return data_uri_images(str(chapter.file) if chapter.file else chapter.shown)


def _deck_files(item: _Work, quiz, options: BookOptions) -> str:
    """Write the deck and the printable quiz into the result; the link block to them."""
    from cardgen.render.html import images_from
    from cardgen.render.quiz_html import render_print

    chapter = item.chapter
    deck, notes, cards = chapter_deck(item.bank, chapter, options.deck_prefix)
    item.result.files[f"{chapter.out_name}.apkg"] = deck
    with images_from(_images(chapter)):
        item.result.files[f"{chapter.out_name}-quiz.html"] = render_print(quiz, 0)
    deck_href = html.escape(f"{chapter.link_prefix}{chapter.out_name}.apkg")
    quiz_href = html.escape(f"{chapter.link_prefix}{chapter.out_name}-quiz.html")
    return (
        '<div class="cardgen-deck"><p>'
        f'<a class="cardgen-deck-link" href="{deck_href}" download>Anki deck of this chapter</a>'
        f" ({notes} notes, {cards} cards) · "
        f'<a class="cardgen-quiz-link" href="{quiz_href}">printable quiz</a>'
        "</p></div>"
    )


def chapter_deck(bank, chapter: Chapter, deck_prefix: str) -> tuple[bytes, int, int]:
    """The chapter's `.apkg` (bytes, notes, cards): the one place that calls the deck
    renderer. Books keep no note ledger: every note's time is the chapter's (its file's, or
    `SOURCE_DATE_EPOCH`), so an edited chapter's notes are newer; identities come from keys."""
    from cardgen.render.deck import render_deck

    sheet_path = str(chapter.file) if chapter.file else chapter.shown
    deck = render_deck(bank, None, _epoch(chapter), deck_prefix, sheet_path=sheet_path)
    return deck.apkg, deck.notes, deck.cards
