"""The in-app/log channel and e-mail (Django's email backend: SMTP in production)."""

from __future__ import annotations

import logging

from django.core.mail import EmailMessage

from docket.core.text import one_line

from .base import Outcome, PermanentError

log = logging.getLogger("docket.notify")


def deliver_console(n) -> Outcome:
    log.info("[notify:%s] to %s: %s — %s", n.kind, n.recipient or n.address, one_line(n.subject), n.body)
    return Outcome()


def deliver_email(n) -> Outcome:
    address = n.address or (n.recipient.email if n.recipient_id else "")
    if not address:
        raise PermanentError("no email address")
    # UTF-8 body and an RFC 2047 encoded subject: Django's EmailMessage does both for non-ASCII text. The
    # subject on one line: a CR/LF in it (an old row, a subject typed with a line break) would make Django
    # refuse the message (BadHeaderError) on every retry.
    EmailMessage(one_line(n.subject), n.body, None, [address.strip()]).send(fail_silently=False)
    return Outcome(excerpt=address)
