"""What runs the learner's `run(addr)`: `src/main.rs` for Rust, the `__main__` block of
`exercise.py` for Python. The learner's copy lets them run their code themselves; the checker
writes its own copy from `exercise.json`, so an edited harness changes no verdict.

For a socket-options exercise the harness prints what the socket reads back, in lines the
learner can read (`your socket: nodelay = true`, `your socket: bound to 127.0.0.1:40123`);
the checker reads the same lines.
"""

from __future__ import annotations

REPORT_PREFIX = "your socket: "
DEFAULT_ADDR = "127.0.0.1:8080"


def rust_main(kind: str, expect: dict) -> str:
    if kind == "socket_options":
        options = expect.get("options", {})
        reads = "".join(f'            report("{name}", socket.{name}());\n' for name in options)
        ok = (
            "        Ok(socket) => {\n"
            f"{reads}"
            "            match socket.local_addr().ok().and_then(|a| a.as_socket()) {\n"
            "                Some(bound) if bound.port() != 0 => "
            f'println!("{REPORT_PREFIX}bound to {{bound}}"),\n'
            f'                _ => println!("{REPORT_PREFIX}not bound"),\n'
            "            }\n"
            "        }\n"
        )
        report = (
            "\n/// Prints what one option of the socket reads back.\n"
            "fn report<T: std::fmt::Debug>(name: &str, value: std::io::Result<T>) {\n"
            "    match value {\n"
            f'        Ok(v) => println!("{REPORT_PREFIX}{{name}} = {{v:?}}"),\n'
            f'        Err(e) => println!("{REPORT_PREFIX}{{name}} cannot be read: {{e}}"),\n'
            "    }\n"
            "}\n"
        )
    else:
        ok, report = "        Ok(_) => {}\n", ""
    return (
        "//! Runs your `run` (in src/exercise.rs): `cargo run -- 127.0.0.1:8080`. The checker\n"
        "//! runs it the same way, with a free address of its own, and with its own copy of\n"
        "//! this file: there is nothing to change here.\n"
        "mod exercise;\n"
        "\n"
        "fn main() {\n"
        "    let addr = std::env::args().nth(1)"
        f'.unwrap_or_else(|| "{DEFAULT_ADDR}".to_string());\n'
        "    match exercise::run(&addr) {\n"
        f"{ok}"
        "        Err(e) => {\n"
        '            eprintln!("error: {e}");\n'
        "            std::process::exit(1);\n"
        "        }\n"
        "    }\n"
        "}\n"
        f"{report}"
    )


def _python_report(kind: str, expect: dict, indent: str) -> list[str]:
    if kind != "socket_options":
        return []
    levels = expect.get("levels", {})
    lines = [
        f'{indent}print(f"{REPORT_PREFIX}{name} = '
        f'{{result.getsockopt(socket.{levels.get(name, "SOL_SOCKET")}, socket.{name})}}")'
        for name in expect.get("options", {})
    ]
    lines += [
        f"{indent}bound = result.getsockname()",
        f"{indent}if bound[1]:",
        f'{indent}    print(f"{REPORT_PREFIX}bound to {{bound[0]}}:{{bound[1]}}")',
        f"{indent}else:",
        f'{indent}    print("{REPORT_PREFIX}not bound")',
    ]
    return lines


def python_main(kind: str, expect: dict) -> list[str]:
    """The `if __name__ == "__main__":` block at the end of the learner's `exercise.py`."""
    return [
        'if __name__ == "__main__":',
        f"    # Run it yourself: python3 exercise.py {DEFAULT_ADDR} (the checker runs `run` the",
        "    # same way, with a free address of its own).",
        "    import sys",
        "",
        f'    host, _, port = (sys.argv[1:] or ["{DEFAULT_ADDR}"])[0].rpartition(":")',
        "    result = run((host, int(port)))",
        *_python_report(kind, expect, "    "),
    ]


def python_check_harness(kind: str, expect: dict) -> str:
    """What the checker runs (`python -c HARNESS ADDR`, in the exercise folder)."""
    lines = [
        "import socket, sys",
        "sys.path.insert(0, '.')",
        "import exercise",
        "host, _, port = sys.argv[1].rpartition(':')",
        "result = exercise.run((host, int(port)))",
        *_python_report(kind, expect, ""),
    ]
    return "\n".join(lines) + "\n"
