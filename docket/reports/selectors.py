"""Statistics over complaints (R-ANA-1): counts by state, kind, channel, method and category, and the
on-time rate of each deadline kind, for what the viewer may see, received in a date range.

A fixed number of aggregate queries (five) whatever the size of the range: counting happens in the
database, never by loading rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Literal

from django.db.models import Count, F, Q, QuerySet

from docket.complaints.models import TERMINAL_STATES, Complaint, ComplaintIssue, Obligation
from docket.core import clock


@dataclass
class OnTime:
    """One deadline kind: `decided` = met, or past its due time (late or still not met); `on_time` = met no
    later than the due time. Cancelled, paused and not-yet-due obligations are not decided yet."""

    kind: str
    decided: int = 0
    on_time: int = 0

    @property
    def rate(self) -> float | None:
        return round(self.on_time / self.decided, 4) if self.decided else None


@dataclass
class Statistics:
    date_from: date
    date_to: date
    total: int = 0
    open: int = 0
    overdue: int = 0
    by_state: dict[str, int] = field(default_factory=dict)
    by_kind: dict[str, int] = field(default_factory=dict)
    by_channel: dict[str, int] = field(default_factory=dict)
    by_method: dict[str, int] = field(default_factory=dict)
    by_category: list[dict] = field(default_factory=list)  # {category_id, name, complaints}
    on_time: list[OnTime] = field(default_factory=list)

    @property
    def on_time_rate(self) -> float | None:
        decided = sum(o.decided for o in self.on_time)
        return round(sum(o.on_time for o in self.on_time) / decided, 4) if decided else None


def day_bounds(date_from: date, date_to: date) -> tuple[datetime, datetime]:
    """[first day 00:00, day after the last 00:00) in Beijing time: the days as the office counts them."""
    start = datetime.combine(date_from, time.min, tzinfo=clock.SHANGHAI)
    end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=clock.SHANGHAI)
    return start, end


def _counts(qs: QuerySet, column: str) -> dict[str, int]:
    return {row[column]: row["n"] for row in qs.values(column).annotate(n=Count("id")).order_by(column)}


def complaint_statistics(
    complaints: QuerySet[Complaint], *, date_from: date, date_to: date, now: datetime | None = None
) -> Statistics:
    """Statistics of `complaints` (already narrowed to what the viewer may see, and to an office or
    company if asked) received between `date_from` and `date_to` inclusive."""
    now = now or clock.now()
    start, end = day_bounds(date_from, date_to)
    # The scope as a subquery of ids, so the visibility rules (joins, distinct) stay inside it.
    ids = complaints.filter(received_at__gte=start, received_at__lt=end).values("id")
    base = Complaint.objects.filter(id__in=ids)
    stats = Statistics(date_from=date_from, date_to=date_to)

    stats.by_state = _counts(base, "state")  # 1
    stats.total = sum(stats.by_state.values())

    stats.open = sum(n for s, n in stats.by_state.items() if s not in TERMINAL_STATES)
    rows = base.values("kind", "channel", "method").annotate(n=Count("id")).order_by()  # 2
    targets: tuple[tuple[Literal["kind", "channel", "method"], dict[str, int]], ...] = (
        ("kind", stats.by_kind),
        ("channel", stats.by_channel),
        ("method", stats.by_method),
    )
    for row in rows:
        for column, target in targets:
            target[row[column]] = target.get(row[column], 0) + row["n"]
    stats.overdue = base.exclude(state__in=TERMINAL_STATES).filter(next_due_at__lt=now).count()  # 3
    # A complaint counts once per category however many of its issues are in it.
    cats = (
        ComplaintIssue.objects.filter(complaint_id__in=ids)  # 4
        .values("category_id", "category__name", "category__parent__name")
        .annotate(n=Count("complaint_id", distinct=True))
        .order_by("-n", "category_id")
    )
    stats.by_category = [
        {
            "category_id": r["category_id"],
            "name": (
                f"{r['category__parent__name']} / {r['category__name']}"
                if r["category__parent__name"]
                else r["category__name"]
            )
            or "未分类",
            "complaints": r["n"],
        }
        for r in cats
    ]
    decided = Q(met_at__isnull=False) | Q(
        due_at__lt=now, state__in=[Obligation.State.OPEN, Obligation.State.MISSED]
    )
    ob = (
        Obligation.objects.filter(complaint_id__in=ids)
        .exclude(state=Obligation.State.CANCELLED)  # 5
        .values("kind")
        .annotate(
            decided=Count("id", filter=decided),
            # not `on_time`: Obligation has a property of that name
            met_on_time=Count("id", filter=Q(met_at__isnull=False, met_at__lte=F("due_at"))),
        )
        .order_by("kind")
    )
    stats.on_time = [OnTime(kind=r["kind"], decided=r["decided"], on_time=r["met_on_time"]) for r in ob]
    return stats


# --- statistics pages (R-ANA-1, R-EXP-11) ---------------------------------------------------------------


def may_view_statistics(user) -> bool:
    """Staff with any role but the owners' committee's (committee members have their own page)."""
    from docket.accounts.access import assignments_of
    from docket.accounts.models import Role

    return any(a.role != Role.COMMITTEE_MEMBER for a in assignments_of(user))


def statistics_complaints(user) -> QuerySet[Complaint]:
    """The complaints a viewer's statistics count: those of the offices in the viewer's scopes
    (`scopes.office_q`): an office's staff their office, QM and leadership their company, the group's
    property department the group. Figures only, no rows: the drill-down list applies the viewer's own
    visibility (`complaints_visible_to`)."""
    from docket.complaints import scopes

    if not may_view_statistics(user):
        return Complaint.objects.none()
    return Complaint.objects.filter(
        scopes.office_q(user, office="office_id", company="company_id", group="company__group_id")
    )


def companies_in_scope(user):
    from docket.complaints import scopes
    from docket.org.models import Company

    return Company.objects.filter(
        scopes.office_q(user, office="offices__id", company="id", group="group_id")
    ).distinct()


def committee_community(user, community_id: int):
    """The community whose figures the user may read on the committee page, or None (→ 404): a member of
    its owners' committee, or staff whose scope holds its office."""
    from docket.accounts.access import assignments_of
    from docket.accounts.models import Role
    from docket.complaints import scopes
    from docket.org.models import Community

    community = Community.objects.select_related("office__company").filter(pk=community_id).first()
    if community is None:
        return None
    for a in assignments_of(user):
        if a.role == Role.COMMITTEE_MEMBER:
            if a.committee is not None and a.committee.community_id == community.id:
                return community
        elif scopes.office_visible(user, community.office):
            return community
    return None


def committee_communities(user) -> list[int]:
    from docket.accounts.access import assignments_of
    from docket.accounts.models import Role

    return [
        a.committee.community_id
        for a in assignments_of(user)
        if a.role == Role.COMMITTEE_MEMBER and a.committee is not None
    ]


def committee_complaints(user, community) -> QuerySet[Complaint]:
    """Every complaint of the community's office, within the viewer's office scope (a committee member's
    assignment is held in its community's office): counted, never listed."""
    from docket.complaints import scopes

    return Complaint.objects.filter(
        scopes.office_q(user, office="office_id", company="company_id", group="company__group_id"),
        office_id=community.office_id,
    )


def duty_complaints(user, duty) -> QuerySet[Complaint]:
    """The complaints a periodic report covers (its department's, office's or company's), within what the
    viewer's statistics may count."""
    from .selectors import statistics_complaints

    qs = statistics_complaints(user).filter(company_id=duty.company_id)
    if duty.department_id:
        held = Complaint.objects.filter(holder_department_id=duty.department_id).values("id")
        owned = ComplaintIssue.objects.filter(department_id=duty.department_id).values("complaint_id")
        return qs.filter(Q(id__in=held) | Q(id__in=owned))
    if duty.office_id:
        return qs.filter(office_id=duty.office_id)
    return qs


# --- the same scopes over the daily summary (reports/figures.py) -------------------------------------------


def statistics_scope(user):
    """`statistics_complaints` as a `figures.Scope`: one condition that reads the same offices from the
    complaints and from the summary rows."""
    from docket.complaints import scopes

    from .figures import Scope

    if not may_view_statistics(user):
        return Scope(Q(pk__in=[]))
    return Scope(scopes.office_q(user, office="office_id", company="company_id", group="company__group_id"))


def committee_scope(user, community):
    """`committee_complaints` as a `figures.Scope`."""
    from docket.complaints import scopes

    from .figures import Scope

    return Scope(
        scopes.office_q(user, office="office_id", company="company_id", group="company__group_id")
        & Q(office_id=community.office_id)
    )


def duty_scope(user, duty):
    """`duty_complaints` as a `figures.Scope` for an office's or a company's report; None for a
    department's (a department is a dimension of the summary, not a filter: its report reads the
    complaints, one department's month)."""
    if duty.department_id:
        return None
    scope = statistics_scope(user).narrow(company_id=duty.company_id)
    return scope.narrow(office_id=duty.office_id) if duty.office_id else scope
