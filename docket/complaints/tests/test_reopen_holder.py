"""A complaint closed on the spot at reception (R-INT-10) has no holding department. A second-stage review
that reopens it (R-EXP-10) hands it to a department the reviewer chooses, as 派单 does (seed 5.2.2.3,
R-HDL-1): without one it would be investigating in nobody's queue. The choice is required when no department
holds the complaint (`review_department_required`, nothing written), offered with the category's usual
department marked and no default, on the staff page and in the API alike; a complaint a department still
holds stays with it unless another is named."""

from __future__ import annotations

import pytest
from django.urls import reverse

from docket.accounts.models import Role
from docket.api.services import api_key_create
from docket.api.tests.conftest import Api
from docket.complaints import next_steps, selectors
from docket.complaints import services as s
from docket.complaints.events import chain_verify
from docket.complaints.models import (
    Channel,
    Complaint,
    ComplaintEvent,
    ComplaintIssue,
    IssueState,
    Method,
    Obligation,
    SecondReview,
    State,
)
from docket.complaints.services import ComplaintInput, IssueInput
from docket.org.models import Company, Department

from . import helpers as h

pytestmark = pytest.mark.django_db

VIA = "portal"


def _on_the_spot(org) -> Complaint:
    """Closed on the spot at reception, then the owner asks for a review: nobody holds it."""
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
    c = s.complaint_register(
        actor=org.a.users["reception"], data=data, close_on_spot_note="已当场处理，业主确认满意"
    ).complaint
    s.owner_review_request(complaint_id=c.id, via=VIA, reason="灯还是不亮")
    c = Complaint.objects.get(pk=c.pk)
    assert (c.state, c.holder_department_id) == (State.CLOSED, None)
    return c


def _decide(org, c, **kw) -> None:
    s.second_review_decide(
        actor=org.users["qm"], complaint_id=c.id, decision=kw.pop("decision", "重新安排维修"), **kw
    )


def _queue(user) -> dict[int, str | None]:
    """My work (selectors.work_queue_for) with each row's next step."""
    rows = list(selectors.work_queue_for(user))
    next_steps.prefetch_for_steps(rows)
    decide = next_steps.StepDecider(user)
    return {c.id: (step.action if (step := decide(c)) is not None else None) for c in rows}


def _event(c, kind: str) -> ComplaintEvent:
    return ComplaintEvent.objects.filter(complaint=c, kind=kind).order_by("-seq")[0]


def _api(role=Role.QM, **scope) -> Api:
    _key, token = api_key_create(actor=None, name="复核接口", role=role, **scope)
    return Api(token)


# --- the service ------------------------------------------------------------------------------------------------


def test_reopening_an_on_the_spot_closure_lands_in_the_chosen_departments_queue(org):
    c = _on_the_spot(org)
    u = org.a.users
    eng = org.a.depts["engineering"]
    assert c.id not in _queue(u["eng_supervisor"])
    _decide(org, c, reopen=True, department_id=eng.id)
    c = Complaint.objects.get(pk=c.pk)
    assert (c.state, c.holder_department_id, c.holder_id, c.closed_at) == (
        State.INVESTIGATING,
        eng.id,
        None,
        None,
    )
    assert list(
        ComplaintIssue.objects.filter(complaint=c).order_by("seq").values_list("state", "department")
    ) == [
        (IssueState.OPEN, eng.id),
        (IssueState.OPEN, eng.id),
    ]
    # the department's supervisor has it in their work (and among what waits for a person to be named) ...
    assert _queue(u["eng_supervisor"]).get(c.id) == "issue_findings_record"
    assert c.id in set(selectors.unassigned_for(u["eng_supervisor"]).values_list("id", flat=True))
    # ... another department does not
    assert c.id not in _queue(u["sec_supervisor"]) and c.id not in _queue(u["cs_supervisor"])
    # the new reply deadline is the department's
    reply = Obligation.objects.get(complaint=c, kind="reply", met_at__isnull=True)
    assert reply.holder_department_id == eng.id
    e = _event(c, "second_review_decided")
    assert (e.payload["department"], e.payload["department_id"]) == (eng.name, eng.id)
    assert e.payload["issues"] == [1, 2]
    assert chain_verify(c) is None
    # and the department handles it from there: findings are its supervisor's to record
    for issue in ComplaintIssue.objects.filter(complaint=c):
        s.issue_findings_record(
            actor=u["eng_supervisor"],
            complaint_id=c.id,
            issue_id=issue.id,
            findings="灯具损坏",
            measures="更换",
        )
    assert set(ComplaintIssue.objects.filter(complaint=c).values_list("state", flat=True)) == {
        IssueState.INVESTIGATED
    }


def test_reopening_without_a_department_is_refused_and_changes_nothing(org):
    c = _on_the_spot(org)
    e = h.refused("review_department_required", c.id, lambda: _decide(org, c, reopen=True))
    assert "选择责任部门" in e.message
    assert SecondReview.objects.get(complaint=c).decided_at is None  # still waiting for a decision
    # a department of another office, or of another company, is refused the same way
    other_office = org.b.depts["engineering"]
    h.refused(
        "department_mismatch", c.id, lambda: _decide(org, c, reopen=True, department_id=other_office.id)
    )
    other_company = Department.objects.create(
        company=Company.objects.get(code="co2"), office=None, kind="qm", name="别家品质部"
    )
    h.refused(
        "department_mismatch", c.id, lambda: _decide(org, c, reopen=True, department_id=other_company.id)
    )
    # the decision is still open to take
    _decide(org, c, reopen=True, department_id=org.a.depts["security"].id)
    assert Complaint.objects.get(pk=c.pk).holder_department_id == org.a.depts["security"].id


def test_upholding_needs_no_department(org):
    c = _on_the_spot(org)
    _decide(org, c, reopen=False, decision="处理得当，维持")
    c = Complaint.objects.get(pk=c.pk)
    assert (c.state, c.holder_department_id) == (State.CLOSED, None)
    assert "department" not in _event(c, "second_review_decided").payload


def test_a_held_complaint_stays_with_its_department_unless_another_is_named(org):
    eng, sec = org.a.depts["engineering"], org.a.depts["security"]
    kept = h.drive_to(org, State.CLOSED, issues=2)
    holder = kept.holder_id
    s.owner_review_request(complaint_id=kept.id, via=VIA, reason="漏水没有根治")
    _decide(org, kept, reopen=True)
    kept = Complaint.objects.get(pk=kept.pk)
    assert (kept.holder_department_id, kept.holder_id) == (eng.id, holder)
    assert "department" not in _event(kept, "second_review_decided").payload
    # naming the same department changes nothing either
    same = h.drive_to(org, State.CLOSED)
    s.owner_review_request(complaint_id=same.id, via=VIA, reason="漏水没有根治")
    _decide(org, same, reopen=True, department_id=eng.id)
    assert Complaint.objects.get(pk=same.pk).holder_id == same.holder_id
    # another department: the complaint and the issues its old department owed move to it, nobody holds it
    moved = h.drive_to(org, State.CLOSED, issues=2)
    s.owner_review_request(complaint_id=moved.id, via=VIA, reason="漏水没有根治")
    _decide(org, moved, reopen=True, department_id=sec.id)
    moved = Complaint.objects.get(pk=moved.pk)
    assert (moved.holder_department_id, moved.holder_id, moved.responsible_id) == (sec.id, None, None)
    assert set(ComplaintIssue.objects.filter(complaint=moved).values_list("department", flat=True)) == {
        sec.id
    }
    assert _queue(org.a.users["sec_supervisor"]).get(moved.id) == "issue_findings_record"
    assert moved.id not in _queue(org.a.users["eng_supervisor"])
    assert _event(moved, "second_review_decided").payload["department_id"] == sec.id


def test_who_may_decide_is_unchanged(org):
    """The same roles as before decide (QM, office manager, management representative, leadership); naming
    a department gives nobody else the decision."""
    c = _on_the_spot(org)
    eng = org.a.depts["engineering"].id
    # the front desk sees it and may not decide; a department that never held it does not even see it
    for user, code in (
        (org.a.users["reception"], "forbidden_action"),
        (org.a.users["eng_supervisor"], "not_found"),
    ):
        h.refused(
            code,
            c.id,
            lambda user=user: s.second_review_decide(
                actor=user, complaint_id=c.id, reopen=True, decision="重新处理", department_id=eng
            ),
        )
    s.second_review_decide(
        actor=org.a.users["office_manager"],
        complaint_id=c.id,
        reopen=True,
        decision="重新处理",
        department_id=eng,
    )
    assert Complaint.objects.get(pk=c.pk).holder_department_id == eng


# --- the staff page ---------------------------------------------------------------------------------------------


def test_the_page_offers_the_department_suggested_by_category_and_requires_it(client, org):
    c = _on_the_spot(org)
    eng = org.a.depts["engineering"]
    client.force_login(org.users["qm"])
    url = reverse("complaints:action", args=[c.id, "second_review_decide"])
    html = client.get(url).content.decode()
    select = html.split('name="department_id"', 1)[1].split("</select>", 1)[0]
    assert f'<option value="{eng.id}">{eng}（按分类建议）</option>' in select  # marked, not chosen
    assert '<option value="" selected>— 请选择部门 —</option>' in select
    assert "重新处理时必选" in html and "按问题分类建议" in html
    # reopening without a department: refused with the reason, what was typed kept, nothing changed
    before = h.snapshot(c.id)
    r = client.post(
        url, {"version": c.version, "reopen": "1", "decision": "重新安排维修", "department_id": ""}
    )
    assert r.status_code == 422
    page = r.content.decode()
    assert "重新处理须选择责任部门" in page and "重新安排维修" in page
    assert h.snapshot(c.id) == before
    # with it
    r = client.post(
        url, {"version": c.version, "reopen": "1", "decision": "重新安排维修", "department_id": str(eng.id)}
    )
    assert r.status_code == 302
    c = Complaint.objects.get(pk=c.pk)
    assert (c.state, c.holder_department_id) == (State.INVESTIGATING, eng.id)
    # the timeline names the department
    detail = client.get(reverse("complaints:detail", args=[c.id])).content.decode()
    assert "重新处理的责任部门" in detail


def test_the_page_tells_a_held_complaint_stays_with_its_department(client, org):
    c = h.drive_to(org, State.CLOSED)
    s.owner_review_request(complaint_id=c.id, via=VIA, reason="不满意")
    client.force_login(org.users["qm"])
    html = client.get(reverse("complaints:action", args=[c.id, "second_review_decide"])).content.decode()
    assert f"不选则仍由{org.a.depts['engineering']}处理" in html and "重新处理时必选" not in html


# --- the API ----------------------------------------------------------------------------------------------------


def test_the_api_requires_the_department_with_a_stable_code(org):
    c = _on_the_spot(org)
    eng = org.a.depts["engineering"]
    api = _api(company=org.company)
    path = f"/complaints/{c.id}/actions/second_review_decide"
    before = h.snapshot(c.id)
    r = api.post(path, {"version": c.version, "reopen": True, "decision": "重新安排维修"})
    assert r.status_code == 422, r.content
    assert r.json()["code"] == "review_department_required"
    assert "重新处理须选择责任部门" in r.json()["message"]
    # a department not of this complaint's office or company is not among the choices
    r = api.post(
        path,
        {
            "version": c.version,
            "reopen": True,
            "decision": "重新安排维修",
            "department_id": org.b.depts["engineering"].id,
        },
    )
    assert r.status_code == 422 and r.json()["code"] == "validation"
    assert [(f["field"], f["type"]) for f in r.json()["fields"]] == [("department_id", "invalid_choice")]
    assert h.snapshot(c.id) == before
    r = api.post(
        path, {"version": c.version, "reopen": True, "decision": "重新安排维修", "department_id": eng.id}
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["state"] == State.INVESTIGATING
    assert Complaint.objects.get(pk=c.pk).holder_department_id == eng.id


def test_the_api_refuses_the_front_desk_as_before(org):
    c = _on_the_spot(org)
    api = _api(role=Role.RECEPTION, office=org.a.office)
    before = h.snapshot(c.id)
    r = api.post(
        f"/complaints/{c.id}/actions/second_review_decide",
        {
            "version": c.version,
            "reopen": True,
            "decision": "重新处理",
            "department_id": org.a.depts["engineering"].id,
        },
    )
    assert r.status_code == 403 and r.json()["code"] == "forbidden_action"
    assert h.snapshot(c.id) == before
