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


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def chromium_path() -> str:
    import shutil

    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    pytest.fail("Chromium is needed for the browser tests: run scripts/install-system-deps.sh")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, timeout=60_000)
        yield b
        b.close()


def as_a_user() -> list[str]:
    """A command prefix that runs as root without the capabilities that bypass file modes,
    so that a folder of mode 0555 is as read-only to it as to any user, while it keeps its
    uid and can still read the tools and packages installed under root's private home
    (`nobody` cannot). Empty when not root."""
    import os

    if os.geteuid() != 0:
        return []
    drop = "-dac_override,-dac_read_search,-fowner,-chown,-linux_immutable"
    return ["setpriv", f"--bounding-set={drop}", "--"]
