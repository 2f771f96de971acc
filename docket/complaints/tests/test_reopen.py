"""A second-stage review that reopens a complaint (R-EXP-10) has it handled again as a whole: every issue
whose work had ended — verified, closed on the spot with the complaint, or closed on its own — is open again,
with nothing of the last ending left on the row (the events keep it), named in the reopening event; issues
still in work keep their state. The department owes them again, the pages and the API say so, and the second
handling goes through findings, reply, measures, verification and follow-up to a second closure — also when
the handlers skip the findings (the path that used to leave the complaint verifying with nothing to verify).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from docket.accounts.models import Role
from docket.api.services import api_key_create
from docket.api.tests.conftest import Api
from docket.complaints import next_steps, selectors, workflow
from docket.complaints import services as s
from docket.complaints.events import chain_verify
from docket.complaints.models import (
    Complaint,
    ComplaintEvent,
    ComplaintIssue,
    IssueAnswer,
    IssueState,
    Method,
    ReplyState,
    State,
)

from . import helpers as h

pytestmark = pytest.mark.django_db

VIA = "portal"


def _rows(c) -> list[tuple]:
    """Each issue's state and the marks an ending leaves on it."""
    return list(
        ComplaintIssue.objects.filter(complaint=c)
        .order_by("seq")
        .values_list(
            "seq", "state", "verified_at", "verified_by", "verification_note", "answered_at", "closed_at"
        )
    )


def _states(c) -> list[str]:
    return list(ComplaintIssue.objects.filter(complaint=c).order_by("seq").values_list("state", flat=True))


def _event(c, kind: str) -> ComplaintEvent:
    return ComplaintEvent.objects.filter(complaint=c, kind=kind).order_by("-seq")[0]


def _reopen(org, c, *, reopen: bool = True) -> Complaint:
    s.owner_review_request(complaint_id=c.id, via=VIA, reason="漏水没有根治")
    s.second_review_decide(actor=org.users["qm"], complaint_id=c.id, reopen=reopen, decision="重新安排维修")
    return Complaint.objects.get(pk=c.pk)


def _queue_steps(user) -> dict[int, str]:
    rows = list(selectors.work_queue_for(user))
    next_steps.prefetch_for_steps(rows)
    decide = next_steps.StepDecider(user)
    return {c.id: step.action for c in rows if (step := decide(c)) is not None}


def _verify_all(org, c, passed: bool = True) -> None:
    for issue in ComplaintIssue.objects.filter(complaint=c, state=IssueState.MEASURES_DONE):
        s.issue_verify(
            actor=org.a.users["office_manager"],
            complaint_id=c.id,
            issue_id=issue.id,
            passed=passed,
            note="复查正常",
        )


def _follow_up(org, c) -> None:
    s.follow_up_record(
        actor=org.a.users["reception"],
        complaint_id=c.id,
        method="phone",
        satisfaction=5,
        process_rating="satisfied",
        measures_rating="satisfied",
        result_rating="satisfied",
    )


# --- the rule, on each kind of ending ---------------------------------------------------------------------------


def test_reopening_a_complaint_closed_after_handling_opens_its_verified_issues(org):
    c = h.drive_to(org, State.CLOSED, issues=2)
    before = _rows(c)
    assert {r[1] for r in before} == {IssueState.VERIFIED} and all(r[2] and r[3] and r[4] for r in before)
    findings = list(ComplaintIssue.objects.filter(complaint=c).values_list("findings", "measures"))
    c = _reopen(org, c)
    assert (c.state, c.closure_kind, c.closed_at) == (State.INVESTIGATING, "", None)
    # open, with nothing of the ending left on the row; the findings and measures stay
    assert _rows(c) == [
        (1, IssueState.OPEN, None, None, "", None, None),
        (2, IssueState.OPEN, None, None, "", None, None),
    ]
    assert list(ComplaintIssue.objects.filter(complaint=c).values_list("findings", "measures")) == findings
    e = _event(c, "second_review_decided")
    assert e.payload["reopen"] is True
    assert (e.payload["issues"], e.payload["issue_names"]) == ([1, 2], "问题1、问题2")
    # what was cleared is still on the hash-chained record: each issue's verification, note, verifier, time
    verified = c.events.filter(kind="issue_verified").order_by("seq")
    assert [(v.payload["issue"], v.payload["note"], v.actor_id, v.at) for v in verified] == [
        (seq, note, by, at) for seq, _st, at, by, note, _ans, _cl in before
    ]
    assert chain_verify(c) is None
    assert ("second_review_decide", frozenset({IssueState.VERIFIED, IssueState.CLOSED}), IssueState.OPEN) in (
        workflow.ISSUE_MOVES
    )


def test_issues_closed_on_their_own_are_reopened_too_and_lose_their_own_answer_mark(org):
    """One issue answered on its own and verified (closed), the other forwarded to the developer, answered by
    it and closed on its own: the review reopens the complaint as a whole, both are open again; the answers
    sent stay on the record (IssueAnswer rows and the `issue_answered` events)."""
    c, (one, two) = h.investigated_two_issues(org, Method.PHONE, findings=False)
    u = org.a.users
    sup = u["eng_supervisor"]
    s.issue_findings_record(actor=sup, complaint_id=c.id, issue_id=one.id, findings="属实", measures="维修")
    fwd = s.issue_forward_to_developer(
        actor=sup, complaint_id=c.id, issue_id=two.id, party_id=org.developer.id, reason="外墙渗水属地产保修"
    )
    s.issue_developer_answer_record(
        actor=u["reception"], complaint_id=c.id, forward_id=fwd.id, answer="地产将于下周维修外墙"
    )
    for issue, body in ((one, "问题一：已安排维修"), (two, "地产将于下周维修外墙")):
        a = s.issue_answer_submit(actor=sup, complaint_id=c.id, issue_ids=[issue.id], body=body)
        s.issue_answer_send(actor=u["reception"], complaint_id=c.id, answer_id=a.id)
    s.reply_draft_save(actor=sup, complaint_id=c.id, body="答复")
    s.reply_send(actor=u["reception"], complaint_id=c.id)
    s.complainant_agree(actor=u["reception"], complaint_id=c.id)
    s.measures_done(actor=u["eng_staff"], complaint_id=c.id, note="已维修")
    _verify_all(org, c)
    _follow_up(org, c)
    assert _states(c) == [IssueState.CLOSED, IssueState.CLOSED]
    c = _reopen(org, c)
    assert _rows(c) == [
        (1, IssueState.OPEN, None, None, "", None, None),
        (2, IssueState.OPEN, None, None, "", None, None),
    ]
    assert _event(c, "second_review_decided").payload["issues"] == [1, 2]
    assert IssueAnswer.objects.filter(complaint=c, state=ReplyState.SENT).count() == 2
    assert c.events.filter(kind="issue_answered").count() == 2
    assert c.events.filter(kind="issue_closed").count() == 2
    # handled again: the second verification ends issue 1 verified (not "closed on its own": no answer of its
    # own was sent in this handling); a new own answer to issue 2 closes it at once (the developer answered)
    s.issue_findings_record(
        actor=sup, complaint_id=c.id, issue_id=one.id, findings="复查属实", measures="重修"
    )
    s.issue_findings_record(
        actor=sup, complaint_id=c.id, issue_id=two.id, findings="地产已维修", measures="无"
    )
    a = s.issue_answer_submit(actor=sup, complaint_id=c.id, issue_ids=[two.id], body="地产已维修外墙")
    s.issue_answer_send(actor=u["reception"], complaint_id=c.id, answer_id=a.id)
    assert _states(c) == [IssueState.INVESTIGATED, IssueState.CLOSED]
    s.reply_draft_save(actor=sup, complaint_id=c.id, body="重新答复")
    s.reply_send(actor=u["reception"], complaint_id=c.id)
    s.complainant_agree(actor=u["reception"], complaint_id=c.id)
    s.measures_done(actor=u["eng_staff"], complaint_id=c.id, note="已重新维修")
    assert _states(c) == [IssueState.MEASURES_DONE, IssueState.CLOSED]
    _verify_all(org, c)
    assert Complaint.objects.get(pk=c.pk).state == State.FOLLOW_UP
    assert _states(c) == [IssueState.VERIFIED, IssueState.CLOSED]
    assert chain_verify(c) is None


def test_reopening_an_unclosed_complaint_opens_its_ended_issues_and_keeps_those_in_work(org):
    c = h.drive_to(org, State.VERIFYING, issues=2)
    one, two = c.issues.order_by("seq")
    mgr = org.a.users["office_manager"]
    s.issue_verify(actor=mgr, complaint_id=c.id, issue_id=one.id, passed=True, note="合格")
    s.issue_verify(actor=mgr, complaint_id=c.id, issue_id=two.id, passed=False, note="仍渗水")
    assert Complaint.objects.get(pk=c.pk).state == State.IMPLEMENTING
    s.complaint_close_unclosed(actor=mgr, complaint_id=c.id, analysis="外墙结构问题", mitigation="临时引流")
    assert _states(c) == [IssueState.VERIFIED, IssueState.REWORK]
    rework_note = ComplaintIssue.objects.get(pk=two.pk).verification_note
    c = _reopen(org, c)
    assert c.state == State.INVESTIGATING
    assert _states(c) == [IssueState.OPEN, IssueState.REWORK]
    assert ComplaintIssue.objects.get(pk=two.pk).verification_note == rework_note  # still in work: untouched
    assert _event(c, "second_review_decided").payload["issues"] == [1]


def test_a_review_that_upholds_the_ending_leaves_the_issues_as_they_were(org):
    c = h.drive_to(org, State.CLOSED, issues=2)
    before = _rows(c)
    c = _reopen(org, c, reopen=False)
    assert c.state == State.CLOSED and _rows(c) == before
    assert "issues" not in _event(c, "second_review_decided").payload


def test_a_reopening_with_no_ended_issue_names_none(org):
    """An unclosed complaint whose issues were all still in work: nothing to reopen, nothing named."""
    c = h.drive_to(org, State.UNCLOSED, issues=2)
    before = _states(c)
    assert not set(before) & {IssueState.VERIFIED, IssueState.CLOSED}
    c = _reopen(org, c)
    assert _states(c) == before and "issues" not in _event(c, "second_review_decided").payload


# --- the second handling --------------------------------------------------------------------------------------


def test_a_reopened_complaint_goes_through_a_second_full_cycle_to_closure(org):
    c = h.drive_to(org, State.CLOSED, issues=2)
    c = _reopen(org, c)
    u = org.a.users
    sup = u["eng_supervisor"]
    assert _queue_steps(sup).get(c.id) == "issue_findings_record"  # owed again: the first step is findings
    for issue in ComplaintIssue.objects.filter(complaint=c):
        s.issue_findings_record(
            actor=sup, complaint_id=c.id, issue_id=issue.id, findings="复查：仍渗水", measures="重做防水"
        )
    assert _states(c) == [IssueState.INVESTIGATED] * 2
    s.reply_draft_save(actor=sup, complaint_id=c.id, body="经复核，将重做防水。")
    s.reply_send(actor=u["reception"], complaint_id=c.id)
    s.complainant_agree(actor=u["reception"], complaint_id=c.id)
    s.measures_done(actor=u["eng_staff"], complaint_id=c.id, note="已重做防水")
    assert Complaint.objects.get(pk=c.pk).state == State.VERIFYING
    assert _states(c) == [IssueState.MEASURES_DONE] * 2
    assert _queue_steps(u["office_manager"]).get(c.id) == "issue_verify"
    one, two = c.issues.order_by("seq")
    mgr = u["office_manager"]
    s.issue_verify(actor=mgr, complaint_id=c.id, issue_id=one.id, passed=True, note="不再渗水")
    s.issue_verify(actor=mgr, complaint_id=c.id, issue_id=two.id, passed=False, note="仍有水迹")
    assert Complaint.objects.get(pk=c.pk).state == State.IMPLEMENTING
    s.measures_done(actor=u["eng_staff"], complaint_id=c.id, note="已返工")
    assert _states(c) == [IssueState.VERIFIED, IssueState.MEASURES_DONE]
    _verify_all(org, c)
    assert Complaint.objects.get(pk=c.pk).state == State.FOLLOW_UP
    _follow_up(org, c)
    c = Complaint.objects.get(pk=c.pk)
    assert (c.state, c.closure_kind) == (State.CLOSED, "resolved") and c.closed_at is not None
    assert c.handling_round() == 2 and c.follow_ups.count() == 2
    rows = _rows(c)
    assert [r[1] for r in rows] == [IssueState.VERIFIED] * 2 and all(r[2] and r[4] for r in rows)
    assert [r[4] for r in rows] == ["不再渗水", "复查正常"]
    assert chain_verify(c) is None


def test_skipping_the_findings_is_refused_and_leaves_something_to_verify(org):
    """The bug: reply and "measures done" straight after reopening used to move no issue (all were verified)
    and leave the complaint verifying with nothing to verify. The reopened issues are open, so the reply
    waits for their findings (`issues_incomplete`, nothing written), as on a first handling."""
    c = _reopen(org, h.drive_to(org, State.CLOSED, issues=2))
    u = org.a.users
    s.reply_draft_save(actor=u["eng_supervisor"], complaint_id=c.id, body="经复核，将重新维修。")
    e = h.refused("issues_incomplete", c.id, lambda: s.reply_send(actor=u["reception"], complaint_id=c.id))
    assert e.params["issues"] == "问题1、问题2"
    for issue in ComplaintIssue.objects.filter(complaint=c):
        s.issue_findings_record(
            actor=u["eng_supervisor"],
            complaint_id=c.id,
            issue_id=issue.id,
            findings="复查属实",
            measures="重修",
        )
    s.reply_send(actor=u["reception"], complaint_id=c.id)
    s.complainant_agree(actor=u["reception"], complaint_id=c.id)
    s.measures_done(actor=u["eng_staff"], complaint_id=c.id, note="已重新维修")
    assert _states(c) == [IssueState.MEASURES_DONE] * 2
    _verify_all(org, c)
    assert Complaint.objects.get(pk=c.pk).state == State.FOLLOW_UP
    assert _states(c) == [IssueState.VERIFIED] * 2


def test_another_department_owes_its_reopened_issue_in_its_queue(org):
    """The queue's issue arm (selectors.work_queue_for: a department owing an open issue of a complaint it
    does not hold) holds the reopened complaint for the department of a reopened issue."""
    c = h.drive_to(org, State.CLOSED, issues=2)
    ComplaintIssue.objects.filter(complaint=c, seq=2).update(department=org.a.depts["security"])
    sec = org.a.users["sec_supervisor"]
    c = _reopen(org, c)
    assert c.holder_department_id == org.a.depts["engineering"].id
    assert _queue_steps(sec).get(c.id) == "issue_findings_record"


# --- what staff, the complainant and the API see ------------------------------------------------------------------


def test_the_pages_and_the_api_show_the_reopened_issues_open(client, org):
    c = _reopen(org, h.drive_to(org, State.CLOSED, issues=2))
    client.force_login(org.a.users["office_manager"])
    html = client.get(reverse("complaints:detail", args=[c.id])).content.decode()
    issues = html.split('<ol class="issues">', 1)[1].split("</ol>", 1)[0]
    assert issues.count("待处理") == 2 and "验证合格" not in issues
    assert "复查运行正常" not in issues  # the old verification note is not shown as the issue's verification
    assert "复查运行正常" in html  # it stays on the timeline (the issue_verified events)
    assert "重新处理的问题" in html and "问题1、问题2" in html
    # the owner's tracking page
    r = client.post("/p/track/", {"receipt_no": c.receipt_no, "code": c.check_code})
    page = client.get(r["Location"]).content.decode()
    public = (
        page.split('<ol class="issues">', 1)[1].split("</ol>", 1)[0]
        if '<ol class="issues">' in page
        else page
    )
    assert public.count("待处理") >= 2 and "验证合格" not in public
    # the API
    _key, token = api_key_create(actor=None, name="测试接口", role=Role.OFFICE_MANAGER, office=org.a.office)
    body = Api(token).get(f"/complaints/{c.id}").json()
    assert body["state"] == State.INVESTIGATING
    assert [
        (i["state"], i["verified_at"], i["verification_note"], i["closed_at"]) for i in body["issues"]
    ] == [("open", None, "", None)] * 2
