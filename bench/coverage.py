"""How many of a folder's facts a build asks, counted without cardgen's parser.

    python bench/coverage.py SHEETS_DIR OUTPUT_DIR

A fact is a table cell (not in the first column), a definition (`**Term**: text`, `- term - text`,
`Term` + `: text`), a fenced code block, or a tldr command. It counts as asked when its text
stands in a field of some note of the sheet's deck (for a code block: one of its lines). The
counter is deliberately simple and independent, so that two versions of cardgen are measured
the same way.
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import sys
import tempfile
import zipfile
from html import unescape
from pathlib import Path

_DEFINITION = re.compile(
    r"^\s*(?:[-*+]\s+)?(?:\*\*([^*]+?):\*\*|(?:\*\*([^*]+?)\*\*|`([^`]+)`)\s*(?::|\s[-–—]\s))"
    r"\s*(\S.{2,})$"
)
_FENCE = re.compile(r"^\s*(```+|~~~+)")
_TLDR = re.compile(r"^`([^`]+)`\s*$")


def norm(text: str) -> str:
    text = re.sub(r"`|\*\*|__|\{\{[^}]*\}\}|<[^>]+>", "", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"\s+", " ", unescape(text)).strip().lower().rstrip(".")


def facts_of(text: str) -> dict[str, list[str]]:
    """Facts by kind: the text each one must show in a card."""
    facts: dict[str, list[str]] = {"table": [], "definition": [], "code": [], "command": []}
    lines = text.split("\n")
    in_fence = None
    block: list[str] = []
    for i, line in enumerate(lines):
        m = _FENCE.match(line)
        if in_fence:
            if m and m.group(1)[0] == in_fence[0]:
                code = [
                    c.strip()
                    for c in block
                    if len(c.strip()) >= 6 and not c.strip().startswith(("#", "//"))
                ]
                if code:
                    facts["code"].append("\n".join(code))
                in_fence, block = None, []
            else:
                block.append(line)
            continue
        if m:
            in_fence, block = m.group(1), []
            continue
        if (
            line.strip().startswith("|")
            and i + 1 < len(lines)
            and re.match(r"^\s*\|?\s*:?-{3,}", lines[i + 1])
        ):
            continue  # a header row
        if line.strip().startswith("|") and not re.match(r"^\s*\|?\s*:?-{3,}", line):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            facts["table"] += [
                norm(c) for c in cells[1:] if len(norm(c)) >= 2 and norm(c) not in ("-", "—", "?")
            ]
            continue
        if (d := _DEFINITION.match(line)) is not None:
            facts["definition"].append(norm(d.group(4)))
            continue
        if (t := _TLDR.match(line.strip())) and i >= 2 and lines[i - 2].startswith("- "):
            facts["command"].append(norm(t.group(1)))
        if (
            line.startswith(": ")
            and i
            and lines[i - 1].strip()
            and not lines[i - 1].startswith(("-", "*", "|"))
        ):
            facts["definition"].append(norm(line[2:]))
    return facts


def deck_text(apkg: Path) -> str:
    with zipfile.ZipFile(apkg) as zf, tempfile.NamedTemporaryFile(suffix=".anki2") as tmp:
        tmp.write(zf.read("collection.anki2"))
        tmp.flush()
        db = sqlite3.connect(tmp.name)
        try:
            fields = [row[0] for row in db.execute("select flds from notes")]
        finally:
            db.close()
    text = "\n".join(f.replace("\x1f", "\n") for f in fields)
    text = re.sub(r"\{\{c\d+::(.*?)\}\}", r"\1", text, flags=re.S)
    text = re.sub(r"</?(?:span|b|i|code|em|strong)\b[^>]*>", "", text)
    text = re.sub(r"<[^>]+>", " ", text)
    text = (
        unescape(text)
        .replace("<", "")
        .replace(">", "")
        .replace("&#123;", "{")
        .replace("&#125;", "}")
        .replace("&#58;", ":")
    )
    return re.sub(r"[ \t]+", " ", text).lower()


def asked(kind: str, fact: str, deck: str) -> bool:
    if kind == "code":
        for line in fact.split("\n"):
            code = norm(re.sub(r"\s+(?:#|//)\s.*$", "", line.replace("<", "").replace(">", "")))
            if len(code) >= 2 and re.search(r"\w", code) and code[:40] in deck:
                return True
        return False
    return norm(fact)[:60] in re.sub(r"\s+", " ", deck)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sheets", type=Path)
    parser.add_argument("output", type=Path)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    totals: dict[str, list[int]] = {}
    for sheet in sorted(args.sheets.glob("*.md")):
        decks = [p for p in args.output.glob("decks/**/*.apkg") if p.stem == sheet.stem]
        deck = deck_text(decks[0]) if decks else ""
        for kind, facts in facts_of(sheet.read_text(encoding="utf-8", errors="replace")).items():
            got = sum(asked(kind, f, deck) for f in facts)
            totals.setdefault(kind, [0, 0])
            totals[kind][0] += got
            totals[kind][1] += len(facts)
    if args.json:
        print(json.dumps(totals))
        return 0
    for kind, (got, total) in totals.items():
        share = got / total if total else 0
        print(f"{kind:<11} {got:>5} of {total:<5} asked ({share:.0%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
