"""The final reply waits for an issue sent back for rework (docs/decisions.md "officer8").

An issue the verification failed (seed 5.2.3.6: 措施落实不到位, 责成相关部门落实措施) is in rework. When the
complaint goes back to investigating with it — escalated to QM from implementing (5.2.3.5), or an unclosed
complaint reopened — a new final reply is owed, and it must say what is now found and will be done about the
failed measures: the services refuse 提交审核 / 发送答复 until the issue's findings and measures are recorded
again (`issues_rework`, 409), the page and the API do not offer them, the page's note names the issue, and the
step is 调查 of that issue (as it already was). Then the reply is offered and goes through.
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
from docket.complaints.models import Complaint, ComplaintIssue, IssueState, Method, State
from docket.complaints.selectors import complaint_detail_for
from docket.complaints.tests.helpers import detail_html as _detail
from docket.complaints.tests.helpers import offered_both_ways as _offered

from . import helpers as h

pytestmark = pytest.mark.django_db

NOTE = "问题1措施落实不到位（返工），尚未重新调查（记录调查情况与措施）；重新调查后才能提交或发送最终答复。"
VIA = "portal"
MESSAGE = "问题1措施落实不到位（返工），须重新记录调查情况与处理措施后才能提交或发送最终答复。"


def _rework_escalated(org, method: str) -> tuple[Complaint, ComplaintIssue]:
    """The office's verification failed (issue 1 in rework, implementing), the office manager escalated it to
    QM (investigating, company level: QM handles it), and QM saved a final reply draft."""
    c = h.drive_to(org, State.VERIFYING, method=method)
    issue = c.issues.get()
    om = org.a.users["office_manager"]
    s.issue_verify(actor=om, complaint_id=c.id, issue_id=issue.id, passed=False, note="门机仍有异响")
    s.complaint_escalate(actor=om, complaint_id=c.id, reason="多次维修仍未解决")
    s.reply_draft_save(actor=org.users["qm"], complaint_id=c.id, body="您好，经品质管理部跟进……")
    c = Complaint.objects.get(pk=c.pk)
    issue.refresh_from_db()
    assert (c.state, c.level, issue.state) == (State.INVESTIGATING, "company", IssueState.REWORK)
    return c, issue


@pytest.mark.parametrize(
    "method,action", [(Method.EMAIL, "reply_submit"), (Method.PHONE, "reply_send")], ids=["submit", "send"]
)
def test_the_final_reply_waits_for_the_reworked_issue(client, org, method, action):
    c, issue = _rework_escalated(org, method)
    qm = org.users["qm"]
    service = s.reply_submit if action == "reply_submit" else s.reply_send
    e = h.refused("issues_rework", c.id, lambda: service(actor=qm, complaint_id=c.id))
    assert e.status == 409 and e.message == MESSAGE
    for offered in _offered(qm, c):
        assert action not in offered and "issue_findings_record" in offered and "reply_draft_save" in offered

    # the page: no button, the note; the step is 调查 of the reworked issue
    html = _detail(client, qm, c)
    assert reverse("complaints:action", args=[c.id, action]) not in html
    assert NOTE in html
    for row in (Complaint.objects.get(pk=c.pk), complaint_detail_for(Complaint.objects.get(pk=c.pk))):
        step = next_steps.next_action_for(qm, row)
        assert step is not None and (step.action, step.issue_id) == ("issue_findings_record", issue.id)

    # investigated again: the reply is offered, the note gone, and it goes through
    s.issue_findings_record(
        actor=qm, complaint_id=c.id, issue_id=issue.id, findings="门机板老化", measures="更换门机并复查"
    )
    for offered in _offered(qm, c):
        assert action in offered
    assert "返工" not in next_steps.waiting_note(complaint_detail_for(Complaint.objects.get(pk=c.pk)))
    step = next_steps.next_action_for(qm, Complaint.objects.get(pk=c.pk))
    assert step is not None and step.action == action
    service(actor=qm, complaint_id=c.id)
    assert Complaint.objects.get(pk=c.pk).state == (
        State.IN_REVIEW if action == "reply_submit" else State.REPLIED
    )


def test_the_api_neither_lists_nor_takes_the_reply_before_the_rework_is_investigated(org, make_key):
    c, _issue = _rework_escalated(org, Method.EMAIL)
    _k, token = make_key(Role.QM, company=org.company)
    api = Api(token)
    names = {a["name"] for a in api.get(f"/complaints/{c.id}").json()["available_actions"]}
    assert "reply_submit" not in names and "issue_findings_record" in names
    before = h.snapshot(c.id)
    r = api.post(f"/complaints/{c.id}/actions/reply_submit", {"version": c.version})
    assert r.status_code == 409 and r.json()["code"] == "issues_rework", r.json()
    assert r.json()["message"] == MESSAGE
    assert h.snapshot(c.id) == before


def test_the_page_asks_the_rule_without_a_query(org):
    c, _issue = _rework_escalated(org, Method.EMAIL)
    page = complaint_detail_for(Complaint.objects.get(pk=c.pk))
    with CaptureQueriesContext(connection) as ctx:
        assert not access._ready(page, "reply_submit")
        step = next_steps.next_action_for(org.users["qm"], page)
        note = next_steps.waiting_note(page)
    assert ctx.captured_queries == [], [q["sql"] for q in ctx.captured_queries]
    assert step is not None and step.action == "issue_findings_record"
    assert note == NOTE


def test_a_reopened_unclosed_complaint_waits_for_its_reworked_issue_too(org):
    """An unclosed complaint whose issue was in rework, reopened by the second-stage review: the issue keeps its
    rework (issues still in work keep their state) and the new final reply waits for its findings."""
    c = h.drive_to(org, State.VERIFYING)
    issue = c.issues.get()
    u = org.a.users
    s.issue_verify(
        actor=u["office_manager"], complaint_id=c.id, issue_id=issue.id, passed=False, note="未修好"
    )
    s.complaint_close_unclosed(
        actor=u["office_manager"], complaint_id=c.id, analysis="超出能力", mitigation="临时措施"
    )
    s.owner_review_request(complaint_id=c.id, via=VIA, reason="维修没有效果")
    s.second_review_decide(actor=org.users["qm"], complaint_id=c.id, reopen=True, decision="重新安排维修")
    c = Complaint.objects.get(pk=c.pk)
    issue.refresh_from_db()
    assert (c.state, issue.state) == (State.INVESTIGATING, IssueState.REWORK)
    sup = u["eng_supervisor"]
    s.reply_draft_save(actor=sup, complaint_id=c.id, body="您好，重新处理如下……")
    h.refused("issues_rework", c.id, lambda: s.reply_send(actor=sup, complaint_id=c.id))
    step = next_steps.next_action_for(sup, Complaint.objects.get(pk=c.pk))
    assert step is not None and (step.action, step.issue_id) == ("issue_findings_record", issue.id)


@pytest.fixture
def make_key(org):
    from docket.api.services import api_key_create

    def make(role, *, office=None, company=None):
        if office is None and company is None:
            office = org.a.office
        return api_key_create(actor=None, name="测试接口", role=role, office=office, company=company)

    return make
