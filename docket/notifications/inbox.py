"""The in-app notice list (issue 14): what the outbox told a user, newest first, with an unread count.

The unread count in the top bar is kept per process under the user's `inbox-<id>` generation stamp
(docket/core/generations.py; pagecpu): every page showed it with a COUNT query; now a page asks the stamp
(one cache round trip) and counts again only after a notice to the user was written or marked read —
`notices_changed` is called by those writes (the outbox's insert, `mark_read`, `mark_all_read`) and by the
model's save signal.

Every notice to a user has exactly one entry in the list — the first of the rows `service.notify` writes
for it (whatever its channel: e-mail, SMS or the in-app/log record), marked `inbox`. Reading the list
never crosses users: every query starts from `recipient_id=user.pk`. Marking read is the user's own act on
their own rows (no audit event: the notices are not part of the complaint's record).
"""

from __future__ import annotations

from django.db.models import QuerySet

from docket.core import clock, generations

from .models import Notification

PAGE_SIZE = 30


def notices_for(user) -> QuerySet[Notification]:
    """The user's notices, newest first (index notification_inbox)."""
    return Notification.objects.filter(recipient_id=user.pk, inbox=True).order_by("-created_at", "-id")


def inbox_stamp(user_id) -> str:
    return f"inbox-{int(user_id)}"


def notices_changed(user_ids) -> None:
    """Move the unread-count stamps of these users (now, and again when the transaction commits)."""
    names = sorted({inbox_stamp(u) for u in user_ids if u})
    if names:
        generations.bump(*names)


def unread_count(user) -> int:
    """The badge in the top navigation: one indexed COUNT, kept until the user's inbox stamp moves."""
    uid = getattr(user, "pk", None)
    if not uid:
        return 0
    return generations.cached(
        ("unread", uid),
        (inbox_stamp(uid),),
        lambda: Notification.objects.filter(recipient_id=uid, inbox=True, read_at__isnull=True).count(),
    )


def mark_read(user, notice_id: int) -> bool:
    """Mark one of the user's own notices read; another user's id (or an unknown one) changes nothing."""
    changed = Notification.objects.filter(
        pk=notice_id, recipient_id=user.pk, inbox=True, read_at__isnull=True
    ).update(read_at=clock.now())
    if changed:
        notices_changed([user.pk])
    return bool(changed)


def mark_all_read(user) -> int:
    changed = Notification.objects.filter(recipient_id=user.pk, inbox=True, read_at__isnull=True).update(
        read_at=clock.now()
    )
    if changed:
        notices_changed([user.pk])
    return changed


def notices_delete(notices: QuerySet[Notification]) -> int:
    """Delete these notices (the admin's delete, the demo's old history) and move the unread-count stamps of
    their recipients: a bulk delete sends no signal this module listens to (see `connect`). Returns how
    many rows were deleted (delivery attempts included)."""
    recipients = set(notices.filter(inbox=True).values_list("recipient_id", flat=True).distinct())
    deleted, _ = notices.delete()
    notices_changed(recipients)
    return deleted


def complaint_id_of(n: Notification) -> int | None:
    """The complaint a notice is about (`ref` = complaint:<id>), for the link; the page itself checks
    whether the user may still see it."""
    ref = n.ref.removeprefix("complaint:")
    return int(ref) if n.ref.startswith("complaint:") and ref.isdigit() else None


def _saved(sender, instance, **kwargs):
    if instance.inbox and instance.recipient_id:
        notices_changed([instance.recipient_id])


def connect() -> None:
    """Called from NotificationsConfig.ready(): a notice saved one by one moves its stamp. (No delete
    receiver: it would turn the demo's bulk delete into one by one; deletes go through `notices_delete`.)"""
    from django.db.models.signals import post_save

    post_save.connect(_saved, sender=Notification, dispatch_uid="docket-inbox-saved")
