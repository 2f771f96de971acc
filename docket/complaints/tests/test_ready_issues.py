"""What the complaint page offers while an issue is not yet investigated (docs/decisions.md "readyissues").

With a final reply draft saved and an issue still open (no findings and measures recorded), the services refuse
提交审核 / 发送答复 (`issues_incomplete`, 409, as before). The page and the API no longer offer them then, by the
same rule (`services.issue_answers.final_reply_refusal`); the page names the open issues and the step that is
possible (调查); a user who may send but not investigate (reception, on a phone complaint) has no step. Once the
issue is investigated the reply is offered and goes through.
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
from docket.complaints.models import Complaint, ComplaintIssue, Method, State
from docket.complaints.selectors import complaint_detail_for
from docket.complaints.tests.helpers import detail_html as _detail
from docket.complaints.tests.helpers import offered_both_ways as _actions

from . import helpers as h

pytestmark = pytest.mark.django_db

NOTE = "问题2尚未调查（记录调查情况与措施）；调查后才能提交或发送最终答复。"


def _draft_with_an_open_issue(org, method: str) -> tuple[Complaint, ComplaintIssue]:
    """Investigating, issue 1 investigated, issue 2 still open, a final reply draft saved."""
    c, (one, two) = h.investigated_two_issues(org, method, findings=False)
    sup = org.a.users["eng_supervisor"]
    s.issue_findings_record(actor=sup, complaint_id=c.id, issue_id=one.id, findings="属实", measures="维修")
    s.reply_draft_save(actor=sup, complaint_id=c.id, body="您好，经现场查看……")
    return Complaint.objects.get(pk=c.pk), two


def _button(c, action: str) -> str:
    return reverse("complaints:action", args=[c.id, action])


@pytest.mark.parametrize(
    "method,action", [(Method.EMAIL, "reply_submit"), (Method.PHONE, "reply_send")], ids=["submit", "send"]
)
def test_the_final_reply_is_neither_offered_nor_taken_while_an_issue_is_open(client, org, method, action):
    c, two = _draft_with_an_open_issue(org, method)
    u = org.a.users
    sup = u["eng_supervisor"]
    sender = sup if action == "reply_submit" else u["reception"]
    for user in (sup, u["reception"], u["office_manager"]):
        for offered in _actions(user, c):
            assert action not in offered, (user.username, offered)
    assert "reply_draft_save" in _actions(sup, c)[1]  # the draft may still change
    assert "issue_findings_record" in _actions(sup, c)[1]  # the possible step

    # the service's refusal, unchanged: its stable code and message, the record as it was
    service = s.reply_submit if action == "reply_submit" else s.reply_send
    e = h.refused("issues_incomplete", c.id, lambda: service(actor=sender, complaint_id=c.id))
    assert e.status == 409 and e.message == "还有问题未记录调查结果和处理措施：问题2。"

    # the page: no button, the note names the open issue and the step; the drafter's step is 调查 of issue 2
    html = _detail(client, sup, c)
    assert _button(c, action) not in html and _button(c, "reply_draft_save") in html
    assert NOTE in html
    page = complaint_detail_for(Complaint.objects.get(pk=c.pk))
    step = next_steps.next_action_for(sup, page)
    assert step is not None and (step.action, step.issue_id) == ("issue_findings_record", two.id)
    if action == "reply_send":
        # reception may send a phone complaint's reply but not investigate: nothing is its step (was 发送答复)
        for row in (Complaint.objects.get(pk=c.pk), page):
            assert next_steps.next_action_for(u["reception"], row) is None
        assert NOTE in _detail(client, u["reception"], c)

    # once issue 2 is investigated, the reply is offered, the note is gone, and it goes through
    s.issue_findings_record(actor=sup, complaint_id=c.id, issue_id=two.id, findings="属实", measures="更换")
    for offered in _actions(sender, c):
        assert action in offered
    html = _detail(client, sender, c)
    assert _button(c, action) in html and "尚未调查" not in html
    step = next_steps.next_action_for(sender, Complaint.objects.get(pk=c.pk))
    assert step is not None and step.action == action
    service(actor=sender, complaint_id=c.id)
    assert Complaint.objects.get(pk=c.pk).state == (
        State.IN_REVIEW if action == "reply_submit" else State.REPLIED
    )


def test_no_note_without_a_draft(client, org):
    """Before a draft, 调查 is the step anyway and nothing is refused: no note."""
    c, _issues = h.investigated_two_issues(org, Method.EMAIL, findings=False)
    assert "尚未调查" not in _detail(client, org.a.users["eng_supervisor"], c)


def test_the_api_neither_lists_nor_takes_the_reply_while_an_issue_is_open(org, make_key):
    c, _two = _draft_with_an_open_issue(org, Method.EMAIL)
    _k, token = make_key(Role.OFFICE_MANAGER)
    api = Api(token)
    names = {a["name"] for a in api.get(f"/complaints/{c.id}").json()["available_actions"]}
    assert "reply_submit" not in names
    assert {"reply_draft_save", "issue_findings_record"} <= names
    before = h.snapshot(c.id)
    r = api.post(f"/complaints/{c.id}/actions/reply_submit", {"version": c.version})
    assert r.status_code == 409 and r.json()["code"] == "issues_incomplete", r.json()
    assert "问题2" in r.json()["message"]
    assert h.snapshot(c.id) == before


def test_the_page_asks_the_rule_without_a_query(org):
    """The offer, the step and the note read the page's prefetch (issues, replies): the complaint page's query
    count is unchanged. The note comes first, as the service's refusal does."""
    c, _two = _draft_with_an_open_issue(org, Method.EMAIL)
    sup = org.a.users["eng_supervisor"]
    page = complaint_detail_for(Complaint.objects.get(pk=c.pk))
    with CaptureQueriesContext(connection) as ctx:
        assert not access._ready(page, "reply_submit")
        step = next_steps.next_action_for(sup, page)
        note = next_steps.waiting_note(page)
    assert ctx.captured_queries == [], [q["sql"] for q in ctx.captured_queries]
    assert step is not None and step.action == "issue_findings_record"
    assert note == NOTE


@pytest.fixture
def make_key(org):
    from docket.api.services import api_key_create

    def make(role, *, office=None, company=None):
        if office is None and company is None:
            office = org.a.office
        return api_key_create(actor=None, name="测试接口", role=role, office=office, company=company)

    return make


def test_an_issue_starts_waiting_for_the_developer_only_where_the_note_is_shown():
    """The developer-wait note (`next_steps.waiting_note`) is shown while investigating or implementing, not while
    negotiating: an issue is forwarded on its own only while investigating, and the reply that leads on to 协商
    is refused while one waits (`final_reply_refusal`), so no issue waits while negotiating (docs/decisions.md
    "readyissues"; only data of before "devissues" can). A guard: a new source state needs the note too."""
    from docket.complaints import workflow

    assert workflow.ACTIONS["issue_forward_to_developer"].sources == {State.INVESTIGATING}
    assert State.NEGOTIATING not in workflow.ACTIONS["issue_developer_answer_record"].sources
