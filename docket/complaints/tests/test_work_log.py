"""The 工作信息记录本 (seed 5.2.2.8; quality record TJ**WY7.2.3-K01-F1), printable from the suggestion-box and
daily logs as an HTML page and a PDF with the company's form number (seed part 2, issue 15)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from docket.complaints import services
from docket.complaints.models import Channel, Method
from docket.core import clock
from docket.core.tests.test_pdf import font_of_first_char, png_ink

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged(org, complaint_factory):
    rec = org.a.users["reception"]
    now = clock.local_now()
    opened = now.replace(hour=9, minute=0, second=0, microsecond=0)
    if opened > now:
        opened = now - timedelta(minutes=5)
    opening = services.box_opening_record(
        actor=rec, office_id=org.a.office.id, opened_at=opened, letters=2, note="两封：噪音、绿化"
    )
    c = complaint_factory(
        channel=Channel.SUGGESTION_BOX,
        method=Method.LETTER,
        box_opening_id=opening.id,
        subject="夜间施工噪音",
    )
    other_office = services.box_opening_record(
        actor=org.b.users["reception"],
        office_id=org.b.office.id,
        opened_at=opened,
        letters=1,
        note="B管理处的信",
    )
    return {"opening": opening, "complaint": c, "other": other_office}


def test_the_log_lists_openings_their_complaints_and_shows_the_form_number(client, org, logged):
    client.force_login(org.a.users["reception"])
    html = client.get(reverse("complaints:work_log")).content.decode()
    assert "工作信息记录本" in html and "TJ**WY7.2.3-K01-F1" in html
    assert "两封：噪音、绿化" in html and logged["complaint"].receipt_no in html and "夜间施工噪音" in html
    assert "B管理处的信" not in html  # another office's log never shows
    # asking for another office's log gives one's own
    html = client.get(reverse("complaints:work_log"), {"office": org.b.office.id}).content.decode()
    assert "B管理处的信" not in html


def test_the_form_number_is_configurable_per_company(client, org, logged):
    org.company.form_numbers = {"work_log": "TJYH-WY7.2.3-K01-F1"}
    org.company.save(update_fields=["form_numbers"])
    client.force_login(org.a.users["office_manager"])
    html = client.get(reverse("complaints:work_log")).content.decode()
    assert "TJYH-WY7.2.3-K01-F1" in html and "TJ**WY7.2.3-K01-F1" not in html


def test_a_period_before_the_opening_is_empty(client, org, logged):
    client.force_login(org.a.users["reception"])
    html = client.get(
        reverse("complaints:work_log"), {"from": "2020-01-01", "to": "2020-01-31"}
    ).content.decode()
    assert "本期无开箱记录。" in html and "两封：噪音、绿化" not in html


def test_the_pdf_carries_the_log_in_the_cjk_font_with_its_form_number(client, org, logged):
    client.force_login(org.a.users["reception"])
    r = client.get(reverse("complaints:work_log"), {"format": "pdf"})
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text, dark = png_ink(r.content)
    assert "TJ**WY7.2.3-K01-F1" in text and "工作信息记录本" in text and "两封：噪音、绿化" in text
    assert logged["complaint"].receipt_no in text
    assert "Noto-Sans-CJK-SC" in font_of_first_char(r.content)
    assert dark > 500


@pytest.mark.parametrize(
    ("user", "allowed"),
    [
        ("reception", True),
        ("office_manager", True),
        ("eng_staff", False),
        ("eng_supervisor", False),
        ("eng_manager", False),
        ("committee", False),
        ("qm", False),
        ("general_office", False),
        ("mgmt_rep", False),
        ("leadership", False),
        ("group_property", False),
    ],
)
def test_only_the_front_desk_of_the_office_prints_it(client, org, logged, user, allowed):
    u = org.a.users.get(user) or org.users[user]
    client.force_login(u)
    for params in ({}, {"format": "pdf"}):
        r = client.get(reverse("complaints:work_log"), params)
        assert r.status_code == (200 if allowed else 403)
        if not allowed:
            assert b"\xe4\xb8\xa4\xe5\xb0\x81" not in r.content  # "两封" never leaks
