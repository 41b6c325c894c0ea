"""Tables (pipe tables and HTML tables): header, rows, the column that names the rows, and the
ragged rows markdown-it pads or cuts without a word."""

from __future__ import annotations

import re

from markdown_it.tree import SyntaxTreeNode

from cardgen.errors import Diagnostic
from cardgen.model import SourcePos, Table, TableRow
from cardgen.parse.inline import link_targets, only_links, tokens_to_text, unwrap_bold
from cardgen.parse.patterns import bare

_SEPARATOR = re.compile(r"^[\s:|=_*~-]*$")
_INDEX_HEADERS = frozenset(
    {"", "#", "no", "no.", "nr", "n°", "num", "number", "index", "sr", "s.no", "sl"}
)
_KEY_HEADERS = frozenset(
    """name command code term keyword option flag flags method function state error errors
    layer protocol port status key shortcut shortcuts operator symbol type tag header field
    variable directive element attribute property parameter setting verb mode pattern syntax
    expression character char sequence format specifier signal level value""".split()
)
_TEXT_HEADERS = frozenset(
    """description meaning explanation purpose notes note comment comments details definition
    summary usage remarks what it does info information""".split()
)
_GENERIC_LINK_TEXT = re.compile(
    r"^(?:\?|link|links|docs?|documentation|more|source|here|ref|"
    r"reference|see|info|details|read more|example|\W*)$",
    re.I,
)


def count_source_cells(line: str) -> int:
    """Cells in a raw table line, splitting on pipes not escaped and not in code spans."""
    text = line.strip()
    cells = 1
    i = 0
    in_code = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "`":
            run = len(text[i:]) - len(text[i:].lstrip("`"))
            in_code = 0 if in_code == run else (in_code or run)
            i += run
            continue
        if ch == "|" and not in_code:
            cells += 1
        i += 1
    if text.startswith("|"):
        cells -= 1
    if text.endswith("|") and not text.endswith("\\|") and len(text) > 1:
        cells -= 1
    return cells


def _cell_text(cell: SyntaxTreeNode) -> str:
    inline = cell.children[0].token if cell.children else None
    if inline is None:
        return ""
    if inline.content.count("`") % 2:
        return ""  # a `|` inside code split this cell: what is left is not the author's text
    children = inline.children or []
    text = unwrap_bold(tokens_to_text(children))
    if only_links(children) and (
        _GENERIC_LINK_TEXT.match(bare(text)) or bare(text) in link_targets(children)
    ):
        return ""
    return text


def is_separator_row(cells: tuple[str, ...]) -> bool:
    return all(_SEPARATOR.match(bare(c)) for c in cells)


def key_column(header: tuple[str, ...], rows: list[TableRow]) -> int:
    """The column whose values name their rows: all there, all different, short, preferably
    code or a name; never a running number."""
    best, best_score = 0, float("-inf")
    for j in range(len(header)):
        values = [row.cells[j] if j < len(row.cells) else "" for row in rows]
        plain = [bare(v) if v.startswith("`") else bare(v).casefold() for v in values]
        if len(plain) - len([p for p in plain if p]) > max(1, len(plain) // 5):
            continue  # a key names (nearly) every row; a row without one is skipped
        plain = [p for p in plain if p]
        if not plain or len(set(plain)) != len(plain):
            continue
        if _is_index(header[j], plain) or all(len(p) <= 2 and p.isalpha() for p in plain):
            continue
        words = sum(len(p.split()) for p in plain) / len(plain)
        code = sum(v.startswith("`") for v in values) / len(values)
        name = bare(header[j]).casefold().strip(" :")
        score = -words + 2 * code - 0.5 * j
        score += 2 if name in _KEY_HEADERS else 0
        score -= 4 if name in _TEXT_HEADERS else 0
        if score > best_score:
            best, best_score = j, score
    return best


def _is_index(header: str, plain: list[str]) -> bool:
    if bare(header).casefold().strip(" :") not in _INDEX_HEADERS:
        return False
    return all(re.fullmatch(r"\d+\.?", p) for p in plain)


def make_table(
    path: str,
    pos_line: int,
    section: tuple[str, ...],
    title: str,
    header: tuple[str, ...],
    body: list[TableRow],
) -> Table:
    rows = [r for r in body if not is_separator_row(r.cells) and any(bare(c) for c in r.cells)]
    return Table(
        SourcePos(path, pos_line), section, title, header, tuple(rows), key_column(header, rows)
    )


def build_table(
    node: SyntaxTreeNode,
    lines: list[str],
    path: str,
    section: tuple[str, ...],
    title: str,
    images=None,
) -> tuple[Table, list[Diagnostic]]:
    warnings: list[Diagnostic] = []
    header: tuple[str, ...] = ()
    rows: list[TableRow] = []
    for part in node.children:
        for tr in part.children:
            line = (tr.map[0] if tr.map else node.map[0]) + 1
            cells = tuple(_cell_text(cell) for cell in tr.children)
            if images is not None:
                cells = tuple(images(c, SourcePos(path, line)) for c in cells)
            if part.type == "thead":
                header = cells
                continue
            raw = count_source_cells(lines[line - 1]) if line - 1 < len(lines) else len(cells)
            if raw != len(header) and not is_separator_row(cells):
                what = "missing" if raw < len(header) else "extra, dropped"
                warnings.append(
                    Diagnostic(
                        path,
                        line,
                        (
                            f"table row has {raw} cells but the header has {len(header)} "
                            f"({abs(len(header) - raw)} {what})"
                        ),
                    )
                )
            rows.append(TableRow(cells, SourcePos(path, line)))
    pos_line = node.map[0] + 1 if node.map else 1
    return make_table(path, pos_line, section, title, header, rows), warnings
