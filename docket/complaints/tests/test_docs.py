from pathlib import Path

from django.conf import settings

from docket.complaints.management.commands.workflow_diagram import render


def test_workflow_diagram_is_up_to_date():
    committed = (Path(settings.BASE_DIR) / "docs" / "workflow.md").read_text(encoding="utf-8")
    assert committed == render(), "run `uv run python manage.py workflow_diagram` and commit docs/workflow.md"
