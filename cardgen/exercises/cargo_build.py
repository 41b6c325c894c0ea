"""Build a learner's Cargo project for the checker: in a copy of it in the cache (never in the
learner's folder), with the checker's own `src/main.rs`, in the sandbox; compiler errors
come back whole, as rustc prints them (`help:` and notes included)."""

from __future__ import annotations

import contextlib
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

from cardgen.cache import Cache
from cardgen.check import rust
from cardgen.exercises.harness import rust_main
from cardgen.sandbox import Program, Sandbox

LEFT_OUT = {"target", ".git", ".cargo", "Cargo.lock"}
"""Not copied: build output, and what points cargo at a registry this machine may not have
(the checker chooses its own, as the snippet checks do)."""


def copy_project(folder: Path, into: Path) -> None:
    for item in folder.iterdir():
        if item.name in LEFT_OUT or item.name.startswith(".hints"):
            continue
        if item.is_dir():
            shutil.copytree(item, into / item.name, dirs_exist_ok=True)
        elif item.is_file():
            shutil.copy2(item, into / item.name)


def compiler_errors(stdout: str, stderr: str) -> list[str]:
    """Every error, whole, as rustc renders it; cargo's own error when rustc gave none."""
    rendered = []
    for raw in stdout.splitlines():
        try:
            message = json.loads(raw)
        except ValueError:
            continue
        if not isinstance(message, dict) or message.get("reason") != "compiler-message":
            continue
        inner = message.get("message", {})
        if inner.get("level") == "error" and inner.get("rendered"):
            rendered.append(inner["rendered"].rstrip())
    if rendered:
        return [r for r in rendered if not r.startswith("error: aborting due to")]
    lines = [
        line
        for line in stderr.strip().splitlines()
        if not line.startswith("error: could not compile")
    ]
    return ["\n".join(lines[-20:])] if lines else ["cargo failed and said nothing"]


@contextlib.contextmanager
def cargo_build(
    folder: Path, meta: dict, timeout: float, sandbox: Sandbox
) -> Iterator[tuple[Path | None, list[str]]]:
    """(the built program, or None and why: compiler errors, whole), while the build folder
    is held. Build folders are a few shared slots of the cache (`any_free`): the copy of a
    project always lands at the same place in its slot, so cargo rebuilds only what changed
    and the cache does not grow with every folder a learner checks."""
    if (missing := rust.tool_missing("cargo")) is not None:
        yield None, [missing]
        return
    manifest = folder / "Cargo.toml"
    declared = (
        re.search(r'^name\s*=\s*"([\w-]+)"', manifest.read_text(), re.M)
        if manifest.is_file()
        else None
    )
    if declared is None:
        yield None, ['Cargo.toml names no package (`name = "…"` under [package])']
        return
    name = declared.group(1)
    with Cache().any_free("exercise-builds") as slot:
        project = slot / "projects" / name
        target = slot / "target"
        shutil.rmtree(project, ignore_errors=True)
        project.mkdir(parents=True)
        target.mkdir(exist_ok=True)
        copy_project(folder, project)
        (project / "src").mkdir(exist_ok=True)
        (project / "src" / "main.rs").write_text(rust_main(meta["kind"], meta.get("expect", {})))
        yield _build(project, target, meta.get("crates", []), timeout, sandbox, name)


def _build(
    project: Path, target: Path, crates: list[str], timeout: float, sandbox: Sandbox, name: str
) -> tuple[Path | None, list[str]]:
    if (error := rust.cargo_fetch(project, timeout)) is not None:
        return None, [error]
    argv = ["cargo", "build", "--quiet", "--message-format=json", *rust.cargo_source_args(crates)]
    program = Program(argv, rust.build_env(target), str(project))
    ran = sandbox.run(program, timeout, sandbox.limits.for_build(timeout), [project, target])
    fin = ran.finished
    if (problem := ran.error or ran.breach()) is not None or fin is None:
        return None, [f"the build could not run: {problem or 'no compiler'}"]
    if fin.timed_out:
        return None, [f"cargo was still building after {timeout:.0f} s"]
    if fin.returncode != 0:
        return None, compiler_errors(fin.stdout, fin.stderr)
    binary = target / "debug" / name
    return (binary, []) if binary.is_file() else (None, ["cargo built no program"])
