"""Tables: each cell that is a fact asks for itself by its row's name and its column; where the
value names exactly one row, the same note asks the other way; matchings for the quiz."""

from __future__ import annotations

import re
from collections import Counter

from cardgen.model import Sheet, Table, TableRow
from cardgen.questions.facts import SLOT, Fact, emit
from cardgen.questions.model import Matching, QuestionBank, make_key
from cardgen.questions.outcome import Outcomes
from cardgen.questions.quality import is_junk, is_label, is_vague
from cardgen.questions.text import content_words, gives_away, norm, plain

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
ATTRIBUTE_AXES = {
    "feature",
    "features",
    "aspect",
    "property",
    "attribute",
    "characteristic",
    "criteria",
    "criterion",
    "category",
    "parameter",
    "metric",
    "comparison",
    "",
}
"""Key-column headers under which the other columns are the things compared (TCP, UDP)."""


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


def _cell(row: TableRow, j: int) -> str:
    return row.cells[j] if j < len(row.cells) else ""


def names_one_row(value: str, j: int, row: TableRow, table: Table) -> bool:
    """Whether no other row's value in the column shares a meaningful word with this one, so
    that asking 'which row has this value?' has one right answer."""
    mine = content_words(value)
    if len(mine) < 2 and not re.search(r"\d", value):
        return False
    for other in table.rows:
        if other is row:
            continue
        if mine & content_words(_cell(other, j)):
            return False
    return True


def index_column(table: Table, j: int) -> bool:
    """`#` / `No.` with 1, 2, 3… (or counting down): a row's place, not a fact about it."""
    from cardgen.parse.tables import _INDEX_HEADERS

    if plain(table.header[j]).casefold().strip(" :") not in _INDEX_HEADERS:
        return False
    values = [plain(_cell(r, j)).rstrip(".") for r in table.rows]
    if not all(v.isdigit() for v in values):
        return False
    numbers = [int(v) for v in values]
    steps = {b - a for a, b in zip(numbers, numbers[1:], strict=False)}
    return steps <= {1} or steps <= {-1}


_NOT_A_HEADER = re.compile(
    r"^(?:and|if|then|or|but|you|to|when|have|want|so|also|with|for)\b|…|\.\.\.", re.I
)


_BOOLEAN = re.compile(
    r"^(?:yes|no|y|n|true|false|✓|✗|✔|✘|✅|❌|x|-|—|ok|none|n/a|partial|optional|required)\b", re.I
)


def is_boolean(value: str) -> bool:
    """`Yes`, `✅ Yes`, `No (plaintext)`: a yes-or-no cell."""
    p = plain(value).strip().lstrip("✅❌✓✗✔✘ ").strip()
    return not p or bool(_BOOLEAN.match(p)) and len(p.split()) <= 3


def sample_data(table: Table) -> bool:
    """A table whose cells are mostly addresses, ports and numbers (a NAT table, a worked
    subnet): sample values, not facts."""
    cells = [plain(c) for r in table.rows for c in r.cells if plain(c)]
    numeric = [c for c in cells if re.fullmatch(r"[\d./:x*-]+(?:\s*\([^)]*\))?", c)]
    return len(cells) >= 6 and len(numeric) * 5 >= len(cells) * 4


def header_names_a_fact(header: str) -> bool:
    """`Description`, `Max Value`, `Port`: a header that says what its column holds — not a
    single letter, not `F (23)`, not `Note` or `Code`, not `And want …` (a sentence spread
    over a table's header)."""
    text = plain(header).strip(" .*")
    if len(text) <= 1 or len(text.split()) > 5 or _NOT_A_HEADER.search(text):
        return False
    if re.fullmatch(r"\w{1,2}\s*\(.*\)", text):
        return False
    return norm(text) not in ("note", "notes", "code", "comment", "comments", "remarks", "misc")


def legend_codes(header: str, values: tuple[str, ...]) -> bool:
    """`On: FTX`, `*`, `M`: letters that stand for a legend elsewhere on the page (a short
    header over short codes, or codes that combine single letters of the same column)."""
    codes = [plain(v).strip() for v in values]
    short = [c for c in codes if re.fullmatch(r"[A-Z*+?!-]{1,3}|[a-z]", c)]
    if len(header) <= 3 and len(short) * 5 >= len(codes) * 4:
        return True
    if not all(re.fullmatch(r"[A-Z*]{1,4}", c) for c in codes):
        return False
    letters = {c for c in codes if len(c) == 1}
    return any(len(c) >= 2 and set(c) <= letters for c in codes)


def code_examples(values: tuple[str, ...]) -> bool:
    """A column of code examples (`static X: u8 = 1;`), side by side with the key's: a grid of
    examples, not a fact about each row."""
    code = [v for v in values if v.startswith("`")]
    if len(code) * 3 < len(values) * 2:
        return False
    return sum(bool(re.search(r"[{}();=]|\s", plain(v))) for v in code) * 2 >= len(code)


def _interferes(value: str, other: str) -> bool:
    """Two values of one column that say nearly the same (`Email retrieval` and `Email
    retrieval (advanced)`): each one's card would be answered with the other."""
    a, b = content_words(value), content_words(other)
    if not a or not b or norm(value) == norm(other):
        return False
    small, large = sorted((a, b), key=len)
    return len(small) >= 2 and small <= large


def table_questions(sheet: Sheet, bank: QuestionBank, out: Outcomes) -> None:
    for table in sheet.of_kind(Table):
        one_table(bank, out, table)


def one_table(bank: QuestionBank, out: Outcomes, table: Table) -> None:
    k = table.key_column
    if not table.rows:
        out.skip(table, "a table with no rows")
        return
    if len(table.header) < 2:
        out.skip(table, "a table of one column: nothing to ask by")
        return
    key_header = plain(table.header[k]) if k < len(table.header) else "row"
    comparison = norm(key_header) in ATTRIBUTE_AXES
    title = plain(table.title)
    prefix = "" if table.section and norm(title) == norm(table.section[-1]) else f"{title}: "
    names = tuple(table.row_key(r) for r in table.rows)
    for j, header in enumerate(table.header):
        if j == k:
            continue
        values = column(table, j)
        counts = Counter(norm(v) for v in values)
        categorical = len(table.rows) >= 4 and len(counts) <= max(2, len(table.rows) // 3)
        if all(is_boolean(v) for v in values):
            out.skip(table, f"column '{plain(header)}' is yes or no: a guess, not a fact to recall")
            continue
        if sample_data(table):
            out.skip(table, "a table of sample addresses and numbers, not facts")
            break
        if categorical and norm(header) in ("category", "type", "kind", "group", "class", "tag"):
            out.skip(
                table,
                f"column '{plain(header)}' sorts the rows into a few kinds: not a fact per row",
            )
            continue
        family = tuple(dict.fromkeys(values))
        col = plain(header).rstrip("?:").strip() or f"column {j + 1}"
        if not values:
            out.skip(table, f"column '{col}' is empty or only links")
            continue
        if not header_names_a_fact(header):
            out.skip(table, f"column '{col}' has no name that says what it holds")
            continue
        if legend_codes(col, values):
            out.skip(table, f"column '{col}' holds short codes, not facts")
            continue
        if table.row_key(table.rows[0]).startswith("`") and code_examples(values):
            out.skip(table, f"column '{col}' holds code examples side by side, not a fact")
            continue
        if index_column(table, j):
            out.skip(table, f"column '{col}' is a running number, not a fact")
            continue
        if re.search(r"\bexamples?\b|\bsamples?\b|\be\.g\b", col, re.I):
            out.skip(table, f"column '{col}' holds examples: sample data is not a fact to learn")
            continue
        for row in table.rows:
            name = table.row_key(row)
            cell = _cell(row, j)
            if not plain(name):
                out.skip(table, "a row with no name", row.pos.line)
                break
            if is_junk(cell):
                continue
            if is_vague(cell) or is_label(cell):
                out.skip(table, f"'{plain(cell)}' in column '{col}' is not a fact", row.pos.line)
                continue
            shared = counts[norm(cell)] > 1 or categorical
            if len(table.rows) >= 4 and counts[norm(cell)] * 2 > len(table.rows):
                out.skip(
                    table,
                    f"'{plain(cell)}' is the value of most rows in column '{col}'",
                    row.pos.line,
                )
                continue
            shown = name
            if re.fullmatch(r"[\d.]+", plain(name)) and key_header:
                shown = f"{key_header} {name}"
            close = [
                other
                for other in table.rows
                if other is not row and not categorical and _interferes(cell, _cell(other, j))
            ]
            if close:
                out.skip(
                    table,
                    f"'{plain(cell)[:40]}' is too close to the value of line {close[0].pos.line}: "
                    "a learner could not tell them apart",
                    row.pos.line,
                )
                continue
            if comparison:
                forward = f"{prefix}{col} — {plain(name)}?"
            else:
                forward = f"{prefix}{shown} — {col}?"
            fact = Fact(
                block=table,
                key=make_key(bank.sheet_name, table.section, table.title, name, header),
                name=name,
                text=cell,
                pos=row.pos,
                section=table.section,
                context=table.title,
                forward=forward,
                reverse=f"{prefix}which {key_header or 'row'} has {col} “{SLOT}”?",
                kind="table_cell",
                family=family,
                names=names,
                reverse_ok=not shared and names_one_row(cell, j, row, table) and not comparison,
                key_extra=(str(table.pos.line),),
                column=header,
                also_true=also_true(cell, family),
            )
            emit(out, fact)
        pairs = tuple(
            (table.row_key(row), _cell(row, j))
            for row in table.rows
            if _cell(row, j) and not is_junk(_cell(row, j))
        )
        pairs = tuple((name, v) for name, v in pairs if not is_junk(name))
        spelled = sum(gives_away(name, v) for name, v in pairs)
        if spelled * 2 >= len(pairs):
            continue  # `re.S` → `s`: each pair is matched by its spelling, not by knowing it
        if len({norm(v) for _, v in pairs}) == len(pairs) >= 3 and not comparison:
            bank.matchings.append(
                Matching(
                    make_key(bank.sheet_name, table.section, table.title, "match", header),
                    f"{title}: match each {key_header} to its {col}.",
                    pairs,
                    table.pos,
                    table.section,
                    "table",
                )
            )
