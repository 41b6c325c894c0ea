"""Input/expected pairs, as markdown-it-py keeps them: `fixtures/parse/X.md` → `X.json`.

To accept a deliberate change: `CARDGEN_UPDATE_FIXTURES=1 pytest tests/test_parse_fixtures.py`,
then read the diff of the JSON files before committing it.
"""

from __future__ import annotations

import json
import os

import pytest

from cardgen.model import to_json
from cardgen.parse import parse_file
from tests.conftest import FIXTURES

CASES = sorted((FIXTURES / "parse").glob("*.md"))


def _actual(md_path):
    sheet = parse_file(md_path, md_path.name)
    data = to_json(sheet)
    data["warnings"] = [f"{w['line']}: {w['message']}" for w in data["warnings"]]
    return data


@pytest.mark.parametrize("md_path", CASES, ids=[c.stem for c in CASES])
def test_fixture(md_path):
    expected_path = md_path.with_suffix(".json")
    actual = _actual(md_path)
    if os.environ.get("CARDGEN_UPDATE_FIXTURES"):
        expected_path.write_text(json.dumps(actual, indent=2, ensure_ascii=False) + "\n")
    assert actual == json.loads(expected_path.read_text())
