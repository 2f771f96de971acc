"""Who hears what (preferences resolution) and the admin pages."""

import pytest

from docket.accounts.models import User
from docket.notifications import preferences
from docket.notifications.models import DeliveryAttempt, NoticePreference, Notification, WebhookEndpoint
from docket.notifications.service import deliver_due, notify

pytestmark = pytest.mark.django_db


def test_resolution_order():
    ch = preferences.channels_for
    assert ch(1, "qm", "assigned") == ("email",)  # built-in
    assert ch(1, "complainant", "owner_update") == ("sms", "email")
    assert ch(1, "complainant", "assigned") == ()
    assert ch(1, "qm", None) == ("email",)  # not a notice kind: the original rule
    NoticePreference.objects.create(role="*", notice="assigned", channels=["console"])
    assert ch(1, "qm", "assigned") == ("console",)
    NoticePreference.objects.create(company_id=1, role="*", notice="assigned", channels=["sms"])
    assert ch(1, "qm", "assigned") == ("sms",) and ch(2, "qm", "assigned") == ("console",)
    NoticePreference.objects.create(role="qm", notice="assigned", channels=["email", "wecom"])
    assert ch(1, "qm", "assigned") == (
        "email",
        "wecom",
    )  # the role's default row beats the company's any-role row
    NoticePreference.objects.create(company_id=1, role="qm", notice="assigned", channels=[])
    assert ch(1, "qm", "assigned") == () and ch(2, "qm", "assigned") == ("email", "wecom")


def test_the_sweep_kinds_follow_the_overdue_preferences():
    """The overdue sweep calls notify(kind="deadline_missed" | "overdue_escalated"): both are the
    `overdue` notice; `deadline_warning` is its own."""
    u = User.objects.create_user("u", email="u@example.com", password="x")
    NoticePreference.objects.create(role="*", notice="overdue", channels=["console"])
    notify(kind="deadline_missed", recipients=[u], subject="s", body="b", dedupe_key="sla:1:2")
    notify(kind="deadline_warning", recipients=[u], subject="s", body="b", dedupe_key="sla:1:1")
    assert dict(Notification.objects.values_list("kind", "channel")) == {
        "deadline_missed": "console",
        "deadline_warning": "email",
    }


@pytest.fixture
def admin_client(client):
    client.force_login(User.objects.create_superuser("root", "root@example.com", "pw"))
    return client


def test_admin_pages(admin_client, receiver):
    WebhookEndpoint.objects.create(name="e", url=receiver.url, secret="s")
    from docket.notifications.service import notify_webhooks

    notify_webhooks(event="complaint.closed", data={}, dedupe_key="k", company_id=None)
    deliver_due()
    n = Notification.objects.get()
    a = DeliveryAttempt.objects.get()
    for url in [
        "/admin/notifications/notification/",
        f"/admin/notifications/notification/{n.id}/change/",
        "/admin/notifications/deliveryattempt/",
        f"/admin/notifications/deliveryattempt/{a.id}/change/",
        "/admin/notifications/webhookendpoint/",
        "/admin/notifications/webhookendpoint/add/",
        "/admin/notifications/wecomrobot/add/",
        "/admin/notifications/noticepreference/add/",
        "/admin/notifications/channeloptout/add/",
    ]:
        r = admin_client.get(url)
        assert r.status_code == 200, url
    r = admin_client.get("/admin/notifications/noticepreference/add/")
    assert "投诉人（业主）" in r.content.decode() and "部门经理" in r.content.decode()
    assert admin_client.get("/admin/notifications/deliveryattempt/add/").status_code == 403


def test_admin_creates_endpoint_and_preference(admin_client):
    r = admin_client.post(
        "/admin/notifications/webhookendpoint/add/",
        {
            "name": "12345平台",
            "company_id": "",
            "service_user": "",
            "external_party_id": "",
            "url": "https://hook.example.com/docket",
            "secret": "k",
            "event_kinds": "complaint.reply_sent\ncomplaint.closed_on_spot",
            "active": "on",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    assert WebhookEndpoint.objects.get().event_kinds == ["complaint.reply_sent", "complaint.closed_on_spot"]
    r = admin_client.post(
        "/admin/notifications/noticepreference/add/",
        {"company_id": "", "role": "dept_manager", "notice": "assigned", "channels": ["email", "wecom"]},
    )
    assert r.status_code == 302
    assert preferences.channels_for(5, "dept_manager", "assigned") == ("email", "wecom")
