"""Draw cards at random from built decks, rendered by real Anki, as plain text: the sample a
grader reads blind (front, back, nothing about how they were made).

    python scripts/sample_cards.py OUTPUT_DIR -n 150 --seed 1 > sample.md

Needs the `anki` package (the test extra).
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
from html import unescape
from pathlib import Path


def text_of(html: str) -> str:
    html = re.sub(r"<style>.*?</style>", "", html, flags=re.S)
    html = re.sub(r"<(?:br|/div|/li|/p|/tr|/pre)\b[^>]*>", "\n", html)
    html = re.sub(r"<li\b[^>]*>", "• ", html)
    html = re.sub(r"<img\b[^>]*alt=\"([^\"]*)\"[^>]*>", r"[image: \1]", html)
    html = re.sub(r"<[^>]+>", "", html)
    lines = [re.sub(r"[ \t]+", " ", unescape(line)).rstrip() for line in html.split("\n")]
    out: list[str] = []
    for line in lines:
        if line.strip() or (out and out[-1].strip()):
            out.append(line)
    return "\n".join(out).strip()


def cards_of(decks: list[Path]) -> list[tuple[str, str, str]]:
    from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

    with tempfile.TemporaryDirectory() as tmp:
        col = Collection(str(Path(tmp) / "sample.anki2"))
        try:
            for apkg in decks:
                request = ImportAnkiPackageRequest(
                    package_path=str(apkg), options=ImportAnkiPackageOptions()
                )
                col.import_anki_package(request)
            out = []
            for cid in sorted(col.find_cards("")):
                card = col.get_card(cid)
                front = text_of(card.question())
                answer = card.answer()
                back_html = (
                    answer.split('<hr id="answer">', 1)[-1] if "answer" in answer else answer
                )
                back = text_of(back_html)
                if card.note_type()["type"] == 1:  # cloze: the answer side is the whole text
                    back = text_of(answer)
                out.append((col.decks.name(card.did), front, back))
            return out
        finally:
            col.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("output", type=Path, help="a cardgen output folder (with decks/)")
    parser.add_argument("-n", type=int, default=150, help="how many cards (default 150)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    decks = sorted(args.output.glob("decks/**/*.apkg"))
    if not decks:
        print(f"{args.output}: no decks", file=sys.stderr)
        return 2
    cards = cards_of(decks)
    picked = random.Random(args.seed).sample(cards, min(args.n, len(cards)))
    print(f"# {len(picked)} cards drawn at random from {len(cards)} in {len(decks)} decks\n")
    for n, (deck, front, back) in enumerate(picked, start=1):
        print(
            f"## Card {n}\n\nDeck: {deck}\n\nFRONT:\n```\n{front}\n```\n\nBACK:\n```\n{back}\n```\n"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
