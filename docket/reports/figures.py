"""The statistics from a daily summary (`DailyFigure`), exact at every read (docs/decisions.md, 2026-12-04
"Statistics from a daily summary").

What a row holds: the additive figures of the complaints of one office *received* on one day that have
one value of one dimension, as those complaints stand now — received, closed, unclosed, withdrawn, hot,
major, reopened, negotiation rounds, rating sums and counts, met / missed obligations per kind, and the
handling time in working minutes of each closed complaint (every value, so percentiles are exact).

How it stays exact:

- one definition: `compute()` turns complaints into rows; the summary is `compute()` of a day's
  complaints written down (`rebuild`), and the pages add `compute()` of whatever changed since;
- every change to a complaint passes through an action frame, which sets `Complaint.updated_at` in the
  same transaction (`Act.finish`, intake); the office and received day of a complaint never change;
- `refresh()` (every minute, `config/jobs.py`; `manage.py stats_rebuild` on demand) rebuilds the
  (office, day) pairs of the complaints changed since the last run and moves `FigureState.built_to` to
  the time it started, in one transaction with the rows;
- a read takes the summary for every (office, day) except those with a complaint changed after
  `built_to - MARGIN` and computes those few from the complaints. MARGIN bounds how long an action's
  transaction may stay open between stamping `updated_at` and committing (it never comes near);
- what depends on the clock and not on a change (overdue = open and past due now) is always read from
  the complaints (open complaints only).

A change that bypasses the action frames (a data migration, an edit of the category tree: a category's
parent decides its top-level row) is followed by `manage.py stats_rebuild`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from docket.complaints.models import (
    TERMINAL_STATES,
    Complaint,
    ComplaintIssue,
    FollowUp,
    Obligation,
    Severity,
    State,
)
from docket.core import clock
from docket.sla import duetimes

from . import statistics as st
from .models import DailyFigure, FigureState

MARGIN = timedelta(minutes=2)
CHUNK = 2000
STORED_DIMS = (
    "total",
    "category",
    "subcategory",
    "department",
    "community",
    "building",
    "channel",
    "method",
    "kind",
    "severity",
    "complainant",  # seed3 (issue 15): the complainant type (dim codes are at most 12 characters)
)
# Dimensions whose key is an id (the others are choice values).
ID_DIMS = {"category", "subcategory", "department", "community", "building"}
KINDS = list(Obligation.Kind.values)
COUNTS = (
    "received",
    "closed",
    "unclosed",
    "withdrawn",
    "hot",
    "major",
    "reopened",
    "rounds",
    "satisfaction_sum",
    "satisfaction_n",
    "quality_sum",
    "quality_n",
    "handled",
)
ON_TIME = tuple(f"{p}_{k}" for k in KINDS for p in ("met", "missed"))
ADDITIVE = COUNTS + ON_TIME

TOTAL = st.Dimension("total", _("总体情况"))
# (day, company id, office id, dimension, key)
RowKey = tuple[date, int, int, str, str]


IDX = {name: i for i, name in enumerate(ADDITIVE)}


@dataclass
class Acc:
    """Sums being built: the additive columns (in ADDITIVE's order) and the handling minutes."""

    sums: list[int] = field(default_factory=lambda: [0] * len(ADDITIVE))
    handling: list[int] = field(default_factory=list)

    def add(self, other: Acc) -> None:
        sums = self.sums
        for i, value in enumerate(other.sums):
            if value:
                sums[i] += value
        self.handling.extend(other.handling)

    def get(self, name: str) -> int:
        return self.sums[IDX[name]]


def local_day(at: datetime) -> date:
    return clock.to_local(at).date()


# --- complaints → rows ------------------------------------------------------------------------------------

_COLS = (
    "id",
    "company_id",
    "office_id",
    "community_id",
    "building_id",
    "channel",
    "method",
    "kind",
    "severity",
    "state",
    "received_at",
    "closed_at",
    "negotiation_rounds",
    "satisfaction",
    "holder_department_id",
    "complainant_type",  # seed3 (issue 15)
)


def _chunks(complaints: QuerySet[Complaint]) -> Iterator[list[tuple]]:
    last = 0
    qs = complaints.order_by("id").values_list(*_COLS)
    while True:
        rows = list(qs.filter(id__gt=last)[:CHUNK])
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _of(qs: QuerySet, ids: list[int]) -> QuerySet:
    """Rows of these complaints: one array parameter on PostgreSQL (`= ANY`, an index lookup per id and
    no 2 000 placeholders to build), a plain IN elsewhere."""
    if connection.vendor == "postgresql":
        table = qs.model._meta.db_table
        return qs.extra(where=[f'"{table}"."complaint_id" = ANY(%s)'], params=[ids])  # noqa: S610
    return qs.filter(complaint_id__in=ids)


def _key(value: Any) -> str:
    return "" if value is None else str(value)


def compute(complaints: QuerySet[Complaint], dims: Iterable[str] = STORED_DIMS) -> dict[RowKey, Acc]:
    """The rows of `complaints`: each complaint's figures added to the row of its office, received day and
    each value it has of each dimension (a complaint with two issues in one category counts once there).
    Four queries per 2 000 complaints; the handling time is the company's working time."""
    dims = tuple(dims)
    out: dict[RowKey, Acc] = {}
    terminal_closed = (State.CLOSED, State.UNCLOSED)
    calendars: dict[int, Any] = {}
    i_received, i_closed, i_unclosed, i_withdrawn = (
        IDX[n] for n in ("received", "closed", "unclosed", "withdrawn")
    )
    i_hot, i_major, i_reopened, i_rounds = (IDX[n] for n in ("hot", "major", "reopened", "rounds"))
    i_sat, i_sat_n, i_q, i_q_n, i_handled = (
        IDX[n] for n in ("satisfaction_sum", "satisfaction_n", "quality_sum", "quality_n", "handled")
    )
    for rows in _chunks(complaints):
        chunk = [r[0] for r in rows]
        issues: dict[int, list[tuple]] = {}
        for cid, cat, parent, dept in (
            _of(ComplaintIssue.objects.all(), chunk)
            .order_by()
            .values_list("complaint_id", "category_id", "category__parent_id", "department_id")
        ):
            issues.setdefault(cid, []).append((cat, parent, dept))
        quality = dict(
            _of(FollowUp.objects.filter(quality_score__isnull=False), chunk)
            .order_by()
            .values_list("complaint_id", "quality_score")
        )
        decided: dict[int, list[tuple[int, int]]] = {}
        for cid, kind, ob_state, n in (
            _of(Obligation.objects.filter(state__in=[Obligation.State.MET, Obligation.State.MISSED]), chunk)
            .values_list("complaint_id", "kind", "state")
            .annotate(n=Count("id"))
            .order_by()
        ):
            prefix = "met" if ob_state == Obligation.State.MET else "missed"
            decided.setdefault(cid, []).append((IDX[f"{prefix}_{kind}"], n))
        for (
            cid,
            company,
            office,
            community,
            building,
            channel,
            method,
            kind,
            severity,
            state,
            received_at,
            closed_at,
            rounds,
            satisfaction,
            holder_dept,
            complainant_type,
        ) in rows:
            # The complaint's non-zero figures as (column, value) pairs.
            figs: list[tuple[int, int]] = [(i_received, 1)]
            if state == State.CLOSED:
                figs.append((i_closed, 1))
            elif state == State.UNCLOSED:
                figs.append((i_unclosed, 1))
            elif state == State.WITHDRAWN:
                figs.append((i_withdrawn, 1))
            if severity == Severity.HOT:
                figs.append((i_hot, 1))
            elif severity == Severity.MAJOR:
                figs.append((i_major, 1))
            if rounds:
                figs += [(i_reopened, 1), (i_rounds, rounds)]
            if satisfaction is not None:
                figs += [(i_sat, satisfaction), (i_sat_n, 1)]
            q = quality.get(cid)
            if q is not None:
                figs += [(i_q, q), (i_q_n, 1)]
            figs += decided.get(cid, ())
            minutes = None
            if closed_at is not None and state in terminal_closed:
                work = calendars.get(company)
                if work is None:
                    calendars[company] = work = duetimes.calendar_for(company)
                figs.append((i_handled, 1))
                minutes = round(work.working_minutes_between(received_at, closed_at))
            its = issues.get(cid, ())
            keys = {
                "total": ("",),
                "category": sorted({_key(p or c) for c, p, _d in its}) or ("",),
                "subcategory": sorted({_key(c) for c, _p, _d in its}) or ("",),
                "department": sorted({_key(d or holder_dept) for _c, _p, d in its}) or (_key(holder_dept),),
                "community": (_key(community),),
                "building": (_key(building),),
                "channel": (channel,),
                "method": (method,),
                "kind": (kind,),
                "severity": (severity,),
                "complainant": (complainant_type,),
            }
            day = local_day(received_at)
            for dim in dims:
                for k in keys[dim]:
                    acc = out.get((day, company, office, dim, k))
                    if acc is None:
                        out[(day, company, office, dim, k)] = acc = Acc()
                    sums = acc.sums
                    for i, v in figs:
                        sums[i] += v
                    if minutes is not None:
                        acc.handling.append(minutes)
    return out


def _pairs_q(pairs: Iterable[tuple[int, date]], *, on_complaint: bool) -> Q:
    q = Q(pk__in=[])
    for office, day in pairs:
        if on_complaint:
            start, end = st.day_bounds(day, day)
            q |= Q(office_id=office, received_at__gte=start, received_at__lt=end)
        else:
            q |= Q(office_id=office, day=day)
    return q


_WRITE_COLS = ("day", "company_id", "office_id", "dim", "key", "handling", *ADDITIVE)


def _write(rows: dict[RowKey, Acc]) -> int:
    """Insert the rows: COPY on PostgreSQL (a full build writes hundreds of thousands), else bulk_create."""
    if connection.vendor == "postgresql":
        cols = ", ".join(_WRITE_COLS)
        sql = f"COPY {DailyFigure._meta.db_table} ({cols}) FROM STDIN"  # noqa: S608 - fixed names
        with connection.cursor() as cur, cur.copy(sql) as copy:
            for (day, company, office, dim, key), acc in rows.items():
                copy.write_row((day, company, office, dim, key, json.dumps(sorted(acc.handling)), *acc.sums))
        return len(rows)
    objs = [
        DailyFigure(
            day=day,
            company_id=company,
            office_id=office,
            dim=dim,
            key=key,
            handling=sorted(acc.handling),
            **dict(zip(ADDITIVE, acc.sums, strict=True)),
        )
        for (day, company, office, dim, key), acc in rows.items()
    ]
    DailyFigure.objects.bulk_create(objs, batch_size=2000)
    return len(objs)


def rebuild_pairs(pairs: set[tuple[int, date]]) -> int:
    """Rewrite the rows of these (office, day) pairs from their complaints; idempotent. Returns rows."""
    written = 0
    todo = sorted(pairs)
    for i in range(0, len(todo), 200):
        part = todo[i : i + 200]
        with transaction.atomic():
            DailyFigure.objects.filter(_pairs_q(part, on_complaint=False)).delete()
            written += _write(compute(Complaint.objects.filter(_pairs_q(part, on_complaint=True))))
    return written


def rebuild_range(date_from: date, date_to: date, *, office_ids: list[int] | None = None) -> int:
    """Rewrite every row of the days from `date_from` to `date_to` (Beijing days), a month per
    transaction (memory stays bounded); idempotent. Returns rows written."""
    written = 0
    month = date_from
    while month <= date_to:
        last = min(st.shift_months(month.replace(day=1), 1) - timedelta(days=1), date_to)
        start, end = st.day_bounds(month, last)
        rows = DailyFigure.objects.filter(day__gte=month, day__lte=last)
        complaints = Complaint.objects.filter(received_at__gte=start, received_at__lt=end)
        if office_ids is not None:
            rows, complaints = (
                rows.filter(office_id__in=office_ids),
                complaints.filter(office_id__in=office_ids),
            )
        with transaction.atomic():
            rows.delete()
            written += _write(compute(complaints))
        month = last + timedelta(days=1)
    return written


def received_span() -> tuple[date, date] | None:
    first = Complaint.objects.order_by("received_at").values_list("received_at", flat=True).first()
    last = Complaint.objects.order_by("-received_at").values_list("received_at", flat=True).first()
    if first is None or last is None:
        return None
    return local_day(first), local_day(last)


@dataclass
class Refreshed:
    pairs: int
    rows: int
    full: bool


def refresh(*, full: bool = False) -> Refreshed:
    """Bring the summary up to date: the (office, day) pairs of every complaint changed since the last
    run (all days on the first run or with `full`), then `built_to` = when this run started. Runs are
    serialised by the state row's lock; idempotent."""
    started = clock.now()
    with transaction.atomic():
        state = FigureState.objects.select_for_update().filter(pk=1).first()
        if state is None or full:
            span = received_span()
            rows = 0
            if span is not None:
                DailyFigure.objects.filter(Q(day__lt=span[0]) | Q(day__gt=span[1])).delete()
                rows = rebuild_range(*span)
            FigureState.objects.update_or_create(pk=1, defaults={"built_to": started})
            return Refreshed(pairs=0, rows=rows, full=True)
        since = state.built_to - MARGIN
        pairs = {
            (office, local_day(at))
            for office, at in Complaint.objects.filter(updated_at__gte=since).values_list(
                "office_id", "received_at"
            )
        }
        rows = rebuild_pairs(pairs)
        state.built_to = started
        state.save(update_fields=["built_to"])
        return Refreshed(pairs=len(pairs), rows=rows, full=False)


# --- reading ----------------------------------------------------------------------------------------------


@dataclass
class Scope:
    """What a viewer's statistics count, as one condition on both the complaints and the summary rows
    (both have office_id, company_id and company__group_id): `scopes.office_q` of the viewer, narrowed
    to a chosen office or company."""

    q: Q
    # What one page asks again (the stale pairs, a period's totals): kept for this scope object's life,
    # one request.
    memo: dict = field(default_factory=dict, compare=False, repr=False)

    def complaints(self) -> QuerySet[Complaint]:
        return Complaint.objects.filter(self.q)

    def figures(self) -> QuerySet[DailyFigure]:
        return DailyFigure.objects.filter(self.q)

    def narrow(self, **kw) -> Scope:
        return Scope(self.q & Q(**kw))


@dataclass
class LiveScope(Scope):
    """Figures of any selection of complaints (a department's report: a department is a dimension of the
    summary, not a filter), computed from the complaints by the same `compute()`: exact, the same
    definitions, for small selections."""

    selection: QuerySet[Complaint] | None = None

    def __post_init__(self) -> None:
        self.memo["stale"] = None

    def complaints(self) -> QuerySet[Complaint]:
        assert self.selection is not None
        return self.selection

    def figures(self) -> QuerySet[DailyFigure]:
        return DailyFigure.objects.none()


def _stale(scope: Scope, start: datetime, end: datetime) -> set[tuple[int, date]] | None:
    """The (office, day) pairs in the scope and period whose rows may not hold the latest change; None
    when the summary was never built (then everything is read from the complaints). Two queries per
    scope object, whatever the periods asked."""
    if "stale" not in scope.memo:
        built_to = FigureState.objects.filter(pk=1).values_list("built_to", flat=True).first()
        if built_to is None:
            scope.memo["stale"] = None
        else:
            changed = scope.complaints().filter(updated_at__gte=built_to - MARGIN)
            scope.memo["stale"] = {
                (office, at) for office, at in changed.values_list("office_id", "received_at")
            }
    stale = scope.memo["stale"]
    if stale is None:
        return None
    return {(office, local_day(at)) for office, at in stale if start <= at < end}


def _group_key(by: str, day: date, office: int, key: str) -> Any:
    if by == "office":
        return office
    if by == "month":
        return day.replace(day=1)
    return key


def _aggregate(
    scope: Scope, date_from: date, date_to: date, stored: str, by: tuple[str, ...], handling: bool = True
) -> dict[tuple, Acc]:
    """The summed rows of one stored dimension, grouped by `by` ("key", "office", "month"): the summary
    for the settled (office, day) pairs plus `compute()` of the stale ones."""
    start, end = st.day_bounds(date_from, date_to)
    stale = _stale(scope, start, end)
    out: dict[tuple, Acc] = {}
    live: QuerySet[Complaint] | None
    if stale is None:
        live = scope.complaints().filter(received_at__gte=start, received_at__lt=end)
    else:
        rows = scope.figures().filter(dim=stored, day__gte=date_from, day__lte=date_to)
        if stale:
            rows = rows.exclude(_pairs_q(stale, on_complaint=False))
        exprs: dict[str, Any] = {}
        names = []
        for b in by:
            if b == "month":
                exprs["g_month"] = TruncMonth("day")
                names.append("g_month")
            else:
                names.append({"office": "office_id", "key": "key"}[b])
        grouped = rows.annotate(**exprs) if exprs else rows
        for r in grouped.values(*names).annotate(**{f"s_{c}": Sum(c) for c in ADDITIVE}).order_by():
            g = tuple(_as_date(r[n]) if n == "g_month" else r[n] for n in names)
            acc = out.setdefault(g, Acc())
            for i, c in enumerate(ADDITIVE):
                acc.sums[i] += r[f"s_{c}"] or 0
        handled = grouped.filter(handled__gt=0).values_list(*names, "handling")
        for *g_parts, values in handled.order_by() if handling else ():
            g = tuple(_as_date(v) if n == "g_month" else v for n, v in zip(names, g_parts, strict=True))
            out.setdefault(g, Acc()).handling.extend(values)
        live = None
        # The changed office-days, computed once per page for every dimension and period it asks.
        for (day, _company, office, dim, key), acc in _live_rows(scope).items():
            if dim == stored and (office, day) in stale:
                g = tuple(_group_key(b, day, office, key) for b in by)
                out.setdefault(g, Acc()).add(acc)
    if live is not None:
        for (day, _company, office, _dim, key), acc in compute(live, dims=[stored]).items():
            g = tuple(_group_key(b, day, office, key) for b in by)
            out.setdefault(g, Acc()).add(acc)
    return out


def _live_rows(scope: Scope) -> dict[RowKey, Acc]:
    """`compute()` of every changed office-day in the scope (any period), once per scope object."""
    if "live" not in scope.memo:
        pairs = {(office, local_day(at)) for office, at in scope.memo.get("stale") or ()}
        complaints = scope.complaints().filter(_pairs_q(pairs, on_complaint=True))
        scope.memo["live"] = compute(complaints) if pairs else {}
    return scope.memo["live"]


def _as_date(value: Any) -> Any:
    return value.date() if isinstance(value, datetime) else value


def _decode(dim: str, key: str) -> Any:
    if key == "":
        return None
    return int(key) if dim in ID_DIMS else key


def _row(key: Any, acc: Acc) -> st.Row:
    s = dict(zip(ADDITIVE, acc.sums, strict=True))
    row = st.Row(key=key)
    for name in ("received", "closed", "unclosed", "withdrawn", "hot", "major", "reopened", "rounds"):
        setattr(row, name, s[name])
    row.open = s["received"] - s["closed"] - s["unclosed"] - s["withdrawn"]
    row.rated = s["satisfaction_n"]
    row.satisfaction = round(s["satisfaction_sum"] / s["satisfaction_n"], 2) if s["satisfaction_n"] else None
    row.quality = round(s["quality_sum"] / s["quality_n"], 2) if s["quality_n"] else None
    values: list[float] = sorted(acc.handling)
    p50, p90 = st._percentile(values, 0.5), st._percentile(values, 0.9)
    row.handling_p50 = round(p50 / 60, 2) if p50 is not None else None
    row.handling_p90 = round(p90 / 60, 2) if p90 is not None else None
    for k in KINDS:
        met, missed = s[f"met_{k}"], s[f"missed_{k}"]
        if met or missed:
            row.on_time[k] = (met, missed)
    return row


def _overdue(scope: Scope, date_from: date, date_to: date, dim: st.Dimension | None, now: datetime) -> dict:
    """Open complaints past a due time now, grouped like the rows (read from the complaints: it changes
    with the clock, not with an action; open complaints are few)."""
    start, end = st.day_bounds(date_from, date_to)
    base = (
        scope.complaints()
        .filter(received_at__gte=start, received_at__lt=end, next_due_at__lt=now)
        .exclude(state__in=list(TERMINAL_STATES))
        .order_by()
    )
    if dim is None:
        return {None: base.count()}
    rows, _obligations, _key_name = st._grouped(base, dim)
    out: dict[Any, int] = {}
    for r in rows.values("k").annotate(n=Count("id")).order_by():
        k = r["k"]
        if dim.code == "month" and isinstance(k, datetime):
            k = clock.to_local(k).date()
        out[k] = out.get(k, 0) + r["n"]
    return out


def breakdown(
    scope: Scope,
    *,
    date_from: date,
    date_to: date,
    dimension: str | None = None,
    now: datetime | None = None,
    on_time: bool = True,
) -> st.Breakdown:
    """`statistics.breakdown` from the summary: the same rows, labels and order, handling time in
    working hours. A fixed number of queries whatever the period."""
    now = now or scope.memo.setdefault("now", clock.now())  # one "now" for the whole page
    memo_key = ("total", date_from, date_to, now, on_time)
    if dimension is None and memo_key in scope.memo:
        return scope.memo[memo_key]
    dim = st.DIMENSIONS[dimension] if dimension else None
    stored = "total" if dimension in (None, "office", "month") else dimension
    assert stored is not None
    by = ("office",) if dimension == "office" else ("month",) if dimension == "month" else ("key",)
    accs = _aggregate(scope, date_from, date_to, stored, by)
    found: dict[Any, st.Row] = {}
    for (g,), acc in accs.items():
        key = _decode(stored, g) if by == ("key",) else g
        found[key] = _row(key, acc)
    for k, n in _overdue(scope, date_from, date_to, dim, now).items():
        if dim is None:
            k = None
        found.setdefault(k, st.Row(key=k)).overdue = n
    if not on_time:
        for row in found.values():
            row.on_time = {}
    if dim is None:
        total = found.get(None) or st.Row(key=None)
        kinds = [k for k in KINDS if k in total.on_time]
        result = st.Breakdown(dimension=TOTAL, rows=[total], total=total, kinds=kinds)
        scope.memo[memo_key] = result
        return result
    if dim.code == "month":
        st._fill_months(found, date_from, date_to)
    labels = st._labels(dim, found)
    for k, row in found.items():
        row.label = labels.get(k) or str(st.NONE_LABEL.get(dim.code, "—"))
    rows = list(found.values())
    if dim.code == "month":
        rows.sort(key=lambda r: r.label)
    else:
        rows.sort(key=lambda r: (-r.received, r.label))
    total = breakdown(scope, date_from=date_from, date_to=date_to, now=now, on_time=on_time).total
    seen = {k for r in rows for k in r.on_time} | set(total.on_time)
    kinds = [k for k in KINDS if k in seen]
    return st.Breakdown(dimension=dim, rows=rows, total=total, kinds=kinds)


def compare(scope: Scope, *, date_from: date, date_to: date, now=None) -> st.Comparison:
    prev = st.shift_period(date_from, date_to, -1)
    year = st.shift_period(date_from, date_to, -12)
    return st.Comparison(
        current=breakdown(scope, date_from=date_from, date_to=date_to, now=now).total,
        previous=breakdown(scope, date_from=prev[0], date_to=prev[1], now=now).total,
        last_year=breakdown(scope, date_from=year[0], date_to=year[1], now=now).total,
        previous_range=prev,
        last_year_range=year,
    )


def top_causes(scope: Scope, *, date_from: date, date_to: date, limit: int = 5) -> list[st.Row]:
    return breakdown(scope, date_from=date_from, date_to=date_to, dimension="subcategory").rows[:limit]


@dataclass
class Heat:
    """Complaints received per building and month (the community's heat map)."""

    months: list[date]
    buildings: list[tuple[int, str]]
    cells: dict[tuple[int, date], int]

    def chart(self) -> dict:
        return {
            "type": "heatmap",
            "x": [f"{m:%Y-%m}" for m in self.months],
            "y": [name for _id, name in self.buildings],
            "cells": [
                [x, y, self.cells.get((b, m), 0)]
                for y, (b, _n) in enumerate(self.buildings)
                for x, m in enumerate(self.months)
            ],
        }


def building_heat(scope: Scope, *, date_from: date, date_to: date, limit: int = 30) -> Heat:
    accs = _aggregate(scope, date_from, date_to, "building", ("key", "month"), handling=False)
    cells: dict[tuple[int, date], int] = {}
    totals: dict[int, int] = {}
    for (key, month), acc in accs.items():
        b = _decode("building", key)
        if b is None:
            continue
        cells[(b, month)] = cells.get((b, month), 0) + acc.get("received")
        totals[b] = totals.get(b, 0) + acc.get("received")
    top = sorted(totals, key=lambda b: -totals[b])[:limit]
    labels = st._labels(st.DIMENSIONS["building"], top)
    buildings = sorted(((b, labels.get(b, str(b))) for b in top), key=lambda x: x[1])
    months = []
    m = date_from.replace(day=1)
    while m <= date_to:
        months.append(m)
        m = st.shift_months(m, 1)
    return Heat(months=months, buildings=buildings, cells=cells)


# --- figures that are not sums of days (read from the complaints, each one grouped query) ----------------


def repeat_complainants(scope: Scope, *, date_from: date, date_to: date) -> int:
    """Complainants (by phone) with two or more complaints received in the period: a distinct count over
    the period, so not a sum of days."""
    start, end = st.day_bounds(date_from, date_to)
    return (
        scope.complaints()
        .filter(received_at__gte=start, received_at__lt=end)
        .exclude(complainant_phone="")
        .values("complainant_phone")
        .annotate(n=Count("id"))
        .filter(n__gte=2)
        .order_by()
        .count()
    )


def same_issue_groups(scope: Scope, *, date_from: date, date_to: date) -> tuple[int, int]:
    """Same-issue groups (triage, R-ESC-1) with two or more member complaints received in the period,
    and how many complaints they hold."""
    from docket.triage.models import SameIssueMember

    start, end = st.day_bounds(date_from, date_to)
    members = scope.complaints().filter(received_at__gte=start, received_at__lt=end).values("id")
    groups = (
        SameIssueMember.objects.filter(complaint_id__in=members)
        .values("group_id")
        .annotate(n=Count("id"))
        .filter(n__gte=2)
        .order_by()
    )
    sizes = [g["n"] for g in groups]
    return len(sizes), sum(sizes)
