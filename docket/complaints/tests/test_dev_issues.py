"""An issue forwarded to the developer waits for its answer (seed 5.2.3.9, 5.2.3.6; docs/decisions.md "devissues").

- Recording the company's own findings on a forwarded issue keeps it forwarded: only the developer's answer
  (`issue_developer_answer_record`) ends the wait. Before, the findings moved it to investigated, and the final
  reply, the measures and the verification went on without the developer's answer.
- `measures_done` moves exactly the issues of its row in `workflow.ISSUE_MOVES` and is refused
  (`measures_with_developer`, record unchanged) while an issue waits for the developer — forwarded, or with a
  forward of its own not yet answered. The developer's answer may be recorded while implementing, after which
  the measures are reported for every issue still owed.
- The complaint page and the API do not offer 措施已落实 then: the page says which issue waits for the
  developer and offers recording its answer as the next step.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from docket.accounts.models import Role
from docket.api.tests.conftest import Api
from docket.complaints import access, next_steps, workflow
from docket.complaints import services as s
from docket.complaints.models import (
    Complaint,
    ComplaintEvent,
    ComplaintIssue,
    DeveloperForward,
    IssueState,
    State,
)
from docket.complaints.services.handling import MEASURES_OWED

from . import helpers as h

pytestmark = pytest.mark.django_db


def _states(c) -> list[str]:
    return list(ComplaintIssue.objects.filter(complaint=c).order_by("seq").values_list("state", flat=True))


def _state(c) -> str:
    return Complaint.objects.get(pk=c.pk).state


def _forward(org, c, issue) -> DeveloperForward:
    return s.issue_forward_to_developer(
        actor=org.a.users["eng_supervisor"],
        complaint_id=c.id,
        issue_id=issue.id,
        party_id=org.developer.id,
        reason="外墙渗水属地产保修",
    )


def _findings(org, c, issue) -> None:
    s.issue_findings_record(
        actor=org.a.users["eng_supervisor"],
        complaint_id=c.id,
        issue_id=issue.id,
        findings="现场查看属实",
        measures="安排维修",
    )


def _measures(org, c) -> Complaint:
    s.measures_done(actor=org.a.users["eng_staff"], complaint_id=c.id, note="已维修")
    return Complaint.objects.get(pk=c.pk)


def _implementing_with_one_at_the_developer(org, *, state=IssueState.FORWARDED) -> Complaint:
    """A phone complaint with two issues, implementing, whose issue 1 waits for the developer: forwarded (a
    complaint of before this change could get here), or — `state` investigated — with its forward unanswered
    (its findings were recorded over the forward, as the old findings did)."""
    c = h.drive_to(org, State.IMPLEMENTING, issues=2)
    one = c.issues.get(seq=1)
    one.state = state
    one.save(update_fields=["state"])
    DeveloperForward.objects.create(
        complaint=c,
        company_id=c.company_id,
        party=org.developer,
        reason="外墙渗水属地产保修",
        sent_by=org.a.users["eng_supervisor"],
        sent_at=c.updated_at,
        issue=one,
    )
    return Complaint.objects.get(pk=c.pk)


# --- findings keep a forwarded issue waiting ------------------------------------------------------------------


def test_findings_on_a_forwarded_issue_keep_it_waiting_for_the_developer(org):
    """The path the bug took: findings recorded on the forwarded issue moved it to investigated, so the final
    reply went out and the measures reached verification without the developer's answer."""
    c, (one, two) = h.investigated_two_issues(org, h.Method.PHONE, findings=False)
    fwd = _forward(org, c, one)
    _findings(org, c, one)
    _findings(org, c, two)
    one.refresh_from_db()
    assert (one.state, one.findings, one.measures) == (IssueState.FORWARDED, "现场查看属实", "安排维修")
    assert _states(c) == [IssueState.FORWARDED, IssueState.INVESTIGATED]
    u = org.a.users
    s.reply_draft_save(actor=u["eng_supervisor"], complaint_id=c.id, body="您好，经现场查看……")
    e = h.refused("issue_with_developer", c.id, lambda: s.reply_send(actor=u["reception"], complaint_id=c.id))
    assert "问题1" in str(e)
    # the developer's answer ends the wait; the company's findings stay (not replaced by the answer)
    s.issue_developer_answer_record(
        actor=u["reception"], complaint_id=c.id, forward_id=fwd.id, answer="地产将于下周维修外墙"
    )
    one.refresh_from_db()
    assert (one.state, one.findings) == (IssueState.INVESTIGATED, "现场查看属实")
    s.reply_send(actor=u["reception"], complaint_id=c.id)
    assert _state(c) == State.REPLIED


# --- measures_done and the developer ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "state", [IssueState.FORWARDED, IssueState.INVESTIGATED], ids=["forwarded", "unanswered"]
)
def test_measures_done_is_refused_while_an_issue_waits_for_the_developer(org, state):
    c = _implementing_with_one_at_the_developer(org, state=state)
    e = h.refused(
        "measures_with_developer",
        c.id,
        lambda: s.measures_done(actor=org.a.users["eng_staff"], complaint_id=c.id, note="已维修"),
    )
    assert "问题1" in str(e) and "问题2" not in str(e)
    assert _state(c) == State.IMPLEMENTING
    assert _states(c) == [state, IssueState.INVESTIGATED]


def test_after_the_developer_answers_the_measures_move_every_issue_owed(org):
    """Recorded while implementing (the refusal's advice), the developer's answer brings the issue back to the
    company; the measures are then reported for both issues and both are verified."""
    c = _implementing_with_one_at_the_developer(org)
    fwd = DeveloperForward.objects.get(complaint=c, issue__seq=1)
    s.issue_developer_answer_record(
        actor=org.a.users["reception"], complaint_id=c.id, forward_id=fwd.id, answer="地产已维修外墙"
    )
    assert _state(c) == State.IMPLEMENTING and _states(c) == [IssueState.INVESTIGATED] * 2
    c = _measures(org, c)
    assert c.state == State.VERIFYING
    assert _states(c) == [IssueState.MEASURES_DONE] * 2
    event = ComplaintEvent.objects.filter(complaint=c, kind="measures_done").latest("seq")
    assert event.payload["issues"] == [1, 2]


def test_a_mixed_complaint_moves_only_the_issues_the_company_carries_out(org):
    """Issue 1 ended on the developer's path (forwarded, answered, answered to the complainant: closed on its
    own); issue 2 is the company's. measures_done moves issue 2 only and verification ends the complaint."""
    c, (one, two) = h.investigated_two_issues(org, h.Method.PHONE, findings=False)
    u = org.a.users
    fwd = _forward(org, c, one)
    _findings(org, c, one)  # the company's own look: the issue still waits
    _findings(org, c, two)
    s.issue_developer_answer_record(
        actor=u["reception"], complaint_id=c.id, forward_id=fwd.id, answer="地产将于下周维修外墙"
    )
    answer = s.issue_answer_submit(
        actor=u["eng_supervisor"], complaint_id=c.id, issue_ids=[one.id], body="地产将于下周维修外墙"
    )
    s.issue_answer_send(actor=u["reception"], complaint_id=c.id, answer_id=answer.id)
    assert _states(c) == [IssueState.CLOSED, IssueState.INVESTIGATED]
    s.reply_draft_save(actor=u["eng_supervisor"], complaint_id=c.id, body="您好，经现场查看……")
    s.reply_send(actor=u["reception"], complaint_id=c.id)
    s.complainant_agree(actor=u["reception"], complaint_id=c.id)
    c = _measures(org, c)
    assert c.state == State.VERIFYING
    assert _states(c) == [IssueState.CLOSED, IssueState.MEASURES_DONE]
    event = ComplaintEvent.objects.filter(complaint=c, kind="measures_done").latest("seq")
    assert event.payload["issues"] == [2]
    s.issue_verify(
        actor=u["office_manager"], complaint_id=c.id, issue_id=two.id, passed=True, note="复查正常"
    )
    assert _state(c) == State.FOLLOW_UP


def _measures_row() -> tuple[frozenset[str], str]:
    ((_action, sources, target),) = [m for m in workflow.ISSUE_MOVES if m[0] == "measures_done"]
    return sources, target


def test_measures_done_reads_its_issue_moves_row():
    sources, _target = _measures_row()
    assert sources == MEASURES_OWED and IssueState.FORWARDED not in sources


@pytest.mark.parametrize("state", list(IssueState.values))
def test_measures_done_moves_exactly_its_issue_moves_row(org, state):
    """The service and `workflow.ISSUE_MOVES` agree: an issue in one of the row's sources is moved to its
    target, any other stays as it was (an issue waiting for the developer: the report is refused)."""
    sources, target = _measures_row()
    c = h.drive_to(org, State.IMPLEMENTING, issues=2)
    one = c.issues.get(seq=1)
    one.state = state
    one.save(update_fields=["state"])
    if state == IssueState.FORWARDED:
        h.refused("measures_with_developer", c.id, lambda: _measures(org, c))
        return
    _measures(org, c)
    assert _states(c) == [target if state in sources else state, IssueState.MEASURES_DONE]


# --- what the staff see ---------------------------------------------------------------------------------------


def test_the_page_says_the_issue_waits_for_the_developer_and_offers_its_answer(client, org):
    c = _implementing_with_one_at_the_developer(org)
    sup = org.a.users["eng_supervisor"]
    assert "measures_done" not in {a.name for a in access.available_actions(sup, c)}
    step = next_steps.next_action_for(sup, c)
    assert step is not None and step.action == "issue_developer_answer_record"
    client.force_login(sup)
    html = client.get(reverse("complaints:detail", args=[c.id])).content.decode()
    assert "问题1已转地产处理，等待地产答复" in html
    assert reverse("complaints:action", args=[c.id, "measures_done"]) not in html
    assert reverse("complaints:action", args=[c.id, "issue_developer_answer_record"]) in html
    # once answered, 措施已落实 is the step again and the note is gone
    fwd = DeveloperForward.objects.get(complaint=c, issue__seq=1)
    s.issue_developer_answer_record(actor=sup, complaint_id=c.id, forward_id=fwd.id, answer="地产已维修外墙")
    c = Complaint.objects.get(pk=c.pk)
    assert "measures_done" in {a.name for a in access.available_actions(sup, c)}
    html = client.get(reverse("complaints:detail", args=[c.id])).content.decode()
    assert "等待地产答复" not in html
    assert reverse("complaints:action", args=[c.id, "measures_done"]) in html


def test_the_api_refuses_with_a_stable_code(org, make_key):
    c = _implementing_with_one_at_the_developer(org)
    _k, token = make_key(Role.OFFICE_MANAGER)
    api = Api(token)
    before = h.snapshot(c.id)
    r = api.post(f"/complaints/{c.id}/actions/measures_done", {"version": c.version, "note": "已维修"})
    assert r.status_code == 409 and r.json()["code"] == "measures_with_developer", r.json()
    assert "问题1" in r.json()["message"]
    assert h.snapshot(c.id) == before


@pytest.fixture
def make_key(org):
    from docket.api.services import api_key_create

    def make(role, *, office=None, company=None):
        if office is None and company is None:
            office = org.a.office
        return api_key_create(actor=None, name="测试接口", role=role, office=office, company=company)

    return make


def test_while_investigating_the_step_is_the_developers_answer_not_the_reply(client, org):
    """The final reply is refused while an issue waits for the developer (`issue_with_developer`): the page's
    step is recording the developer's answer, and its note says why, instead of a reply step that fails."""
    c, (one, two) = h.investigated_two_issues(org, h.Method.PHONE, findings=False)
    fwd = _forward(org, c, one)
    _findings(org, c, two)
    sup = org.a.users["eng_supervisor"]
    s.reply_draft_save(actor=sup, complaint_id=c.id, body="您好，经现场查看……")
    step = next_steps.next_action_for(sup, Complaint.objects.get(pk=c.id))
    assert step is not None and step.action == "issue_developer_answer_record"
    client.force_login(sup)
    html = client.get(reverse("complaints:detail", args=[c.id])).content.decode()
    assert "问题1已转地产处理，等待地产答复；记录地产答复后才能提交或发送最终答复。" in html
    s.issue_developer_answer_record(actor=sup, complaint_id=c.id, forward_id=fwd.id, answer="地产已维修外墙")
    step = next_steps.next_action_for(sup, Complaint.objects.get(pk=c.id))
    assert step is not None and step.action == "reply_send"
    assert "等待地产答复" not in client.get(reverse("complaints:detail", args=[c.id])).content.decode()
