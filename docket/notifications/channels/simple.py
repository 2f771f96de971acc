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
    message = EmailMessage(one_line(n.subject), n.body, None, [address.strip()])
    for item in (n.data or {}).get("attachments", []):
        message.attach(item["name"], _attachment_bytes(item), item.get("content_type") or None)
    message.send(fail_silently=False)
    return Outcome(excerpt=address)


def _attachment_bytes(item: dict) -> bytes:
    """An attachment named in the row's data: a file in the default storage (written by the code that
    queued the message; the row keeps only its path, so the outbox stays small). A file gone is permanent."""
    from django.core.files.storage import default_storage

    try:
        with default_storage.open(item["path"], "rb") as f:
            return f.read()
    except (FileNotFoundError, OSError) as exc:
        raise PermanentError(f"attachment missing: {item.get('name', '')}") from exc
