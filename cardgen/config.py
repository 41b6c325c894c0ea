"""Build configuration: `cardgen.toml`, or `[tool.cardgen]` in `pyproject.toml`; flags on the
command line override it. An unknown key, or a value of the wrong type or out of range, is an
error naming the file, line and key: `cardgen.toml:3: jobs: must be from 1 to 256, not 0`."""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path

from cardgen.errors import ConfigError, InputError

OUTPUTS = ("decks", "quizzes", "exercises")
MAX_JOBS = 256
MAX_QUIZ_VERSIONS = 50
MAX_SECONDS = 86_400.0
"""Longest timeout accepted: a day."""


@dataclass(slots=True)
class Config:
    content: list[Path] = field(default_factory=lambda: [Path("content")])
    """Sheets or folders of sheets."""
    output: Path = Path("output")
    deck_prefix: str = ""
    """Parent deck for every sheet's deck, e.g. "Networking in Rust"."""
    outputs: list[str] = field(default_factory=lambda: list(OUTPUTS))
    quiz_seed: int = 0
    quiz_versions: int = 1
    quiz_questions: int = 40
    quiz_versions_differ: bool = False
    """True: each printable version selects its own questions; False: the versions shuffle the
    same questions and options."""
    checks: bool = True
    check_timeout: float = 10.0
    compile_timeout: float = 600.0
    jobs: int = 2
    strict: bool = False
    require_isolation: bool = False
    """Refuse to run snippets, claims and builds where the sandbox is not available."""
    limit_memory_mb: int = 512
    limit_processes: int = 64
    limit_cpu_seconds: float = 10.0
    limit_file_size_mb: int = 16
    limit_output_kb: int = 1024
    limit_scratch_mb: int = 64
    source: str | None = None
    """The file the configuration came from, if any."""


_TYPES: dict[str, type] = {
    "content": list,
    "output": str,
    "deck_prefix": str,
    "outputs": list,
    "quiz_seed": int,
    "quiz_versions": int,
    "quiz_questions": int,
    "quiz_versions_differ": bool,
    "checks": bool,
    "check_timeout": float,
    "compile_timeout": float,
    "jobs": int,
    "strict": bool,
    "require_isolation": bool,
    "limit_memory_mb": int,
    "limit_processes": int,
    "limit_cpu_seconds": float,
    "limit_file_size_mb": int,
    "limit_output_kb": int,
    "limit_scratch_mb": int,
}


_RANGES: dict[str, tuple[float, float | None]] = {
    "quiz_versions": (1, MAX_QUIZ_VERSIONS),
    "quiz_questions": (1, None),
    "jobs": (1, MAX_JOBS),
    "limit_memory_mb": (16, 1024 * 1024),
    "limit_processes": (1, 65536),
    "limit_cpu_seconds": (0.1, 24 * 3600),
    "limit_file_size_mb": (1, 1024 * 1024),
    "limit_output_kb": (1, 1024 * 1024 * 1024),
    "limit_scratch_mb": (1, 1024 * 1024),
}
_SECONDS = ("check_timeout", "compile_timeout")
_TYPE_NAMES = {
    bool: "true or false",
    int: "a whole number",
    float: "a number",
    str: "a string",
    list: "a list",
    dict: "a table",
}


def _line_of(text: str, key: str, table: str | None = None) -> int | None:
    start = 0
    if table:
        header = re.search(rf"^\s*\[\s*{re.escape(table)}\s*\]", text, re.M)
        start = header.end() if header else 0
    m = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=", re.M).search(text, start)
    return text.count("\n", 0, m.start()) + 1 if m else None


def _type_name(value: object) -> str:
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def _shown(value: object) -> str:
    """A value as the user wrote it in TOML: `"no"`, `2.5`, `true`; a table or list by kind."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, int | float):
        return f"{value:g}" if isinstance(value, float) else str(value)
    return _type_name(value)


def toml_error(exc: Exception, path: str) -> ConfigError:
    """`file:line: not valid TOML: …`, with the line tomllib names."""
    message = str(exc)
    where = re.search(r"\s*\(at line (\d+), column (\d+)\)", message)
    if where:
        message = message[: where.start()] + f" (column {where.group(2)})"
        return ConfigError(f"not valid TOML: {message}", path, int(where.group(1)))
    return ConfigError(f"not valid TOML: {message}", path)


def _number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def check_value(key: str, value: object) -> str | None:
    """Why `value` is not a good `key`, or None."""
    if key in _SECONDS:
        if not math.isfinite(value) or not 0 < value <= MAX_SECONDS:  # type: ignore[arg-type]
            return f"must be more than 0 and at most {MAX_SECONDS:g} seconds, not {value:g}"
    elif key in _RANGES:
        low, high = _RANGES[key]
        finite = not isinstance(value, float) or math.isfinite(value)  # nan, inf: out of all
        if not finite or value < low or (high is not None and value > high):  # type: ignore[operator]
            if high is None:
                return f"must be at least {_number(low)}, not {_shown(value)}"
            return f"must be from {_number(low)} to {_number(high)}, not {_shown(value)}"
    elif key in ("content", "outputs"):
        items = value  # a list, checked before
        if any(not isinstance(v, str) or not v.strip() for v in items):  # type: ignore[union-attr]
            return "must be a list of non-empty strings"
        if key == "content" and not items:
            return "must name at least one sheet or folder"
        bad = [v for v in items if key == "outputs" and v not in OUTPUTS]  # type: ignore[union-attr]
        if bad:
            return f"unknown output {bad[0]!r} (choose from {', '.join(OUTPUTS)})"
    elif key == "output" and not str(value).strip():
        return "must name a folder"
    elif key == "deck_prefix" and any(ord(c) < 32 or ord(c) == 127 for c in str(value)):
        return "must not hold control characters (a line break, a tab...)"
    return None


def load_config(folder: Path = Path(".")) -> Config:
    """Read `cardgen.toml` or `pyproject.toml` in `folder`; defaults when there is neither."""
    own = folder / "cardgen.toml"
    pyproject = folder / "pyproject.toml"
    if own.exists():
        path, table_of = own, lambda doc: doc
    elif pyproject.exists():
        path, table_of = pyproject, lambda doc: doc.get("tool", {}).get("cardgen", {})
    else:
        return Config()
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", str(path)) from None
    try:
        table = table_of(tomllib.loads(text))
    except tomllib.TOMLDecodeError as exc:
        raise toml_error(exc, str(path)) from None
    except AttributeError:  # `tool` is not a table
        raise ConfigError("[tool] is not a table", str(path)) from None
    in_table = "tool.cardgen" if path == pyproject else None
    return config_from_table(table, str(path), text, in_table)


def config_from_table(
    table: object, path: str, text: str = "", in_table: str | None = None
) -> Config:
    if not isinstance(table, dict):
        raise ConfigError(
            f"tool.cardgen: must be a table, not {_shown(table)}", path, _line_of(text, "cardgen")
        )
    config = Config(source=path if table else None)
    known = {f.name for f in fields(Config)} - {"source"}
    for key, value in table.items():
        line = _line_of(text, key, in_table)
        if key not in known:
            raise ConfigError(f"{key}: unknown key (known: {', '.join(sorted(known))})", path, line)
        want = _TYPES[key]
        ok = isinstance(value, want) and not (want is int and isinstance(value, bool))
        if want is float and isinstance(value, int) and not isinstance(value, bool):
            ok, value = True, float(value)
        if not ok:
            raise ConfigError(
                f"{key}: must be {_TYPE_NAMES[want]}, not {_shown(value)}", path, line
            )
        problem = check_value(key, value)
        if problem:
            raise ConfigError(f"{key}: {problem}", path, line)
        if key == "content":
            value = [Path(v) for v in value]
        elif key == "output":
            value = Path(value)
        setattr(config, key, value)
    return config
