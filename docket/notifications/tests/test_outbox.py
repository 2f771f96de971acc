import threading
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection

from docket.accounts.models import User
from docket.notifications import channels
from docket.notifications.models import DeliveryAttempt, Notification
from docket.notifications.service import MAX_ATTEMPTS, deliver_due, notify


@pytest.fixture
def users(db):
    return [
        User.objects.create_user("with_mail", email="a@example.com", password="x"),
        User.objects.create_user("no_mail", password="x"),
    ]


def test_notify_is_idempotent_and_picks_channel(users):
    assert notify(kind="overdue", recipients=users, subject="逾期", body="b", dedupe_key="o:1:2") == 2
    assert notify(kind="overdue", recipients=users, subject="逾期", body="b", dedupe_key="o:1:2") == 0
    assert Notification.objects.count() == 2
    assert dict(Notification.objects.values_list("recipient__username", "channel")) == {
        "with_mail": "email",
        "no_mail": "console",
    }


def test_delivery_sends_once_and_logs(users):
    notify(kind="overdue", recipients=users, subject="投诉已逾期", body="请尽快处理", dedupe_key="k")
    assert deliver_due() == {"sent": 2, "retry": 0, "failed": 0}
    assert deliver_due() == {"sent": 0, "retry": 0, "failed": 0}
    assert [m.subject for m in mail.outbox] == ["投诉已逾期"]
    assert DeliveryAttempt.objects.filter(ok=True).count() == 2


def test_failure_is_retried_with_backoff_then_given_up(users, monkeypatch):
    def broken(n):
        raise ConnectionError("smtp down")

    monkeypatch.setitem(channels.CHANNELS, "email", broken)
    monkeypatch.setattr("docket.notifications.service.CHANNELS", channels.CHANNELS)
    notify(kind="overdue", recipients=users[:1], subject="s", body="b", dedupe_key="k")
    with time_machine.travel("2026-11-27 10:00 +0800", tick=False) as traveller:
        n = Notification.objects.get()
        Notification.objects.filter(pk=n.pk).update(next_attempt_at=n.created_at.replace(year=2020))
        assert deliver_due()["retry"] == 1
        assert deliver_due()["retry"] == 0  # not due yet: backoff
        for _ in range(MAX_ATTEMPTS - 1):
            traveller.shift(timedelta(days=1))
            deliver_due()
    n.refresh_from_db()
    assert n.state == Notification.State.FAILED and n.attempts == MAX_ATTEMPTS
    assert "smtp down" in n.last_error
    assert DeliveryAttempt.objects.filter(ok=False).count() == MAX_ATTEMPTS


@pytest.mark.django_db(transaction=True)
def test_two_consumers_never_send_the_same_row(transactional_db):
    recipients = [
        User.objects.create_user(f"u{i}", email=f"u{i}@example.com", password="x") for i in range(30)
    ]
    notify(kind="k", recipients=recipients, subject="s", body="b", dedupe_key="k")
    results = []
    barrier = threading.Barrier(2)

    def consumer():
        barrier.wait()
        results.append(deliver_due(batch=10))
        results.append(deliver_due(batch=10))
        connection.close()

    threads = [threading.Thread(target=consumer) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sum(r["sent"] for r in results) + deliver_due()["sent"] == 30
    assert len(mail.outbox) == 30
    assert DeliveryAttempt.objects.count() == 30


def test_the_minute_job_sends_a_burst_within_the_minute(users):
    """250 messages due at once (a wave of complaints about one outage): one run of the job sends them
    all, batch after batch, not 100 a minute."""
    from config.jobs import deliver_notifications

    for i in range(250):
        notify(kind="overdue", recipients=users[1:], subject=f"逾期{i}", body="b", dedupe_key=f"burst:{i}")
    deliver_notifications.call_local()
    assert not Notification.objects.exclude(state=Notification.State.SENT).exists()
    assert Notification.objects.filter(state=Notification.State.SENT).count() >= 250
