"""The staff timeline reads codes by their labels, per kind, and countdowns follow the language."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import time_machine
from django.utils import timezone, translation

from docket.complaints.templatetags.complaint_tags import countdown, event_details

NOW = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.UTC)


def _event(kind, **payload):
    return SimpleNamespace(kind=kind, payload=payload)


def test_a_severity_change_reads_levels_not_codes():
    rows = dict(event_details(_event("severity_raised", **{"from": "normal", "to": "hot", "reason": "媒体"})))
    assert rows == {"原级别": "一般", "升级为": "热点", "原因": "媒体"}


def test_a_transfer_keeps_the_department_labels():
    rows = dict(event_details(_event("transferred", **{"from": "工程部", "to": "客服部", "reason": "错派"})))
    assert rows == {"原部门": "工程部", "转至": "客服部", "原因": "错派"}


def test_unlabelled_payloads_show_nothing():
    assert event_details(SimpleNamespace(kind="accepted", payload=None)) == []


@time_machine.travel(NOW, tick=False)
def test_countdown_in_chinese_and_in_english():
    later = timezone.now() + dt.timedelta(days=1, hours=2, minutes=5)
    late = timezone.now() - dt.timedelta(minutes=1)
    with translation.override("zh-hans"):
        assert countdown(later) == "剩余 1天2小时"
        assert countdown(late) == "已逾期 1分"
    with translation.override("en"):
        assert countdown(later) == "1 day 2 hours left"
        assert countdown(late) == "1 min overdue"
        assert countdown(timezone.now() + dt.timedelta(hours=3)) == "3 hours left"
