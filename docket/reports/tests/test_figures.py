"""The daily summary (reports/figures.py): hand-computed figures read from it (working time, a holiday, a
paused clock), exactness after a change not yet rebuilt, idempotent rebuilds, and the summary against the
plain GROUP BY over the raw tables (statistics.py) on random histories built through the services."""

import random
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.core.management import call_command

from docket.complaints import services as s
from docket.complaints.models import Complaint, ComplaintIssue, Obligation, State
from docket.complaints.services import IssueInput
from docket.complaints.tests import helpers
from docket.complaints.tests.helpers import drive_to
from docket.reports import figures
from docket.reports import statistics as st
from docket.reports.models import DailyFigure, FigureComplaint, FigureState, MonthlyFigure
from docket.reports.tests import dataset
from docket.reports.tests.dataset import at
from docket.sla import duetimes
from docket.sla.calendar import SHANGHAI

# The staff follow-up records the three points (seed 5.2.5.3, issue 15).
RATED: dict[str, Any] = {
    "process_rating": "satisfied",
    "measures_rating": "satisfied",
    "result_rating": "satisfied",
}

SEP = dict(date_from=date(2026, 9, 1), date_to=date(2026, 9, 30))
OCT = dict(date_from=date(2026, 10, 1), date_to=date(2026, 10, 31))


def build_holiday(org) -> dict[str, int]:
    """National Day 2026: 1–7 October are holidays, 8 October (Thu) a working day. Office A.

    - h1 phone, received Sat 3 Oct 10:00 (a holiday); reply sent Thu 8 Oct 16:00. `same_day` on a holiday
      is the end of the next working day (Thu 17:30): met, five calendar days later.
    - h2 phone, received Wed 30 Sep 16:00; reply sent Thu 8 Oct 09:00: due Wed 17:30 → missed.
    - h3 phone, received and resolved Wed 30 Sep 17:00 (reply, measures, verification at once); the
      follow-up (2 working days from the verification: Fri 9 Oct 17:00) on Thu 8 Oct 09:00 → met, and the
      complaint closed: 30 working minutes on Wed (17:00–17:30) + 30 on Thu (08:30–09:00) = 1.0 working
      hour for 184 clock hours.
    """
    ids = {}
    with at(2026, 9, 30, 16):
        ids["h2"] = drive_to(org, "investigating").id
    with at(2026, 9, 30, 17):
        ids["h3"] = drive_to(org, "follow_up").id
    with at(2026, 10, 3, 10):
        ids["h1"] = drive_to(org, "investigating").id
    with at(2026, 10, 8, 9):
        dataset._reply(org, org.a, ids["h2"])
        s.follow_up_record(
            actor=org.a.users["reception"],
            complaint_id=ids["h3"],
            method="phone",
            satisfaction=4,
            **RATED,
        )
    with at(2026, 10, 8, 16):
        dataset._reply(org, org.a, ids["h1"])
    return ids


@pytest.fixture
def data(org):
    duetimes.invalidate()
    d = dataset.build(org)
    d.ids.update(build_holiday(org))
    return d


def office_a(org):
    return figures.Scope(figures.Q(office_id=org.a.office.id))


def test_hand_computed_figures_from_the_summary(org, data):
    done = figures.refresh()
    assert done.full and DailyFigure.objects.filter(dim="total").exists()
    assert figures._stale(office_a(org), *st.day_bounds(**dataset.NOV)) == set()  # nothing read live
    t = figures.breakdown(office_a(org), now=dataset.NOW, **dataset.NOV).total
    assert (t.received, t.closed, t.unclosed, t.withdrawn, t.open, t.overdue) == (5, 2, 0, 1, 2, 0)
    assert (t.hot, t.major, t.satisfaction, t.rated, t.quality) == (1, 0, 4.0, 2, 3.0)
    # Working time (08:30–12:00, 13:30–17:30): c1 Mon 09:00 → Mon 13:00 = 180 min; c2 Tue 09:00 → Thu
    # 09:00 = 420 + 450 + 30 = 900 min. Median 540 min = 9 h; p90 180 + 0.9 × 720 = 828 min = 13.8 h.
    assert (t.handling_p50, t.handling_p90) == (9.0, 13.8)
    # c5's reply, sent two days after the original deadline, is met: the pause moved its due time.
    # reply 3 met 1 missed, verify 2/0, follow-up 2/0, and the first contact (issue 15) 4 met: 11 of 12
    assert t.on_time["reply"] == (3, 1) and t.on_time["first_contact"] == (4, 0)
    assert t.on_time_rate == round(11 / 12, 4)


def test_on_time_and_handling_across_a_holiday(org, data):
    assert not duetimes.calendar_for(org.company.id).is_working_day(date(2026, 10, 5))
    figures.refresh()
    sep = figures.breakdown(office_a(org), now=dataset.NOW, **SEP).total
    assert (sep.received, sep.closed, sep.open) == (2, 1, 1)
    assert sep.on_time["reply"] == (1, 1)  # h3 met, h2 missed
    assert sep.on_time["follow_up"] == (1, 0)  # h3's visit eight calendar days later, within two working
    assert (sep.handling_p50, sep.handling_p90) == (1.0, 1.0)
    assert sep.satisfaction == 4.0
    oct_ = figures.breakdown(office_a(org), now=dataset.NOW, **OCT).total
    assert oct_.received == 2  # h1 and c7
    # h1's reply met; c7's is still open, not decided. h1 was handed over on 3 October (National Day): its
    # first contact (1 working hour, issue 15) fell due in the first working hour after the holiday, and
    # the reply that counts as the contact came in the afternoon: missed.
    assert oct_.on_time == {"reply": (1, 0), "first_contact": (0, 1)}


def test_a_change_is_seen_before_the_rebuild_and_then_rebuilt(org, data):
    with at(2026, 11, 6, 10):
        figures.refresh()
    before = figures.breakdown(office_a(org), now=dataset.NOW, **OCT).total
    assert before.withdrawn == 0
    with at(2026, 11, 6, 11):
        s.complaint_withdraw(
            actor=org.a.users["reception"], complaint_id=data.ids["c7"], reason="业主已自行解决"
        )
    row = DailyFigure.objects.get(dim="total", office=org.a.office, day=date(2026, 10, 15))
    assert row.withdrawn == 0  # the summary row is not rewritten by the action …
    now = figures.breakdown(office_a(org), now=dataset.NOW, **OCT).total
    assert (now.withdrawn, now.open, now.received) == (1, 1, 2)  # … but the figure is exact at once
    assert figures._stale(office_a(org), *st.day_bounds(**OCT)) == {(org.a.office.id, date(2026, 10, 15))}
    with at(2026, 11, 6, 12):
        done = figures.refresh()
    assert done.pairs == 1 and not done.full
    row = DailyFigure.objects.get(dim="total", office=org.a.office, day=date(2026, 10, 15))  # rewritten
    assert row.withdrawn == 1
    assert figures.breakdown(office_a(org), now=dataset.NOW, **OCT).total.withdrawn == 1


def _snapshot():
    return sorted(
        (r.day, r.office_id, r.dim, r.key, tuple(getattr(r, c) for c in figures.ADDITIVE), tuple(r.handling))
        for r in [*DailyFigure.objects.all(), *MonthlyFigure.objects.all()]
    ) + sorted((r.complaint_id, r.day, r.data) for r in FigureComplaint.objects.all())


def test_rebuilds_are_idempotent(org, data):
    figures.refresh()
    first = _snapshot()
    assert first
    call_command("stats_rebuild", "--from", "2026-09-01", "--to", "2026-11-30")
    assert _snapshot() == first
    call_command("stats_rebuild", "--full")
    assert _snapshot() == first
    figures.refresh()  # nothing changed since: the margin's pairs are rewritten to the same rows
    assert _snapshot() == first


def test_stats_rebuild_before_a_first_build_builds_everything(org, data):
    assert not FigureState.objects.exists()
    call_command("stats_rebuild", "--from", "2026-11-01", "--to", "2026-11-30")
    assert FigureState.objects.exists()
    assert DailyFigure.objects.filter(day__lt=date(2026, 11, 1)).exists()


def test_the_summary_holds_a_column_pair_for_every_obligation_kind():
    names = {f.name for f in DailyFigure._meta.get_fields()}
    for kind in Obligation.Kind.values:
        assert {f"met_{kind}", f"missed_{kind}"} <= names


# --- the summary against the plain GROUP BY over the raw tables, on random histories ---------------------

FIELDS = (
    "label",
    "received",
    "closed",
    "unclosed",
    "withdrawn",
    "open",
    "overdue",
    "hot",
    "major",
    "reopened",
    "rounds",
    "satisfaction",
    "rated",
    "quality",
    "on_time",
)
PATHS = ["registered", "withdrawn", "unclosed", "negotiating", "late_reply", "closed_later", "hot", "paused"]


def random_history(org, rng: random.Random, n: int) -> None:
    cats = [org.categories["电梯"].id, org.categories["设施设备"].id, org.categories["地产遗留"].id, None]
    for _i in range(n):
        day = date(2026, 9, 1) + timedelta(days=rng.randrange(0, 91))
        t0 = datetime(
            day.year, day.month, day.day, rng.randrange(7, 20), rng.choice([0, 30]), tzinfo=SHANGHAI
        )
        later = t0 + timedelta(hours=rng.randrange(1, 200))
        kit = rng.choice([org.a, org.a, org.b])
        issues = [
            IssueInput(summary=f"问题{k}", category_id=rng.choice(cats)) for k in range(rng.choice([1, 1, 2]))
        ]
        method = rng.choice(["phone", "visit"])
        path = rng.choice(PATHS)
        target = {"late_reply": "investigating", "paused": "investigating", "closed_later": "follow_up"}
        with time_at(t0), _issues(issues):
            c = drive_to(
                org, target.get(path, "follow_up" if path == "hot" else path), kit=kit, method=method
            )
        if path == "paused":
            with time_at(t0 + timedelta(minutes=30)):
                s.clock_pause(
                    actor=kit.users["eng_supervisor"],
                    complaint_id=c.id,
                    reason="等待业主",
                    resume_on=later,
                )
            with time_at(later):
                s.clock_resume(actor=kit.users["eng_supervisor"], complaint_id=c.id)
                dataset._reply(org, kit, c.id)
        elif path == "late_reply":
            with time_at(later):
                dataset._reply(org, kit, c.id)
        elif path == "closed_later":
            with time_at(later):
                s.follow_up_record(
                    actor=kit.users["reception"],
                    complaint_id=c.id,
                    method="phone",
                    satisfaction=rng.randrange(1, 6),
                    quality_score=rng.choice([None, rng.randrange(1, 6)]),
                    **RATED,
                )
        elif path == "hot":
            with time_at(later):
                s.severity_raise(
                    actor=org.users["qm"],
                    complaint_id=c.id,
                    severity=rng.choice(["hot", "major"]),
                    reason="媒体关注",
                )


def time_at(t: datetime):
    import time_machine

    return time_machine.travel(t, tick=False)


@contextmanager
def _issues(issues):
    """drive_to files its complaint through helpers.make_complaint: give it these issues."""
    original = helpers.make_complaint

    def make(org, **kw):
        return original(org, **{**kw, "issues": issues})

    helpers.make_complaint = make
    try:
        yield
    finally:
        helpers.make_complaint = original


def _compare(org, now, quick=False, expected=None):
    """Every figure of every dimension, scope and period, from the summary and from the raw tables.
    `quick`: the whole months and the days inside one month only (the second seed's run: the periods
    straddling months are the first seed's). `expected`: the raw tables' figures of an earlier call on the
    same complaints (a summary rebuild in between changes no complaint), kept in that dict rather than
    computed again."""
    expected = {} if expected is None else expected
    scopes = {
        "company": (
            Complaint.objects.filter(company=org.company),
            figures.Scope(figures.Q(company_id=org.company.id)),
        ),
        "office A": (Complaint.objects.filter(office=org.a.office), office_a(org)),
        "office B": (
            Complaint.objects.filter(office=org.b.office),
            figures.Scope(figures.Q(office_id=org.b.office.id)),
        ),
    }
    periods = [
        SEP,
        OCT,
        dataset.NOV,
        dict(date_from=date(2026, 9, 1), date_to=date(2026, 11, 30)),
        # Days around whole months (daily rows + monthly rows), and days inside one month only.
        dict(date_from=date(2026, 9, 14), date_to=date(2026, 11, 9)),
        dict(date_from=date(2026, 10, 5), date_to=date(2026, 10, 27)),
    ]
    if quick:
        periods = [dataset.NOV, periods[-1]]
    for name, (raw_qs, scope) in scopes.items():
        for period in periods:
            for dim in [None, *st.DIMENSIONS]:
                key = (name, tuple(sorted(period.items())), dim)
                if key not in expected:
                    raw = st.breakdown(raw_qs, dimension=dim, now=now, **period)
                    rows = sorted((tuple(getattr(r, f) for f in FIELDS) for r in raw.rows), key=repr)
                    expected[key] = (rows, raw.kinds)
                want_rows, want_kinds = expected[key]
                got = figures.breakdown(scope, dimension=dim, now=now, **period)
                got_rows = [tuple(getattr(r, f) for f in FIELDS) for r in got.rows]
                assert sorted(got_rows, key=repr) == want_rows, (name, period, dim)
                assert got.kinds == want_kinds, (name, period, dim)
            # Handling time: the working minutes of each closed complaint, percentiles by hand.
            key = (name, tuple(sorted(period.items())), "handling")
            if key not in expected:
                start, end = st.day_bounds(**period)
                done = raw_qs.filter(
                    received_at__gte=start, received_at__lt=end, state__in=[State.CLOSED, State.UNCLOSED]
                )
                minutes = sorted(
                    round(
                        duetimes.calendar_for(c.company_id).working_minutes_between(
                            c.received_at, c.closed_at
                        )
                    )
                    for c in done
                )
                expected[key] = (st._percentile(minutes, 0.5), st._percentile(minutes, 0.9))
            p50, p90 = expected[key]
            total = figures.breakdown(scope, now=now, **period).total
            assert total.handling_p50 == (round(p50 / 60, 2) if p50 is not None else None)
            assert total.handling_p90 == (round(p90 / 60, 2) if p90 is not None else None)


@pytest.mark.parametrize("seed", [1, 2])
def test_summary_equals_the_group_by_over_raw_tables(org, seed):
    duetimes.invalidate()
    rng = random.Random(seed)
    random_history(org, rng, 24)
    assert ComplaintIssue.objects.exists()
    now = datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI)
    # never built: everything read from the complaints through compute()
    expected = {}  # the raw tables' figures, computed once per state of the complaints
    _compare(org, now, quick=seed == 2, expected=expected)
    build = datetime(2026, 12, 10, 9, 0, tzinfo=SHANGHAI)
    with time_at(build):
        figures.refresh()
    _compare(org, now, quick=seed == 2, expected=expected)  # all from the summary
    assert_consistent()
    # Actions after the build on complaints of earlier days: the pages add those office-days, read from
    # the complaints, to the settled summary.
    with time_at(build + timedelta(hours=2)):
        for c in Complaint.objects.filter(state=State.REGISTERED).order_by("id")[:3]:
            s.complaint_withdraw(actor=c_kit(org, c).users["reception"], complaint_id=c.id, reason="撤回")
        for c in Complaint.objects.filter(state=State.FOLLOW_UP).order_by("id")[:2]:
            s.follow_up_record(
                actor=c_kit(org, c).users["reception"],
                complaint_id=c.id,
                method="phone",
                satisfaction=2,
                **RATED,
            )
        for c in Complaint.objects.filter(state=State.INVESTIGATING).order_by("id")[:2]:
            s.severity_raise(actor=org.users["qm"], complaint_id=c.id, severity="major", reason="媒体关注")
    assert figures._stale(
        figures.Scope(figures.Q(company_id=org.company.id)),
        *st.day_bounds(date(2026, 9, 1), date(2026, 11, 30)),
    )
    _compare(org, now, quick=seed == 2)
    # A change of key (an issue moved to another category, stamped as an action frame stamps it): the
    # complaint leaves its old category's row and enters the new one before any rebuild.
    issue = ComplaintIssue.objects.filter(category__isnull=False).order_by("id").first()
    assert issue is not None
    with time_at(build + timedelta(hours=2, minutes=30)):
        ComplaintIssue.objects.filter(pk=issue.pk).update(category=None)
        Complaint.objects.filter(pk=issue.complaint_id).update(
            updated_at=build + timedelta(hours=2, minutes=30)
        )
    expected = {}  # the complaints changed
    _compare(org, now, quick=seed == 2, expected=expected)
    with time_at(build + timedelta(hours=3)):
        assert figures.refresh().pairs
    _compare(org, now, quick=seed == 2, expected=expected)
    assert_consistent()


def assert_consistent():
    """The monthly rows are the sums of the daily rows (handling merged), and the complaints' snapshots
    add up to the daily rows exactly: what the read path relies on."""
    daily = {
        (r.day, r.office_id, r.dim, r.key): (
            tuple(getattr(r, c) for c in figures.ADDITIVE),
            sorted(r.handling),
        )
        for r in DailyFigure.objects.all()
    }
    monthly: dict = {}
    for (day, office, dim, key), (sums, handling) in daily.items():
        k = (day.replace(day=1), office, dim, key)
        old_sums, old_handling = monthly.get(k, ((0,) * len(sums), []))
        monthly[k] = (
            tuple(a + b for a, b in zip(old_sums, sums, strict=True)),
            sorted(old_handling + handling),
        )
    stored = {
        (r.day, r.office_id, r.dim, r.key): (tuple(getattr(r, c) for c in figures.ADDITIVE), list(r.handling))
        for r in MonthlyFigure.objects.all()
    }
    assert stored == monthly
    folded = figures.fold(
        figures.Contribution.from_snapshot(r.complaint_id, r.day, r.company_id, r.office_id, r.data)
        for r in FigureComplaint.objects.all()
    )
    from_snapshots = {
        (day, office, dim, key): (tuple(acc.sums), acc.values())
        for (day, _company, office, dim, key), acc in folded.items()
    }
    assert from_snapshots == daily


def c_kit(org, c):
    return org.a if c.office_id == org.a.office.id else org.b


def test_repeat_complainants_same_issue_groups_heat_map_and_reopen_rate(org, data):
    from docket.triage.models import SameIssueGroup, SameIssueMember

    figures.refresh()
    scope = office_a(org)
    # Every complaint of the fixture is filed by the same phone: one repeat complainant in office A's
    # November (5 complaints); none in office B (one complaint).
    assert figures.repeat_complainants(scope, **dataset.NOV) == 1
    assert (
        figures.repeat_complainants(figures.Scope(figures.Q(office_id=org.b.office.id)), **dataset.NOV) == 0
    )
    with at(2026, 11, 6):
        group = SameIssueGroup.objects.create(
            company=org.company, office=org.a.office, title="1号楼电梯", created_at=dataset.NOW
        )
        for key in ("c1", "c2"):
            SameIssueMember.objects.create(group=group, complaint_id=data.ids[key])
        lone = SameIssueGroup.objects.create(
            company=org.company, office=org.a.office, title="地下室", created_at=dataset.NOW
        )
        SameIssueMember.objects.create(group=lone, complaint_id=data.ids["c4"])
    assert figures.same_issue_groups(scope, **dataset.NOV) == (1, 2)  # the one-member group is no group
    assert figures.same_issue_groups(scope, **OCT) == (0, 0)
    heat = figures.building_heat(scope, date_from=date(2026, 9, 1), date_to=date(2026, 11, 30))
    assert heat.months == [date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)]
    ((building, name),) = heat.buildings
    assert name == "朝阳园 1号楼"
    assert [heat.cells.get((building, m), 0) for m in heat.months] == [2, 2, 5]
    assert heat.chart()["cells"] == [[0, 0, 2], [1, 0, 2], [2, 0, 5]]
    # c4 has no rejection: nothing reopened in the fixture, a rate of 0 of 5.
    t = figures.breakdown(scope, now=dataset.NOW, **dataset.NOV).total
    assert (t.reopened, t.reopen_rate) == (0, 0.0)


def test_department_report_reads_its_complaints_by_the_same_definitions(org, data):
    """A department's report (a LiveScope over its complaints) gives what the summary gives for the same
    complaints: office A's complaints with an issue of its engineering department (c1 and c2 among them, the
    two closed ones)."""
    figures.refresh()
    dept = org.a.depts["engineering"]
    live = figures.LiveScope(
        figures.Q(),
        selection=Complaint.objects.filter(office=org.a.office, issues__department=dept).distinct(),
    )
    t = figures.breakdown(live, now=dataset.NOW, **dataset.NOV).total
    assert (
        t.received
        == Complaint.objects.filter(
            office=org.a.office, issues__department=dept, received_at__month=11, received_at__year=2026
        )
        .distinct()
        .count()
    )
    assert (t.handling_p50, t.handling_p90) == (9.0, 13.8)


def test_the_periodic_jobs_build_and_refresh_the_summary(org, data):
    from config import jobs

    jobs.refresh_statistics_summary.call_local()  # the first run builds every day
    assert FigureState.objects.exists() and DailyFigure.objects.filter(dim="total").count() == 8
    jobs.rebuild_statistics_summary_nightly.call_local()
    assert DailyFigure.objects.filter(dim="total").count() == 8  # one per office and received day


def test_runs_are_serialised_even_before_the_first_build(org, data):
    """Before the first build there is no state row to lock: on PostgreSQL a run takes an advisory lock
    first, so two first builds (the minute job and stats_rebuild) wait for each other."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assert not FigureState.objects.exists()
    with CaptureQueriesContext(connection) as ctx:
        figures.refresh()
    locks = [q["sql"] for q in ctx.captured_queries if "pg_advisory_xact_lock" in q["sql"]]
    assert len(locks) == (1 if connection.vendor == "postgresql" else 0)
    assert FigureState.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_full_build_reclaims_the_summary_tables_on_postgresql():
    """`figures.reclaim` (after `stats_rebuild --full`) vacuums outside a transaction on PostgreSQL, and
    does nothing on SQLite or inside a transaction."""
    from django.db import connection, transaction

    assert figures.reclaim() is (connection.vendor == "postgresql")
    with transaction.atomic():
        assert figures.reclaim() is False
