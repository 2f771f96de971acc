"""The complaints' browser fixtures (Debian's Chromium, a logged-in page, screenshots in test-artifacts/)."""

from docket.complaints.tests.browser.conftest import chromium, page_for, shot  # noqa: F401
