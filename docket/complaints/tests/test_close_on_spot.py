"""A complaint closed on the spot (当场处理, R-INT-10) ends its issues with it: closed (已办结) at the closing
time, named in the closing event; a second-stage review that reopens it opens them again (a review that
upholds the ending leaves them closed); the migration brings the complaints closed on the spot before this
change in line; and bench.generate's check holds the loaded rows to what the services write."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.db import connection
from django.urls import reverse

from bench.generate import check_issue_endings
from docket.accounts.models import Role
from docket.api.services import api_key_create
from docket.api.tests.conftest import Api
from docket.complaints import services as s
from docket.complaints import workflow
from docket.complaints.events import chain_verify
from docket.complaints.models import (
    Channel,
    ClosureKind,
    Complaint,
    ComplaintEvent,
    ComplaintIssue,
    IssueState,
    Method,
    State,
)
from docket.complaints.services import ComplaintInput, IssueInput
from docket.complaints.tests.helpers import drive_to

pytestmark = pytest.mark.django_db

VIA = "portal"


def _on_the_spot(org, note: str = "已当场更换灯泡，业主确认满意") -> Complaint:
    data = ComplaintInput(
        office_id=org.a.office.id,
        channel=Channel.OFFICE,
        method=Method.VISIT,
        subject="楼道灯不亮",
        description="业主来访反映2号楼3层楼道灯不亮，门禁卡失灵。",
        complainant_name="王",
        complainant_phone="13800000001",
        room_id=org.a.room.id,
        issues=[
            IssueInput(summary="楼道灯不亮", category_id=org.categories["电梯"].id),
            IssueInput(summary="门禁卡失灵"),
        ],
    )
    return s.complaint_register(actor=org.a.users["reception"], data=data, close_on_spot_note=note).complaint


def _issues(c) -> list[tuple[int, str, object]]:
    return list(
        ComplaintIssue.objects.filter(complaint=c).order_by("seq").values_list("seq", "state", "closed_at")
    )


def _event(c, kind: str) -> ComplaintEvent:
    return ComplaintEvent.objects.filter(complaint=c, kind=kind).order_by("-seq")[0]


def test_closing_on_the_spot_closes_the_issues_and_names_them_in_the_event(org):
    c = Complaint.objects.get(pk=_on_the_spot(org).pk)
    assert (c.state, c.closure_kind) == (State.CLOSED, ClosureKind.ON_THE_SPOT)
    assert _issues(c) == [(1, IssueState.CLOSED, c.closed_at), (2, IssueState.CLOSED, c.closed_at)]
    e = _event(c, "closed_on_spot")
    assert e.payload == {
        "note": "已当场更换灯泡，业主确认满意",
        "issues": [1, 2],
        "issue_names": "问题1、问题2",
    }
    assert chain_verify(c) is None
    # nobody owes anything on it: no open or rework issue is left for a department's queue
    assert not ComplaintIssue.objects.filter(complaint=c, state__in=[IssueState.OPEN, IssueState.REWORK])


def test_closing_a_registered_complaint_on_the_spot_later_closes_its_issues_too(org):
    """The action on its own (not at intake): the same service, the same ending."""
    c = drive_to(org, State.REGISTERED, issues=2)
    s.complaint_close_on_spot(actor=org.a.users["reception"], complaint_id=c.id, note="已现场处理完毕")
    c.refresh_from_db()
    assert [st for _n, st, _at in _issues(c)] == [IssueState.CLOSED, IssueState.CLOSED]
    assert _event(c, "closed_on_spot").payload["issues"] == [1, 2]
    assert ("close_on_spot", frozenset({IssueState.OPEN}), IssueState.CLOSED) in workflow.ISSUE_MOVES


def test_the_pages_and_the_api_show_the_issues_closed(client, org):
    c = _on_the_spot(org)
    client.force_login(org.a.users["reception"])
    html = client.get(reverse("complaints:detail", args=[c.id])).content.decode()
    issues = html.split('<ol class="issues">', 1)[1].split("</ol>", 1)[0]
    assert issues.count("已办结") == 2 and "待处理" not in issues
    assert "办结的问题" in html and "问题1、问题2" in html  # the closing event on the staff timeline
    # the owner's tracking page
    r = client.post("/p/track/", {"receipt_no": c.receipt_no, "code": c.check_code})
    page = client.get(r["Location"]).content.decode()
    assert page.count("已办结") >= 2 and "待处理" not in page
    # the API's rendering
    _key, token = api_key_create(actor=None, name="测试接口", role=Role.RECEPTION, office=org.a.office)
    body = Api(token).get(f"/complaints/{c.id}").json()
    closed_at = body["closed_at"]
    assert [(i["state"], i["closed_at"]) for i in body["issues"]] == [("closed", closed_at)] * 2


def test_a_review_that_reopens_it_opens_its_issues_again(client, org):
    c = _on_the_spot(org)
    s.owner_review_request(complaint_id=c.id, via=VIA, reason="灯还是不亮")
    eng = org.a.depts["engineering"]
    s.second_review_decide(
        actor=org.users["qm"],
        complaint_id=c.id,
        reopen=True,
        decision="重新安排维修",
        department_id=eng.id,  # nobody held it: the review names the department (test_reopen_holder.py)
    )
    c.refresh_from_db()
    assert (c.state, c.closure_kind, c.holder_department_id) == (State.INVESTIGATING, "", eng.id)
    assert _issues(c) == [(1, IssueState.OPEN, None), (2, IssueState.OPEN, None)]
    e = _event(c, "second_review_decided")
    assert e.payload["reopen"] is True and e.payload["issues"] == [1, 2]
    assert e.payload["issue_names"] == "问题1、问题2"
    assert chain_verify(c) is None
    client.force_login(org.a.users["office_manager"])
    html = client.get(reverse("complaints:detail", args=[c.id])).content.decode()
    assert "重新处理的问题" in html
    assert html.split('<ol class="issues">', 1)[1].split("</ol>", 1)[0].count("待处理") == 2
    # handled again like any complaint by the department named: investigated, replied, carried out, verified
    u = org.a.users
    for issue in ComplaintIssue.objects.filter(complaint=c):
        s.issue_findings_record(
            actor=u["eng_supervisor"], complaint_id=c.id, issue_id=issue.id, findings="属实", measures="更换"
        )
    s.reply_draft_save(actor=u["eng_supervisor"], complaint_id=c.id, body="明天上门更换。")
    s.reply_send(actor=u["reception"], complaint_id=c.id)
    s.complainant_agree(actor=u["reception"], complaint_id=c.id)
    s.measures_done(actor=u["eng_staff"], complaint_id=c.id, note="已更换")
    for issue in ComplaintIssue.objects.filter(complaint=c):
        s.issue_verify(
            actor=u["office_manager"], complaint_id=c.id, issue_id=issue.id, passed=True, note="正常"
        )
    assert Complaint.objects.get(pk=c.pk).state == State.FOLLOW_UP
    assert {st for _n, st, _at in _issues(c)} == {IssueState.VERIFIED}


def test_a_review_that_upholds_the_ending_leaves_the_issues_closed(org):
    c = _on_the_spot(org)
    before = _issues(c)
    s.owner_review_request(complaint_id=c.id, via=VIA, reason="不满意")
    s.second_review_decide(actor=org.users["qm"], complaint_id=c.id, reopen=False, decision="处理得当，维持")
    assert _issues(c) == before
    assert "issues" not in _event(c, "second_review_decided").payload


def _migration():
    return importlib.import_module("docket.complaints.migrations.0030_onspot_issues_closed")


def _editor(executed: list[str]):
    """What the migration's function reads of its schema editor; VACUUM is recorded, not run (the test runs
    in a transaction)."""
    return SimpleNamespace(connection=connection, execute=executed.append)


def test_the_migration_closes_the_issues_of_earlier_closures_on_the_spot_once(org):
    old = _on_the_spot(org)
    ComplaintIssue.objects.filter(complaint=old).update(state=IssueState.OPEN, closed_at=None)  # as before
    reopened = _on_the_spot(org)
    s.owner_review_request(complaint_id=reopened.id, via=VIA, reason="灯还是不亮")
    s.second_review_decide(
        actor=org.users["qm"],
        complaint_id=reopened.id,
        reopen=True,
        decision="重新处理",
        department_id=org.a.depts["engineering"].id,
    )
    active = drive_to(org, State.REGISTERED, issues=2)
    withdrawn = drive_to(org, State.WITHDRAWN)
    untouched = {c.id: _issues(c) for c in (reopened, active, withdrawn)}
    executed: list[str] = []
    _migration().end_issues(None, _editor(executed))
    closed_at = Complaint.objects.get(pk=old.pk).closed_at
    assert _issues(old) == [(1, IssueState.CLOSED, closed_at), (2, IssueState.CLOSED, closed_at)]
    assert {c: _issues(c) for c in untouched} == untouched
    assert executed == (
        ["VACUUM (ANALYZE) complaints_complaintissue"] if connection.vendor == "postgresql" else []
    )
    # idempotent: nothing left to change, nothing vacuumed
    ComplaintIssue.objects.filter(complaint=old, seq=2).update(closed_at=None)  # a marker it would overwrite
    executed.clear()
    _migration().end_issues(None, _editor(executed))
    assert _issues(old)[1] == (2, IssueState.CLOSED, None) and executed == []
    # and backwards: the old service's open issues
    _migration().reopen_issues(None, _editor(executed))
    assert executed and "closed_at = NULL" in executed[0]


def test_the_generators_check_holds_what_the_services_write(org):
    """bench.generate writes complaints closed on the spot and withdrawn with COPY; after a load its
    verification holds a sample to `check_issue_endings`, here held against the services themselves."""
    spot, withdrawn, handled = _on_the_spot(org), drive_to(org, State.WITHDRAWN), drive_to(org, State.CLOSED)
    ids = [spot.id, withdrawn.id, handled.id]
    assert check_issue_endings(ids) == (2, [])
    ComplaintIssue.objects.filter(complaint=spot, seq=2).update(state=IssueState.OPEN, closed_at=None)
    n, wrong = check_issue_endings(ids)
    assert n == 2 and len(wrong) == 1 and f"complaint {spot.id} closed on the spot" in wrong[0]
    ComplaintIssue.objects.filter(complaint=spot).update(state=IssueState.CLOSED)
    assert len(check_issue_endings(ids)[1]) == 1  # closed, but not at the complaint's closing time
    ComplaintIssue.objects.filter(complaint=spot).update(
        closed_at=Complaint.objects.get(pk=spot.pk).closed_at
    )
    assert check_issue_endings(ids) == (2, [])
    ComplaintIssue.objects.filter(complaint=withdrawn).update(state=IssueState.OPEN)
    assert [w.split(":")[0] for w in check_issue_endings(ids)[1]] == [f"complaint {withdrawn.id} withdrawn"]
