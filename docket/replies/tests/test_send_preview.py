"""The send step names the channel and the recipient before sending (issue 14)."""

import pytest
from django.urls import reverse

from docket.complaints.models import Method, State
from docket.complaints.tests.helpers import drive_to
from docket.notifications.models import NoticePreference
from docket.notifications.service import caches_clear


@pytest.fixture(autouse=True)
def _fresh():
    caches_clear()
    yield
    caches_clear()


def _send_form(client, user, c):
    client.force_login(user)
    r = client.get(reverse("complaints:action", args=[c.id, "reply_send"]), headers={"HX-Request": "true"})
    assert r.status_code == 200
    return r.content.decode()


def test_sms_and_email_named_in_full_for_the_front_desk(client, org):
    c = drive_to(org, State.REPLY_APPROVED, method=Method.EMAIL, complainant_email="wang@example.com")
    html = _send_form(client, org.a.users["reception"], c)
    # the front desk sees the complainant in full
    assert '将通过 <strong>短信</strong> 发送至 <strong class="nowrap">13800000001</strong>' in html
    assert "wang@example.com" in html
    assert c.receipt_no in html  # the message text


def test_masked_for_a_viewer_who_sees_the_person_masked(rf, org):
    from django.template import engines

    from docket.complaints.privacy import sees_full

    c = drive_to(org, State.REPLY_APPROVED, method=Method.EMAIL, complainant_email="wang@example.com")
    user = org.users["leadership"]
    assert not sees_full(user, c)
    request = rf.get("/")
    request.user = user
    html = (
        engines["django"].from_string('{% include "replies/_send_preview.html" %}').render({"c": c}, request)
    )
    assert "138****0001" in html and "13800000001" not in html and "wang@example.com" not in html


def test_nothing_sent_when_preferences_say_none(client, org):
    NoticePreference.objects.create(
        company_id=org.company.id, role="complainant", notice="owner_update", channels=[]
    )
    c = drive_to(org, State.REPLY_APPROVED, method=Method.EMAIL)
    html = _send_form(client, org.a.users["reception"], c)
    assert "将通过" not in html and "不会发送短信或邮件" in html


def test_only_on_the_send_form(client, org):
    c = drive_to(org, State.INVESTIGATING)
    client.force_login(org.a.users["eng_supervisor"])
    html = client.get(reverse("complaints:action", args=[c.id, "reply_draft_save"])).content.decode()
    assert "将通过" not in html
