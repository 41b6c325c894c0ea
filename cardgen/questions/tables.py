"""Tables: each cell that is a fact asks for itself by its row's name and its column; where the
value names exactly one row, the same note asks the other way; matchings for the quiz."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter, defaultdict
from itertools import combinations

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


class Family:
    """A column's distinct values, indexed so that finding the values that contain a value, or
    that it contains, costs about one lookup per value rather than one pass over the column."""

    def __init__(self, values: tuple[str, ...]) -> None:
        self.values = values
        self.norms = [norm(v) for v in values]
        self.joined = "\x00".join(self.norms)
        self.starts: list[int] = []
        at = 0
        for n in self.norms:
            self.starts.append(at)
            at += len(n) + 1
        self.by_norm: dict[str, list[int]] = defaultdict(list)
        for i, n in enumerate(self.norms):
            self.by_norm[n].append(i)
        self.lengths = sorted({len(n) for n in self.norms if n})

    def containing(self, text: str) -> set[int]:
        """Values whose normal form holds `text`."""
        found: set[int] = set()
        at = self.joined.find(text)
        while at != -1:
            found.add(bisect_right(self.starts, at) - 1)
            at = self.joined.find(text, at + 1)
        return found

    def contained_in(self, text: str) -> set[int]:
        """Values whose (non-empty) normal form stands in `text`."""
        found: set[int] = set()
        for size in self.lengths:
            if size > len(text):
                break
            for start in range(len(text) - size + 1):
                found.update(self.by_norm.get(text[start : start + size], ()))
        return found


def also_true(answer: str, family: tuple[str, ...] | Family) -> frozenset[str]:
    """Values that would be right too: 'Both' makes 'Client' and 'Server' right as well."""
    index = family if isinstance(family, Family) else Family(family)
    a = norm(answer)
    if a in INCLUSIVE:
        return frozenset(index.values)
    same = set(index.by_norm.get("", ()))  # an empty value stands in anything
    if a:
        same |= index.containing(a) | index.contained_in(a)
    values = {index.values[i] for i in same}
    if a in ROLES:
        values |= {v for v, n in zip(index.values, index.norms, strict=True) if n in PARTIES}
    return frozenset(values)


def column(table: Table, j: int) -> tuple[str, ...]:
    return tuple(row.cells[j] for row in table.rows if j < len(row.cells) and row.cells[j])


def _cell(row: TableRow, j: int) -> str:
    return row.cells[j] if j < len(row.cells) else ""


class ColumnWords:
    """The meaningful words of each row's value in one column, indexed by word: which rows
    share a word with a row, or say nearly the same, without comparing every pair of rows."""

    SUBSETS_UP_TO = 8
    """A value of more words than this looks for values inside it by a pass over the column."""

    def __init__(self, table: Table, j: int) -> None:
        self.cells = [_cell(r, j) for r in table.rows]
        self.words = [content_words(c) for c in self.cells]
        self.by_word: dict[str, list[int]] = defaultdict(list)
        self.by_words: dict[frozenset[str], list[int]] = defaultdict(list)
        for i, words in enumerate(self.words):
            for w in words:
                self.by_word[w].append(i)
            self.by_words[words].append(i)

    def names_one_row(self, i: int) -> bool:
        """Whether no other row's value shares a meaningful word with row `i`'s, so that
        asking 'which row has this value?' has one right answer."""
        mine = self.words[i]
        if len(mine) < 2 and not re.search(r"\d", self.cells[i]):
            return False
        return all(len(self.by_word[w]) == 1 for w in mine)

    def first_close(self, i: int) -> int | None:
        """The first other row whose value says nearly the same as row `i`'s (`_interferes`)."""
        mine = self.words[i]
        if not mine:
            return None
        candidates: set[int] = set()
        if len(mine) >= 2:  # values holding all of my words
            rarest = min((self.by_word[w] for w in mine), key=len)
            candidates.update(k for k in rarest if mine <= self.words[k])
        if len(mine) <= self.SUBSETS_UP_TO:  # values whose words are some of mine
            ordered = sorted(mine)
            for size in range(2, len(ordered) + 1):
                for part in combinations(ordered, size):
                    candidates.update(self.by_words.get(frozenset(part), ()))
        else:
            candidates.update(k for k, w in enumerate(self.words) if len(w) >= 2 and w <= mine)
        close = [k for k in candidates if k != i and _interferes(self.cells[i], self.cells[k])]
        return min(close) if close else None


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


_YES_NO = re.compile(
    r"(?:yes|no|y|n|true|false|supported|not supported|unsupported|required|optional|partial)",
    re.I,
)


def just_yes_or_no(value: str) -> bool:
    """`Yes`, `✅ No`, `✓`: a cell that says yes or no and nothing else (unlike `No (UDP)`)."""
    p = plain(value).strip().strip("✅❌✓✗✔✘ .!").strip()
    return not p or bool(_YES_NO.fullmatch(p))


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
        index = ColumnWords(table, j)
        named = Counter(plain(n).strip() for n in names)  # `a` and `A` are two vim keys
        family_index = Family(family)
        for i, row in enumerate(table.rows):
            name = table.row_key(row)
            cell = _cell(row, j)
            if not plain(name):
                out.skip(table, "a row with no name", row.pos.line)
                break
            if named[plain(name).strip()] > 1:
                out.skip(
                    table,
                    f"another row is named '{plain(name)[:40]}' too: its cards would ask the "
                    "same question with another answer",
                    row.pos.line,
                )
                continue
            if is_junk(cell):
                continue
            if is_vague(cell) or is_label(cell):
                out.skip(table, f"'{plain(cell)}' in column '{col}' is not a fact", row.pos.line)
                continue
            if just_yes_or_no(cell) or norm(cell) in INCLUSIVE:
                out.skip(
                    table,
                    f"'{plain(cell)}' in column '{col}' says yes, no or 'both': a guess, not a "
                    "fact to recall",
                    row.pos.line,
                )
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
            close = None if categorical else index.first_close(i)
            if close is not None:
                out.skip(
                    table,
                    f"'{plain(cell)[:40]}' is too close to the value of line "
                    f"{table.rows[close].pos.line}: "
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
                reverse_ok=not shared and index.names_one_row(i) and not comparison,
                key_extra=(str(table.pos.line),),
                column=header,
                also_true=also_true(cell, family_index),
                compares=comparison,
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
