"""`output/index.html`: every sheet's outputs with their counts and check status.

Everything from a sheet or a file name is escaped (Jinja2's autoescape), and links are
percent-encoded paths: a sheet named `<script>….md` or `#?.md` shows as its name and links to
its own outputs."""

from __future__ import annotations

from collections import Counter
from urllib.parse import quote

from cardgen.render.quiz_html import environment


def href(path: str) -> str:
    """A relative link to an output: each path segment percent-encoded, so that no name can
    become a scheme (`javascript:`), a fragment or a query."""
    return "/".join(quote(part, safe="") for part in path.split("/"))


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
                "links": [{"href": href(out), "text": out} for out in entry["outputs"]],
                "to_fix": sum(
                    len(e["lines"]) for e in counts.get("report", {}).get("to_fix", {}).values()
                ),
                "report": next((href(o) for o in entry["outputs"] if o.startswith("reports/")), ""),
                "quiz_items": sum(counts.get("quiz", {}).values()) if counts.get("quiz") else None,
            }
        )
    totals = Counter(s["status"] for s in report["sheets"])
    template = environment().get_template("index.html.j2")
    return template.render(
        sheets=sheets,
        totals=totals,
        version=report["cardgen"],
        warnings=report.get("warnings", []),
        ledgers=report.get("ledgers", []),
    ).encode()
