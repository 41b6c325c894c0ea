"""Rust snippets: wrapped like rustdoc doctests (a module per snippet, `run() -> Result`), all
compiled as one crate with a `main` that runs the snippet named by its argument.

Crates: `socket2` is the only one provided. With Debian's `librust-socket2-dev` installed,
cargo reads it from `/usr/share/cargo/registry` (no network); otherwise from crates.io.
`CARDGEN_CARGO_SOURCE=crates-io` or `=debian` forces one.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from cardgen.check import fixtures
from cardgen.check.loopback import AddressUse, loopback_ports, rewrite_ports
from cardgen.check.process import run
from cardgen.model import Snippet

KNOWN_CRATES = {"socket2": 'socket2 = { version = ">=0.4, <0.6", features = ["all"] }'}
DEBIAN_REGISTRY = Path("/usr/share/cargo/registry")
_NOT_CRATES = {"std", "core", "alloc", "crate", "self", "super"}
_SETTER = re.compile(r"\b(\w+)\.set_(\w+)\(([^()]*(?:\([^()]*\))?[^()]*)\)")

MAIN_PRELUDE = """\
#![allow(dead_code)]
pub fn cardgen_port(orig: u16) -> u16 {
    std::env::var(format!("CARDGEN_PORT_{orig}")).ok().and_then(|v| v.parse().ok())
        .unwrap_or(orig)
}
pub fn cardgen_addr(orig: &str) -> &'static str {
    let (host, port) = orig.rsplit_once(':').unwrap_or((orig, "0"));
    let host = match host { "0.0.0.0" => "127.0.0.1", "[::]" => "[::1]", h => h };
    let port = cardgen_port(port.parse().unwrap_or(0));
    Box::leak(format!("{host}:{port}").into_boxed_str())
}
pub trait CardgenRun { fn into_run(self) -> Result<(), Box<dyn std::error::Error>>; }
impl CardgenRun for () { fn into_run(self) -> Result<(), Box<dyn std::error::Error>> { Ok(()) } }
impl<E: Into<Box<dyn std::error::Error>>> CardgenRun for Result<(), E> {
    fn into_run(self) -> Result<(), Box<dyn std::error::Error>> { self.map_err(Into::into) }
}
"""


@dataclass(slots=True)
class RustUnit:
    """One snippet, wrapped as module `name`; `lines` pairs each source line with the Markdown
    line it came from (0 for generated lines)."""

    name: str
    snippet: Snippet
    lines: list[tuple[str, int]]
    context: list[str]
    crates: set[str]
    unknown_crates: set[str]
    ports: set[int]
    setters: list[tuple[str, str, str]] = field(default_factory=list)
    """(socket variable, option, value set) read back after the snippet ran."""

    def source(self) -> str:
        return "\n".join(text for text, _ in self.lines)

    def digest(self) -> str:
        return hashlib.sha256(self.source().encode()).hexdigest()[:16]


def code_lines(snippet: Snippet) -> list[tuple[str, int]]:
    """The snippet's lines with their Markdown line; rustdoc's hidden `# ` lines are kept."""
    out = [
        (line, snippet.pos.line)
        for line in snippet.hidden.rstrip("\n").split("\n")
        if snippet.hidden.strip()
    ]
    for offset, line in enumerate(snippet.code.rstrip("\n").split("\n")):
        if line.startswith("# ") or line == "#":
            line = line[2:]
        out.append((line, snippet.code_line + offset))
    return out


def _address(use: AddressUse) -> str:
    if use.form == "tuple":
        return f'("{use.host}", crate::cardgen_port({use.port}))'
    return f'crate::cardgen_addr("{use.host}:{use.port}")'


def prepare(snippet: Snippet, sheet_port: int | None) -> RustUnit:
    name = f"snippet_l{snippet.pos.line}"
    lines = code_lines(snippet)
    code = "\n".join(t for t, _ in lines)
    context = [
        "wrapped in fn run() -> Result<(), Box<dyn Error>>",
        "use std::io::prelude::*, std::net::*, std::time::*",
    ]
    if snippet.hidden.strip():
        context.append("the author's hidden context (cardgen-context comment)")
    ports = set(loopback_ports(code)) | ({sheet_port} if sheet_port else set())
    rewritten: list[tuple[str, int]] = []
    notes: set[str] = set()
    for text, md_line in lines:
        new, line_notes = rewrite_ports(
            text, ports, _address, lambda p: f"crate::cardgen_port({p})"
        )
        rewritten.append((new, md_line))
        notes.update(n for n in line_notes if "wildcard" in n or new != text and "port" in n)
    context += sorted(notes)
    crates = {
        m.group(1)
        for m in re.finditer(r"\b([a-z_][a-z0-9_]*)::", code)
        if m.group(1) not in _NOT_CRATES
        and re.search(
            rf"\buse\s+{m.group(1)}\b|"
            rf"(?<![\w:]){m.group(1)}::\w",
            code,
        )
    }
    crates = {c for c in crates if c in KNOWN_CRATES or re.search(rf"\buse\s+{c}\b", code)}
    known = {c for c in crates if c in KNOWN_CRATES}
    unknown = crates - known
    addr = f'crate::cardgen_addr("127.0.0.1:{sheet_port or 0}")'
    missing = fixtures.undeclared(code, fixtures.RUST_FIXTURES, "rust")
    fixture_lines = [
        (f"        {fixtures.RUST_FIXTURES[n][0].format(addr=addr)}", 0) for n in missing
    ]
    context += [f"fixture `{n}`: {fixtures.RUST_FIXTURES[n][1]}" for n in missing]
    setters = [(m.group(1), m.group(2), m.group(3).strip()) for m in _SETTER.finditer(code)]
    has_main = re.search(r"\bfn\s+main\s*\(", code) is not None
    head = [
        (
            "#[allow(unused_imports, unused_variables, unused_mut, dead_code, unreachable_code,"
            " unused_must_use, non_snake_case)]",
            0,
        ),
        (f"mod {name} {{", 0),
        ("    use std::io::prelude::*;", 0),
        ("    use std::net::*;", 0),
        ("    use std::time::*;", 0),
        ("    use std::error::Error;", 0),
    ]
    if has_main:
        body = [(re.sub(r"\bfn\s+main\s*\(", "fn cardgen_main(", t), n) for t, n in rewritten]
        tail = [
            ("    pub fn run() -> Result<(), Box<dyn std::error::Error>> {", 0),
            ("        crate::CardgenRun::into_run(cardgen_main())", 0),
            ("    }", 0),
            ("}", 0),
        ]
        unit_lines = head + body + tail
    else:
        uses = [(t, n) for t, n in rewritten if re.match(r"\s*(pub\s+)?use\s", t)]
        rest = [(t, n) for t, n in rewritten if (t, n) not in uses]
        readback = _readback(setters, code)
        unit_lines = (
            head
            + uses
            + [("    pub fn run() -> Result<(), Box<dyn std::error::Error>> {", 0)]
            + fixture_lines
            + [("        " + t, n) for t, n in rest]
            + [(f"        {r}", 0) for r in readback]
            + [
                ("        #[allow(unreachable_code)]", 0),
                ("        Ok(())", 0),
                ("    }", 0),
                ("}", 0),
            ]
        )
    return RustUnit(name, snippet, unit_lines, context, known, unknown, ports, setters)


def _readback(setters: list[tuple[str, str, str]], code: str) -> list[str]:
    out = []
    for var, option, _ in setters:
        out.append(f'println!("CARDGEN_OPT {var}.{option} {{:?}}", {var}.{option}()?);')
    bound = {m.group(1) for m in re.finditer(r"\b(\w+)\.bind\(", code)}
    for var in sorted(bound & {v for v, _, _ in setters}):
        out.append(f'println!("CARDGEN_LOCAL {var} {{:?}}", {var}.local_addr()?.as_socket());')
    return out


@dataclass(slots=True)
class RustBuild:
    binary: Path | None
    errors: dict[str, str]
    """Unit name → first compiler error, as `md_line: message`."""
    mode: str


def main_source(units: list[RustUnit]) -> tuple[str, list[tuple[str, int]]]:
    """main.rs for these units, and a map from its lines to (unit name, Markdown line)."""
    lines: list[tuple[str, str, int]] = [(t, "", 0) for t in MAIN_PRELUDE.rstrip().split("\n")]
    for unit in units:
        lines += [(t, unit.name, n) for t, n in unit.lines]
    arms = "\n".join(f'        "{u.name}" => {u.name}::run(),' for u in units)
    main = f"""fn main() {{
    let which = std::env::args().nth(1).unwrap_or_default();
    let result = match which.as_str() {{
{arms}
        _ => {{ eprintln!("no snippet {{which}}"); std::process::exit(2) }}
    }};
    if let Err(e) = result {{ eprintln!("CARDGEN_ERROR {{e}}"); std::process::exit(1); }}
}}"""
    lines += [(t, "", 0) for t in main.split("\n")]
    return "\n".join(t for t, _, _ in lines) + "\n", [(u, n) for _, u, n in lines]


def cargo_source_args(crates: list[str] | set[str]) -> list[str]:
    """Flags that point cargo at Debian's registry, offline, when that is the source to use."""
    if not crates or cargo_source() != "debian":
        return []
    return [
        "--offline",
        "--config",
        'source.crates-io.replace-with="debian"',
        "--config",
        f'source.debian.directory="{DEBIAN_REGISTRY}"',
    ]


def cargo_source() -> str:
    forced = os.environ.get("CARDGEN_CARGO_SOURCE", "")
    if forced in ("crates-io", "debian"):
        return forced
    return "debian" if any(DEBIAN_REGISTRY.glob("socket2-*")) else "crates-io"


def _diagnostics(output: str, line_map: list[tuple[str, int]]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for raw in output.splitlines():
        try:
            msg = json.loads(raw)
        except ValueError:
            continue
        msg = msg.get("message", msg) if msg.get("reason") == "compiler-message" else msg
        if not isinstance(msg, dict) or msg.get("level") != "error":
            continue
        if msg.get("message", "").startswith(("aborting due to", "could not compile")):
            continue
        spans = [s for s in msg.get("spans", []) if s.get("file_name", "").endswith("main.rs")]
        primary = next((s for s in spans if s.get("is_primary")), spans[0] if spans else None)
        unit, md_line = ("", 0)
        if primary and 0 < primary["line_start"] <= len(line_map):
            unit, md_line = line_map[primary["line_start"] - 1]
        text = f"{md_line}: {msg.get('message', 'error')}" if md_line else msg.get("message", "")
        errors.setdefault(unit, text)
    return errors


def compile_units(units: list[RustUnit], cache: Path, timeout: float) -> RustBuild:
    """Build one binary holding every unit; on failure, build each unit alone to attribute."""
    merged = _compile(units, cache, timeout)
    if merged.binary or len(units) == 1:
        merged.mode = "merged" if len(units) > 1 else "single"
        return merged
    errors: dict[str, str] = {}
    good: list[RustUnit] = []
    for unit in units:
        alone = _compile([unit], cache, timeout)
        if alone.binary:
            good.append(unit)
        else:
            errors[unit.name] = alone.errors.get(unit.name) or next(
                iter(alone.errors.values()), "does not compile"
            )
    binary = _compile(good, cache, timeout).binary if good else None
    return RustBuild(binary, errors, "per-snippet")


def _compile(units: list[RustUnit], cache: Path, timeout: float) -> RustBuild:
    source, line_map = main_source(units)
    crates = sorted(set().union(*(u.crates for u in units)))
    key = hashlib.sha256((source + "|".join(crates) + cargo_source()).encode()).hexdigest()[:20]
    binary = cache / "bin" / f"snippets-{key}"
    if binary.exists():
        return RustBuild(binary, {}, "cached")
    work = cache / "rust" / key
    if work.exists():
        shutil.rmtree(work)
    (work / "src").mkdir(parents=True)
    (work / "src" / "main.rs").write_text(source)
    env = dict(os.environ)
    tool = "cargo" if crates else "rustc"
    if shutil.which(tool) is None:
        return RustBuild(
            None,
            {
                u.name: f"`{tool}` is not installed: install Rust "
                "(https://rustup.rs) or build with --no-check"
                for u in units
            },
            "",
        )
    if crates:
        deps = "\n".join(KNOWN_CRATES[c] for c in crates)
        (work / "Cargo.toml").write_text(
            '[package]\nname = "cardgen_snippets"\nversion = "0.0.0"\nedition = "2021"\n'
            f"publish = false\n\n[dependencies]\n{deps}\n\n[workspace]\n"
        )
        argv = ["cargo", "build", "--quiet", "--message-format=json", *cargo_source_args(crates)]
        env["CARGO_TARGET_DIR"] = str(cache / "rust-target")
        finished = run(argv, timeout, env=env, cwd=str(work))
        built = cache / "rust-target" / "debug" / "cardgen_snippets"
        output = finished.stdout
    else:
        built = work / "cardgen_snippets"
        argv = [
            "rustc",
            "--edition",
            "2021",
            "--crate-name",
            "cardgen_snippets",
            "--error-format=json",
            "-C",
            "debuginfo=0",
            "-o",
            str(built),
            "src/main.rs",
        ]
        finished = run(argv, timeout, env=env, cwd=str(work))
        output = finished.stderr
    if finished.timed_out:
        return RustBuild(
            None, {u.name: f"compiler still running after {timeout:.0f}s" for u in units}, ""
        )
    if finished.returncode != 0 or not built.exists():
        errors = _diagnostics(output, line_map)
        if not errors:
            tail = (finished.stderr.strip().splitlines() or ["compiler failed"])[-1]
            errors = {"": tail}
        if "" in errors and len(units) == 1:
            errors.setdefault(units[0].name, errors.pop(""))
        return RustBuild(None, errors, "")
    binary.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(built, binary)
    shutil.rmtree(work, ignore_errors=True)
    return RustBuild(binary, {}, "")
