"""Check results as terminal lines, a JSON report and JUnit XML for CI systems."""

from __future__ import annotations

import json
from collections import Counter
from xml.etree import ElementTree as ET

from cardgen.check.model import FAIL, REFUSED, SKIP, CheckResult


def summary(results: list[CheckResult]) -> str:
    counts = Counter(r.status for r in results)
    return ", ".join(f"{counts.get(s, 0)} {s.lower()}" for s in ("PASS", FAIL, SKIP, REFUSED))


def to_json(results: list[CheckResult], isolation: str = "") -> bytes:
    doc = {
        "isolation": isolation,
        "summary": dict(Counter(r.status for r in results)),
        "checks": [r.to_json() for r in results],
    }
    return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode()


def to_junit(results: list[CheckResult], isolation: str = "") -> bytes:
    suites = ET.Element("testsuites", name="cardgen check")
    by_path: dict[str, list[CheckResult]] = {}
    for r in results:
        by_path.setdefault(r.path, []).append(r)
    for path, group in by_path.items():
        counts = Counter(r.status for r in group)
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=path,
            tests=str(len(group)),
            failures=str(counts.get(FAIL, 0) + counts.get(REFUSED, 0)),
            skipped=str(counts.get(SKIP, 0)),
            errors="0",
        )
        if isolation:
            props = ET.SubElement(suite, "properties")
            ET.SubElement(props, "property", name="isolation", value=isolation)
        for r in group:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=path,
                name=f"line {r.line}: {r.lang} {r.kind} — {r.label}",
                time=f"{r.seconds:.3f}",
                file=path,
                line=str(r.line),
            )
            if r.status in (FAIL, REFUSED):
                failure = ET.SubElement(case, "failure", message=r.reason, type=r.status)
                failure.text = "\n".join(r.transcript)
            elif r.status == SKIP:
                ET.SubElement(case, "skipped", message=r.reason)
    ET.indent(suites)
    return ET.tostring(suites, encoding="utf-8", xml_declaration=True) + b"\n"
