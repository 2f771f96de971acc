"""The received time of a complaint (R-SLA-3, R-INT-9): a letter recorded late keeps its real received
time, with a reason, and its deadlines run from then; a time in the future (beyond the allowed clock skew)
is refused with the same code on the page, in the API and in the service."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from docket.complaints import services as s
from docket.complaints.models import Complaint, Method, Obligation
from docket.complaints.tests.helpers import global_counts
from docket.core import clock
from docket.core.errors import DomainError
from docket.sla import duetimes
from docket.sla.calendar import SHANGHAI

from .conftest import Api

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI)  # a Thursday
MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _at_a_known_time():
    duetimes.invalidate()
    with time_machine.travel(NOW, tick=False):
        yield
    duetimes.invalidate()


def _body(org, **over):
    body = {
        "office_id": org.a.office.id,
        "channel": "office",
        "method": "letter",
        "subject": "信件：楼道灯不亮",
        "description": "3单元楼道灯一周未修",
        "complainant_name": "李",
        "complainant_phone": "13900001111",
    }
    body.update(over)
    return body


def _page(client, org, **over):
    data = {
        "office": org.a.office.id,
        "kind": "complaint",
        "channel": "office",
        "method": "letter",
        "complainant_phone": "13900001111",
        "complainant_name": "李",
        "people_count": 1,
        "subject": "信件：楼道灯不亮",
        "description": "3单元楼道灯一周未修",
    }
    data.update(over)
    client.force_login(org.a.users["reception"])
    return client.post(reverse("complaints:new"), data)


def _local(value: datetime) -> str:
    return value.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def api(make_key) -> Api:
    _key, token = make_key()
    return Api(token)


# --- the future --------------------------------------------------------------------------------------


def test_api_refuses_a_received_time_in_the_future(org, api):
    before = global_counts()
    for ahead in (timedelta(minutes=6), timedelta(days=3650)):
        r = api.post("/complaints", _body(org, received_at=(clock.now() + ahead).isoformat()))
        assert r.status_code == 422 and r.json()["code"] == "received_in_future", r.json()
        assert r.json()["message"] == "收到时间不能晚于现在（允许误差 5 分钟）。"
    assert global_counts() == before


def test_a_few_minutes_of_clock_skew_count_as_now(org, api):
    r = api.post("/complaints", _body(org, received_at=(clock.now() + timedelta(minutes=4)).isoformat()))
    assert r.status_code == 201, r.json()
    assert Complaint.objects.get().received_at == clock.now()


def test_the_skew_is_a_setting(org, api, settings):
    settings.DOCKET_RECEIVED_SKEW_MINUTES = 0
    r = api.post("/complaints", _body(org, received_at=(clock.now() + timedelta(minutes=1)).isoformat()))
    assert r.status_code == 422 and r.json()["code"] == "received_in_future"


def test_page_refuses_a_received_time_in_the_future_on_its_field(client, org):
    r = _page(client, org, received_at=_local(clock.now() + timedelta(hours=1)))
    assert r.status_code == 422
    assert r.context["form"].errors["received_at"] == ["收到时间不能晚于现在（允许误差 5 分钟）。"]
    assert not Complaint.objects.exists()


def test_the_service_refuses_it_for_every_caller(org):
    data = s.ComplaintInput(
        office_id=org.a.office.id,
        channel="office",
        method=Method.LETTER,
        subject="信件",
        description="内容",
        anonymous=True,
        received_at=clock.now() + timedelta(days=1),
    )
    with pytest.raises(DomainError) as err:
        s.complaint_register(actor=org.a.users["reception"], data=data)
    assert err.value.code == "received_in_future"


# --- backdated: a reason, and deadlines from the real received time ----------------------------------


def test_api_backdated_needs_a_reason(org, api):
    r = api.post("/complaints", _body(org, received_at=MONDAY.isoformat()))
    assert r.status_code == 422 and r.json()["code"] == "received_reason_required"
    r = api.post("/complaints", _body(org, received_at=MONDAY.isoformat(), received_reason="   "))
    assert r.status_code == 422 and r.json()["code"] == "received_reason_required"
    assert not Complaint.objects.exists()


def test_earlier_today_needs_no_reason(org, api):
    r = api.post("/complaints", _body(org, received_at=(NOW - timedelta(hours=1)).isoformat()))
    assert r.status_code == 201, r.json()
    c = Complaint.objects.get()
    assert c.received_at == NOW - timedelta(hours=1)
    assert "received_reason" not in c.events.get(seq=1).payload


def test_api_backdated_letter_runs_its_deadlines_from_when_it_arrived(org, api, complaint_factory):
    with time_machine.travel(MONDAY, tick=False):
        on_time = complaint_factory(method=Method.LETTER)
    r = api.post(
        "/complaints", _body(org, received_at=MONDAY.isoformat(), received_reason="信件周一已收到，今日补录")
    )
    assert r.status_code == 201, r.json()
    late = Complaint.objects.get(pk=r.json()["id"])
    assert late.received_at == MONDAY
    ob = Obligation.objects.get(complaint=late, kind="reply")
    assert ob.started_at == MONDAY
    assert ob.due_at == Obligation.objects.get(complaint=on_time, kind="reply").due_at
    assert ob.due_at < clock.now()  # already overdue: the sweep will raise it
    payload = late.events.get(seq=1).payload
    assert payload["received_reason"] == "信件周一已收到，今日补录"
    assert datetime.fromisoformat(payload["received_at"]) == MONDAY
    assert r.json()["received_at"].startswith("2026-11-23T02:00:00")


def test_page_backdated_needs_a_reason_then_registers(client, org):
    r = _page(client, org, received_at=_local(MONDAY))
    assert r.status_code == 422
    assert r.context["form"].errors["received_reason"] == ["收到时间早于今天，请填写补录原因。"]
    assert not Complaint.objects.exists()
    r = _page(client, org, received_at=_local(MONDAY), received_reason="意见箱信件周一投递")
    assert r.status_code == 302
    c = Complaint.objects.get()
    assert c.received_at == MONDAY
    assert c.events.get(seq=1).payload["received_reason"] == "意见箱信件周一投递"
    assert Obligation.objects.get(complaint=c, kind="reply").started_at == MONDAY


def test_page_without_a_received_time_is_now(client, org):
    assert _page(client, org).status_code == 302
    c = Complaint.objects.get()
    assert c.received_at == clock.now()
    assert "received_at" not in c.events.get(seq=1).payload


def test_the_intake_page_offers_the_received_time_and_the_limits(client, org):
    client.force_login(org.a.users["reception"])
    html = client.get(reverse("complaints:new")).content.decode()
    assert 'name="received_at"' in html and 'type="datetime-local"' in html
    assert 'name="received_reason"' in html and 'maxlength="200"' in html
    assert 'name="description" cols="40" rows="5" maxlength="20000"' in html
