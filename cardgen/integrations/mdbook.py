"""`cardgen mdbook`: an mdBook preprocessor.

mdBook runs it as `cardgen mdbook supports <renderer>` (exit 0 for `html`), then with
`[context, book]` as JSON on standard input, and reads the book back from standard output
(mdBook 0.5's `{"items": …}`, or 0.4's `{"sections": …}`: either is given back as it came).

Every chapter becomes a sheet named by its file (`src/ch02.md`); see `cardgen.integrations.book`
for what is made of it. A failing snippet or claim, or a chapter cardgen cannot read, is
printed as `src/<chapter>.md:<line>: …` on standard error, and the preprocessor exits 1 with
nothing on standard output and nothing written: mdBook then stops before rendering, so the
build fails, the book built last stays as it was, and nothing is written. Otherwise the
ledger of note identities is written beside book.toml (`cardgen-notes.lock`: commit it with
the book; mdBook publishes `src/`, never the book's root), and the decks and printable quizzes
to `<src>/cardgen/` (mdBook copies everything in `src/` that is not Markdown into the book; it
empties its output folder before rendering, so a preprocessor cannot write there), a folder
with a `.gitignore` of its own.
"""

from __future__ import annotations

import json
import re
from pathlib import Path, PurePosixPath
from typing import IO

from cardgen.errors import EXIT_FAILED, EXIT_OK, EXIT_USAGE, CardgenError, InputError
from cardgen.integrations.book import BookResult, Chapter, chapter_name
from cardgen.integrations.options import BookOptions, book_options, toml_line

RENDERERS = ("html",)
MANIFEST = ".gitignore"
"""Keeps git out of the folder, and lists the files cardgen made there (its own to remove)."""
LISTED = "# made: "
HOST_KEYS = {"command", "renderers", "before", "after", "optional"}
"""Keys of a preprocessor's table that are mdBook's own."""


class BookInputError(CardgenError):
    """What mdBook sent cannot be read as a book: exit code 2."""

    exit_code = EXIT_USAGE


def main(argv: list[str], stdin: IO[bytes], stdout: IO[bytes], stderr: IO[str]) -> int:
    """The preprocessor: `argv` after `cardgen mdbook`; the book's JSON as bytes."""
    if argv[:1] == ["supports"]:
        return EXIT_OK if argv[1:2] and argv[1] in RENDERERS else EXIT_FAILED
    if argv:
        print(
            "usage: cardgen mdbook [supports RENDERER]  (mdBook runs this: set "
            '`command = "cardgen mdbook"` under [preprocessor.cardgen] in book.toml)',
            file=stderr,
        )
        return EXIT_USAGE
    context, book = read_input(stdin)
    root = Path(str(context.get("root") or "."))
    config = context.get("config") or {}
    options = settings(config, root / "book.toml")
    src_name = str((config.get("book") or {}).get("src") or "src").strip("/") or "src"
    src = root / src_name
    chapters = list(book_chapters(book, src, src_name, options.folder))

    from cardgen.integrations.book import build_book

    _cache_warnings(stderr)
    result = build_book([c for c, _ in chapters], options, root)
    for warning in result.warnings:
        print(f"warning: {warning}", file=stderr)
    for chapter in result.chapters:
        for warning in chapter.warnings:
            print(f"warning: {warning}", file=stderr)
    if result.errors:
        for error in result.errors:
            print(error, file=stderr)
        print(
            f"cardgen: {len(result.errors)} problem(s) in the book: the book is not built "
            "and nothing was written",
            file=stderr,
        )
        return EXIT_FAILED
    result.write_ledger()
    write_files(src / options.folder, result)
    for note in result.notes:
        print(f"cardgen: {note}", file=stderr)
    for (_, node), chapter in zip(chapters, result.chapters, strict=True):
        node["content"] = chapter.text
    stdout.write(json.dumps(book, ensure_ascii=False).encode())
    stdout.flush()
    return EXIT_OK


def settings(config: dict, book_toml: Path) -> BookOptions:
    """The preprocessor's settings, checked: a wrong key or value is `book.toml:line: …`. The
    decks' parent deck is the book's title unless `deck_prefix` says otherwise."""
    name, table = own_table(config)
    try:
        text = book_toml.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = ""
    title = str((config.get("book") or {}).get("title") or "")
    title = re.sub(r"[\x00-\x1f\x7f]+", " ", title).strip()
    return book_options(
        {k: v for k, v in table.items() if k not in HOST_KEYS},
        "book.toml",
        f"[preprocessor.{name}]",
        lambda key: toml_line(text, f"preprocessor.{name}", key),
        {"deck_prefix": title} if title else {},
    )


def read_input(stdin: IO[bytes]) -> tuple[dict, dict]:
    """`[context, book]` from mdBook."""
    try:
        data = json.loads(stdin.read().decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise BookInputError(f"not UTF-8 ({exc.reason})", "<stdin>", 1) from None
    except json.JSONDecodeError as exc:
        raise BookInputError(
            f"not the JSON mdBook sends a preprocessor ({exc.msg}): run this through "
            "`mdbook build`",
            "<stdin>",
            exc.lineno,
        ) from None
    if (
        not isinstance(data, list)
        or len(data) != 2
        or not isinstance(data[0], dict)
        or not isinstance(data[1], dict)
    ):
        raise BookInputError("expected mdBook's [context, book] JSON", "<stdin>", 1)
    if not isinstance(data[1].get("items", data[1].get("sections")), list):
        raise BookInputError(
            "the book has no `items` (mdBook 0.5) or `sections` (0.4)", "<stdin>", 1
        )
    return data[0], data[1]


def own_table(config: dict) -> tuple[str, dict]:
    """This preprocessor's table in book.toml: the one whose command runs `cardgen mdbook`,
    else `[preprocessor.cardgen]`."""
    tables = config.get("preprocessor") or {}
    for name, table in tables.items():
        command = str((table or {}).get("command", "")) if isinstance(table, dict) else ""
        if "cardgen" in command and "mdbook" in command:
            return name, table
    table = tables.get("cardgen")
    return "cardgen", table if isinstance(table, dict) else {}


def _chapter_nodes(items: list) -> list[dict]:
    out = []
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("Chapter"), dict):
            node = item["Chapter"]
            out.append(node)
            out += _chapter_nodes(node.get("sub_items") or [])
    return out


def book_chapters(book: dict, src: Path, src_name: str, folder: str):
    """(Chapter, its node in the book JSON) for every chapter with content."""
    items = book.get("items", book.get("sections")) or []
    for node in _chapter_nodes(items):
        content = node.get("content")
        source = node.get("source_path") or node.get("path")
        if not isinstance(content, str) or not source:
            continue  # a draft chapter: nothing to read
        rel = PurePosixPath(str(source).replace("\\", "/"))
        page = PurePosixPath(str(node.get("path") or source).replace("\\", "/"))
        depth = len(page.parts) - 1
        yield (
            Chapter(
                shown=f"{src_name}/{rel}",
                text=content,
                name=chapter_name(rel),
                link_prefix="../" * depth + f"{folder}/",
                file=src / Path(*rel.parts),
            ),
            node,
        )


def write_files(folder: Path, result: BookResult) -> None:
    """The chapters' files into `src/<folder>/` (only those that changed, each atomically);
    files an earlier build wrote there and this one did not make are removed."""
    from cardgen.files import write_atomic

    wanted = result.files
    if not wanted and not folder.exists():
        return
    try:
        listed = (folder / MANIFEST).read_text(encoding="utf-8").split("\n")
    except (OSError, UnicodeDecodeError):
        listed = []
    old = [line[len(LISTED) :] for line in listed if line.startswith(LISTED)]
    try:
        for name, data in sorted(wanted.items()):
            write_atomic(folder / name, data)
        for name in old:
            if name not in wanted and ".." not in PurePosixPath(name).parts:
                (folder / name).unlink(missing_ok=True)
        manifest = [
            "# Made by `cardgen mdbook` at every build of the book: the chapters' decks and",
            "# printable quizzes. Not for git. cardgen removes the files it made (listed here)",
            "# once it no longer makes them.",
            "*",
            *(LISTED + name for name in sorted(wanted)),
        ]
        write_atomic(folder / MANIFEST, ("\n".join(manifest) + "\n").encode())
    except OSError as exc:
        raise InputError(
            f"cannot write the chapters' decks and quizzes here: {exc.strerror or exc}",
            str(exc.filename or folder),
        ) from None


def _cache_warnings(stderr: IO[str]) -> None:
    from cardgen import cache

    cache.on_warning = lambda message: print(message, file=stderr, flush=True)
    cache.ensure_usable()
