"""Personal data in logs and the outbox: the development SMS log masks phones, delivered messages lose
their addresses and texts after DOCKET_OUTBOX_KEEP_DAYS; header-bound text is on one line."""

import json
import logging
from datetime import timedelta

import time_machine
from django.core import mail

from docket.accounts.models import User
from docket.core import clock
from docket.notifications.channels.wecom import robot_message
from docket.notifications.models import DeliveryAttempt, Notification
from docket.notifications.service import deliver_due, notify, notify_address


def _owner_sms(key="ev:9:owner", params=None):
    notify_address(
        kind="owner:registered",
        notice="owner_update",
        address="13812345678",
        subject="登记",
        body="您的投诉已受理，回执编号CYY-9，查询码WXYZ。",
        data={"template": "SMS_1", "params": params or {"no": "CYY-9", "code": "WXYZ"}},
        dedupe_key=key,
    )


def test_the_development_sms_log_masks_the_phone(db, settings, tmp_path, caplog):
    settings.DOCKET_SMS_FILE = str(tmp_path / "sms.log")
    _owner_sms()
    with caplog.at_level(logging.INFO, logger="docket.sms"):
        assert deliver_due()["sent"] == 1
    raw = (tmp_path / "sms.log").read_text(encoding="utf-8")
    assert "13812345678" not in raw and "13812345678" not in caplog.text
    rec = json.loads(raw)
    assert rec["phone"] == "138****5678" and "138****5678" in caplog.text
    assert rec["text"] == "您的投诉已受理，回执编号CYY-9，查询码WXYZ。"  # codes stay readable in development
    assert "查询码WXYZ" in caplog.text


def test_sms_parameters_and_wecom_titles_are_one_line(db, settings, tmp_path):
    settings.DOCKET_SMS_FILE = str(tmp_path / "sms.log")
    _owner_sms(params={"no": "CYY-9", "step": "处理\r\n完毕"})
    assert deliver_due()["sent"] == 1
    rec = json.loads((tmp_path / "sms.log").read_text(encoding="utf-8"))
    assert rec["params"] == {"no": "CYY-9", "step": "处理 完毕"}
    msg = robot_message("markdown", "【逾期】电梯\n停运", "正文\n第二行")
    assert msg["markdown"]["content"] == "**【逾期】电梯 停运**\n正文\n第二行"
    assert robot_message("text", "a\r\nb", "c")["text"]["content"] == "a b\nc"


def test_outbox_purge_blanks_old_delivered_rows_only(db, settings, monkeypatch):
    from config.jobs import purge_outbox_personal_data

    settings.DOCKET_OUTBOX_KEEP_DAYS = 30
    monkeypatch.setattr("docket.notifications.service.PURGE_BATCH", 1)  # several batches
    staff = User.objects.create_user("s", password="x", email="staff@example.com")
    start = clock.now() - timedelta(days=40)
    with time_machine.travel(start, tick=False):
        _owner_sms("old:owner")  # SMS, sent
        notify(
            kind="assigned", recipients=[staff], subject="新派单", body="王先生 13812345678", dedupe_key="old"
        )
        assert deliver_due()["sent"] == 2
        _owner_sms("old:pending")  # still pending: never purged, it has not been delivered
    with time_machine.travel(start + timedelta(days=20), tick=False):
        _owner_sms("recent:owner")
        deliver_due()
    Notification.objects.filter(dedupe_key__startswith="old:pending").update(state="pending")
    email = Notification.objects.get(channel="email")
    assert email.attempt_log.get().response_excerpt == "staff@example.com"
    assert mail.outbox

    purge_outbox_personal_data.call_local()
    purged = Notification.objects.filter(purged_at__isnull=False)
    assert set(purged.values_list("dedupe_key", flat=True)) == {"old:owner:sms", f"old:u{staff.id}:email"}
    for n in purged:
        assert (n.address, n.body, n.data, n.last_error) == ("", "", {}, "")
        assert n.state == "sent" and n.sent_at and n.subject  # that and when it went out stays
    assert not DeliveryAttempt.objects.filter(notification__in=purged).exclude(response_excerpt="").exists()
    assert DeliveryAttempt.objects.filter(notification__in=purged, ok=True).count() == 2
    kept = Notification.objects.filter(purged_at__isnull=True)
    assert {n.dedupe_key for n in kept} == {"old:pending:sms", "recent:owner:sms"}
    assert all(n.address == "13812345678" and n.body for n in kept)
    from docket.notifications.service import outbox_purge

    assert outbox_purge() == 0  # nothing left to purge
