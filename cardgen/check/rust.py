"""Rust snippets: wrapped like rustdoc doctests (a module per snippet, `run() -> Result`), all
compiled as one crate with a `main` that runs the snippet named by its argument.

Crates: `socket2` is the only one provided. With Debian's `librust-socket2-dev` installed,
cargo reads it from `/usr/share/cargo/registry` (no network); otherwise from crates.io.
`CARDGEN_CARGO_SOURCE=crates-io` or `=debian` forces one.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from cardgen.cache import Cache
from cardgen.check import fixtures
from cardgen.check.fingerprint import tool_version
from cardgen.check.loopback import AddressUse, loopback_ports, rewrite_ports
from cardgen.model import Snippet
from cardgen.sandbox import Contained, Program, Sandbox

NO_SPACE = "no space left on device"
BUILD_ROOM = 256 * 1024 * 1024
"""Free space a build wants in the cache's file system, else it builds in a private one."""
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

    def body(self) -> str:
        """The unit without its module line: what it does, wherever it stands in the sheet."""
        return "\n".join(text for text, _ in self.lines[2:])

    @property
    def tool(self) -> str:
        return "cargo" if self.crates else "rustc"


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
    """The snippet wrapped as a module named by a digest of its contents (not its line), so
    that moving it in the sheet changes nothing that is compiled."""
    name = "snippet"
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
    body = "\n".join(text for text, _ in unit_lines[2:])
    name = "snippet_" + hashlib.sha256(body.encode()).hexdigest()[:12]
    unit_lines[1] = (f"mod {name} {{", 0)
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
    """`merged`, `single`, `per-snippet`, `cached`; `environment` when the build could not
    run at all (the sandbox, the disk), which is no fault of the snippets."""


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
    if not crates:
        return []
    if cargo_source() != "debian":
        return ["--offline"]  # fetched beforehand, outside the sandbox (`cargo_fetch`)
    return [
        "--offline",
        "--config",
        'source.crates-io.replace-with="debian"',
        "--config",
        f'source.debian.directory="{DEBIAN_REGISTRY}"',
    ]


def crate_versions(crates: set[str] | list[str]) -> str:
    """Which versions of the crates a build would use (Debian's registry), for cache keys."""
    if not crates:
        return ""
    source = cargo_source()
    if source != "debian":
        return source
    found = sorted(p.name for c in crates for p in DEBIAN_REGISTRY.glob(f"{c}-*"))
    return "debian:" + ",".join(found)


def tool_missing(tool: str) -> str | None:
    """Why a snippet needing `tool` (rustc, cargo) is skipped here, or None."""
    if tool_version(tool) is None:
        return f"needs `{tool}`, which is not installed here (install Rust: https://rustup.rs)"
    return None


def build_env(target: Path | None = None) -> dict[str, str]:
    """What rustup and cargo need to find the toolchain inside the sandbox."""
    env: dict[str, str] = {"CARGO_TERM_COLOR": "never"}
    home = Path(os.environ.get("HOME") or Path.home())
    for name, default in (("RUSTUP_HOME", home / ".rustup"), ("CARGO_HOME", home / ".cargo")):
        value = os.environ.get(name) or (str(default) if default.is_dir() else "")
        if value:
            env[name] = value
    for name in ("RUSTUP_TOOLCHAIN", "RUSTC", "RUSTFLAGS"):
        if os.environ.get(name):
            env[name] = os.environ[name]
    if target is not None:
        env["CARGO_TARGET_DIR"] = str(target)
    return env


def cargo_fetch(folder: Path, timeout: float) -> str | None:
    """Download the crates a cardgen-written Cargo.toml lists (crates.io only), before the
    build runs offline in the sandbox. Returns an error, or None."""
    if cargo_source() == "debian":
        return None
    import subprocess

    try:
        done = subprocess.run(
            ["cargo", "fetch", "--quiet"],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return f"cargo fetch failed: {exc}"
    if done.returncode != 0:
        return (done.stderr.strip().splitlines() or ["cargo fetch failed"])[-1]
    return None


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


def compile_units(
    units: list[RustUnit], cache: Cache, timeout: float, sandbox: Sandbox
) -> RustBuild:
    """Build one binary holding every unit; on failure, build each unit alone to attribute."""
    units = list({u.name: u for u in units}.values())  # the same snippet twice: one module
    merged = _compile(units, cache, timeout, sandbox)
    if merged.binary or len(units) == 1:
        merged.mode = "merged" if len(units) > 1 else "single"
        return merged
    if merged.mode == "environment":  # the build could not run at all: no use retrying
        return merged
    errors: dict[str, str] = {}
    good: list[RustUnit] = []
    for unit in units:
        alone = _compile([unit], cache, timeout, sandbox)
        if alone.binary:
            good.append(unit)
        else:
            errors[unit.name] = alone.errors.get(unit.name) or next(
                iter(alone.errors.values()), "does not compile"
            )
    binary = _compile(good, cache, timeout, sandbox).binary if good else None
    return RustBuild(binary, errors, "per-snippet")


def _compile(units: list[RustUnit], cache: Cache, timeout: float, sandbox: Sandbox) -> RustBuild:
    source, line_map = main_source(units)
    crates = sorted(set().union(*(u.crates for u in units)))
    tool = "cargo" if crates else "rustc"
    key = hashlib.sha256(
        "\x1f".join(
            (source, "|".join(crates), crate_versions(crates), tool_version(tool) or "")
        ).encode()
    ).hexdigest()[:24]
    name = f"snippets-{key}"
    if (binary := cache.file("bin", name)) is not None:
        return RustBuild(binary, {}, "cached")
    cache.ensure_room(BUILD_ROOM)
    for attempt in range(2):
        work = cache.workdir("rust")
        try:
            built = _build(units, source, line_map, crates, work, cache, name, timeout, sandbox)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        if attempt == 0 and built.mode == "environment" and NO_SPACE in str(built.errors):
            cache.degrade(OSError(errno.ENOSPC, "No space left on device"))
            continue  # once more, in the private cache the warning names
        return built
    return built


def _build(
    units: list[RustUnit],
    source: str,
    line_map: list[tuple[str, int]],
    crates: list[str],
    work: Path,
    cache: Cache,
    name: str,
    timeout: float,
    sandbox: Sandbox,
) -> RustBuild:
    (work / "src").mkdir(parents=True)
    (work / "src" / "main.rs").write_text(source)
    limits = sandbox.limits.for_build(timeout)
    if crates:
        deps = "\n".join(KNOWN_CRATES[c] for c in crates)
        (work / "Cargo.toml").write_text(
            '[package]\nname = "cardgen_snippets"\nversion = "0.0.0"\nedition = "2021"\n'
            f"publish = false\n\n[dependencies]\n{deps}\n\n[workspace]\n"
        )
        if (error := cargo_fetch(work, timeout)) is not None:
            return RustBuild(None, {u.name: error for u in units}, "environment")
        with cache.any_free("rust-target") as target:
            argv = ["cargo", "build", "--quiet", "--message-format=json"]
            program = Program(argv + cargo_source_args(crates), build_env(target), str(work))
            ran = sandbox.run(program, timeout, limits, writable=[work, target])
            built = target / "debug" / "cardgen_snippets"
            result = _built(ran, units, line_map, built, timeout, cache, name, output="stdout")
        return result
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
    ran = sandbox.run(Program(argv, build_env(), str(work)), timeout, limits, writable=[work])
    return _built(ran, units, line_map, built, timeout, cache, name, output="stderr")


def _built(
    ran: Contained,
    units: list[RustUnit],
    line_map: list[tuple[str, int]],
    built: Path,
    timeout: float,
    cache: Cache,
    name: str,
    output: str,
) -> RustBuild:
    """The build's outcome: the binary stored in the cache, or the errors by unit."""
    fin = ran.finished
    problem = ran.error or ran.breach()
    if problem or fin is None:
        why = problem or "the compiler did not run"
        return RustBuild(None, {u.name: f"the build failed: {why}" for u in units}, "environment")
    if fin.timed_out:
        return RustBuild(
            None, {u.name: f"compiler still running after {timeout:.0f}s" for u in units}, ""
        )
    if fin.returncode != 0 or not built.exists():
        text = fin.stdout if output == "stdout" else fin.stderr
        if "No space left on device" in fin.stderr + fin.stdout:
            why = f"{NO_SPACE} for the build"
            return RustBuild(None, {u.name: why for u in units}, "environment")
        errors = _diagnostics(text, line_map)
        if not errors:
            tail = (fin.stderr.strip().splitlines() or ["compiler failed"])[-1]
            errors = {"": tail}
        if "" in errors and len(units) == 1:
            errors.setdefault(units[0].name, errors.pop(""))
        return RustBuild(None, errors, "")
    try:
        stored = cache.store_file("bin", name, built)
    except OSError as exc:
        why = f"the compiled program could not be kept: {exc.strerror or exc}"
        if exc.errno == errno.ENOSPC:
            why = f"{NO_SPACE} to keep the compiled program"
        return RustBuild(None, {u.name: why for u in units}, "environment")
    return RustBuild(stored, {}, "")
