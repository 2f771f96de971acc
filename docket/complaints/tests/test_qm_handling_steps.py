"""QM and the handling department's steps (seed 5.2.2.3, 5.2.3.1–5.2.3.2, 5.2.3.5; docs/decisions.md "qmsteps").

The responsible department accepts a complaint, contacts the complainant, investigates, drafts the reply and
carries out the measures; QM reviews, verifies and follows up. QM takes the department's steps (workflow rows
marked `handling_step`) only on a complaint it handles itself: held by the company's QM department, or
escalated to the company. Refused through the services (nothing changed) and not offered on the page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from docket.complaints import access, workflow
from docket.complaints import services as s
from docket.complaints.models import Complaint, ComplaintIssue, Level, State
from docket.core.errors import DomainError

from . import helpers as h

STEPS = ("accept", "first_contact_record", "issue_findings_record", "reply_draft_save", "measures_done")


def _offered(user, complaint_id: int) -> set[str]:
    return {a.name for a in access.available_actions(user, Complaint.objects.get(pk=complaint_id))}


def _refused(user, action: str, x: h.Ctx) -> None:
    before = h.snapshot(x.complaint_id)
    with pytest.raises(DomainError) as e:
        h.invoke(action, user, x)
    assert e.value.code == "forbidden_action", action
    assert h.snapshot(x.complaint_id) == before
    assert action not in _offered(user, x.complaint_id)


def test_the_handling_steps_are_marked_in_the_workflow():
    marked = {name for name, spec in workflow.ACTIONS.items() if spec.handling_step}
    assert marked == {*STEPS, "reply_submit", "issue_answer_submit"}
    # what the seed gives QM itself stays QM's: dispatch and redirect (5.2.2.6), review (5.2.3.2),
    # verification (5.2.3.6), forwarding to the developer (5.2.2.6)
    for name in ("assign", "transfer", "reply_review_approve", "qm_verify", "forward_to_developer"):
        assert not workflow.ACTIONS[name].handling_step, name


@pytest.mark.parametrize(
    "action, state",
    [
        ("accept", State.ASSIGNED),
        ("first_contact_record", State.INVESTIGATING),
        ("issue_findings_record", State.INVESTIGATING),
        ("reply_draft_save", State.INVESTIGATING),
        ("measures_done", State.IMPLEMENTING),
    ],
)
def test_qm_is_refused_the_departments_steps_on_an_office_departments_complaint(org, action, state):
    """Held by office A's engineering department: QM may not accept, investigate, draft or report the
    measures done for it (the department does, 5.2.3.1–5.2.3.2), and is not offered them."""
    c = h.drive_to(org, state)
    x = h.ctx_for(org, c)
    _refused(org.users["qm"], action, x)
    # the department itself may (the same situation, so the refusal is QM's role, not the state)
    assert action in _offered(org.a.users["eng_supervisor"], c.id)


def test_qm_keeps_its_own_steps_on_an_office_departments_complaint(org):
    """What the seed gives QM on any complaint of its company stays: redirecting it to the responsible
    department (5.2.2.6), forwarding to the developer (5.2.2.6), and sending an approved reply."""
    qm = org.users["qm"]
    assert "transfer" in _offered(qm, h.drive_to(org, State.ASSIGNED).id)
    investigating = h.drive_to(org, State.INVESTIGATING)
    assert {"transfer", "forward_to_developer", "note_add"} <= _offered(qm, investigating.id)


def test_qm_takes_the_handling_steps_where_its_own_department_holds_the_complaint(org):
    """Handed to the company's QM department (QM takes it on itself, 5.2.2.5–5.2.2.6): QM is the handling
    department, so it accepts, investigates, drafts and reports the measures done."""
    qm = org.users["qm"]
    c = h.make_complaint(org)
    s.complaint_assign(actor=qm, complaint_id=c.id, department_id=org.company_depts["qm"].id)
    assert "accept" in _offered(qm, c.id)
    s.complaint_accept(actor=qm, complaint_id=c.id)
    assert {"first_contact_record", "issue_findings_record", "reply_draft_save"} <= _offered(qm, c.id)
    issue = ComplaintIssue.objects.get(complaint=c)
    s.issue_findings_record(actor=qm, complaint_id=c.id, issue_id=issue.id, findings="属实", measures="维修")
    s.reply_draft_save(actor=qm, complaint_id=c.id, body="您好，已安排维修。")
    s.reply_send(actor=qm, complaint_id=c.id)
    s.complainant_agree(actor=qm, complaint_id=c.id)
    assert "measures_done" in _offered(qm, c.id)
    s.measures_done(actor=qm, complaint_id=c.id, note="已维修")
    c = Complaint.objects.get(pk=c.id)
    assert (c.state, c.level, c.holder_department_id) == (
        State.VERIFYING,
        Level.OFFICE,
        org.company_depts["qm"].id,
    )


def test_qm_takes_the_handling_steps_on_an_escalated_complaint_wherever_the_company_moves_it(org):
    """Escalated to the company, QM follows it up and never hands it back (5.2.3.5): it accepts again after
    moving it to another company department (办公室, e.g. for a legal question)."""
    qm = org.users["qm"]
    c = h.drive_to(org, State.INVESTIGATING)
    s.complaint_escalate(actor=org.a.users["office_manager"], complaint_id=c.id, reason="管理处无法解决")
    s.complaint_transfer(
        actor=qm,
        complaint_id=c.id,
        department_id=org.company_depts["general_office"].id,
        reason="涉及法律问题",
    )
    assert "accept" in _offered(qm, c.id)
    s.complaint_accept(actor=qm, complaint_id=c.id)
    c = Complaint.objects.get(pk=c.id)
    assert (c.state, c.level, c.holder_id) == (State.INVESTIGATING, Level.COMPANY, qm.id)
    assert "issue_findings_record" in _offered(qm, c.id)


def test_the_complaint_page_offers_qm_the_departments_steps_only_where_qm_handles(client, org):
    qm = org.users["qm"]
    client.force_login(qm)
    engineering = h.drive_to(org, State.ASSIGNED)
    investigating = h.drive_to(org, State.INVESTIGATING)
    own = h.make_complaint(org)
    s.complaint_assign(actor=qm, complaint_id=own.id, department_id=org.company_depts["qm"].id)

    def page(c) -> str:
        r = client.get(reverse("complaints:detail", args=[c.id]))
        assert r.status_code == 200
        return r.content.decode()

    html = page(engineering)
    assert 'data-action="accept"' not in html and 'data-action="transfer"' in html
    html = page(investigating)
    assert 'data-action="issue_findings_record"' not in html
    assert 'data-action="reply_draft_save"' not in html and 'data-action="note_add"' in html
    assert 'data-action="accept"' in page(own)
    # and the action's own page refuses it, changing nothing
    before = h.snapshot(engineering.id)
    url = reverse("complaints:action", args=[engineering.id, "accept"])
    r = client.post(url, {"version": Complaint.objects.get(pk=engineering.id).version})
    assert r.status_code == 422 and "无权" in r.content.decode()
    assert h.snapshot(engineering.id) == before
