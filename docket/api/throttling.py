"""Throttling: 429 `throttled` with a `Retry-After` header (ninja's throttle hook), counted by
`docket.core.ratelimit` (fixed windows in the cache). Rates come from settings at request time:

- `DOCKET_API_RECEIPT_RATE` (default 30 per 10 minutes): the public receipt check, per client address —
  it needs no sign-in and could otherwise be used to guess check codes.
- `DOCKET_API_KEY_RATE` (default 6000 per minute): every request made with one API key.
"""

from __future__ import annotations

import threading

from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import BaseThrottle

from docket.core.ratelimit import client_address, hit


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
