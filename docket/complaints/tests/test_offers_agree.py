"""What the pages and the work queue offer is what the services accept (docs/decisions.md "offers8").

1. 派单 / 转派 (and a reopening) hand a complaint only to `services.handling.handover_departments`: once
   escalated, the company's departments (seed 5.2.3.5); the forms offer exactly those, the service checks the
   same rule — also 派单's per-issue departments.
2. QM's 待派人 lists what the company's QM department holds at office level and nobody holds (as a department's
   待派人 does for its own), counted in the tabs' one statement; escalated complaints stay out.
3. The queue's step reads the unanswered forwards of single issues as the complaint page does (one compiled
   statement, only for a page with rows it could change).
4. Negotiating with an issue still at the developer, the page says what the reply waits for; notes are joined
   as the language joins sentences.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from docket.accounts.models import Role
from docket.complaints import access, forms, next_steps, selectors
from docket.complaints import services as s
from docket.complaints.models import (
    Complaint,
    ComplaintIssue,
    DeveloperForward,
    Level,
    Method,
    State,
)
from docket.complaints.next_steps import StepDecider, next_action_for, prefetch_for_steps
from docket.complaints.selectors import complaint_detail_for
from docket.core.errors import DomainError

from . import helpers as h

pytestmark = pytest.mark.django_db


class _Undo(Exception):
    """Raised inside a savepoint to roll an accepted hand-over back."""


def _accepts(call) -> bool:
    """Whether the service `call()` accepts (rolled back either way); refused only for its department."""
    try:
        with transaction.atomic():
            call()
            raise _Undo
    except _Undo:
        return True
    except DomainError as exc:
        assert exc.code in ("escalated_no_push_down", "department_mismatch", "same_department"), exc.code
        return False


def _choice_ids(field) -> set[int]:
    return {int(v) for v, _label in field.choices if v}


def _escalated(org) -> Complaint:
    """An office-A complaint escalated to the company (QM's department holds it, investigating)."""
    c = h.drive_to(org, State.INVESTIGATING)
    s.complaint_escalate(actor=org.a.users["office_manager"], complaint_id=c.id, reason="管理处无法解决")
    c = Complaint.objects.get(pk=c.id)
    assert c.level == Level.COMPANY and c.holder_department_id == org.company_depts["qm"].id
    return c


def _registered_at_company_level(org) -> Complaint:
    """Escalated, moved by QM to 办公室, refused by 办公室's supervisor: back at reception, still at company level
    (where 派单 names its department again)."""
    c = _escalated(org)
    s.complaint_transfer(
        actor=org.users["qm"],
        complaint_id=c.id,
        department_id=org.company_depts["general_office"].id,
        reason="涉及法律问题",
    )
    go_sup = h.make_user("go_sup", [(Role.DEPT_SUPERVISOR, org.company_depts["general_office"], None)])
    s.complaint_refuse(actor=go_sup, complaint_id=c.id, reason="非本部门")
    c = Complaint.objects.get(pk=c.id)
    assert c.state == State.REGISTERED and c.level == Level.COMPANY
    return c


def _office_depts(org) -> set[int]:
    return {d.id for kit in (org.a, org.b) for d in kit.depts.values()}


# --- 1. the departments 派单 / 转派 offer -------------------------------------------------------------------


def test_transfer_of_an_escalated_complaint_offers_exactly_the_departments_the_service_accepts(org):
    qm = org.users["qm"]
    c = _escalated(org)
    offered = _choice_ids(forms.TransferForm(complaint=c, user=qm).fields["department_id"])
    assert offered == {d.id for d in org.company_depts.values()}  # none of the office's (seed 5.2.3.5)
    for dept_id in offered | {d.id for d in org.a.depts.values()}:
        accepted = _accepts(
            lambda dept_id=dept_id: s.complaint_transfer(
                actor=qm, complaint_id=c.id, department_id=dept_id, reason="转交"
            )
        )
        # every offer is accepted but the department already holding it (same_department, as for any)
        assert accepted == (dept_id in offered and dept_id != c.holder_department_id), dept_id
    # at office level the office's departments are offered (and accepted) as before
    office = h.drive_to(org, State.ASSIGNED)
    offered = _choice_ids(forms.TransferForm(complaint=office, user=qm).fields["department_id"])
    assert {d.id for d in org.a.depts.values()} <= offered and not offered & {
        d.id for d in org.b.depts.values()
    }


def test_assign_at_company_level_offers_only_company_departments_also_per_issue(org):
    c = _registered_at_company_level(org)
    form = forms.AssignForm(complaint=c, user=org.users["qm"])
    company = {d.id for d in org.company_depts.values()}
    assert _choice_ids(form.fields["department_id"]) == company
    issue = ComplaintIssue.objects.get(complaint=c)
    assert _choice_ids(form.fields[f"issue_{issue.id}"]) == company


def test_assign_at_company_level_refuses_an_office_department_for_an_issue(org):
    """The service checks 派单's per-issue departments by the lead's rule (before, an issue of an escalated
    complaint could be handed to an office department, whose roles could not handle it there)."""
    qm = org.users["qm"]
    c = _registered_at_company_level(org)
    issue = ComplaintIssue.objects.get(complaint=c)
    h.refused(
        "escalated_no_push_down",
        c.id,
        lambda: s.complaint_assign(
            actor=qm,
            complaint_id=c.id,
            department_id=org.company_depts["qm"].id,
            issue_departments={issue.id: org.a.depts["engineering"].id},
        ),
    )
    h.refused(
        "department_mismatch",  # another company's or office's stays what it was
        c.id,
        lambda: s.complaint_assign(
            actor=qm,
            complaint_id=c.id,
            department_id=org.company_depts["qm"].id,
            issue_departments={issue.id: org.b.depts["engineering"].id + 10_000},
        ),
    )
    s.complaint_assign(
        actor=qm,
        complaint_id=c.id,
        department_id=org.company_depts["qm"].id,
        issue_departments={issue.id: org.company_depts["general_office"].id},
    )
    assert ComplaintIssue.objects.get(pk=issue.id).department_id == org.company_depts["general_office"].id


def test_reopening_an_escalated_complaint_offers_only_company_departments(org):
    """The second-stage review's department select (R-EXP-10) reads the same rule as `_reopen_department`."""
    c = _escalated(org)
    Complaint.objects.filter(pk=c.id).update(state=State.CLOSED)  # the form reads only level and office
    c = Complaint.objects.get(pk=c.id)
    form = forms.SecondReviewDecideForm(complaint=c, user=org.users["qm"])
    assert _choice_ids(form.fields["department_id"]) == {d.id for d in org.company_depts.values()}


def test_the_transfer_page_of_an_escalated_complaint_lists_no_office_department(client, org):
    c = _escalated(org)
    client.force_login(org.users["qm"])
    html = client.get(reverse("complaints:detail", args=[c.id]), {"do": "transfer"}).content.decode()
    select = re.search(r'<select name="department_id".*?</select>', html, re.S)
    assert select is not None, "the transfer form is open"
    values = {int(v) for v in re.findall(r'<option value="(\d+)"', select.group(0))}
    assert values == {d.id for d in org.company_depts.values()}
    assert not values & _office_depts(org)
    assert "工程部" not in select.group(0)


# --- 2. QM's 待派人 -----------------------------------------------------------------------------------------


def _qm_held(org, **register) -> Complaint:
    c = h.make_complaint(org, **register)
    s.complaint_assign(actor=org.users["qm"], complaint_id=c.id, department_id=org.company_depts["qm"].id)
    return Complaint.objects.get(pk=c.id)


def test_qms_unassigned_holds_what_its_department_holds_and_nobody_took(org):
    qm = org.users["qm"]
    held = _qm_held(org)
    escalated = _escalated(org)  # QM's department holds it, nobody holds it: QM's handling work, not 待派人
    assert escalated.holder_id is None
    unassigned = [c.id for c in selectors.queue_view(qm, "unassigned")]
    assert unassigned == [held.id]
    counts = selectors.queue_counts(qm)
    assert counts["unassigned"] == 1 and counts["mine"] == 2
    assert [c.id for c in selectors.queue_page(qm, "unassigned", 0)] == [held.id]
    # as for a department: a supervisor of the QM department has it in its 待派人 too
    qm_sup = h.make_user("qm_sup", [(Role.DEPT_SUPERVISOR, org.company_depts["qm"], None)])
    assert held.id in [c.id for c in selectors.queue_view(qm_sup, "unassigned")]
    # taken (接单): no longer waiting for a person
    s.complaint_accept(actor=qm, complaint_id=held.id)
    assert [c.id for c in selectors.queue_view(qm, "unassigned")] == []
    assert selectors.queue_counts(qm)["unassigned"] == 0
    # another company's QM gets nothing
    assert selectors.queue_counts(org.other_company_qm)["unassigned"] == 0


def test_qms_tab_counts_stay_one_statement(org):
    qm = org.users["qm"]
    _qm_held(org)
    selectors.queue_counts(qm)  # the role assignments and the reference rows reach their caches
    with CaptureQueriesContext(connection) as counted:
        assert selectors.queue_counts(qm)["unassigned"] == 1
    assert len(counted.captured_queries) == 1


def test_the_work_page_lists_it_under_unassigned_with_its_step_and_count(client, org):
    qm = org.users["qm"]
    c = _qm_held(org, subject="交给品质部的投诉")
    client.force_login(qm)
    html = client.get(reverse("complaints:work"), {"view": "unassigned"}).content.decode()
    assert "交给品质部的投诉" in html
    assert f'href="/complaints/{c.id}/?do=accept" data-action="accept"' in html
    assert re.search(r'data-view="unassigned">[^<]*<span class="count num">1</span>', html)


# --- 3. the queue's step reads the developer's unanswered forwards ------------------------------------------


def _replied_over_a_forward(org, *, method=Method.PHONE, forward: bool = True) -> Complaint:
    """Investigating, both issues investigated, a reply draft saved; with `forward`, issue 1 has an unanswered
    forward of its own (its findings were written over it before "devissues": the issue is investigated)."""
    c, (one, _two) = h.investigated_two_issues(org, method)
    if forward:
        DeveloperForward.objects.create(
            complaint=c,
            company_id=c.company_id,
            party=org.developer,
            reason="外墙渗水属地产保修",
            sent_by=org.a.users["eng_supervisor"],
            sent_at=c.updated_at,
            issue=one,
        )
    s.reply_draft_save(actor=org.a.users["eng_supervisor"], complaint_id=c.id, body="您好，经现场查看……")
    return Complaint.objects.get(pk=c.id)


def _queue_steps(user) -> dict[int, str]:
    rows = selectors.queue_page(user, "mine", 0)
    prefetch_for_steps(rows, user)
    decide = StepDecider(user)
    return {c.id: (step.action if (step := decide(c)) else "") for c in rows}


def _page_step(user, c) -> str:
    step = next_action_for(user, complaint_detail_for(Complaint.objects.get(pk=c.id)))
    return step.action if step else ""


def test_the_queues_step_is_the_pages_with_an_unanswered_forward(org):
    sup = org.a.users["eng_supervisor"]
    waiting = _replied_over_a_forward(org)
    free = _replied_over_a_forward(org, forward=False)  # the same row otherwise (one decision per signature)
    assert _page_step(sup, waiting) == "issue_developer_answer_record"
    assert _page_step(sup, free) == "reply_send"
    steps = _queue_steps(sup)
    assert steps[waiting.id] == "issue_developer_answer_record"
    assert steps[free.id] == "reply_send"
    # a plain row (no prefetch) reads the forwards itself
    step = next_action_for(sup, Complaint.objects.get(pk=waiting.id))
    assert step is not None and step.action == "issue_developer_answer_record"
    # answered: the reply is the step again, on the page and in the queue
    fwd = DeveloperForward.objects.get(complaint=waiting)
    s.issue_developer_answer_record(
        actor=sup, complaint_id=waiting.id, forward_id=fwd.id, answer="地产已维修"
    )
    assert _page_step(sup, waiting) == "reply_send" and _queue_steps(sup)[waiting.id] == "reply_send"


def test_the_forwards_cost_one_statement_and_only_for_rows_they_could_change(org):
    sup = org.a.users["eng_supervisor"]
    h.drive_to(org, State.ASSIGNED)
    h.drive_to(org, State.VERIFYING)

    def forwards_read() -> int:
        rows = selectors.queue_page(sup, "mine", 0)
        with CaptureQueriesContext(connection) as read:
            prefetch_for_steps(rows, sup)
        return len([q for q in read.captured_queries if "complaints_developerforward" in q["sql"]])

    assert forwards_read() == 0  # no row investigating, negotiating or implementing
    _replied_over_a_forward(org)
    _replied_over_a_forward(org, forward=False)
    h.drive_to(org, State.IMPLEMENTING)
    assert forwards_read() == 1


def test_the_work_page_row_offers_the_developers_answer_not_the_reply(client, org):
    sup = org.a.users["eng_supervisor"]
    c = _replied_over_a_forward(org, method=Method.EMAIL)
    client.force_login(sup)
    html = client.get(reverse("complaints:work")).content.decode()
    assert f'href="/complaints/{c.id}/?do=issue_developer_answer_record"' in html
    assert f'href="/complaints/{c.id}/?do=reply_submit"' not in html
    detail = client.get(reverse("complaints:detail", args=[c.id])).content.decode()
    assert reverse("complaints:action", args=[c.id, "reply_submit"]) not in detail


# --- 4. negotiating while an issue waits for the developer ----------------------------------------------------

NEGOTIATING_NOTE = "问题1已转地产处理，尚未收到地产答复；在此之前不能提交或发送答复。"


def _negotiating_over_a_forward(org) -> Complaint:
    """Negotiating (the complainant disagreed), issue 1 with an unanswered forward of its own (data of before
    "devissues"), a new reply draft saved."""
    c = h.drive_to(org, State.NEGOTIATING, issues=2)
    DeveloperForward.objects.create(
        complaint=c,
        company_id=c.company_id,
        party=org.developer,
        reason="外墙渗水属地产保修",
        sent_by=org.a.users["eng_supervisor"],
        sent_at=c.updated_at,
        issue=c.issues.get(seq=1),
    )
    s.reply_draft_save(actor=org.a.users["eng_supervisor"], complaint_id=c.id, body="协商后的答复")
    return Complaint.objects.get(pk=c.id)


def test_negotiating_with_an_issue_at_the_developer_the_page_says_what_the_reply_waits_for(client, org):
    sup = org.a.users["eng_supervisor"]
    c = _negotiating_over_a_forward(org)
    with pytest.raises(DomainError) as refused:
        s.reply_send(actor=sup, complaint_id=c.id)
    assert refused.value.code == "issue_with_developer"  # final_reply_refusal's first reason here
    page = complaint_detail_for(Complaint.objects.get(pk=c.id))
    assert not {"reply_submit", "reply_send"} & {a.name for a in access.available_actions(sup, page)}
    assert next_steps.waiting_note(page) == NEGOTIATING_NOTE
    # the negotiation goes on (its service takes it): the step, on the page and in the queue
    assert _page_step(sup, c) == "negotiation_round_record"
    assert _queue_steps(sup)[c.id] == "negotiation_round_record"
    client.force_login(sup)
    html = client.get(reverse("complaints:detail", args=[c.id])).content.decode()
    assert f'<p class="waiting" role="status">{NEGOTIATING_NOTE}</p>' in html
    assert reverse("complaints:action", args=[c.id, "reply_send"]) not in html
    with translation.override("en"):
        note = next_steps.waiting_note(complaint_detail_for(Complaint.objects.get(pk=c.id)))
    assert note.endswith(
        "is with the developer and has no answer yet; until then the reply cannot be submitted or sent."
    )


def test_notes_are_joined_as_the_language_joins_sentences(org):
    """Investigating with an issue forwarded on its own and an issue answer in review: three notes. Chinese runs
    them together; English separates each from the next by one space, none at either end."""
    c, (one, two) = h.investigated_two_issues(org, Method.EMAIL, findings=False)
    s.issue_forward_to_developer(
        actor=org.a.users["eng_supervisor"],
        complaint_id=c.id,
        issue_id=one.id,
        party_id=org.developer.id,
        reason="外墙渗水属地产保修",
    )
    page = complaint_detail_for(Complaint.objects.get(pk=c.id))
    chinese = next_steps.waiting_note(page)
    assert chinese == (
        "问题1已转地产处理，等待地产答复；记录地产答复后才能提交或发送最终答复。"
        "整个投诉不能再转地产处理，其他问题可单项转地产处理。"
    )
    with translation.override("en"):
        english = next_steps.waiting_note(page)
    assert english == english.strip() and "  " not in english
    assert re.search(r"recorded\. The whole complaint", english), english
    assert not re.search(r"[.;][A-Z]", english), english
    # the space is the joining pattern's, not carried by the notes' English (where a note that comes last or
    # alone kept a trailing one, and one that came first would have run into the next)
    messages = [
        "整个投诉不能再转地产处理，其他问题可单项转地产处理。",
        "%(issues)s尚未调查（记录调查情况与措施）；调查后才能提交或发送最终答复。",
        "第 %(number)s 份单项答复等待%(stage)s审核；审核通过并发送后才能提交或发送最终答复。",
        "第 %(number)s 份单项答复已审核通过，等待发送给顾客；发送后才能提交或发送最终答复。",
    ]
    with translation.override("en"):
        for message in messages:
            text = translation.gettext(message)
            assert text != message and text == text.strip(), text
