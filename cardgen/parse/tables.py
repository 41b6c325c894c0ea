"""Pipe tables: header, rows, and the ragged rows markdown-it pads or cuts without a word."""

from __future__ import annotations

from markdown_it.tree import SyntaxTreeNode

from cardgen.errors import Diagnostic
from cardgen.model import SourcePos, Table, TableRow
from cardgen.parse.inline import tokens_to_text


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
    return tokens_to_text(inline.children) if inline else ""


def _row_cells(tr: SyntaxTreeNode) -> tuple[str, ...]:
    return tuple(_cell_text(cell) for cell in tr.children)


def build_table(
    node: SyntaxTreeNode,
    lines: list[str],
    path: str,
    section: tuple[str, ...],
    title: str,
) -> tuple[Table, list[Diagnostic]]:
    warnings: list[Diagnostic] = []
    header: tuple[str, ...] = ()
    rows: list[TableRow] = []
    for part in node.children:
        for tr in part.children:
            cells = _row_cells(tr)
            line = (tr.map[0] if tr.map else node.map[0]) + 1
            if part.type == "thead":
                header = cells
                continue
            raw = count_source_cells(lines[line - 1]) if line - 1 < len(lines) else len(cells)
            if raw != len(header):
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
            if not cells or not cells[0]:
                warnings.append(Diagnostic(path, line, "table row without a row header: skipped"))
                continue
            rows.append(TableRow(cells, SourcePos(path, line)))
    pos = SourcePos(path, node.map[0] + 1 if node.map else 1)
    return Table(pos, section, title, header, tuple(rows)), warnings
