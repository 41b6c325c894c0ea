"""Build configuration: `cardgen.toml`, or `[tool.cardgen]` in `pyproject.toml`; flags on the
command line override it. Unknown keys are an error naming the file, line and key."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path

from cardgen.errors import ConfigError

OUTPUTS = ("decks", "quizzes", "exercises")


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


def _line_of(text: str, key: str) -> int | None:
    m = re.search(rf"^\s*{re.escape(key)}\s*=", text, re.M)
    return text.count("\n", 0, m.start()) + 1 if m else None


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
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        table = table_of(tomllib.loads(text))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}", str(path)) from None
    return config_from_table(table, str(path), text)


def config_from_table(table: dict, path: str, text: str = "") -> Config:
    config = Config(source=path if table else None)
    known = {f.name for f in fields(Config)} - {"source"}
    for key, value in table.items():
        line = _line_of(text, key)
        if key not in known:
            raise ConfigError(
                f"unknown key '{key}' (known: {', '.join(sorted(known))})", path, line
            )
        want = _TYPES[key]
        ok = isinstance(value, want) and not (want is int and isinstance(value, bool))
        if want is float and isinstance(value, int) and not isinstance(value, bool):
            ok, value = True, float(value)
        if not ok:
            raise ConfigError(
                f"'{key}' must be {want.__name__}, not {type(value).__name__}", path, line
            )
        if key == "content":
            value = [Path(v) for v in value]
        elif key == "output":
            value = Path(value)
        elif key == "outputs":
            bad = [v for v in value if v not in OUTPUTS]
            if bad:
                raise ConfigError(
                    f"unknown output {bad[0]!r} (choose from {', '.join(OUTPUTS)})", path, line
                )
        elif key in ("quiz_versions", "jobs", "quiz_questions") and value < 1:
            raise ConfigError(f"'{key}' must be at least 1", path, line)
        setattr(config, key, value)
    return config
