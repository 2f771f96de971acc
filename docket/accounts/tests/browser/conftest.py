"""The complaints browser tests' fixtures (Debian's Chromium through Playwright), shared."""

from docket.complaints.tests.browser.conftest import chromium, page_for, shot  # noqa: F401
