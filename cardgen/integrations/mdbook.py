"""`cardgen mdbook`: an mdBook preprocessor.

mdBook runs it as `cardgen mdbook supports <renderer>` (exit 0 for `html`), then with
`[context, book]` as JSON on standard input, and reads the book back from standard output
(mdBook 0.5's `{"items": …}`, or 0.4's `{"sections": …}`: either is given back as it came).

Every chapter becomes a sheet named by its file (`src/ch02.md`); see `cardgen.integrations.book`
for what is made of it. A failing snippet or claim, or a chapter cardgen cannot read, is
printed as `src/<chapter>.md:<line>: …` on standard error, and the preprocessor exits 1 with
nothing on standard output and nothing written: mdBook then stops before rendering, so the
build fails and publishes nothing. Otherwise the decks and printable quizzes are written to
`<src>/cardgen/` (mdBook copies everything in `src/` that is not Markdown into the book; it
empties its output folder before rendering, so a preprocessor cannot write there), which
holds a `.gitignore` of its own.
"""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath
from typing import IO

from cardgen.errors import EXIT_FAILED, EXIT_OK, EXIT_USAGE, CardgenError, ConfigError, InputError
from cardgen.integrations.book import QUIZ_MODES, BookOptions, Chapter, ChapterResult

RENDERERS = ("html",)
DEFAULT_FOLDER = "cardgen"
MANIFEST = ".gitignore"
"""Keeps git out of the folder, and lists the files cardgen made there (its own to remove)."""
LISTED = "# made: "
HOST_KEYS = {"command", "renderers", "before", "after", "optional"}
"""Keys of a preprocessor's table that are mdBook's own."""
OPTION_TYPES: dict[str, type | tuple[type, ...]] = {
    "checks": bool,
    "quiz": str,
    "decks": bool,
    "seed": int,
    "questions": int,
    "deck-prefix": str,
    "jobs": int,
    "check-timeout": (int, float),
    "require-isolation": bool,
    "folder": str,
}


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
    name, table = own_table(config)
    options, folder = book_options(table, config, root / "book.toml", name)
    src_name = str((config.get("book") or {}).get("src") or "src")
    src = root / src_name
    chapters = list(book_chapters(book, src, src_name, folder))

    from cardgen.integrations.book import build_book

    _cache_warnings(stderr)
    results = build_book([c for c, _ in chapters], options)
    for result in results:
        for warning in result.warnings:
            print(f"warning: {warning}", file=stderr)
    errors = [e for r in results for e in r.errors]
    if errors:
        for error in errors:
            print(error, file=stderr)
        print(
            f"cardgen: {len(errors)} problem(s) in the book's chapters: the book is not built "
            "and nothing was written",
            file=stderr,
        )
        return EXIT_FAILED
    write_files(src / folder, results)
    for (_, node), result in zip(chapters, results, strict=True):
        node["content"] = result.text
    stdout.write(json.dumps(book, ensure_ascii=False).encode())
    stdout.flush()
    return EXIT_OK


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


def toml_line(path: Path, table: str, key: str) -> int | None:
    """The line of `key = …` under `[preprocessor.<table>]` in book.toml, if it is there."""
    try:
        lines = path.read_text(encoding="utf-8").split("\n")
    except (OSError, UnicodeDecodeError):
        return None
    inside = False
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if text.startswith("["):
            inside = text.replace(" ", "").strip("[]") in (
                f"preprocessor.{table}",
                f'preprocessor."{table}"',
            )
        elif inside and text.split("=")[0].strip().strip('"') == key:
            return number
    return None


def book_options(table: dict, config: dict, book_toml: Path, name: str) -> tuple[BookOptions, str]:
    """The preprocessor's settings, checked: a wrong key or type is `book.toml:line: …`."""
    options = BookOptions(deck_prefix=str((config.get("book") or {}).get("title") or ""))
    folder = DEFAULT_FOLDER

    def bad(key: str, message: str) -> ConfigError:
        return ConfigError(
            f"[preprocessor.{name}] {key}: {message}", "book.toml", toml_line(book_toml, name, key)
        )

    for raw_key, value in table.items():
        key = raw_key.replace("_", "-")
        if raw_key in HOST_KEYS:
            continue
        if key not in OPTION_TYPES:
            known = ", ".join(sorted(OPTION_TYPES))
            raise bad(raw_key, f"unknown key (cardgen knows {known})")
        wanted = OPTION_TYPES[key]
        if isinstance(value, bool) and wanted is not bool or not isinstance(value, wanted):
            kind = {bool: "true or false", int: "a whole number", str: "a string"}.get(
                wanted if isinstance(wanted, type) else float, "a number"
            )
            raise bad(raw_key, f"expected {kind}, got {json.dumps(value)}")
        if key == "quiz" and value not in QUIZ_MODES:
            raise bad(raw_key, f'expected "marker" or "every-chapter", got {json.dumps(value)}')
        if key in ("questions", "jobs") and value < 1:
            raise bad(raw_key, f"expected 1 or more, got {value}")
        if key == "check-timeout" and value <= 0:
            raise bad(raw_key, f"expected a number of seconds above 0, got {value}")
        if key == "folder":
            parts = PurePosixPath(value).parts
            if not parts or value.startswith("/") or ".." in parts:
                raise bad(raw_key, f"expected a folder name inside src/, got {json.dumps(value)}")
            folder = value
            continue
        setattr(options, key.replace("-", "_"), float(value) if key == "check-timeout" else value)
    return options, folder


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
        parts = [p if p != ".." else "_up" for p in rel.with_suffix("").parts]
        depth = len(page.parts) - 1
        yield (
            Chapter(
                shown=f"{src_name.rstrip('/')}/{rel}",
                text=content,
                out_name="/".join(parts),
                link_prefix="../" * depth + f"{folder}/",
                file=src / Path(*rel.parts),
            ),
            node,
        )


def write_files(folder: Path, results: list[ChapterResult]) -> None:
    """The chapters' files into `src/<folder>/` (only those that changed, each atomically);
    files an earlier build wrote there and this one did not make are removed."""
    from cardgen.files import write_atomic

    wanted = {name: data for r in results for name, data in r.files.items()}
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
