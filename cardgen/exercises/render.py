"""Exercise → files: `<NN>-<slug>/` for the learner, `solutions/<NN>-<slug>/` apart.

A Rust exercise is a Cargo project that builds with a plain `cargo build` (so that the
learner's editor, rust-analyzer, resolves every crate): where Debian's crate registry is
installed, a `.cargo/config.toml` in the folder points cargo at it, offline; elsewhere cargo
fetches from crates.io. A Python exercise is one `exercise.py` that runs with `python3`.
"""

from __future__ import annotations

import json
import re

from cardgen.check import rust
from cardgen.exercises.harness import rust_main
from cardgen.exercises.model import Exercise

CARGO_TOML = """[package]
name = "{name}"
version = "0.1.0"
edition = "2021"
publish = false

[dependencies]
{deps}
[workspace]
"""
HINTS_SEEN = ".hints-seen"
"""Where `cardgen exercise hint` remembers how many hints the learner has seen."""
GITIGNORE = {
    "rust": f"/target\nCargo.lock\n{HINTS_SEEN}\n",
    "python": f"__pycache__/\n*.pyc\n{HINTS_SEEN}\n",
}
"""Everything that cargo, python and cardgen write into an exercise folder."""


def cargo_config() -> str | None:
    """`.cargo/config.toml` pointing at Debian's registry, where it is installed."""
    if rust.cargo_source() != "debian":
        return None
    return (
        "# Written by cardgen: crates come from Debian's registry on this machine, offline.\n"
        "# Without it (no /usr/share/cargo/registry), delete this file: cargo then uses\n"
        "# crates.io.\n"
        "[source.crates-io]\n"
        'replace-with = "debian"\n'
        "\n"
        "[source.debian]\n"
        f'directory = "{rust.DEBIAN_REGISTRY}"\n'
    )


_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.S)
_MARKDOWN_HTML = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "[": "\\[", "]": "\\]"})


def safe_markdown(text: str) -> str:
    """Markdown with text from a sheet in it, made inert: outside code spans, `<`, `>` and `&`
    become entities (no raw HTML, no script) and brackets are escaped (no links); code spans,
    where Markdown shows everything as it is, are left alone. Emphasis and lists still work."""
    out: list[str] = []
    last = 0
    for m in _CODE_SPAN.finditer(text):
        out.append(text[last : m.start()].translate(_MARKDOWN_HTML))
        out.append(m.group(0))
        last = m.end()
    out.append(text[last:].translate(_MARKDOWN_HTML))
    return "".join(out)


def code_span(text: str) -> str:
    """`text` as one Markdown code span, whatever backticks it holds."""
    text = " ".join(text.split())
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def readme(ex: Exercise) -> str:
    own = "src/exercise.rs" if ex.lang == "rust" else "exercise.py"
    if ex.lang == "rust":
        needs = (
            "You need Rust (`cargo`). `src/main.rs` runs your `run`: `cargo run -- "
            "127.0.0.1:8080` tries it by hand (the checker uses its own copy of that file)."
        )
    else:
        needs = "You need Python 3. `python3 exercise.py 127.0.0.1:8080` tries it by hand."
    checks = "\n".join(f"{n}. {c[0].upper()}{c[1:]}" for n, c in enumerate(ex.checks, start=1))
    hints = "\n".join(
        f"<details><summary>Hint {n} (TODO {n})</summary>\n\n{safe_markdown(h)}\n\n</details>\n"
        for n, h in enumerate(ex.hints, start=1)
    )
    title = safe_markdown(" ".join(ex.title.split()))
    return f"""# Exercise {ex.number:02d}: {title}

{safe_markdown(ex.task)}

## Background

{safe_markdown(ex.background)}

## What to do

Open `{own}` and complete the `run` function where it says `TODO` (TODO 1 first). The
checker calls `run` with the address to use (something like `127.0.0.1:40123`: a free port
on your own machine), and plays the other side on that address. Everything happens on
loopback; nothing leaves your machine.

{needs}

## What the checker checks

{checks}

You pass when all of it holds; otherwise the checker names the first thing missing.

## Check your work

```sh
cardgen exercise check .
```

runs your code against the checker and tells you what it saw: exit code 0 when you pass, 1
when not yet. `cardgen exercise watch .` checks again every time you save.

## Hints

Try without them first. Open one at a time, or run `cardgen exercise hint .` for the next one.

{hints}
---
From the cheatsheet, {code_span(ex.source)}.
"""


def meta(ex: Exercise, sheet: str) -> dict[str, object]:
    """`exercise.json`: what the checker needs to judge the folder."""
    return {
        "title": ex.title,
        "kind": ex.kind,
        "lang": ex.lang,
        "source": ex.source,
        "sheet": sheet,
        "expect": ex.expect,
        "crates": ex.crates,
        "hints": [step.addresses for step in ex.steps],
    }


def exercise_files(ex: Exercise, sheet: str) -> dict[str, bytes]:
    """Relative path (under `exercises/<sheet>/`) → bytes, for the learner and the solution."""
    meta_bytes = (json.dumps(meta(ex, sheet), indent=2, sort_keys=True) + "\n").encode()
    files: dict[str, bytes] = {}
    config = cargo_config() if ex.crates else None
    for base, code in ((ex.folder, ex.starter), (f"solutions/{ex.folder}", ex.solution)):
        files[f"{base}/exercise.json"] = meta_bytes
        files[f"{base}/.gitignore"] = GITIGNORE[ex.lang].encode()
        if ex.lang == "rust":
            name = f"ex{ex.number:02d}_{ex.slug.replace('-', '_')}"
            deps = "".join(rust.KNOWN_CRATES[c] + "\n" for c in ex.crates if c in rust.KNOWN_CRATES)
            files[f"{base}/Cargo.toml"] = CARGO_TOML.format(
                name=json.dumps(name)[1:-1], deps=deps
            ).encode()
            files[f"{base}/src/main.rs"] = rust_main(ex.kind, ex.expect).encode()
            files[f"{base}/src/exercise.rs"] = code.encode()
            if config is not None:
                files[f"{base}/.cargo/config.toml"] = config.encode()
        else:
            files[f"{base}/exercise.py"] = code.encode()
    files[f"{ex.folder}/README.md"] = readme(ex).encode()
    files[f"{ex.folder}/hints.json"] = (json.dumps(ex.hints, indent=2) + "\n").encode()
    return files
