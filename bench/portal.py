"""Portal filing speed (issue 11): complaints filed per second through the owners' portal form (multipart,
with a photo, by a phone proven with its SMS code) and the tracking page, at 8 clients, beside the API
intake (`POST /api/v1/complaints`, bench.intake's bodies) on the same server.

    uv run python -m bench.portal                         # or: make bench-portal
    uv run python -m bench.portal --duration 3 --warmup 1 # the smoke run

1. (re)creates its own database `docket_bench_portal` (BENCH_PG_URL, default postgres://postgres@127.0.0.1:
   5432), migrates it (or copies `--template DB`, as bench.intake) and builds bench.intake's organisation (offices with 400 rooms each, API keys);
2. starts granian (3 workers × 2 threads, as README.md, `config.settings.prod`, REDIS_URL) with the portal's per-address limits off
   and the R-EXP-4 limits per phone raised (still checked, never reached);
3. each client (a thread with its own cookies and keep-alive connection) proves its own phone — asks for a
   code, reads it from the outbox, types it — then in a closed loop files a complaint through
   `/p/o/<office>/file/` with one 640×480 photo carrying EXIF (checked, re-encoded, stored) and opens its
   tracking page; filings and tracking pages are timed apart;
4. runs the API intake for the same time with wrk at the same number of clients;
5. prints complaints/s and p50/p95 for the portal filing, the tracking page and the API intake, and
   verifies every portal filing: one per 302 answer, its `registered` event with via "portal", its photo.

Exit status 1 (`FAILED`) on any unexpected answer or incomplete filing. Figures are reported, not asserted.
"""

from __future__ import annotations

import argparse
import http.client
import io
import os
import re
import secrets
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.intake import (
    TEMPLATE_HELP,
    build_org,
    make_bodies,
    migrate_or_check,
    pg_url,
    recreate_database,
    write_script,
)
from bench.load import HOST, CpuMeter, Granian, free_port, run_wrk

DEFAULT_DB = "docket_bench_portal"
LIMIT_NEVER_REACHED = 10_000_000


def photo() -> bytes:
    from PIL import Image

    img = Image.new("RGB", (640, 480), (180, 120, 90))
    exif = Image.Exif()
    exif[0x010F] = "BenchCam"
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=85, exif=exif)
    return out.getvalue()


def multipart(fields: dict[str, str], files: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    boundary = "----docketbench" + secrets.token_hex(8)
    out = io.BytesIO()
    for k, v in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode())
    for field, name, content in files:
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{name}"\r\n'
            f"Content-Type: image/jpeg\r\n\r\n".encode()
        )
        out.write(content + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


class Client:
    """One owner's browser: cookies, one keep-alive connection, CSRF from the cookie."""

    def __init__(self, port: int):
        self.port = port
        self.conn = http.client.HTTPConnection(HOST, port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, body: bytes | None = None, ctype: str = ""
    ) -> tuple[int, str, str]:
        headers = {"Accept-Language": "zh-hans"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if ctype:
            headers["Content-Type"] = ctype
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                r = self.conn.getresponse()
                text = r.read().decode("utf-8", "replace")
                break
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
                if attempt == 2:
                    raise
        for name, value in r.getheaders():
            if name.lower() == "set-cookie":
                k, v = value.split(";", 1)[0].split("=", 1)
                self.cookies[k.strip()] = v.strip()
        return r.status, r.getheader("Location") or "", text

    def form(self, path: str, fields: dict[str, str], files=()) -> tuple[int, str, str]:
        body, ctype = multipart(
            {**fields, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}, list(files)
        )
        return self.request("POST", path, body, ctype)


def code_for(phone: str) -> str:
    from docket.notifications.models import Notification

    for _ in range(50):
        n = Notification.objects.filter(kind="one_time_code", address=phone).order_by("-id").first()
        if n is not None:
            m = re.search(r"\d{6}", n.body)
            if m is not None:
                return m.group(0)
        time.sleep(0.1)
    raise RuntimeError(f"no code for {phone}")


def prove(c: Client, phone: str) -> None:
    c.request("GET", "/p/phone/")
    status, _loc, text = c.form("/p/phone/", {"action": "send", "phone": phone})
    if status != 200:
        raise RuntimeError(f"code request answered {status}: {text[:200]}")
    status, loc, text = c.form(
        "/p/phone/", {"action": "check", "phone": phone, "code": code_for(phone), "next": ""}
    )
    if status != 302:
        raise RuntimeError(f"code check answered {status}: {text[:300]}")


class Worker(threading.Thread):
    def __init__(self, n: int, port: int, office: dict, stop_at: list[float], image: bytes):
        super().__init__(daemon=True)
        self.n, self.port, self.office, self.stop_at, self.image = n, port, office, stop_at, image
        self.filings: list[tuple[float, float]] = []  # (ended at, seconds)
        self.tracks: list[tuple[float, float]] = []
        self.errors: list[str] = []
        self.ready = threading.Event()
        self.go = threading.Event()

    def run(self) -> None:
        try:
            c = Client(self.port)
            prove(c, f"1390000{self.n:04d}")
            path = f"/p/o/{self.office['code']}/file/"
            c.request("GET", path)
            self.ready.set()
            self.go.wait()
            k = 0
            while time.perf_counter() < self.stop_at[0]:
                k += 1
                _rid, b, u, number = self.office["rooms"][(self.n * 37 + k) % len(self.office["rooms"])]
                building = self.office["buildings"][b]
                fields = {
                    "kind": "complaint",
                    "place": "room",
                    "building": str(building),
                    "unit": u,
                    "room": number,
                    "description": f"{b}{u}{number}卫生间顶板漏水，第{k}次反映（客户端{self.n}）😟",
                    "demand": "请尽快上门维修",
                    "name": "王先生",
                }
                t0 = time.perf_counter()
                status, loc, text = c.form(path, fields, [("photos", "漏水.jpg", self.image)])
                t1 = time.perf_counter()
                if status != 302 or not loc.startswith("/p/r/"):
                    self.errors.append(f"filing {status}: {text[:160]}")
                    continue
                self.filings.append((t1, t1 - t0))
                receipt_no = loc.rstrip("/").rsplit("/", 1)[-1]
                t0 = time.perf_counter()
                status, _loc, text = c.request("GET", f"/p/track/{receipt_no}/")
                t1 = time.perf_counter()
                if status != 200 or receipt_no not in text:
                    self.errors.append(f"tracking {status}: {text[:160]}")
                    continue
                self.tracks.append((t1, t1 - t0))
        except Exception as exc:  # noqa: BLE001 - reported as a failure of the run
            self.errors.append(f"{type(exc).__name__}: {exc}")
            self.ready.set()


def pct(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.portal", description=__doc__.split("\n\n")[0])
    ap.add_argument("--duration", type=float, default=20.0, help="seconds of measured load per scenario")
    ap.add_argument("--warmup", type=float, default=3.0)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--offices", type=int, default=6)
    ap.add_argument("--workers", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--database", default=DEFAULT_DB)
    ap.add_argument("--template", default=None, metavar="DB", help=TEMPLATE_HELP)
    ap.add_argument("--no-api", action="store_true", help="skip the API intake beside it")
    ap.add_argument(
        "--loaded",
        action="store_true",
        help="keep --database as it is (e.g. docket_bench with its million complaints) and add the bench's "
        "offices to it under fresh codes, instead of recreating it",
    )
    args = ap.parse_args(argv)
    if args.loaded and args.template:
        ap.error("--loaded keeps --database as it is: no --template with it")
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/13")
    t0 = time.perf_counter()
    if not args.loaded:
        recreate_database(args.database, args.template)
    var_dir = Path(tempfile.mkdtemp(prefix="docket-bench-portal-"))
    os.environ.update(
        {
            "DATABASE_URL": pg_url(args.database),
            "REDIS_URL": redis_url,
            "DOCKET_VAR_DIR": str(var_dir),
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        }
    )
    import django

    django.setup()
    from django.db import connections

    from docket.complaints.models import Attachment, Complaint, ComplaintEvent
    from docket.org.models import Building

    migrate_or_check(args.template)
    org = build_org(args.offices, tag=secrets.token_hex(2).upper() if args.loaded else "")
    for o in org["offices"]:
        o["buildings"] = dict(Building.objects.filter(community__office_id=o["id"]).values_list("name", "id"))
    connections.close_all()
    print(
        f"docket bench portal: {os.cpu_count()} cores; database {args.database} "
        f"({'loaded: ' + format(Complaint.objects.count(), ',') + ' complaints, ' if args.loaded else ''}"
        f"{'copied from ' + args.template + ', ' if args.template else '' if args.loaded else 'new, '}"
        f"{args.offices} offices) "
        f"in {time.perf_counter() - t0:.1f} s; {args.clients} clients, {args.duration:g} s per scenario"
    )
    port = free_port()
    server = Granian(
        port,
        workers=args.workers,
        threads=args.threads,
        settings="config.settings.prod",
        log=var_dir / "granian.log",
        env={
            "DOCKET_API_KEY_RATE": "10000000/m",
            "DOCKET_FILINGS_PER_DAY": str(LIMIT_NEVER_REACHED),
            "DOCKET_SAME_TEXT_PER_DAY": str(LIMIT_NEVER_REACHED),
            # the portal's limits per client address: every bench client shares 127.0.0.1
            "DOCKET_PORTAL_FILING_RATE": "",
            "DOCKET_PORTAL_CODE_IP_RATE": "",
            "DOCKET_PORTAL_RATE": "",
        },
        log_level="warning",
    )
    image = photo()
    failed, api = False, None
    tmp = Path(tempfile.mkdtemp(prefix="docket-bench-portal-wrk-"))
    try:
        server.wait_ready("/p/track/")
        before = Complaint.objects.order_by("-id").values_list("id", flat=True).first() or 0
        stop_at = [float("inf")]
        workers = [
            Worker(n, port, org["offices"][n % len(org["offices"])], stop_at, image)
            for n in range(args.clients)
        ]
        for w in workers:
            w.start()
        for w in workers:
            w.ready.wait(60)
        start = time.perf_counter()
        measure_from = start + args.warmup
        stop_at[0] = measure_from + args.duration
        with CpuMeter(server.proc.pid, args.database) as meter:
            for w in workers:
                w.go.set()
            for w in workers:
                w.join(args.warmup + args.duration + 60)
        filings = [s for w in workers for end, s in w.filings if end >= measure_from]
        tracks = [s for w in workers for end, s in w.tracks if end >= measure_from]
        errors = [e for w in workers for e in w.errors]
        total_filed = sum(len(w.filings) for w in workers)
        # checked before the API run, whose online bodies are complaints too
        portal = Complaint.objects.filter(id__gt=before)
        checked = (
            portal.count(),
            portal.exclude(
                id__in=ComplaintEvent.objects.filter(seq=1, kind="registered", payload__via="portal").values(
                    "complaint_id"
                )
            ).count(),
            portal.exclude(id__in=Attachment.objects.values("complaint_id")).count(),
        )
        if not args.no_api:
            connections.close_all()
            bodies = make_bodies(org, 2000, 20261204)
            script = write_script(tmp / "api.lua", bodies, secrets.token_hex(4))
            api = run_wrk(port, script, args.clients, args.duration)
    finally:
        server.stop()
    seconds = args.duration
    print(
        f"\n  {'what':<34} {'clients':>7} {'per s':>7} {'count':>6} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}"
    )

    def row(name: str, values: list[float]) -> None:
        print(
            f"  {name:<34} {args.clients:>7} {len(values) / seconds:>7.1f} {len(values):>6} "
            f"{pct(values, 50) * 1000:>7.0f} {pct(values, 95) * 1000:>7.0f} {max(values or [0]) * 1000:>7.0f}"
        )

    row("portal filing (form + 1 photo)", filings)
    row("portal tracking page", tracks)
    if api is not None:
        rate = api["accepted"] / api["seconds"]
        print(
            f"  {'API intake (POST /api/v1/complaints)':<34} {args.clients:>7} {rate:>7.1f} {api['accepted']:>6} "
            f"{api['p50'] / 1000:>7.0f} {api['p95'] / 1000:>7.0f} {api['max'] / 1000:>7.0f}"
        )
        if api["other"] or api["errors"]:
            failed = True
            print(f"  API non-201 answers: {api['codes'][:300]}")
    n = max(len(filings) + len(tracks), 1)
    print(
        f"  CPU over the portal run: app {meter.used['app']:.1f} s, PostgreSQL {meter.used['db']:.1f} s "
        f"({(meter.used['app'] + meter.used['db']) / n * 1000:.1f} ms per portal request)"
    )
    for e in errors[:10]:
        print(f"  ERROR: {e}")
    failed = failed or bool(errors)
    stored, no_event, no_photo = checked
    if stored != total_filed or no_event or no_photo:
        failed = True
        print(
            f"  INCOMPLETE: {stored} stored for {total_filed} filed, {no_event} without event, {no_photo} without photo"
        )
    else:
        print(
            f"  verified {stored} portal filings: each with its registration event (via portal) and its photo"
        )
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.rmtree(var_dir, ignore_errors=True)
    print("FAILED" if failed else "OK")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
