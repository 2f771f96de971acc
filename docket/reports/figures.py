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

import dataclasses
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, cast

from django.db import connection, transaction
from django.db.models import Aggregate, Count, Q, QuerySet, Sum, TextField
from django.db.models.functions import TruncDate, TruncMonth
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
from .models import DailyFigure, FigureColumns, FigureComplaint, FigureState, MonthlyFigure

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
    """Sums being built: the additive columns (in ADDITIVE's order) and the handling minutes; `removed`:
    minutes to take out of `handling` (a changed complaint's old contribution, see `_delta`)."""

    sums: list[int] = field(default_factory=lambda: [0] * len(ADDITIVE))
    handling: list[int] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)

    def add(self, other: Acc) -> None:
        sums = self.sums
        for i, value in enumerate(other.sums):
            if value:
                sums[i] += value
        self.handling.extend(other.handling)
        self.removed.extend(other.removed)

    def get(self, name: str) -> int:
        return self.sums[IDX[name]]

    def values(self) -> list[int]:
        """The handling minutes, sorted, with the removed ones taken out (each once)."""
        values = sorted(self.handling)
        if self.removed:
            gone = Counter(self.removed)
            kept = []
            for v in values:
                if gone.get(v):
                    gone[v] -= 1
                else:
                    kept.append(v)
            values = kept
        return values

    def empty(self) -> bool:
        return not any(self.sums) and len(self.handling) == len(self.removed)


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


@dataclass
class Contribution:
    """What one complaint adds to the rows: its office-day, its keys per stored dimension (in
    STORED_DIMS's order), its non-zero figures as (column index, value) and its handling minutes."""

    complaint: int
    day: date
    company: int
    office: int
    keys: list[list[str]]
    figs: list[tuple[int, int]]
    minutes: int | None

    def snapshot(self) -> str:
        """As kept in `FigureComplaint.data`: compact JSON, the keys without the total's, the figures by
        column name (the columns' order may change between builds)."""
        figs = {ADDITIVE[i]: v for i, v in self.figs}
        return json.dumps([self.keys[1:], figs, self.minutes], separators=(",", ":"))

    @classmethod
    def from_snapshot(cls, complaint: int, day: date, company: int, office: int, data: str) -> Contribution:
        keys, figs, minutes = json.loads(data)
        pairs = [(IDX[name], v) for name, v in figs.items() if name in IDX]
        return cls(complaint, day, company, office, [[""], *keys], pairs, minutes)


def contributions(complaints: QuerySet[Complaint]) -> Iterator[Contribution]:
    """Each complaint's contribution to the rows of its office, received day and each value it has of
    each dimension (a complaint with two issues in one category counts once there). Four queries per
    2 000 complaints; the handling time is the company's working time."""
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
        # The latest round's follow-up per complaint (a reopened complaint is followed up again; a later
        # round without a score drops the earlier score).
        quality = dict(
            _of(FollowUp.objects.filter(latest=True, quality_score__isnull=False), chunk)
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
            keys = [
                [""],
                sorted({_key(p or c) for c, p, _d in its}) or [""],
                sorted({_key(c) for c, _p, _d in its}) or [""],
                sorted({_key(d or holder_dept) for _c, _p, d in its}) or [_key(holder_dept)],
                [_key(community)],
                [_key(building)],
                [channel],
                [method],
                [kind],
                [severity],
                [complainant_type],
            ]
            yield Contribution(cid, local_day(received_at), company, office, keys, figs, minutes)


def fold(
    items: Iterable[Contribution], dims: Iterable[str] = STORED_DIMS, *, into=None, sign: int = 1
) -> dict[RowKey, Acc]:
    """Add (sign 1) or take out (sign -1) contributions into rows."""
    out: dict[RowKey, Acc] = {} if into is None else into
    wanted = [(n, dim) for n, dim in enumerate(STORED_DIMS) if dim in set(dims)]
    for c in items:
        for n, dim in wanted:
            for k in c.keys[n]:
                rk = (c.day, c.company, c.office, dim, k)
                acc = out.get(rk)
                if acc is None:
                    out[rk] = acc = Acc()
                sums = acc.sums
                for i, v in c.figs:
                    sums[i] += sign * v
                if c.minutes is not None:
                    (acc.handling if sign > 0 else acc.removed).append(c.minutes)
    return out


def compute(
    complaints: QuerySet[Complaint], dims: Iterable[str] = STORED_DIMS, *, snapshots: list | None = None
) -> dict[RowKey, Acc]:
    """The rows of `complaints` (`contributions` added up); with `snapshots`, each contribution is also
    appended to it (what `_write` keeps per complaint)."""
    items: Iterable[Contribution] = contributions(complaints)
    if snapshots is not None:
        items = _tee(items, snapshots)
    return fold(items, dims)


def _tee(items: Iterable[Contribution], into: list) -> Iterator[Contribution]:
    for c in items:
        into.append(c)
        yield c


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


def _write(rows: dict[RowKey, Acc], model: type[FigureColumns] = DailyFigure) -> int:
    """Insert the rows: COPY on PostgreSQL (a full build writes hundreds of thousands), else bulk_create."""
    if connection.vendor == "postgresql":
        cols = ", ".join(_WRITE_COLS)
        sql = f"COPY {model._meta.db_table} ({cols}) FROM STDIN"  # noqa: S608 - fixed names
        with connection.cursor() as cur, cur.copy(sql) as copy:
            for (day, company, office, dim, key), acc in rows.items():
                copy.write_row((day, company, office, dim, key, json.dumps(acc.values()), *acc.sums))
        return len(rows)
    objs = [
        model(
            day=day,
            company_id=company,
            office_id=office,
            dim=dim,
            key=key,
            handling=acc.values(),
            **dict(zip(ADDITIVE, acc.sums, strict=True)),
        )
        for (day, company, office, dim, key), acc in rows.items()
    ]
    model._default_manager.bulk_create(objs, batch_size=2000)
    return len(objs)


def _write_snapshots(items: list[Contribution]) -> None:
    if connection.vendor == "postgresql":
        sql = f"COPY {FigureComplaint._meta.db_table} (complaint_id, office_id, company_id, day, data) FROM STDIN"  # noqa: S608
        with connection.cursor() as cur, cur.copy(sql) as copy:
            for c in items:
                copy.write_row((c.complaint, c.office, c.company, c.day, c.snapshot()))
        return
    FigureComplaint.objects.bulk_create(
        [
            FigureComplaint(
                complaint_id=c.complaint,
                office_id=c.office,
                company_id=c.company,
                day=c.day,
                data=c.snapshot(),
            )
            for c in items
        ],
        batch_size=2000,
    )


class _Lists(Aggregate):
    """The grouped rows' handling lists as one JSON array of arrays (text): one decode per group."""

    function = "JSONB_AGG"
    template = "%(function)s(%(expressions)s)::text"
    output_field = TextField()

    def as_sqlite(self, compiler, connection, **extra):  # type: ignore[override]
        return self.as_sql(
            compiler, connection, function="JSON_GROUP_ARRAY", template="%(function)s(JSON(%(expressions)s))"
        )


def _flatten(text: str | None) -> list[int]:
    if not text:
        return []
    out: list[int] = []
    for values in json.loads(text):
        if values:
            out.extend(values)
    return out


def _rollup(months: Q, daily: Q) -> int:
    """Rewrite the monthly rows selected by `months` from the daily rows selected by `daily` (the same
    office-months, whole): sums in the database, the handling lists merged here. In the caller's
    transaction, right after the daily rows were written."""
    MonthlyFigure.objects.filter(months).delete()
    grouped = (
        DailyFigure.objects.filter(daily)
        .annotate(g_month=TruncMonth("day"))
        .values("g_month", "company_id", "office_id", "dim", "key")
        .annotate(**{f"s_{c}": Sum(c) for c in ADDITIVE}, s_lists=_Lists("handling"))
        .order_by()
    )
    rows: dict[RowKey, Acc] = {}
    for r in cast(Iterable[dict[str, Any]], grouped):
        acc = Acc(sums=[r[f"s_{c}"] or 0 for c in ADDITIVE], handling=_flatten(r["s_lists"]))
        rows[(_as_date(r["g_month"]), r["company_id"], r["office_id"], r["dim"], r["key"])] = acc
    return _write(rows, MonthlyFigure)


def _rows_of(qs: QuerySet) -> dict[RowKey, Acc]:
    """Stored rows (daily or monthly) as Accs."""
    out: dict[RowKey, Acc] = {}
    for day, company, office, dim, key, handling, *sums in qs.values_list(
        "day", "company_id", "office_id", "dim", "key", "handling", *ADDITIVE
    ):
        out[(day, company, office, dim, key)] = Acc(sums=list(sums), handling=list(handling))
    return out


def _month_of(rows: dict[RowKey, Acc], into: dict[RowKey, Acc], sign: int) -> None:
    for (day, company, office, dim, key), acc in rows.items():
        rk = (day.replace(day=1), company, office, dim, key)
        target = into.get(rk)
        if target is None:
            into[rk] = target = Acc()
        for i, v in enumerate(acc.sums):
            if v:
                target.sums[i] += sign * v
        (target.handling if sign > 0 else target.removed).extend(acc.values())


def rebuild_pairs(pairs: set[tuple[int, date]]) -> int:
    """Rewrite the rows of these (office, day) pairs from their complaints, and the monthly rows of
    their office-months: each one minus the old daily rows of these days plus the new ones (the
    monthly rows are the sum of the daily rows before, so they are after); idempotent. Returns daily
    rows."""
    written = 0
    todo = sorted(pairs)
    for i in range(0, len(todo), 200):
        part = todo[i : i + 200]
        with transaction.atomic():
            old = DailyFigure.objects.filter(_pairs_q(part, on_complaint=False))
            old_rows = _rows_of(old)
            old.delete()
            FigureComplaint.objects.filter(_pairs_q(part, on_complaint=False)).delete()
            snaps: list[Contribution] = []
            new_rows = compute(Complaint.objects.filter(_pairs_q(part, on_complaint=True)), snapshots=snaps)
            written += _write(new_rows)
            _write_snapshots(snaps)
            months = {(office, day.replace(day=1)) for office, day in part}
            monthly = MonthlyFigure.objects.filter(_pairs_q(months, on_complaint=False))
            rolled = _rows_of(monthly)
            _month_of(old_rows, rolled, -1)
            _month_of(new_rows, rolled, 1)
            monthly.delete()
            _write({k: acc for k, acc in rolled.items() if not acc.empty()}, MonthlyFigure)
    return written


def rebuild_range(date_from: date, date_to: date, *, office_ids: list[int] | None = None) -> int:
    """Rewrite every row of the days from `date_from` to `date_to` (Beijing days), a month per
    transaction (memory stays bounded), and the monthly rows of those months; idempotent. Returns daily
    rows written."""
    written = 0
    month = date_from
    while month <= date_to:
        first = month.replace(day=1)
        last = min(st.shift_months(first, 1) - timedelta(days=1), date_to)
        start, end = st.day_bounds(month, last)
        rows = DailyFigure.objects.filter(day__gte=month, day__lte=last)
        snapshots = FigureComplaint.objects.filter(day__gte=month, day__lte=last)
        complaints = Complaint.objects.filter(received_at__gte=start, received_at__lt=end)
        months_q, daily_q = Q(day=first), Q(day__gte=first, day__lt=st.shift_months(first, 1))
        if office_ids is not None:
            rows, complaints = (
                rows.filter(office_id__in=office_ids),
                complaints.filter(office_id__in=office_ids),
            )
            snapshots = snapshots.filter(office_id__in=office_ids)
            months_q &= Q(office_id__in=office_ids)
            daily_q &= Q(office_id__in=office_ids)
        with transaction.atomic():
            rows.delete()
            snapshots.delete()
            snaps: list[Contribution] = []
            written += _write(compute(complaints, snapshots=snaps))
            _write_snapshots(snaps)
            del snaps
            _rollup(months_q, daily_q)
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


# The advisory lock that serialises summary runs on PostgreSQL (any constant; "DKFG" in ASCII).
_RUN_LOCK = 0x444B4647


def _serialise_runs() -> None:
    """Wait for any other run of `refresh` (until this transaction ends). The state row's lock does this
    once the row exists; before the first build there is no row to lock, and two first builds (the minute
    job and `stats_rebuild`, or two workers) would write the same rows. SQLite serialises writers itself."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_RUN_LOCK])


def refresh(*, full: bool = False) -> Refreshed:
    """Bring the summary up to date: the (office, day) pairs of every complaint changed since the last
    run (all days on the first run or with `full`), then `built_to` = when this run started. Runs are
    serialised by the state row's lock; idempotent."""
    started = clock.now()
    with transaction.atomic():
        _serialise_runs()
        state = FigureState.objects.select_for_update().filter(pk=1).first()
        if state is None or full:
            span = received_span()
            rows = 0
            if span is not None:
                outside = Q(day__lt=span[0]) | Q(day__gt=span[1])
                DailyFigure.objects.filter(outside).delete()
                FigureComplaint.objects.filter(outside).delete()
                MonthlyFigure.objects.filter(Q(day__lt=span[0].replace(day=1)) | Q(day__gt=span[1])).delete()
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


def reclaim() -> bool:
    """After a build of every day (`refresh(full=True)`, the first build): `VACUUM (ANALYZE)` the summary's
    tables on PostgreSQL, which a full build rewrites whole (four builds left `reports_dailyfigure` at
    1.4 GiB for 690 k rows at 1 M complaints, bench/README.md) and whose planner statistics it changes.
    Outside any transaction (VACUUM cannot run inside one); False where there is nothing to do (SQLite)."""
    from django.db import connection

    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return False
    with connection.cursor() as cursor:
        for model in (DailyFigure, MonthlyFigure, FigureComplaint):
            cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(model._meta.db_table)}")
    return True


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

    def monthly(self) -> QuerySet[MonthlyFigure]:
        return MonthlyFigure.objects.filter(self.q)

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

    def monthly(self) -> QuerySet[MonthlyFigure]:
        return MonthlyFigure.objects.none()


def _changed(scope: Scope) -> list[tuple[int, int, datetime]] | None:
    """(id, office, received_at) of the complaints in the scope changed after `built_to - MARGIN`: their
    contributions may not be in the summary yet. None when the summary was never built (then everything
    is read from the complaints). Two queries per scope object, whatever the periods asked."""
    if "stale" not in scope.memo:
        built_to = FigureState.objects.filter(pk=1).values_list("built_to", flat=True).first()
        if built_to is None:
            scope.memo["stale"] = None
        else:
            changed = scope.complaints().filter(updated_at__gte=built_to - MARGIN).order_by()
            scope.memo["stale"] = list(changed.values_list("id", "office_id", "received_at"))
    return scope.memo["stale"]


def _stale(scope: Scope, start: datetime, end: datetime) -> set[tuple[int, date]] | None:
    """The (office, day) pairs in the scope and period with a complaint changed since the last build;
    None when the summary was never built."""
    changed = _changed(scope)
    if changed is None:
        return None
    return {(office, local_day(at)) for _id, office, at in changed if start <= at < end}


def _delta(scope: Scope) -> dict[RowKey, Acc]:
    """What the complaints changed since the last build add to the summary rows: each one as it stands
    now, minus what it added when its office-day was last rebuilt (`FigureComplaint`, written with the
    rows in one transaction, so the rows hold exactly that). A complaint with no snapshot is new since:
    nothing to take out. Computed once per scope object (a page), for every dimension and period."""
    if "delta" not in scope.memo:
        ids = [cid for cid, _office, _at in _changed(scope) or ()]
        out: dict[RowKey, Acc] = {}
        for i in range(0, len(ids), CHUNK):
            part = ids[i : i + CHUNK]
            fold(contributions(Complaint.objects.filter(id__in=part)), into=out)
            old = FigureComplaint.objects.filter(complaint_id__in=part).values_list(
                "complaint_id", "day", "company_id", "office_id", "data"
            )
            fold((Contribution.from_snapshot(*r) for r in old), into=out, sign=-1)
        scope.memo["delta"] = out
    return scope.memo["delta"]


def _whole_months(date_from: date, date_to: date) -> tuple[date, date] | None:
    """The first days of the first and last calendar months lying wholly in the period, or None."""
    first = date_from if date_from.day == 1 else st.shift_months(date_from.replace(day=1), 1)
    last = date_to.replace(day=1)
    if date_to != st.shift_months(last, 1) - timedelta(days=1):  # the last month is not over
        last = st.shift_months(last, -1)
    return (first, last) if first <= last else None


def _group_key(by: str, day: date, office: int, key: str) -> Any:
    if by == "office":
        return office
    if by == "month":
        return day.replace(day=1)
    return key


def _summed(rows: QuerySet, by: tuple[str, ...], handling: bool, out: dict[tuple, Acc]) -> None:
    """Add the rows' sums (and handling lists), grouped by `by`, into `out`: one query."""
    exprs: dict[str, Any] = {}
    names = []
    for b in by:
        if b == "month":
            exprs["g_month"] = TruncMonth("day")
            names.append("g_month")
        else:
            names.append({"office": "office_id", "key": "key"}[b])
    grouped = rows.annotate(**exprs) if exprs else rows
    aggs: dict[str, Any] = {f"s_{c}": Sum(c) for c in ADDITIVE}
    if handling:
        aggs["s_lists"] = _Lists("handling")
    for r in grouped.values(*names).annotate(**aggs).order_by():
        g = tuple(_as_date(r[n]) if n == "g_month" else r[n] for n in names)
        acc = out.get(g)
        if acc is None:
            out[g] = acc = Acc()
        sums = acc.sums
        for i, c in enumerate(ADDITIVE):
            sums[i] += r[f"s_{c}"] or 0
        if handling:
            acc.handling.extend(_flatten(r["s_lists"]))


def _aggregate(
    scope: Scope, date_from: date, date_to: date, stored: str, by: tuple[str, ...], handling: bool = True
) -> dict[tuple, Acc]:
    """The summed rows of one stored dimension, grouped by `by` ("key", "office", "month"): the monthly
    rows for the period's whole months, the daily rows for the days around them, plus the changed
    complaints' delta. One or two queries (the delta is computed once per page)."""
    out: dict[tuple, Acc] = {}
    if _changed(scope) is None:  # never built: everything from the complaints
        start, end = st.day_bounds(date_from, date_to)
        live = scope.complaints().filter(received_at__gte=start, received_at__lt=end)
        for (day, _company, office, _dim, key), acc in compute(live, dims=[stored]).items():
            g = tuple(_group_key(b, day, office, key) for b in by)
            out.setdefault(g, Acc()).add(acc)
        return out
    months = _whole_months(date_from, date_to)
    if months is None:
        _summed(scope.figures().filter(dim=stored, day__gte=date_from, day__lte=date_to), by, handling, out)
    else:
        m_first, m_last = months
        _summed(scope.monthly().filter(dim=stored, day__gte=m_first, day__lte=m_last), by, handling, out)
        around = Q(day__gte=date_from, day__lt=m_first) | Q(
            day__gt=st.shift_months(m_last, 1) - timedelta(days=1), day__lte=date_to
        )
        if date_from < m_first or date_to >= st.shift_months(m_last, 1):
            _summed(scope.figures().filter(Q(dim=stored) & around), by, handling, out)
    for (day, _company, office, dim, key), acc in _delta(scope).items():
        if dim == stored and date_from <= day <= date_to:
            g = tuple(_group_key(b, day, office, key) for b in by)
            out.setdefault(g, Acc()).add(acc)
    # A changed complaint may leave a value it had (a category changed): no complaint left there.
    return {g: acc for g, acc in out.items() if not acc.empty()}


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
    values: list[float] = list(acc.values())
    p50, p90 = st._percentile(values, 0.5), st._percentile(values, 0.9)
    row.handling_p50 = round(p50 / 60, 2) if p50 is not None else None
    row.handling_p90 = round(p90 / 60, 2) if p90 is not None else None
    for k in KINDS:
        met, missed = s[f"met_{k}"], s[f"missed_{k}"]
        if met or missed:
            row.on_time[k] = (met, missed)
    return row


_PLAIN_OVERDUE = (
    "office_id",
    "community_id",
    "building_id",
    "channel",
    "method",
    "kind",
    "severity",
    "complainant_type",
)


def _overdue_by_day(
    scope: Scope, code: str | None, now: datetime, period: tuple[date, date]
) -> dict[tuple[date, Any], int]:
    """The scope's open complaints past a due time now, counted per received day (Beijing) and key of
    one dimension (None: the total and the month breakdown), grouped as `statistics._grouped` groups
    them. One query per page for the total and the complaint's own dimensions, whatever the periods
    (each sums its days), and one per period for the three dimensions through the issues."""
    code = None if code == "month" else code
    through_issues = code is not None and st.DIMENSIONS[code].issue_path is not None
    memo_key = ("overdue", code, now, period if through_issues else None)
    if memo_key not in scope.memo:
        base = (
            scope.complaints().filter(next_due_at__lt=now).exclude(state__in=list(TERMINAL_STATES)).order_by()
        )
        day = TruncDate("received_at", tzinfo=clock.SHANGHAI)
        out: dict[tuple[date, Any], int] = {}
        if code is None or st.DIMENSIONS[code].path is not None:
            # The total and every dimension of the complaint itself from one grouped query.
            if ("overdue_plain", now) not in scope.memo:
                scope.memo[("overdue_plain", now)] = list(
                    base.annotate(d=day)
                    .values("d", *_PLAIN_OVERDUE)
                    .annotate(n=Count("id"))
                    .order_by()
                    .values_list("d", *_PLAIN_OVERDUE, "n")
                )
            col = _PLAIN_OVERDUE.index(st.DIMENSIONS[code].path) + 1 if code is not None else None
            for r in scope.memo[("overdue_plain", now)]:
                k = r[col] if col is not None else None
                if k == "" and code == "complainant":
                    k = None  # not asked: the same key as the stored rows' (`_grouped` in statistics.py)
                out[(r[0], k)] = out.get((r[0], k), 0) + r[-1]
        elif st.DIMENSIONS[code].issue_path is not None:
            # Through the issues: a complaint once per distinct key of its issues (as `_grouped`'s
            # first-issue rows count it), without issues not at all. One query for the three
            # dimensions through the issues, over the period asked (a page shows them for one).
            start, end = st.day_bounds(*period)
            in_period = base.filter(received_at__gte=start, received_at__lt=end)
            if ("overdue_issues", now, period) not in scope.memo:
                scope.memo[("overdue_issues", now, period)] = list(
                    ComplaintIssue.objects.filter(complaint_id__in=in_period.values("id"))
                    .annotate(d=TruncDate("complaint__received_at", tzinfo=clock.SHANGHAI))
                    .order_by()
                    .values_list(
                        "d",
                        "complaint_id",
                        "category_id",
                        "category__parent_id",
                        "department_id",
                        "complaint__holder_department_id",
                    )
                )
            seen = set()
            for d, cid, cat, parent, dept, holder in scope.memo[("overdue_issues", now, period)]:
                k = parent or cat if code == "category" else cat if code == "subcategory" else dept or holder
                if (cid, k) not in seen:
                    seen.add((cid, k))
                    out[(d, k)] = out.get((d, k), 0) + 1
        scope.memo[memo_key] = out
    return scope.memo[memo_key]


def _overdue(scope: Scope, date_from: date, date_to: date, dim: st.Dimension | None, now: datetime) -> dict:
    """Open complaints past a due time now, grouped like the rows (read from the complaints: it changes
    with the clock, not with an action; open complaints are few)."""
    code = dim.code if dim is not None else None
    out: dict[Any, int] = {None: 0} if dim is None else {}
    for (d, k), n in _overdue_by_day(scope, code, now, (date_from, date_to)).items():
        if date_from <= d <= date_to:
            key = d.replace(day=1) if code == "month" else k
            out[key] = out.get(key, 0) + n
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
    with_on_time = ("total", date_from, date_to, now, True)
    if dimension is None and not on_time and with_on_time in scope.memo:
        # The same period's totals without the on-time figures (the trend beside a year's page).
        full = scope.memo[with_on_time].total
        total = dataclasses.replace(full, on_time={})
        result = st.Breakdown(dimension=TOTAL, rows=[total], total=total, kinds=[])
        scope.memo[memo_key] = result
        return result
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
