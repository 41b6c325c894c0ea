"""Where the printed quiz's pages break, decided before any browser lays it out.

Each question's height is estimated from its text (lines of prose, of code, of options) in CSS
pixels, for a page as narrow as A4 and as short as US Letter, with room to spare. The
questions are then dealt over the fewest pages that hold them, as evenly as they allow (the
smallest page that still needs no more pages), so that the last page is not a stray question,
and both papers print the same pages (`break-before: page` on the first question of a page).
"""

from __future__ import annotations

import math
import re

from cardgen.questions.text import plain
from cardgen.quiz.model import QuizQuestion, QuizVersion

WIDTH = 688.0
"""Text width in CSS pixels: A4 (210 mm) less its 14 mm margins."""
HEIGHT = 913.0
"""Text height in CSS pixels: US Letter (279.4 mm) less its 15 mm and 17 mm margins."""
FILL = 0.97
"""Share of a page the estimate may fill: the rest absorbs its error."""
LINE = 20.5
"""A line of 11 pt text (line height 1.4)."""
CHAR = 8.1
"""Average width of a character of 11 pt DejaVu Sans."""
CODE_LINE = 15.9
CODE_CHAR = 7.65
HEADER = 150.0
"""Title, name fields and the instructions block, less its line for each kind."""
SECTION = 75.0
"""A kind's heading and its one-line instructions."""
QUESTION_GAP = 14.7


def inline_width(text: str) -> float:
    """Width of inline text: code spans in 9.5 pt mono, the rest in 11 pt DejaVu Sans."""
    width = 0.0
    for n, part in enumerate(re.split(r"`+", text)):
        width += len(part) * CODE_CHAR + 4 if n % 2 else text_width(plain(part))
    return width


def text_width(text: str) -> float:
    """Width of 11 pt DejaVu Sans text, from the typical width of its kinds of characters."""
    em = 14.67
    width = 0.0
    for ch in text:
        if ch.isupper():
            width += 0.72
        elif ch.isdigit():
            width += 0.64
        elif ch == " ":
            width += 0.32
        elif ch.isalpha():
            width += 0.58 if ch.isascii() else 1.0
        else:
            width += 0.45
    return width * em


def _lines(text: str, width: float, char: float = CHAR, extra_chars: int = 0) -> int:
    """Lines the text takes at `width` (words wrap whole, so a line is taken as 92% full)."""
    scale = char / CHAR
    total = 0
    for paragraph in text.split("\n"):
        wide = (inline_width(paragraph) + extra_chars * CHAR) * scale
        total += max(1, math.ceil(wide / (width * 0.92)))
    return total


def _code_block(code: str, width: float) -> float:
    per_line = max((width - 24) / CODE_CHAR, 8)
    lines = sum(max(1, math.ceil(len(line) / per_line)) for line in code.rstrip("\n").split("\n"))
    return lines * CODE_LINE + 22


def _inline_height(text: str, width: float, extra_chars: int = 0, bold: float = 1.0) -> float:
    """Height of inline text; a multi-line code span is a block of its own."""
    if "`" in text and "\n" in text:
        return LINE + _code_block(plain(text), width)
    return _lines(text, width, CHAR * bold, extra_chars) * LINE


def question_height(q: QuizQuestion) -> float:
    """Estimated height of a printed question, with its margin."""
    stem = WIDTH - 90  # number and points beside the stem
    prompt = q.prompt.replace("_____", "_" * 14)
    height = _inline_height(prompt, stem) + QUESTION_GAP
    if q.code:
        height += _code_block(q.code, WIDTH)
    inner = WIDTH - 32
    if q.kind in ("multiple_choice", "classification"):
        texts = [plain(o) for o in q.options]
        if all(len(t) <= 28 for t in texts):
            columns = max(1, int((inner + 24) / (14 * 14.67 + 24)))
            height += math.ceil(len(texts) / columns) * (LINE + 1.5)
        else:
            height += sum(_inline_height(o, WIDTH - 69) + 1.5 for o in q.options)
        height += 6
    elif q.kind == "true_false":
        height += _inline_height(f"Proposed answer: {q.statement}", inner, 16, 1.1) + 4
    elif q.kind == "fill_in" and q.code:
        height += LINE + 6
    elif q.kind == "matching":
        left = sum(_lines(i, inner / 2 - 50) for i in q.items)
        right = sum(_lines(o, inner / 2 - 20) for o in q.options)
        height += max(left, right) * (LINE + 4) + 8
    elif q.kind == "ordering":
        rows, used = 1, 0.0
        for item in q.items:  # boxes side by side, wrapped as flex-wrap does
            width = inline_width(item) + 54
            if used and used + width > inner:
                rows, used = rows + 1, 0.0
            used += width
        height += rows * (LINE + 5) + 6
    return height


def page_starts(version: QuizVersion) -> list[int]:
    """Numbers of the questions that start a page, the first page's excepted."""
    blocks: list[tuple[int, float]] = []
    previous = None
    for q in version.questions:
        height = question_height(q)
        if q.kind != previous:
            height += SECTION  # a kind's heading stays with its first question
            previous = q.kind
        blocks.append((q.number, height))
    room = HEIGHT * FILL
    header = HEADER + LINE * 1.1 * len({q.kind for q in version.questions})
    fewest = _fill(blocks, room, header)
    if fewest is None:  # a question taller than a page: the browser breaks inside it
        return []
    return _even(blocks, len(fewest) + 1, room, header)


def _fill(blocks: list[tuple[int, float]], room: float, header: float) -> list[int] | None:
    """Page by page, as many questions as fit in `room`; None if one never fits."""
    starts: list[int] = []
    used, placed = header, 0
    for number, height in blocks:
        if height > room:
            return None
        if used + height > room and placed:
            starts.append(number)
            used, placed = 0.0, 0
        used += height
        placed += 1
    return starts


def _even(blocks: list[tuple[int, float]], pages: int, room: float, header: float) -> list[int]:
    """The breaks that spread the questions over `pages` pages most evenly: the least sum of
    squared room left on each page (dynamic programming over where each page starts)."""
    n = len(blocks)
    prefix = [0.0]
    for _, height in blocks:
        prefix.append(prefix[-1] + height)
    inf = float("inf")
    # best[p][i]: cost of the first i questions on p pages; back[p][i]: where page p starts
    best = [[inf] * (n + 1) for _ in range(pages + 1)]
    back = [[0] * (n + 1) for _ in range(pages + 1)]
    best[0][0] = 0.0
    for p in range(1, pages + 1):
        for i in range(1, n + 1):
            for j in range(p - 1, i):
                load = prefix[i] - prefix[j] + (header if j == 0 else 0.0)
                if load > room or best[p - 1][j] == inf:
                    continue
                cost = best[p - 1][j] + (room - load) ** 2
                if cost < best[p][i]:
                    best[p][i], back[p][i] = cost, j
    if best[pages][n] == inf:
        return _fill(blocks, room, header) or []
    starts: list[int] = []
    i = n
    for p in range(pages, 1, -1):
        i = back[p][i]
        starts.append(blocks[i][0])
    return sorted(starts)
