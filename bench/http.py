"""Measure the staff pages over HTTP on the database bench.generate loaded (issue 4, "speed at size").

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/docket_bench uv run python -m bench.http

1. picks the department supervisor role with the most open complaints held by its department and gives a
   bench user (`bench_http`) that role through `role_grant`, with a fresh random password set through Django;
2. starts granian (WSGI, `config.wsgi:application`, `--workers 3 --blocking-threads 2` as README.md deploys it,
   127.0.0.1, a free port) with the production settings (`config.settings.prod`: DEBUG off, a random secret
   key, ALLOWED_HOSTS 127.0.0.1) and Redis as production has it (REDIS_URL, default
   redis://127.0.0.1:6379/13: sessions, throttles and generation stamps);
3. signs in through the real login form (GET /login/, POST with the CSRF token) and keeps the session cookie;
4. drives load with `wrk` — a separate process on 127.0.0.1, closed loop: each client sends its next request
   when the previous one is answered — against (a) the work queue (我的待办, `/complaints/work/`, first page:
   the department's open items sorted by due time), (b) the staff complaint list (`/complaints/`, first page
   of everything the supervisor may see, newest first: the visibility query) and (c) the complaint page of
   random complaints the user may see (half open, half ended) and (d) the top bar's search (issue 14: receipt
   numbers, last four digits of phones, parts of subjects and issues), first with 1 client, then with 8;
   each after a warm-up, for a fixed duration; prints p50/p95/p99/max latency, requests/s and the non-200
   responses;
5. stops granian (SIGTERM to its process group, SIGKILL after a grace period), also on error, SIGTERM or
   Ctrl-C.

Any non-200 response, socket error or timeout fails the run (exit status 1, `FAILED`). The 50 ms p95 target
is reported, not asserted: the machine's load moves it (client and server share the cores).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import secrets
import shutil
import sys
import tempfile
import time
import urllib.parse
from http.cookies import SimpleCookie
from pathlib import Path

from bench import fmt_int, machine_speed, setup_django
from bench.load import HOST, CpuMeter, Granian, fmt_ms, free_port, run_wrk

BENCH_USERNAME = "bench_http"
TARGET_P95_MS = 50.0

# wrk's Lua side: rotate through the paths (each thread from its own offset), send the session cookie, count
# every non-200 status, and print one JSON line with the summary and the latency percentiles (µs).
LUA = r"""
local paths = {%(paths)s}
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end

function init(args)
  wrk.headers["Cookie"] = "%(cookie)s"
  wrk.headers["Accept-Language"] = "zh-hans"
  idx = (tid * 7919) %% #paths
  non200 = 0
  codes = ""
end

function request()
  idx = idx %% #paths + 1
  return wrk.format("GET", paths[idx])
end

function response(status, headers, body)
  if status ~= 200 then
    non200 = non200 + 1
    if #codes < 200 then codes = codes .. status .. " " .. paths[idx] .. "; " end
  end
end

function done(summary, latency, requests)
  local n, c = 0, ""
  for _, t in ipairs(threads) do
    n = n + t:get("non200")
    c = c .. t:get("codes")
  end
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests": %%d, "duration_us": %%d, "bytes": %%d, "non200": %%d, "codes": "%%s", ' ..
    '"connect": %%d, "read": %%d, "write": %%d, "status": %%d, "timeout": %%d, ' ..
    '"p50": %%d, "p90": %%d, "p95": %%d, "p99": %%d, "max": %%d, "mean": %%.1f, "min": %%d}\n',
    summary.requests, summary.duration, summary.bytes, n, c,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(95), latency:percentile(99),
    latency.max, latency.mean, latency.min))
end
"""


# --------------------------------------------------------------------------------------------------
# Setup in this process (dev settings, the bench database)


def choose_department(username: str | None):
    """The department supervisor assignment whose department holds the most open complaints."""
    from django.db.models import Count

    from docket.accounts.models import Role, RoleAssignment
    from docket.complaints.models import TERMINAL_STATES, Complaint

    sups = RoleAssignment.objects.filter(role=Role.DEPT_SUPERVISOR).exclude(user__username=BENCH_USERNAME)
    if username:
        a = sups.filter(user__username=username).select_related("department__office").first()
        if a is None:
            sys.exit(f"no department supervisor called {username!r}")
        return a.department
    held = dict(
        Complaint.objects.exclude(state__in=TERMINAL_STATES)
        .filter(holder_department_id__in=sups.values("department_id"))
        .values_list("holder_department_id")
        .annotate(n=Count("id"))
        .values_list("holder_department_id", "n")
    )
    if not held:
        sys.exit("no open complaint is held by a department: run python -m bench.generate first")
    dept_id = max(held, key=lambda d: (held[d], -d))
    chosen = sups.filter(department_id=dept_id).select_related("department__office").first()
    assert chosen is not None  # dept_id came from these assignments
    return chosen.department


def bench_user(department, password: str):
    """`bench_http`, holding exactly the department supervisor role of `department` (through role_grant),
    with `password` set through Django's hasher."""
    from django.db import transaction

    from docket.accounts.models import Role, RoleAssignment, User
    from docket.accounts.services import role_grant

    with transaction.atomic():
        user, _ = User.objects.get_or_create(
            username=BENCH_USERNAME, defaults={"display_name": "压测部门主管"}
        )
        user.is_active = True
        user.set_password(password)
        user.save()
        RoleAssignment.objects.filter(user=user).exclude(
            role=Role.DEPT_SUPERVISOR, department=department
        ).delete()
        role_grant(user=user, role=Role.DEPT_SUPERVISOR, scope_obj=department)
    return user


def sample_complaints(user, n: int, seed: int) -> tuple[list[int], dict]:
    """n complaint ids the user may see, half open and half ended (fewer if there are not enough)."""
    from docket.complaints.access import complaints_visible_to
    from docket.complaints.models import TERMINAL_STATES

    visible = complaints_visible_to(user).order_by()
    open_ids = list(visible.exclude(state__in=TERMINAL_STATES).values_list("id", flat=True))
    ended_ids = list(visible.filter(state__in=TERMINAL_STATES).values_list("id", flat=True))
    rng = random.Random(seed)
    half = n // 2
    picked_open = rng.sample(open_ids, min(half, len(open_ids)))
    picked_ended = rng.sample(ended_ids, min(n - len(picked_open), len(ended_ids)))
    ids = picked_open + picked_ended
    rng.shuffle(ids)
    return ids, {
        "visible_open": len(open_ids),
        "visible_ended": len(ended_ids),
        "open": len(picked_open),
        "ended": len(picked_ended),
    }


def search_terms(ids: list[int], seed: int) -> list[str]:
    """What staff type into the top bar's search (issue 14), taken from complaints the user may see: a
    receipt number, the last four digits of a phone, four characters of a subject and of an issue."""
    from docket.complaints.models import Complaint, ComplaintIssue

    rng = random.Random(seed)
    terms: list[str] = []
    rows = list(
        Complaint.objects.filter(pk__in=ids).values_list("id", "receipt_no", "complainant_phone", "subject")
    )
    summaries = dict(
        ComplaintIssue.objects.filter(complaint_id__in=ids, seq=1).values_list("complaint_id", "summary")
    )
    for cid, receipt_no, phone, subject in rows:
        kind = rng.randrange(4)
        if kind == 0:
            terms.append(receipt_no)
        elif kind == 1 and len(phone) >= 4:
            terms.append(phone[-4:])
        elif kind == 2 and len(subject) >= 4:
            at = rng.randrange(len(subject) - 3)
            terms.append(subject[at : at + 4])
        elif len(summaries.get(cid, "")) >= 4:
            summary = summaries[cid]
            at = rng.randrange(len(summary) - 3)
            terms.append(summary[at : at + 4])
    return terms or ["电梯故障"]


def work_queue_size(user) -> int:
    from docket.complaints.selectors import work_queue_for

    return work_queue_for(user).count()


def queries_per_page(username: str, password: str, paths: list[str]) -> dict[str, int]:
    """SQL statements one request of each page runs (Django's test client in this process, signed in
    through the same login form; the session and user reads included)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    out = {}
    with override_settings(ALLOWED_HOSTS=["testserver", HOST]):
        client = Client()
        if not client.login(username=username, password=password):
            sys.exit("the bench user cannot sign in")
        for path in paths:
            with CaptureQueriesContext(connection) as ctx:
                r = client.get(path)
            if r.status_code != 200:
                sys.exit(f"{path}: HTTP {r.status_code} from the test client")
            out[path] = len(ctx.captured_queries)
    return out


# --------------------------------------------------------------------------------------------------
# HTTP as a browser does it


def request(
    port: int,
    method: str,
    path: str,
    *,
    headers: dict | None = None,
    body: str | None = None,
    timeout: float = 30.0,
):
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        return r.status, r.headers, r.read()
    finally:
        conn.close()


def warm_workers(port: int, session: str, paths: list[str], threads: int) -> float:
    """Each page requested by `threads` concurrent connections, twice, every answer awaited (up to a minute):
    every granian worker thread builds its per-process caches and its database connection before the first
    scenario. wrk's warm-up gives up on a request after its own seconds; a worker's first request takes about
    a second on an idle host (several on a busy one), so with a short warm-up (the smoke's 1 s) the first
    measured second could end before any answer came (CI, 2026-12-06). Returns the seconds it took."""
    from concurrent.futures import ThreadPoolExecutor

    t0 = time.perf_counter()
    headers = {"Cookie": f"sessionid={session}"}
    with ThreadPoolExecutor(max_workers=threads) as pool:
        for path in paths:
            for _ in range(2):
                answers = list(
                    pool.map(
                        lambda p: request(port, "GET", p, headers=headers, timeout=60.0), [path] * threads
                    )
                )
                bad = [status for status, _h, _b in answers if status != 200]
                if bad:
                    raise RuntimeError(f"warming {path}: HTTP {bad[0]}")
    return time.perf_counter() - t0


def _cookies(headers) -> dict[str, str]:
    jar = SimpleCookie()
    for value in headers.get_all("Set-Cookie") or []:
        jar.load(value)
    return {k: m.value for k, m in jar.items()}


def login(port: int, username: str, password: str) -> str:
    """Sign in through the login form; returns the session id."""
    status, headers, body = request(port, "GET", "/login/")
    if status != 200:
        raise RuntimeError(f"GET /login/: HTTP {status}")
    csrf = _cookies(headers).get("csrftoken")
    m = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if not (csrf and m):
        raise RuntimeError("no CSRF token on the login page")
    form = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": m.group(1).decode(),
            "username": username,
            "password": password,
            "next": "/complaints/work/",
        }
    )
    status, headers, _ = request(
        port,
        "POST",
        "/login/",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf}",
            "Referer": f"http://{HOST}:{port}/login/",
        },
    )
    session = _cookies(headers).get("sessionid")
    if status != 302 or not session:
        raise RuntimeError(f"login failed: HTTP {status}, session cookie {'set' if session else 'missing'}")
    status, _h, body = request(port, "GET", "/complaints/work/", headers={"Cookie": f"sessionid={session}"})
    if status != 200 or "我的待办".encode() not in body:
        raise RuntimeError(f"signed in, but the work queue answers HTTP {status}")
    return session


# --------------------------------------------------------------------------------------------------
# Load


def write_script(directory: Path, name: str, paths: list[str], session: str) -> Path:
    script = directory / f"{name}.lua"
    quoted = ", ".join(json.dumps(p) for p in paths)
    script.write_text(LUA % {"paths": quoted, "cookie": f"sessionid={session}"})
    return script


def print_table(title: str, header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    print(f"\n{title}")
    for i, r in enumerate([header, *rows]):
        print(
            "  "
            + "  ".join(
                str(c).ljust(w) if j == 0 else str(c).rjust(w)
                for j, (c, w) in enumerate(zip(r, widths, strict=True))
            )
        )
        if i == 0:
            print("  " + "  ".join("-" * w for w in widths))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.http", description=__doc__.split("\n\n")[0])
    ap.add_argument("--duration", type=float, default=30.0, help="seconds of measured load per scenario")
    ap.add_argument(
        "--warmup", type=float, default=5.0, help="seconds of unmeasured load before each scenario"
    )
    ap.add_argument(
        "--clients", type=int, default=8, help="concurrent clients (connections) of the loaded runs"
    )
    ap.add_argument("--workers", type=int, default=3, help="granian worker processes (3, as README.md)")
    ap.add_argument(
        "--blocking-threads",
        type=int,
        default=2,
        help="granian's threads per worker (2, as README.md's deployment; 0: granian's default)",
    )
    ap.add_argument(
        "--settings",
        default="config.settings.prod",
        help="the server's DJANGO_SETTINGS_MODULE (DEBUG must be off)",
    )
    ap.add_argument("--complaints", type=int, default=400, help="complaint pages to rotate through")
    ap.add_argument(
        "--user", default=None, help="take the department of this supervisor (default: the busiest)"
    )
    ap.add_argument("--timeout", type=float, default=10.0, help="a request slower than this counts as failed")
    ap.add_argument("--seed", type=int, default=20261125)
    args = ap.parse_args(argv)
    if shutil.which("wrk") is None:
        sys.exit("bench.http needs wrk (Debian: apt-get install -y wrk)")

    setup_django()
    from django.conf import settings
    from django.db import connection, connections

    database_url = os.environ["DATABASE_URL"]
    # The server runs as production deploys it (README.md, Deployment): with Redis, so sessions, throttles
    # and the generation stamps are read there, not from PostgreSQL and per-process memory.
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/13")
    t0 = time.perf_counter()
    load = os.getloadavg()
    dept = choose_department(args.user)
    password = secrets.token_urlsafe(18)
    user = bench_user(dept, password)
    ids, mix = sample_complaints(user, args.complaints, args.seed)
    if not ids:
        sys.exit("the bench user sees no complaint")
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*), count(*) FILTER (WHERE state NOT IN ('closed', 'unclosed', 'withdrawn')) "
            "FROM complaints_complaint"
        )
        total, open_total = cur.fetchone()
    queue = work_queue_size(user)
    print(
        f"docket bench http: {os.cpu_count()} cores (reference workload {machine_speed():.0f} ms, "
        f"bench.machine_speed), load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, "
        f"database {settings.DATABASES['default']['NAME']}: {fmt_int(total)} complaints ({fmt_int(open_total)} open)"
    )
    print(
        f"  user {BENCH_USERNAME}: {_roles(user)}; work queue {fmt_int(queue)} items (first page of 50 shown); "
        f"sees {fmt_int(mix['visible_open'])} open and {fmt_int(mix['visible_ended'])} ended complaints"
    )
    print(
        f"  complaint pages: {len(ids)} random ones the user may see ({mix['open']} open, {mix['ended']} ended)"
    )
    work_paths = ["/complaints/work/"]
    list_paths = ["/complaints/"]
    detail_paths = [f"/complaints/{i}/" for i in ids]
    search_paths = [f"/complaints/search/?q={urllib.parse.quote(t)}" for t in search_terms(ids, args.seed)]
    qcount = queries_per_page(
        BENCH_USERNAME, password, [work_paths[0], list_paths[0], detail_paths[0], search_paths[0]]
    )
    connections.close_all()

    log = Path(tempfile.gettempdir()) / f"docket-bench-http-granian-{os.getpid()}.log"
    port = free_port()
    print(
        f"  granian --interface wsgi --workers {args.workers} --blocking-threads {args.blocking_threads or 'default'} "
        f"on {HOST}:{port}, settings {args.settings}, REDIS_URL {redis_url} "
        f"(DEBUG off); load: wrk, {args.clients} and 1 client(s), warm-up {args.warmup:g} s, "
        f"{args.duration:g} s each"
    )
    server = Granian(
        port,
        workers=args.workers,
        threads=args.blocking_threads,
        settings=args.settings,
        log=log,
        env={"DATABASE_URL": database_url, "REDIS_URL": redis_url, "DOCKET_LOG_LEVEL": "WARNING"},
    )
    ok = True
    results: list[list[str]] = []
    failures: list[str] = []
    try:
        t_start = time.perf_counter()
        server.wait_ready("/login/")
        print(f"  server ready in {time.perf_counter() - t_start:.1f} s")
        session = login(port, BENCH_USERNAME, password)
        warm_conns = args.workers * max(args.blocking_threads, 1) * 2
        warmed = warm_workers(
            port, session, [work_paths[0], list_paths[0], detail_paths[0], search_paths[0]], warm_conns
        )
        print(f"  workers warmed in {warmed:.1f} s ({warm_conns} connections per page, twice)")
        meter = CpuMeter(server.proc.pid, settings.DATABASES["default"]["NAME"])
        with tempfile.TemporaryDirectory(prefix="docket-bench-http-") as tmp:
            scripts = {
                "work queue": (write_script(Path(tmp), "work", work_paths, session), work_paths[0]),
                "complaint list": (write_script(Path(tmp), "list", list_paths, session), list_paths[0]),
                "complaint page": (write_script(Path(tmp), "detail", detail_paths, session), detail_paths[0]),
                "search": (write_script(Path(tmp), "search", search_paths, session), search_paths[0]),
            }
            for name, (script, path) in scripts.items():
                for clients in (1, args.clients):
                    warm = run_wrk(port, script, clients, args.warmup, args.timeout)
                    la = os.getloadavg()[0]
                    with meter:
                        r = run_wrk(port, script, clients, args.duration, args.timeout)
                    cpu = meter.used
                    n = max(1, r["requests"])
                    bad = warm["non200"] + warm["errors"] + r["non200"] + r["errors"]
                    if not r["requests"]:
                        ok = False
                        failures.append(
                            f"{name}, {clients} client(s): no request answered in {args.duration:g} s"
                        )
                    elif bad:
                        ok = False
                        failures.append(
                            f"{name}, {clients} client(s): {r['non200'] + warm['non200']} non-200 "
                            f"({warm['codes']}{r['codes']}), {r['errors'] + warm['errors']} socket "
                            f"errors/timeouts"
                        )
                    results.append(
                        [
                            name,
                            str(clients),
                            fmt_int(r["requests"]),
                            f"{r['rps']:.1f}",
                            fmt_ms(r["p50"]),
                            fmt_ms(r["p95"]),
                            fmt_ms(r["p99"]),
                            fmt_ms(r["max"]),
                            str(r["non200"]),
                            str(r["errors"]),
                            f"{r['bytes'] / max(1, r['requests']) / 1024:.0f}",
                            str(qcount[path]),
                            f"{cpu['app'] * 1000 / n:.1f}",
                            f"{cpu['db'] * 1000 / n:.1f}",
                            f"{r['wrk_cpu'] * 1000 / n:.1f}",
                            f"{la:.1f}",
                            "yes" if r["requests"] and r["p95"] / 1000 < TARGET_P95_MS else "NO",
                        ]
                    )
                    print(
                        f"  {name}, {clients} client(s): {fmt_int(r['requests'])} requests, p95 {fmt_ms(r['p95'])} ms"
                    )
    except KeyboardInterrupt as exc:
        ok = False
        failures.append(f"interrupted ({exc})")
    except Exception as exc:  # noqa: BLE001 (reported, then the server is stopped)
        ok = False
        failures.append(f"{type(exc).__name__}: {exc}")
    finally:
        how = server.stop()
        print(f"  granian {how}")

    if results:
        print(
            "\nKiB: response size; queries: SQL statements per request; cpu app / db / wrk: CPU ms per request "
            "spent by granian's\nprocesses, by PostgreSQL's backends and by wrk; load: the 1-minute load "
            "average when the scenario started."
        )
        print_table(
            f"latency in ms (wrk, closed loop, {args.duration:g} s after a {args.warmup:g} s warm-up); "
            f"target: p95 < {TARGET_P95_MS:g} ms with {args.clients} clients",
            [
                "page",
                "clients",
                "requests",
                "req/s",
                "p50",
                "p95",
                "p99",
                "max",
                "non-200",
                "errors",
                "KiB",
                "queries",
                "cpu app",
                "cpu db",
                "cpu wrk",
                "load",
                "p95 < 50",
            ],
            results,
        )
    if failures:
        print("\nfailures:")
        for f in failures:
            print(f"  {f}")
        tail = server.tail()
        if tail:
            print("granian log (last lines):\n" + "\n".join("  " + x for x in tail.splitlines()))
    else:
        log.unlink(missing_ok=True)
    print(f"\n{time.perf_counter() - t0:.0f} s in all, load average now {os.getloadavg()[0]:.2f}")
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


def _roles(user) -> str:  # noqa: N802
    from docket.accounts.access import assignments_of, role_label

    return ", ".join(role_label(a) for a in assignments_of(user))


if __name__ == "__main__":
    sys.exit(main())
