"""Exercises judged as a learner meets them: the starter, each hint applied in turn, the
solution, and wrong programs, all built and run for real against the checker on loopback.

For every exercise: the untouched starter fails with the verdict hint 1 is about; applying
hints 1..k gets a verdict further up the ladder, the one hint k+1 is about; the solution
passes. Wrong programs fail with a verdict that names what is missing.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cardgen.build import BuildOptions, build
from cardgen.exercises import sheet_exercises
from cardgen.exercises.judge import check_exercise
from cardgen.exercises.model import Exercise
from cardgen.exercises.tasks import ladder
from cardgen.parse import parse_file
from tests.conftest import FIXTURES, SEED

pytestmark = pytest.mark.slow  # about 90 s: every exercise built and run many times

PYTHON_SHEET = FIXTURES / "sheets" / "python-sockets.md"
SIDE_BY_SIDE = FIXTURES / "sheets" / "real" / "sockets-rust-python.md"
"""A real sheet in both languages: many of its snippets fail their checks (fragments), the
UDP ones pass and make exercises, UDP clients among them."""
TIMEOUT = 5


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, dict[str, Exercise]]:
    """The exercises of the seed, the Python sheet and the side-by-side sheet, built with
    their checks, and the Exercise behind each folder (`ch02-sockets/02-tcp-client` → its
    Exercise)."""
    out = tmp_path_factory.mktemp("built")
    sheets = [SEED, PYTHON_SHEET, SIDE_BY_SIDE]
    result = build(sheets, BuildOptions(out_dir=out, outputs=("exercises",)))
    assert not result.failed
    exercises = {}
    for outcome in result.outcomes:
        made, _ = sheet_exercises(parse_file(Path(outcome.path)), outcome.checks)
        exercises.update({f"{outcome.name}/{e.folder}": e for e in made})
    return out / "exercises", exercises


EXERCISES = [
    "ch02-sockets/01-tcp-server",
    "ch02-sockets/02-tcp-client",
    "ch02-sockets/03-udp-socket",
    "ch02-sockets/04-socket-options",
    "ch02-sockets/05-close-wait",
    "ch02-sockets/06-time-wait",
    "python-sockets/01-tcp-echo-server",
    "python-sockets/02-tcp-client",
    "python-sockets/03-udp-echo-server",
    "python-sockets/04-socket-options",
    "sockets-rust-python/01-udp-echo-server",
    "sockets-rust-python/02-sending-a-datagram",
    "sockets-rust-python/03-sending-a-datagram",
]


def learner_copy(built: tuple[Path, dict], name: str, into: Path) -> tuple[Path, Path]:
    """A copy of the learner's folder, and the file the learner writes in it."""
    folder = into / name.split("/")[1]
    shutil.copytree(built[0] / name, folder)
    code = folder / ("src/exercise.rs" if (folder / "Cargo.toml").exists() else "exercise.py")
    return folder, code


def test_every_exercise_is_there(built):
    assert sorted(built[1]) == EXERCISES


@pytest.mark.parametrize("name", EXERCISES)
def test_starter_hints_and_solution_agree(built, name, tmp_path):
    exercise = built[1][name]
    folder, code = learner_copy(built, name, tmp_path)
    steps = exercise.steps
    assert code.read_text() == exercise.starter
    solution = built[0] / name.replace("/", "/solutions/") / code.relative_to(folder)
    assert solution.read_text() == exercise.solution
    order = ladder(exercise.kind, exercise.expect)
    reached = -1
    for done in range(len(steps) + 1):
        code.write_text(exercise.program(done))
        outcome = check_exercise(folder, timeout=TIMEOUT)
        if done == len(steps):
            assert outcome.passed, outcome.text()
            break
        step = steps[done]
        assert not outcome.passed, outcome.text()
        # the verdict is the one the next hint is about, and the README's hint says so
        assert outcome.missing == step.addresses, (done, outcome.text())
        assert outcome.hint == done + 1, outcome.text()
        assert f"TODO {done + 1}" in step.hint and f"TODO {done + 1}" in exercise.starter
        # each hint applied gets the learner further up the ladder
        assert order.index(outcome.missing) > reached, outcome.text()
        reached = order.index(outcome.missing)


RUST_CLIENT_HEAD = "#![allow(unused)]\nuse std::io::prelude::*;\nuse std::net::*;\n"
RUST_RUN = "pub fn run(addr: &str) -> Result<(), Box<dyn std::error::Error>> {\n"
WRONG = {
    "client sends part of the bytes": (
        "ch02-sockets/02-tcp-client",
        RUST_CLIENT_HEAD + RUST_RUN + "    let mut stream = TcpStream::connect(addr)?;\n"
        '    stream.write(b"Hel")?;\n    let mut buffer = [0; 512];\n'
        "    let n = stream.read(&mut buffer)?;\n    Ok(())\n}\n",
        "send",
        "the checker's server got 3 of 5 bytes: `Hel`",
    ),
    "client never reads the reply": (
        "ch02-sockets/02-tcp-client",
        RUST_CLIENT_HEAD + RUST_RUN + "    let mut stream = TcpStream::connect(addr)?;\n"
        '    stream.write_all(b"Hello")?;\n    Ok(())\n}\n',
        "read_reply",
        # it may close before the reply comes, or just after (with the reply unread)
        ("you never read the reply", "you did not read the whole reply"),
    ),
    "client reads part of the reply": (
        "ch02-sockets/02-tcp-client",
        RUST_CLIENT_HEAD + RUST_RUN + "    let mut stream = TcpStream::connect(addr)?;\n"
        '    stream.write_all(b"Hello")?;\n    let mut buffer = [0; 4];\n'
        "    let n = stream.read(&mut buffer)?;\n    Ok(())\n}\n",
        "read_reply",
        "you did not read the whole reply (28 bytes): your program closed the connection with "
        "some of it unread, so its kernel reset the connection (RST instead of FIN)",
    ),
    "client connects and sleeps": (
        "ch02-sockets/02-tcp-client",
        RUST_CLIENT_HEAD + RUST_RUN + "    let stream = TcpStream::connect(addr)?;\n"
        "    std::thread::sleep(std::time::Duration::from_secs(60));\n    Ok(())\n}\n",
        "send",
        "your program connected but sent nothing (it was still running after",
    ),
    "client sends more than asked": (
        "ch02-sockets/02-tcp-client",
        RUST_CLIENT_HEAD + RUST_RUN + "    let mut stream = TcpStream::connect(addr)?;\n"
        '    stream.write_all(b"Hello!!")?;\n    let mut buffer = [0; 512];\n'
        "    let n = stream.read(&mut buffer)?;\n    Ok(())\n}\n",
        "send",
        "the checker's server got 7 bytes, 2 more than `Hello`: `Hello!!`",
    ),
    "server accepts and closes without answering": (
        "ch02-sockets/01-tcp-server",
        RUST_CLIENT_HEAD + RUST_RUN + "    let listener = TcpListener::bind(addr)?;\n"
        "    for stream in listener.incoming() {\n        drop(stream?);\n    }\n    Ok(())\n}\n",
        "read",
        "your server closed the connection without answering",
    ),
    "server answers something else": (
        "ch02-sockets/01-tcp-server",
        RUST_CLIENT_HEAD + RUST_RUN + "    let listener = TcpListener::bind(addr)?;\n"
        "    for stream in listener.incoming() {\n        let mut stream = stream?;\n"
        "        let mut buffer = [0u8; 1024];\n        let n = stream.read(&mut buffer)?;\n"
        '        stream.write_all(b"OK\\n")?;\n    }\n    Ok(())\n}\n',
        "answer",
        "your server's answer is not an echo: the checker got `OK\\n` instead of",
    ),
    "udp echo changed": (
        "ch02-sockets/03-udp-socket",
        RUST_CLIENT_HEAD + RUST_RUN + "    let mut buffer = [0u8; 1024];\n"
        "    let socket = UdpSocket::bind(addr)?;\n"
        "    let (bytes, src) = socket.recv_from(&mut buffer)?;\n"
        "    socket.send_to(&buffer[..bytes].to_ascii_uppercase(), src)?;\n    Ok(())\n}\n",
        "echo",
        "the datagram came back changed: the checker got `HELLO FROM THE CARDGEN PEER\\n` "
        "instead of `Hello from the cardgen peer\\n`",
    ),
    "udp echo missing": (
        "ch02-sockets/03-udp-socket",
        RUST_CLIENT_HEAD + RUST_RUN + "    let mut buffer = [0u8; 1024];\n"
        "    let socket = UdpSocket::bind(addr)?;\n"
        "    let (bytes, src) = socket.recv_from(&mut buffer)?;\n    Ok(())\n}\n",
        "echo",
        "no echo came back",
    ),
    "udp echo from another socket": (
        "ch02-sockets/03-udp-socket",
        RUST_CLIENT_HEAD + RUST_RUN + "    let mut buffer = [0u8; 1024];\n"
        "    let socket = UdpSocket::bind(addr)?;\n"
        "    let (bytes, src) = socket.recv_from(&mut buffer)?;\n"
        '    let other = UdpSocket::bind("127.0.0.1:0")?;\n'
        "    other.send_to(&buffer[..bytes], src)?;\n    Ok(())\n}\n",
        "echo",
        "answer from the socket that received it",
    ),
    "socket option not set": (
        "ch02-sockets/04-socket-options",
        "#![allow(unused)]\nuse socket2::{Domain, Socket, Type};\n"
        "pub fn run(addr: &str) -> Result<socket2::Socket, Box<dyn std::error::Error>> {\n"
        "    let addr: std::net::SocketAddr = addr.parse()?;\n"
        "    let socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;\n"
        "    socket.set_reuse_address(true)?;\n    socket.bind(&addr.into())?;\n"
        "    Ok(socket)\n}\n",
        "nodelay",
        "`nodelay` is not set: it reads back false, the task sets it to true",
    ),
    "udp client sends other bytes": (
        "sockets-rust-python/02-sending-a-datagram",
        RUST_CLIENT_HEAD + RUST_RUN + '    let client = UdpSocket::bind("127.0.0.1:0")?;\n'
        '    client.send_to(b"help", addr)?;\n    let mut buf = [0u8; 64];\n'
        "    let (n, _) = client.recv_from(&mut buf)?;\n    Ok(())\n}\n",
        "send",
        "the checker got `help` instead of `hello`",
    ),
    "udp client does not wait for the answer": (
        "sockets-rust-python/02-sending-a-datagram",
        RUST_CLIENT_HEAD + RUST_RUN + '    let client = UdpSocket::bind("127.0.0.1:0")?;\n'
        '    client.send_to(b"hello", addr)?;\n    Ok(())\n}\n',
        "read_reply",
        "your program ended without waiting for the answer",
    ),
    "python client sends part of the bytes": (
        "python-sockets/02-tcp-client",
        "import socket\n\ndef run(addr):\n    with socket.create_connection(addr) as sock:\n"
        '        sock.send(b"Hel")\n        sock.recv(1024)\n',
        "send",
        "the checker's server got 3 of 5 bytes: `Hel`",
    ),
    "python client never reads the reply": (
        "python-sockets/02-tcp-client",
        "import socket\n\ndef run(addr):\n    with socket.create_connection(addr) as sock:\n"
        '        sock.sendall(b"Hello")\n',
        "read_reply",
        ("you never read the reply", "you did not read the whole reply"),
    ),
    "python server accepts and closes": (
        "python-sockets/01-tcp-echo-server",
        "import socket\n\ndef run(addr):\n    srv = socket.create_server(addr)\n"
        "    while True:\n        conn, _ = srv.accept()\n        conn.close()\n",
        "read",
        "your server closed the connection without answering",
    ),
    "python udp echo truncated": (
        "python-sockets/03-udp-echo-server",
        "import socket\n\ndef run(addr):\n"
        "    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n    sock.bind(addr)\n"
        "    data, peer = sock.recvfrom(5)\n    sock.sendto(data, peer)\n",
        "echo",
        "the datagram came back changed: the checker got 5 of 28 bytes: `Hello`",
    ),
    "python socket option not set": (
        "python-sockets/04-socket-options",
        "import socket\n\ndef run(addr):\n"
        "    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n"
        "    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n    s.bind(addr)\n"
        "    return s\n",
        "TCP_NODELAY",
        "`TCP_NODELAY` is not set: it reads back 0, the task sets it to 1",
    ),
}


@pytest.mark.parametrize("case", list(WRONG))
def test_wrong_programs_fail_naming_what_is_missing(built, case, tmp_path):
    name, program, missing, says = WRONG[case]
    folder, code = learner_copy(built, name, tmp_path)
    code.write_text(program)
    outcome = check_exercise(folder, timeout=TIMEOUT)
    assert not outcome.passed, outcome.text()
    assert outcome.missing == missing, outcome.text()
    assert any(s in outcome.message for s in ([says] if isinstance(says, str) else says)), (
        outcome.text()
    )
