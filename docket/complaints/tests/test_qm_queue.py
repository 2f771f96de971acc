"""QM's work queue on the complaints QM handles itself (docs/decisions.md "qmsteps", "qmqueue").

Held by the company's QM department at office level (seed 5.2.2.5–5.2.2.6: QM takes it on itself), a
complaint waits for QM's handling steps (接单, 调查, 起草答复, 落实措施 …: `access.qm_handles`), so it is in QM's
我的待办 with that step and counted in the tabs; the departments' queues do not change. And QM is named
responsible (责任人) only where it handles the complaint itself."""

from __future__ import annotations

import pytest
from django.urls import reverse

from docket.accounts.models import Role
from docket.complaints import selectors
from docket.complaints import services as s
from docket.complaints.models import Channel, Complaint, ComplaintIssue, Level, Method, State
from docket.complaints.next_steps import StepDecider, next_action_for, prefetch_for_steps

from . import helpers as h

pytestmark = pytest.mark.django_db


def _qm_held(org, **register) -> Complaint:
    """A complaint of office A that QM hands to the company's QM department (ASSIGNED, office level)."""
    c = h.make_complaint(org, **register)
    s.complaint_assign(actor=org.users["qm"], complaint_id=c.id, department_id=org.company_depts["qm"].id)
    return Complaint.objects.get(pk=c.id)


def _mine(user) -> list[int]:
    return [c.id for c in selectors.queue_view(user, "mine")]


def _page_steps(user) -> dict[int, str]:
    """The first page of 我的待办 as the page reads it (the compiled statement, the page's prefetch and
    decider): complaint id → the step's label."""
    rows = selectors.queue_page(user, "mine", 0)
    prefetch_for_steps(rows, user)
    decide = StepDecider(user)
    return {c.id: str(step.label) if (step := decide(c)) else "" for c in rows}


def _step(user, c: Complaint) -> str | None:
    step = next_action_for(user, Complaint.objects.get(pk=c.id))
    return None if step is None else str(step.label)


def test_qm_finds_the_complaint_its_department_holds_in_its_queue_with_each_step(org):
    qm = org.users["qm"]
    c = _qm_held(org)
    assert c.level == Level.OFFICE
    assert _mine(qm) == [c.id]
    assert _page_steps(qm) == {c.id: "接单"}
    assert selectors.queue_counts(qm)["mine"] == 1
    s.complaint_accept(actor=qm, complaint_id=c.id)
    assert _page_steps(qm) == {c.id: "调查"}
    issue = ComplaintIssue.objects.get(complaint_id=c.id)
    s.issue_findings_record(actor=qm, complaint_id=c.id, issue_id=issue.id, findings="属实", measures="维修")
    assert _page_steps(qm) == {c.id: "起草答复"}
    s.reply_draft_save(actor=qm, complaint_id=c.id, body="您好，已安排维修。")
    assert _step(qm, c) == "发送答复"  # a phone complaint: no review
    s.reply_send(actor=qm, complaint_id=c.id)
    assert _mine(qm) == []  # the complainant's answer: the front desk's (as for any department)
    s.complainant_agree(actor=org.a.users["reception"], complaint_id=c.id)
    assert _page_steps(qm) == {c.id: "落实措施"}
    assert selectors.queue_counts(qm)["mine"] == 1
    s.measures_done(actor=qm, complaint_id=c.id, note="已维修")
    assert _page_steps(qm) == {c.id: "验证"}


def test_the_work_page_lists_it_with_its_step_and_count(client, org):
    qm = org.users["qm"]
    c = _qm_held(org, subject="品质部自行处理的投诉")
    client.force_login(qm)
    html = client.get(reverse("complaints:work")).content.decode()
    assert "品质部自行处理的投诉" in html
    assert f'href="/complaints/{c.id}/?do=accept" data-action="accept"' in html
    assert 'data-view="mine">我的待办 <span class="count num">1</span>' in html


def test_departments_queues_are_unchanged_and_qm_gets_no_office_departments_work(org):
    """The engineering supervisor's queue holds its own complaints only (not QM's); QM's does not get the
    complaints an office department (or the company's 办公室) handles at office level, whose handling steps
    are not QM's; another company's QM gets nothing."""
    qm, sup = org.users["qm"], org.a.users["eng_supervisor"]
    own = _qm_held(org)
    engineering = [h.drive_to(org, state) for state in (State.ASSIGNED, State.INVESTIGATING)]
    office = h.make_complaint(org)
    h.make_user(
        "go_head", [(Role.DEPT_MANAGER, org.company_depts["general_office"], None)]
    )  # may accept there
    s.complaint_assign(actor=qm, complaint_id=office.id, department_id=org.company_depts["general_office"].id)
    assert set(_mine(sup)) == {c.id for c in engineering}
    assert selectors.queue_counts(sup) == {
        "mine": 2,
        "unassigned": 1,  # the one not yet accepted
        "overdue": 0,
        "returned": 0,
        "chased": 0,
    }
    assert _mine(qm) == [own.id]
    assert selectors.queue_counts(org.other_company_qm)["mine"] == 0
    # a supervisor of the QM department (a department role there) has it as before
    qm_sup = h.make_user("qm_sup", [(Role.DEPT_SUPERVISOR, org.company_depts["qm"], None)])
    assert _mine(qm_sup) == [own.id]


def test_every_qm_held_state_in_the_queue_has_qms_step(org):
    """What the QM department holds in the department's states (selectors.DEPT_ACTION_STATES) has a step
    for QM on every row (nothing in a queue waits for someone else)."""
    qm = org.users["qm"]
    assigned = _qm_held(org)
    investigating = _qm_held(org)
    s.complaint_accept(actor=qm, complaint_id=investigating.id)
    developer = _qm_held(org)
    s.complaint_accept(actor=qm, complaint_id=developer.id)
    s.developer_forward(
        actor=qm, complaint_id=developer.id, party_id=org.developer.id, reason="属地产保修范围"
    )
    steps = _page_steps(qm)
    assert steps == {assigned.id: "接单", investigating.id: "调查", developer.id: "记录地产答复"}
    assert selectors.queue_counts(qm)["mine"] == 3


def test_qm_who_is_also_the_officer_gets_qms_step_on_a_qm_held_online_complaint(org):
    """An online complaint QM's department holds is QM's own work: the demo's QM who is also the information
    officer is offered 接单, not the note that the office owes its courtesy reply."""
    both = h.make_user(
        "qm_officer", [(Role.QM, org.company, None), (Role.QM_INFO_OFFICER, org.company, None)]
    )
    c = _qm_held(org, method=Method.ONLINE, channel=Channel.ONLINE, complainant_phone="13900000077")
    assert _step(both, c) == "接单"
    assert _page_steps(both)[c.id] == "接单"


def test_qm_is_named_responsible_only_where_qm_handles_the_complaint(org):
    """Seed 5.2.2.3, 5.2.3.1: the responsible department's own people handle it; QM handles what it takes on
    itself (its department, 5.2.2.5–5.2.2.6) and what is escalated (5.2.3.5). Named for 办公室 at office level
    QM could not even accept: refused, nothing changed (办公室 has a head there, so that it may be handed it)."""
    qm, depts = org.users["qm"], org.company_depts
    go_head = h.make_user("go_head", [(Role.DEPT_MANAGER, depts["general_office"], None)])
    c = h.make_complaint(org)
    h.refused(
        "responsible_not_in_department",
        c.id,
        lambda: s.complaint_assign(
            actor=qm, complaint_id=c.id, department_id=depts["general_office"].id, responsible_id=qm.id
        ),
    )
    # the department's own head is nameable there (leadership no longer: it could not accept); QM in its own
    # department
    s.complaint_assign(
        actor=qm, complaint_id=c.id, department_id=depts["general_office"].id, responsible_id=go_head.id
    )
    s.complaint_transfer(
        actor=qm,
        complaint_id=c.id,
        department_id=depts["qm"].id,
        reason="品质部自行处理",
        responsible_id=qm.id,
    )
    assert Complaint.objects.get(pk=c.id).responsible_id == qm.id
    # escalated, QM handles it in any company department (5.2.3.5): it may stay responsible in 办公室
    escalated = h.drive_to(org, State.INVESTIGATING)
    s.complaint_escalate(actor=org.a.users["office_manager"], complaint_id=escalated.id, reason="无法处理")
    s.complaint_transfer(
        actor=qm,
        complaint_id=escalated.id,
        department_id=depts["general_office"].id,
        reason="涉及法律问题",
        responsible_id=qm.id,
    )
    assert Complaint.objects.get(pk=escalated.id).responsible_id == qm.id
