"""Server and load plumbing shared by the HTTP benchmarks (`bench.http`, `bench.intake`).

- `Granian`: the app server under test — granian (WSGI, `config.wsgi:application`) with N workers and
  blocking threads on 127.0.0.1, in its own process group, with production-like settings; `wait_ready()`,
  `tail()` of its log, `stop()` (SIGTERM to the group, SIGKILL after a grace period, stragglers reaped);
  while it runs, SIGTERM to the benchmark raises KeyboardInterrupt, so the caller's `finally` stops it;
- `run_wrk()`: one closed-loop wrk run with a Lua script whose `done()` prints one `BENCHJSON {...}` line
  (the script's own counters, the latency percentiles in µs and wrk's socket errors);
- `CpuMeter`: CPU seconds of the server's process group and of its database's PostgreSQL backends over a
  run, from /proc (wall-clock latency on a shared machine moves with whatever else runs; CPU per request
  much less).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def fmt_ms(us: float) -> str:
    """Microseconds (wrk's unit) as milliseconds with one decimal."""
    return f"{us / 1000:.1f}"


def _sigterm_interrupts(signum, _frame):
    raise KeyboardInterrupt(f"signal {signum}")


class ServerProcess:
    """A server process in its own process group; `stop()` is idempotent and always reaps the group.

    It runs with `settings` (DEBUG off: DJANGO_DEBUG is dropped), a random DJANGO_SECRET_KEY,
    DJANGO_ALLOWED_HOSTS=127.0.0.1, DOCKET_SECURE_COOKIES=0 (plain HTTP on the loopback: with the Secure
    flag no client would send the cookies back) and DOCKET_SSL_REDIRECT=0 (the TLS proxy redirects, not the
    app), in this process's environment plus `env`.

    Until `stop()`, SIGTERM raises KeyboardInterrupt in the main thread (as Ctrl-C does): construct it in the
    main thread and stop it in a `finally`, and a `kill` of the benchmark does not leave it behind."""

    def __init__(self, cmd: list[str], *, settings: str, log: Path, env: dict[str, str] | None = None):
        self.log = log
        server_env = dict(os.environ)
        server_env.pop("DJANGO_DEBUG", None)
        server_env.update(
            {
                "DJANGO_SETTINGS_MODULE": settings,
                "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
                "DJANGO_ALLOWED_HOSTS": HOST,
                "DOCKET_SECURE_COOKIES": "0",
                # Plain HTTP on the loopback stands where the TLS proxy's traffic would arrive: no redirect
                # to https (the proxy's job, not measured here) and no HSTS.
                "DOCKET_SSL_REDIRECT": "0",
                "DOCKET_HSTS_SECONDS": "0",
                "PYTHONUNBUFFERED": "1",
            }
        )
        server_env.update(env or {})
        self._how: str | None = None
        self._logf = open(log, "wb")  # noqa: SIM115 (closed in stop())
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, env=server_env, stdout=self._logf, stderr=subprocess.STDOUT, start_new_session=True
        )
        self._old_sigterm = signal.signal(signal.SIGTERM, _sigterm_interrupts)

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, grace: float = 15.0) -> str:
        """SIGTERM to the process group, SIGKILL after `grace` seconds, then SIGKILL to whatever is left in
        the group (workers that outlived the main process). Ctrl-C and SIGTERM are held back meanwhile (in
        the main thread) and delivered once the server is gone, SIGTERM to the handler it had before.
        Returns how it went."""
        if self._how is not None:
            return self._how
        main = threading.current_thread() is threading.main_thread()
        held = {signal.SIGINT, signal.SIGTERM}
        if main:
            signal.pthread_sigmask(signal.SIG_BLOCK, held)
        try:
            if self.proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGTERM)
                try:
                    self.proc.wait(grace)
                    how = "stopped (SIGTERM)"
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(self.proc.pid, signal.SIGKILL)
                    self.proc.wait(5)
                    how = "killed (SIGKILL after the grace period)"
            else:
                how = f"had already exited ({self.proc.returncode})"
            with contextlib.suppress(ProcessLookupError, PermissionError):  # workers left in the group
                os.killpg(self.proc.pid, signal.SIGKILL)
            self._logf.close()
            self._how = how
        finally:
            if self._old_sigterm is not None:
                signal.signal(signal.SIGTERM, self._old_sigterm)
                self._old_sigterm = None
            if main:
                signal.pthread_sigmask(signal.SIG_UNBLOCK, held)
        return how


class Granian(ServerProcess):
    """granian (WSGI, `config.wsgi:application`) with `workers` processes on 127.0.0.1:`port`; `threads` is its
    `--blocking-threads` per worker (None or 0: granian's default). See ServerProcess."""

    def __init__(
        self,
        port: int,
        *,
        workers: int,
        threads: int | None,
        settings: str,
        log: Path,
        env: dict[str, str] | None = None,
        log_level: str | None = None,
    ):
        self.port = port
        cmd = [
            sys.executable,
            "-m",
            "granian",
            "--interface",
            "wsgi",
            "--workers",
            str(workers),
            *(["--blocking-threads", str(threads)] if threads else []),
            "--host",
            HOST,
            "--port",
            str(port),
            "--no-ws",
            *(["--log-level", log_level] if log_level else []),
            "config.wsgi:application",
        ]
        super().__init__(cmd, settings=settings, log=log, env=env)

    def wait_ready(self, path: str, timeout: float = 90.0) -> None:
        """Wait until GET `path` answers 200; RuntimeError (with the log's tail) if granian exits or the
        time runs out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"granian exited with status {self.proc.returncode}:\n{self.tail()}")
            conn = http.client.HTTPConnection(HOST, self.port, timeout=5)
            try:
                conn.request("GET", path)
                r = conn.getresponse()
                r.read()
                if r.status == 200:
                    return
            except OSError:
                pass
            finally:
                conn.close()
            time.sleep(0.3)
        raise RuntimeError(f"granian not ready after {timeout:.0f} s:\n{self.tail()}")


class HueyWorker(ServerProcess):
    """The background worker as README.md deploys it (`manage.py run_huey`, `threads` worker threads),
    without the periodic jobs (the one consumer that runs them is not what a benchmark measures)."""

    def __init__(self, *, threads: int, settings: str, log: Path, env: dict[str, str] | None = None):
        cmd = [sys.executable, "manage.py", "run_huey", "--workers", str(threads), "--no-periodic"]
        super().__init__(cmd, settings=settings, log=log, env=env)


def run_wrk(port: int, script: Path, clients: int, seconds: float, timeout_s: float = 10.0) -> dict:
    """One wrk run (closed loop, min(clients, 2) threads) against http://127.0.0.1:port/ with a Lua script
    that prints `BENCHJSON {...}`: its fields (requests, duration_us, connect/read/write/timeout errors,
    p50/p95/p99/max in µs, and the script's own counters), plus `errors` (socket errors and timeouts),
    `seconds`, `rps` (requests per second) and `wrk_cpu` (CPU seconds wrk used)."""
    cmd = [
        "wrk",
        f"-t{min(clients, 2)}",
        f"-c{clients}",
        f"-d{max(1, round(seconds))}s",
        f"--timeout={timeout_s:g}s",
        "-s",
        str(script),
        f"http://{HOST}:{port}/",
    ]
    before = os.times()
    # errors="replace": the Lua scripts quote the first bytes of error bodies, and a cut can fall inside a
    # UTF-8 sequence (Chinese messages); strict=False below: such a body may hold control characters.
    p = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=seconds + timeout_s + 60,
    )
    after = os.times()
    line = next((x for x in p.stdout.splitlines() if x.startswith("BENCHJSON ")), None)
    if p.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
    r = json.loads(line.removeprefix("BENCHJSON "), strict=False)
    r["errors"] = r["connect"] + r["read"] + r["write"] + r["timeout"]
    r["seconds"] = r["duration_us"] / 1e6
    r["rps"] = r["requests"] / r["seconds"]
    r["wrk_cpu"] = (after.children_user + after.children_system) - (
        before.children_user + before.children_system
    )
    return r


# --------------------------------------------------------------------------------------------------
# CPU time from /proc


def _cpu_sample(server_group: int, database: str, worker_group: int | None = None) -> dict:
    """{(kind, pid, start time): CPU ticks} for the app server's processes (its process group: "app"), the
    background worker's (its process group, when given: "worker") and the PostgreSQL backends serving
    `database` ("db"; other databases' backends — other users of the machine — not counted). Keyed by start
    time too, so that a reused pid is another process."""
    out = {}
    needle = f" {database} ".encode()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat", "rb") as f:
                stat = f.read()
            comm, rest = stat.split(b" (", 1)[1].rsplit(b")", 1)
            fields = rest.split()
            if int(fields[2]) == server_group:
                kind = "app"
            elif worker_group is not None and int(fields[2]) == worker_group:
                kind = "worker"
            elif comm == b"postgres":
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    cmd = f.read()
                if not (cmd.startswith(b"postgres: ") and needle in cmd):
                    continue
                kind = "db"
            else:
                continue
            out[(kind, pid, int(fields[19]))] = int(fields[11]) + int(fields[12])  # utime + stime
        except (OSError, IndexError, ValueError):
            continue
    return out


def group_cpu_seconds(group: int) -> float:
    """CPU seconds used so far by the live processes of one process group."""
    ticks = sum(n for (kind, *_), n in _cpu_sample(group, "\0").items() if kind == "app")
    return ticks / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    """CPU seconds of the app server (the process group `server_group`) and of the PostgreSQL backends of
    `database` over a run, sampled twice a second so that backends which close their connection during the
    run (CONN_MAX_AGE) still count up to their last sample. With `worker_group` (the background worker's
    process group) its CPU is counted too, as "worker"; its database work is in "db".

        with CpuMeter(server.proc.pid, "docket_bench") as meter:
            r = run_wrk(...)
        meter.used  # {"app": seconds, "db": seconds, "worker": seconds}
    """

    def __init__(self, server_group: int, database: str, worker_group: int | None = None):
        self.args = (server_group, database, worker_group)
        self.used: dict[str, float] = {}
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self.first = _cpu_sample(*self.args)
        self.last = dict(self.first)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            self.last.update(_cpu_sample(*self.args))

    def stop(self) -> dict[str, float]:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._thread = None
            self.last.update(_cpu_sample(*self.args))
            hz = os.sysconf("SC_CLK_TCK")
            ticks = {"app": 0, "db": 0, "worker": 0}
            for key, n in self.last.items():
                ticks[key[0]] += n - self.first.get(key, 0)
            self.used = {k: v / hz for k, v in ticks.items()}
        return self.used

    def __enter__(self) -> CpuMeter:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
