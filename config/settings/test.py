"""Test settings: the database comes from DATABASE_URL (SQLite by default, PostgreSQL in CI's second pass)."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import HUEY

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
HUEY = {**HUEY, "immediate": True}
# One test database per test process, so two test runs on one machine never share (or delete) each
# other's database.
if "sqlite" in DATABASES["default"]["ENGINE"]:  # noqa: F405
    # A file, not :memory:, so that tests with several threads see one real WAL database.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.environ.get(
            "DOCKET_TEST_SQLITE", str(Path(tempfile.gettempdir()) / f"docket-test-{os.getpid()}.sqlite3")
        )
    }
else:
    DATABASES["default"]["TEST"] = {"NAME": f"test_docket_{os.getpid()}"}  # noqa: F405
# One media folder per test process, as the database and the cache: tests that compare the files on disk
# before and after a filing (portal/filing/tests/test_filing.py) saw another xdist worker's uploads.
MEDIA_ROOT = VAR_DIR / "test-media" / f"p{os.getpid()}"  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# The cache (throttle counters …) per test process too; conftest empties this process's part before each
# test, so counters never leak from one test into the next.
CACHES["default"]["KEY_PREFIX"] = f"test{os.getpid()}"  # noqa: F405
# The suite files many self-service complaints with the same phone and text; the R-EXP-4 limits are
# tested where they are set explicitly.
DOCKET_FILINGS_PER_DAY = 10_000
DOCKET_SAME_TEXT_PER_DAY = 10_000
# Many tests move the clock by hours or days with one signed-in client: session limits off here (and the
# cookie age Django's default), set explicitly where they are tested. Passwords: MD5 above keeps the suite
# fast; Argon2 is tested explicitly (docket/accounts/tests/test_passwords.py).
DOCKET_SESSION_IDLE_MINUTES = 0
DOCKET_SESSION_HOURS = 0
SESSION_COOKIE_AGE = 14 * 24 * 3600
# Portal filing (issue 11): tests file many times from one client address; the limits are tested where set.
DOCKET_PORTAL_FILING_RATE = ""
DOCKET_PORTAL_CODE_IP_RATE = ""
DOCKET_PORTAL_CODE_PHONE_RATE = ""

# The generation stamps of the per-process caches (docket/core/generations.py) are files shared by the
# processes of one machine; each test process has its own database (above), so its own stamps: a change in
# another test process must not reload this one's caches in the middle of a query-count test.
DOCKET_GENERATIONS_DIR = Path(tempfile.gettempdir()) / f"docket-test-generations-{os.getpid()}"
