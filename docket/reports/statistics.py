"""Complaint classification and statistics (顾客投诉分类及统计分析, R-ANA-1, form K01-F2).

Every figure is one `GROUP BY` in the database over the complaints in the viewer's scope received in a
period; nothing here loops over complaint rows in Python (the one exception: handling-time percentiles on
SQLite, which has no `percentile_cont`; PostgreSQL computes them in the same grouped query).

Definitions (docs/decisions.md, 2026-12-04 "Statistics: what each figure means"):

- received: complaints received in the period (Beijing days, both ends included);
- closed / unclosed / withdrawn: of those, how many are now in that terminal state; open: not terminal;
  overdue: open with a due time already passed;
- on-time rate per obligation kind: met / (met + missed) of the obligations of those complaints that are
  decided (a paused or open obligation is not decided yet; a late fulfilment stays `missed`). A paused
  clock moves the due time on resume, so time spent waiting on the owner does not count against staff;
- handling time: received → closed, in clock hours (natural time, not working time), of the complaints
  closed (closed or unclosed) among those received in the period; median and 90th percentile, linear
  interpolation (PostgreSQL's percentile_cont);
- satisfaction: the owner's rating (1–5) at the follow-up visit; quality: the staff quality-control score
  (1–5) of the latest round's follow-up (FollowUp.quality_score); both averages of the rated complaints only;
- reopened: complaints whose owner rejected a reply at least once (negotiation rounds > 0); rounds: the
  sum of negotiation rounds;
- hot / major: complaints now classified hot / major.

A dimension through the complaint's issues (category, sub-category, department) counts a complaint once
per value however many of its issues share it: the grouped rows are the first issue of each (complaint,
value) pair, chosen by a grouped subquery, so sums and averages are exact too.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FilteredRelation,
    FloatField,
    Min,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, NullIf, TruncMonth
from django.utils.translation import gettext_lazy as _

from docket.complaints.models import (
    TERMINAL_STATES,
    Category,
    Channel,
    ComplainantType,
    Complaint,
    ComplaintIssue,
    Kind,
    Method,
    Obligation,
    Severity,
    State,
)
from docket.core import clock
from docket.org.models import Building, Community, Department, Office


def day_bounds(date_from: date, date_to: date) -> tuple[datetime, datetime]:
    """[first day 00:00, day after the last 00:00) in Beijing time."""
    start = datetime.combine(date_from, time.min, tzinfo=clock.SHANGHAI)
    end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=clock.SHANGHAI)
    return start, end


def shift_months(d: date, months: int) -> date:
    """`d` moved by whole months, the day clamped to the target month's length (31 Mar - 1 → 28/29 Feb)."""
    m = d.month - 1 + months
    y, m = d.year + m // 12, m % 12 + 1
    return date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def shift_period(date_from: date, date_to: date, months: int) -> tuple[date, date]:
    """The same period `months` earlier (negative) or later. A whole month stays a whole month."""
    whole = date_from.day == 1 and date_to == shift_months(date_from, 1) - timedelta(days=1)
    start = shift_months(date_from, months)
    if whole:
        return start, shift_months(start, 1) - timedelta(days=1)
    return start, shift_months(date_to, months)


# --- dimensions -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dimension:
    code: str
    label: Any
    # The grouping key as a path from Complaint (None: a computed key, see `_key`).
    path: str | None = None
    # Through the complaint's issues: the key as a path from ComplaintIssue.
    issue_path: str | None = None
    choices: Any = None
    # The complaint list's query-string key to drill down by this dimension ("" if the list has none).
    drill: str = ""


DIMENSIONS: dict[str, Dimension] = {
    d.code: d
    for d in [
        Dimension("category", _("投诉类别"), issue_path="category", drill="category"),
        Dimension("subcategory", _("投诉子类别"), issue_path="category_id", drill="category"),
        Dimension("department", _("责任部门"), issue_path="department_id", drill="department"),
        Dimension("office", _("管理处"), path="office_id", drill="office"),
        Dimension("community", _("小区"), path="community_id"),
        Dimension("building", _("楼栋"), path="building_id"),
        Dimension("channel", _("渠道"), path="channel", choices=Channel, drill="channel"),
        Dimension("method", _("方式"), path="method", choices=Method, drill="method"),
        Dimension("kind", _("类别"), path="kind", choices=Kind, drill="kind"),
        Dimension("severity", _("级别"), path="severity", choices=Severity),
        # seed3 (issue 15): owner / tenant / visitor / staff / other; records made before it was asked: 未填写.
        Dimension("complainant", _("投诉人类型"), path="complainant_type", choices=ComplainantType),
        Dimension("month", _("月份"), path=None),
    ]
}


def _issue_paths(dim: Dimension) -> list[str]:
    """The key as paths from ComplaintIssue, the first non-null wins."""
    if dim.code == "category":  # the top-level category: a sub-category counts under its parent
        return ["category__parent_id", "category_id"]
    if dim.code == "department":  # the issue's department, else the complaint's lead department
        return ["department_id", "complaint__holder_department_id"]
    assert dim.issue_path is not None
    return [dim.issue_path]


def _key_expr(paths: list[str], prefix: str = ""):
    if len(paths) == 1:
        return F(prefix + paths[0])
    return Coalesce(*(F(prefix + p) for p in paths))


# --- figures ----------------------------------------------------------------------------------------------


@dataclass
class Row:
    key: Any
    label: str = ""
    received: int = 0
    closed: int = 0
    unclosed: int = 0
    withdrawn: int = 0
    open: int = 0
    overdue: int = 0
    hot: int = 0
    major: int = 0
    reopened: int = 0
    rounds: int = 0
    satisfaction: float | None = None
    rated: int = 0
    quality: float | None = None
    handling_p50: float | None = None  # hours
    handling_p90: float | None = None
    on_time: dict[str, tuple[int, int]] = field(default_factory=dict)  # kind → (met, missed)

    @property
    def finished(self) -> int:
        return self.closed + self.unclosed + self.withdrawn

    @property
    def close_rate(self) -> float | None:
        return round(self.closed / self.received, 4) if self.received else None

    @property
    def reopen_rate(self) -> float | None:
        return round(self.reopened / self.received, 4) if self.received else None

    @property
    def met(self) -> int:
        return sum(m for m, _ in self.on_time.values())

    @property
    def missed(self) -> int:
        return sum(x for _, x in self.on_time.values())

    @property
    def on_time_rate(self) -> float | None:
        decided = self.met + self.missed
        return round(self.met / decided, 4) if decided else None

    def rate_of(self, kind: str) -> float | None:
        met, missed = self.on_time.get(kind, (0, 0))
        return round(met / (met + missed), 4) if met + missed else None


class Percentile(Aggregate):
    """PostgreSQL's percentile_cont(p) WITHIN GROUP (ORDER BY expr)."""

    function = "percentile_cont"
    template = "%(function)s(%(p)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, p: float, **extra):
        super().__init__(expression, p=float(p), **extra)


def _hours_expr():
    return ExpressionWrapper(F("closed_at") - F("received_at"), output_field=DurationField())


def _complaint_aggregates(now: datetime) -> dict[str, Any]:
    terminal = list(TERMINAL_STATES)
    agg: dict[str, Any] = dict(
        received=Count("id"),
        closed=Count("id", filter=Q(state=State.CLOSED)),
        unclosed=Count("id", filter=Q(state=State.UNCLOSED)),
        withdrawn=Count("id", filter=Q(state=State.WITHDRAWN)),
        open=Count("id", filter=~Q(state__in=terminal)),
        overdue=Count("id", filter=~Q(state__in=terminal) & Q(next_due_at__lt=now)),
        hot=Count("id", filter=Q(severity=Severity.HOT)),
        major=Count("id", filter=Q(severity=Severity.MAJOR)),
        reopened=Count("id", filter=Q(negotiation_rounds__gt=0)),
        rounds=Coalesce(Sum("negotiation_rounds"), 0),
        satisfaction=Avg("satisfaction"),
        rated=Count("satisfaction"),
        # The latest round's follow-up only (a complaint reopened by a second-stage review is followed up
        # again; its first visit's score no longer stands): joined through `latest_follow_up` (the
        # rows are annotated in `breakdown`), at most one row per complaint, so no count is multiplied.
        quality=Avg("latest_follow_up__quality_score"),
    )
    if connection.vendor == "postgresql":
        done = Q(closed_at__isnull=False, state__in=[State.CLOSED, State.UNCLOSED])
        epoch = ExpressionWrapper(F("closed_at") - F("received_at"), output_field=DurationField())
        from django.db.models.functions import Extract

        seconds = Extract(epoch, "epoch")
        agg["handling_p50"] = Percentile(seconds, 0.5, filter=done)
        agg["handling_p90"] = Percentile(seconds, 0.9, filter=done)
    # Aliases must not shadow the model's fields (satisfaction): prefix them.
    return {f"x_{name}": value for name, value in agg.items()}


def _percentile(sorted_values: list[float], p: float) -> float | None:
    """percentile_cont: linear interpolation between the closest ranks."""
    if not sorted_values:
        return None
    pos = (len(sorted_values) - 1) * p
    lo = int(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


@dataclass
class Breakdown:
    dimension: Dimension
    rows: list[Row]
    total: Row
    kinds: list[str]  # obligation kinds that occur, in the registry's order

    def chart(self, limit: int = 20) -> dict:
        """What the chart draws (the table beside it has every row)."""
        rows = self.rows[:limit]
        return {
            "labels": [r.label for r in rows],
            "received": [r.received for r in rows],
            "closed": [r.closed for r in rows],
            "open": [r.open for r in rows],
        }


def _scoped(complaints: QuerySet[Complaint], date_from: date, date_to: date) -> QuerySet[Complaint]:
    start, end = day_bounds(date_from, date_to)
    return complaints.filter(received_at__gte=start, received_at__lt=end).order_by()


def _grouped(base: QuerySet[Complaint], dim: Dimension | None) -> tuple[QuerySet, QuerySet, str | None]:
    """The complaint rows to group and the obligation rows to group, with the key's name (None: no
    grouping, the period's totals)."""
    obligations = Obligation.objects.filter(complaint__in=base.values("id")).order_by()
    if dim is None:
        return base, obligations, None
    if dim.issue_path is not None:
        paths = _issue_paths(dim)
        first = (
            ComplaintIssue.objects.filter(complaint__in=base.values("id"))
            .values("complaint_id", k=_key_expr(paths))
            .annotate(first=Min("id"))
            .values("first")
            .order_by()
        )
        rows = base.filter(issues__id__in=first).annotate(k=_key_expr(paths, "issues__"))
        obligations = obligations.filter(complaint__issues__id__in=first).annotate(
            k=_key_expr(paths, "complaint__issues__")
        )
        return rows, obligations, "k"
    if dim.code == "month":
        rows = base.annotate(k=TruncMonth("received_at", tzinfo=clock.SHANGHAI))
        obligations = obligations.annotate(k=TruncMonth("complaint__received_at", tzinfo=clock.SHANGHAI))
        return rows, obligations, "k"
    assert dim.path is not None
    if dim.code == "complainant":  # seed3: not asked ("") groups as None, like the stored figures
        return (
            base.annotate(k=NullIf(F(dim.path), Value(""))),
            obligations.annotate(k=NullIf(F(f"complaint__{dim.path}"), Value(""))),
            "k",
        )
    return base.annotate(k=F(dim.path)), obligations.annotate(k=F(f"complaint__{dim.path}")), "k"


def _labels(dim: Dimension, keys: Iterable[Any]) -> dict[Any, str]:
    keys = [k for k in keys if k is not None]
    if dim.choices is not None:
        return {k: str(dict(dim.choices.choices).get(k, k)) for k in keys}
    if dim.code == "month":
        return {k: f"{clock.to_local(k) if isinstance(k, datetime) else k:%Y-%m}" for k in keys}
    model: Any = {
        "category": Category,
        "subcategory": Category,
        "department": Department,
        "office": Office,
        "community": Community,
        "building": Building,
    }[dim.code]
    if dim.code == "subcategory":
        return {
            pk: f"{parent} / {name}" if parent else name
            for pk, name, parent in Category.objects.filter(id__in=keys).values_list(
                "id", "name", "parent__name"
            )
        }
    if dim.code == "department":
        return {
            pk: f"{office} {name}" if office else name
            for pk, name, office in model.objects.filter(id__in=keys).values_list(
                "id", "name", "office__name"
            )
        }
    if dim.code == "building":
        return {
            pk: f"{community} {name}"
            for pk, name, community in model.objects.filter(id__in=keys).values_list(
                "id", "name", "community__name"
            )
        }
    return dict(model.objects.filter(id__in=keys).values_list("id", "name"))


NONE_LABEL = {
    "category": _("未分类"),
    "subcategory": _("未分类"),
    "department": _("未分派"),
    "complainant": _("未填写"),  # seed3 (the complainant type)
}


def breakdown(
    complaints: QuerySet[Complaint],
    *,
    date_from: date,
    date_to: date,
    dimension: str | None = None,
    now: datetime | None = None,
    on_time: bool = True,
) -> Breakdown:
    """The figures of `complaints` (already the viewer's scope) received in the period, grouped by
    `dimension` (None: only the totals). Two grouped queries (complaints, obligations), one more for the
    labels, and on SQLite one for the handling times."""
    now = now or clock.now()
    dim = DIMENSIONS[dimension] if dimension else None
    base = _scoped(complaints, date_from, date_to)
    rows_qs, ob_qs, key = _grouped(base, dim)
    rows_qs = rows_qs.annotate(
        latest_follow_up=FilteredRelation("follow_ups", condition=Q(follow_ups__latest=True))
    )
    agg = _complaint_aggregates(now)
    group = [key] if key else []
    found: dict[Any, Row] = {}
    for r in rows_qs.values(*group).annotate(**agg).order_by() if key else [rows_qs.aggregate(**agg)]:
        k = r.get("k") if key else None
        row = Row(key=k)
        for alias in agg:
            value, name = r[alias], alias[2:]
            if name in ("handling_p50", "handling_p90"):
                value = round(value / 3600, 2) if value is not None else None
            elif name in ("satisfaction", "quality") and value is not None:
                value = round(float(value), 2)
            setattr(row, name, value)
        found[k] = row
    if key is None and not found[None].received:
        found[None].received = 0
    # On-time per obligation kind.
    ob_rows = (
        ob_qs.values(*group, "kind")
        .annotate(
            met=Count("id", filter=Q(state=Obligation.State.MET)),
            missed=Count("id", filter=Q(state=Obligation.State.MISSED)),
        )
        .order_by()
    )
    kinds_seen: set[str] = set()
    # Without on-time figures (the trend) the obligations are not read: they are the costly join.
    for r in ob_rows if on_time else []:
        k = r.get("k") if key else None
        if k not in found:
            found[k] = Row(key=k)
        if r["met"] or r["missed"]:
            found[k].on_time[r["kind"]] = (r["met"], r["missed"])
            kinds_seen.add(r["kind"])
    if connection.vendor != "postgresql":
        _handling_times_python(rows_qs, key, found)
    if dim is not None and dim.code == "month":
        _fill_months(found, date_from, date_to)
    labels = _labels(dim, found) if dim else {}
    for k, row in found.items():
        row.label = labels.get(k) or (str(NONE_LABEL.get(dim.code, "—")) if dim else "")
    rows = list(found.values())
    if dim is not None and dim.code == "month":
        rows.sort(key=lambda r: r.label)
    else:
        rows.sort(key=lambda r: (-r.received, r.label))
    if dim is None:
        total = rows[0]
    else:
        total = breakdown(complaints, date_from=date_from, date_to=date_to, now=now, on_time=on_time).total
    kinds = [k for k in Obligation.Kind.values if k in kinds_seen or (dim and k in total.on_time)]
    return Breakdown(dimension=dim or Dimension("total", _("总体情况")), rows=rows, total=total, kinds=kinds)


def _fill_months(found: dict[Any, Row], date_from: date, date_to: date) -> None:
    """Every month of the period gets a row, zero when nothing was received (a trend without gaps). The
    database's month keys are local midnights of the 1st (TruncMonth in Beijing time)."""
    for k in [k for k in found if isinstance(k, datetime)]:
        row = found.pop(k)
        row.key = clock.to_local(k).date()
        found[row.key] = row
    have = set(found)
    month = date_from.replace(day=1)
    while month <= date_to:
        if month not in have:
            found[month] = Row(key=month)
        month = shift_months(month, 1)


def _handling_times_python(rows_qs: QuerySet, key: str | None, found: dict[Any, Row]) -> None:
    """SQLite has no percentile_cont: read the durations (two columns) and interpolate."""
    by_key: dict[Any, list[float]] = {}
    done = rows_qs.filter(closed_at__isnull=False, state__in=[State.CLOSED, State.UNCLOSED])
    cols = ([key] if key else []) + ["received_at", "closed_at"]
    for r in done.values_list(*cols):
        k = r[0] if key else None
        by_key.setdefault(k, []).append((r[-1] - r[-2]).total_seconds() / 3600)
    for k, values in by_key.items():
        values.sort()
        row = found.setdefault(k, Row(key=k))
        p50, p90 = _percentile(values, 0.5), _percentile(values, 0.9)
        row.handling_p50 = round(p50, 2) if p50 is not None else None
        row.handling_p90 = round(p90, 2) if p90 is not None else None


@dataclass
class Comparison:
    """The period beside the month before and the same period a year before."""

    current: Row
    previous: Row
    last_year: Row
    previous_range: tuple[date, date]
    last_year_range: tuple[date, date]

    @staticmethod
    def change(now: float | int | None, before: float | int | None) -> float | None:
        if now is None or before in (None, 0):
            return None
        return round((now - before) / before, 4)


def compare(complaints: QuerySet[Complaint], *, date_from: date, date_to: date, now=None) -> Comparison:
    prev = shift_period(date_from, date_to, -1)
    year = shift_period(date_from, date_to, -12)
    return Comparison(
        current=breakdown(complaints, date_from=date_from, date_to=date_to, now=now).total,
        previous=breakdown(complaints, date_from=prev[0], date_to=prev[1], now=now).total,
        last_year=breakdown(complaints, date_from=year[0], date_to=year[1], now=now).total,
        previous_range=prev,
        last_year_range=year,
    )


def top_causes(
    complaints: QuerySet[Complaint], *, date_from: date, date_to: date, limit: int = 5
) -> list[Row]:
    """The sub-categories with the most complaints in the period (the report's 'top causes')."""
    return breakdown(complaints, date_from=date_from, date_to=date_to, dimension="subcategory").rows[:limit]
