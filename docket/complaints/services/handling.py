"""Handling: hand-over, investigation, the complainant's answer, measures, verification, escalation
(R-HDL-1, 2, 4, 5, 6, 8, 10; R-EXP-6)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from docket.accounts.models import User
from docket.core.errors import DomainError
from docket.org.models import Department, ExternalParty

from .. import access, workflow
from ..actors import Actor
from ..models import (
    ISSUE_DONE_STATES,
    Complaint,
    ComplaintIssue,
    DeveloperForward,
    IssueState,
    Level,
    Obligation,
    ProjectPhase,
    State,
    issue_names,
)
from ._base import acting, system_acting, text_required
from .closing import issues_moved
from .intake import department_for, departments_of
from .obligations import obligation_start, obligations_follow_holder, obligations_meet
from .procedure import (
    _opinion_pending,
    first_contact_due,
    follow_up_due,
    leadership_opinion_due,
    office_verification_report,
)


def _responsible_in(dept: Department, user_id: int | None, level: str) -> User | None:
    """The person named responsible (责任人) in `dept` for a complaint at `level`, or None when nobody is
    named; someone the one rule does not name (`access.responsible_assignments`, which the forms list too)
    is refused, `responsible_not_in_department`."""
    if user_id is None:
        return None
    if not access.responsible_assignments(dept, level).filter(user_id=user_id).exists():
        raise DomainError("responsible_not_in_department")
    return User.objects.get(pk=user_id)


def handover_departments(complaint: Complaint) -> QuerySet[Department]:
    """The one rule of the departments a complaint may be handed to — 派单 (its lead department and each issue's),
    转派, the department a reopening goes to: those of its office and its company (R-HDL-1, `departments_of`);
    once escalated to the company, its company's only — QM follows it up and never hands it back to the office
    (seed 5.2.3.5, R-HDL-5), whose roles could not handle it there (`access._acts`). The services check the
    department named against it (`_lead_department`); the forms offer exactly these (`forms.AssignForm`,
    `TransferForm`, `SecondReviewDecideForm`), so nothing offered is refused (docs/decisions.md, "offers8")."""
    depts = departments_of(complaint)
    if complaint.level == Level.COMPANY:
        return depts.filter(office__isnull=True)
    return depts


def _lead_department(complaint: Complaint, department_id: int) -> Department:
    """The department a complaint is handed to as its lead (派单, 转派, a reopening review): one of
    `handover_departments` (`_handover_department`) where someone could take 接单
    (`access.receiving_departments`, which the forms offer): else `department_cannot_accept`."""
    dept = _handover_department(complaint, department_id)
    if not access.receiving_departments([dept], complaint.level):
        raise DomainError("department_cannot_accept", department=dept.name)
    return dept


def _handover_department(complaint: Complaint, department_id: int) -> Department:
    """The department of `handover_departments` named (also an issue's own department under 派单), else why
    not: another office's or company's (`department_mismatch`), or the office's once escalated
    (`escalated_no_push_down`)."""
    dept = handover_departments(complaint).filter(pk=department_id).first()
    if dept is None:
        department_for(complaint, department_id)  # raises department_mismatch when not even of its office
        raise DomainError("escalated_no_push_down")
    return dept


def complaint_assign(
    *,
    actor,
    complaint_id: int,
    department_id: int,
    responsible_id: int | None = None,
    issue_departments: dict[int, int] | None = None,
    expected_version: int | None = None,
) -> Complaint:
    """Hand the complaint to its lead department (and responsible person) at once (R-HDL-1). Issues get
    their own departments through `issue_departments` {issue_id: department_id}; unlisted issues go to
    the lead department."""
    with acting(
        actor=actor, complaint_id=complaint_id, action="assign", expected_version=expected_version
    ) as act:
        c = act.complaint
        dept = _lead_department(c, department_id)
        responsible = _responsible_in(dept, responsible_id, c.level)
        mapping = issue_departments or {}
        issues = list(ComplaintIssue.objects.select_for_update().filter(complaint=c))
        known = {i.id for i in issues}
        if set(mapping) - known:
            raise DomainError("not_found")
        changes = []
        for issue in issues:
            issue_dept = _handover_department(c, mapping[issue.id]) if issue.id in mapping else dept
            issue.department = issue_dept
            issue.responsible = responsible if issue_dept.id == dept.id else None
            issue.save(update_fields=["department", "responsible"])
            changes.append({"issue": issue.seq, "department": issue_dept.name})
        act.move()
        act.set(holder_department=dept, holder=responsible, responsible=responsible)
        obligations_follow_holder(act)
        act.record(
            "assigned",
            {
                "department": dept.name,
                "department_id": dept.id,
                "responsible": str(responsible) if responsible else None,
                "issues": changes,
            },
        )
        first_contact_due(act)  # document 5 §4.3: the department contacts the complainant at once
    return act.complaint


def complaint_accept(*, actor, complaint_id: int, expected_version: int | None = None) -> Complaint:
    """The lead department takes the complaint; the acting person holds it and is responsible unless
    someone was named at hand-over."""
    with acting(
        actor=actor, complaint_id=complaint_id, action="accept", expected_version=expected_version
    ) as act:
        act.move()
        act.set(holder=actor, responsible=act.complaint.responsible or actor)
        obligations_follow_holder(act)
        act.record("accepted", {"holder": str(actor)})
    return act.complaint


def complaint_transfer(
    *,
    actor,
    complaint_id: int,
    department_id: int,
    reason: str,
    responsible_id: int | None = None,
    expected_version: int | None = None,
) -> Complaint:
    """Misrouted: hand to another department, with the reason on the record (R-EXP-6). Issues held by the
    old lead department move with it."""
    reason = text_required(reason, "转派原因")
    with acting(
        actor=actor, complaint_id=complaint_id, action="transfer", expected_version=expected_version
    ) as act:
        c = act.complaint
        dept = _lead_department(c, department_id)
        if dept.id == c.holder_department_id:
            raise DomainError("same_department")
        responsible = _responsible_in(dept, responsible_id, c.level)
        old = c.holder_department
        ComplaintIssue.objects.filter(Q(complaint=c) & Q(department_id=c.holder_department_id)).update(
            department=dept, responsible=responsible
        )
        act.move()
        act.set(holder_department=dept, holder=responsible, responsible=responsible)
        obligations_follow_holder(act)
        act.record(
            "transferred",
            {"from": old.name if old else None, "to": dept.name, "to_id": dept.id, "reason": reason},
        )
    return act.complaint


def complaint_refuse(
    *, actor, complaint_id: int, reason: str, expected_version: int | None = None
) -> Complaint:
    """The department refuses a complaint that is not its business; it returns to reception (R-EXP-6)."""
    reason = text_required(reason, "退回原因")
    with acting(
        actor=actor, complaint_id=complaint_id, action="refuse", expected_version=expected_version
    ) as act:
        old = act.complaint.holder_department
        # Back at the front desk: no department holds it or any of its issues any more.
        ComplaintIssue.objects.filter(complaint=act.complaint).update(department=None, responsible=None)
        act.move()
        act.set(holder_department=None, holder=None, responsible=None)
        obligations_follow_holder(act)
        act.record("refused", {"department": old.name if old else None, "reason": reason})
    return act.complaint


def issue_findings_record(
    *,
    actor,
    complaint_id: int,
    issue_id: int,
    findings: str,
    measures: str,
    expected_version: int | None = None,
) -> ComplaintIssue:
    """On-site findings and the planned measures for one issue (R-HDL-2). Staff must not guess
    (R-HDL-12): findings are required."""
    findings = text_required(findings, "调查情况")
    measures = text_required(measures, "处理措施")
    with acting(
        actor=actor,
        complaint_id=complaint_id,
        action="issue_findings_record",
        expected_version=expected_version,
        issue_id=issue_id,
    ) as act:
        issue = act.issue
        assert issue is not None  # acting() locked it: issue_id was given
        # Its rows of workflow.ISSUE_MOVES: open, in rework or investigated → investigated; an issue forwarded
        # to the developer keeps waiting for its answer — the company's own findings are recorded (5.2.3.9: it
        # follows the developer up), but only the developer's answer ends the wait (`issue_developer_answer_
        # record`; docs/decisions.md "devissues"). An issue whose work has ended (measures done, verified,
        # closed, withdrawn) is refused, not sent back to investigated (docs/decisions.md "issuemoves").
        (target,) = workflow.issue_check(issue, "issue_findings_record")
        issue.findings, issue.measures, issue.state = findings, measures, target
        issue.save(update_fields=["findings", "measures", "state"])
        act.record("findings_recorded", {"issue": issue.seq, "findings": findings, "measures": measures})
    return issue


def forward_inputs(reason: str, project_phase: str) -> tuple[str, str]:
    """A forward's reason (required) and project phase (optional, one of ProjectPhase), checked before the
    complaint is locked; the complaint's forward and an issue's (`issue_answers`) alike."""
    reason = text_required(reason, "转交说明")
    project_phase = project_phase or ""
    if project_phase and project_phase not in ProjectPhase.values:
        raise DomainError("validation", detail="请选择项目阶段")
    return reason, project_phase


def developer_party(c, party_id: int) -> ExternalParty:
    """The developer's customer-relations centre of the complaint's group named by `party_id`, or a
    validation error (another group's party answers the same as a missing one)."""
    party = ExternalParty.objects.filter(
        pk=party_id, kind=ExternalParty.Kind.DEVELOPER, group_id=c.company.group_id
    ).first()
    if party is None:
        raise DomainError("validation", detail="请选择地产客户关系中心")
    return party


def developer_forward(
    *,
    actor,
    complaint_id: int,
    party_id: int,
    reason: str,
    project_phase: str = "",
    expected_version: int | None = None,
) -> DeveloperForward:
    """Forward to the developer's customer-relations centre and follow it up until it answers (R-HDL-6):
    its answer has a deadline (`developer_answer`, reminders from the overdue ladder) and the project phase
    the problem goes back to is recorded (seed 5.2.6.4).

    Refused (`forward_issue_with_developer`) while an issue already waits for the developer on its own
    (`waiting_for_developer`): the whole letter would go to the developer a second time with that issue in it,
    and its answer would not end that issue's wait (only the issue's own answer does); the other issues go
    on their own (`issue_forward_to_developer`), as an issue cannot be forwarded while the whole complaint is
    with the developer (docs/decisions.md "answerwait")."""
    reason, project_phase = forward_inputs(reason, project_phase)
    with acting(
        actor=actor,
        complaint_id=complaint_id,
        action="forward_to_developer",
        expected_version=expected_version,
    ) as act:
        c = act.complaint
        waiting = waiting_for_developer(c)
        if waiting:
            raise DomainError("forward_issue_with_developer", issues=issue_names(i.seq for i in waiting))
        party = developer_party(c, party_id)
        fwd = DeveloperForward.objects.create(
            complaint=c,
            company_id=c.company_id,
            party=party,
            reason=reason,
            project_phase=project_phase,
            sent_by=actor,
            sent_at=act.now,
        )
        act.move()
        act.set(developer_related=True)
        act.record(
            "forwarded_to_developer",
            {"party": party.name, "reason": reason, "forward": fwd.id, "project_phase": project_phase},
        )
        ob = obligation_start(act, Obligation.Kind.DEVELOPER_ANSWER)  # issue 15
        if ob is not None:  # seed3: each forward meets its own deadline (an issue's forward runs beside it)
            fwd.obligation = ob
            fwd.save(update_fields=["obligation"])
    return fwd


def developer_answer_record(
    *, actor, complaint_id: int, answer: str, their_ref: str = "", expected_version: int | None = None
) -> DeveloperForward:
    answer = text_required(answer, "地产答复")
    with acting(
        actor=actor,
        complaint_id=complaint_id,
        action="developer_answer_record",
        expected_version=expected_version,
    ) as act:
        fwd = (
            DeveloperForward.objects.select_for_update()
            .filter(complaint=act.complaint, answered_at__isnull=True, issue__isnull=True)
            .order_by("-sent_at")
            .first()
        )
        if fwd is None:  # pragma: no cover - the state guarantees an open forward
            raise DomainError(
                "invalid_transition", state=act.complaint.get_state_display(), action="记录地产答复"
            )
        fwd.answer, fwd.their_ref, fwd.answered_at, fwd.recorded_by = (
            answer,
            their_ref.strip(),
            act.now,
            actor,
        )
        fwd.save(update_fields=["answer", "their_ref", "answered_at", "recorded_by"])
        act.move()
        act.record("developer_answered", {"answer": answer, "their_ref": fwd.their_ref})
        if fwd.obligation_id is not None:
            from .seed2 import obligation_meet_one

            obligation_meet_one(act, fwd.obligation_id)
        else:  # a forward made before forwards carried their own deadline
            obligations_meet(act, Obligation.Kind.DEVELOPER_ANSWER)
    return fwd


def explanation_record(
    *, actor, complaint_id: int, explanation: str, expected_version: int | None = None
) -> Complaint:
    """An unreasonable complaint still gets a patient, reasoned explanation, recorded (R-HDL-8)."""
    explanation = text_required(explanation, "解释说明")
    with acting(
        actor=actor, complaint_id=complaint_id, action="explanation_record", expected_version=expected_version
    ) as act:
        act.set(unreasonable=True)
        act.record("explanation_recorded", {"explanation": explanation})
    return act.complaint


def complainant_agree(
    *, actor, complaint_id: int, note: str = "", expected_version: int | None = None
) -> Complaint:
    """The complainant agrees with the reply; the agreed measures are carried out (R-HDL-4)."""
    with acting(
        actor=actor, complaint_id=complaint_id, action="complainant_agree", expected_version=expected_version
    ) as act:
        act.move()
        act.record("complainant_agreed", {"note": note.strip()})
    return act.complaint


def complainant_disagree(
    *, actor, complaint_id: int, reason: str, expected_version: int | None = None
) -> Complaint:
    """The complainant does not agree; negotiation starts, round 1 (R-HDL-4)."""
    reason = text_required(reason, "顾客不同意的理由")
    with acting(
        actor=actor,
        complaint_id=complaint_id,
        action="complainant_disagree",
        expected_version=expected_version,
    ) as act:
        act.move()
        act.set(negotiation_rounds=act.complaint.negotiation_rounds + 1)
        act.record("complainant_disagreed", {"reason": reason, "round": act.complaint.negotiation_rounds})
    return act.complaint


def negotiation_round_record(
    *, actor, complaint_id: int, summary: str, expected_version: int | None = None
) -> Complaint:
    """One more round of negotiation, recorded (R-HDL-4)."""
    summary = text_required(summary, "协商情况")
    with acting(
        actor=actor,
        complaint_id=complaint_id,
        action="negotiation_round_record",
        expected_version=expected_version,
    ) as act:
        act.set(negotiation_rounds=act.complaint.negotiation_rounds + 1)
        act.record("negotiation_recorded", {"summary": summary, "round": act.complaint.negotiation_rounds})
    return act.complaint


# What "measures done" moves: every issue still in work (not done, not already reported carried out, not
# waiting for the developer): its row of workflow.ISSUE_MOVES, so the table and the service agree.
MEASURES_OWED = workflow.issue_sources("measures_done")


def waiting_among(
    issues: Iterable[ComplaintIssue], forwards: Iterable[DeveloperForward]
) -> list[ComplaintIssue]:
    """The rule: of `issues`, those still waiting for the developer's answer, in order — forwarded on their own
    (IssueState.FORWARDED), or with a forward of their own among `forwards` not yet answered (an issue whose
    findings were recorded over its forward before "devissues" kept it forwarded)."""
    unanswered = {f.issue_id for f in forwards if f.issue_id is not None and f.answered_at is None}
    return sorted(
        (i for i in issues if i.state == IssueState.FORWARDED or i.pk in unanswered), key=lambda i: i.seq
    )


def waiting_for_developer(complaint) -> list[ComplaintIssue]:
    """The complaint's issues still waiting for the developer's answer (`waiting_among`). The services ask it
    of the row they locked (read from the database); the complaint page's action list and step ask it of the
    page's prefetch of issues and forwards (no query), the API's of its issues and one query of the forwards:
    the same rule refuses the final reply and the measures and hides their buttons (docs/decisions.md
    "issuemoves")."""
    issues = access.prefetched_rows(complaint, "issues")
    if issues is None:
        issues = list(ComplaintIssue.objects.filter(complaint=complaint))
    forwards = access.prefetched_rows(complaint, "developer_forwards")
    if forwards is None:
        forwards = list(
            DeveloperForward.objects.filter(
                complaint=complaint, issue__isnull=False, answered_at__isnull=True
            ).only("id", "issue_id", "answered_at")
        )
    return waiting_among(issues, forwards)


def measures_done(*, actor, complaint_id: int, note: str, expected_version: int | None = None) -> Complaint:
    """The agreed measures have been carried out; the complaint awaits verification (R-HDL-10).

    When no issue is left to carry out — every one closed on its own after the developer's answer (seed3),
    so the company carried out no measure the office could verify on site (5.2.3.6) — the report goes
    straight to the follow-up (5.2.5.1), past the office's and QM's verification, instead of leaving the
    complaint verifying with nothing to verify (docs/decisions.md, "qmrework").

    Refused (`measures_with_developer`) while an issue waits for the developer's answer: the company has not
    finished handling it (5.2.3.6 verifies measures carried out after handling; 5.2.3.9 the company follows
    the developer up), so nothing of the complaint goes to verification before the developer has answered
    (docs/decisions.md, "devissues")."""
    note = text_required(note, "措施落实情况")
    with acting(
        actor=actor, complaint_id=complaint_id, action="measures_done", expected_version=expected_version
    ) as act:
        waiting = waiting_for_developer(act.complaint)
        if waiting:
            raise DomainError("measures_with_developer", issues=issue_names(i.seq for i in waiting))
        # Every issue still in work is carried out; the event names those it moves (`issues`, `issue_names`,
        # as the other issue-moving events do: closing.issues_moved). One reported before and not yet verified
        # (measures done) stays so, unnamed, and still waits for its verification.
        moved = issues_moved(act, MEASURES_OWED, IssueState.MEASURES_DONE)
        pending = bool(moved) or (
            ComplaintIssue.objects.filter(complaint=act.complaint, state=IssueState.MEASURES_DONE).exists()
        )
        if pending:
            act.move(State.VERIFYING)
            act.record("measures_done", {"note": note, **moved})
            obligation_start(act, "verify")
        else:
            act.move(State.FOLLOW_UP)
            act.record("measures_done", {"note": note, "nothing_to_verify": True})
            follow_up_due(act)
    return act.complaint


def issue_verify(
    *, actor, complaint_id: int, issue_id: int, passed: bool, note: str, expected_version: int | None = None
) -> ComplaintIssue:
    """Verify one issue's measures (office manager, supervisor or above; R-HDL-10). A failed issue goes
    back for rework and the complaint returns to implementing; when every issue has passed, the complaint
    moves to follow-up."""
    note = text_required(note, "验证情况")
    with acting(
        actor=actor,
        complaint_id=complaint_id,
        action="issue_verify",
        expected_version=expected_version,
        issue_id=issue_id,
    ) as act:
        issue = act.issue
        assert issue is not None  # acting() locked it: issue_id was given
        workflow.issue_check(issue, "issue_verify")  # measures done (its rows of workflow.ISSUE_MOVES)
        issue.state = IssueState.VERIFIED if passed else IssueState.REWORK
        issue.verification_note, issue.verified_by, issue.verified_at = note, actor, act.now
        issue.save(update_fields=["state", "verification_note", "verified_by", "verified_at"])
        if passed and issue.answered_at is not None:  # seed3: answered on its own and verified: closed
            issue.state, issue.closed_at = IssueState.CLOSED, act.now
            issue.save(update_fields=["state", "closed_at"])
        if not passed:
            act.move(State.IMPLEMENTING)
        elif (
            not ComplaintIssue.objects.filter(complaint=act.complaint)
            .exclude(state__in=ISSUE_DONE_STATES)
            .exists()
        ):
            # Seed 5.2.3.6 (issue 15): a company-level or online complaint goes to QM after the office.
            act.move(State.QM_VERIFYING if workflow.needs_qm_verification(act.complaint) else State.FOLLOW_UP)
        else:
            act.move(State.VERIFYING)
        payload = {"issue": issue.seq, "passed": passed, "note": note}
        if act.complaint.state == State.QM_VERIFYING:
            act.record("office_verification_reported", payload | {"report": office_verification_report(act)})
        else:
            act.record("issue_verified" if passed else "issue_rework", payload)
        if issue.state == IssueState.CLOSED:
            from .issue_answers import record_closed

            record_closed(act, issue)
        if act.complaint.state != State.VERIFYING:
            obligations_meet(act, "verify")
        if act.complaint.state == State.QM_VERIFYING:
            obligation_start(act, "qm_verify")
        if act.complaint.state == State.FOLLOW_UP:
            follow_up_due(act)
    return issue


def complaint_escalate(
    *, actor, complaint_id: int, reason: str, expected_version: int | None = None
) -> Complaint:
    """The office cannot resolve it: escalate to QM (R-HDL-5). From then on the complaint is handled at
    company level and never pushed back to the office; QM's department holds it."""
    reason = text_required(reason, "上报原因")
    with acting(
        actor=actor, complaint_id=complaint_id, action="escalate_to_qm", expected_version=expected_version
    ) as act:
        c = act.complaint
        if c.level == Level.COMPANY:
            raise DomainError("invalid_transition", state="已上报公司", action="上报品质管理部")
        qm = Department.objects.filter(
            company_id=c.company_id, office__isnull=True, kind=Department.Kind.QM
        ).first()
        if qm is None:
            raise DomainError("validation", detail="公司未设置品质管理部")
        act.move()
        act.set(level=Level.COMPANY, holder_department=qm, holder=None)
        obligations_follow_holder(act)
        # Documents 3/4 §3 (issue 15): what the office could not handle gets leadership's handling opinion.
        if not _opinion_pending(c):
            leadership_opinion_due(act, reason)
        act.record("escalated", {"reason": reason, "to": qm.name})
    return act.complaint


# --- the complainant's own answers (R-HDL-4, R-EXP-3) ------------------------------------------------------


def owner_agree(*, complaint_id: int, via: str, note: str = "") -> Complaint:
    """The complainant agrees with the reply themselves (receipt check or portal, `via`); the agreed
    measures are carried out. The same event as when staff record it, with the complainant as the actor."""
    with system_acting(actor=Actor.complainant(via), complaint_id=complaint_id, action="owner_agree") as act:
        if act is None:
            raise DomainError("not_found")
        act.move()
        act.record("complainant_agreed", {"note": note.strip()[:500], "via": via})
    return act.complaint


def owner_disagree(*, complaint_id: int, via: str, reason: str) -> Complaint:
    """The complainant does not agree, with their reason: negotiation starts and the round is counted
    (R-EXP-3); the holder is told (the kind's notice)."""
    reason = text_required(reason, "不同意的理由")[:2000]
    with system_acting(
        actor=Actor.complainant(via), complaint_id=complaint_id, action="owner_disagree"
    ) as act:
        if act is None:
            raise DomainError("not_found")
        act.move()
        act.set(negotiation_rounds=act.complaint.negotiation_rounds + 1)
        act.record(
            "complainant_disagreed", {"reason": reason, "round": act.complaint.negotiation_rounds, "via": via}
        )
    return act.complaint
