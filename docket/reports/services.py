"""Opening and submitting the periodic reporting duties (R-SLA-4)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction

from docket.accounts.access import assignments_of
from docket.accounts.models import Role, RoleAssignment, User
from docket.complaints import scopes
from docket.core import clock
from docket.core.errors import DomainError
from docket.notifications.service import notify
from docket.org.models import Company, Department
from docket.sla import duetimes, policies
from docket.sla.models import SlaPolicy

from .models import ReportDuty


def _month_start(d: date) -> date:
    return d.replace(day=1)


def _previous_month(d: date) -> tuple[date, date]:
    end = _month_start(d) - timedelta(days=1)
    return end.replace(day=1), end


def _previous_period(d: date, months: int) -> tuple[date, date] | None:
    """The quarter or half-year that ended just before `d`, if `d` is in the first month after one."""
    if (d.month - 1) % months != 0:
        return None
    end = _month_start(d) - timedelta(days=1)
    start_month = end.month - months + 1
    return date(end.year, start_month, 1), end


def _rules(company: Company) -> dict:
    p = SlaPolicy.objects.filter(company=company, office__isnull=True).first()
    return policies.merge(policies.DEFAULT_RULES, p.rules if p else {})


def _due(company: Company, first_day: date, working_days: int) -> datetime:
    work = duetimes.calendar_for(company.id)
    start = datetime.combine(first_day, datetime.min.time(), tzinfo=clock.SHANGHAI)
    return work.add_working_days(start, working_days)


def report_duties_open(*, today: date | None = None) -> int:
    """Open the duties for the period that has just ended (run on the 1st; idempotent: running it again,
    or late, creates nothing twice). Returns how many were created."""
    today = today or clock.local_now().date()
    created = 0
    for company in Company.objects.all():
        rules = _rules(company)
        month = _previous_month(today)
        rows = []
        # Department statistics go to QM on the 1st (seed 3: 每月1日); the office's analysis follows.
        dept_due = _due(company, _month_start(today), rules["reports"]["dept_monthly_working_days"])
        for dept in Department.objects.filter(company=company, office__isnull=False):
            rows.append(
                ReportDuty(
                    company=company,
                    office_id=dept.office_id,
                    department=dept,
                    kind=ReportDuty.Kind.DEPT_MONTHLY,
                    period_start=month[0],
                    period_end=month[1],
                    due_at=dept_due,
                )
            )
        office_due = _due(company, _month_start(today), rules["reports"]["office_monthly_working_days"])
        for office in company.offices.all():
            rows.append(
                ReportDuty(
                    company=company,
                    office=office,
                    kind=ReportDuty.Kind.OFFICE_MONTHLY,
                    period_start=month[0],
                    period_end=month[1],
                    due_at=office_due,
                )
            )
        months = 3 if rules["reports"]["qm_period"] == "quarter" else 6
        period = _previous_period(today, months)
        if period:
            rows.append(
                ReportDuty(
                    company=company,
                    kind=ReportDuty.Kind.QM_PERIODIC,
                    period_start=period[0],
                    period_end=period[1],
                    due_at=_due(company, _month_start(today), rules["reports"]["qm_working_days"]),
                )
            )
        for row in rows:
            # SQLite cannot hold the NULLS NOT DISTINCT constraint, so look first; PostgreSQL's constraint
            # still catches a concurrent opener. (Relation lookups with ids: None matches NULL.)
            if ReportDuty.objects.filter(
                kind=row.kind,
                company=company,
                office=row.office_id,
                department=row.department_id,
                period_start=row.period_start,
            ).exists():
                continue
            try:
                with transaction.atomic():
                    row.save()
                created += 1
            except IntegrityError:
                pass  # opened concurrently
    return created


def _may_submit(user, duty: ReportDuty) -> bool:
    return scopes.may_submit_report(user, duty)


REPORT_SECTIONS = (
    ("causes", "原因分析"),
    ("lessons", "经验教训"),
    ("measures", "纠正措施"),
    ("trends", "趋势分析"),
)


def report_submit(
    *,
    actor,
    duty_id: int,
    summary: str = "",
    causes: str = "",
    lessons: str = "",
    measures: str = "",
    trends: str = "",
    figures: dict | None = None,
) -> ReportDuty:
    """Submit the report: its analysis (causes, lessons, corrective measures, trend — R-ANA-2), either as
    the four sections or as one text, with the period's figures as they stand (kept with the report)."""
    sections = {
        "causes": (causes or "").strip(),
        "lessons": (lessons or "").strip(),
        "measures": (measures or "").strip(),
        "trends": (trends or "").strip(),
    }
    summary = (summary or "").strip()
    if any(sections.values()):
        if not sections["causes"]:
            raise DomainError("required", field="原因分析")
        if not sections["measures"]:
            raise DomainError("required", field="纠正措施")
        summary = summary or "\n\n".join(
            f"【{label}】\n{sections[k]}" for k, label in REPORT_SECTIONS if sections[k]
        )
    if not summary:
        raise DomainError("required", field="分析内容")
    with transaction.atomic():
        duty = ReportDuty.objects.select_for_update().filter(pk=duty_id).first()
        if duty is None or not _may_submit(actor, duty):
            raise DomainError("not_found")
        if duty.submitted_at is not None:
            raise DomainError("validation", detail="该报告已提交")
        duty.summary, duty.submitted_at, duty.submitted_by = summary, clock.now(), actor
        for k, v in sections.items():
            setattr(duty, k, v)
        duty.figures = figures or {}
        duty.save(update_fields=["summary", "submitted_at", "submitted_by", *sections, "figures"])
        from .approval import report_submitted_notify

        report_submitted_notify(duty)
    return duty


def report_duties_visible_to(user):
    """Duties the user submits or oversees: their department's, their office's, their company's (QM and
    leadership)."""
    from django.db.models import Q

    q = Q(pk__in=[])
    for a in assignments_of(user):
        if a.role in (Role.DEPT_SUPERVISOR, Role.DEPT_MANAGER, Role.DEPT_STAFF):
            q |= Q(department_id=a.department_id)
        elif a.role in (Role.OFFICE_MANAGER, Role.RECEPTION):
            q |= Q(office_id=a.office_id)
        elif a.role in (Role.QM, Role.LEADERSHIP, Role.MGMT_REP):
            q |= Q(company_id=a.company_id)
    return ReportDuty.objects.filter(q).select_related("office", "department", "submitted_by")


def report_duties_overdue_notify(*, now: datetime | None = None) -> int:
    """Tell the people responsible, and QM, about each overdue report, once (R-SLA-3/4)."""
    now = now or clock.now()
    sent = 0
    for duty in ReportDuty.objects.filter(
        submitted_at__isnull=True, due_at__lt=now, overdue_notified_at__isnull=True
    ):
        if duty.kind == ReportDuty.Kind.DEPT_MONTHLY:
            ids = RoleAssignment.objects.filter(department=duty.department_id, role=Role.DEPT_MANAGER)
        elif duty.kind == ReportDuty.Kind.OFFICE_MONTHLY:
            ids = RoleAssignment.objects.filter(office=duty.office_id, role=Role.OFFICE_MANAGER)
        else:
            ids = RoleAssignment.objects.none()
        qm = RoleAssignment.objects.filter(company_id=duty.company_id, role=Role.QM)
        people = User.objects.filter(
            id__in=list(ids.values_list("user_id", flat=True)) + list(qm.values_list("user_id", flat=True))
        )
        with transaction.atomic():
            if not ReportDuty.objects.filter(pk=duty.pk, overdue_notified_at__isnull=True).update(
                overdue_notified_at=now
            ):
                continue
            notify(
                kind="report_overdue",
                recipients=people,
                subject=f"【逾期】{duty} 未按时提交",
                body=f"到期时间：{clock.to_local(duty.due_at):%Y-%m-%d %H:%M}",
                dedupe_key=f"report:{duty.id}",
                company_id=duty.company_id,
                ref=f"report:{duty.id}",
            )
        sent += 1
    return sent
