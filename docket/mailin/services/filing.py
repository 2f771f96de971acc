"""Filing one message: rejected (unparsable, automatic, our own, already filed by another mailbox),
appended to the complaint it replies to as the complainant's words, or registered as a new complaint
(a reply to an ended complaint too, naming the old one)."""

from __future__ import annotations

import logging
from email.utils import parseaddr

from django.conf import settings
from django.utils.translation import gettext as _

from docket.accounts.models import User
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
from docket.core.errors import DomainError

from ..models import InboundMessage, Mailbox
from ..parsing import ParsedMail, strip_quoted
from .mailbox import mailbox_offices
from .replies import thread_complaint

logger = logging.getLogger(__name__)

MAX_TEXT = 20000  # characters of a body kept in a complaint or note
MAX_ATTACHMENTS = 20


def message_file(mailbox: Mailbox, user: User, mail: ParsedMail, row: InboundMessage) -> None:
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
    # sent to two of the company's mailboxes at once (`complaint` is set: the filter says so)
    if elsewhere is not None and elsewhere.complaint is not None:
        row.outcome = InboundMessage.Outcome.REJECTED
        row.reason = _("同一邮件已由投诉邮箱“%(box)s”处理（%(no)s），未重复登记") % {
            "box": elsewhere.mailbox.name,
            "no": elsewhere.complaint.receipt_no,
        }
        return

    uploads, skipped = _uploads(mail)
    row.skipped_attachments = skipped
    target = thread_complaint(mailbox, mail, set(routes.values()))
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
