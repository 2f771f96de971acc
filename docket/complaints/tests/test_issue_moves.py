"""Each issue-moving service moves exactly its rows of `workflow.ISSUE_MOVES` (docs/decisions.md "issuemoves").

- `issue_findings_record` took any issue back to investigated, also one whose work had ended (measures done,
  verified, closed on its own, withdrawn): now it reads its rows (open / rework / investigated → investigated;
  forwarded stays forwarded) and refuses the others (`invalid_transition`, naming the issue), record unchanged;
  the page's and the API's form offer only issues its rows take.
- `issue_developer_answer_record` moved the issue of the answered forward to investigated whatever its state:
  now only a forwarded issue moves; the answer to an old forward of an issue in another state ends the wait and
  leaves the issue where it is.
- While an issue waits for the developer, the final reply is refused (`issue_with_developer`, 409): the page
  and the API no longer offer 提交审核 / 发送答复 then, by the same rule (`handling.waiting_for_developer`).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from docket.accounts.models import Role
from docket.api.tests.conftest import Api
from docket.complaints import next_steps, workflow
from docket.complaints import services as s
from docket.complaints.models import Complaint, ComplaintIssue, DeveloperForward, IssueState, Method, State
from docket.complaints.selectors import complaint_detail_for
from docket.complaints.tests.helpers import offered_both_ways as _actions
from docket.core.errors import DomainError

from . import helpers as h

pytestmark = pytest.mark.django_db


def _states(c) -> list[str]:
    return list(ComplaintIssue.objects.filter(complaint=c).order_by("seq").values_list("state", flat=True))


def _set_state(issue: ComplaintIssue, state: str) -> None:
    issue.state = state
    issue.save(update_fields=["state"])


def _findings(org, c, issue, **kw):
    return s.issue_findings_record(
        actor=org.a.users["eng_supervisor"],
        complaint_id=c.id,
        issue_id=issue.id,
        findings="现场复查属实",
        measures="重新维修",
        **kw,
    )


def _old_forward(org, c, issue) -> DeveloperForward:
    """A forward of `issue` not yet answered, made before its issue's state was kept (devissues)."""
    return DeveloperForward.objects.create(
        complaint=c,
        company_id=c.company_id,
        party=org.developer,
        reason="外墙渗水属地产保修",
        sent_by=org.a.users["eng_supervisor"],
        sent_at=c.updated_at,
        issue=issue,
    )


# --- findings: the row decides ----------------------------------------------------------------------------------


@pytest.mark.parametrize("state", list(IssueState.values))
def test_findings_move_exactly_their_issue_moves_rows(org, state):
    """For every issue state: a state of the rows' sources goes to its row's target with the findings written;
    any other is refused with the record unchanged (before, every state but forwarded became investigated)."""
    c = h.drive_to(org, State.INVESTIGATING, issues=2)
    one = c.issues.get(seq=1)
    _set_state(one, state)
    if state in workflow.issue_sources("issue_findings_record"):
        _findings(org, c, one)
        (target,) = workflow.issue_check(one, "issue_findings_record")
        one.refresh_from_db()
        assert (one.state, one.findings) == (target, "现场复查属实")
        return
    e = h.refused("invalid_transition", c.id, lambda: _findings(org, c, one))
    assert e.status == 409
    assert e.message == f"当前状态“问题1：{IssueState(state).label}”下不能执行“记录调查情况与措施”。"


def test_an_issue_closed_on_its_own_is_not_sent_back_to_investigated(client, org):
    """The reachable path: issue 1 forwarded, answered by the developer and answered to the complainant —
    closed on its own while the complaint is still investigating. Its findings are refused; the page's form
    does not offer it (issue 2 still can be investigated), and a crafted post changes nothing."""
    c, (one, two) = h.investigated_two_issues(org, Method.PHONE, findings=False)
    u = org.a.users
    sup = u["eng_supervisor"]
    fwd = s.issue_forward_to_developer(
        actor=sup, complaint_id=c.id, issue_id=one.id, party_id=org.developer.id, reason="外墙渗水属地产保修"
    )
    s.issue_developer_answer_record(
        actor=u["reception"], complaint_id=c.id, forward_id=fwd.id, answer="地产已修"
    )
    answer = s.issue_answer_submit(actor=sup, complaint_id=c.id, issue_ids=[one.id], body="外墙已由地产维修")
    s.issue_answer_send(actor=u["reception"], complaint_id=c.id, answer_id=answer.id)
    assert _states(c) == [IssueState.CLOSED, IssueState.OPEN]
    e = h.refused("invalid_transition", c.id, lambda: _findings(org, c, one))
    assert "问题1：已办结" in e.message

    client.force_login(sup)
    url = reverse("complaints:action", args=[c.id, "issue_findings_record"])
    html = client.get(url).content.decode()
    assert f'value="{two.id}"' in html and f'value="{one.id}"' not in html
    before = h.snapshot(c.id)
    version = Complaint.objects.get(pk=c.id).version
    r = client.post(url, {"version": version, "issue_id": one.id, "findings": "复查", "measures": "维修"})
    assert r.status_code == 422 and "请选择有效的选项。" in r.content.decode()
    assert h.snapshot(c.id) == before


def test_the_api_refuses_findings_on_an_ended_issue(org, make_key):
    c = h.drive_to(org, State.INVESTIGATING, issues=2)
    one = c.issues.get(seq=1)
    _set_state(one, IssueState.VERIFIED)
    _k, token = make_key(Role.OFFICE_MANAGER)
    before = h.snapshot(c.id)
    r = Api(token).post(
        f"/complaints/{c.id}/actions/issue_findings_record",
        {"version": c.version, "issue_id": one.id, "findings": "复查", "measures": "维修"},
    )
    assert r.status_code == 422, r.json()
    assert r.json()["code"] == "validation" and r.json()["fields"][0]["field"] == "issue_id", r.json()
    assert h.snapshot(c.id) == before


def test_findings_are_not_offered_when_no_issue_can_take_them(org):
    """Investigating with every issue ended (closed on its own, verified): no 记录调查情况与措施 button."""
    c = h.drive_to(org, State.INVESTIGATING, issues=2)
    one, two = c.issues.order_by("seq")
    _set_state(one, IssueState.CLOSED)
    _set_state(two, IssueState.VERIFIED)
    for offered in _actions(org.a.users["eng_supervisor"], c):
        assert "issue_findings_record" not in offered
    _set_state(two, IssueState.REWORK)
    for offered in _actions(org.a.users["eng_supervisor"], c):
        assert "issue_findings_record" in offered


# --- the developer's answer moves only a forwarded issue ------------------------------------------------------


@pytest.mark.parametrize("state", [s_ for s_ in IssueState.values if s_ != IssueState.WITHDRAWN])
def test_the_developers_answer_moves_only_a_forwarded_issue(org, state):
    """An answer recorded while implementing to an unanswered forward of issue 1 in `state`: the forward is
    answered (the wait ends) and the issue moves by its row only — forwarded → investigated; any other state
    stays (before, measures done, verified and closed issues went back to investigated)."""
    c = h.drive_to(org, State.IMPLEMENTING, issues=2)
    one = c.issues.get(seq=1)
    _set_state(one, state)
    fwd = _old_forward(org, c, one)
    s.issue_developer_answer_record(
        actor=org.a.users["reception"], complaint_id=c.id, forward_id=fwd.id, answer="地产已维修外墙"
    )
    fwd.refresh_from_db()
    assert fwd.answered_at is not None
    row = workflow.issue_sources("issue_developer_answer_record")
    assert _states(c)[0] == (IssueState.INVESTIGATED if state in row else state)


@pytest.mark.parametrize("state", list(IssueState.values))
def test_forward_and_verify_take_exactly_their_rows(org, state):
    """The per-issue forward (investigating) and verification (verifying) read their rows: a state outside them
    is refused, named, with the record unchanged."""
    for action, complaint_state in (
        ("issue_forward_to_developer", State.INVESTIGATING),
        ("issue_verify", State.VERIFYING),
    ):
        c = h.drive_to(org, complaint_state, issues=2)
        one = c.issues.get(seq=1)
        _set_state(one, state)
        if action == "issue_forward_to_developer":

            def call(c=c, one=one):
                return s.issue_forward_to_developer(
                    actor=org.a.users["eng_supervisor"],
                    complaint_id=c.id,
                    issue_id=one.id,
                    party_id=org.developer.id,
                    reason="属地产保修",
                )
        else:

            def call(c=c, one=one):
                return s.issue_verify(
                    actor=org.a.users["office_manager"],
                    complaint_id=c.id,
                    issue_id=one.id,
                    passed=False,
                    note="未修好",
                )

        if state in workflow.issue_sources(action):
            call()
            assert _states(c)[0] in {t for a, src, t in workflow.ISSUE_MOVES if a == action and state in src}
        else:
            e = h.refused("invalid_transition", c.id, call)
            assert f"问题1：{IssueState(state).label}" in e.message


def test_issue_check_names_the_issue_and_its_state():
    issue = ComplaintIssue(seq=2, state=IssueState.MEASURES_DONE)
    with pytest.raises(DomainError) as e:
        workflow.issue_check(issue, "issue_findings_record")
    assert (e.value.code, e.value.status) == ("invalid_transition", 409)
    assert workflow.issue_check(
        ComplaintIssue(seq=1, state=IssueState.FORWARDED), "issue_findings_record"
    ) == {IssueState.FORWARDED}


# --- the final reply is not offered while an issue waits for the developer -----------------------------------


def _draft_with_one_at_the_developer(org, method: str, *, old: bool = False):
    """Investigating, issue 1 waiting for the developer — forwarded, or (`old`) investigated with its forward
    unanswered — issue 2 investigated, and a reply draft saved."""
    c, (one, two) = h.investigated_two_issues(org, method, findings=False)
    sup = org.a.users["eng_supervisor"]
    _findings(org, c, two)
    if old:
        _findings(org, c, one)
        fwd = _old_forward(org, c, one)
    else:
        fwd = s.issue_forward_to_developer(
            actor=sup,
            complaint_id=c.id,
            issue_id=one.id,
            party_id=org.developer.id,
            reason="外墙渗水属地产保修",
        )
    s.reply_draft_save(actor=sup, complaint_id=c.id, body="您好，经现场查看……")
    return Complaint.objects.get(pk=c.pk), fwd


@pytest.mark.parametrize(
    "method,action", [(Method.EMAIL, "reply_submit"), (Method.PHONE, "reply_send")], ids=["submit", "send"]
)
@pytest.mark.parametrize("old", [False, True], ids=["forwarded", "unanswered"])
def test_the_final_reply_is_neither_offered_nor_taken_while_an_issue_waits(client, org, method, action, old):
    c, fwd = _draft_with_one_at_the_developer(org, method, old=old)
    u = org.a.users
    sup = u["eng_supervisor"]
    actor = sup if action == "reply_submit" else u["reception"]
    for user in (sup, u["reception"], org.users["qm"]):
        for offered in _actions(user, c):
            assert action not in offered, (user.username, offered)
    # the draft may still be saved (devissues); the service refuses with its stable code
    assert "reply_draft_save" in _actions(sup, c)[1]
    service = s.reply_submit if action == "reply_submit" else s.reply_send
    e = h.refused("issue_with_developer", c.id, lambda: service(actor=actor, complaint_id=c.id))
    assert e.status == 409 and "问题1" in e.message

    # the page: no button, the step is the developer's answer, the note says why
    client.force_login(sup)
    html = client.get(reverse("complaints:detail", args=[c.id])).content.decode()
    assert reverse("complaints:action", args=[c.id, action]) not in html
    assert reverse("complaints:action", args=[c.id, "issue_developer_answer_record"]) in html
    assert "记录地产答复后才能提交或发送最终答复" in html
    page = complaint_detail_for(Complaint.objects.get(pk=c.pk))
    step = next_steps.next_action_for(sup, page)
    assert step is not None and step.action == "issue_developer_answer_record"

    # once the developer has answered, the reply is offered again and goes through
    s.issue_developer_answer_record(actor=sup, complaint_id=c.id, forward_id=fwd.id, answer="地产已维修外墙")
    for offered in _actions(actor, c):
        assert action in offered
    service(actor=actor, complaint_id=c.id)
    assert Complaint.objects.get(pk=c.pk).state == (
        State.IN_REVIEW if action == "reply_submit" else State.REPLIED
    )


def test_the_api_neither_lists_nor_takes_the_reply_while_an_issue_waits(org, make_key):
    c, _fwd = _draft_with_one_at_the_developer(org, Method.EMAIL)
    _k, token = make_key(Role.OFFICE_MANAGER)
    api = Api(token)
    names = {a["name"] for a in api.get(f"/complaints/{c.id}").json()["available_actions"]}
    assert "reply_submit" not in names and "reply_draft_save" in names
    before = h.snapshot(c.id)
    r = api.post(f"/complaints/{c.id}/actions/reply_submit", {"version": c.version})
    assert r.status_code == 409 and r.json()["code"] == "issue_with_developer", r.json()
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
