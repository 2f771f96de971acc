"""Content-Security-Policy on every page, and templates that need no inline script (R-EXP-12)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR) / "docket"


@pytest.mark.parametrize("path", ["/login/", "/complaints/", "/complaints/new/", "/no-such-page/", "/admin/"])
def test_every_page_carries_the_policy(admin_client, path):
    response = admin_client.get(path)
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy


def test_the_api_and_anonymous_pages_too(client):
    assert "default-src 'self'" in client.get("/login/")["Content-Security-Policy"]
    assert "default-src 'self'" in client.get("/api/v1/docs")["Content-Security-Policy"]


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "event-handler attribute"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"<style", re.I), "<style> element"),
]


def test_templates_have_no_inline_script_handlers_or_styles():
    problems = []
    for template in ROOT.rglob("*.html"):
        if "pdf" in template.relative_to(ROOT).parts:
            # PDF documents (docket/core/pdf.py) are rendered by WeasyPrint, never served to a browser:
            # their page rules and styles are inline by design, and the policy does not apply to them.
            continue
        text = template.read_text()
        for pattern, what in INLINE:
            for m in pattern.finditer(text):
                problems.append(f"{template.relative_to(ROOT)}: {what}: {m.group(0)!r}")
    assert problems == []
