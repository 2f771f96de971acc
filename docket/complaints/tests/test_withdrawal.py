"""Withdrawal (R-EXP-5) ends the complaint's issues too, so no department owes work on it; the migration
brought earlier withdrawn complaints in line."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps

from docket.complaints import services as s
from docket.complaints.models import ComplaintIssue, IssueState, State
from docket.complaints.tests.helpers import drive_to

pytestmark = pytest.mark.django_db


def test_withdrawal_ends_open_issues_and_keeps_verified_ones(org):
    c = drive_to(org, State.INVESTIGATING)
    issues = list(ComplaintIssue.objects.filter(complaint=c).order_by("seq"))
    assert issues and all(i.state != IssueState.WITHDRAWN for i in issues)
    if len(issues) > 1:
        ComplaintIssue.objects.filter(pk=issues[-1].pk).update(state=IssueState.VERIFIED)
    s.complaint_withdraw(actor=org.a.users["reception"], complaint_id=c.id, reason="业主已自行解决")
    states = list(ComplaintIssue.objects.filter(complaint=c).order_by("seq").values_list("state", flat=True))
    assert states[0] == IssueState.WITHDRAWN
    if len(issues) > 1:
        assert states[-1] == IssueState.VERIFIED


def test_the_migration_closes_issues_of_earlier_withdrawals(org):
    c = drive_to(org, State.INVESTIGATING)
    other = drive_to(org, State.INVESTIGATING)
    s.complaint_withdraw(actor=org.a.users["reception"], complaint_id=c.id, reason="撤回")
    ComplaintIssue.objects.filter(complaint=c).update(state=IssueState.OPEN)  # as before the change
    module = importlib.import_module("docket.complaints.migrations.0010_privacy_and_withdrawal")
    module.close_issues_of_withdrawn(django_apps, None)
    assert set(ComplaintIssue.objects.filter(complaint=c).values_list("state", flat=True)) == {"withdrawn"}
    assert "withdrawn" not in set(
        ComplaintIssue.objects.filter(complaint=other).values_list("state", flat=True)
    )
