"""`make run`'s settings (config.settings.run), in a fresh process as `make run` starts them: DEBUG off, 127.0.0.1
and localhost accepted, static files served by WhiteNoise from collectstatic's hashed copies, and a mistyped URL
a plain 404 without Django's list of routes."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent

SCRIPT = r"""
import sys
# WhiteNoise compresses every static file with gzip and, when the brotli package imports, with brotli too;
# brotli at its default quality took ~45 s of CPU here (Django admin, ninja's API docs, ECharts). This test
# checks the settings (manifest names, caching, gzip answers, 404s, hosts), not brotli: it is left out.
sys.modules["brotli"] = None
import django
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client

assert settings.DEBUG is False
call_command("collectstatic", interactive=False, verbosity=0)
url = static("docket/docket.css")
assert url.startswith("/static/docket/docket.") and url != "/static/docket/docket.css", url  # the manifest's name
client = Client()
r = client.get(url, HTTP_HOST="127.0.0.1")
body = b"".join(r.streaming_content)
assert r.status_code == 200 and b"{" in body, r.status_code
assert "immutable" in r.headers["Cache-Control"], r.headers
r = client.get(url, HTTP_HOST="localhost", HTTP_ACCEPT_ENCODING="gzip")
assert r.status_code == 200 and r.headers.get("Content-Encoding") == "gzip", r.headers
r = client.get("/no-such-page/", HTTP_HOST="127.0.0.1")
assert r.status_code == 404 and b"URLconf" not in r.content and b"urlpatterns" not in r.content, r.content[:300]
assert client.get("/login/", HTTP_HOST="evil.example").status_code == 400
print("run settings ok")
"""


def test_make_run_settings_serve_static_files_and_plain_404s(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.run",
        "DOCKET_VAR_DIR": str(tmp_path),
    }
    for name in ("DJANGO_DEBUG", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL"):
        env.pop(name, None)
    p = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert p.returncode == 0 and "run settings ok" in p.stdout, p.stdout + p.stderr
