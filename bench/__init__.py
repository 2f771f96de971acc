"""Benchmarks of Docket at scale, run against PostgreSQL only (see bench/README.md and `make bench`).

`bench.generate` bulk-loads a large organisation's history with COPY; `bench.sweep` measures the overdue
sweep on it. Both use one fixed "now" (BENCH_NOW) so every run is the same, whatever the date.
Nothing here is imported by the application or collected by the test suite.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import UTC, datetime

# Wednesday 25 November 2026, 10:30 in Shanghai: a working day inside the last year the calendar package
# covers, so every due time the benchmark computes is final (never provisional).
BENCH_NOW = datetime(2026, 11, 25, 2, 30, tzinfo=UTC)
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/docket_bench"


def parse_now(value: str | None) -> datetime:
    """An aware datetime from ISO text (UTC when no offset is given); BENCH_NOW when empty."""
    if not value:
        return BENCH_NOW
    at = datetime.fromisoformat(value)
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def setup_django() -> None:
    """Configure Django for a benchmark script: dev settings, and a PostgreSQL DATABASE_URL (required)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(
            "bench needs PostgreSQL: set DATABASE_URL, e.g.\n"
            f"  DATABASE_URL={DEFAULT_DATABASE_URL} uv run python -m bench.generate ..."
        )
    import django

    django.setup()


def conninfo() -> str:
    """libpq connection string of Django's default database (for psycopg connections of our own)."""
    from django.conf import settings
    from psycopg.conninfo import make_conninfo

    db = settings.DATABASES["default"]
    parts = {
        "dbname": db["NAME"],
        "user": db.get("USER"),
        "password": db.get("PASSWORD"),
        "host": db.get("HOST"),
        "port": str(db["PORT"]) if db.get("PORT") else None,
    }
    return make_conninfo(**{k: v for k, v in parts.items() if v})


def fmt_int(n: float) -> str:
    return f"{n:,.0f}".replace(",", " ")


def machine_speed(rounds: int = 5) -> float:
    """Milliseconds of CPU a fixed pure-Python workload takes on this machine (the best of `rounds`): dicts,
    f-strings, attribute and list work, as a request's Python does. The benchmarks print it beside their
    CPU figures, so figures taken on different machines can be compared: the same code measured 1.7-2.5x
    apart from one session's machine to the next (docs/decisions.md, "prefetch2")."""

    class Row:
        __slots__ = ("id", "name")

        def __init__(self, i: int, name: str) -> None:
            self.id, self.name = i, name

    def workload() -> int:
        out: list[str] = []
        for i in range(100_000):
            row = Row(i, f"row{i}")
            d: dict[str, str | int] = {"id": row.id, "name": row.name}
            out.append(f"{d['name']}{d['id']}")
        return len(out)

    best = float("inf")
    for _ in range(rounds):
        t = time.thread_time()
        workload()
        best = min(best, time.thread_time() - t)
    return best * 1000
