"""Sign-in throttling and lockout (R-ORG-4).

Failed sign-ins are counted per user name and per client address in the default cache (Redis with
REDIS_URL, so every app-server worker sees the same counts). When either count reaches its limit
(`DOCKET_LOGIN_FAILURES_PER_USER`, `DOCKET_LOGIN_FAILURES_PER_ADDRESS`) within the window
(`DOCKET_LOGIN_WINDOW_MINUTES`, counted from the first failure), sign-in for that name or from that
address is refused — even with the right password — for one window from the failure that reached the limit. A wrong two-step code counts as a failure too. A complete sign-in clears the user name's count
(not the address's: one valid account must not reset a guesser's count). The staff login, the admin
login (redirected to it) and the two-step page all go through here.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from docket.core import clock

PREFIX = "login"


def client_address(request: HttpRequest) -> str:
    """REMOTE_ADDR, or with DOCKET_NUM_PROXIES trusted proxies in front the address the outermost trusted
    proxy saw (X-Forwarded-For counted from the right; the same rule as the API throttle)."""
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    proxies = settings.DOCKET_NUM_PROXIES
    xff = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not xff:
        return remote
    addrs = [a.strip() for a in xff.split(",") if a.strip()]
    return addrs[-min(proxies, len(addrs))] if addrs else remote


def _ident(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"{PREFIX}:{kind}:{digest}"


def _subjects(username: str, address: str) -> list[tuple[str, int]]:
    out = [(_ident("addr", address), settings.DOCKET_LOGIN_FAILURES_PER_ADDRESS)]
    if username:
        out.insert(0, (_ident("user", username), settings.DOCKET_LOGIN_FAILURES_PER_USER))
    return out


def _window() -> int:
    return settings.DOCKET_LOGIN_WINDOW_MINUTES * 60


def login_locked_until(*, username: str, address: str) -> datetime | None:
    """When sign-in for this user name or from this address is allowed again; None when it is now."""
    keys = [f"{ident}:lock" for ident, limit in _subjects(username, address) if limit > 0]
    if not keys:
        return None
    now = clock.now().timestamp()
    until = max(cache.get_many(keys).values(), default=0)
    return datetime.fromtimestamp(until, tz=clock.now().tzinfo) if until > now else None


def login_failure_record(*, username: str, address: str) -> datetime | None:
    """Count one failed sign-in; returns when sign-in opens again if this failure reached a limit."""
    now = clock.now()
    window = _window()
    locked = None
    for ident, limit in _subjects(username, address):
        if limit <= 0:
            continue
        key = f"{ident}:fails"
        cache.add(key, 0, timeout=window)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=window)
            count = 1
        if count >= limit:
            until = now + timedelta(seconds=window)
            cache.set(f"{ident}:lock", until.timestamp(), timeout=window)
            cache.delete(key)
            locked = max(locked, until) if locked else until
    return locked


def login_success_record(*, username: str) -> None:
    """A complete sign-in (password and, if enrolled, the two-step code): forget the name's failures."""
    cache.delete(f"{_ident('user', username)}:fails")


def login_unlock(*, username: str = "", address: str = "") -> None:
    """Lift a lockout early (an administrator, `manage.py login_unlock`): forget the locks and counts."""
    for ident, _limit in _subjects(username, address):
        if (ident.startswith(f"{PREFIX}:user:") and username) or (
            ident.startswith(f"{PREFIX}:addr:") and address
        ):
            cache.delete_many([f"{ident}:lock", f"{ident}:fails"])
