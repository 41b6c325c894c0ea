"""What an author can do about a block that made no card. Some blocks are not facts and were
never meant to be (an introduction, links, a worked example): nothing to do. The others could
become cards with a small change to the sheet, which the advice names."""

from __future__ import annotations

import re

_NOT_FACTS = re.compile(
    r"^(?:a few words in HTML|prose|a link|a line of links|a list of links|about the sheet|"
    r"a worked example|a table of contents|a drawing|text or output|steps are sentences|"
    r"repeats the fact|a label over prose|a table of sample|not a command line|"
    r"column '[^']*' holds (?:code examples|examples|short codes)|column '[^']*' is yes or no|"
    r"column '[^']*' is a running number|column '[^']*' sorts the rows|"
    r"'[^']*' holds examples|'[^']*' is not a fact|'[^']*' in column '[^']*' says yes)"
)
"""Reasons that say the block is not a fact to learn: context, links, samples, repeats."""

_ADVICE: tuple[tuple[str, str], ...] = (
    ("the description says the command's own words", "say what the command is for, not its words"),
    ("a table of one column", "add a column that says something about each row"),
    (
        "the answer stands on the card's front",
        "reword it so the heading or question does not hold the answer",
    ),
    ("the answer stands in the question", "reword it so the question does not hold the answer"),
    (
        "has no name that says what it holds",
        "name the column in the header row (Description, Port, …)",
    ),
    (
        "which says nothing to ask by",
        "give the list a heading or lead-in that says what its items are",
    ),
    ("text of ", "open with one short sentence (15 words or fewer) that states the fact"),
    (
        "a label with no list, table or code under it",
        "put the list, table or code right under the label",
    ),
    ("does not say what the command does", "describe what the command does"),
    (
        "a command too long to recall",
        "split it into shorter commands, each with its own description",
    ),
    ("is not one answer", "give each item its own row or bullet, or bold the one that matters"),
    (
        "the items finish the sentence above them",
        "write each item as a whole sentence or as 'term: meaning'",
    ),
    (
        "the command is its tool and sample arguments only",
        "show the option that matters, or say what it does",
    ),
    ("is too close to the value of line", "say what tells the two apart"),
    ("a list with no heading or label", "put a heading or a lead-in line above the list"),
    ("only makes sense next to the item above it", "say it in full instead of 'same as above'"),
    ("the cue is sample or placeholder text", "use real names instead of placeholders"),
    ("only rewords the name", "say more than the name already does"),
    ("the text repeats the name", "say what it is or does in words other than its name"),
    (
        "the description names the command",
        "say what it does without naming the command, or show the option that matters",
    ),
    ("the description is the command's name", "say what the command does"),
    ("another row is named", "give each row a name of its own (say what tells the two apart)"),
    ("a table with no rows", "fill in the table's rows"),
    ("which the card never shows", "say in the text what those letters stand for"),
    ("is written in abbreviations", "write the words out in full"),
    ("with nothing saying what it does", "add a line or a `# comment` saying what it does"),
    ("is a fragment", "make the cell a whole phrase"),
    ("does not name one thing", "name one thing: a term, a command, a value"),
)


def not_a_fact(reason: str) -> bool:
    """Whether the reason says the block was never meant as a fact (nothing to fix)."""
    return bool(_NOT_FACTS.match(reason))


def advice(reason: str) -> str:
    """What to change so that the block makes a card, or `` where the reason already says it
    (after its colon) or nothing is to be done."""
    if not_a_fact(reason):
        return ""
    first = reason.split("; asked the other way")[0]
    for part in (first, reason):
        for marker, what in _ADVICE:
            if marker in part:
                return what
    tail = first.split(": ", 1)[1] if ": " in first else ""
    return tail if _INSTRUCTION.match(tail) else ""


_INSTRUCTION = re.compile(r"(?:bold|label|add|split|give|start|put|write|name|show|use|say)\b")
