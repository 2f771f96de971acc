"""The OpenAPI schema: served at /api/v1/openapi.json, committed as docs/openapi.json (regenerate with
`manage.py openapi_export`); a drift between the two fails here."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.test import Client

COMMITTED = Path(settings.BASE_DIR) / "docs" / "openapi.json"


def test_served_schema_equals_the_committed_one():
    served = Client().get("/api/v1/openapi.json")
    assert served.status_code == 200
    assert served.json() == json.loads(COMMITTED.read_text(encoding="utf-8")), (
        "docs/openapi.json is out of date: run `uv run python manage.py openapi_export`"
    )


def test_served_schema_does_not_depend_on_the_language():
    assert (
        Client().get("/api/v1/openapi.json", headers={"Accept-Language": "en"}).json()
        == Client().get("/api/v1/openapi.json").json()
    )


def test_export_command_check_mode(tmp_path):
    out = tmp_path / "openapi.json"
    call_command("openapi_export", "--output", str(out), stdout=StringIO())
    assert json.loads(out.read_text(encoding="utf-8")) == json.loads(COMMITTED.read_text(encoding="utf-8"))
    call_command("openapi_export", "--output", str(out), "--check", stdout=StringIO())
    out.write_text("{}", encoding="utf-8")
    import pytest
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="out of date"):
        call_command("openapi_export", "--output", str(out), "--check", stdout=StringIO())


def test_every_operation_documents_auth_and_errors():
    schema = json.loads(COMMITTED.read_text(encoding="utf-8"))
    for path, methods in schema["paths"].items():
        for method, op in methods.items():
            assert op["operationId"], (method, path)
            assert "422" in op["responses"] and "404" in op["responses"], (method, path)
            if path.startswith("/api/v1/receipts/"):
                assert "security" not in op
            else:
                assert {"ApiKeyAuth": []} in op["security"], (method, path)
