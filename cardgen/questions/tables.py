"""Tables: one question per cell, reverse questions where a value names its row, matchings."""

from __future__ import annotations

from cardgen.model import Sheet, Table
from cardgen.questions.model import Matching, Question, QuestionBank, make_key
from cardgen.questions.text import mask, norm

INCLUSIVE = {"both", "all", "any", "either"}
ROLES = {
    "closer",
    "receiver",
    "initiator",
    "responder",
    "sender",
    "active closer",
    "passive closer",
}
"""Roles either party can take: for a role, 'Client' or 'Server' is not plainly wrong."""
PARTIES = {"client", "server", "both"}


def also_true(answer: str, family: tuple[str, ...]) -> frozenset[str]:
    """Values that would be right too: 'Both' makes 'Client' and 'Server' right as well."""
    a = norm(answer)
    if a in INCLUSIVE:
        return frozenset(family)
    same = {v for v in family if norm(v) == a or (a and (norm(v) in a or a in norm(v)))}
    if a in ROLES:
        same |= {v for v in family if norm(v) in PARTIES}
    return frozenset(same)


def column(table: Table, j: int) -> tuple[str, ...]:
    return tuple(row.cells[j] for row in table.rows if j < len(row.cells) and row.cells[j])


def identifies_rows(values: tuple[str, ...]) -> bool:
    """A column whose values are all different and say something can name its row."""
    normed = [norm(v) for v in values]
    return (
        len(values) >= 3
        and len(set(normed)) == len(normed)
        and sum(len(v) for v in normed) / len(normed) >= 12
    )


def table_questions(sheet: Sheet, bank: QuestionBank) -> None:
    for table in sheet.of_kind(Table):
        name_col = table.header[0] if table.header else "row"
        for j, col in enumerate(table.header[1:], start=1):
            values = column(table, j)
            family = tuple(dict.fromkeys(values))
            reverse = identifies_rows(values)
            for row in table.rows:
                cell = row.cells[j] if j < len(row.cells) else ""
                if not cell:
                    continue
                key = make_key(bank.sheet_name, table.section, table.title, row.header, col)
                bank.questions.append(
                    Question(
                        key,
                        "table_cell",
                        "table",
                        f"{table.title} — {row.header} — {col}?",
                        cell,
                        table.title,
                        row.pos,
                        table.section,
                        family=family,
                        also_true=also_true(cell, family),
                    )
                )
                if reverse and len(norm(cell)) >= 8:
                    shown = mask(cell, row.header)
                    bank.questions.append(
                        Question(
                            key + "/reverse",
                            "table_reverse",
                            "table",
                            f"{table.title} — which {name_col} has {col} “{shown}”?",
                            row.header,
                            table.title,
                            row.pos,
                            table.section,
                            family=tuple(r.header for r in table.rows),
                        )
                    )
            pairs = tuple(
                (row.header, row.cells[j])
                for row in table.rows
                if j < len(row.cells) and row.cells[j]
            )
            if len({norm(v) for _, v in pairs}) == len(pairs) >= 3:
                bank.matchings.append(
                    Matching(
                        make_key(bank.sheet_name, table.section, table.title, "match", col),
                        f"{table.title}: match each {name_col} to its {col}.",
                        pairs,
                        table.pos,
                        table.section,
                        "table",
                    )
                )
