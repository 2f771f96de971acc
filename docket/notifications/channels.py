"""Delivery channels. Each takes a Notification and raises on failure. Console is the default; email
uses Django's email backend. (SMS, WeCom robot and webhooks plug in here; see the API issue.)"""

from __future__ import annotations

import logging

from django.core.mail import send_mail

log = logging.getLogger("docket.notify")


def deliver_console(n) -> None:
    log.info("[notify:%s] to %s: %s — %s", n.kind, n.recipient or n.address, n.subject, n.body)


def deliver_email(n) -> None:
    address = n.address or (n.recipient.email if n.recipient_id else "")
    if not address:
        raise ValueError("no email address")
    send_mail(n.subject, n.body, None, [address], fail_silently=False)


CHANNELS = {"console": deliver_console, "email": deliver_email}
