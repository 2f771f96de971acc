"""`notify()` — the one entry point domain code uses — and the delivery loop.

Writing is idempotent (`dedupe_key` unique; a second write of the same key is ignored), so a sweep that
runs twice, or two consumers at once, never queues a message twice. Delivery claims a batch with
row locks (`skip_locked`) and a lease, so two consumers never send the same row; a failed send is
retried with exponential backoff and given up after MAX_ATTEMPTS, every attempt logged.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.db import transaction

from docket.core import clock

from .channels import CHANNELS
from .models import DeliveryAttempt, Notification

MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=5)


def notify(*, kind: str, recipients: Iterable, subject: str, body: str, dedupe_key: str,
           company_id: int | None = None, ref: str = "") -> int:
    """Queue one message per recipient (a user; email if the user has an address, else console).
    Returns how many rows were newly queued. Call inside the transaction of the change."""
    now = clock.now()
    rows = []
    for user in recipients:
        if user is None:
            continue
        channel = "email" if getattr(user, "email", "") else "console"
        rows.append(Notification(
            company_id=company_id, kind=kind, channel=channel, recipient=user, subject=subject[:200], body=body,
            ref=ref, dedupe_key=f"{dedupe_key}:u{user.pk}:{channel}"[:200], next_attempt_at=now, created_at=now,
        ))
    if not rows:
        return 0
    keys = [r.dedupe_key for r in rows]
    existing = set(Notification.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True))
    Notification.objects.bulk_create([r for r in rows if r.dedupe_key not in existing], ignore_conflicts=True)
    return len([r for r in rows if r.dedupe_key not in existing])


def _claim(batch: int) -> list[Notification]:
    now = clock.now()
    with transaction.atomic():
        qs = (Notification.objects.select_for_update(skip_locked=True)
              .filter(state__in=[Notification.State.PENDING, Notification.State.SENDING], next_attempt_at__lte=now)
              .exclude(claimed_until__gt=now)
              .order_by("next_attempt_at", "id")[:batch])
        claimed = list(qs)
        ids = [n.id for n in claimed]
        Notification.objects.filter(id__in=ids).update(state=Notification.State.SENDING, claimed_until=now + LEASE)
    return claimed


def deliver_due(batch: int = 100) -> dict[str, int]:
    """Deliver what is due; returns counts. Safe to run on several consumers at once."""
    counts = {"sent": 0, "retry": 0, "failed": 0}
    for n in _claim(batch):
        now = clock.now()
        try:
            CHANNELS[n.channel](n)
        except Exception as exc:  # noqa: BLE001 - any channel failure is recorded and retried
            attempts = n.attempts + 1
            give_up = attempts >= MAX_ATTEMPTS
            Notification.objects.filter(pk=n.pk).update(
                attempts=attempts, last_error=str(exc)[:1000], claimed_until=None,
                state=Notification.State.FAILED if give_up else Notification.State.PENDING,
                next_attempt_at=now + timedelta(minutes=2 ** attempts))
            DeliveryAttempt.objects.create(notification=n, at=now, ok=False, error=str(exc)[:1000])
            counts["failed" if give_up else "retry"] += 1
        else:
            Notification.objects.filter(pk=n.pk).update(
                attempts=n.attempts + 1, state=Notification.State.SENT, sent_at=now, claimed_until=None, last_error="")
            DeliveryAttempt.objects.create(notification=n, at=now, ok=True)
            counts["sent"] += 1
    return counts
