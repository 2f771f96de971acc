"""E-mail through Django's SMTP backend to a real SMTP server (aiosmtpd) started by the test."""

import re
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from docket.accounts.models import User
from docket.notifications.models import DeliveryAttempt, Notification
from docket.notifications.service import deliver_due, notify

from .receiver import free_port


class Inbox:
    def __init__(self, refuse: bool = False) -> None:
        self.messages: list[tuple] = []
        self.refuse = refuse

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd API
        if self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted"


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "docket@example.com"
    yield inbox
    controller.stop()


@pytest.fixture
def engineer(db):
    return User.objects.create_user(
        "eng", email="gongcheng@example.com", password="x", display_name="工程主管"
    )


def test_email_arrives_with_utf8_chinese(smtp, engineer):
    notify(
        kind="assigned",
        recipients=[engineer],
        subject="【新派单】CYY-20261127-0001 1号楼电梯经常故障",
        body="1号楼2号电梯本周停运三次，老人出行困难。请尽快处理。",
        dedupe_key="ev:1",
        company_id=1,
    )
    assert deliver_due() == {"sent": 1, "retry": 0, "failed": 0}
    [(sender, rcpts, raw)] = smtp.messages
    assert sender == "docket@example.com" and rcpts == ["gongcheng@example.com"]
    msg = message_from_bytes(raw, policy=policy.default)
    assert re.search(rb"\nSubject:\s+=\?utf-8\?", raw, re.I)  # RFC 2047 encoded on the wire
    assert str(msg["Subject"]).strip() == "【新派单】CYY-20261127-0001 1号楼电梯经常故障"
    assert msg["To"] == "gongcheng@example.com"
    assert msg.get_content_charset() == "utf-8"
    assert msg.get_content().strip() == "1号楼2号电梯本周停运三次，老人出行困难。请尽快处理。"
    assert DeliveryAttempt.objects.get().ok


def test_refused_recipient_is_retried_and_logged(smtp, engineer):
    smtp.refuse = True
    notify(
        kind="assigned", recipients=[engineer], subject="新派单", body="内容", dedupe_key="ev:2", company_id=1
    )
    assert deliver_due()["retry"] == 1
    n = Notification.objects.get()
    assert n.state == "pending" and "SMTPRecipientsRefused" in n.last_error
    smtp.refuse = False
    Notification.objects.update(next_attempt_at=n.created_at)
    assert deliver_due()["sent"] == 1
    assert len(smtp.messages) == 1
    assert list(DeliveryAttempt.objects.values_list("ok", flat=True)) == [False, True]


def test_smtp_server_down_is_retried(settings, engineer):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    notify(kind="assigned", recipients=[engineer], subject="s", body="b", dedupe_key="ev:3", company_id=1)
    assert deliver_due()["retry"] == 1
    assert "ConnectionRefusedError" in Notification.objects.get().last_error
