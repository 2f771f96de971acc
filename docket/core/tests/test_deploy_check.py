"""`manage.py check --deploy` passes with the production settings and the documented environment
(docs/operations.md), behind a TLS-terminating proxy (R-EXP-12)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

from django.conf import settings


def _check(extra_env: dict[str, str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DOCKET_"))}
    env |= {
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "docket.example.com",
        "DJANGO_CSRF_TRUSTED_ORIGINS": "https://docket.example.com",
        "DOCKET_VAR_DIR": os.environ.get("DOCKET_VAR_DIR", str(settings.VAR_DIR)),
        **extra_env,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check():
    result = _check({})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_deploy_check_still_catches_a_switched_off_protection():
    result = _check({"DOCKET_HSTS_SECONDS": "0", "DOCKET_SSL_REDIRECT": "0"})
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout
    assert "security.W008" in result.stderr + result.stdout
