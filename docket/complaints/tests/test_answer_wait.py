"""What the complaint page offers while an issue's own answer or an issue's forward is pending
(docs/decisions.md "answerwait").

- While an issue answer is in review or approved and not yet sent, the final reply is refused
  (`issue_answer_pending`, 409): the page and the API no longer offer 提交审核 / 发送答复 then, by the same rule
  (`services.issue_answers.final_reply_refusal`), the page says which answer waits for whom, and the drafter's
  step is none (the reviewer's is 审核单项答复, the sender's 发送单项答复).
- While an issue waits for the developer on its own, the whole complaint is not forwarded to the developer
  again (`forward_issue_with_developer`, 409; before, it was forwarded a second time): not offered on the page
  or in the API, the page says so; once the developer's answer to the issue is recorded it is offered and
  goes through.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from docket.accounts.models import Role
from docket.api.tests.conftest import Api
from docket.complaints import access, next_steps
from docket.complaints import services as s
from docket.complaints.models import Complaint, DeveloperForward, IssueAnswer, Method, ReplyState, State
from docket.complaints.selectors import complaint_detail_for
from docket.complaints.tests.helpers import detail_html as _detail
from docket.complaints.tests.helpers import offered_both_ways as _actions

from . import helpers as h

pytestmark = pytest.mark.django_db


def _button(c, action: str) -> str:
    return reverse("complaints:action", args=[c.id, action])


# --- the final reply while an issue answer is pending -----------------------------------------------------------


def _draft_with_an_answer(org, method: str, *, approved: bool) -> tuple[Complaint, IssueAnswer]:
    """Investigating, both issues investigated, issue 1's own answer submitted (and with `approved`, approved
    by QM; a phone complaint's is approved at once), and a final reply draft saved."""
    c, (one, _two) = h.investigated_two_issues(org, method)
    sup = org.a.users["eng_supervisor"]
    answer = s.issue_answer_submit(
        actor=sup, complaint_id=c.id, issue_ids=[one.id], body="问题一：已更换门机板。"
    )
    if approved and answer.state == ReplyState.IN_REVIEW:
        s.issue_answer_review(actor=org.users["qm"], complaint_id=c.id, answer_id=answer.id, approve=True)
    s.reply_draft_save(actor=sup, complaint_id=c.id, body="您好，经现场查看……")
    answer.refresh_from_db()
    assert answer.state == (ReplyState.APPROVED if approved else ReplyState.IN_REVIEW)
    return Complaint.objects.get(pk=c.pk), answer


CASES = [
    (
        Method.EMAIL,
        "reply_submit",
        False,
        "第 1 份单项答复等待品质管理部审核；审核通过并发送后才能提交或发送最终答复。",
    ),
    (
        Method.EMAIL,
        "reply_submit",
        True,
        "第 1 份单项答复已审核通过，等待发送给顾客；发送后才能提交或发送最终答复。",
    ),
    (
        Method.PHONE,
        "reply_send",
        True,
        "第 1 份单项答复已审核通过，等待发送给顾客；发送后才能提交或发送最终答复。",
    ),
]


@pytest.mark.parametrize(
    "method,action,approved,note", CASES, ids=["submit-in-review", "submit-approved", "send"]
)
def test_the_final_reply_is_neither_offered_nor_taken_while_an_issue_answer_is_pending(
    client, org, method, action, approved, note
):
    c, answer = _draft_with_an_answer(org, method, approved=approved)
    u = org.a.users
    sup = u["eng_supervisor"]
    actor = sup if action == "reply_submit" else u["reception"]
    for user in (sup, u["reception"], u["office_manager"], org.users["qm"]):
        for offered in _actions(user, c):
            assert action not in offered, (user.username, offered)
    assert "reply_draft_save" in _actions(sup, c)[1]  # the draft may still change
    # the service refuses with its stable code, the record unchanged
    service = s.reply_submit if action == "reply_submit" else s.reply_send
    e = h.refused("issue_answer_pending", c.id, lambda: service(actor=actor, complaint_id=c.id))
    assert e.status == 409 and "第 1 份单项答复" in e.message

    # the page: no button, the note says which answer waits for whom. The drafter's step (the queue's, the
    # page's) was 提交审核 / 发送答复: now the answer's sending when they may send it, else none; the reviewer's
    # is the review
    html = _detail(client, sup, c)
    assert _button(c, action) not in html and _button(c, "reply_draft_save") in html
    assert note in html
    page = complaint_detail_for(Complaint.objects.get(pk=c.pk))
    for row in (Complaint.objects.get(pk=c.pk), page):
        step = next_steps.next_action_for(sup, row)
        assert (step and step.action) == ("issue_answer_send" if approved else None)
    if not approved:
        html = _detail(client, org.users["qm"], c)
        assert _button(c, action) not in html and note in html
        assert next_steps.next_action_for(org.users["qm"], page).action == "issue_answer_review"

    # once the answer is sent, the reply is offered again and goes through
    if not approved:
        s.issue_answer_review(actor=org.users["qm"], complaint_id=c.id, answer_id=answer.id, approve=True)
    s.issue_answer_send(actor=u["reception"], complaint_id=c.id, answer_id=answer.id)
    for offered in _actions(actor, c):
        assert action in offered
    assert note not in _detail(client, sup, c)
    step = next_steps.next_action_for(actor, Complaint.objects.get(pk=c.pk))
    assert step is not None and step.action == action
    service(actor=actor, complaint_id=c.id)
    assert Complaint.objects.get(pk=c.pk).state == (
        State.IN_REVIEW if action == "reply_submit" else State.REPLIED
    )


def test_a_letters_answer_names_the_general_office_once_qm_approved(client, org):
    c, answer = _draft_with_an_answer(org, Method.LETTER, approved=False)
    s.issue_answer_review(actor=org.users["qm"], complaint_id=c.id, answer_id=answer.id, approve=True)
    html = _detail(client, org.a.users["eng_supervisor"], c)
    assert "第 1 份单项答复等待办公室审核；审核通过并发送后才能提交或发送最终答复。" in html
    assert _button(c, "reply_submit") not in html


def test_the_api_neither_lists_nor_takes_the_reply_while_an_issue_answer_is_pending(org, make_key):
    c, _answer = _draft_with_an_answer(org, Method.EMAIL, approved=False)
    _k, token = make_key(Role.OFFICE_MANAGER)
    api = Api(token)
    names = {a["name"] for a in api.get(f"/complaints/{c.id}").json()["available_actions"]}
    assert "reply_submit" not in names and "reply_draft_save" in names
    before = h.snapshot(c.id)
    r = api.post(f"/complaints/{c.id}/actions/reply_submit", {"version": c.version})
    assert r.status_code == 409 and r.json()["code"] == "issue_answer_pending", r.json()
    assert h.snapshot(c.id) == before


# --- the whole complaint forwarded while an issue waits for the developer ------------------------------------------


def _one_issue_at_the_developer(org, *, old: bool = False) -> tuple[Complaint, DeveloperForward]:
    """Investigating, issue 1 waiting for the developer — forwarded on its own, or (`old`) investigated with its
    forward unanswered (before devissues) — and issue 2 still open."""
    c, (one, _two) = h.investigated_two_issues(org, findings=False)
    sup = org.a.users["eng_supervisor"]
    if old:
        s.issue_findings_record(
            actor=sup, complaint_id=c.id, issue_id=one.id, findings="属实", measures="维修"
        )
        fwd = DeveloperForward.objects.create(
            complaint=c,
            company_id=c.company_id,
            party=org.developer,
            reason="外墙渗水属地产保修",
            sent_by=sup,
            sent_at=c.updated_at,
            issue=one,
        )
    else:
        fwd = s.issue_forward_to_developer(
            actor=sup,
            complaint_id=c.id,
            issue_id=one.id,
            party_id=org.developer.id,
            reason="外墙渗水属地产保修",
        )
    return Complaint.objects.get(pk=c.pk), fwd


def _forward(org, c):
    return s.developer_forward(
        actor=org.a.users["eng_supervisor"], complaint_id=c.id, party_id=org.developer.id, reason="整体属地产"
    )


@pytest.mark.parametrize("old", [False, True], ids=["forwarded", "unanswered"])
def test_the_service_refuses_the_whole_forward_while_an_issue_waits(org, old):
    """Before, a second forward (the whole letter, issue 1 in it) was made and the complaint went to the
    developer; its answer left issue 1 waiting for its own."""
    c, fwd = _one_issue_at_the_developer(org, old=old)
    e = h.refused("forward_issue_with_developer", c.id, lambda: _forward(org, c))
    assert e.status == 409 and "问题1" in e.message
    assert list(DeveloperForward.objects.filter(complaint=c)) == [fwd]
    assert Complaint.objects.get(pk=c.pk).state == State.INVESTIGATING


@pytest.mark.parametrize("old", [False, True], ids=["forwarded", "unanswered"])
def test_the_whole_complaint_is_not_forwarded_again_while_an_issue_waits(client, org, old):
    c, fwd = _one_issue_at_the_developer(org, old=old)
    u = org.a.users
    sup = u["eng_supervisor"]
    for user in (sup, u["office_manager"], org.users["qm"]):
        for offered in _actions(user, c):
            assert "forward_to_developer" not in offered, (user.username, offered)
    # the other issue may still be forwarded on its own
    assert "issue_forward_to_developer" in _actions(sup, c)[1]
    e = h.refused("forward_issue_with_developer", c.id, lambda: _forward(org, c))
    assert e.status == 409
    assert e.message == (
        "问题1已单独转地产处理、尚未答复，不能再将整个投诉转地产处理：其他问题请用“单项转地产处理”，"
        "或先记录地产对问题1的答复。"
    )

    # the page: no button, the note says so
    html = _detail(client, sup, c)
    assert _button(c, "forward_to_developer") not in html
    assert _button(c, "issue_forward_to_developer") in html
    assert (
        "问题1已转地产处理，等待地产答复；" in html
        and "整个投诉不能再转地产处理，其他问题可单项转地产处理。" in html
    )

    # once the developer's answer to the issue is recorded, the whole complaint may be forwarded
    s.issue_developer_answer_record(actor=sup, complaint_id=c.id, forward_id=fwd.id, answer="地产已维修外墙")
    for offered in _actions(sup, c):
        assert "forward_to_developer" in offered
    assert "整个投诉不能再转地产处理" not in _detail(client, sup, c)
    _forward(org, c)
    assert Complaint.objects.get(pk=c.pk).state == State.WITH_DEVELOPER


def test_the_api_neither_lists_nor_takes_the_forward_while_an_issue_waits(org, make_key):
    c, _fwd = _one_issue_at_the_developer(org)
    _k, token = make_key(Role.OFFICE_MANAGER)
    api = Api(token)
    names = {a["name"] for a in api.get(f"/complaints/{c.id}").json()["available_actions"]}
    assert "forward_to_developer" not in names and "issue_forward_to_developer" in names
    before = h.snapshot(c.id)
    r = api.post(
        f"/complaints/{c.id}/actions/forward_to_developer",
        {"version": c.version, "party_id": org.developer.id, "reason": "整体属地产"},
    )
    assert r.status_code == 409 and r.json()["code"] == "forward_issue_with_developer", r.json()
    assert "问题1" in r.json()["message"]
    assert h.snapshot(c.id) == before


# --- the page reads both rules from what it already read -----------------------------------------------------


def test_the_page_asks_both_rules_without_a_query(org):
    """The offer, the step and the note read the page's prefetch (issues with their answers, forwards): the
    complaint page's query count is unchanged."""
    c, _answer = _draft_with_an_answer(org, Method.EMAIL, approved=False)
    sup = org.a.users["eng_supervisor"]
    s.issue_forward_to_developer(
        actor=sup,
        complaint_id=c.id,
        issue_id=c.issues.get(seq=2).id,
        party_id=org.developer.id,
        reason="外墙渗水属地产保修",
    )
    page = complaint_detail_for(Complaint.objects.get(pk=c.pk))
    with CaptureQueriesContext(connection) as ctx:
        assert not access._ready(page, "reply_submit")
        assert not access._ready(page, "forward_to_developer")
        step = next_steps.next_action_for(sup, page)
        note = next_steps.waiting_note(page)
    assert ctx.captured_queries == [], [q["sql"] for q in ctx.captured_queries]
    assert step is not None and step.action == "issue_developer_answer_record"
    assert note.startswith("第 1 份单项答复等待品质管理部审核；") and "问题2已转地产处理" in note


@pytest.fixture
def make_key(org):
    from docket.api.services import api_key_create

    def make(role, *, office=None, company=None):
        if office is None and company is None:
            office = org.a.office
        return api_key_create(actor=None, name="测试接口", role=role, office=office, company=company)

    return make
