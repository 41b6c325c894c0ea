"""The seed sheet parses into exactly the blocks its author wrote."""

from __future__ import annotations

from collections import Counter

from cardgen.model import (
    Definition,
    LabelledList,
    Snippet,
    StateNotes,
    StatePath,
    Steps,
    Table,
    Takeaway,
)


def test_counts_of_each_kind(seed_sheet):
    counts = Counter(block.kind for block in seed_sheet.blocks)
    assert counts == {
        "question_answer": 2,  # "What is a Socket?" and "Why Three Steps?"
        "definition": 1,
        "labelled_list": 5,
        "table": 3,
        "state_path": 2,
        "steps": 1,
        "state_notes": 3,
        "snippet": 6,
        "takeaway": 7,
    }
    assert seed_sheet.warnings == ()
    assert seed_sheet.title == "Chapter 2 Cheatsheet: Sockets and Connections"


def test_seven_operations_are_definitions(seed_sheet):
    ops = next(b for b in seed_sheet.of_kind(LabelledList) if b.label == "Basic Socket Operations")
    assert [(i.term, i.pos.line) for i in ops.items] == [
        ("Create", 15),
        ("Bind", 16),
        ("Listen", 17),
        ("Accept", 18),
        ("Connect", 19),
        ("Read/Write", 20),
        ("Close", 21),
    ]
    assert all(isinstance(i, Definition) for i in ops.items)


def test_tables(seed_sheet):
    tables = {t.title: t for t in seed_sheet.of_kind(Table)}
    assert set(tables) == {
        "TCP vs UDP Quick Reference",
        "State Descriptions",
        "Error Handling Quick Reference",
    }
    states = tables["State Descriptions"]
    assert states.header == ("State", "Description", "Who", "Duration")
    assert [r.header for r in states.rows][:3] == ["CLOSED", "LISTEN", "SYN_SENT"]
    assert len(states.rows) == 11
    assert tables["Error Handling Quick Reference"].rows[0].header == '"Connection refused"'
    assert tables["TCP vs UDP Quick Reference"].rows[4].cells == (
        "Header Size",
        "20+ bytes",
        "8 bytes",
    )


def test_state_paths(seed_sheet):
    paths = {p.name: (p.states, p.pos.line) for p in seed_sheet.of_kind(StatePath)}
    assert paths["Server Path"] == (
        ("CLOSED", "LISTEN", "SYN_RECEIVED", "ESTABLISHED", "CLOSE_WAIT", "LAST_ACK", "CLOSED"),
        86,
    )
    assert paths["Client Path"][0][1] == "SYN_SENT"


def test_handshake_steps(seed_sheet):
    (steps,) = seed_sheet.of_kind(Steps)
    assert [
        (s.number, s.title, s.sender, s.receiver, s.state_entered, s.enters) for s in steps.steps
    ] == [
        (1, "SYN", "Client", "Server", "SYN_SENT", "Client"),
        (2, "SYN-ACK", "Server", "Client", "SYN_RECEIVED", "Server"),
        (3, "ACK", "Client", "Server", "ESTABLISHED", "Both"),
    ]
    assert steps.section == ("The Three-Way Handshake",)


def test_snippets_and_commands(seed_sheet):
    snippets = seed_sheet.of_kind(Snippet)
    rust = [s for s in snippets if s.lang == "rust"]
    assert [s.label for s in rust] == [
        "Creating a TCP Server",
        "Creating a TCP Client",
        "Creating a UDP Socket",
        "Setting Socket Options",
    ]
    shell = [s for s in snippets if s.lang == "bash"]
    assert [s.label for s in shell] == ["View socket states", "Count sockets by state"]
    commands = [(c.platform, c.command, c.pos.line) for s in shell for c in s.commands]
    assert commands[0] == ("Linux/macOS", "netstat -an | grep 8080", 199)
    assert ("Windows", "netstat -an | findstr 8080", 203) in commands
    assert ("Linux", "ss -tan | awk '{print $1}' | sort | uniq -c", 209) in commands


def test_critical_states_and_takeaways(seed_sheet):
    assert [n.state for n in seed_sheet.of_kind(StateNotes)] == [
        "TIME_WAIT",
        "CLOSE_WAIT",
        "SYN_SENT",
    ]
    first = seed_sheet.of_kind(Takeaway)[0]
    assert (first.title, first.text, first.pos.line) == (
        "Sockets are your network interface",
        "abstracts away packet complexity",
        180,
    )
