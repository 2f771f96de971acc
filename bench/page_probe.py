"""CPU per staff page, in process, on the database bench.generate loaded (issue 14's "≤ 12 ms per request").

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/docket_bench REDIS_URL=redis://127.0.0.1:6379/13 \
        uv run python -m bench.page_probe \
        [--n 30] [--rounds 3] [--pages work,list,detail,search] [--profile detail] [--queries work]

Over HTTP (`bench.http`) the machine's swings move the figures by up to a third within half an hour; in
process they cancel when two versions are alternated. This probe signs the same bench user in as bench.http
(the busiest department's supervisor), then requests each page `--n` times per round through Django's test
client with DEBUG off, and prints per page: the app thread's CPU (`time.thread_time`) and the PostgreSQL
backend's CPU (utime + stime of its process in /proc, so PostgreSQL must run on this machine) per request,
the best of `--rounds` rounds and their median. `--profile PAGE` prints cProfile's top functions (own time and
cumulative) for that page instead. `--dump DIR` writes each page's HTML once (compare two versions' output).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import secrets
import statistics
import sys
import time
import urllib.parse
from pathlib import Path

from bench import machine_speed, setup_django
from bench.http import BENCH_USERNAME, bench_user, choose_department, sample_complaints, search_terms

TICKS = os.sysconf("SC_CLK_TCK")


def backend_cpu(pid: int) -> float:
    """Seconds of CPU the PostgreSQL backend `pid` has used (user + system)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.page_probe", description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=30, help="requests of each page per round")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--pages", default="work,list,detail,search")
    ap.add_argument("--profile", default="", help="profile this page with cProfile instead of timing")
    ap.add_argument("--dump", default="", help="write each page's HTML once into this directory")
    ap.add_argument(
        "--queries", default="", help="print the SQL statements of one request of this page, with their times"
    )
    ap.add_argument("--user", default=None, help="take the department of this supervisor")
    ap.add_argument("--seed", type=int, default=20261125)
    args = ap.parse_args(argv)

    setup_django()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    settings.DEBUG = False
    dept = choose_department(args.user)
    password = secrets.token_urlsafe(18)
    user = bench_user(dept, password)
    ids, _ = sample_complaints(user, 400, args.seed)
    terms = search_terms(ids, args.seed)
    paths = {
        "work": ["/complaints/work/"],
        "list": ["/complaints/"],
        "detail": [f"/complaints/{i}/" for i in ids],
        "search": [f"/complaints/search/?q={urllib.parse.quote(t)}" for t in terms],
    }
    pages = [p for p in args.pages.split(",") if p]
    with override_settings(ALLOWED_HOSTS=["testserver"]):
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        if not client.login(username=BENCH_USERNAME, password=password):
            sys.exit("the bench user cannot sign in")
        with connection.cursor() as cur:
            cur.execute("SELECT pg_backend_pid()")
            pid = cur.fetchone()[0]

        def get(path: str) -> None:
            r = client.get(path)
            if r.status_code != 200:
                sys.exit(f"{path}: HTTP {r.status_code}")

        for page in pages:  # warm: templates, caches, plans
            for p in paths[page][:20]:
                get(p)
        if args.dump:  # the CSRF tokens (masked afresh on every response) written as "X"
            out = Path(args.dump)
            out.mkdir(parents=True, exist_ok=True)
            token = re.compile(rb'(csrfmiddlewaretoken" value=")[^"]*')
            for page in pages:
                for k, p in enumerate(paths[page][:20]):
                    (out / f"{page}-{k}.html").write_bytes(token.sub(rb"\1X", client.get(p).content))
        if args.queries:
            from django.test.utils import CaptureQueriesContext

            with CaptureQueriesContext(connection) as captured:
                get(paths[args.queries][0])
            for q in captured.captured_queries:
                print(f"{float(q['time']) * 1000:7.2f} ms  {q['sql'][:400]}")
            print(f"{len(captured.captured_queries)} statements")
            return 0
        if args.profile:
            prof = cProfile.Profile()
            seq = paths[args.profile]
            prof.enable()
            for k in range(args.n):
                get(seq[k % len(seq)])
            prof.disable()
            st = pstats.Stats(prof)
            st.sort_stats("tottime").print_stats(35)
            st.sort_stats("cumulative").print_stats(60)
            return 0
        results: dict[str, list[tuple[float, float]]] = {p: [] for p in pages}
        offset = 0
        for _ in range(args.rounds):
            for page in pages:
                seq = paths[page]
                a0, b0 = time.thread_time(), backend_cpu(pid)
                for k in range(args.n):
                    get(seq[(offset + k) % len(seq)])
                a1, b1 = time.thread_time(), backend_cpu(pid)
                results[page].append(((a1 - a0) * 1000 / args.n, (b1 - b0) * 1000 / args.n))
            offset += args.n
    print(
        f"in process, {args.n} requests × {args.rounds} rounds, CPU ms per request: app + PostgreSQL "
        f"(this machine's reference workload: {machine_speed():.0f} ms, bench.machine_speed)"
    )
    for page, rows in results.items():
        best = min(rows, key=lambda r: r[0] + r[1])
        med_a = statistics.median(r[0] for r in rows)
        med_b = statistics.median(r[1] for r in rows)
        print(
            f"  {page:7s} best {best[0]:5.1f} + {best[1]:5.1f} = {best[0] + best[1]:5.1f}   "
            f"median {med_a:5.1f} + {med_b:5.1f} = {med_a + med_b:5.1f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
