"""Per-issue answers (seed3; issue 15, SPEC R-INT-5): one letter's issues answered, forwarded to the developer
and closed one by one, while the letter stays one complaint; the final reply covers them all. Through the real
services, the staff page, the API and the owners' tracking page: the happy paths, the refusals (each leaving
the whole file unchanged), the deadlines and who may."""

from __future__ import annotations

import pytest
from django.urls import reverse

from docket.api.tests.conftest import Api
from docket.complaints import access
from docket.complaints import services as s
from docket.complaints.models import (
    Complaint,
    ComplaintIssue,
    IssueAnswer,
    IssueState,
    Method,
    Obligation,
    State,
)
from docket.complaints.services.issue_answers import final_reply_prefill

from . import helpers as h

pytestmark = pytest.mark.django_db


@pytest.fixture
def make_key(org):
    from docket.api.services import api_key_create

    def make(role, *, office=None, company=None):
        if office is None and company is None:
            office = org.a.office
        return api_key_create(actor=None, name="测试接口", role=role, office=office, company=company)

    return make


def _two_issues(org, method=Method.EMAIL, *, findings=True):
    """An investigating complaint with two issues (both investigated unless `findings` is False)."""
    return h.investigated_two_issues(org, method, findings=findings)


def _submit(org, c, issues, body="问题一：已更换门机板。"):
    return s.issue_answer_submit(
        actor=org.a.users["eng_supervisor"], complaint_id=c.id, issue_ids=[i.id for i in issues], body=body
    )


def _ob(c, kind) -> Obligation:
    return Obligation.objects.filter(complaint_id=c.id, kind=kind).order_by("-id")[0]


def _offered(user, c) -> set[str]:
    return {a.name for a in access.available_actions(user, Complaint.objects.get(pk=c.id))}


# --- the happy path: one issue answered on its own, through the complaint's review route ----------------------


def test_one_issue_answered_on_its_own_through_review_reaches_the_complainant(client, org):
    c, (one, two) = _two_issues(org)
    answer = _submit(org, c, [one])
    assert answer.state == "in_review" and answer.review_stages == ["qm"] and answer.pending_stage == "qm"
    assert "issue_answer_review" in _offered(org.users["qm"], c)
    assert "issue_answer_review" not in _offered(org.users["general_office"], c)

    s.issue_answer_review(actor=org.users["qm"], complaint_id=c.id, answer_id=answer.id, approve=True)
    answer.refresh_from_db()
    assert answer.state == "approved" and answer.pending_stage == ""
    s.issue_answer_send(actor=org.a.users["reception"], complaint_id=c.id, answer_id=answer.id)

    c.refresh_from_db()
    one.refresh_from_db()
    two.refresh_from_db()
    assert c.state == State.INVESTIGATING  # still one complaint, handled on
    assert one.answered_at is not None and two.answered_at is None
    assert one.state == IssueState.INVESTIGATED  # answered, its measures not yet verified: not closed
    ev = c.events.filter(kind="issue_answered").get()
    assert ev.payload["issues"] == [1] and "已更换门机板" in ev.payload["body"]

    # the complainant's tracking page shows the answer with the issue it answers
    r = client.post("/p/track/", {"receipt_no": c.receipt_no, "code": c.check_code})
    html = client.get(r["Location"]).content.decode()
    assert "单项答复" in html and "已更换门机板" in html and "问题1" in html


def test_a_letter_goes_through_qm_then_the_general_office(org):
    c, (one, _two) = _two_issues(org, Method.LETTER)
    answer = _submit(org, c, [one])
    assert answer.review_stages == ["qm", "general_office"]
    # the general office cannot act before QM
    h.refused(
        "forbidden_action",
        c.id,
        lambda: s.issue_answer_review(
            actor=org.users["general_office"], complaint_id=c.id, answer_id=answer.id, approve=True
        ),
    )
    s.issue_answer_review(actor=org.users["qm"], complaint_id=c.id, answer_id=answer.id, approve=True)
    answer.refresh_from_db()
    assert answer.state == "in_review" and answer.pending_stage == "general_office"
    h.refused(
        "forbidden_action",
        c.id,
        lambda: s.issue_answer_review(
            actor=org.users["qm"], complaint_id=c.id, answer_id=answer.id, approve=True
        ),
    )
    s.issue_answer_review(
        actor=org.users["general_office"], complaint_id=c.id, answer_id=answer.id, approve=True
    )
    answer.refresh_from_db()
    assert answer.state == "approved" and [r["stage"] for r in answer.reviews] == ["qm", "general_office"]


def test_a_phone_complaints_answer_needs_no_review_and_a_returned_one_stays_on_record(org):
    c, (one, _two) = _two_issues(org, Method.PHONE)
    assert _submit(org, c, [one]).state == "approved"
    c2, (one2, _) = _two_issues(org)
    answer = _submit(org, c2, [one2])
    h.refused(
        "required",
        c2.id,
        lambda: s.issue_answer_review(
            actor=org.users["qm"], complaint_id=c2.id, answer_id=answer.id, approve=False
        ),
    )
    s.issue_answer_review(
        actor=org.users["qm"], complaint_id=c2.id, answer_id=answer.id, approve=False, comment="措辞不当"
    )
    answer.refresh_from_db()
    assert answer.state == "returned" and answer.reviews[0]["comment"] == "措辞不当"
    h.refused(
        "issue_answer_none",
        c2.id,
        lambda: s.issue_answer_send(actor=org.a.users["reception"], complaint_id=c2.id, answer_id=answer.id),
    )


# --- refusals -------------------------------------------------------------------------------------------------


def test_refusals_leave_the_file_unchanged(org):
    c, (one, _two) = _two_issues(org)
    other, _ = _two_issues(org)
    foreign = other.issues.first()
    sup = org.a.users["eng_supervisor"]
    # an issue of another complaint, an unknown issue, no issue at all
    h.refused("issue_unknown", c.id, lambda: _submit(org, c, [one, foreign]))
    h.refused(
        "issue_unknown",
        c.id,
        lambda: s.issue_answer_submit(actor=sup, complaint_id=c.id, issue_ids=[424242], body="x"),
    )
    h.refused(
        "required", c.id, lambda: s.issue_answer_submit(actor=sup, complaint_id=c.id, issue_ids=[], body="x")
    )
    # wrong role: department staff and the general office do not answer
    h.refused(
        "forbidden_action",
        c.id,
        lambda: s.issue_answer_submit(
            actor=org.a.users["eng_staff"], complaint_id=c.id, issue_ids=[one.id], body="x"
        ),
    )
    # wrong state: a replied complaint
    replied = h.drive_to(org, State.REPLIED)
    h.refused(
        "invalid_transition",
        replied.id,
        lambda: s.issue_answer_submit(
            actor=sup, complaint_id=replied.id, issue_ids=[replied.issues.first().id], body="x"
        ),
    )
    # an issue without findings: staff must not guess (R-HDL-12)
    bare, (b1, _b2) = _two_issues(org, findings=False)
    h.refused("issues_incomplete", bare.id, lambda: _submit(org, bare, [b1]))
    # another office's staff: not found
    h.refused(
        "not_found",
        c.id,
        lambda: s.issue_answer_submit(
            actor=org.b.users["eng_supervisor"], complaint_id=c.id, issue_ids=[one.id], body="x"
        ),
    )
    # an answer of another complaint cannot be reviewed or sent here (though one of this one waits for QM)
    foreign_answer = _submit(org, other, [foreign])
    _submit(org, c, [one])
    h.refused(
        "issue_answer_none",
        c.id,
        lambda: s.issue_answer_review(
            actor=org.users["qm"], complaint_id=c.id, answer_id=foreign_answer.id, approve=True
        ),
    )


# --- deadlines ------------------------------------------------------------------------------------------------


def test_a_partial_answer_is_a_contact_but_the_reply_deadline_runs_until_every_issue_is_answered(org):
    c, (one, two) = _two_issues(org, Method.PHONE)
    reply_ob = _ob(c, "reply")
    assert reply_ob.met_at is None
    first = _submit(org, c, [one])
    s.issue_answer_send(actor=org.a.users["reception"], complaint_id=c.id, answer_id=first.id)
    reply_ob.refresh_from_db()
    assert reply_ob.met_at is None  # one issue of two answered: the reply is still owed
    assert _ob(c, "first_contact").met_at is not None  # but the complainant has been contacted
    second = _submit(org, c, [two], body="问题二：已清理")
    s.issue_answer_send(actor=org.a.users["reception"], complaint_id=c.id, answer_id=second.id)
    reply_ob.refresh_from_db()
    assert reply_ob.met_at is not None and reply_ob.state == Obligation.State.MET


# --- the final reply covers every issue -----------------------------------------------------------------------


def test_the_final_reply_waits_for_pending_answers_and_is_prefilled_with_them(client, org):
    c, (one, two) = _two_issues(org)
    answer = _submit(org, c, [one])
    s.reply_draft_save(actor=org.a.users["eng_supervisor"], complaint_id=c.id, body="最终答复")
    h.refused(
        "issue_answer_pending",
        c.id,
        lambda: s.reply_submit(actor=org.a.users["eng_supervisor"], complaint_id=c.id),
    )
    s.issue_answer_review(actor=org.users["qm"], complaint_id=c.id, answer_id=answer.id, approve=True)
    s.issue_answer_send(actor=org.a.users["reception"], complaint_id=c.id, answer_id=answer.id)
    text = final_reply_prefill(Complaint.objects.get(pk=c.id))
    assert "问题1：问题1\n（已于" in text and "已更换门机板" in text and "问题2：问题2\n措施2" in text
    s.reply_submit(actor=org.a.users["eng_supervisor"], complaint_id=c.id)
    assert Complaint.objects.get(pk=c.id).state == State.IN_REVIEW


def test_the_reply_form_is_prefilled_on_the_page(client, org):
    c, (one, _two) = _two_issues(org, Method.PHONE)
    answer = _submit(org, c, [one], body="问题一已处理完毕")
    s.issue_answer_send(actor=org.a.users["reception"], complaint_id=c.id, answer_id=answer.id)
    client.force_login(org.a.users["eng_supervisor"])
    html = client.get(reverse("complaints:action", args=[c.id, "reply_draft_save"])).content.decode()
    assert "问题一已处理完毕" in html and "措施2" in html
    page = client.get(reverse("complaints:detail", args=[c.id])).content.decode()
    assert 'data-issue-answer="1"' in page


# --- one issue forwarded to the developer, and closed on its own ----------------------------------------------


def test_one_issue_forwarded_to_the_developer_then_answered_and_closed(org):
    c, (one, two) = _two_issues(org, Method.PHONE, findings=False)
    sup = org.a.users["eng_supervisor"]
    fwd = s.issue_forward_to_developer(
        actor=sup, complaint_id=c.id, issue_id=two.id, party_id=org.developer.id, reason="外墙渗水属地产保修"
    )
    c.refresh_from_db()
    two.refresh_from_db()
    assert c.state == State.INVESTIGATING and c.developer_related  # the complaint is not with the developer
    assert two.state == IssueState.FORWARDED and fwd.issue_id == two.id
    assert fwd.obligation is not None and fwd.obligation.kind == "developer_answer"
    # the other issue goes on; the final reply waits for the developer
    s.issue_findings_record(actor=sup, complaint_id=c.id, issue_id=one.id, findings="属实", measures="维修")
    s.reply_draft_save(actor=sup, complaint_id=c.id, body="答复")
    h.refused(
        "issue_with_developer", c.id, lambda: s.reply_send(actor=org.a.users["reception"], complaint_id=c.id)
    )
    h.refused("issue_not_answerable", c.id, lambda: _submit(org, c, [two]))
    # the complaint-level developer answer does not touch the issue's forward
    assert "issue_developer_answer_record" in _offered(org.a.users["reception"], c)
    s.issue_developer_answer_record(
        actor=org.a.users["reception"], complaint_id=c.id, forward_id=fwd.id, answer="地产将于下周维修外墙"
    )
    two.refresh_from_db()
    fwd.refresh_from_db()
    assert two.state == IssueState.INVESTIGATED and "地产将于下周维修外墙" in two.findings
    assert fwd.obligation.met_at is not None
    answer = _submit(org, c, [two], body="地产将于下周维修外墙")
    s.issue_answer_send(actor=org.a.users["reception"], complaint_id=c.id, answer_id=answer.id)
    two.refresh_from_db()
    assert two.state == IssueState.CLOSED and two.closed_at is not None
    assert c.events.filter(kind="issue_closed", payload__issue=2).exists()
    # the final reply now goes out; the closed issue is left alone by the rest of the handling
    s.reply_send(actor=org.a.users["reception"], complaint_id=c.id)
    s.complainant_agree(actor=org.a.users["reception"], complaint_id=c.id)
    s.measures_done(actor=org.a.users["eng_staff"], complaint_id=c.id, note="已维修")
    two.refresh_from_db()
    assert two.state == IssueState.CLOSED
    s.issue_verify(
        actor=org.a.users["office_manager"], complaint_id=c.id, issue_id=one.id, passed=True, note="正常"
    )
    assert Complaint.objects.get(pk=c.id).state == State.FOLLOW_UP


def test_an_answered_issue_is_closed_when_verified(org):
    c, (one, two) = _two_issues(org, Method.PHONE)
    answer = _submit(org, c, [one])
    s.issue_answer_send(actor=org.a.users["reception"], complaint_id=c.id, answer_id=answer.id)
    s.reply_draft_save(actor=org.a.users["eng_supervisor"], complaint_id=c.id, body="答复")
    s.reply_send(actor=org.a.users["reception"], complaint_id=c.id)
    s.complainant_agree(actor=org.a.users["reception"], complaint_id=c.id)
    s.measures_done(actor=org.a.users["eng_staff"], complaint_id=c.id, note="已维修")
    om = org.a.users["office_manager"]
    s.issue_verify(actor=om, complaint_id=c.id, issue_id=one.id, passed=True, note="正常")
    one.refresh_from_db()
    assert one.state == IssueState.CLOSED
    s.issue_verify(actor=om, complaint_id=c.id, issue_id=two.id, passed=True, note="正常")
    two.refresh_from_db()
    assert two.state == IssueState.VERIFIED  # never answered on its own: covered by the final reply
    assert Complaint.objects.get(pk=c.id).state == State.FOLLOW_UP


# --- API and permissions ----------------------------------------------------------------------------------------


def test_the_api_answers_issues_and_shows_them_and_refuses_another_complaints_issue(org, make_key):
    from docket.accounts.models import Role

    c, (one, two) = _two_issues(org, Method.PHONE)
    other, _ = _two_issues(org, Method.PHONE)
    _k, token = make_key(Role.OFFICE_MANAGER)
    api = Api(token)
    before = h.snapshot(c.id)
    r = api.post(
        f"/complaints/{c.id}/actions/issue_answer_submit",
        {
            "version": Complaint.objects.get(pk=c.id).version,
            "issue_ids": [one.id, other.issues.first().id],
            "body": "答复",
        },
    )
    assert r.status_code == 422 and r.json()["code"] == "validation"
    assert "issue_ids" in [f["field"] for f in r.json()["fields"]]
    assert h.snapshot(c.id) == before
    r = api.post(
        f"/complaints/{c.id}/actions/issue_answer_submit",
        {
            "version": Complaint.objects.get(pk=c.id).version,
            "issue_ids": [one.id, two.id],
            "body": "两个问题均已处理",
        },
    )
    assert r.status_code == 200, r.json()
    body = r.json()
    (answer,) = body["issue_answers"]
    assert answer["issues"] == [1, 2] and answer["state"] == "approved"
    r = api.post(
        f"/complaints/{c.id}/actions/issue_answer_send",
        {"version": body["version"], "answer_id": answer["id"]},
    )
    assert r.status_code == 200, r.json()
    assert all(i["answered_at"] for i in r.json()["issues"])
    # a reviewer's error code is stable
    c2, (x1, _) = _two_issues(org)
    ans = _submit(org, c2, [x1])
    _k, go_token = make_key(Role.GENERAL_OFFICE, company=org.company)
    r = Api(go_token).post(
        f"/complaints/{c2.id}/actions/issue_answer_review",
        {"version": Complaint.objects.get(pk=c2.id).version, "answer_id": ans.id, "approve": True},
    )
    assert r.status_code == 403 and r.json()["code"] == "forbidden_action"


def test_pages_of_another_office_do_not_show_the_answers(client, org):
    c, (one, _two) = _two_issues(org, Method.PHONE)
    answer = _submit(org, c, [one], body="王先生家的漏水已处理")
    s.issue_answer_send(actor=org.a.users["reception"], complaint_id=c.id, answer_id=answer.id)
    client.force_login(org.b.users["office_manager"])
    assert client.get(reverse("complaints:detail", args=[c.id])).status_code == 404
    assert client.get(reverse("complaints:action", args=[c.id, "issue_answer_submit"])).status_code == 404
    outsider = Api(None)
    r = outsider.get(f"/complaints/{c.id}")
    assert r.status_code == 401


def test_issue_moves_name_real_actions_and_states():
    from docket.complaints import workflow

    for action, sources, target in workflow.ISSUE_MOVES:
        assert action in workflow.ACTIONS
        assert sources <= set(IssueState.values) and target in IssueState.values
    assert ComplaintIssue._meta.get_field("state").max_length >= max(len(v) for v in IssueState.values)
    assert IssueAnswer._meta.get_field("state")


def test_the_staff_page_answers_two_issues_at_once(client, org):
    c, (one, two) = _two_issues(org)
    client.force_login(org.a.users["eng_supervisor"])
    url = reverse("complaints:action", args=[c.id, "issue_answer_submit"])
    html = client.get(url).content.decode()
    assert 'type="checkbox" name="issue_ids"' in html and "问题1" in html
    version = Complaint.objects.get(pk=c.id).version
    r = client.post(url, {"version": version, "issue_ids": [one.id, two.id], "body": "两个问题一并答复"})
    assert r.status_code in (200, 302), r.content.decode()[:500]
    answer = IssueAnswer.objects.get(complaint=c)
    assert sorted(answer.issues.values_list("seq", flat=True)) == [1, 2] and answer.state == "in_review"


def _queue_steps(user) -> dict[int, str]:
    """{complaint id: the step's action} of the user's work queue (selectors.work_queue_for), through the
    queue's own step decider (next_steps.StepDecider) after the page's prefetch."""
    from docket.complaints import next_steps, selectors

    rows = list(selectors.work_queue_for(user))
    next_steps.prefetch_for_steps(rows)
    decide = next_steps.StepDecider(user)
    return {c.id: step.action for c in rows if (step := decide(c)) is not None}


def test_an_issue_answer_waits_in_each_reviewers_queue_then_the_senders(org):
    """An issue's own answer is the next step of whoever must act on it now: QM, then the general office
    (a letter), then the front desk sends it; nobody's queue holds it while it waits for someone else."""
    c, (one, _two) = _two_issues(org, Method.LETTER)
    qm, go, rec = org.users["qm"], org.users["general_office"], org.a.users["reception"]
    assert c.id not in _queue_steps(go) and c.id not in _queue_steps(rec)
    answer = _submit(org, c, [one])
    assert _queue_steps(qm).get(c.id) == "issue_answer_review"
    assert c.id not in _queue_steps(go)  # not yet its stage
    s.issue_answer_review(actor=qm, complaint_id=c.id, answer_id=answer.id, approve=True)
    assert c.id not in _queue_steps(qm) or _queue_steps(qm)[c.id] != "issue_answer_review"
    assert _queue_steps(go).get(c.id) == "issue_answer_review"
    s.issue_answer_review(actor=go, complaint_id=c.id, answer_id=answer.id, approve=True)
    assert c.id not in _queue_steps(go)
    assert _queue_steps(rec).get(c.id) == "issue_answer_send"
    # the per-row path (the complaint page's primary button) names the same step
    from docket.complaints.next_steps import next_action_for

    step = next_action_for(rec, Complaint.objects.get(pk=c.id))
    assert step is not None and step.action == "issue_answer_send"
    s.issue_answer_send(actor=rec, complaint_id=c.id, answer_id=answer.id)
    assert c.id not in _queue_steps(rec)
