"""The in-app notice list (issue 14): what the outbox told a user, newest first, with an unread count.

Every notice to a user has exactly one entry in the list — the first of the rows `service.notify` writes
for it (whatever its channel: e-mail, SMS or the in-app/log record), marked `inbox`. Reading the list
never crosses users: every query starts from `recipient_id=user.pk`. Marking read is the user's own act on
their own rows (no audit event: the notices are not part of the complaint's record).
"""

from __future__ import annotations

from django.db.models import QuerySet

from docket.core import clock

from .models import Notification

PAGE_SIZE = 30


def notices_for(user) -> QuerySet[Notification]:
    """The user's notices, newest first (index notification_inbox)."""
    return Notification.objects.filter(recipient_id=user.pk, inbox=True).order_by("-created_at", "-id")


def unread_count(user) -> int:
    """One indexed COUNT: the badge in the top navigation."""
    if not getattr(user, "pk", None):
        return 0
    return Notification.objects.filter(recipient_id=user.pk, inbox=True, read_at__isnull=True).count()


def mark_read(user, notice_id: int) -> bool:
    """Mark one of the user's own notices read; another user's id (or an unknown one) changes nothing."""
    return bool(
        Notification.objects.filter(
            pk=notice_id, recipient_id=user.pk, inbox=True, read_at__isnull=True
        ).update(read_at=clock.now())
    )


def mark_all_read(user) -> int:
    return Notification.objects.filter(recipient_id=user.pk, inbox=True, read_at__isnull=True).update(
        read_at=clock.now()
    )


def complaint_id_of(n: Notification) -> int | None:
    """The complaint a notice is about (`ref` = complaint:<id>), for the link; the page itself checks
    whether the user may still see it."""
    ref = n.ref.removeprefix("complaint:")
    return int(ref) if n.ref.startswith("complaint:") and ref.isdigit() else None
