"""`output/index.html`: every sheet's outputs with their counts and check status."""

from __future__ import annotations

from collections import Counter

from cardgen.render.quiz_html import environment


def render_index(report: dict) -> bytes:
    sheets = []
    for entry in report["sheets"]:
        checks = Counter(c["status"] for c in entry["checks"])
        counts = entry["counts"]
        sheets.append(
            {
                **entry,
                "check_counts": dict(sorted(checks.items())),
                "check_failed": [c for c in entry["checks"] if c["status"] in ("FAIL", "REFUSED")],
                "cards": counts.get("deck", {}).get("cards"),
                "quiz_items": sum(counts.get("quiz", {}).values()) if counts.get("quiz") else None,
            }
        )
    totals = Counter(s["status"] for s in report["sheets"])
    template = environment().get_template("index.html.j2")
    return template.render(sheets=sheets, totals=totals, version=report["cardgen"]).encode()
