"""Seed document 2 comes out major at once, with its seven issues, the report to the group due, the group
told, and on the group's board (R-ESC-1..3, R-EXP-8)."""

from datetime import datetime

import time_machine

from docket.complaints.models import ComplaintEvent, ComplaintIssue, Obligation, Severity
from docket.escalation import services as esc
from docket.notifications.models import Notification
from docket.sla import duetimes
from docket.sla.calendar import SHANGHAI

from .seed_doc2 import file_document_2


def test_document_2_is_major_at_once_with_seven_issues_and_the_report_to_the_group(org, client):
    duetimes.invalidate()
    with time_machine.travel(datetime(2026, 11, 24, 10, 0, tzinfo=SHANGHAI), tick=False):
        c = file_document_2(org)
    assert c.severity == Severity.MAJOR
    assert ComplaintIssue.objects.filter(complaint=c).count() == 7
    (ev,) = ComplaintEvent.objects.filter(complaint=c, kind="severity_classified")
    assert ev.payload["rules"] == ["media_exposed"] and ev.payload["to"] == "major"
    assert ev.payload["trigger"] == "registered" and ev.actor_id is None  # the system, at intake
    ob = Obligation.objects.get(complaint=c, kind="report_group")
    assert ob.due_at == datetime(2026, 11, 24, 11, 0, tzinfo=SHANGHAI)
    assert Notification.objects.filter(
        recipient=org.users["group_property"], kind="severity_raised", ref=f"complaint:{c.pk}"
    ).exists()
    # the safety hazard and the mass incident the letter cites: the report to the district authority
    esc.major_incident_record(
        actor=org.users["qm"],
        complaint_id=c.pk,
        incident="mass_incident",
        note="4月7日至9日暴力收费引发群体事件",
    )
    assert Obligation.objects.filter(complaint=c, kind="authority_report", met_at__isnull=True).exists()
    client.force_login(org.users["group_property"])
    html = client.get("/escalation/board/").content.decode()
    assert c.receipt_no in html and "已被媒体曝光" in html and "报告集团" in html


def test_the_api_detail_says_why(org, client):
    from docket.accounts.models import Role
    from docket.api.services import api_key_create

    c = file_document_2(org)
    _k, token = api_key_create(actor=None, name="测试接口", role=Role.QM, office=None, company=org.company)
    r = client.get(f"/api/v1/complaints/{c.pk}", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["severity"] == "major" and body["severity_basis"] == ["media_exposed"]
    assert body["severity_at"] is not None and len(body["issues"]) == 7
