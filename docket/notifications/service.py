"""The entry points domain code uses — `notify()` (staff), `notify_address()` (someone with no account:
the complainant), `notify_webhooks()` (integrations) — and the delivery loop.

Writing is idempotent (`dedupe_key` unique; a second write of the same key is ignored), so a sweep that
runs twice, or two consumers at once, never queues a message twice. Delivery claims a batch with row
locks (`skip_locked`) and a lease, renewed just before each send (a slow batch never sends a row whose lease
ran out and was taken over), so two consumers never send the same row; the result is written only while
the lease is still ours, and a row recorded as sent is never claimed again. A failed send is retried
with exponential backoff and given up after MAX_ATTEMPTS; every attempt is logged with its status,
duration and an excerpt of the answer. A message given up is not dropped silently: the office concerned is
told ("通知发送失败", `_failure_notice`), through the audience domain code registered.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from docket.core import clock, compiled

from . import preferences
from .channels import CHANNELS, PermanentError
from .inbox import notices_changed
from .models import (
    Channel,
    ChannelOptOut,
    DeliveryAttempt,
    NoticeKind,
    NoticePreference,
    Notification,
    WebhookEndpoint,
    WeComRobot,
)

log = logging.getLogger("docket.notify")

MAX_ATTEMPTS = 8
PURGE_BATCH = 2000
LEASE = timedelta(minutes=5)
CACHE_TTL = 60.0
USER_CHANNELS = (Channel.CONSOLE, Channel.EMAIL, Channel.SMS)


class _TableCache:
    """A small configuration table kept in memory for CACHE_TTL seconds, dropped on any save here."""

    def __init__(self, model) -> None:
        self.model, self.at = model, 0.0
        self.rows: list | None = None
        post_save.connect(self.clear, sender=model, weak=False)
        post_delete.connect(self.clear, sender=model, weak=False)

    def clear(self, *_args, **_kwargs) -> None:
        self.rows = None

    def all(self) -> list:
        if self.rows is None or time.monotonic() - self.at > CACHE_TTL:
            self.rows = list(self.model.objects.filter(**self.filters))
            self.at = time.monotonic()
        return self.rows or []

    filters = {"active": True}


class _ExistsCache(_TableCache):
    """Only whether the table has any row (personal opt-outs are rare: skip the per-message query)."""

    def all(self) -> list:
        if self.rows is None or time.monotonic() - self.at > CACHE_TTL:
            self.rows = [True] if self.model.objects.exists() else []
            self.at = time.monotonic()
        return self.rows or []


_endpoints = _TableCache(WebhookEndpoint)
_robots = _TableCache(WeComRobot)
_optouts = _ExistsCache(ChannelOptOut)
post_save.connect(preferences.cache_clear, sender=NoticePreference, weak=False)
post_delete.connect(preferences.cache_clear, sender=NoticePreference, weak=False)


def caches_clear() -> None:
    _endpoints.clear()
    _robots.clear()
    _optouts.clear()
    preferences.cache_clear()


def _row(*, kind, channel, dedupe_key, subject, body, company_id, ref, now, **extra) -> Notification:
    return Notification(
        company_id=company_id,
        kind=kind[:40],
        channel=channel,
        subject=subject[:200],
        body=body,
        ref=ref,
        dedupe_key=dedupe_key[:200],
        next_attempt_at=now,
        created_at=now,
        **extra,
    )


def _insert(rows: list[Notification]) -> int:
    if not rows:
        return 0
    unique = {r.dedupe_key: r for r in rows}
    existing = set(
        Notification.objects.filter(dedupe_key__in=list(unique)).values_list("dedupe_key", flat=True)
    )
    new = [r for k, r in unique.items() if k not in existing]
    Notification.objects.bulk_create(new, ignore_conflicts=True)
    notices_changed(r.recipient_id for r in new if r.inbox)  # the top bar's unread counts (bulk: no signals)
    return len(new)


def robots_for(company_id: int | None, office_id: int | None) -> list[WeComRobot]:
    """The office's robots, or the company's when the office has none."""
    robots = [r for r in _robots.all() if r.company_id == company_id]
    own = [r for r in robots if office_id is not None and r.office_id == office_id]
    return own or [r for r in robots if r.office_id is None]


def notify(
    *,
    kind: str,
    recipients: Iterable,
    subject: str,
    body: str,
    dedupe_key: str,
    company_id: int | None = None,
    office_id: int | None = None,
    ref: str = "",
    notice: str | None = None,
) -> int:
    """Queue a message for each recipient — a user, or a (user, role code) pair — on the channels the
    preferences name for its role and notice kind (`notice`, else derived from `kind`). A user channel
    without an address (no e-mail, no phone) is skipped, and a recipient left with no channel gets the
    in-app/log record, so nothing is silently lost. `wecom` goes once per robot of the office (or
    company), not per person. Returns how many rows were newly queued. Call inside the change's
    transaction."""
    now = clock.now()
    notice = notice or preferences.notice_for(kind)
    people: dict[int, tuple[object, str]] = {}
    for item in recipients:
        user, role = item if isinstance(item, tuple) else (item, "")
        if user is not None and getattr(user, "pk", None) and user.pk not in people:
            people[user.pk] = (user, role)
    if not people:
        return 0
    opted = set()
    if _optouts.all():
        opted = set(
            ChannelOptOut.objects.filter(user_id__in=list(people))
            .filter(notice__in=["", notice or ""])
            .values_list("user_id", "channel")
        )
    rows, wecom = [], False
    for uid, (user, role) in people.items():
        wanted = preferences.channels_for(company_id, role, notice)
        wecom = wecom or Channel.WECOM in wanted
        chosen = []
        for ch in wanted:
            if ch not in USER_CHANNELS or (uid, ch) in opted:
                continue
            if (ch == Channel.EMAIL and not getattr(user, "email", "")) or (
                ch == Channel.SMS and not getattr(user, "phone", "")
            ):
                continue
            chosen.append(ch)
        if not chosen and wanted != ():
            chosen = [Channel.CONSOLE]
        for i, ch in enumerate(chosen):
            rows.append(
                _row(
                    kind=kind,
                    channel=ch,
                    inbox=i == 0,  # the notice's one entry in the user's in-app list (issue 14)
                    recipient=user,
                    dedupe_key=f"{dedupe_key}:u{uid}:{ch}",
                    subject=subject,
                    body=body,
                    company_id=company_id,
                    ref=ref,
                    now=now,
                )
            )
    if wecom:
        for robot in robots_for(company_id, office_id):
            rows.append(
                _row(
                    kind=kind,
                    channel=Channel.WECOM,
                    target_id=robot.id,
                    dedupe_key=f"{dedupe_key}:wecom{robot.id}",
                    subject=subject,
                    body=body,
                    company_id=company_id,
                    ref=ref,
                    now=now,
                )
            )
    return _insert(rows)


def notify_address(
    *,
    kind: str,
    address: str,
    subject: str,
    body: str,
    dedupe_key: str,
    company_id: int | None = None,
    ref: str = "",
    notice: str | None = None,
    audience: str = preferences.COMPLAINANT,
    data: dict | None = None,
) -> int:
    """Queue a message to someone with no account (the complainant's phone or email address), on the
    channels the preferences give `audience` for the notice kind: a phone number is reached by SMS, an
    email address by email. Returns 1 when queued or already queued under the same key, 0 when the
    preferences say nothing goes out on that channel."""
    if not address:
        return 0
    channel = Channel.EMAIL if "@" in address else Channel.SMS
    notice = notice or preferences.notice_for(kind)
    channels = preferences.channels_for(company_id, audience, notice)
    if channel not in channels:
        return 0
    row = _row(
        kind=kind,
        channel=channel,
        address=address,
        data=data or {},
        dedupe_key=f"{dedupe_key}:{channel}",
        subject=subject,
        body=body,
        company_id=company_id,
        ref=ref,
        now=clock.now(),
    )
    # One statement (this runs for every registration): the unique dedupe key ignores a repeat.
    compiled.insert([row], ignore_conflicts=True)  # the statement compiled once (core/compiled.py)
    return 1


def notify_email(
    *,
    kind: str,
    address: str,
    subject: str,
    body: str,
    dedupe_key: str,
    company_id: int | None = None,
    ref: str = "",
    attachments: list[dict] | None = None,
) -> int:
    """Queue an e-mail to a configured mailbox (a report's recipients, the developer's centre), with
    optional attachments: `[{"name", "path", "content_type"}]`, each a file in the default storage that
    the e-mail channel reads when it sends. Returns 1 if newly queued, 0 if the key was queued before."""
    address = (address or "").strip()
    if "@" not in address:
        return 0
    row = _row(
        kind=kind,
        channel=Channel.EMAIL,
        address=address[:200],
        data={"attachments": attachments or []},
        dedupe_key=f"{dedupe_key}:email",
        subject=subject,
        body=body,
        company_id=company_id,
        ref=ref,
        now=clock.now(),
    )
    return _insert([row])


def webhooks_any(company_id: int | None) -> bool:
    """Cheap check (no query while cached) whether any active endpoint could want this company's events."""
    return any(ep.company_id in (None, company_id) for ep in _endpoints.all())


def notify_webhooks(
    *,
    event: str,
    data: dict,
    dedupe_key: str,
    company_id: int | None,
    created_by_id: int | None = None,
    party_ids: Iterable[int] = (),
    ref: str = "",
    party_only: bool = False,
) -> int:
    """Queue `data` (JSON) for every active endpoint subscribed to `event` that matches the company, the
    creating integration and the external parties concerned (see WebhookEndpoint). With `party_only`, only
    endpoints registered for one of those parties (a report meant for the developer alone). The JSON is fixed
    here, so every retry sends the same bytes with the same event id."""
    parties = frozenset(p for p in party_ids if p)
    targets = [
        ep
        for ep in _endpoints.all()
        if ep.wants(event=event, company_id=company_id, created_by_id=created_by_id, party_ids=parties)
        and (not party_only or ep.external_party_id in parties)
    ]
    if not targets:
        return 0
    now = clock.now()
    rows = []
    for ep in targets:
        event_id = f"{dedupe_key}:ep{ep.id}"
        body = json.dumps(
            {"id": event_id, "type": event, "created_at": now.isoformat(), "data": data},
            ensure_ascii=False,
            separators=(",", ":"),
            sort_keys=True,
            default=str,
        )
        rows.append(
            _row(
                kind=event,
                channel=Channel.WEBHOOK,
                target_id=ep.id,
                address=ep.url[:200],
                data={"id": event_id},
                dedupe_key=event_id,
                subject=event,
                body=body,
                company_id=company_id,
                ref=ref,
                now=now,
            )
        )
    return _insert(rows)


# Who hears that a message was given up. This app knows nothing of complaints, so domain code registers a
# function mapping the failed row to `FailureAudience` (or None when the row is none of its business), as
# it registers its role labels with `preferences.audiences_register`.
FailureAudience = tuple[list, int | None, int | None, str]  # (recipients, company_id, office_id, label)
_failure_audiences: list[Callable[[Notification], FailureAudience | None]] = []
# Failures nobody in an office is told about: the notice about a failure itself (no cascade), and webhooks
# (an integration's receiver is the integration's and the administrator's concern: the delivery log).
_NO_FAILURE_NOTICE = {Channel.WEBHOOK}


def failure_audience_register(fn: Callable[[Notification], FailureAudience | None]) -> None:
    if fn not in _failure_audiences:
        _failure_audiences.append(fn)


def _failure_notice(n: Notification) -> int:
    """Tell the office that `n` was given up: an in-app/log notice (and e-mail, per the preferences) to the
    people the registered audience names, with the reference, the channel and the last error. Never
    raises: the delivery loop must go on."""
    if n.channel in _NO_FAILURE_NOTICE or n.kind == NoticeKind.DELIVERY_FAILED:
        return 0
    try:
        for resolve in _failure_audiences:
            found = resolve(n)
            if found is None:
                continue
            people, company_id, office_id, label = found
            channel = Channel(n.channel).label if n.channel in Channel.values else n.channel
            return notify(
                kind=NoticeKind.DELIVERY_FAILED,
                notice=NoticeKind.DELIVERY_FAILED,
                recipients=people,
                subject=f"【通知发送失败】{label}",
                body=(
                    f"{label}：一条{channel}通知（{n.subject}）在尝试 {n.attempts} 次后仍未送达，已停止发送。"
                    f"\n原因：{n.last_error[:300]}\n请改用电话等方式联系相关人员，并检查联系方式或通知设置。"
                ),
                dedupe_key=f"failed:{n.id}",
                company_id=company_id,
                office_id=office_id,
                ref=n.ref,
            )
        log.error("notification %s (%s, %s) given up: %s", n.id, n.kind, n.ref, n.last_error)
    except Exception:  # noqa: BLE001 - the delivery loop must go on
        log.exception("could not queue the failure notice for notification %s", n.id)
    return 0


def _claim(batch: int) -> list[Notification]:
    now = clock.now()
    with transaction.atomic():
        qs = (
            Notification.objects.select_for_update(skip_locked=True)
            .filter(
                state__in=[Notification.State.PENDING, Notification.State.SENDING], next_attempt_at__lte=now
            )
            .exclude(claimed_until__gt=now)
            .order_by("next_attempt_at", "id")[:batch]
        )
        claimed = list(qs)
        lease = now + LEASE
        Notification.objects.filter(id__in=[n.id for n in claimed]).update(
            state=Notification.State.SENDING, claimed_until=lease
        )
        for n in claimed:
            n.claimed_until = lease
    return claimed


def _attempt(n: Notification) -> str:
    """Send one claimed row and record the outcome; returns "sent", "retry", "failed" or "lost" (our lease
    ran out and someone else owns the row now: record the attempt but leave the row alone)."""
    started = time.monotonic()
    now = clock.now()
    ok, error, status, excerpt = True, "", None, ""
    try:
        outcome = CHANNELS[n.channel](n)
        status, excerpt = getattr(outcome, "status_code", None), getattr(outcome, "excerpt", "")
    except Exception as exc:  # noqa: BLE001 - any channel failure is recorded and retried
        ok, error = False, f"{type(exc).__name__}: {exc}"[:1000]
        status, excerpt = getattr(exc, "status_code", None), getattr(exc, "excerpt", "")
        permanent = isinstance(exc, PermanentError)
    duration = int((time.monotonic() - started) * 1000)
    attempts = n.attempts + 1
    mine = Notification.objects.filter(
        pk=n.pk, state=Notification.State.SENDING, claimed_until=n.claimed_until
    )
    if ok:
        updated = mine.update(
            attempts=attempts, state=Notification.State.SENT, sent_at=now, claimed_until=None, last_error=""
        )
        result = "sent"
    else:
        give_up = permanent or attempts >= MAX_ATTEMPTS
        updated = mine.update(
            attempts=attempts,
            last_error=error,
            claimed_until=None,
            state=Notification.State.FAILED if give_up else Notification.State.PENDING,
            next_attempt_at=now + timedelta(minutes=2**attempts),
        )
        result = "failed" if give_up else "retry"
        n.attempts, n.last_error = attempts, error
    DeliveryAttempt.objects.create(
        notification=n,
        at=now,
        ok=ok,
        error=error,
        status_code=status,
        duration_ms=duration,
        response_excerpt=(excerpt or "")[:500],
    )
    if not updated:
        return "lost"
    if result == "failed":
        _failure_notice(n)
    return result


def _renew(n: Notification) -> bool:
    """Renew our lease just before sending. A batch of slow endpoints can outlast the lease taken at claim
    time; once it has expired another consumer may have claimed the row, and then we must not send it."""
    fresh = clock.now() + LEASE
    if not Notification.objects.filter(
        pk=n.pk, state=Notification.State.SENDING, claimed_until=n.claimed_until
    ).update(claimed_until=fresh):
        return False
    n.claimed_until = fresh
    return True


def deliver_due(batch: int = 100) -> dict[str, int]:
    """Deliver what is due; returns counts. Safe to run on several consumers at once."""
    counts = {"sent": 0, "retry": 0, "failed": 0}
    for n in _claim(batch):
        if not _renew(n):
            continue
        result = _attempt(n)
        if result in counts:
            counts[result] += 1
    return counts


def deliver_for(*, seconds: float, batch: int = 100) -> dict[str, int]:
    """Batch after batch until nothing more is due or `seconds` have passed: the minute job sends a burst
    (a wave of complaints about one outage) within the minute, not one batch a minute."""
    total = {"sent": 0, "retry": 0, "failed": 0}
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        counts = deliver_due(batch=batch)
        for k, v in counts.items():
            total[k] += v
        if sum(counts.values()) < batch:
            break
    return total


def outbox_purge(*, days: int | None = None) -> int:
    """Blank the personal data of messages whose delivery is over (sent or given up) and that were
    written more than `days` (DOCKET_OUTBOX_KEEP_DAYS, 30) days ago: the address, the body, the data
    (SMS parameters, with the check code) and the errors and answer excerpts of their delivery log, which
    can name the address. What stays: kind, channel, recipient account, subject, state, times, attempt
    outcomes, status codes and durations — enough to show that and when a message went out. Returns how
    many rows were purged; safe to run again (purged rows are marked)."""
    keep = settings.DOCKET_OUTBOX_KEEP_DAYS if days is None else days
    now = clock.now()
    over = {
        "state__in": [Notification.State.SENT, Notification.State.FAILED],
        "created_at__lt": now - timedelta(days=keep),
        "purged_at__isnull": True,
    }
    total = 0
    while True:  # in batches: the first run on an old install may meet many rows
        ids = list(
            Notification.objects.filter(**over).order_by("id").values_list("id", flat=True)[:PURGE_BATCH]
        )
        if not ids:
            return total
        with transaction.atomic():
            DeliveryAttempt.objects.filter(notification_id__in=ids).update(error="", response_excerpt="")
            total += Notification.objects.filter(id__in=ids).update(
                address="", body="", data={}, last_error="", purged_at=now
            )


def failure_notices_for(user):
    """The in-app notices about messages given up that were addressed to `user` (the office manager and
    reception of the complaint's office, see `_failure_notice`), newest first: their list page."""
    return Notification.objects.filter(
        recipient_id=user.pk, kind=NoticeKind.DELIVERY_FAILED, channel=Channel.CONSOLE
    ).order_by("-created_at", "-id")


# --- portal filing (issue 11): one-time codes by SMS ---
def notify_code(
    *, phone: str, body: str, params: dict, dedupe_key: str, company_id: int | None = None
) -> int:
    """Queue a one-time code to a phone by SMS and try to send it as soon as the caller's transaction
    commits (the owner is waiting at the form). Not a notice: no preference can turn it off. Returns the
    row's id. The minute job retries it like any other message if the first attempt fails."""
    template = getattr(settings, "DOCKET_SMS_TEMPLATES", {}).get("code", "")
    row = _row(
        kind="one_time_code",
        channel=Channel.SMS,
        address=phone,
        data={"template": template, "params": params},
        dedupe_key=dedupe_key,
        subject=body[:200],
        body=body,
        company_id=company_id,
        ref="",
        now=clock.now(),
    )
    row.save(force_insert=True)
    transaction.on_commit(lambda: deliver_ids([row.id]))
    return row.id


def deliver_ids(ids: list[int]) -> dict[str, int]:
    """Deliver these rows now if they are due and nobody holds them: the same claim, lease and record as
    `deliver_due`, so the minute job never sends one of them twice."""
    counts = {"sent": 0, "retry": 0, "failed": 0}
    now = clock.now()
    with transaction.atomic():
        claimed = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(id__in=ids, state=Notification.State.PENDING, next_attempt_at__lte=now)
            .exclude(claimed_until__gt=now)
        )
        lease = now + LEASE
        Notification.objects.filter(id__in=[n.id for n in claimed]).update(
            state=Notification.State.SENDING, claimed_until=lease
        )
    for n in claimed:
        n.claimed_until = lease
        if not _renew(n):
            continue
        result = _attempt(n)
        if result in counts:
            counts[result] += 1
    return counts
