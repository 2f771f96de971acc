"""Outbound targets (webhooks, WeCom robots): https only, no internal addresses unless listed; checked on
save and again at delivery (docs/webhooks.md, "Allowed targets")."""

import pytest

from docket.accounts.models import User
from docket.notifications.models import NoticePreference, Notification, WebhookEndpoint, WeComRobot
from docket.notifications.service import deliver_due, notify, notify_webhooks
from docket.notifications.targets import TargetRefused, target_check

INTERNAL = [
    "https://127.0.0.1/hook",
    "https://localhost:8443/hook",  # a name resolving to loopback
    "https://10.1.2.3/hook",
    "https://172.16.0.9/hook",
    "https://192.168.1.20/hook",
    "https://169.254.169.254/latest/meta-data/",  # cloud metadata
    "https://100.64.0.1/hook",  # carrier-grade NAT
    "https://0.0.0.0/hook",
    "https://[::1]/hook",
    "https://[fe80::1]/hook",
    "https://[fd00::5]/hook",
    "https://[::ffff:127.0.0.1]/hook",
    "https://224.0.0.1/hook",
]


@pytest.fixture
def strict(settings):
    settings.DOCKET_WEBHOOK_ALLOW_HTTP = False
    settings.DOCKET_WEBHOOK_ALLOWED_HOSTS = []


@pytest.mark.parametrize("url", INTERNAL)
def test_internal_addresses_are_refused(strict, url):
    with pytest.raises(TargetRefused, match="内部地址"):
        target_check(url)


def test_public_https_passes_and_http_needs_the_setting(strict, settings):
    target_check("https://8.8.8.8/hook")
    target_check("https://[2001:4860:4860::8888]:8443/hook")
    for url in ("http://8.8.8.8/hook", "ftp://8.8.8.8/x", "file:///etc/passwd", "gopher://8.8.8.8/"):
        with pytest.raises(TargetRefused, match="https"):
            target_check(url)
    settings.DOCKET_WEBHOOK_ALLOW_HTTP = True
    target_check("http://8.8.8.8/hook")
    with pytest.raises(TargetRefused, match="内部地址"):
        target_check("http://127.0.0.1/hook")  # http allowed is not internal allowed


def test_the_allow_list_takes_names_addresses_and_networks(strict, settings):
    settings.DOCKET_WEBHOOK_ALLOWED_HOSTS = ["localhost", "10.0.0.0/8", "::1"]
    target_check("https://localhost/hook")
    target_check("https://10.20.30.40/hook")
    target_check("https://[::1]/hook")
    with pytest.raises(TargetRefused):
        target_check("https://192.168.0.1/hook")
    with pytest.raises(TargetRefused):
        target_check("https://127.0.0.1/hook")  # the name "localhost" is listed, not its address


def test_admin_refuses_internal_and_plain_http_targets(strict, admin_client):
    base = {"name": "内网", "company_id": "", "service_user": "", "external_party_id": "", "secret": "k"}
    base |= {"event_kinds": "", "active": "on"}
    for url, reason in [("https://169.254.169.254/", "内部地址"), ("http://8.8.8.8/hook", "https")]:
        r = admin_client.post("/admin/notifications/webhookendpoint/add/", base | {"url": url})
        assert r.status_code == 200 and reason in r.content.decode()
    assert not WebhookEndpoint.objects.exists()
    r = admin_client.post(
        "/admin/notifications/wecomrobot/add/",
        {"name": "群", "company_id": "1", "office_id": "", "webhook_url": "https://127.0.0.1:9/x"},
    )
    assert r.status_code == 200 and "内部地址" in r.content.decode()
    assert not WeComRobot.objects.exists()
    r = admin_client.post("/admin/notifications/webhookendpoint/add/", base | {"url": "https://8.8.8.8/h"})
    assert r.status_code == 302 and WebhookEndpoint.objects.get().url == "https://8.8.8.8/h"


def test_delivery_checks_the_target_again(db, receiver, settings):
    """Saved while allowed (or written around the form); refused at delivery once it is not allowed."""
    WebhookEndpoint.objects.create(name="回调", url=receiver.url + "/hook", secret="s")
    notify_webhooks(event="complaint.closed", data={}, dedupe_key="ev:t1", company_id=None)
    settings.DOCKET_WEBHOOK_ALLOWED_HOSTS = []  # 127.0.0.1 no longer listed
    assert deliver_due() == {"sent": 0, "retry": 0, "failed": 1}
    n = Notification.objects.get()
    assert "target refused" in n.last_error and "127.0.0.1" in n.last_error
    assert receiver.requests == []
    # The same for a robot whose name resolves to loopback.
    WeComRobot.objects.create(
        name="群", company_id=1, webhook_url=receiver.url.replace("127.0.0.1", "localhost")
    )
    u = User.objects.create_user("u1", password="x")
    NoticePreference.objects.create(company_id=1, role="*", notice="overdue", channels=["wecom"])
    notify(kind="overdue", recipients=[u], subject="逾期", body="b", dedupe_key="o:t", company_id=1)
    counts = deliver_due()
    assert counts["failed"] == 1 and receiver.requests == []
    assert "target refused" in Notification.objects.get(channel="wecom").last_error
