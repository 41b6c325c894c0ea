"""Line numbers of the host's text, mapped back to the chapter's own file.

A book's host may change a chapter before cardgen sees it (mdBook's `links` preprocessor
puts `{{#include file.rs}}`'s lines in the chapter). cardgen reads the text as the reader will
see it, and reports every line where the author can find it: a line that came in with an
include is reported at the include's line.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from difflib import SequenceMatcher

from cardgen.errors import Diagnostic
from cardgen.model import Sheet, SourcePos

LineMap = Callable[[int], int]


def line_map(text: str, original: str | None) -> LineMap:
    """Line of `text` → line of `original` (the file on disk); the identity when they agree."""
    if original is None or original == text:
        return lambda line: line
    old = original.split("\n")
    new = text.split("\n")
    table = [1] * (len(new) + 2)
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        for k in range(j1, j2):
            if tag == "equal":
                table[k + 1] = i1 + (k - j1) + 1
            elif i2 > i1:  # lines that replaced others: the directive's line (or lines)
                table[k + 1] = min(i1 + (k - j1), i2 - 1) + 1
            else:  # lines inserted where the file has none: the line above them
                table[k + 1] = max(i1, 1)
    last = len(old)

    def mapped(line: int) -> int:
        if 1 <= line < len(table):
            return min(table[line], max(last, 1))
        return max(last, 1)

    return mapped


def _moved(node: object, mapping: LineMap, path: str) -> object:
    if isinstance(node, SourcePos):
        return SourcePos(path, mapping(node.line))
    if isinstance(node, Diagnostic):
        return Diagnostic(path, mapping(node.line), node.message)
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        changes = {
            f.name: _moved(getattr(node, f.name), mapping, path)
            for f in dataclasses.fields(node)
            if f.init
        }
        return dataclasses.replace(node, **changes)
    if isinstance(node, tuple):
        return tuple(_moved(v, mapping, path) for v in node)
    if isinstance(node, list):
        return [_moved(v, mapping, path) for v in node]
    if isinstance(node, dict):
        return {k: _moved(v, mapping, path) for k, v in node.items()}
    return node


def relocate(sheet: Sheet, mapping: LineMap, path: str) -> Sheet:
    """The sheet with every position and warning at its line in the chapter's file, named by
    `path` (as the author knows it: `src/ch02.md`). The sheet's own `path` stays the file's
    (its images, its time)."""
    moved = _moved(sheet, mapping, path)
    assert isinstance(moved, Sheet)
    return moved
