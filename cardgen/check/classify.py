"""What a snippet does on the network, from its code: that decides which peer it gets."""

from __future__ import annotations

import re

from cardgen.model import SHELL_LANGS

RUST = {"rust", "rs"}
PYTHON = {"python", "py", "python3"}
RUNNABLE = RUST | PYTHON | SHELL_LANGS


def classify(lang: str, code: str) -> str:
    """tcp_server, tcp_client, udp_echo, udp_client, socket_options, program or shell."""
    if lang in SHELL_LANGS:
        return "shell"
    c = code
    if lang in RUST:
        udp = "UdpSocket" in c or "Type::DGRAM" in c
        server = "TcpListener" in c or ".listen(" in c or ".accept(" in c
        client = "TcpStream::connect" in c or ".connect(" in c
        options = re.search(r"\.set_\w+\(", c) is not None and "socket2" in c
    elif lang in PYTHON:
        udp = "SOCK_DGRAM" in c
        server = ".listen(" in c or ".accept(" in c or "socketserver" in c
        client = ".connect(" in c or "create_connection(" in c
        options = ".setsockopt(" in c
    else:
        return "program"
    if udp:
        send = re.search(r"\.(send_to|sendto)\(", c)
        recv = re.search(r"\.(recv_from|recvfrom)\(", c)
        if send and (not recv or send.start() < recv.start()):
            return "udp_client"
        return "udp_echo"
    if server:
        return "tcp_server"
    if client:
        return "tcp_client"
    if options:
        return "socket_options"
    return "program"


def runnable(lang: str) -> bool:
    return lang in RUNNABLE
