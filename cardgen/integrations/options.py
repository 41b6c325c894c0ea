"""A book's cardgen settings: `[preprocessor.cardgen]` in book.toml, or the MkDocs plugin's
options in mkdocs.yml.

The keys of `cardgen.toml` that mean something in a book are read by `cardgen.config`, with
the same names, types and ranges (`quiz_seed`, `jobs`, `check_timeout`, `limit_memory_mb`…;
spelled with `-` or `_`). Four keys are the book's own: `quiz`, `decks`, `folder` and `locked`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from cardgen.build_data import BuildOptions
from cardgen.errors import ConfigError

QUIZ_MODES = ("marker", "every-chapter")
DEFAULT_FOLDER = "cardgen"

BOOK_SETTINGS: dict[str, type] = {
    "quiz": str,
    "decks": bool,
    "folder": str,
    "locked": bool,
}
"""The book's own keys."""
CONFIG_SETTINGS: dict[str, type] = {
    "checks": bool,
    "deck_prefix": str,
    "quiz_seed": int,
    "quiz_questions": int,
    "jobs": int,
    "check_timeout": float,
    "compile_timeout": float,
    "require_isolation": bool,
    "limit_memory_mb": int,
    "limit_processes": int,
    "limit_cpu_seconds": float,
    "limit_file_size_mb": int,
    "limit_output_kb": int,
    "limit_scratch_mb": int,
}
"""Keys of cardgen.toml a book takes, read as cardgen.toml reads them."""
SETTINGS = {**BOOK_SETTINGS, **CONFIG_SETTINGS}
NOT_IN_A_BOOK = {
    "content": "the book's chapters are its content",
    "output": "the decks go into the book, under `folder`",
    "outputs": "a book gets its quizzes, and its decks unless `decks = false`",
    "strict": "a warning never fails a book's build",
    "quiz_versions": "a chapter's page holds one quiz",
    "quiz_versions_differ": "a chapter's page holds one quiz",
}


@dataclass(slots=True)
class BookOptions:
    """What the integration makes, and how."""

    build: BuildOptions = field(
        default_factory=lambda: BuildOptions(outputs=("decks", "quizzes"), check=True, report=False)
    )
    """The build's own options; `outputs` holds `decks` unless `decks = false`."""
    quiz: str = "marker"
    """`marker`: where `{{#cardgen-quiz}}` stands; `every-chapter`: also at the end of every
    chapter with questions and no quiz marker."""
    folder: str = DEFAULT_FOLDER
    """Where the decks and printable quizzes go in the published book."""

    @property
    def decks(self) -> bool:
        return "decks" in self.build.outputs

    @property
    def checks(self) -> bool:
        return self.build.check

    def fingerprint(self) -> str:
        """Everything a chapter's result depends on among the settings."""
        b = self.build
        limits = sorted(b.limits.items())
        return repr(
            (b.fingerprint(), b.check_timeout, b.compile_timeout, b.require_isolation, limits)
            + (self.quiz, self.folder)
        )


def toml_line(text: str, table: str, key: str) -> int | None:
    """The line of `key = …` in `[table]` of a TOML text, if it is there."""
    inside = False
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if stripped.startswith("["):
            name = re.sub(r"\s+", "", stripped.split("#")[0]).strip("[]")
            inside = name.replace('"', "") == table
        elif inside and stripped.split("=")[0].strip().strip("\"'") == key:
            return number
    return None


def book_options(
    table: dict[str, object],
    source: str,
    where: str,
    line_of=lambda key: None,
    defaults: dict[str, object] | None = None,
) -> BookOptions:
    """The settings in `table`, checked: a wrong key or value is a `ConfigError` at
    `source:line` (`line_of(key)`), its message starting with `where` (`[preprocessor.cardgen]`).
    `defaults` are cardgen.toml values the host gives (`deck_prefix`: the book's title)."""
    from cardgen.config import config_from_table
    from cardgen.sandbox import Limits

    def bad(key: str, message: str) -> ConfigError:
        return ConfigError(f"{where} {key}: {message}", source, line_of(key))

    options = BookOptions()
    config_table: dict[str, object] = dict(defaults or {})
    spelled: dict[str, str] = {}
    for raw_key, value in table.items():
        key = raw_key.replace("-", "_")
        spelled[key] = raw_key
        if key in NOT_IN_A_BOOK:
            raise bad(raw_key, f"not a setting of a book: {NOT_IN_A_BOOK[key]}")
        if key not in SETTINGS:
            known = ", ".join(sorted(SETTINGS))
            raise bad(raw_key, f"unknown key (known: {known})")
        if key in CONFIG_SETTINGS:
            config_table[key] = value
            continue
        wanted = BOOK_SETTINGS[key]
        if not isinstance(value, wanted):
            kind = "true or false" if wanted is bool else "a string"
            raise bad(raw_key, f"must be {kind}, not {json.dumps(value)}")
        if key == "quiz":
            if value not in QUIZ_MODES:
                raise bad(raw_key, f'must be "marker" or "every-chapter", not {json.dumps(value)}')
            options.quiz = str(value)
        elif key == "folder":
            parts = PurePosixPath(str(value)).parts
            if not parts or str(value).startswith("/") or ".." in parts or "\\" in str(value):
                raise bad(raw_key, f"must name a folder inside the book, not {json.dumps(value)}")
            options.folder = str(value)
        elif key == "decks" and not value:
            options.build.outputs = ("quizzes",)
        elif key == "locked":
            options.build.locked = bool(value)
    try:
        config = config_from_table(config_table, source)
        limits = Limits.from_config(config).to_json()
    except ConfigError as exc:  # `key: why` (config), `limit_x must be…` (limits)
        message = exc.message
        if re.match(r"\w+ must ", message):
            message = message.replace(" ", ": ", 1)
        key, _, rest = message.partition(": ")
        raise bad(spelled.get(key, key), rest) from None
    b = options.build
    b.check = config.checks
    b.deck_prefix = config.deck_prefix
    b.seed = config.quiz_seed
    b.quiz_questions = config.quiz_questions
    b.jobs = config.jobs
    b.check_timeout = config.check_timeout
    b.compile_timeout = config.compile_timeout
    b.require_isolation = config.require_isolation
    b.limits = limits
    return options
