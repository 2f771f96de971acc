"""Time the top bar's search in process over bench.http's term list (issue 14), term by term.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/docket_bench DJANGO_SETTINGS_MODULE=config.settings.dev \
        uv run python -m bench.search_probe [--passes 3] [--explain 5] [--ids out.json]

The bench user and its terms are bench.http's (the busiest department supervisor, the same seed and the same
400 sampled complaints, so the same terms). Every term is searched once to warm the caches, then `--passes`
times; a term's time is the median of its passes, the page's statements included (`search_for(...,
need=51)` read as the search page reads it). Prints p50/p95/max over the terms, the slowest terms with their
statements' times and, with `--explain`, PostgreSQL's EXPLAIN (ANALYZE, BUFFERS) of the slowest terms'
statements. `--ids` writes each term's result ids (pages 1 and 2) to a JSON file to compare two versions.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from bench import setup_django


def _page(user, text: str, number: int) -> list[int]:
    from docket.complaints import selectors

    size = selectors.LIST_PAGE_SIZE
    need = number * size + 1
    rows = selectors.search_for(user, text, need=need).only(*selectors.LIST_ROW_FIELDS)
    start = (number - 1) * size
    return [c.id for c in rows[start : start + size + 1]]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--passes", type=int, default=3)
    ap.add_argument("--explain", type=int, default=0, help="EXPLAIN the statements of the N slowest terms")
    ap.add_argument("--slowest", type=int, default=15)
    ap.add_argument("--ids", default="", help="write each term's result ids (pages 1 and 2) to this file")
    ap.add_argument("--complaints", type=int, default=400)
    ap.add_argument("--seed", type=int, default=20261125)
    ap.add_argument("--terms", default="", help="only these terms (comma-separated)")
    args = ap.parse_args(argv)

    setup_django()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.http import BENCH_USERNAME, choose_department, sample_complaints, search_terms
    from docket.accounts.models import User

    user = User.objects.filter(username=BENCH_USERNAME).first()
    if user is None:
        from bench.http import bench_user

        user = bench_user(choose_department(None), "probe-only-password")
    ids, _mix = sample_complaints(user, args.complaints, args.seed)
    terms = args.terms.split(",") if args.terms else search_terms(ids, args.seed)
    print(f"{len(terms)} terms, user {user.username}")

    results: dict[str, list[list[int]]] = {}
    for t in terms:  # warm-up (and the ids of pages 1 and 2)
        results[t] = [_page(user, t, 1), _page(user, t, 2) if args.ids else []]
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        backend = cur.fetchone()[0]

    def cpu() -> float:
        """This process's CPU time plus its PostgreSQL backend's (ns-exact schedstat), in ms."""
        with open(f"/proc/{backend}/schedstat") as f:
            pg = int(f.read().split()[0]) / 1e6
        return time.process_time() * 1000 + pg

    times: dict[str, float] = {}
    cpus: dict[str, float] = {}
    statements: dict[str, list[tuple[float, str]]] = {}
    for t in terms:
        runs, used = [], []
        for _ in range(args.passes):
            with CaptureQueriesContext(connection) as ctx:
                c0, t0 = cpu(), time.perf_counter()
                _page(user, t, 1)
                runs.append((time.perf_counter() - t0) * 1000)
                used.append(cpu() - c0)
        times[t] = statistics.median(runs)
        cpus[t] = statistics.median(used)
        statements[t] = [(float(q["time"]) * 1000, q["sql"]) for q in ctx.captured_queries]
    for name, values in (("time", times), ("CPU (app + PostgreSQL)", cpus)):
        ms = sorted(values.values())

        def pct(p: float, ms=ms) -> float:
            return ms[min(len(ms) - 1, int(round(p / 100 * (len(ms) - 1))))]

        print(
            f"search {name} in process over {len(ms)} terms: p50 {pct(50):.1f} ms, p90 {pct(90):.1f}, "
            f"p95 {pct(95):.1f}, p99 {pct(99):.1f}, max {ms[-1]:.1f}, mean {statistics.mean(ms):.1f}"
        )
    slow = sorted(cpus, key=cpus.get, reverse=True)  # type: ignore[arg-type]
    for t in slow[: args.slowest]:
        parts = ", ".join(f"{q:.0f}" for q, _sql in statements[t])
        print(
            f"  {times[t]:7.1f} ms (CPU {cpus[t]:6.1f})  {t!r:12} {len(results[t][0])} rows; statements (ms): {parts}"
        )
    if args.ids:
        with open(args.ids, "w") as f:
            json.dump(results, f, ensure_ascii=False, indent=0)
        print(f"ids written to {args.ids}")
    for t in slow[: args.explain]:
        print(f"\n==== {t!r} ({times[t]:.1f} ms)")
        for q, sql in statements[t]:
            if q < 2:
                continue
            print(f"-- {q:.1f} ms: {sql[:3000]}")
            with connection.cursor() as cur:
                cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                print("\n".join(r[0] for r in cur.fetchall()))


if __name__ == "__main__":
    main()
