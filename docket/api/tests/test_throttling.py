"""429 `throttled` with Retry-After: the public receipt check per client address, every API key overall.
Time moves with time-machine (the counters' windows follow `clock.now()`), never with sleeps."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import override_settings

from docket.core import clock
from docket.core.ratelimit import client_address, parse_rate

from .conftest import Api

pytestmark = pytest.mark.django_db


def test_parse_rate():
    assert parse_rate("30/10m") == (30, 600)
    assert parse_rate("6000/m") == (6000, 60)
    assert parse_rate("5/2h") == (5, 7200)
    assert parse_rate("") is None
    with pytest.raises(ValueError):
        parse_rate("lots")


@override_settings(DOCKET_API_RECEIPT_RATE="30/10m")
def test_the_31st_receipt_lookup_is_throttled_and_recovers(org, complaint_factory):
    c = complaint_factory()
    anon = Api()
    start = clock.now().replace(minute=0, second=1, microsecond=0) + timedelta(hours=1)
    with time_machine.travel(start, tick=False):
        answers = [anon.get(f"/receipts/{c.receipt_no}", {"phone": "13800009999"}) for _ in range(30)]
        assert {r.status_code for r in answers} == {404}  # guessing: every one a miss, none throttled yet
        r = anon.get(f"/receipts/{c.receipt_no}", {"code": c.check_code})  # even the right code now
        assert r.status_code == 429
        assert r.json()["code"] == "throttled" and r.json()["message"]
        assert 1 <= int(r["Retry-After"]) <= 600
    with time_machine.travel(start + timedelta(minutes=10), tick=False):
        assert anon.get(f"/receipts/{c.receipt_no}", {"code": c.check_code}).status_code == 200


@override_settings(DOCKET_API_RECEIPT_RATE="2/m")
def test_receipt_limit_is_per_client_address(org, client, complaint_factory):
    c = complaint_factory()
    url = f"/api/v1/receipts/{c.receipt_no}"
    with time_machine.travel(clock.now().replace(second=1), tick=False):
        for _ in range(2):
            assert client.get(url, {"code": c.check_code}, REMOTE_ADDR="10.0.0.1").status_code == 200
        assert client.get(url, {"code": c.check_code}, REMOTE_ADDR="10.0.0.1").status_code == 429
        assert client.get(url, {"code": c.check_code}, REMOTE_ADDR="10.0.0.2").status_code == 200
        # Without a trusted proxy, a client cannot pick its own bucket with X-Forwarded-For.
        r = client.get(url, {"code": c.check_code}, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4")
        assert r.status_code == 429


def test_client_address_behind_trusted_proxies(rf):
    req = rf.get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="6.6.6.6, 1.2.3.4")
    assert client_address(req) == "10.0.0.9"
    with override_settings(DOCKET_NUM_PROXIES=1):
        assert client_address(req) == "1.2.3.4"  # what our proxy saw; the left part is the client's claim
    with override_settings(DOCKET_NUM_PROXIES=5):
        assert client_address(req) == "6.6.6.6"


@override_settings(DOCKET_API_KEY_RATE="5/m")
def test_api_key_limit_and_recovery(org, make_key):
    _k1, t1 = make_key()
    _k2, t2 = make_key(name="另一个接口")
    a, b = Api(t1), Api(t2)
    start = clock.now().replace(second=0, microsecond=0) + timedelta(minutes=2)
    with time_machine.travel(start, tick=False):
        assert [a.get("/offices").status_code for _ in range(5)] == [200] * 5
        r = a.get("/complaints")
        assert r.status_code == 429 and r.json()["code"] == "throttled" and r["Retry-After"] == "60"
        assert a.post("/complaints", {}).status_code == 429  # writes count too, refused before parsing
        assert b.get("/offices").status_code == 200  # per key
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        assert a.get("/offices")["Retry-After"] == "30"
    with time_machine.travel(start + timedelta(minutes=1), tick=False):
        assert a.get("/offices").status_code == 200


@override_settings(DOCKET_API_KEY_RATE="1/m", DOCKET_API_RECEIPT_RATE="")
def test_empty_rate_means_no_limit_and_sessions_are_not_key_limited(org, complaint_factory):
    from django.test import Client

    c = complaint_factory()
    anon = Api()
    assert {anon.get(f"/receipts/{c.receipt_no}", {"code": c.check_code}).status_code for _ in range(40)} == {
        200
    }
    web = Client()
    web.force_login(org.a.users["reception"])
    assert {web.get("/api/v1/offices").status_code for _ in range(3)} == {200}
