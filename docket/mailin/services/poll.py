"""The poll loop: every active mailbox, each unseen message in its own transaction, marked on the server
only after that transaction commits (see the package docstring for the exactly-once argument)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.utils.translation import gettext as _

from docket.accounts.models import User
from docket.core import clock
from docket.core.errors import DomainError

from ..imap import MailboxError, open_session
from ..models import InboundMessage, Mailbox
from ..parsing import parse_message, unparsable
from .filing import message_file
from .mailbox import mailbox_user_ensure

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3  # an `error` message is retried this many times in all, then left for staff
BATCH = 50  # messages per mailbox per poll; the rest wait for the next minute


@dataclass
class PollResult:
    mailbox_id: int
    created: int = 0
    appended: int = 0
    rejected: int = 0
    errors: int = 0
    duplicates: int = 0
    error: str = ""

    def __str__(self) -> str:
        text = (
            f"新投诉 {self.created}，追加 {self.appended}，未登记 {self.rejected}，出错 {self.errors}，"
            f"重复 {self.duplicates}"
        )
        return f"{text}；错误：{self.error}" if self.error else text


def mailboxes_poll() -> list[PollResult]:
    """Every active mailbox once (the periodic job). Never raises: a failure is recorded on its mailbox."""
    results = []
    for mailbox in Mailbox.objects.filter(active=True).select_related("office").order_by("pk"):
        try:
            results.append(poll_mailbox(mailbox))
        except Exception as exc:  # noqa: BLE001 - one broken mailbox must not stop the others or the worker
            logger.exception("mailin: polling mailbox %s failed", mailbox.pk)
            now = clock.now()
            Mailbox.objects.filter(pk=mailbox.pk).update(
                last_polled_at=now, last_error=f"{type(exc).__name__}: {exc}"[:2000], last_error_at=now
            )
    return results


def poll_mailbox(mailbox: Mailbox, *, limit: int = BATCH) -> PollResult:
    """Read `mailbox` once (see the module docstring). Connection, login and folder failures are recorded
    on the mailbox (`last_error`) and returned, not raised. Must run outside a transaction: a message is
    marked on the server only after its own transaction has committed."""
    if connection.in_atomic_block:
        raise RuntimeError(
            "poll_mailbox must not run inside a transaction (messages are marked after commit)"
        )
    result = PollResult(mailbox_id=mailbox.pk)
    try:
        user = mailbox_user_ensure(mailbox)
        with open_session(
            host=mailbox.host,
            port=mailbox.port,
            security=mailbox.security,
            username=mailbox.username,
            password=mailbox.login_password(),
            folder=mailbox.folder,
        ) as session:
            for uid in session.unseen_uids(limit):
                if _uid_done(mailbox, session.uidvalidity, uid):
                    session.mark_done(uid, mailbox.processed_folder)  # recorded, but marking failed last time
                    result.duplicates += 1
                    continue
                fetched = session.fetch(uid)
                if fetched is None:
                    continue
                raw, arrived_at = fetched
                row, duplicate = message_process(
                    mailbox,
                    user=user,
                    raw=raw,
                    uidvalidity=session.uidvalidity,
                    uid=uid,
                    arrived_at=arrived_at,
                )
                if duplicate:
                    result.duplicates += 1
                else:
                    setattr(result, _TALLY[row.outcome], getattr(result, _TALLY[row.outcome]) + 1)
                if row.outcome != InboundMessage.Outcome.ERROR or row.attempts >= MAX_ATTEMPTS:
                    session.mark_done(uid, mailbox.processed_folder)
    except MailboxError as exc:
        result.error = str(exc)
    except Exception as exc:  # noqa: BLE001 - recorded on the mailbox; the worker carries on
        logger.exception("mailin: mailbox %s", mailbox.pk)
        result.error = f"{type(exc).__name__}: {exc}"
    if not result.error and result.errors:
        result.error = _("有 %(n)d 封邮件处理出错，详见“收到的邮件”。") % {"n": result.errors}
    now = clock.now()
    updates: dict = {"last_polled_at": now, "last_error": result.error[:2000]}
    if result.error:
        updates["last_error_at"] = now
    Mailbox.objects.filter(pk=mailbox.pk).update(**updates)
    return result


_TALLY: dict[str, str] = {
    InboundMessage.Outcome.CREATED: "created",
    InboundMessage.Outcome.APPENDED: "appended",
    InboundMessage.Outcome.REJECTED: "rejected",
    InboundMessage.Outcome.ERROR: "errors",
}


def _uid_done(mailbox: Mailbox, uidvalidity: int, uid: int) -> bool:
    return (
        InboundMessage.objects.filter(mailbox=mailbox, uidvalidity=uidvalidity, uid=uid)
        .exclude(outcome=InboundMessage.Outcome.ERROR, attempts__lt=MAX_ATTEMPTS)
        .exists()
    )


def message_process(
    mailbox: Mailbox, *, user: User, raw: bytes, uidvalidity: int, uid: int, arrived_at: datetime | None
) -> tuple[InboundMessage, bool]:
    """Record and file one message in one transaction; returns its row and whether it had already been
    processed (a duplicate delivery, or another poller got there first)."""
    try:
        parsed = parse_message(raw)
    except Exception as exc:  # noqa: BLE001 - one broken message must not block the ones after it
        logger.exception("mailin: unparsable message uid %s of mailbox %s", uid, mailbox.pk)
        parsed = unparsable(raw, exc)
    now = clock.now()
    received_at = min(arrived_at, now) if arrived_at else now
    with transaction.atomic():
        InboundMessage.objects.bulk_create(
            [
                InboundMessage(
                    mailbox=mailbox,
                    message_id=parsed.message_id,
                    uidvalidity=uidvalidity,
                    uid=uid,
                    from_name=parsed.from_name,
                    from_address=parsed.from_address,
                    subject=parsed.subject[:500],
                    sent_at=parsed.sent_at,
                    received_at=received_at,
                    processed_at=now,
                    outcome=InboundMessage.Outcome.ERROR,
                    reason="…",
                )
            ],
            ignore_conflicts=True,
        )
        row = InboundMessage.objects.select_for_update().get(mailbox=mailbox, message_id=parsed.message_id)
        if row.attempts and not (row.outcome == InboundMessage.Outcome.ERROR and row.attempts < MAX_ATTEMPTS):
            if (row.uidvalidity, row.uid) != (uidvalidity, uid):
                row.duplicates += 1
                row.save(update_fields=["duplicates"])
            return row, True
        row.attempts += 1
        row.uidvalidity, row.uid = uidvalidity, uid
        row.complaint = row.related_complaint = None
        row.skipped_attachments = []
        try:
            with transaction.atomic():
                message_file(mailbox, user, parsed, row)
        except DomainError as exc:
            row.outcome, row.reason, row.complaint, row.related_complaint = (
                InboundMessage.Outcome.REJECTED,
                exc.message,
                None,
                None,
            )
        except Exception as exc:  # noqa: BLE001 - recorded on the row and retried
            logger.exception("mailin: message %s of mailbox %s", parsed.message_id, mailbox.pk)
            row.outcome, row.reason, row.complaint, row.related_complaint = (
                InboundMessage.Outcome.ERROR,
                f"{type(exc).__name__}: {exc}"[:2000],
                None,
                None,
            )
        row.processed_at = clock.now()
        row.save()
    return row, False
