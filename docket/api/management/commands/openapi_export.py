"""`manage.py openapi_export [--check]`: write the API's OpenAPI schema to docs/openapi.json (the
committed copy a test compares with what /api/v1/openapi.json serves)."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

DEFAULT = Path(settings.BASE_DIR) / "docs" / "openapi.json"


def schema_text() -> str:
    from docket.api.main import api

    return json.dumps(api.get_openapi_schema(), ensure_ascii=False, indent=2) + "\n"


class Command(BaseCommand):
    help = "Write the OpenAPI schema of /api/v1/ to docs/openapi.json (or check that it is current)."

    def add_arguments(self, parser):
        parser.add_argument("--output", default=str(DEFAULT))
        parser.add_argument("--check", action="store_true", help="fail if the file is not current")

    def handle(self, *args, output, check, **options):
        text, path = schema_text(), Path(output)
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                raise CommandError(f"{path} is out of date: run `manage.py openapi_export`.")
            self.stdout.write(f"{path} is current.")
            return
        path.write_text(text, encoding="utf-8")
        self.stdout.write(f"wrote {path}")
