"""Time the statistics pages and reports (R-ANA-1..3, R-EXP-11) read from the daily summary, beside the
plain GROUP BY over the raw tables computing the same figures, on the database bench.generate loaded.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/docket_bench uv run python -m bench.analysis

1. Builds the summary from the complaints (`figures.refresh(full=True)`, in a child process: its time and
   the job worker's peak memory), then times the minute job after 100 complaints changed.
2. For the office with the most complaints and its company, over the month before BENCH_NOW and over the
   twelve months before it, and for the whole group over twelve months, each page rendered in process
   through Django's test client (middleware, view, every query, template) as the role that reads it:
   the statistics page (period, month before, year before, category breakdown, 12-month trend), the
   K01-F2 form, the committee's page (a committee member of that office's community), the office's
   monthly report; beside each, the same figures from the raw tables (`statistics.breakdown`: one
   GROUP BY per figure set over complaints, issues and obligations, as the pages computed them before the
   summary) and the plainest `SELECT state, count(*) … GROUP BY state`.
3. Worker memory: the peak resident size of this process (the pages) and of the summary's build.
4. The complaint list's Excel export of 10 000 and 100 000 rows (or as many as there are), each in a
   child process: time, file size and peak memory (flat when the export streams).

p50 / p95 / max after one warm-up. Checked: every page answers 200, the statistics page's CSV total equals
the plain GROUP BY's count, the summary's totals equal the raw tables', the monthly rows add up to the
daily rows per dimension and there is one complaint snapshot per complaint counted (else FAILED, exit 1). No target is
asserted: the figures are for reading (bench/README.md).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics as pystats
import subprocess
import sys
import time
from datetime import timedelta

from bench import BENCH_NOW, fmt_int, setup_django


def _pct(values: list[float], p: float) -> float:
    if len(values) == 1:
        return values[0]
    return pystats.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def _time(fn, runs: int) -> tuple[list[float], object]:
    result = fn()  # warm-up (and the answer to check)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times, result


def _ms(times: list[float]) -> tuple[float, float, float]:
    ms = [t * 1000 for t in times]
    return _pct(ms, 50), _pct(ms, 95), max(ms)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(args: list[str]) -> str:
    env = dict(os.environ)
    out = subprocess.run(
        [sys.executable, "-m", "bench.analysis", *args], capture_output=True, text=True, env=env, check=False
    )
    if out.returncode != 0:
        return f"FAILED {out.stderr[-500:]}"
    return out.stdout.strip().splitlines()[-1]


def build_child() -> int:
    """Child: the summary's full build; prints seconds, rows and peak MB."""
    setup_django()
    from docket.reports import figures

    t0 = time.perf_counter()
    done = figures.refresh(full=True)
    print(f"{time.perf_counter() - t0:.1f} {done.rows} {_peak_mb():.0f}")
    return 0


def export_child(rows: int) -> int:
    """Child: the complaint list export of `rows` complaints to a temporary file; prints seconds, rows,
    bytes and peak MB."""
    setup_django()
    from docket.complaints.models import Complaint
    from docket.reports.exports import complaints_xlsx_file

    ids = Complaint.objects.order_by("id").values_list("id", flat=True)
    last = ids[rows - 1 : rows].first() or ids.last()
    qs = Complaint.objects.filter(id__lte=last).order_by("id")
    t0 = time.perf_counter()
    with complaints_xlsx_file(qs) as f:
        f.seek(0, 2)
        size = f.tell()
    print(f"{time.perf_counter() - t0:.1f} {qs.count()} {size} {_peak_mb():.0f}")
    return 0


def summary_consistency(connection) -> list[str]:
    """The monthly rows add up to the daily rows, dimension by dimension, and there is one complaint
    snapshot per complaint counted in the daily totals (what the pages' read path relies on). Prints the
    summary's sizes."""
    failed = []
    with connection.cursor() as cur:
        cur.execute(
            "SELECT d.dim, d.n, d.rec, d.hand, m.n, m.rec, m.hand FROM "
            "(SELECT dim, count(*) n, sum(received) rec, sum(jsonb_array_length(handling)) hand "
            " FROM reports_dailyfigure GROUP BY dim) d FULL JOIN "
            "(SELECT dim, count(*) n, sum(received) rec, sum(jsonb_array_length(handling)) hand "
            " FROM reports_monthlyfigure GROUP BY dim) m USING (dim) ORDER BY 1"
        )
        dims = cur.fetchall()
        cur.execute("SELECT count(*) FROM reports_figurecomplaint")
        snapshots = cur.fetchone()[0]
        cur.execute(
            "SELECT pg_total_relation_size('reports_dailyfigure'), pg_total_relation_size('reports_monthlyfigure'), "
            "pg_total_relation_size('reports_figurecomplaint')"
        )
        sizes = cur.fetchone()
    for dim, _d_n, d_rec, d_hand, _m_n, m_rec, m_hand in dims:
        if (d_rec, d_hand) != (m_rec, m_hand):
            failed.append(
                f"summary: {dim} daily received/handled {d_rec}/{d_hand} != monthly {m_rec}/{m_hand}"
            )
    daily_rows = sum(r[1] or 0 for r in dims)
    monthly_rows = sum(r[4] or 0 for r in dims)
    total = next((r[2] for r in dims if r[0] == "total"), 0) or 0
    if snapshots != total:
        failed.append(f"summary: {snapshots} complaint snapshots for {total} complaints in the daily totals")
    print(
        f"summary tables: daily {fmt_int(daily_rows)} rows ({sizes[0] / 2**20:.0f} MiB), monthly "
        f"{fmt_int(monthly_rows)} rows ({sizes[1] / 2**20:.0f} MiB), complaint snapshots "
        f"{fmt_int(snapshots)} ({sizes[2] / 2**20:.0f} MiB)"
    )
    return failed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.analysis", description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=20, help="timed runs per scenario (after one warm-up)")
    ap.add_argument("--raw-runs", type=int, default=None, help="timed runs of the raw-table figures")
    ap.add_argument("--export-rows", type=int, nargs="*", default=[10_000, 100_000])
    ap.add_argument("--quick", action="store_true", help="one scenario per page (the smoke run)")
    ap.add_argument("--build-child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--export-child", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.build_child:
        return build_child()
    if args.export_child:
        return export_child(args.export_child)
    raw_runs = args.raw_runs or max(1, min(args.runs, 5))
    setup_django()

    import csv
    import io

    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.utils import timezone

    from bench.sweep import print_table
    from docket.accounts.models import Role, RoleAssignment
    from docket.complaints.models import Complaint
    from docket.core import clock
    from docket.reports import figures
    from docket.reports import statistics as st
    from docket.reports.models import FigureState, ReportDuty
    from docket.reports.services import report_duties_open

    today = clock.to_local(BENCH_NOW).date()
    month_end = today.replace(day=1) - timedelta(days=1)
    month = (month_end.replace(day=1), month_end)
    year = (st.shift_months(month_end.replace(day=1), -11), month_end)
    top = Complaint.objects.values("office_id", "company_id").annotate(n=Count("id")).order_by("-n").first()
    if top is None:
        print("no complaints: run bench.generate first\nFAILED")
        return 1
    office_id, company_id = top["office_id"], top["company_id"]
    manager = RoleAssignment.objects.filter(role=Role.OFFICE_MANAGER, office_id=office_id).first()
    qm = RoleAssignment.objects.filter(role=Role.QM, company_id=company_id).first()
    group = RoleAssignment.objects.filter(role=Role.GROUP_PROPERTY).first()
    member = RoleAssignment.objects.filter(
        role=Role.COMMITTEE_MEMBER, committee__community__office_id=office_id
    ).first()
    if manager is None or qm is None or group is None or member is None or member.committee is None:
        print("no office manager / QM / group / committee member in the loaded organisation\nFAILED")
        return 1
    community_id = member.committee.community_id
    print(
        f"complaints: {fmt_int(Complaint.objects.count())}; office {office_id} holds {fmt_int(top['n'])}; "
        f"company {company_id}; now {today}; {args.runs} runs each ({raw_runs} for the raw tables)"
    )

    # 1. The summary, built from the complaints, then the minute job after 100 changes.
    if args.quick:  # in this process: one Django start less
        t0 = time.perf_counter()
        built = figures.refresh(full=True)
        build_s, build_rows, build_mb = (
            f"{time.perf_counter() - t0:.1f}",
            str(built.rows),
            f"{_peak_mb():.0f}",
        )
    else:
        line = _child(["--build-child"])
        if line.startswith("FAILED"):
            print(line)
            return 1
        build_s, build_rows, build_mb = line.split()
    # 100 complaints changed since the last run (stamped before the margin, so that the pages after this
    # read the settled summary; the live path is timed on its own below).
    ids = list(Complaint.objects.order_by("?").values_list("id", flat=True)[:100])
    Complaint.objects.filter(id__in=ids).update(updated_at=timezone.now() - 2 * figures.MARGIN)
    FigureState.objects.filter(pk=1).update(built_to=timezone.now() - 3 * figures.MARGIN)
    t0 = time.perf_counter()
    done = figures.refresh()
    refresh_s = time.perf_counter() - t0
    print(
        f"summary: {fmt_int(int(build_rows))} rows built in {build_s} s (peak {build_mb} MB); "
        f"the minute job after 100 changed complaints: {done.pairs} office-days in {refresh_s * 1000:.0f} ms"
    )

    failed: list[str] = []
    failed += summary_consistency(connection)
    rows: list[list[str]] = []
    duty = None
    report_duties_open(today=today.replace(day=1))
    duty = ReportDuty.objects.filter(
        kind=ReportDuty.Kind.OFFICE_MONTHLY, office_id=office_id, period_start=month[0]
    ).first()

    def plain(where: str, params: list, d1, d2):
        start, end = st.day_bounds(d1, d2)

        def run():
            with connection.cursor() as cur:
                cur.execute(
                    f"SELECT state, count(*) FROM complaints_complaint WHERE {where} "  # noqa: S608
                    "AND received_at >= %s AND received_at < %s GROUP BY state",
                    [*params, start, end],
                )
                return dict(cur.fetchall())

        return run

    # The figures each page computes, by either engine: `figures` over a Scope (the summary) or
    # `statistics` over a queryset of complaints (GROUP BY over the raw tables). Same calls, same answers.
    def statistics_figures(engine, sel, d1, d2):
        def run():
            b = engine.breakdown(sel, date_from=d1, date_to=d2, dimension="category")
            engine.compare(sel, date_from=d1, date_to=d2)
            trend_from = st.shift_months(d2.replace(day=1), -11)
            engine.breakdown(sel, date_from=trend_from, date_to=d2, dimension="month", on_time=False)
            return b.total.received

        return run

    def k01f2_figures(engine, sel, d1, d2):
        def run():
            for d in [
                "category",
                "subcategory",
                "department",
                "office",
                "channel",
                "method",
                "kind",
                "severity",
            ]:
                engine.breakdown(sel, date_from=d1, date_to=d2, dimension=d)
            return engine.breakdown(sel, date_from=d1, date_to=d2).total.received

        return run

    def committee_figures(engine, sel, d1, d2):
        def run():
            engine.breakdown(sel, date_from=d1, date_to=d2, dimension="category")
            engine.breakdown(sel, date_from=d1, date_to=d2, dimension="month")
            return engine.breakdown(sel, date_from=d1, date_to=d2).total.received

        return run

    def duty_figures(engine, sel, d1, d2):
        def run():
            engine.compare(sel, date_from=d1, date_to=d2)
            engine.top_causes(sel, date_from=d1, date_to=d2)
            for d in ("category", "department", "channel"):
                engine.breakdown(sel, date_from=d1, date_to=d2, dimension=d)
            return engine.breakdown(sel, date_from=d1, date_to=d2).total.received

        return run

    def both(kind, qs, q, d1, d2):
        """(the summary's figures, the raw tables' figures) of one page. A new Scope per run: a page's
        memo lives for one request."""

        def on_summary():
            return kind(figures, figures.Scope(q), d1, d2)()

        return on_summary, kind(st, qs, d1, d2)

    from django.db.models import Q

    office_qs = Complaint.objects.filter(office_id=office_id)
    company_qs = Complaint.objects.filter(company_id=company_id)
    all_qs = Complaint.objects.all()
    office_q, company_q, all_q = Q(office_id=office_id), Q(company_id=company_id), ~Q(pk=None)
    scenarios = []
    for pname, (d1, d2) in (("month", month), ("12 months", year)):
        q = f"from={d1}&to={d2}"
        scenarios += [
            (f"statistics, office, {pname}", manager.user, f"/reports/statistics/?{q}&by=category",
             both(statistics_figures, office_qs, office_q, d1, d2), plain("office_id = %s", [office_id], d1, d2), True),
            (f"statistics, company, {pname}", qm.user, f"/reports/statistics/?{q}&by=category",
             both(statistics_figures, company_qs, company_q, d1, d2), plain("company_id = %s", [company_id], d1, d2), True),
        ]  # fmt: skip
    d1, d2 = year
    q = f"from={d1}&to={d2}"
    scenarios += [
        ("statistics, group, 12 months", group.user, f"/reports/statistics/?{q}&by=office",
         both(statistics_figures, all_qs, all_q, d1, d2), plain("%s = %s", [1, 1], d1, d2), True),
        ("K01-F2, office, month", manager.user, f"/reports/k01f2/?from={month[0]}&to={month[1]}",
         both(k01f2_figures, office_qs, office_q, *month), plain("office_id = %s", [office_id], *month), False),
        ("K01-F2, company, month", qm.user, f"/reports/k01f2/?from={month[0]}&to={month[1]}",
         both(k01f2_figures, company_qs, company_q, *month), plain("company_id = %s", [company_id], *month), False),
        ("committee, 12 months", member.user, f"/reports/committee/{community_id}/?{q}",
         both(committee_figures, office_qs, office_q, d1, d2), plain("office_id = %s", [office_id], d1, d2), False),
    ]  # fmt: skip
    if duty is not None:
        scenarios.append(
            ("office monthly report", manager.user, f"/reports/duties/{duty.id}/",
             both(duty_figures, office_qs, office_q, *month), plain("office_id = %s", [office_id], *month), False)
        )  # fmt: skip
    else:
        failed.append("no office monthly report duty opened")
    # The same office page while 100 of the office's complaints of that month changed in the last minutes
    # (not yet rebuilt: their office-days are read from the complaints).
    d1, d2 = month
    start, end = st.day_bounds(d1, d2)

    def touch_recent():
        recent = office_qs.filter(received_at__gte=start, received_at__lt=end).order_by("?")[:100]
        Complaint.objects.filter(id__in=recent.values("id")).update(updated_at=timezone.now())

    scenarios.append(
        ("statistics, office, month, 100 changes live", manager.user,
         f"/reports/statistics/?from={d1}&to={d2}&by=category",
         both(statistics_figures, office_qs, office_q, d1, d2), plain("office_id = %s", [office_id], d1, d2), True)
    )  # fmt: skip
    if args.quick:
        keep = (
            "statistics, office, month",
            "statistics, group",
            "K01-F2, office",
            "committee",
            "office monthly",
        )
        scenarios = [sc for sc in scenarios if sc[0].startswith(keep)]
    rss_before = _peak_mb()
    for label, user, url, (summary_fn, raw), plain_fn, check_csv in scenarios:
        if "live" in label:
            touch_recent()
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)

        def page(url=url, client=client):
            r = client.get(url)
            if r.status_code != 200:
                failed.append(f"{url}: {r.status_code}")
            return r

        seen: list[str] = []
        with connection.execute_wrapper(
            lambda execute, sql, *a, seen=seen: (seen.append(sql), execute(sql, *a))[1]
        ):
            client.get(url)
        t_page, _ = _time(page, args.runs)
        t_summary, summary_received = _time(summary_fn, args.runs)
        t_raw, raw_received = _time(raw, raw_runs)
        t_plain, counts = _time(plain_fn, args.runs)
        received = sum(dict(counts).values())  # type: ignore[call-overload]
        if raw_received != received or summary_received != received:
            failed.append(
                f"{label}: summary {summary_received}, raw tables {raw_received}, GROUP BY {received}"
            )
        if check_csv:
            body = client.get(url + "&format=csv").content.decode("utf-8-sig")
            total = next(r for r in csv.reader(io.StringIO(body)) if r and r[0] == "合计")
            if int(total[1]) != received:
                failed.append(f"{label}: the page counts {total[1]}, GROUP BY {received}")
        p50, p95, mx = _ms(t_page)
        rows.append(
            [
                f"{label} ({fmt_int(received)})",
                f"{p50:.0f}",
                f"{p95:.0f}",
                f"{mx:.0f}",
                f"{len(seen)}",
                f"{_ms(t_summary)[1]:.0f}",
                f"{_ms(t_raw)[1]:.0f}",
                f"{_ms(t_plain)[1]:.1f}",
            ]
        )
    print_table(
        "Pages from the summary vs the same figures from the raw tables (ms; complaints in the period)",
        [
            "scenario",
            "page p50",
            "page p95",
            "max",
            "queries",
            "figures: summary p95",
            "raw tables p95",
            "GROUP BY state p95",
        ],
        rows,
    )
    print(
        f"\nworker memory (this process, the pages): peak {_peak_mb():.0f} MB (before the pages {rss_before:.0f} MB)"
    )

    export_rows = []
    for n in args.export_rows:
        line = _child(["--export-child", str(n)])
        if line.startswith("FAILED"):
            failed.append(f"export of {n} rows: {line}")
            continue
        secs, got, size, mb = line.split()
        export_rows.append([fmt_int(int(got)), secs, f"{int(size) / 1e6:.1f}", mb])
    print_table(
        "Complaint list export (.xlsx), each in its own process",
        ["rows", "s", "MB file", "peak MB"],
        export_rows,
    )
    if failed:
        print("\n".join(failed))
        print("FAILED")
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
