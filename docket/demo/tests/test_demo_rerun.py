"""`manage.py seed_demo` run twice: the second run changes nothing. In a module of its own: it starts from an
empty database, and test_demo.py's tests share one seeded demo for the whole module."""

from io import StringIO

import pytest
from django.core.management import call_command

from docket.accounts.models import User
from docket.complaints.models import Complaint, ComplaintEvent
from docket.demo import runner

# The demo loader refuses a database that holds another organisation (conftest, `shared_org`).
pytestmark = pytest.mark.empty_db


def test_second_run_changes_nothing(db):
    out = StringIO()
    call_command("seed_demo", complaints=8, stdout=out)
    assert "演示数据已载入" in out.getvalue()
    counts = (Complaint.objects.count(), ComplaintEvent.objects.count(), User.objects.count())
    assert counts[0] == 8
    again = runner.seed_demo(complaints=8)
    assert not again.created
    out = StringIO()
    call_command("seed_demo", complaints=8, stdout=out)
    assert "未做任何更改" in out.getvalue()
    assert (Complaint.objects.count(), ComplaintEvent.objects.count(), User.objects.count()) == counts
