"""The QM information officer's day (seed 5.2.3.3; docs/decisions.md, "infoofficer"): their work holds the
company's online complaints until a reply approved by QM is published, each row names whom it waits for (or
the step that is the user's own under another company role), the 待派人 tab holds the online complaints not
yet handed to a department (QM's: everything that arrived through the company), and the page shows them with
the complainant's data masked as the officer's scope says."""

from __future__ import annotations

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from docket.accounts.models import Role
from docket.complaints import selectors
from docket.complaints import services as s
from docket.complaints.access import complaints_visible_to
from docket.complaints.models import Channel, Complaint, Method, State
from docket.complaints.next_steps import StepDecider, next_action_for, prefetch_for_steps
from docket.org.models import Company

from .helpers import drive_to, make_user

pytestmark = pytest.mark.django_db

WATCHED = [
    State.REGISTERED,
    State.ASSIGNED,
    State.INVESTIGATING,
    State.WITH_DEVELOPER,
    State.IN_REVIEW,
    State.REPLY_APPROVED,
]
PAST_THE_REPLY = [
    State.REPLIED,
    State.NEGOTIATING,
    State.IMPLEMENTING,
    State.VERIFYING,
    State.QM_VERIFYING,
    State.FOLLOW_UP,
    State.CLOSED,
    State.UNCLOSED,
    State.WITHDRAWN,
]
NAME, PHONE = "网友李先生", "13912345678"
_phones = itertools.count(13900000001)


def online(org, state=State.REGISTERED, *, kit=None, method=Method.ONLINE, channel=Channel.ONLINE, **kw):
    """An online complaint of office A (or `kit`) brought to `state` by the office's own services."""
    kw.setdefault("complainant_phone", str(next(_phones)))
    return drive_to(org, state, method=method, kit=kit, channel=channel, **kw)


def _work(user) -> list[int]:
    return [c.id for c in selectors.work_queue_for(user)]


def _officer(org):
    return org.users["qm_info_officer"]


def _qm_and_officer(org, name="qminfo2"):
    """As the demo's qm_info: QM and the information officer of the company."""
    return make_user(name, [(Role.QM, org.company, None), (Role.QM_INFO_OFFICER, org.company, None)])


def test_the_officer_watches_online_complaints_until_a_reply_is_published(org):
    watched = {state: online(org, state).id for state in WATCHED}
    past = {state: online(org, state).id for state in PAST_THE_REPLY}
    other_office = online(org, State.ASSIGNED, kit=org.b).id
    by_channel = online(org, method=Method.PHONE).id  # the website's hotline: online by channel
    by_method = online(org, channel=Channel.OFFICE).id  # filed online at the office's page: by method
    phone = drive_to(org, State.REGISTERED, method=Method.PHONE).id
    letter = drive_to(org, State.IN_REVIEW, method=Method.LETTER).id
    mine = set(_work(_officer(org)))
    assert mine == {*watched.values(), other_office, by_channel, by_method}
    assert not mine & {*past.values(), phone, letter}
    # another company's officer sees none of them
    other = make_user("qminfo_co2", [(Role.QM_INFO_OFFICER, Company.objects.get(code="co2"), None)])
    assert _work(other) == []


def test_a_published_reply_ends_the_watch_and_a_second_reply_in_review_is_watched_again(org):
    c = online(org, State.REPLY_APPROVED)
    assert c.id in _work(_officer(org))
    s.reply_send(actor=org.a.users["reception"], complaint_id=c.id)
    assert c.id not in _work(_officer(org))
    s.complainant_disagree(actor=org.a.users["reception"], complaint_id=c.id, reason="维修时间太长")
    assert c.id not in _work(_officer(org))  # the office negotiates: nothing to pass on
    s.reply_draft_save(actor=org.a.users["eng_supervisor"], complaint_id=c.id, body="再次答复")
    s.reply_submit(actor=org.a.users["eng_supervisor"], complaint_id=c.id)
    assert c.id in _work(_officer(org))  # QM approves every online reply before it is published


def test_an_escalated_online_complaint_stays_watched(org):
    c = online(org, State.INVESTIGATING)
    s.complaint_escalate(actor=org.a.users["office_manager"], complaint_id=c.id, reason="管理处无法处理")
    assert Complaint.objects.get(pk=c.id).level == "company"
    assert c.id in _work(_officer(org))


def test_every_queue_and_tab_lies_within_the_scope_of_its_role(org):
    """The officer's arm (and the company roles' 待派人) implies the scope, for every user of the fixture."""
    online(org)
    online(org, State.INVESTIGATING, kit=org.b)
    drive_to(org, State.REGISTERED, method=Method.EMAIL, channel=Channel.COMPANY)
    users = [*org.a.users.values(), *org.b.users.values(), *org.users.values(), org.other_company_qm]
    for user in users:
        visible = set(complaints_visible_to(user).values_list("id", flat=True))
        assert set(_work(user)) <= visible, user.username
        assert set(selectors.unassigned_for(user).values_list("id", flat=True)) <= visible, user.username


def test_unassigned_for_company_roles(org):
    web = online(org).id
    web_b = online(org, kit=org.b).id
    company = drive_to(org, State.REGISTERED, method=Method.EMAIL, channel=Channel.COMPANY).id
    government = drive_to(
        org, State.REGISTERED, method=Method.GOVERNMENT_FORWARD, channel=Channel.GOVERNMENT
    ).id
    drive_to(org, State.REGISTERED, method=Method.PHONE)  # the office's own: the front desk's
    online(org, State.ASSIGNED)  # handed over already
    unassigned = {c.id for c in selectors.unassigned_for(_officer(org))}
    assert unassigned == {web, web_b}
    assert {c.id for c in selectors.unassigned_for(org.users["qm"])} == {web, web_b, company, government}
    assert list(selectors.unassigned_for(org.other_company_qm)) == []
    assert list(selectors.unassigned_for(org.users["leadership"])) == []
    counts = selectors.queue_counts(_officer(org))
    assert counts["unassigned"] == 2 and counts["mine"] == 3
    # QM hands it over from the tab (派单 is QM's too): it leaves both tabs
    s.complaint_assign(actor=org.users["qm"], complaint_id=web, department_id=org.a.depts["engineering"].id)
    assert {c.id for c in selectors.unassigned_for(_officer(org))} == {web_b}


NOTES = {
    State.REGISTERED: "待管理处派单",  # once the officer's call is recorded (officer8; test_office_call.py)
    State.ASSIGNED: "待责任部门接单",
    State.INVESTIGATING: "待管理处反馈事实及拟处理措施",
    State.WITH_DEVELOPER: "待地产答复后反馈措施",
    State.IN_REVIEW: "待品质管理部审批答复",
    State.REPLY_APPROVED: "待网上公布答复",
}


ACK = "待管理处4小时内礼节性回复"
HANDLING = (State.ASSIGNED, State.INVESTIGATING, State.WITH_DEVELOPER)


def _note(user, c) -> str:
    step = next_action_for(user, Complaint.objects.get(pk=c.id))
    assert step is not None and step.waiting and step.action == "", c.state
    return str(step.label)


def _decided_as_per_row(user, with_user=True) -> None:
    """The page's decider answers as the per-row path, row by row (with the page's prefetch)."""
    page = list(selectors.work_queue_for(user).only(*selectors.QUEUE_ROW_FIELDS))
    prefetch_for_steps(page, user if with_user else None)
    decide = StepDecider(user)
    for c in page:
        assert decide(c) == next_action_for(user, Complaint.objects.get(pk=c.id)), c.state


def _called(org, c) -> None:
    """The officer's own step first (seed 5.2.3.3.1): the call to the office, recorded."""
    officer = _officer(org)
    step = next_action_for(officer, Complaint.objects.get(pk=c.id))
    assert step is not None and step.action == "office_call_record"
    s.office_call_record(actor=officer, complaint_id=c.id, callee_id=org.a.users["office_manager"].id)


def test_each_watched_row_names_whom_it_waits_for(org):
    officer = _officer(org)
    rows = {state: online(org, state) for state in WATCHED}
    _decided_as_per_row(officer)
    for state in (State.REGISTERED, State.ASSIGNED):
        _called(org, rows[state])
    for state, c in rows.items():  # no courtesy reply sent: the office owes it first while it handles
        assert _note(officer, c) == (ACK if state in HANDLING else NOTES[state]), state
    _decided_as_per_row(officer)
    for state in HANDLING:
        s.acknowledge_send(actor=org.a.users["reception"], complaint_id=rows[state].id, text="您的投诉已受理")
    for state, c in rows.items():
        assert _note(officer, c) == NOTES[state], state
    _decided_as_per_row(officer)
    _decided_as_per_row(officer, with_user=False)


def test_an_online_complaint_by_channel_owes_no_courtesy_reply(org):
    c = online(org, State.INVESTIGATING, method=Method.PHONE)  # the reply rule of a phone call, no 4 hours
    assert _note(_officer(org), c) == NOTES[State.INVESTIGATING]


def test_qm_who_is_also_the_officer_gets_qm_steps_only_where_they_are_qm_work(org):
    both = _qm_and_officer(org)
    registered, assigned, investigating, in_review = (
        online(org, state)
        for state in (State.REGISTERED, State.ASSIGNED, State.INVESTIGATING, State.IN_REVIEW)
    )
    step = lambda c: next_action_for(both, Complaint.objects.get(pk=c.id))  # noqa: E731
    _called(org, registered)
    _called(org, assigned)
    assert step(registered).action == "assign"  # QM may hand it to a department (seed 5.2.2.6)
    assert step(in_review).action == "reply_review_approve"  # QM approves the online reply (5.2.3.3.2)
    # the office's steps (接单, 调查) are neither the officer's nor QM's (the department's own: access.qm_handles)
    assert next_action_for(org.users["qm"], Complaint.objects.get(pk=assigned.id)) is None
    assert step(assigned).waiting and str(step(assigned).label) == ACK
    assert step(investigating).waiting
    # escalated: QM's own work again, so QM's handling step stands
    s.complaint_escalate(
        actor=org.a.users["office_manager"], complaint_id=investigating.id, reason="无法处理"
    )
    assert step(investigating).action == "issue_findings_record"
    # a user with an office role besides keeps the office's steps
    mixed = make_user(
        "qminfo_reception",
        [(Role.QM_INFO_OFFICER, org.company, None), (Role.RECEPTION, org.a.office, None)],
    )
    assert next_action_for(mixed, Complaint.objects.get(pk=registered.id)).action == "assign"


def test_the_officers_page_shows_the_rows_with_whom_they_wait_for_and_masks_people(client, org):
    c = online(org, State.INVESTIGATING, complainant_name=NAME, complainant_phone=PHONE)
    registered = online(org)
    client.force_login(_officer(org))
    html = client.get(reverse("complaints:work")).content.decode()
    assert c.receipt_no in html and registered.receipt_no in html
    assert f'<span class="waiting-step">{ACK}</span>' in html  # no courtesy reply yet
    assert 'data-action="office_call_record">电话通知管理处</a>' in html  # the officer's call (officer8)
    assert PHONE not in html and NAME not in html
    tab = client.get(reverse("complaints:work"), {"view": "unassigned"}).content.decode()
    assert registered.receipt_no in tab and c.receipt_no not in tab
    # the complaint page: the note as the next step, the complainant masked (privacy: the officer is masked)
    s.acknowledge_send(actor=org.a.users["reception"], complaint_id=c.id, text="您的投诉已受理")
    html = client.get(reverse("complaints:work")).content.decode()
    assert '<span class="waiting-step">待管理处反馈事实及拟处理措施</span>' in html and ACK not in html
    page = client.get(reverse("complaints:detail", args=[c.id])).content.decode()
    assert "待管理处反馈事实及拟处理措施" in page
    assert PHONE not in page and "139****5678" in page


def test_the_officers_page_in_english(client, org):
    online(org)
    client.force_login(_officer(org))
    client.cookies["django_language"] = "en"
    html = client.get(reverse("complaints:work")).content.decode()
    assert 'data-action="office_call_record"' in html and "电话通知管理处" not in html
    online(org, State.INVESTIGATING)
    html = client.get(reverse("complaints:work")).content.decode()
    assert 'class="waiting-step"' in html and "待管理处" not in html


def test_the_officers_page_costs_the_same_queries_for_more_rows(client, org):
    online(org)
    online(org, State.ASSIGNED)
    client.force_login(_officer(org))
    client.get(reverse("complaints:work"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("complaints:work"))
    for state in (State.REGISTERED, State.INVESTIGATING, State.IN_REVIEW, State.REPLY_APPROVED):
        online(org, state)
        online(org, state, kit=org.b)
    client.get(reverse("complaints:work"))  # the new rows' notices and departments reach the caches once
    with CaptureQueriesContext(connection) as many:
        r = client.get(reverse("complaints:work"))
    html = r.content.decode()
    # the three registered rows and the assigned one ask for the officer's call (officer8), the others note
    assert r.status_code == 200 and html.count('class="waiting-step"') == 6
    assert html.count('data-action="office_call_record"') == 4
    assert len(few.captured_queries) == len(many.captured_queries)


def test_qm_verification_is_named_for_qm(org):
    """A row of QM's work in qm_verifying (seed 5.2.3.6) names QM's verification (it showed no step), for QM
    and for the demo's qm_info (QM and the officer); the officer alone has nothing there."""
    c = online(org, State.QM_VERIFYING)
    for user in (org.users["qm"], _qm_and_officer(org)):
        step = next_action_for(user, Complaint.objects.get(pk=c.id))
        assert step is not None and step.action == "qm_verify" and str(step.label) == "品质部验证"
    assert next_action_for(_officer(org), Complaint.objects.get(pk=c.id)) is None
    assert c.id not in _work(_officer(org))
