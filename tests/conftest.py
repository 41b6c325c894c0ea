from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "content" / "ch02-sockets.md"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def seed_sheet():
    from cardgen.parse import parse_file

    return parse_file(SEED, "content/ch02-sockets.md")
