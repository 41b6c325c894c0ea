"""What each kind of exercise asks, what its checker checks, and in which order a program
gets there: the ladder of verdicts from the starter to the solution.

A verdict's `missing` is one rung of its kind's ladder; a step of the exercise (a TODO and its
hint) is named by the rung it fixes. The same words serve the task, the README's list of
checks and the hints, so that they say the same thing.
"""

from __future__ import annotations

KINDS = ("tcp_server", "tcp_client", "udp_echo", "udp_client", "socket_options")
"""What an exercise made from a snippet can ask for: each has its task, checks and checker."""
STATE_KINDS = ("close_wait", "time_wait")
"""Exercises made from the sheet's critical states: a socket left in that state."""

LADDERS: dict[str, list[str]] = {
    "tcp_client": ["connect", "send", "read_reply", "finish"],
    "tcp_server": ["listen", "read", "answer"],
    "udp_echo": ["receive", "echo"],
    "udp_client": ["send", "read_reply", "finish"],
    "close_wait": ["connect", "closed_first", "hold"],
    "time_wait": ["connect", "closed_second"],
}


def ladder(kind: str, expect: dict) -> list[str]:
    """Every verdict a program of this exercise can get short of passing, first to last."""
    if kind == "socket_options":
        return ["create", *expect.get("options", {}), "bind"]
    return LADDERS[kind]


def shown(data: str) -> str:
    """Bytes as the learner reads them: `Hello`, `Hello\\n`."""
    escaped = data.encode("unicode_escape").decode("ascii").replace("`", "\\`")
    return f"`{escaped}`"


def task(kind: str, expect: dict) -> str:
    send = shown(str(expect.get("send", "")))
    if kind == "tcp_client":
        read = (
            ", and read the server's reply before your program ends"
            if expect.get("read_reply")
            else ""
        )
        return (
            f"Write a TCP client: connect to the server at the address you are given, send "
            f"exactly {send}{read}."
        )
    if kind == "tcp_server":
        return (
            "Write a TCP echo server: listen on the address you are given, accept a "
            "connection, read what the client sends and send the same bytes back."
        )
    if kind == "udp_echo":
        return (
            "Write a UDP echo server: bind a UDP socket to the address you are given, receive "
            "one datagram, and send it back, unchanged, to where it came from."
        )
    if kind == "udp_client":
        read = " and wait for the answer" if expect.get("read_reply") else ""
        return (
            f"Write a UDP client: send exactly {send} in one datagram to the address you are "
            f"given{read}."
        )
    if kind == "socket_options":
        wanted = "\n".join(
            f"- `{name}` set to `{value}`" for name, value in expect.get("options", {}).items()
        )
        bind = ", bind it to the address you are given" if expect.get("bound") else ""
        return f"Create a TCP socket, set these options{bind}, and return it:\n\n{wanted}"
    raise ValueError(f"no task for {kind}")


def checks(kind: str, expect: dict) -> list[str]:
    """What the checker checks, in order: the README's list."""
    send = shown(str(expect.get("send", "")))
    size = len(str(expect.get("send", "")).encode("latin-1"))
    if kind == "tcp_client":
        out = [
            "your program connects to the address it is given;",
            f"the checker's server receives exactly {send} ({size} bytes): no byte missing, "
            "none extra;",
        ]
        if expect.get("read_reply"):
            out.append(
                "your program reads the server's whole reply before it closes the connection "
                "(a socket closed with unread data is *reset*: the kernel sends RST instead "
                "of FIN, and the checker sees that);"
            )
        return [*out, "your program then ends without an error."]
    if kind == "tcp_server":
        return [
            "something listens on the address your server is given;",
            "your server accepts the checker's connection and reads the line the checker sends;",
            "your server sends exactly those bytes back (the checker stops your server "
            "afterwards: it may go on serving).",
        ]
    if kind == "udp_echo":
        return [
            "a UDP socket of your program is bound to the address it is given and receives "
            "the checker's datagram;",
            "the same bytes come back, unchanged, from that socket to the checker's.",
        ]
    if kind == "udp_client":
        out = [f"the checker receives exactly {send} ({size} bytes) in one datagram;"]
        if expect.get("read_reply"):
            out.append("your program waits for the checker's answer and receives it;")
        return [*out, "your program then ends without an error."]
    if kind == "socket_options":
        out = ["`run` returns a socket;"]
        out += [
            f"`{name}` reads back as `{value}`;"
            for name, value in expect.get("options", {}).items()
        ]
        if expect.get("bound"):
            out.append("the socket is bound to the address `run` is given.")
        return out
    raise ValueError(f"no checks for {kind}")


HINT_LEADS: dict[tuple[str, str], str] = {
    ("tcp_client", "connect"): (
        "Your program never connected. Connect to the checker's server at `addr` first."
    ),
    ("tcp_client", "send"): (
        "The checker's server did not get {send}. Send exactly those bytes: {send_all}."
    ),
    ("tcp_client", "read_reply"): (
        "You did not read the whole reply. A socket closed with unread data is reset (the "
        "kernel sends RST instead of FIN), and the checker sees that: read the reply before "
        "your program ends."
    ),
    ("tcp_server", "listen"): (
        "Nothing listens on `addr`. Make a listening socket on that address."
    ),
    ("tcp_server", "read"): (
        "Your server never read what the checker sent. Accept the connection and read from it."
    ),
    ("tcp_server", "answer"): (
        "Your server read what the checker sent but did not answer. Send the same bytes back "
        "on the same connection."
    ),
    ("udp_echo", "receive"): (
        "Nothing received the checker's datagram. Bind a UDP socket to `addr` and wait for a "
        "datagram: receiving it also tells you who sent it."
    ),
    ("udp_echo", "echo"): (
        "Your program received the datagram but did not send it back. Send exactly the bytes "
        "you received to the address they came from."
    ),
    ("udp_client", "send"): (
        "The checker did not get {send}. Send exactly those bytes, in one datagram, to `addr`."
    ),
    ("udp_client", "read_reply"): (
        "Your program did not wait for the answer. Receive it before your program ends."
    ),
    ("socket_options", "create"): (
        "Your program stopped before it had a socket to return. Create the socket first."
    ),
    ("socket_options", "bind"): "The socket is not bound to `addr`. Bind it.",
}


SEND_ALL = {
    "rust": "`write` may send only part of them, `write_all` sends them all",
    "python": "`send` may send only part of them, `sendall` sends them all",
}


def hint_lead(kind: str, stage: str, expect: dict, lang: str) -> str:
    """What a hint says about the verdict it answers."""
    if (kind, stage) in HINT_LEADS:
        return HINT_LEADS[kind, stage].format(
            send=shown(str(expect.get("send", ""))), send_all=SEND_ALL[lang]
        )
    value = expect.get("options", {}).get(stage)
    return f"`{stage}` is not set. Set it to `{value}`."
