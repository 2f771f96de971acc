"""Time the statistics page (R-ANA-1) on the database bench.generate loaded, beside the plain GROUP BY.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/docket_bench uv run python -m bench.analysis

For the office with the most complaints (its office manager) and for that office's company (its QM), over
the month before BENCH_NOW and over the twelve months before it:

1. the statistics page, rendered in process through Django's test client (middleware, the view, every
   query, the template): `/reports/statistics/?from=…&to=…&by=category` — the period beside the month and
   the year before, the category breakdown with its table, the 12-month trend;
2. the CSV download of the same breakdown (the grouped queries without the page around them);
3. the plain query a hand-written report would run: `SELECT state, count(*) … WHERE office_id/company_id = …
   AND received_at in the period GROUP BY state`.

Each is run `--runs` times after one warm-up; prints p50 / p95 / max in ms and the number of queries of the
page. The answers are checked (status 200, the CSV's total equals the GROUP BY's count): a mismatch prints
FAILED and exits 1. No target is asserted: the figures are for reading (bench/README.md).
"""

from __future__ import annotations

import argparse
import statistics as pystats
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


def _row(label: str, times: list[float], extra: str = "") -> list[str]:
    ms = [t * 1000 for t in times]
    return [label, f"{_pct(ms, 50):.1f}", f"{_pct(ms, 95):.1f}", f"{max(ms):.1f}", extra]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.analysis", description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=20, help="timed runs per scenario (after one warm-up)")
    args = ap.parse_args(argv)
    setup_django()

    import csv
    import io

    from django.db import connection
    from django.db.models import Count
    from django.test import Client

    from bench.sweep import print_table
    from docket.accounts.models import Role, RoleAssignment
    from docket.complaints.models import Complaint
    from docket.core import clock
    from docket.reports.statistics import day_bounds, shift_months

    today = clock.to_local(BENCH_NOW).date()
    month_end = today.replace(day=1) - timedelta(days=1)
    periods = {
        "month": (month_end.replace(day=1), month_end),
        "12 months": (shift_months(month_end.replace(day=1), -11), month_end),
    }
    top = Complaint.objects.values("office_id", "company_id").annotate(n=Count("id")).order_by("-n").first()
    if top is None:
        print("no complaints: run bench.generate first\nFAILED")
        return 1
    manager = RoleAssignment.objects.filter(role=Role.OFFICE_MANAGER, office_id=top["office_id"]).first()
    qm = RoleAssignment.objects.filter(role=Role.QM, company_id=top["company_id"]).first()
    if manager is None or qm is None:
        print("no office manager / QM in the loaded organisation\nFAILED")
        return 1
    print(
        f"complaints: {fmt_int(Complaint.objects.count())}; office {top['office_id']} holds "
        f"{fmt_int(top['n'])}; company {top['company_id']}; now {today}; {args.runs} runs each"
    )

    failed = []
    rows = []
    for who, assignment, column, scope_id in (
        ("office", manager, "office_id", top["office_id"]),
        ("company", qm, "company_id", top["company_id"]),
    ):
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(assignment.user)
        for pname, (d1, d2) in periods.items():
            url = f"/reports/statistics/?from={d1}&to={d2}&by=category"
            start, end = day_bounds(d1, d2)

            def page(url=url, client=client):
                r = client.get(url)
                if r.status_code != 200:
                    failed.append(f"{url}: {r.status_code}")
                return r

            def download(url=url, client=client):
                return client.get(url + "&format=csv")

            def plain(column=column, scope_id=scope_id, start=start, end=end):
                with connection.cursor() as cur:
                    cur.execute(
                        f"SELECT state, count(*) FROM complaints_complaint WHERE {column} = %s "  # noqa: S608
                        "AND received_at >= %s AND received_at < %s GROUP BY state",
                        [scope_id, start, end],
                    )
                    return dict(cur.fetchall())

            # Django empties connection.queries when a request starts: count through a wrapper instead.
            seen: list[str] = []
            with connection.execute_wrapper(
                lambda execute, sql, *a, seen=seen: (seen.append(sql), execute(sql, *a))[1]
            ):
                client.get(url)
            t_page, _ = _time(page, args.runs)
            t_csv, csv_answer = _time(download, args.runs)
            t_plain, counts = _time(plain, args.runs)
            received = sum(dict(counts).values())  # type: ignore[call-overload]
            lines = list(csv.reader(io.StringIO(csv_answer.content.decode("utf-8-sig"))))  # type: ignore[attr-defined]
            total = next(r for r in lines if r and r[0] == "合计")
            if int(total[1]) != received:
                failed.append(f"{who} {pname}: the page counts {total[1]}, GROUP BY {received}")
            label = f"{who}, {pname} ({fmt_int(received)} complaints)"
            rows.append(_row(f"{label}: page", t_page, f"{len(seen)} queries"))
            rows.append(_row(f"{label}: CSV", t_csv, ""))
            rows.append(_row(f"{label}: plain GROUP BY state", t_plain, "1 query"))
    print_table("Statistics page vs the plain GROUP BY (ms)", ["scenario", "p50", "p95", "max", ""], rows)
    if failed:
        print("\n".join(failed))
        print("FAILED")
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
