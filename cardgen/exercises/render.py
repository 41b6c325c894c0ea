"""Exercise → files: `<NN>-<slug>/` for the learner, `solutions/<NN>-<slug>/` apart."""

from __future__ import annotations

import json
import re

from cardgen.check.rust import KNOWN_CRATES
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
PY_LEVELS = {"SO_": "SOL_SOCKET", "TCP_": "IPPROTO_TCP", "IP_": "IPPROTO_IP"}


def rust_harness(ex: Exercise) -> str:
    if ex.kind == "socket_options":
        reads = "\n".join(
            f'            println!("CARDGEN_OPT socket.{opt} {{:?}}", socket.{opt}().unwrap());'
            for opt in ex.expect
        )
        ok = (
            "        Ok(socket) => {\n" + reads + "\n"
            '            println!("CARDGEN_LOCAL socket {:?}", '
            "socket.local_addr().ok().and_then(|a| a.as_socket()));\n        }"
        )
    else:
        ok = "        Ok(_) => {}"
    return f"""//! The checker's harness: do not edit. Your code goes in src/exercise.rs.
mod exercise;

fn main() {{
    // The checker passes the address to use, e.g. 127.0.0.1:40123.
    let addr = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:8080".to_string());
    match exercise::run(&addr) {{
{ok}
        Err(e) => {{
            eprintln!("error: {{e}}");
            std::process::exit(1);
        }}
    }}
}}
"""


def python_harness(ex: Exercise) -> str:
    """Run by the checker as `python -c HARNESS host:port` in the exercise folder."""
    lines = [
        "import socket, sys",
        "sys.path.insert(0, '.')",
        "import exercise",
        "host, _, port = sys.argv[1].rpartition(':')",
        "result = exercise.run((host, int(port)))",
    ]
    if ex.kind == "socket_options":
        for opt in ex.expect:
            level = next(
                (lv for prefix, lv in PY_LEVELS.items() if opt.startswith(prefix)), "SOL_SOCKET"
            )
            lines.append(
                f"print('CARDGEN_OPT sock.{opt}', result.getsockopt(socket.{level}, socket.{opt}))"
            )
        lines.append("print('CARDGEN_LOCAL sock', result.getsockname())")
    return "\n".join(lines) + "\n"


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
    needs = (
        "You need Rust (`cargo`). `src/main.rs` is the checker's harness: leave it as it is."
        if ex.lang == "rust"
        else "You need Python 3."
    )
    hints = "\n".join(
        f"<details><summary>Hint {n}</summary>\n\n{safe_markdown(h)}\n\n</details>\n"
        for n, h in enumerate(ex.hints, start=1)
    )
    title = safe_markdown(" ".join(ex.title.split()))
    return f"""# Exercise {ex.number:02d}: {title}

{safe_markdown(ex.task)}

## Background

{safe_markdown(ex.background)}

## What to do

Open `{own}` and complete the `run` function where it says `TODO`. The checker calls `run`
with the address to use (something like `127.0.0.1:40123`: a free port on your own machine),
and runs a peer on that address. Everything happens on loopback; nothing leaves your machine.
{needs}

## Check your work

```sh
cardgen exercise check .
```

runs your code against the checker's peer and tells you what it saw: exit code 0 when you
pass, 1 when not yet. `cardgen exercise watch .` checks again every time you save.

## Hints

Try without them first. Open one at a time, or run `cardgen exercise hint .` for the next one.

{hints}
---
From the cheatsheet, {code_span(ex.source)}.
"""


def exercise_files(ex: Exercise, sheet: str) -> dict[str, bytes]:
    """Relative path (under `exercises/<sheet>/`) → bytes, for the learner and the solution."""
    meta = {
        "title": ex.title,
        "kind": ex.kind,
        "lang": ex.lang,
        "source": ex.source,
        "sheet": sheet,
        "expect": ex.expect,
        "crates": ex.crates,
        "hints": len(ex.hints),
    }
    if ex.lang == "python":
        meta["harness"] = python_harness(ex)
    meta_bytes = (json.dumps(meta, indent=2, sort_keys=True) + "\n").encode()
    files: dict[str, bytes] = {}
    for base, code in ((ex.folder, ex.starter), (f"solutions/{ex.folder}", ex.solution)):
        files[f"{base}/exercise.json"] = meta_bytes
        if ex.lang == "rust":
            name = f"ex{ex.number:02d}_{ex.slug.replace('-', '_')}"
            deps = "".join(KNOWN_CRATES[c] + "\n" for c in ex.crates if c in KNOWN_CRATES)
            files[f"{base}/Cargo.toml"] = CARGO_TOML.format(
                name=json.dumps(name)[1:-1], deps=deps
            ).encode()
            files[f"{base}/src/main.rs"] = rust_harness(ex).encode()
            files[f"{base}/src/exercise.rs"] = code.encode()
            files[f"{base}/.gitignore"] = b"/target\n"
        else:
            files[f"{base}/exercise.py"] = code.encode()
    files[f"{ex.folder}/README.md"] = readme(ex).encode()
    files[f"{ex.folder}/hints.json"] = (json.dumps(ex.hints, indent=2) + "\n").encode()
    return files
