"""How long the message log keeps who wrote (R-EXP-12, PIPL): the sender's name, address and subject of an
`InboundMessage` are personal data like the complainant's fields of the complaint it produced."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Q

from docket.core import clock

from ..models import InboundMessage
from .poll import MAX_ATTEMPTS


def inbound_purge(*, now=None) -> int:
    """Blank the sender's name and address, the subject, the note and the skipped attachments' names of
    (a) messages that became part of a complaint once that complaint's personal data is erased
    (`personal_data_anonymise_due`), and (b) messages that became nothing (automatic replies, bounces,
    refusals, errors no longer retried) after DOCKET_OUTBOX_KEEP_DAYS (30) days. What stays — mailbox,
    Message-ID, UID, times, outcome, counts — still files a redelivered message exactly once and shows
    that a message came and what became of it. Returns the number of rows blanked; safe to run again."""
    now = now or clock.now()
    keep = timedelta(days=settings.DOCKET_OUTBOX_KEEP_DAYS)
    still_held = ~Q(from_address="") | ~Q(from_name="") | ~Q(subject="") | ~Q(reason="")
    filed_and_erased = Q(complaint__anonymised_at__isnull=False)
    unfiled_and_old = Q(complaint__isnull=True, received_at__lt=now - keep) & ~Q(
        outcome=InboundMessage.Outcome.ERROR, attempts__lt=MAX_ATTEMPTS
    )
    return InboundMessage.objects.filter(still_held & (filed_and_erased | unfiled_and_old)).update(
        from_name="", from_address="", subject="", reason="", skipped_attachments=[]
    )
