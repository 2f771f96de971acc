"""The complainant's view of the record (R-EXP-2): the receipt check and `GET /complaints/{id}/events?public=1`
show only the public fields of each public event (each kind's `public_fields` in `complaints/kinds.py`)."""

from __future__ import annotations

import pytest

from docket.complaints import kinds, services
from docket.complaints.models import State
from docket.complaints.tests.helpers import drive_to

pytestmark = pytest.mark.django_db


def test_only_public_kinds_show_fields_and_their_text_is_one_of_them():
    for code, kind in kinds.KINDS.items():
        if kind.public_text:
            assert kind.public_text in kind.public_fields, code
        if kind.public_fields or kind.owner_text:
            assert code in kinds.PUBLIC_KINDS, code


def test_unclosed_analysis_stays_internal(org, api_a):
    c = drive_to(org, State.UNCLOSED)
    public = api_a.get(f"/complaints/{c.id}/events", {"public": "1"}).json()
    event = next(e for e in public if e["kind"] == "closed_unclosed")
    assert event["payload"] == {"mitigation": "已设置临时围挡"}
    assert all(e["actor_name"] == "" for e in public)
    assert "超出公司能力范围" not in api_a.get(f"/complaints/{c.id}/events", {"public": "1"}).content.decode()
    receipt = api_a.get(f"/receipts/{c.receipt_no}", {"code": c.check_code})
    assert receipt.status_code == 200
    assert (
        next(e for e in receipt.json()["timeline"] if e["kind"] == "closed_unclosed")["text"]
        == "已设置临时围挡"
    )
    assert "超出公司能力范围" not in receipt.content.decode()
    # Staff still see everything.
    full = api_a.get(f"/complaints/{c.id}/events").json()
    assert (
        next(e for e in full if e["kind"] == "closed_unclosed")["payload"]["analysis"] == "超出公司能力范围"
    )


def test_follow_up_quality_score_stays_internal(org, api_a):
    c = drive_to(org, State.FOLLOW_UP)
    services.follow_up_record(
        actor=org.a.users["reception"],
        complaint_id=c.id,
        method="phone",
        satisfaction=4,
        opinion="维修及时",
        quality_score=2,
        process_rating="satisfied",
        measures_rating="basic",
        result_rating="satisfied",
    )
    public = api_a.get(f"/complaints/{c.id}/events", {"public": "1"}).json()
    event = next(e for e in public if e["kind"] == "follow_up_recorded")
    assert event["payload"] == {
        "visit_method": "phone",
        "satisfaction": 4,
        "process_rating": "satisfied",
        "measures_rating": "basic",
        "result_rating": "satisfied",
        "opinion": "维修及时",
    }
    receipt = api_a.get(f"/receipts/{c.receipt_no}", {"code": c.check_code}).json()
    assert next(e for e in receipt["timeline"] if e["kind"] == "follow_up_recorded")["text"] == "维修及时"
    full = api_a.get(f"/complaints/{c.id}/events").json()
    assert next(e for e in full if e["kind"] == "follow_up_recorded")["payload"]["quality_score"] == 2


def test_public_view_hides_staff_names_and_sealed_deadlines(org, api_a):
    c = drive_to(org, State.INVESTIGATING)
    public = api_a.get(f"/complaints/{c.id}/events", {"public": "1"}).json()
    assert [e["kind"] for e in public] == ["registered", "accepted"]
    assert public[1]["payload"] == {}  # who accepted it is internal
    assert "deadlines" not in public[0]["payload"] and "attachments" not in public[0]["payload"]
    assert public[0]["payload"]["receipt_no"] == c.receipt_no
    text = api_a.get(f"/complaints/{c.id}/events", {"public": "1"}).content.decode()
    assert "工程主管" not in text and "前台" not in text
