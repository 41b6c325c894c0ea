"""Shell commands: run in the sandbox while a loopback listener (in the same network
namespace) sits on the port they look for."""

from __future__ import annotations

import platform
import re
import shutil
import time

from cardgen.check.loopback import free_port, non_loopback
from cardgen.check.model import FAIL, PASS, REFUSED, SKIP, CheckResult
from cardgen.check.peers import Verdict
from cardgen.model import ShellCommand, Snippet
from cardgen.sandbox import Program, Sandbox

STATE_TOOLS = ("ss", "netstat", "lsof")


def platform_skip(cmd: ShellCommand) -> str | None:
    """Why a command for another system is not run here, or None."""
    here = {"Linux": "linux", "Darwin": "macos", "Windows": "windows"}.get(platform.system(), "")
    names = cmd.platform.lower().replace("mac os", "macos") if cmd.platform else ""
    if not names:
        return None
    mentioned = {p for p in ("linux", "macos", "windows", "bsd", "unix") if p in names}
    if not mentioned or here in mentioned or (here == "linux" and "unix" in mentioned):
        return None
    return f"for {cmd.platform}; this machine runs {platform.system()}"


def check_command(
    snippet: Snippet, cmd: ShellCommand, sheet_port: int | None, timeout: float, sandbox: Sandbox
) -> CheckResult:
    base = dict(
        path=cmd.pos.path,
        line=cmd.pos.line,
        lang=snippet.lang,
        kind="shell",
        label=f"{snippet.label}: {cmd.command}",
    )
    if (why := platform_skip(cmd)) is not None:
        return CheckResult(**base, status=SKIP, reason=why)
    hosts = non_loopback(cmd.command, shell=True)
    if hosts:
        return CheckResult(
            **base,
            status=REFUSED,
            reason=f"contacts {', '.join(hosts)}, which is not loopback: not run",
        )
    tool = cmd.command.split()[0]
    for needed in (tool, "bash"):
        if shutil.which(needed) is None:
            return CheckResult(
                **base, status=SKIP, reason=f"needs `{needed}`, which is not installed here"
            )
    if (refusal := sandbox.refusal) is not None:
        return CheckResult(**base, status=REFUSED, reason=refusal)
    port = free_port()
    command = cmd.command
    context: list[str] = []
    if sheet_port and re.search(rf"(?<!\d){sheet_port}(?!\d)", command):
        command = re.sub(rf"(?<!\d){sheet_port}(?!\d)", str(port), command)
        context.append(f"port {sheet_port} replaced by the loopback listener's port")
    started = time.monotonic()
    ran = sandbox.call(
        "cardgen.check.peers:run_peer",
        {"kind": "listener", "port": port, "timeout": timeout},
        Program(["bash", "-o", "pipefail", "-c", command]),
        timeout + 5,
    )
    base["isolation"] = sandbox.description
    base["seconds"] = time.monotonic() - started
    fin = ran.finished
    verdict = Verdict.from_json(ran.value) if isinstance(ran.value, dict) else None
    transcript = [
        *(verdict.transcript if verdict else []),
        f"$ {command}",
        *(fin.stdout.strip().splitlines()[:20] if fin else []),
    ]
    if (breach := ran.breach()) is not None or fin is None:
        return CheckResult(
            **base,
            status=FAIL,
            reason=breach or "the command did not run",
            context=context,
            transcript=transcript,
        )
    if fin.timed_out:
        return CheckResult(
            **base,
            status=FAIL,
            reason=f"still running after {timeout:.0f}s",
            context=context,
            transcript=transcript,
        )
    if fin.returncode != 0:
        err = (fin.stderr.strip().splitlines() or ["no output"])[-1]
        return CheckResult(
            **base,
            status=FAIL,
            reason=f"exit code {fin.returncode}: {err}",
            context=context,
            transcript=transcript,
        )
    if context and f":{port}" not in fin.stdout:
        return CheckResult(
            **base,
            status=FAIL,
            context=context,
            transcript=transcript,
            reason="the output does not show the listener on its port",
        )
    if not context and tool in STATE_TOOLS and "LISTEN" not in fin.stdout:
        return CheckResult(
            **base,
            status=FAIL,
            context=context,
            transcript=transcript,
            reason="the output does not show the listening socket",
        )
    shown = "the output shows the listener on its port" if context else "the command ran cleanly"
    return CheckResult(**base, status=PASS, reason=shown, context=context, transcript=transcript)
