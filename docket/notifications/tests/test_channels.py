"""Every channel against a real local server: success, failure, retries with backoff, the delivery log,
and no double sending (issue 5)."""

import json
import threading
from datetime import timedelta
from urllib.parse import parse_qsl

import pytest
import time_machine
from django.db import connection

from docket.accounts.models import User
from docket.core import clock
from docket.notifications.channels.sms import aliyun_signature
from docket.notifications.channels.webhook import signature, signature_verify
from docket.notifications.models import DeliveryAttempt, Notification, WebhookEndpoint, WeComRobot
from docket.notifications.service import MAX_ATTEMPTS, deliver_due, notify, notify_address, notify_webhooks

from .receiver import free_port


def _due_now():
    """Make every pending row due (the backoff is tested on its own)."""
    Notification.objects.filter(state=Notification.State.PENDING).update(
        next_attempt_at=clock.now() - timedelta(seconds=1)
    )


@pytest.fixture
def endpoint(db, receiver):
    return WebhookEndpoint.objects.create(
        name="12345 平台", company_id=7, url=receiver.url + "/hook", secret="s3cret"
    )


# --- webhooks ----------------------------------------------------------------------------------------


def test_webhook_signed_delivery(endpoint, receiver):
    data = {"complaint": {"receipt_no": "CYY-20261127-0001"}, "text": "已派工程部维修电梯"}
    assert notify_webhooks(event="complaint.reply_sent", data=data, dedupe_key="ev:1", company_id=7) == 1
    assert notify_webhooks(event="complaint.reply_sent", data=data, dedupe_key="ev:1", company_id=7) == 0
    assert deliver_due() == {"sent": 1, "retry": 0, "failed": 0}
    [req] = receiver.requests
    assert req.path == "/hook"
    h = req.headers
    assert h["x-docket-event"] == "complaint.reply_sent" and h["x-docket-event-id"] == f"ev:1:ep{endpoint.id}"
    assert h["x-docket-signature"] == signature("s3cret", h["x-docket-timestamp"], req.body)
    assert signature_verify("s3cret", h["x-docket-timestamp"], req.body, h["x-docket-signature"])
    assert not signature_verify("wrong", h["x-docket-timestamp"], req.body, h["x-docket-signature"])
    body = req.json()
    assert body["type"] == "complaint.reply_sent" and body["data"]["text"] == "已派工程部维修电梯"
    a = DeliveryAttempt.objects.get()
    assert a.ok and a.status_code == 200 and a.duration_ms is not None and '"ok"' in a.response_excerpt


def test_webhook_filters_company_kind_integration_and_party(db, receiver):
    user = User.objects.create_user("svc", password="x")
    WebhookEndpoint.objects.create(name="all", company_id=None, url=receiver.url, secret="a")
    WebhookEndpoint.objects.create(
        name="co8 replies", company_id=8, url=receiver.url, secret="b", event_kinds=["complaint.reply_sent"]
    )
    WebhookEndpoint.objects.create(name="integration", url=receiver.url, secret="c", service_user=user)
    WebhookEndpoint.objects.create(name="developer", url=receiver.url, secret="d", external_party_id=5)
    WebhookEndpoint.objects.create(name="off", url=receiver.url, secret="e", active=False)

    def names(**kw):
        before = set(Notification.objects.values_list("id", flat=True))
        notify_webhooks(dedupe_key=f"k{len(before)}", data={}, **kw)
        new = Notification.objects.exclude(id__in=before)
        return sorted(
            WebhookEndpoint.objects.filter(id__in=new.values("target_id")).values_list("name", flat=True)
        )

    assert names(event="complaint.registered", company_id=8) == ["all"]
    assert names(event="complaint.reply_sent", company_id=8) == ["all", "co8 replies"]
    assert names(event="complaint.reply_sent", company_id=9, created_by_id=user.id) == ["all", "integration"]
    assert names(event="complaint.forwarded_to_developer", company_id=9, party_ids=[5]) == [
        "all",
        "developer",
    ]


def test_webhook_failure_is_retried_with_backoff_and_logged(endpoint, receiver):
    receiver.responses = [(500, "boom", 0), (404, "gone?", 0)]
    notify_webhooks(event="complaint.closed", data={"x": 1}, dedupe_key="ev:2", company_id=7)
    with time_machine.travel(clock.now(), tick=False) as t:
        assert deliver_due() == {"sent": 0, "retry": 1, "failed": 0}
        n = Notification.objects.get()
        assert n.state == "pending" and n.attempts == 1 and "HTTP 500" in n.last_error
        assert n.next_attempt_at == clock.now() + timedelta(minutes=2)
        assert deliver_due()["retry"] == 0  # not due yet
        t.shift(timedelta(minutes=2))
        assert deliver_due()["retry"] == 1  # 404
        n.refresh_from_db()
        assert n.next_attempt_at == clock.now() + timedelta(minutes=4)
        t.shift(timedelta(minutes=4))
        assert deliver_due()["sent"] == 1
    log = list(DeliveryAttempt.objects.values_list("ok", "status_code", "response_excerpt"))
    assert log == [(False, 500, "boom"), (False, 404, "gone?"), (True, 200, '{"ok":true}')]
    # Every retry carried the same body and event id, each with its own valid signature.
    assert len({r.body for r in receiver.requests}) == 1
    assert len({r.headers["x-docket-event-id"] for r in receiver.requests}) == 1
    for r in receiver.requests:
        assert r.headers["x-docket-signature"] == signature("s3cret", r.headers["x-docket-timestamp"], r.body)


def test_webhook_timeout_and_refused_connection_are_failures(endpoint, receiver, settings):
    settings.DOCKET_HTTP_TIMEOUT = 0.3
    receiver.responses = [(200, "{}", 1.0)]
    notify_webhooks(event="complaint.closed", data={}, dedupe_key="ev:3", company_id=7)
    assert deliver_due()["retry"] == 1
    assert "timeout" in DeliveryAttempt.objects.get().error.lower()
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url=f"http://127.0.0.1:{free_port()}/")
    _due_now()
    assert deliver_due()["retry"] == 1
    assert "ConnectError" in DeliveryAttempt.objects.latest("id").error


def test_webhook_gives_up_after_max_attempts(endpoint, receiver):
    receiver.default = (503, "down", 0)
    notify_webhooks(event="complaint.closed", data={}, dedupe_key="ev:4", company_id=7)
    for _ in range(MAX_ATTEMPTS):
        _due_now()
        deliver_due()
    n = Notification.objects.get()
    assert n.state == "failed" and n.attempts == MAX_ATTEMPTS
    assert len(receiver.requests) == MAX_ATTEMPTS == DeliveryAttempt.objects.filter(ok=False).count()


def test_inactive_endpoint_is_given_up_at_once(endpoint, receiver):
    notify_webhooks(event="complaint.closed", data={}, dedupe_key="ev:5", company_id=7)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(active=False)
    assert deliver_due() == {"sent": 0, "retry": 0, "failed": 1}
    assert receiver.requests == []


def test_a_row_recorded_as_sent_is_never_sent_again(endpoint, receiver):
    notify_webhooks(event="complaint.closed", data={}, dedupe_key="ev:6", company_id=7)
    assert deliver_due()["sent"] == 1
    # Even with its retry time in the past and a stale lease, a sent row is never claimed again.
    Notification.objects.update(next_attempt_at=clock.now() - timedelta(days=1), claimed_until=None)
    assert deliver_due() == {"sent": 0, "retry": 0, "failed": 0}
    assert len(receiver.requests) == 1


def test_an_expired_lease_does_not_overwrite_the_new_owner(endpoint, receiver):
    """A consumer whose lease ran out while sending records its attempt but leaves the row to the consumer
    that took it over."""
    from docket.notifications import service

    notify_webhooks(event="complaint.closed", data={}, dedupe_key="ev:7", company_id=7)
    [n] = service._claim(10)
    Notification.objects.filter(pk=n.pk).update(
        claimed_until=clock.now() + timedelta(minutes=9)
    )  # taken over
    assert service._attempt(n) == "lost"
    assert Notification.objects.get().state == "sending"


def test_a_row_whose_lease_ran_out_before_sending_is_left_to_the_new_owner(endpoint, receiver, monkeypatch):
    """A consumer claims a batch; by the time it reaches a row, the lease has run out and another consumer
    has claimed it. The first consumer must not send it."""
    from docket.notifications import service

    notify_webhooks(event="complaint.closed", data={}, dedupe_key="ev:8", company_id=7)
    claimed = service._claim(10)
    Notification.objects.update(claimed_until=clock.now() + timedelta(minutes=9))  # someone else's lease now
    monkeypatch.setattr(service, "_claim", lambda batch: claimed)
    assert deliver_due() == {"sent": 0, "retry": 0, "failed": 0}
    assert receiver.requests == [] and not DeliveryAttempt.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_consumers_never_post_the_same_row(transactional_db, receiver):
    WebhookEndpoint.objects.create(name="e", url=receiver.url, secret="s")
    for i in range(24):
        notify_webhooks(event="complaint.closed", data={"i": i}, dedupe_key=f"ev:{i}", company_id=1)
    results, barrier = [], threading.Barrier(2)

    def consumer():
        barrier.wait()
        for _ in range(3):
            results.append(deliver_due(batch=5))
        connection.close()

    threads = [threading.Thread(target=consumer) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    total = sum(r["sent"] for r in results) + deliver_due()["sent"]
    assert total == 24 == len(receiver.requests)
    assert len({r.headers["x-docket-event-id"] for r in receiver.requests}) == 24
    assert DeliveryAttempt.objects.count() == 24


# --- WeCom group robot -------------------------------------------------------------------------------


@pytest.fixture
def staff(db):
    return User.objects.create_user("eng", password="x", display_name="工程主管")


def test_wecom_robot_markdown(staff, receiver):
    office_robot = WeComRobot.objects.create(
        name="朝阳园群", company_id=1, office_id=2, webhook_url=receiver.url + "/cgi-bin/webhook/send?key=abc"
    )
    WeComRobot.objects.create(name="公司群", company_id=1, webhook_url=receiver.url + "/company")
    receiver.default = (200, '{"errcode":0,"errmsg":"ok"}', 0)
    notify(
        kind="deadline_missed",
        recipients=[staff],
        subject="【已逾期】CYY-1 答复",
        body="电梯故障",
        dedupe_key="sla:1:2",
        company_id=1,
        office_id=2,
    )
    rows = dict(Notification.objects.values_list("channel", "target_id"))
    assert rows == {"console": None, "wecom": office_robot.id}  # the office's robot, not the company's
    assert deliver_due()["sent"] == 2
    [req] = receiver.requests
    assert req.path == "/cgi-bin/webhook/send?key=abc"
    assert req.json() == {
        "msgtype": "markdown",
        "markdown": {"content": "**【已逾期】CYY-1 答复**\n电梯故障"},
    }


def test_wecom_company_robot_and_errcode_failure(staff, receiver):
    WeComRobot.objects.create(
        name="公司群", company_id=1, webhook_url=receiver.url + "/company", msgtype=WeComRobot.MsgType.TEXT
    )
    receiver.responses = [(200, '{"errcode":45009,"errmsg":"api freq out of limit"}', 0)]
    receiver.default = (200, '{"errcode":0,"errmsg":"ok"}', 0)
    notify(
        kind="severity_raised",
        recipients=[staff],
        subject="热点投诉",
        body="三户以上同一问题",
        dedupe_key="ev:9",
        company_id=1,
        office_id=3,
    )
    assert deliver_due() == {"sent": 1, "retry": 1, "failed": 0}  # console sent, robot refused
    wecom = Notification.objects.get(channel="wecom")
    assert "45009" in wecom.last_error
    assert wecom.attempt_log.get().response_excerpt.startswith('{"errcode":45009')
    _due_now()
    assert deliver_due()["sent"] == 1
    assert receiver.requests[-1].json() == {
        "msgtype": "text",
        "text": {"content": "热点投诉\n三户以上同一问题"},
    }


# --- SMS -----------------------------------------------------------------------------------------------


def test_console_sms_provider_appends_to_file(db, settings, tmp_path):
    settings.DOCKET_SMS_FILE = str(tmp_path / "sms.log")
    notify_address(
        kind="owner:registered",
        notice="owner_update",
        address="13800000001",
        subject="登记",
        body="您的投诉已受理，回执编号CYY-1，查询码ABCD。",
        data={"template": "SMS_1", "params": {"no": "CYY-1", "code": "ABCD"}},
        dedupe_key="ev:1:owner",
    )
    assert deliver_due()["sent"] == 1
    [line] = (tmp_path / "sms.log").read_text(encoding="utf-8").splitlines()
    rec = json.loads(line)
    # The phone is masked in the development log (privacy); template, parameters and text stay readable.
    assert rec["phone"] == "138****0001" and rec["template"] == "SMS_1" and rec["params"]["code"] == "ABCD"
    assert rec["text"] == "您的投诉已受理，回执编号CYY-1，查询码ABCD。"


def test_staff_sms_needs_a_phone_and_respects_opt_out(db, settings, tmp_path):
    from docket.notifications.models import ChannelOptOut, NoticePreference

    settings.DOCKET_SMS_FILE = str(tmp_path / "sms.log")
    NoticePreference.objects.create(role="*", notice="assigned", channels=["sms", "email"])
    a = User.objects.create_user("a", password="x", phone="13900000001", email="a@example.com")
    b = User.objects.create_user("b", password="x", phone="13900000002")
    c = User.objects.create_user("c", password="x")
    ChannelOptOut.objects.create(user=b, channel="sms", notice="assigned")
    notify(kind="assigned", recipients=[a, b, c], subject="新派单", body="b", dedupe_key="ev:1", company_id=1)
    got = sorted(Notification.objects.values_list("recipient__username", "channel"))
    assert got == [("a", "email"), ("a", "sms"), ("b", "console"), ("c", "console")]


def _aliyun_settings(settings, url):
    settings.DOCKET_SMS_PROVIDER = "aliyun"
    settings.DOCKET_SMS_ALIYUN = {
        "ACCESS_KEY_ID": "testid",
        "ACCESS_KEY_SECRET": "testsecret",
        "SIGN_NAME": "示例物业",
        "ENDPOINT": url + "/",
        "REGION": "cn-hangzhou",
    }


def test_aliyun_sms_request_shape_and_signature(db, settings, receiver):
    _aliyun_settings(settings, receiver.url)
    receiver.default = (
        200,
        '{"Code":"OK","Message":"OK","BizId":"900619746936498440^0","RequestId":"F655A8D5"}',
        0,
    )
    notify_address(
        kind="owner:registered",
        notice="owner_update",
        address="13800000001",
        subject="登记",
        body="您的投诉已受理",
        data={"template": "SMS_15305", "params": {"no": "CYY-1", "code": "AB CD"}},
        dedupe_key="ev:1:owner",
    )
    assert deliver_due()["sent"] == 1
    [req] = receiver.requests
    assert req.headers["content-type"].startswith("application/x-www-form-urlencoded")
    params = dict(parse_qsl(req.body.decode()))
    sig = params.pop("Signature")
    assert sig == aliyun_signature(params, "testsecret", "POST")
    assert params["Action"] == "SendSms" and params["Version"] == "2017-05-25"
    assert params["AccessKeyId"] == "testid" and params["SignName"] == "示例物业"
    assert params["PhoneNumbers"] == "13800000001" and params["TemplateCode"] == "SMS_15305"
    assert json.loads(params["TemplateParam"]) == {"no": "CYY-1", "code": "AB CD"}
    assert params["SignatureMethod"] == "HMAC-SHA1" and params["SignatureVersion"] == "1.0"
    assert params["Timestamp"].endswith("Z") and params["SignatureNonce"]
    assert DeliveryAttempt.objects.get().response_excerpt.startswith('{"Code":"OK"')


def test_aliyun_signature_known_answer():
    """The documented example of Alibaba Cloud's RPC signature (SignatureVersion 1.0): percent-encoding of
    `*`, `~` and spaces, and the trailing `&` of the signing key."""
    params = {
        "AccessKeyId": "testId",
        "Action": "SendSms",
        "Format": "XML",
        "PhoneNumbers": "15300000001",
        "RegionId": "cn-hangzhou",
        "SignName": "阿里云短信测试专用",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
        "SignatureVersion": "1.0",
        "TemplateCode": "SMS_71390007",
        "TemplateParam": '{"customer":"test"}',
        "Timestamp": "2017-07-12T02:42:19Z",
        "Version": "2017-05-25",
        "OutId": "123",
    }
    assert aliyun_signature(params, "testSecret", "GET") == "zJDF+Lrzhj/ThnlvIToysFRq6t4="


def test_aliyun_error_code_is_retried(db, settings, receiver):
    _aliyun_settings(settings, receiver.url)
    receiver.responses = [
        (200, '{"Code":"isv.BUSINESS_LIMIT_CONTROL","Message":"触发分钟级流控"}', 0),
        (500, "not json", 0),
    ]
    receiver.default = (200, '{"Code":"OK","Message":"OK"}', 0)
    notify_address(
        kind="owner:x",
        notice="owner_update",
        address="13800000001",
        subject="s",
        body="b",
        data={"template": "SMS_1", "params": {}},
        dedupe_key="k",
    )
    assert deliver_due()["retry"] == 1
    assert "isv.BUSINESS_LIMIT_CONTROL" in Notification.objects.get().last_error
    _due_now()
    assert deliver_due()["retry"] == 1
    _due_now()
    assert deliver_due()["sent"] == 1
    assert list(DeliveryAttempt.objects.values_list("ok", flat=True)) == [False, False, True]


def test_aliyun_not_configured_is_given_up(db, settings):
    settings.DOCKET_SMS_PROVIDER = "aliyun"
    settings.DOCKET_SMS_ALIYUN = {}
    notify_address(kind="owner:x", notice="owner_update", address="1", subject="s", body="b", dedupe_key="k")
    assert deliver_due()["failed"] == 1


def test_owner_sms_is_queued_once_per_key(db):
    for _ in range(2):
        notify_address(
            kind="owner:registered",
            notice="owner_update",
            address="13800000001",
            subject="s",
            body="b",
            dedupe_key="ev:1:owner",
        )
    assert Notification.objects.count() == 1
