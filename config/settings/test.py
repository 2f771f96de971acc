"""Test settings: the database comes from DATABASE_URL (SQLite by default, PostgreSQL in CI's second pass)."""

import os

from .base import *  # noqa: F403
from .base import HUEY

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
HUEY = {**HUEY, "immediate": True}
if "sqlite" in DATABASES["default"]["ENGINE"]:  # noqa: F405
    # A file, not :memory:, so that tests with several threads see one real WAL database.
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("DOCKET_TEST_SQLITE", str(VAR_DIR / "test.sqlite3"))}  # noqa: F405
MEDIA_ROOT = VAR_DIR / "test-media"  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
