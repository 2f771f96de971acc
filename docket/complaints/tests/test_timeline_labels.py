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


def test_timeline_items_write_what_the_template_loop_wrote():
    """pagecpu: the complaint page's timeline is written in Python; the markup, escaping and line breaks are
    those of the template loop it replaced (multi-line text, markup in names and payloads, the public view)."""
    from django.template import engines

    from docket.complaints.templatetags.complaint_tags import timeline_items

    loop = engines["django"].from_string(
        "{% load i18n complaint_tags %}{% for e in events %}\n"
        '    <li class="{% if not e.public %}internal{% endif %}">\n'
        '      <div class="when">{{ e.at|minute }}</div>\n'
        '      <div class="what"><b>{{ e.kind|event_label }}</b>{% if not e.public %} <span class="tag">'
        '{% translate "内部" %}</span>{% endif %}\n'
        "        {% if public_only %}{% with text=e|event_public_text %}{% if text %}<div>{{ text|linebreaksbr }}"
        "</div>{% endif %}{% endwith %}\n"
        '        {% else %}<span class="muted">{{ e.actor_name }} · {{ e.actor_role }}</span>\n'
        '        {% for label, value in e|event_details %}<div><span class="muted">{{ label }}{% translate "：" %}</span>'
        "{{ value|linebreaksbr }}</div>{% endfor %}{% endif %}\n"
        "      </div>\n"
        "    </li>\n"
        "  {% endfor %}"
    )
    at = dt.datetime(2026, 12, 7, 2, 5, tzinfo=dt.UTC)
    events = [
        SimpleNamespace(
            kind="closed_on_spot",
            public=True,
            at=at,
            actor_name="王<b>",
            actor_role="前台 & 客服",
            payload={"note": '第一行\r\n第二行 <i>"引号"</i>\r第三行\''},
        ),
        SimpleNamespace(
            kind="transferred",
            public=False,
            at=at,
            actor_name="李四",
            actor_role="客服部主管",
            payload={"from": "工程部", "to": "客服部", "reason": "错派\n再派"},
        ),
        SimpleNamespace(kind="accepted", public=False, at=at, actor_name="", actor_role="", payload=None),
    ]
    for public_only in (False, True):
        for lang in ("zh-hans", "en"):
            with translation.override(lang), timezone.override("Asia/Shanghai"):
                expected = loop.render({"events": events, "public_only": public_only})
                assert timeline_items(events, public_only) == expected, (public_only, lang)


def test_a_deadline_in_the_payload_reads_in_local_time():
    """The overdue sweep and a claim's escalation store `due_at` as ISO text in UTC; the timeline showed
    "期限：2026-11-15T10:04:55.284339+00:00" (the walk, 2026-12-06)."""
    rows = dict(event_details(_event("deadline_missed", step=1, due_at="2026-11-15T10:04:55.284339+00:00")))
    assert rows["期限"] == "2026-11-15 18:04"
    rows = dict(
        event_details(_event("compensation_escalated", to="developer", due_at="2026-11-30T09:30:00+00:00"))
    )
    assert rows["期限"] == "2026-11-30 17:30"
