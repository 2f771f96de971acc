"""Outbound webhooks to integrations (docs/webhooks.md).

The body is the JSON stored on the outbox row (`Notification.body`), sent byte for byte. Headers:
`X-Docket-Event` (the event type), `X-Docket-Event-Id` (the same on every retry: receivers dedupe on it),
`X-Docket-Timestamp` (Unix seconds of this attempt) and `X-Docket-Signature: sha256=<hex>`, the
HMAC-SHA256 with the endpoint's secret over `timestamp + "." + body`. Any status outside 2xx, a timeout or
a connection error is a failure, retried with the outbox's backoff; every attempt is in the delivery log.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from .base import DeliveryError, Outcome, PermanentError, post, target_checked


def signature(secret: str, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def signature_verify(
    secret: str, timestamp: str, body: bytes, header: str, *, tolerance: int = 300, now: float | None = None
) -> bool:
    """What a receiver does (docs/webhooks.md): constant-time compare, and refuse stale timestamps."""
    try:
        age = abs((now if now is not None else time.time()) - int(timestamp))
    except ValueError:
        return False
    return age <= tolerance and hmac.compare_digest(signature(secret, timestamp, body), header)


def deliver_webhook(n) -> Outcome:
    from ..models import WebhookEndpoint

    ep = WebhookEndpoint.objects.filter(pk=n.target_id).first() if n.target_id else None
    if ep is None or not ep.active:
        raise PermanentError("endpoint removed or inactive")
    body = n.body.encode()
    ts = str(int(time.time()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Docket-Webhook/1",
        "X-Docket-Event": n.kind,
        "X-Docket-Event-Id": str((n.data or {}).get("id") or n.dedupe_key),
        "X-Docket-Timestamp": ts,
        "X-Docket-Signature": signature(ep.secret, ts, body),
    }
    r = post(target_checked(ep.url), content=body, headers=headers)
    excerpt = r.text[:500]
    if not 200 <= r.status_code < 300:
        raise DeliveryError(f"HTTP {r.status_code}", status_code=r.status_code, excerpt=excerpt)
    return Outcome(status_code=r.status_code, excerpt=excerpt)
