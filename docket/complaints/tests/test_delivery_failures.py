"""Line breaks in a subject never stop a notice, and a notice given up is reported to the office."""

import socket

from django.core import mail

from docket.complaints import services as s
from docket.complaints.models import Complaint
from docket.notifications.models import Notification
from docket.notifications.service import MAX_ATTEMPTS, deliver_due


def test_intake_collapses_line_breaks_in_the_subject(complaint_factory):
    c = complaint_factory(subject="电梯\r\n停运\n\n\t三天")
    c.refresh_from_db()
    assert c.subject == "电梯 停运 三天"


def test_an_old_subject_with_line_breaks_still_reaches_staff_by_email(org, complaint_factory):
    c = complaint_factory()
    # A row written before intake collapsed line breaks (or by any other path).
    Complaint.objects.filter(pk=c.pk).update(subject="电梯停运\r\nBcc: someone@evil.example")
    sup = org.a.users["eng_supervisor"]
    sup.email = "sup@example.com"
    sup.save(update_fields=["email"])
    s.complaint_assign(
        actor=org.a.users["reception"], complaint_id=c.id, department_id=org.a.depts["engineering"].id
    )
    counts = deliver_due()
    assert counts["retry"] == 0 and counts["failed"] == 0
    sent = [m for m in mail.outbox if m.to == ["sup@example.com"]]
    assert len(sent) == 1
    assert sent[0].subject == f"【新派单】{c.receipt_no} 电梯停运 Bcc: someone@evil.example"
    assert sent[0].message()["Bcc"] is None


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _exhaust(qs) -> dict:
    """The rows in `qs` are on their last attempt and due now."""
    from django.utils import timezone

    qs.update(attempts=MAX_ATTEMPTS - 1, next_attempt_at=timezone.now())
    return deliver_due()


def test_a_notice_given_up_is_reported_to_the_office(org, complaint_factory, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", _closed_port(), 2
    c = complaint_factory()
    complaint_factory(kit=org.b)
    sup = org.a.users["eng_supervisor"]
    sup.email = "sup@example.com"
    sup.save(update_fields=["email"])
    manager = org.a.users["office_manager"]
    manager.email = "manager@example.com"
    manager.save(update_fields=["email"])
    s.complaint_assign(
        actor=org.a.users["reception"], complaint_id=c.id, department_id=org.a.depts["engineering"].id
    )
    lost = Notification.objects.get(channel="email", recipient=sup)
    counts = _exhaust(Notification.objects.filter(pk=lost.pk))
    assert counts["failed"] == 1
    lost.refresh_from_db()
    assert lost.state == Notification.State.FAILED and lost.attempts == MAX_ATTEMPTS

    told = Notification.objects.filter(kind="delivery_failed")
    assert sorted(told.values_list("recipient__username", "channel")) == [
        ("cyy_manager", "console"),
        ("cyy_manager", "email"),
        ("cyy_reception", "console"),
    ]
    notice = told.filter(channel="console").first()
    assert notice.subject == f"【通知发送失败】{c.receipt_no}"
    assert "邮件" in notice.body and "ConnectionRefusedError" in notice.body
    assert notice.ref == f"complaint:{c.id}" and notice.company_id == org.company.id
    # The in-app records are delivered; the manager's e-mail about it fails too (SMTP is down) and, when
    # given up, raises no notice about the notice.
    deliver_due()
    assert told.filter(channel="console", state="sent").count() == 2
    assert _exhaust(told.filter(channel="email"))["failed"] == 1
    assert Notification.objects.filter(kind="delivery_failed").count() == 3


def test_a_row_not_about_a_complaint_is_only_logged(org, settings, caplog):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", _closed_port(), 2
    from docket.notifications.service import notify

    user = org.users["qm"]
    user.email = "qm@example.com"
    user.save(update_fields=["email"])
    notify(
        kind="report_overdue", recipients=[user], subject="月报逾期", body="b", dedupe_key="r:1", ref="duty:1"
    )
    with caplog.at_level("ERROR", logger="docket.notify"):
        assert _exhaust(Notification.objects.all())["failed"] == 1
    assert not Notification.objects.filter(kind="delivery_failed").exists()
    assert "given up" in caplog.text


def test_the_office_sees_its_failed_deliveries_on_a_page(client, org, complaint_factory, settings):
    from django.urls import reverse

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", _closed_port(), 2
    c = complaint_factory()
    sup = org.a.users["eng_supervisor"]
    sup.email = "sup@example.com"
    sup.save(update_fields=["email"])
    s.complaint_assign(
        actor=org.a.users["reception"], complaint_id=c.id, department_id=org.a.depts["engineering"].id
    )
    _exhaust(Notification.objects.filter(channel="email", recipient=sup))
    url = reverse("reports:delivery_failures")

    client.force_login(org.a.users["reception"])
    page = client.get(url).content.decode()
    assert f"【通知发送失败】{c.receipt_no}" in page
    assert reverse("complaints:detail", args=[c.id]) in page and "ConnectionRefusedError" in page
    assert url in client.get(reverse("complaints:work")).content.decode()  # in the menu of the front desk
    client.force_login(org.b.users["reception"])  # another office: nothing of office A
    page = client.get(url).content.decode()
    assert c.receipt_no not in page and "没有发送失败的通知" in page
    client.force_login(sup)  # not front desk: no menu entry
    assert url not in client.get(reverse("complaints:work")).content.decode()
