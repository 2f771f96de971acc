"""The browser fixtures of the staff pages' tests (Debian's Chromium, screenshots in test-artifacts/)."""

from docket.complaints.tests.browser.conftest import ARTIFACTS, chromium, shot  # noqa: F401
