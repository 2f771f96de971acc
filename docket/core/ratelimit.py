"""Rate limits shared by pages and the API: fixed windows counted with the cache's atomic `incr`, keyed by
the window's start — so the count holds across app-server workers when the cache is Redis (REDIS_URL),
costs one cache round trip per request, and time comes from `clock.now()` (tests move it with
time-machine). With the embedded default's local-memory cache each worker process counts on its own.
Rates are written like "30/10m" (30 per 10 minutes) and read from settings at request time.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest

from docket.core import clock

_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*(s|sec|m|min|h|hour|d|day)\s*$")
_SECONDS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}
# Overridden per test, so counts never leak from one test to the next through a shared Redis.
KEY_PREFIX = "throttle"


def parse_rate(rate: str | None) -> tuple[int, int] | None:
    """ "30/10m" → (30, 600); "" or None → None (no limit)."""
    if not rate:
        return None
    m = _RATE.match(rate)
    if m is None:
        raise ValueError(f"bad throttle rate {rate!r} (expected e.g. 30/10m)")
    return int(m.group(1)), int(m.group(2) or 1) * _SECONDS[m.group(3)]


def hit(scope: str, ident: str, rate: str | None) -> float | None:
    """Count one request; None when allowed, else the seconds until the window ends."""
    parsed = parse_rate(rate)
    if parsed is None:
        return None
    limit, period = parsed
    now = clock.now().timestamp()
    window = int(now // period)
    key = f"{KEY_PREFIX}:{scope}:{ident}:{period}:{window}"
    count = _incr(key, period + 5)
    if count <= limit:
        return None
    return max((window + 1) * period - now, 1.0)


def _incr(key: str, timeout: int) -> int:
    """Add one to the window's counter and return it. On Redis one round trip (INCR and EXPIRE in a
    pipeline: atomic across workers); on other caches add-then-incr."""
    store = caches["default"]
    if isinstance(store, RedisCache):
        raw = store.make_and_validate_key(key)
        pipe = store._cache.get_client(raw, write=True).pipeline()
        pipe.incr(raw)
        pipe.expire(raw, timeout)
        return int(pipe.execute()[0])
    store.add(key, 0, timeout=timeout)
    try:
        return store.incr(key)
    except ValueError:  # expired between add and incr
        store.add(key, 1, timeout=timeout)
        return 1


def client_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or with DOCKET_NUM_PROXIES trusted proxies in front, the
    address the outermost trusted proxy saw (X-Forwarded-For, counted from the right — the left part is
    whatever the client claims)."""
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    proxies = settings.DOCKET_NUM_PROXIES
    xff = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not xff:
        return remote
    addrs = [a.strip() for a in xff.split(",") if a.strip()]
    return addrs[-min(proxies, len(addrs))] if addrs else remote
