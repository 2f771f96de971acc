"""Idempotency-Key on POSTs: replay, mismatch, expiry, and two identical requests at once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection

from docket.api.models import IdempotencyRecord
from docket.api.services import idempotency_purge
from docket.complaints.models import Complaint, ComplaintEvent
from docket.core import clock

from .conftest import Api


def _body(org, **over):
    return {
        "office_id": org.a.office.id,
        "channel": "office",
        "method": "phone",
        "subject": "电梯困人",
        "description": "3号楼电梯困人二十分钟。",
        "complainant_name": "周",
        "complainant_phone": "13700000003",
        **over,
    }


KEY = {"Idempotency-Key": "4f0c7a52-0b7e-4a8e-9a57-1f0d2c0e9b11"}


@pytest.mark.django_db
def test_retry_with_same_key_and_body_replays_without_acting(org, api_a):
    first = api_a.post("/complaints", _body(org), **KEY)
    again = api_a.post("/complaints", _body(org), **KEY)
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert Complaint.objects.count() == 1 and ComplaintEvent.objects.count() == 1


@pytest.mark.django_db
def test_key_order_and_whitespace_in_the_body_do_not_matter(org, api_a):
    body = _body(org)
    api_a.post("/complaints", body, **KEY)
    reordered = dict(reversed(list(body.items())))
    assert api_a.post("/complaints", reordered, **KEY)["Idempotent-Replayed"] == "true"


@pytest.mark.django_db
def test_same_key_other_body_is_409_mismatch(org, api_a):
    api_a.post("/complaints", _body(org), **KEY)
    r = api_a.post("/complaints", _body(org, subject="别的事"), **KEY)
    assert r.status_code == 409 and r.json()["code"] == "idempotency_mismatch"
    assert Complaint.objects.count() == 1


@pytest.mark.django_db
def test_same_key_on_another_endpoint_is_a_mismatch(org, api_a, complaint_factory):
    c = complaint_factory()
    api_a.post(f"/complaints/{c.id}/actions/note_add", {"version": c.version, "text": "x"}, **KEY)
    r = api_a.post("/complaints", {"version": c.version, "text": "x"}, **KEY)
    assert r.status_code in (409, 422)  # 422: the body does not fit the other endpoint either
    other = complaint_factory()
    r = api_a.post(f"/complaints/{other.id}/actions/note_add", {"version": c.version, "text": "x"}, **KEY)
    assert r.status_code == 409 and r.json()["code"] == "idempotency_mismatch"


@pytest.mark.django_db
def test_actions_replay_too_and_refusals_are_stored(org, api_a, complaint_factory):
    c = complaint_factory()
    body = {"version": c.version, "text": "只记一次"}
    first = api_a.post(f"/complaints/{c.id}/actions/note_add", body, **KEY)
    second = api_a.post(f"/complaints/{c.id}/actions/note_add", body, **KEY)
    assert first.status_code == second.status_code == 200 and second.content == first.content
    assert c.events.filter(kind="note_added").count() == 1
    # a refusal is the request's outcome too: replayed, not re-evaluated
    stale = {"version": 1, "department_id": org.a.depts["engineering"].id}
    k2 = {"Idempotency-Key": "assign-1"}
    r1 = api_a.post(f"/complaints/{c.id}/actions/assign", stale, **k2)
    r2 = api_a.post(f"/complaints/{c.id}/actions/assign", stale, **k2)
    assert r1.status_code == r2.status_code == 409 and r2.json()["code"] == "conflict"
    assert r2["Idempotent-Replayed"] == "true"


@pytest.mark.django_db
def test_without_a_key_every_post_acts(org, api_a):
    api_a.post("/complaints", _body(org))
    api_a.post("/complaints", _body(org))
    assert Complaint.objects.count() == 2 and not IdempotencyRecord.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["", "x" * 101, "含中文"])
def test_bad_keys_are_422(org, api_a, bad):
    r = api_a.client.post(
        "/api/v1/complaints", _body(org), content_type="application/json", headers={"Idempotency-Key": bad}
    )
    assert r.status_code == 422 and r.json()["code"] == "validation"
    assert not Complaint.objects.exists()


@pytest.mark.django_db
def test_keys_expire_after_24_hours(org, api_a):
    api_a.post("/complaints", _body(org), **KEY)
    with time_machine.travel(clock.now() + timedelta(hours=23), tick=False):
        assert api_a.post("/complaints", _body(org), **KEY)["Idempotent-Replayed"] == "true"
    with time_machine.travel(clock.now() + timedelta(hours=25), tick=False):
        r = api_a.post("/complaints", _body(org, subject="新的一次"), **KEY)
        assert r.status_code == 201 and "Idempotent-Replayed" not in r
    assert Complaint.objects.count() == 2
    with time_machine.travel(clock.now() + timedelta(hours=49), tick=False):
        assert idempotency_purge() == 1
    assert not IdempotencyRecord.objects.exists()


@pytest.mark.django_db
def test_unexpected_failure_leaves_the_key_free(org, api_a, monkeypatch):
    from docket.complaints import services

    real = services.complaint_register

    def boom(**kwargs):
        raise RuntimeError("crash")

    monkeypatch.setattr(services, "complaint_register", boom)
    assert api_a.post("/complaints", _body(org), **KEY).status_code == 500
    assert not IdempotencyRecord.objects.exists()
    monkeypatch.setattr(services, "complaint_register", real)
    assert api_a.post("/complaints", _body(org), **KEY).status_code == 201


@pytest.mark.django_db(transaction=True)
def test_two_identical_requests_at_once_act_once(transactional_db, org, make_key):
    """Real threads and transactions: the loser waits (PostgreSQL: on the unique index; SQLite: at
    BEGIN IMMEDIATE) and then gets the stored response."""
    _key, token = make_key()
    body = _body(org)
    barrier = threading.Barrier(2)
    results: list = [None, None]

    def call(i):
        try:
            api = Api(token)
            barrier.wait()
            r = api.post("/complaints", body, **KEY)
            results[i] = (r.status_code, r.content, r.get("Idempotent-Replayed"))
        finally:
            connection.close()

    threads = [threading.Thread(target=call, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert [r[0] for r in results] == [201, 201], results
    assert results[0][1] == results[1][1]
    assert sorted(str(r[2]) for r in results) == ["None", "true"]
    assert Complaint.objects.count() == 1 and IdempotencyRecord.objects.count() == 1
