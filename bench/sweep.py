"""Measure the overdue sweep (complaints/services/overdue.py) on the database bench.generate loaded.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/docket_bench uv run python -m bench.sweep [--double-history]

1. the due-row selection (the sweep's only scan) at now: p50/p95 over repeated runs, and EXPLAIN (ANALYZE,
   BUFFERS) showing the partial index `obligation_next_check`; the same for the paused-complaint query;
2. one full pass at now: overdue_sweep(now=..., batch=...) called until a call finds nothing due — steps
   by kind, ms per step, queries per step, total;
3. a second pass at the same now: it must take no step, and no (obligation, step) may have been taken
   twice (also checked in the database: one sweep event per obligation and step, `step` = their number);
4. the selection again at now + 1 day (the rows coming due in the next day), then — with
   --double-history — after adding as many closed complaints as there are (via bench.generate --append,
   older history: complaints, issues, events, obligations), the same selection on the same due rows.

Every loop is bounded in time (--selection-seconds, --pass-seconds); the numbers are printed as tables.
The sweep changes the database (that is what it is for): run bench.generate --reset to start again.
"""

from __future__ import annotations

import argparse
import collections
import os
import statistics
import subprocess
import sys
import time
from datetime import timedelta

from bench import BENCH_NOW, fmt_int, parse_now, setup_django

SWEEP_KINDS = ("deadline_warning", "deadline_missed", "overdue_escalated")


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f}"


def _pct(values: list[float], p: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def db_figures() -> dict:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("""SELECT
            (SELECT count(*) FROM complaints_complaint),
            (SELECT count(*) FROM complaints_complaint WHERE state NOT IN ('closed', 'unclosed', 'withdrawn')),
            (SELECT count(*) FROM complaints_complaintevent),
            (SELECT count(*) FROM complaints_obligation),
            (SELECT count(*) FROM complaints_obligation WHERE next_check_at IS NOT NULL),
            pg_relation_size('obligation_next_check'),
            pg_relation_size('complaints_obligation'),
            pg_total_relation_size('complaints_obligation'),
            pg_database_size(current_database())""")
        keys = (
            "complaints",
            "open",
            "events",
            "obligations",
            "in_index",
            "index_bytes",
            "table_bytes",
            "table_total_bytes",
            "db_bytes",
        )
        return dict(zip(keys, cur.fetchone(), strict=True))


def due_profile(now) -> list[tuple[str, int]]:
    """Where the running obligations' next checks are, relative to now."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            """SELECT
            count(*) FILTER (WHERE next_check_at <= %(now)s - interval '1 hour'),
            count(*) FILTER (WHERE next_check_at > %(now)s - interval '1 hour' AND next_check_at <= %(now)s),
            count(*) FILTER (WHERE next_check_at > %(now)s AND next_check_at <= %(now)s + interval '1 hour'),
            count(*) FILTER (WHERE next_check_at > %(now)s + interval '1 hour' AND next_check_at <= %(now)s + interval '1 day'),
            count(*) FILTER (WHERE next_check_at > %(now)s + interval '1 day'),
            count(*) FILTER (WHERE step = 0), count(*) FILTER (WHERE step = 1), count(*) FILTER (WHERE step >= 2)
            FROM complaints_obligation WHERE next_check_at IS NOT NULL""",
            {"now": now},
        )
        r = cur.fetchone()
    return [
        ("due more than 1 h ago", r[0]),
        ("due in the last hour", r[1]),
        ("due in the next hour", r[2]),
        ("due in 1 h .. 1 day", r[3]),
        ("due later", r[4]),
        ("of which not warned yet (step 0)", r[5]),
        ("warned (step 1)", r[6]),
        ("breached, escalating (step 2-3)", r[7]),
    ]


def selection_queryset(now, batch: int):
    """The sweep's due-row selection, exactly as overdue_sweep() builds it."""
    from docket.complaints.models import Obligation

    return (
        Obligation.objects.filter(next_check_at__lte=now)
        .order_by("next_check_at")
        .values_list("id", "complaint_id")[:batch]
    )


def resume_queryset(now, batch: int):
    from docket.complaints.models import Complaint

    return Complaint.objects.filter(paused_at__isnull=False, resume_on__lte=now).values_list("id", flat=True)[
        :batch
    ]


def time_query(qs_factory, seconds: float, max_runs: int) -> dict:
    """Run the query repeatedly (after 3 warm-up runs) until `seconds` or `max_runs`; latency figures."""
    for _ in range(3):
        list(qs_factory())
    times: list[float] = []
    rows = 0
    deadline = time.perf_counter() + seconds
    while len(times) < max_runs and time.perf_counter() < deadline:
        t = time.perf_counter()
        rows = len(list(qs_factory()))
        times.append(time.perf_counter() - t)
    return {
        "runs": len(times),
        "rows": rows,
        "p50": _pct(times, 50),
        "p95": _pct(times, 95),
        "max": max(times),
    }


def explain(qs) -> str:
    return qs.explain(analyze=True, buffers=True)


def _plan_summary(plan: str, index: str) -> tuple[str, str, str]:
    """(index used, buffers of the top node, execution time) of an EXPLAIN (ANALYZE, BUFFERS) text."""
    used = "yes" if f"using {index}" in plan.lower() or f"on {index}" in plan.lower() else "NO"
    hits = next((line.split("Buffers:")[1].strip() for line in plan.splitlines() if "Buffers:" in line), "")
    hits = hits.replace("shared hit=", "hit ").replace("read=", "read ")
    exec_ms = next(
        (
            line.split(":")[1].strip().replace(" ms", "")
            for line in plan.splitlines()
            if line.strip().startswith("Execution Time")
        ),
        "",
    )
    return used, hits, exec_ms


def update_counters() -> dict[str, tuple[int, int]]:
    """(rows updated, of which HOT) per table, from pg_stat_user_tables (cumulative)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT pg_stat_force_next_flush()")  # this backend's own counts, flushed when it idles
        cur.execute("SELECT pg_stat_clear_snapshot()")
        cur.execute(
            "SELECT relname, n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE relname IN "
            "('complaints_complaint', 'complaints_obligation')"
        )
        return {r[0]: (r[1], r[2]) for r in cur.fetchall()}


def commit_latency(n: int = 50) -> float:
    """Median seconds of an empty write transaction's COMMIT (the WAL flush every sweep step waits for)."""
    from django.db import connection, transaction

    times = []
    for _ in range(n):
        with transaction.atomic():
            with connection.cursor() as cur:
                cur.execute("SELECT txid_current()")  # an xid makes COMMIT write and flush a commit record
            t = time.perf_counter()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def calendars_warm() -> float:
    """Load every company's working calendar into the per-process cache (sla.duetimes.calendar_for keeps it
    60 s); returns the seconds one cache miss costs."""
    from docket.org.models import Company
    from docket.sla import duetimes

    duetimes.invalidate()
    ids = list(Company.objects.values_list("id", flat=True))
    t = time.perf_counter()
    for company_id in ids:
        duetimes.calendar_for(company_id)
    return (time.perf_counter() - t) / max(len(ids), 1)


class StatementTimer:
    """connection.execute_wrapper that times each statement, grouped by its text up to WHERE."""

    def __init__(self):
        self.by_sql = collections.defaultdict(lambda: [0, 0.0])
        self.count = 0
        self.wall = 0.0
        self.label = ""

    def __call__(self, execute, sql, params, many, context):
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            key = " ".join(sql.split(" WHERE ")[0].split())
            if key.startswith("SELECT"):
                key = "SELECT … " + key[key.find(" FROM ") + 1 :]
            entry = self.by_sql[key[:90]]
            entry[0] += 1
            entry[1] += time.perf_counter() - t
            self.count += 1


def run_pass(now, batch: int, seconds: float, label: str) -> dict:
    """overdue_sweep() until a call finds nothing due (or the time budget ends)."""
    from django.db import connection

    from docket.complaints.services.overdue import STEP_NAMES, overdue_sweep

    calls: list[tuple[float | None, int, int, int]] = []
    steps: list = []
    by_kind: collections.Counter[str] = collections.Counter()
    resumed = skipped = 0
    queries_sample = None
    started = time.perf_counter()
    timed_out = False
    while True:
        if time.perf_counter() - started > seconds:
            timed_out = True
            break
        if queries_sample is None:  # one small call with every statement timed (excluded from the timings)
            calendars_warm()
            timer = StatementTimer()
            t = time.perf_counter()
            with connection.execute_wrapper(timer):
                r = overdue_sweep(now=now, batch=50)
            timer.wall = time.perf_counter() - t
            queries_sample = (timer.count, len(r.steps) + r.resumed, timer)
            timer.label = f"{len(r.steps)} steps and {r.resumed} resumes"
            dt = None
        else:
            t = time.perf_counter()
            r = overdue_sweep(now=now, batch=batch)
            dt = time.perf_counter() - t
        calls.append((dt, len(r.steps), r.resumed, r.skipped))
        steps.extend(r.steps)
        by_kind.update(STEP_NAMES[s] for _ob, s in r.steps)
        resumed += r.resumed
        skipped += r.skipped
        if not r.steps and not r.resumed:
            break
    timed = [c for c in calls if c[0] is not None]
    working = [c for c in timed if c[1] or c[2]]
    work_s = sum(c[0] or 0.0 for c in working)
    work_n = sum(c[1] + c[2] for c in working)
    idle = [c[0] for c in timed if not (c[1] or c[2])]
    return {
        "label": label,
        "calls": len(calls),
        "steps": steps,
        "by_kind": by_kind,
        "resumed": resumed,
        "skipped": skipped,
        "total_s": time.perf_counter() - started,
        "work_s": work_s,
        "work_n": work_n,
        "idle_call_s": idle[-1] if idle else None,
        "queries": queries_sample,
        "timed_out": timed_out,
    }


def check_no_double_steps(passes: list[dict]) -> list[tuple[str, str, bool]]:
    """(check, figure, ok) rows: nothing taken twice, in memory and in the database."""
    from django.db import connection

    pairs = collections.Counter(pair for p in passes for pair in p["steps"])
    twice = [pair for pair, n in pairs.items() if n > 1]
    out = [
        ("(obligation, step) taken more than once across passes", str(len(twice)), not twice),
        ("steps taken by the second pass", str(len(passes[1]["steps"])), not passes[1]["steps"]),
    ]
    ob_ids = sorted({ob for ob, _s in pairs})
    if not ob_ids:
        return out
    with connection.cursor() as cur:
        cur.execute(
            """
            WITH obs AS (SELECT id, complaint_id, step FROM complaints_obligation WHERE id = ANY(%(ids)s)),
                 ev AS (SELECT (e.payload->>'obligation')::bigint AS ob, (e.payload->>'step')::int AS step
                        FROM complaints_complaintevent e JOIN (SELECT DISTINCT complaint_id FROM obs) c
                        ON c.complaint_id = e.complaint_id WHERE e.kind = ANY(%(kinds)s))
            SELECT (SELECT count(*) FROM (SELECT ob, step FROM ev GROUP BY ob, step HAVING count(*) > 1) d),
                   (SELECT count(*) FROM obs WHERE step <> (SELECT count(*) FROM ev WHERE ev.ob = obs.id)),
                   (SELECT count(*) FROM obs)""",
            {"ids": ob_ids, "kinds": list(SWEEP_KINDS)},
        )
        dup_events, mismatched, n = cur.fetchone()
        cur.execute("SELECT count(*), count(DISTINCT dedupe_key) FROM notifications_notification")
        notes, distinct = cur.fetchone()
    out += [
        (
            f"sweep events with the same (obligation, step), {fmt_int(n)} obligations touched",
            str(dup_events),
            dup_events == 0,
        ),
        (
            "obligations whose step differs from their number of sweep events",
            str(mismatched),
            mismatched == 0,
        ),
        (
            "notifications queued / distinct dedupe keys",
            f"{fmt_int(notes)} / {fmt_int(distinct)}",
            notes == distinct,
        ),
    ]
    return out


def chains_of_touched(passes: list[dict], sample: int) -> tuple[int, int]:
    """chain_verify on complaints the sweep appended to: its events continue the generated chains."""
    from docket.complaints.events import chain_verify
    from docket.complaints.models import Complaint, Obligation

    ob_ids = sorted({ob for p in passes for ob, _s in p["steps"]})[:sample]
    cids = set(Obligation.objects.filter(id__in=ob_ids).values_list("complaint_id", flat=True))
    broken = sum(1 for c in Complaint.objects.filter(id__in=cids).only("id", "receipt_no") if chain_verify(c))
    return len(cids), broken


def print_table(title: str, header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=True)]
    print(f"\n{title}")
    line = "  " + "  ".join(
        f"{h:<{w}}" if i == 0 else f"{h:>{w}}" for i, (h, w) in enumerate(zip(header, widths, strict=True))
    )
    print(line)
    print("  " + "-" * (len(line) - 2))
    for r in rows:
        print(
            "  "
            + "  ".join(
                f"{x:<{w}}" if i == 0 else f"{x:>{w}}" for i, (x, w) in enumerate(zip(r, widths, strict=True))
            )
        )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.sweep", description=__doc__.split("\n\n")[0])
    ap.add_argument("--now", default=None, help=f"ISO time taken as now (default {BENCH_NOW.isoformat()})")
    ap.add_argument(
        "--batch", type=int, default=500, help="overdue_sweep(batch=...) as the periodic task calls it"
    )
    ap.add_argument(
        "--selection-seconds", type=float, default=15.0, help="time budget of each latency series"
    )
    ap.add_argument("--selection-runs", type=int, default=300, help="at most this many runs per series")
    ap.add_argument("--pass-seconds", type=float, default=900.0, help="time budget of each sweep pass")
    ap.add_argument(
        "--double-history",
        action="store_true",
        help="then add as many closed complaints as there are (bench.generate --append) and re-measure",
    )
    ap.add_argument("--double-timeout", type=float, default=1800.0, help="time budget of the history load")
    ap.add_argument("--seed", type=int, default=20261125)
    args = ap.parse_args(argv)
    now = parse_now(args.now)
    later = now + timedelta(days=1)
    setup_django()
    from django.conf import settings
    from django.db import connection

    settings.DEBUG = False  # production runs without query logging; the query count is sampled on purpose
    ok = True
    t0 = time.perf_counter()
    load = os.getloadavg()
    figures = db_figures()
    if not figures["complaints"]:
        sys.exit("no complaints loaded: run python -m bench.generate first")
    print(
        f"docket bench sweep: now {now.isoformat()}, batch {args.batch}, {os.cpu_count()} cores, load average "
        f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, PostgreSQL {connection.pg_version // 10000}"  # type: ignore[attr-defined]
    )
    print(
        f"  {fmt_int(figures['complaints'])} complaints ({fmt_int(figures['open'])} open), "
        f"{fmt_int(figures['events'])} events, {fmt_int(figures['obligations'])} obligations, of which "
        f"{fmt_int(figures['in_index'])} in the partial index; database {figures['db_bytes'] / 2**30:.1f} GiB"
    )
    print_table(
        "running obligations (next_check_at set) before the pass",
        ["", "obligations"],
        [[k, fmt_int(v)] for k, v in due_profile(now)],
    )

    selection_rows = []
    plans = {}

    def measure(label: str, at, figs: dict) -> None:
        nonlocal ok
        sel = time_query(
            lambda: selection_queryset(at, args.batch), args.selection_seconds, args.selection_runs
        )
        plan = explain(selection_queryset(at, args.batch))
        used, hits, exec_ms = _plan_summary(plan, "obligation_next_check")
        plans[label] = plan
        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM complaints_obligation WHERE next_check_at <= %s", [at])
            due = cur.fetchone()[0]
        selection_rows.append(
            [
                label,
                fmt_int(figs["complaints"]),
                fmt_int(figs["obligations"]),
                fmt_int(figs["in_index"]),
                f"{figs['index_bytes'] / 2**20:.2f}",
                f"{figs['table_total_bytes'] / 2**20:.0f}",
                fmt_int(due),
                fmt_int(sel["rows"]),
                str(sel["runs"]),
                _ms(sel["p50"]),
                _ms(sel["p95"]),
                exec_ms,
                used,
                hits,
            ]
        )
        ok &= used == "yes"

    # 1. selection at now, before the pass
    measure("now, before the pass", now, figures)
    resume = time_query(
        lambda: resume_queryset(now, args.batch), args.selection_seconds / 3, args.selection_runs
    )
    resume_plan = explain(resume_queryset(now, args.batch))
    resume_used, _hits, _exec = _plan_summary(resume_plan, "complaint_paused_resume")
    print(
        f"\nEXPLAIN (ANALYZE, BUFFERS) of the sweep's selection at now\n  {selection_queryset(now, args.batch).query}"
    )
    print("\n".join("    " + line for line in plans["now, before the pass"].splitlines()))
    print(
        f"\nEXPLAIN (ANALYZE, BUFFERS) of the paused-complaint query at now (resume_on <= now): p50 "
        f"{_ms(resume['p50'])} ms, p95 {_ms(resume['p95'])} ms, {resume['rows']} rows"
    )
    print("\n".join("    " + line for line in resume_plan.splitlines()))
    ok &= resume_used == "yes"

    miss = calendars_warm()
    print(
        f"\none working-calendar cache miss (sla.duetimes.calendar_for, kept 60 s): {_ms(miss)} ms per company"
    )
    print(
        f"one COMMIT with synchronous_commit=on (each step is its own transaction): {_ms(commit_latency())} ms median"
    )

    # 2. and 3. two full passes at now
    before = update_counters()
    passes = [
        run_pass(now, args.batch, args.pass_seconds, "1st pass at now"),
        run_pass(now, args.batch, args.pass_seconds, "2nd pass at now"),
    ]
    rows = []
    for p in passes:
        k = p["by_kind"]
        per = p["work_s"] / p["work_n"] if p["work_n"] else None
        q, qn, _timer = p["queries"]
        rows.append(
            [
                p["label"] + (" (TIME BUDGET HIT)" if p["timed_out"] else ""),
                str(p["calls"]),
                fmt_int(len(p["steps"])),
                fmt_int(k["warned"]),
                fmt_int(k["breached"]),
                fmt_int(k["superior"]),
                fmt_int(k["qm"]),
                fmt_int(p["resumed"]),
                fmt_int(p["skipped"]),
                f"{p['total_s']:.1f}",
                _ms(per) if per else "-",
                f"{q / qn:.1f}" if qn else "-",
                _ms(p["idle_call_s"]) if p["idle_call_s"] is not None else "-",
            ]
        )
        ok &= not p["timed_out"]
    print_table(
        f"overdue_sweep(now=now, batch={args.batch}) called until nothing is due",
        [
            "pass",
            "calls",
            "steps",
            "warned",
            "breached",
            "superior",
            "qm",
            "resumed",
            "skipped",
            "total s",
            "ms/step",
            "queries/step",
            "idle call ms",
        ],
        rows,
    )
    after = update_counters()
    hot = [
        f"{t.removeprefix('complaints_')} {fmt_int(after[t][0] - before[t][0])} updated, "
        f"{fmt_int(after[t][1] - before[t][1])} HOT"
        for t in sorted(after)
        if t in before
    ]
    print("  rows the passes updated (pg_stat_user_tables): " + "; ".join(hot))
    q, qn, timer = passes[0]["queries"]
    if qn:
        sql_s = sum(v[1] for v in timer.by_sql.values())
        rows = [
            [k, f"{v[0] / qn:.2f}", _ms(v[1] / qn)]
            for k, v in sorted(timer.by_sql.items(), key=lambda kv: -kv[1][1])
        ]
        rows.append(["all statements (time in the driver and the server)", f"{q / qn:.2f}", _ms(sql_s / qn)])
        rows.append(
            ["the rest: Python (ORM, services, notify) and COMMIT", "", _ms((timer.wall - sql_s) / qn)]
        )
        print_table(
            f"where a step's time goes: the first call ({timer.label}, per action), every statement timed",
            ["statement (up to WHERE)", "per step", "ms/step"],
            rows,
        )
    checks = check_no_double_steps(passes)
    n_chk, broken = chains_of_touched(passes, 200)
    checks.append(
        (f"chain_verify on {n_chk} complaints the sweep appended to: broken", str(broken), broken == 0)
    )
    print_table(
        "no step taken twice",
        ["check", "figure", "ok"],
        [[c, f, "ok" if good else "WRONG"] for c, f, good in checks],
    )
    ok &= all(good for _c, _f, good in checks)

    # 4. selection of the next day's due rows, then with the closed history doubled
    measure("now + 1 day, after the passes", later, db_figures())
    if args.double_history:
        closed = figures["complaints"] - figures["open"]
        print(
            f"\ndoubling the closed history: bench.generate --append {fmt_int(closed)} closed complaints, "
            "received 3 to 6 years before now",
            flush=True,
        )
        cmd = [
            sys.executable,
            "-m",
            "bench.generate",
            "--append",
            "--complaints",
            str(closed),
            "--open-share",
            "0",
            "--years",
            "3",
            "--offset-years",
            "3",
            "--seed",
            str(args.seed + 1),
            "--now",
            now.isoformat(),
        ]
        connection.close()
        t = time.perf_counter()
        try:
            done = subprocess.run(cmd, timeout=args.double_timeout, check=False)
        except subprocess.TimeoutExpired:
            print("  the history load hit its time budget (rolled back)")
            return 1
        print(f"  loaded in {time.perf_counter() - t:.0f} s (exit {done.returncode})")
        if done.returncode:
            return done.returncode
        doubled = db_figures()
        measure("now + 1 day, closed history doubled", later, doubled)
        measure("now, closed history doubled", now, doubled)
        print(
            "\nEXPLAIN (ANALYZE, BUFFERS) of the selection at now + 1 day, before and after doubling the history"
        )
        for label in ("now + 1 day, after the passes", "now + 1 day, closed history doubled"):
            print(f"  [{label}]")
            print("\n".join("    " + line for line in plans[label].splitlines()))

    print_table(
        f"the sweep's due-row selection (LIMIT {args.batch}), {args.selection_runs} runs at most per row",
        [
            "when",
            "complaints",
            "obligations",
            "in index",
            "index MiB",
            "table MiB",
            "due",
            "rows",
            "runs",
            "p50 ms",
            "p95 ms",
            "plan ms",
            "index used",
            "buffers",
        ],
        selection_rows,
    )
    print(
        "  p50/p95: the ORM query end to end (Python, round trip, database); plan ms: EXPLAIN ANALYZE execution "
        "time in the server; buffers: pages the plan touched"
    )
    print(f"\n{'OK' if ok else 'FAILED'} in {time.perf_counter() - t0:.0f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
