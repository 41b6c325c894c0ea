"""What became of each block of a sheet, for its author: the cards it made, or why it made
none. `cardgen explain` prints it; the build's report page shows the same data."""

from __future__ import annotations

from dataclasses import dataclass, field

from cardgen.advice import advice, not_a_fact
from cardgen.model import Sheet
from cardgen.questions import Question, QuestionBank
from cardgen.questions.model import BlockOutcome
from cardgen.questions.text import plain


@dataclass(slots=True)
class CardView:
    """One card as a learner meets it, in plain text."""

    front: str
    back: str
    line: int
    kind: str


@dataclass(slots=True)
class BlockView:
    outcome: BlockOutcome
    end_line: int
    """The last line the block may span (the line before the next block)."""
    cards: list[CardView] = field(default_factory=list)

    @property
    def made(self) -> bool:
        return bool(self.cards)

    @property
    def reason(self) -> str:
        """Why the block made no card (its first reason), or ``."""
        return "" if self.made or not self.outcome.reasons else self.outcome.reasons[0][1]

    @property
    def to_fix(self) -> bool:
        """A block that made no card and could, with a change to the sheet."""
        return not self.made and not not_a_fact(self.reason)

    @property
    def advice(self) -> str:
        return advice(self.reason) if self.to_fix else ""


@dataclass(slots=True)
class Explanation:
    path: str
    title: str
    blocks: list[BlockView]
    warnings: list[str]

    @property
    def summary(self) -> dict[str, object]:
        skipped: dict[str, int] = {}
        not_facts: dict[str, int] = {}
        to_fix: dict[str, dict[str, object]] = {}
        for view in self.blocks:
            if view.made:
                continue
            kind = _reason_kind(view.reason) if view.reason else "?"
            skipped[kind] = skipped.get(kind, 0) + 1
            if view.to_fix:
                entry = to_fix.setdefault(kind, {"advice": view.advice, "lines": []})
                entry["lines"].append(view.outcome.source.line)  # type: ignore[union-attr]
            else:
                not_facts[kind] = not_facts.get(kind, 0) + 1

        def by_count(d: dict[str, int]) -> dict[str, int]:
            return dict(sorted(d.items(), key=lambda kv: (-kv[1], kv[0])))

        return {
            "blocks": len(self.blocks),
            "with_cards": sum(v.made for v in self.blocks),
            "cards": sum(len(v.cards) for v in self.blocks),
            "skipped": by_count(skipped),
            "to_fix": dict(
                sorted(to_fix.items(), key=lambda kv: (-len(kv[1]["lines"]), kv[0]))  # type: ignore[arg-type]
            ),
            "not_facts": by_count(not_facts),
        }

    def to_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "summary": self.summary,
            "blocks": [
                {
                    **view.outcome.to_json(),
                    "cards": [
                        {"front": c.front, "back": c.back, "line": c.line, "kind": c.kind}
                        for c in view.cards
                    ],
                }
                for view in self.blocks
            ],
        }


def _reason_kind(reason: str) -> str:
    """The reason without its particulars (quoted words, counts), to count alike ones."""
    import re

    text = re.sub(r"'[^']*'", "'…'", reason)
    text = re.sub(r"\d+", "N", text)
    return text.split("; asked the other way")[0].split(":")[0].strip()


def card_views(q: Question) -> list[CardView]:
    """The card (or two, for a reverse note) a question makes, as plain text."""
    if q.style == "cloze" and q.cloze is not None:
        before, hidden, after = q.cloze
        front = f"{plain(q.prompt)}: " + plain(f"{before}\x00{after}").replace("\x00", "[…]")
        return [CardView(front, plain(hidden), q.source.line, q.kind)]
    if q.style == "cloze" and q.listing:
        items = [("[…]" if i == q.listing_blank else plain(t)) for i, t in enumerate(q.listing)]
        return [
            CardView(
                f"{plain(q.prompt)} " + " · ".join(items), plain(q.answer), q.source.line, q.kind
            )
        ]
    if q.code is not None and q.code_blank:
        start, end = q.code_blank
        code = q.code[:start] + "[…]" + q.code[end:]
        return [
            CardView(f"{plain(q.prompt)}\n{code.rstrip()}", plain(q.answer), q.source.line, q.kind)
        ]
    front = plain(q.prompt) + (f"\n{q.code.rstrip()}" if q.code else "")
    views = [CardView(front, plain(q.answer), q.source.line, q.kind)]
    if q.style == "reverse" and q.reverse_prompt and q.reverse_answer:
        views.append(
            CardView(plain(q.reverse_prompt), plain(q.reverse_answer), q.source.line, q.kind)
        )
    return views


def explain(sheet: Sheet, bank: QuestionBank) -> Explanation:
    by_key: dict[str, Question] = {q.key: q for q in bank.questions}
    lines = [o.source.line for o in bank.outcomes]
    views = []
    for n, outcome in enumerate(bank.outcomes):
        later = [line for line in lines[n + 1 :] if line > outcome.source.line]
        end = (min(later) - 1) if later else 10**9
        view = BlockView(outcome, end)
        for key in outcome.questions:
            q = by_key.get(key)
            if q is not None:
                view.cards += card_views(q)
        views.append(view)
    return Explanation(sheet.path, sheet.title, views, [str(w) for w in sheet.warnings])


def format_text(ex: Explanation, line: int | None = None, color: bool = False) -> str:
    """The explanation for a terminal (or a CI log)."""

    def paint(text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if color else text

    out = [f"{ex.path}: {ex.title}"]
    for view in ex.blocks:
        o = view.outcome
        if line is not None and not (o.source.line <= line <= view.end_line):
            continue
        mark = paint("✓", "32") if view.made else paint("✗", "31")
        count = f"{len(view.cards)} card{'s' if len(view.cards) != 1 else ''}"
        out.append(
            f"{ex.path}:{o.source.line}: {mark} {o.summary}: {count if view.made else 'no card'}"
        )
        for card in view.cards:
            front = card.front.replace("\n", " ⏎ ")
            out.append(f"    {card.line:>5}  {front}  →  {card.back}")
        for where, reason in o.reasons:
            out.append(f"    {where:>5}  {paint('skipped', '33')}: {reason}")
        if view.advice and view.advice not in view.reason:
            out.append(f"           {paint('to make a card', '36')}: {view.advice}")
    if line is None:
        s = ex.summary
        out.append(f"{s['blocks']} blocks, {s['with_cards']} with cards, {s['cards']} cards")
        for kind, entry in s["to_fix"].items():  # type: ignore[union-attr]
            lines = ", ".join(str(n) for n in entry["lines"][:8])
            more = " …" if len(entry["lines"]) > 8 else ""
            fix = f" → {entry['advice']}" if entry["advice"] else ""
            out.append(f"  to fix, {len(entry['lines'])} × {kind}{fix} (lines {lines}{more})")
        if s["not_facts"]:
            n = sum(s["not_facts"].values())  # type: ignore[union-attr]
            out.append(f"  {n} blocks are not facts (context, links, examples): nothing to do")
    for warning in ex.warnings:
        out.append(f"warning: {warning}")
    return "\n".join(out) + "\n"
