"""`output/reports/<sheet>.html`: the author's report. The sheet block by block, with line
numbers: the cards each block made, or why it made none, and a summary line on top."""

from __future__ import annotations

from cardgen.explain import Explanation
from cardgen.render.quiz_html import environment


def render_report(
    ex: Explanation, sheet_href: str = "", index_href: str = "../index.html"
) -> bytes:
    template = environment().get_template("report.html.j2")
    return template.render(
        ex=ex, summary=ex.summary, sheet_href=sheet_href, index_href=index_href
    ).encode()
