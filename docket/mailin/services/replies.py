"""Which complaint a reply belongs to: the Message-IDs it answers, else a receipt number in its subject;
an ended complaint continued by a later email complaint leads to that one."""

from __future__ import annotations

from docket.complaints.models import TERMINAL_STATES, Complaint

from ..models import InboundMessage, Mailbox
from ..parsing import ParsedMail


def thread_complaint(mailbox: Mailbox, mail: ParsedMail, office_ids: set[int]) -> Complaint | None:
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
