"""The approval step of the periodic analyses (R-ANA-2, R-ANA-3, R-SLA-4): a submitted report is approved,
or returned with a comment and written again. Each decision is a `ReportReview` row (who, when, what);
an approval queues the finished report for delivery to the company's recipients (`delivery.py`).

Who decides (seed 5.2.6.2-3: the office's analysis goes to QM; QM's analysis is the company's):

| report | submitted by | approved or returned by |
|---|---|---|
| department monthly statistics | the department's supervisor or manager | the office's manager |
| office monthly analysis | the office manager | QM of the company |
| QM quarterly / half-yearly analysis | QM | leadership or the management representative |
"""

from __future__ import annotations

from django.db import transaction

from docket.accounts.access import assignments_of
from docket.accounts.models import Role, RoleAssignment, User, people_q
from docket.core import clock
from docket.core.errors import DomainError
from docket.notifications.service import notify

from .models import GeneratedReport, ReportDuty, ReportReview

REVIEW_ROLES = {
    ReportDuty.Kind.DEPT_MONTHLY: frozenset({Role.OFFICE_MANAGER}),
    ReportDuty.Kind.OFFICE_MONTHLY: frozenset({Role.QM}),
    ReportDuty.Kind.QM_PERIODIC: frozenset({Role.LEADERSHIP, Role.MGMT_REP}),
}


def may_review(user, duty: ReportDuty) -> bool:
    """Whether the user approves or returns this report (the table above), in their own scope only."""
    roles = REVIEW_ROLES.get(ReportDuty.Kind(duty.kind), frozenset())
    for a in assignments_of(user):
        if a.role not in roles:
            continue
        if duty.kind == ReportDuty.Kind.DEPT_MONTHLY and a.office_id == duty.office_id:
            return True
        if duty.kind != ReportDuty.Kind.DEPT_MONTHLY and a.company_id == duty.company_id:
            return True
    return False


def reviewers_of(duty: ReportDuty):
    """The people who may decide on this report (told when it is submitted)."""
    roles = REVIEW_ROLES.get(ReportDuty.Kind(duty.kind), frozenset())
    if duty.kind == ReportDuty.Kind.DEPT_MONTHLY:
        grants = RoleAssignment.objects.filter(role__in=roles, office=duty.office_id)
    else:
        grants = RoleAssignment.objects.filter(role__in=roles, company_id=duty.company_id)
    return User.objects.filter(people_q(), id__in=grants.values("user_id"))


def report_submitted_notify(duty: ReportDuty) -> int:
    """Tell the reviewers a report waits for them (once per submission)."""
    stamp = f"{duty.submitted_at:%Y%m%d%H%M%S}" if duty.submitted_at else "x"
    return notify(
        kind="report_submitted",
        recipients=reviewers_of(duty),
        subject=f"【待审核】{duty}",
        body=f"提交人：{duty.submitted_by or ''}",
        dedupe_key=f"report:{duty.id}:submitted:{stamp}",
        company_id=duty.company_id,
        ref=f"report:{duty.id}",
    )


def _locked(actor, duty_id: int) -> ReportDuty:
    from .services import report_duties_visible_to

    duty = ReportDuty.objects.select_for_update().filter(pk=duty_id).first()
    if duty is None or not report_duties_visible_to(actor).filter(pk=duty_id).exists():
        raise DomainError("not_found")
    if not may_review(actor, duty):
        raise DomainError("forbidden_action")
    if duty.submitted_at is None:
        raise DomainError("validation", detail="该报告尚未提交")
    if duty.approved_at is not None:
        raise DomainError("validation", detail="该报告已审核通过")
    return duty


def report_approve(*, actor, duty_id: int, comment: str = "") -> ReportDuty:
    """Approve the submitted report: recorded with the reviewer and the time; the report is queued for
    delivery to the company's recipients (delivered by the `deliver_reports` job)."""
    with transaction.atomic():
        duty = _locked(actor, duty_id)
        now = clock.now()
        assert duty.submitted_at is not None
        ReportReview.objects.create(
            duty=duty,
            approved=True,
            comment=(comment or "").strip(),
            reviewer=actor,
            reviewed_at=now,
            submitted_at=duty.submitted_at,
        )
        duty.approved_at, duty.approved_by = now, actor
        duty.save(update_fields=["approved_at", "approved_by"])
        GeneratedReport.objects.get_or_create(
            duty=duty,
            defaults=dict(
                kind=GeneratedReport.Kind.ANALYSIS,
                company_id=duty.company_id,
                period_start=duty.period_start,
                period_end=duty.period_end,
                figures=duty.figures,
                created_at=now,
            ),
        )
    return duty


def report_return(*, actor, duty_id: int, comment: str) -> ReportDuty:
    """Return the submitted report with a comment (required): it is open for its author again, the written
    sections kept as the draft; the author is told."""
    comment = (comment or "").strip()
    if not comment:
        raise DomainError("required", field="退回意见")
    with transaction.atomic():
        duty = _locked(actor, duty_id)
        assert duty.submitted_at is not None
        author = duty.submitted_by
        ReportReview.objects.create(
            duty=duty,
            approved=False,
            comment=comment,
            reviewer=actor,
            reviewed_at=clock.now(),
            submitted_at=duty.submitted_at,
        )
        duty.submitted_at, duty.submitted_by = None, None
        duty.save(update_fields=["submitted_at", "submitted_by"])
        notify(
            kind="report_returned",
            recipients=[author] if author else [],
            subject=f"【退回】{duty}",
            body=comment,
            dedupe_key=f"report:{duty.id}:returned:{ReportReview.objects.filter(duty=duty).count()}",
            company_id=duty.company_id,
            ref=f"report:{duty.id}",
            notice="returned",
        )
    return duty
