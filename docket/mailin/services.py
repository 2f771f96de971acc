"""Reading complaint mailboxes (the email channel, R-INT-1/2: method 邮件).

`poll_mailbox(mailbox)` logs in over IMAP, reads the unseen messages (without marking them), and for each
one, in one database transaction, writes its `InboundMessage` row and what it produced:

* a new complaint, registered through intake (`complaint_register`) by the mailbox's service user as
  reception of the office, method "email", with the message's images and PDFs as attachments;
* or, for a reply (In-Reply-To/References naming a message we filed, or a receipt number of one of the
  mailbox's offices in the subject), the new text on that complaint's staff timeline as "顾客来信"
  (`complainant_wrote_record`, which also tells the holder) and its attachments (`attachment_add`); a reply to a complaint that has ended is registered as a new complaint
  that names the old one, and the old one gets a note pointing to it;
* or nothing, for automatic replies and bounces (recorded as `rejected`).

Only after that transaction commits is the message marked \\Seen (or moved to the processed folder).
Exactly once: the row is unique per (mailbox, Message-ID) and is inserted with ON CONFLICT DO NOTHING and
then locked, so a second poller waits for the first and then finds the message done; a crash before the
commit leaves no trace and the message unseen; a crash after it leaves the message unseen but recorded,
and the next poll only marks it. A refused attachment is skipped and noted, never fatal; a refusal of
the whole message (`DomainError`) is recorded as `rejected`; an unexpected failure as `error`, retried on
the next polls up to MAX_ATTEMPTS times before the message is marked and left for staff.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime
from email.utils import parseaddr

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils.translation import gettext as _

from docket.accounts.access import forget
from docket.accounts.models import Role, RoleAssignment, User
from docket.accounts.services import role_grant
from docket.complaints.models import TERMINAL_STATES, Complaint, Method
from docket.complaints.services import (
    ComplaintInput,
    UploadInput,
    attachment_add,
    complaint_register,
    note_add,
)
from docket.complaints.services.intake import attachment_validate
from docket.complaints.services.records import complainant_wrote_record
from docket.core import clock
from docket.core.errors import DomainError
from docket.org.models import Office

from .imap import MailboxError, open_session
from .models import InboundMessage, Mailbox
from .parsing import ParsedMail, parse_message, strip_quoted, unparsable

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3  # an `error` message is retried this many times in all, then left for staff
BATCH = 50  # messages per mailbox per poll; the rest wait for the next minute
MAX_TEXT = 20000  # characters of a body kept in a complaint or note
MAX_ATTACHMENTS = 20


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


# ---------------------------------------------------------------------------------------------------
# The mailbox's service user


def mailbox_offices(mailbox: Mailbox) -> dict[str, int]:
    """Recipient address → office id for the mailbox's routes; '' → the default office."""
    routes = {
        r.address.strip().lower(): r.office_id
        for r in mailbox.routes.filter(office__company_id=mailbox.office.company_id)
    }
    return {"": mailbox.office_id, **routes}


def mailbox_user_ensure(mailbox: Mailbox) -> User:
    """Create the mailbox's service user if needed and make its roles exactly: reception in the default
    office and in every routed office. Called on admin save and at the start of every poll."""
    with transaction.atomic():
        mb = Mailbox.objects.select_for_update().get(pk=mailbox.pk)
        user = mb.user
        label = f"邮件·{mb.name}"[:50]
        if user is None:
            user = User.objects.create(
                username=f"mailin-{secrets.token_hex(4)}",
                display_name=label,
                password=make_password(None),
                is_service=True,
            )
            mb.user = user
            mb.save(update_fields=["user"])
        elif user.display_name != label:
            user.display_name = label
            user.save(update_fields=["display_name"])
        office_ids = set(mailbox_offices(mb).values())
        for office in Office.objects.filter(pk__in=office_ids):
            role_grant(user=user, role=Role.RECEPTION, scope_obj=office)
        RoleAssignment.objects.filter(user=user).exclude(
            role=Role.RECEPTION, office_id__in=office_ids
        ).delete()
        forget(user)
    mailbox.user = user
    return user


# ---------------------------------------------------------------------------------------------------
# Polling


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
                _file(mailbox, user, parsed, row)
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


# ---------------------------------------------------------------------------------------------------
# Filing one message


def _file(mailbox: Mailbox, user: User, mail: ParsedMail, row: InboundMessage) -> None:
    """Decide what the message is and file it; sets the row's outcome. Runs inside a savepoint."""
    routes = mailbox_offices(mailbox)
    office_id = next((routes[a] for a in mail.recipients if a in routes), mailbox.office_id)
    row.office_id = office_id
    if mail.unparsable:
        row.outcome = InboundMessage.Outcome.REJECTED
        row.reason = _("邮件格式无法解析，未登记（%(why)s）") % {"why": mail.unparsable}
        return
    if mail.auto_reason:
        row.outcome = InboundMessage.Outcome.REJECTED
        row.reason = _("自动回复、退信或垃圾邮件，未登记（%(why)s）") % {"why": mail.auto_reason}
        return
    if not mail.from_address:
        row.outcome, row.reason = InboundMessage.Outcome.REJECTED, _("没有发件人地址，未登记")
        return
    own = {mailbox.address.strip().lower(), parseaddr(settings.DEFAULT_FROM_EMAIL)[1].strip().lower()} - {""}
    if mail.from_address in own:
        row.outcome, row.reason = InboundMessage.Outcome.REJECTED, _("本系统或本邮箱自己发出的邮件，未登记")
        return

    elsewhere = (
        InboundMessage.objects.filter(
            mailbox__office__company_id=mailbox.office.company_id,
            message_id=mail.message_id,
            complaint__isnull=False,
        )
        .exclude(mailbox=mailbox)
        .select_related("mailbox", "complaint")
        .first()
    )
    if elsewhere is not None:  # sent to two of the company's mailboxes at once
        row.outcome = InboundMessage.Outcome.REJECTED
        row.reason = _("同一邮件已由投诉邮箱“%(box)s”处理（%(no)s），未重复登记") % {
            "box": elsewhere.mailbox.name,
            "no": elsewhere.complaint.receipt_no,
        }
        return

    uploads, skipped = _uploads(mail)
    row.skipped_attachments = skipped
    target = _thread_complaint(mailbox, mail, set(routes.values()))
    if target is not None and target.state not in TERMINAL_STATES:
        _append(user, target, mail, uploads, skipped)
        row.outcome, row.complaint, row.office_id = InboundMessage.Outcome.APPENDED, target, target.office_id
        row.reason = _("回复邮件，已作为顾客来信追加到 %(no)s") % {"no": target.receipt_no}
        return

    # A new complaint; a reply to an ended complaint becomes one too, in that complaint's office.
    if target is not None and target.office_id in routes.values():
        office_id = target.office_id
    body = mail.body.strip()[:MAX_TEXT] or _("（邮件无正文）")
    if target is not None:
        body += "\n\n" + _("——本邮件回复已结束的投诉 %(no)s，已另行登记。") % {"no": target.receipt_no}
    complaint = complaint_register(
        actor=user,
        data=ComplaintInput(
            office_id=office_id,
            channel=mailbox.channel,
            method=Method.EMAIL,
            subject=(mail.subject.strip() or _("（无主题）"))[:200],
            description=body,
            complainant_name=(mail.from_name or mail.from_address.split("@", 1)[0])[:50],
            complainant_email=mail.from_address,
            received_at=row.received_at,
            received_reason=_("邮件到达邮箱的时间"),
            attachments=uploads,
        ),
    ).complaint
    if skipped:
        note_add(actor=user, complaint_id=complaint.pk, text=_skipped_text(skipped))
    if target is not None:
        try:
            note_add(
                actor=user,
                complaint_id=target.pk,
                text=_("投诉人在本投诉结束后来信（%(addr)s，主题“%(subject)s”），已另行登记为新投诉 %(no)s。")
                % {"addr": mail.from_address, "subject": mail.subject[:100], "no": complaint.receipt_no},
            )
        except DomainError:
            logger.warning("mailin: could not note complaint %s about its successor", target.pk)
    row.outcome, row.complaint, row.related_complaint, row.office_id = (
        InboundMessage.Outcome.CREATED,
        complaint,
        target,
        complaint.office_id,
    )
    row.reason = _("已登记为 %(no)s") % {"no": complaint.receipt_no}


def _uploads(mail: ParsedMail) -> tuple[list[UploadInput], list[dict]]:
    """Attachments intake accepts (the same validation: images and PDF by content, size limit); the rest
    are skipped with the reason, never fatal."""
    uploads: list[UploadInput] = []
    skipped: list[dict] = []
    for att in mail.attachments:
        upload = UploadInput(name=att.name, content=att.content)
        if len(uploads) >= MAX_ATTACHMENTS:
            skipped.append({"name": att.name, "type": att.declared_type, "reason": _("附件过多")})
            continue
        try:
            attachment_validate(upload)
        except DomainError as exc:
            skipped.append({"name": att.name, "type": att.declared_type, "reason": exc.message})
            continue
        uploads.append(upload)
    return uploads, skipped


def _skipped_text(skipped: list[dict]) -> str:
    return _("邮件中以下附件未保存：") + "；".join(f"{s['name']}（{s['reason']}）" for s in skipped)


def _thread_complaint(mailbox: Mailbox, mail: ParsedMail, office_ids: set[int]) -> Complaint | None:
    """The complaint a reply belongs to: by the Message-IDs it answers (nearest first, any mailbox of the
    company), else by a receipt number of one of the mailbox's offices in the subject. A complaint that
    ended and was continued by a later email complaint leads to that one."""
    ids = mail.thread_ids
    if ids:
        known = dict(
            InboundMessage.objects.filter(
                mailbox__office__company_id=mailbox.office.company_id,
                message_id__in=ids,
                complaint__isnull=False,
            ).values_list("message_id", "complaint_id")
        )
        for mid in ids:
            if mid in known:
                return _successor(Complaint.objects.get(pk=known[mid]))
    for number in mail.receipt_numbers:
        found = Complaint.objects.filter(receipt_no=number, office_id__in=office_ids).first()
        if found is not None:
            return _successor(found)
    return None


def _successor(complaint: Complaint) -> Complaint:
    for _hop in range(10):
        if complaint.state not in TERMINAL_STATES:
            return complaint
        later = (
            InboundMessage.objects.filter(related_complaint=complaint, outcome=InboundMessage.Outcome.CREATED)
            .order_by("-id")
            .values_list("complaint_id", flat=True)
            .first()
        )
        if later is None:
            return complaint
        complaint = Complaint.objects.get(pk=later)
    return complaint


def _append(
    user: User, complaint: Complaint, mail: ParsedMail, uploads: list[UploadInput], skipped: list[dict]
) -> None:
    sender = f"{mail.from_name} <{mail.from_address}>" if mail.from_name else mail.from_address
    text = _("发件人：%(sender)s\n主题：%(subject)s\n\n%(body)s") % {
        "sender": sender,
        "subject": mail.subject or _("（无主题）"),
        "body": strip_quoted(mail.body)[:MAX_TEXT] or _("（邮件无正文）"),
    }
    if uploads:
        text += "\n\n" + _("附件 %(n)d 个，已保存。") % {"n": len(uploads)}
    if skipped:
        text += "\n" + _skipped_text(skipped)
    complainant_wrote_record(actor=user, complaint_id=complaint.pk, body=text, method=Method.EMAIL)
    for upload in uploads:
        attachment_add(actor=user, complaint_id=complaint.pk, upload=upload)
