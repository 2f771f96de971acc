"""Production: PostgreSQL (DATABASE_URL), Redis (REDIS_URL), granian as the WSGI server.

Required environment: DJANGO_SECRET_KEY, DATABASE_URL, DJANGO_ALLOWED_HOSTS. Recommended: REDIS_URL.
"""

import os

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
SESSION_COOKIE_SECURE = os.environ.get("DOCKET_SECURE_COOKIES", "1") == "1"
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# --- security behind a TLS-terminating reverse proxy (docs/operations.md) ------------------------
# The proxy terminates TLS and sets X-Forwarded-Proto; it must overwrite (not pass on) a client's own
# X-Forwarded-Proto header. Set DOCKET_TLS_PROXY=0 only when granian itself is reached over HTTPS.
if os.environ.get("DOCKET_TLS_PROXY", "1") == "1":
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = os.environ.get("DOCKET_SSL_REDIRECT", "1") == "1"
SECURE_HSTS_SECONDS = int(os.environ.get("DOCKET_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("DOCKET_HSTS_INCLUDE_SUBDOMAINS", "1") == "1"
# Preloading is a promise to browsers' built-in lists that only makes sense for a public domain submitted
# to them; off by default, and then `check --deploy` is told not to warn about it.
SECURE_HSTS_PRELOAD = os.environ.get("DOCKET_HSTS_PRELOAD", "0") == "1"
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "security.W021"]  # noqa: F405
