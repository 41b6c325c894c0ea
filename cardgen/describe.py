"""A human-readable outline of a parsed sheet, for `cardgen parse`."""

from __future__ import annotations

from collections.abc import Iterator

from cardgen.model import (
    Block,
    Chain,
    Command,
    Definition,
    KeyValue,
    LabelledList,
    ListEntry,
    ListItem,
    Paragraph,
    QuestionAnswer,
    Sheet,
    Skipped,
    Snippet,
    StateNotes,
    StatePath,
    Steps,
    Table,
    Takeaway,
)


def describe_sheet(sheet: Sheet) -> str:
    lines = [f"{sheet.path}: {sheet.title}"]
    current: tuple[str, ...] = ()
    for block in sheet.blocks:
        if block.section != current:
            current = block.section
            lines.append("")
            lines.append("#" * (len(current) + 1) + " " + " / ".join(current))
        lines.extend(_describe(block))
    for warning in sheet.warnings:
        lines.append(f"warning: {warning}")
    return "\n".join(lines) + "\n"


def _entry(entry: ListEntry) -> str:
    if isinstance(entry, Definition):
        return f"{entry.term}: {entry.text}"
    if isinstance(entry, KeyValue):
        return f"{entry.key} = {entry.value}"
    assert isinstance(entry, ListItem)
    return entry.text


def _entries(items: tuple[ListEntry, ...], depth: int = 0) -> Iterator[str]:
    for item in items:
        yield f"  {item.pos.line:>4}    {'  ' * depth}- [{item.kind}] {_entry(item)}"
        yield from _entries(item.sub, depth + 1)


def _describe(block: Block) -> Iterator[str]:
    head = f"  {block.pos.line:>4}  {block.kind:<14}"
    if isinstance(block, Definition):
        yield f"{head}{block.term}: {block.text}" + (
            f"  ({block.form})" if block.form != "bold" else ""
        )
        yield from _entries(block.sub, 1)
    elif isinstance(block, LabelledList | StateNotes):
        name = block.label if isinstance(block, LabelledList) else block.state
        yield f"{head}{name} ({len(block.items)} items)"
        yield from _entries(block.items)
    elif isinstance(block, Table):
        key = block.header[block.key_column] if block.key_column < len(block.header) else "?"
        yield (
            f"{head}{block.title}: {' | '.join(block.header)} ({len(block.rows)} rows, "
            f"named by {key})"
        )
        for row in block.rows:
            yield f"  {row.pos.line:>4}    | " + " | ".join(row.cells)
    elif isinstance(block, StatePath):
        yield f"{head}{block.name}: {' → '.join(block.states)}"
    elif isinstance(block, Chain):
        yield f"{head}{block.name}: {' → '.join(block.links)}"
    elif isinstance(block, Command):
        yield f"{head}{block.description} → {block.command}"
    elif isinstance(block, QuestionAnswer):
        yield f"{head}{block.question} → {block.answer}" + (" (+more)" if block.more else "")
    elif isinstance(block, Paragraph):
        yield f"{head}{block.text[:100]}"
    elif isinstance(block, Skipped):
        yield f"{head}{block.what}: {block.reason}"
    elif isinstance(block, Steps):
        yield f"{head}{block.label} ({len(block.steps)} steps)"
        for step in block.steps:
            who = f" ({step.sender} → {step.receiver})" if step.sender else ""
            state = f"; {step.enters} enters {step.state_entered}" if step.state_entered else ""
            yield f"  {step.pos.line:>4}    {step.number}. {step.title}{who}{state}"
    elif isinstance(block, Takeaway):
        yield f"{head}{block.title} – {block.text}"
    elif isinstance(block, Snippet):
        flags = f" [{', '.join(block.flags)}]" if block.flags else ""
        size = block.code.count("\n")
        yield f"{head}{block.lang or 'text'}{flags}: {block.label} ({size} lines)"
        for cmd in block.commands:
            about = f"  # {cmd.description}" if cmd.description else ""
            yield (
                f"  {cmd.pos.line:>4}    $ {cmd.command}  ({cmd.platform or 'any platform'}){about}"
            )
