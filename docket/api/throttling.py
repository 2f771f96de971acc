"""Throttling: 429 `throttled` with a `Retry-After` header (ninja's throttle hook).

Fixed windows counted with the cache's atomic `incr`, keyed by the window's start — so the count holds
across app-server workers when the cache is Redis (REDIS_URL), costs one cache round trip per request, and
time comes from `clock.now()` (tests move it with time-machine). With the embedded default's local-memory
cache each worker process counts on its own. Rates come from settings at request time:

- `DOCKET_API_RECEIPT_RATE` (default 30 per 10 minutes): the public receipt check, per client address —
  it needs no sign-in and could otherwise be used to guess check codes.
- `DOCKET_API_KEY_RATE` (default 6000 per minute): every request made with one API key.
"""

from __future__ import annotations

import re
import threading

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest
from ninja.throttling import BaseThrottle

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


class _Throttle(BaseThrottle):
    # ninja asks allow_request() then wait() on the same shared instance; keep the wait per thread.
    _local = threading.local()

    def wait(self) -> float | None:
        return getattr(self._local, "wait", None)

    def _allow(self, scope: str, ident: str, rate: str | None) -> bool:
        self._local.wait = hit(scope, ident, rate)
        return self._local.wait is None


class ReceiptThrottle(_Throttle):
    """The public receipt check, per client address."""

    def allow_request(self, request: HttpRequest) -> bool:
        return self._allow("receipt", client_address(request), settings.DOCKET_API_RECEIPT_RATE)


class ApiKeyThrottle(_Throttle):
    """Every request made with one API key (session users of the web UI are not counted)."""

    def allow_request(self, request: HttpRequest) -> bool:
        key = getattr(request, "api_key", None)
        if key is None:
            return True
        return self._allow("key", str(key.pk), settings.DOCKET_API_KEY_RATE)
