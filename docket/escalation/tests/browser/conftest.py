"""Browser fixtures for the escalation board: the reports' arrangement (a module-scoped Chromium run just
before the complaints' browser tests, docket/reports/tests/browser/conftest.py explains why)."""

import pytest

from docket.complaints.tests.browser.conftest import CHROMIUM, page_for, shot  # noqa: F401

HERE = "docket/escalation/tests/browser/"
THEIRS = "docket/complaints/tests/browser/"


@pytest.fixture(scope="module")
def chromium():
    from pathlib import Path

    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make test` (it installs Debian's chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
        )
        yield browser
        browser.close()


def pytest_collection_modifyitems(config, items):
    mine = [i for i in items if HERE in i.nodeid]
    if not mine:
        return
    rest = [i for i in items if HERE not in i.nodeid]
    at = next((n for n, i in enumerate(rest) if THEIRS in i.nodeid), len(rest))
    items[:] = rest[:at] + mine + rest[at:]
