"""GET /complaints/{id}/obligations, /attachments (list and download), the organisation lookups
(/offices/{id}, /buildings, /rooms, /departments, /companies/{id}/departments) and /statistics."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from docket.accounts.models import Role
from docket.complaints import services
from docket.complaints.models import Attachment, Complaint
from docket.complaints.services import UploadInput
from docket.complaints.tests.helpers import JPEG, PNG
from docket.core import clock
from docket.org.models import Building, Room, Unit

from .conftest import Api

pytestmark = pytest.mark.django_db


@pytest.fixture
def qm(make_key, org) -> Api:
    _key, token = make_key(Role.QM, company=org.company)
    return Api(token)


# --- obligations ---------------------------------------------------------------------------------


def test_obligations_with_due_times_state_and_provisional_flag(org, api_a, complaint_factory):
    c = complaint_factory(method="online", channel="online")
    r = api_a.get(f"/complaints/{c.id}/obligations")
    assert r.status_code == 200, r.json()
    body = r.json()
    assert {o["kind"] for o in body} == {"reply", "acknowledge"}
    reply = next(o for o in body if o["kind"] == "reply")
    assert reply["state"] == "open" and reply["state_label"] == "进行中" and reply["kind_label"] == "答复"
    assert reply["due_at"] and reply["provisional"] in (True, False) and reply["on_time"] is None
    services.acknowledge_send(actor=org.a.users["reception"], complaint_id=c.id, text="您好，已收到。")
    ack = next(o for o in api_a.get(f"/complaints/{c.id}/obligations").json() if o["kind"] == "acknowledge")
    assert ack["state"] == "met" and ack["on_time"] is True and ack["met_at"]


def test_obligations_of_an_invisible_complaint_are_404(org, api_a, complaint_factory):
    c = complaint_factory(kit=org.b)
    for path in (f"/complaints/{c.id}/obligations", "/complaints/987654/obligations"):
        r = api_a.get(path)
        assert r.status_code == 404 and r.json()["code"] == "not_found"


# --- attachments ---------------------------------------------------------------------------------


def _upload(api, c_id, content=PNG, name="现场.png"):
    version = Complaint.objects.get(pk=c_id).version
    return api.post(
        f"/complaints/{c_id}/actions/attachment_add",
        {"version": version, "file": {"name": name, "content_base64": base64.b64encode(content).decode()}},
    )


def test_upload_list_and_download(org, api_a, complaint_factory):
    c = complaint_factory()
    r = _upload(api_a, c.id)
    assert r.status_code == 200, r.json()
    listing = api_a.get(f"/complaints/{c.id}/attachments").json()
    assert [a["name"] for a in listing] == ["现场.png"]
    att = listing[0]
    assert att["content_type"] == "image/png" and att["size"] == len(PNG)
    assert att["url"] == f"/api/v1/complaints/{c.id}/attachments/{att['id']}"
    d = api_a.client.get(att["url"])
    assert d.status_code == 200
    assert d["Content-Type"] == "image/png" and d["X-Content-Type-Options"] == "nosniff"
    assert b"".join(d.streaming_content) == PNG
    assert "attachment" in d["Content-Disposition"]


def test_upload_refuses_what_is_not_an_image_or_pdf(org, api_a, complaint_factory):
    c = complaint_factory()
    r = _upload(api_a, c.id, content=b"MZ\x90\x00 not an image", name="a.png")
    assert r.status_code == 422 and r.json()["code"] == "attachment_type"
    r = api_a.post(
        f"/complaints/{c.id}/actions/attachment_add",
        {"version": c.version, "file": {"name": "a.png", "content_base64": "***"}},
    )
    assert r.status_code == 422 and r.json()["code"] == "validation"
    assert not Attachment.objects.filter(complaint=c).exists()


def test_download_of_an_invisible_or_foreign_attachment_is_404(org, api_a, complaint_factory):
    mine = complaint_factory()
    theirs = complaint_factory(kit=org.b)
    att_b = services.attachment_add(
        actor=org.b.users["reception"], complaint_id=theirs.id, upload=UploadInput(name="b.jpg", content=JPEG)
    )
    missing = api_a.get("/complaints/987654").json()
    for path in (
        f"/complaints/{theirs.id}/attachments/{att_b.id}",  # office B's complaint
        f"/complaints/{mine.id}/attachments/{att_b.id}",  # B's attachment through A's complaint
        f"/complaints/{theirs.id}/attachments",
        f"/complaints/{mine.id}/attachments/987654",
    ):
        r = api_a.get(path)
        assert r.status_code == 404 and r.json() == missing, path


def test_download_when_the_file_is_gone_is_404(org, api_a, complaint_factory):
    c = complaint_factory()
    att = services.attachment_add(
        actor=org.a.users["reception"], complaint_id=c.id, upload=UploadInput(name="a.jpg", content=JPEG)
    )
    att.file.storage.delete(att.file.name)
    r = api_a.get(f"/complaints/{c.id}/attachments/{att.id}")
    assert r.status_code == 404 and r.json()["code"] == "not_found"


def test_attachments_need_auth(org, anon, complaint_factory):
    c = complaint_factory()
    assert anon.get(f"/complaints/{c.id}/attachments").status_code == 401


# --- organisation lookups ------------------------------------------------------------------------


@pytest.fixture
def more_rooms(org):
    b2 = Building.objects.create(community=org.a.community, name="2号楼")
    u = Unit.objects.create(building=b2, name="1单元")
    return [Room.objects.create(unit=u, number=f"{n}01") for n in range(1, 6)]


def test_office_buildings_rooms_and_departments(org, api_a, more_rooms):
    office = org.a.office
    r = api_a.get(f"/offices/{office.id}")
    assert r.status_code == 200 and r.json()["community_detail"]["name"] == "朝阳园"
    buildings = api_a.get(f"/offices/{office.id}/buildings").json()
    assert [(b["name"], [u["name"] for u in b["units"]]) for b in buildings] == [
        ("1号楼", ["1单元"]),
        ("2号楼", ["1单元"]),
    ]
    page1 = api_a.get(f"/offices/{office.id}/rooms", {"limit": 4}).json()
    assert len(page1["items"]) == 4 and page1["next_cursor"]
    page2 = api_a.get(f"/offices/{office.id}/rooms", {"limit": 4, "cursor": page1["next_cursor"]}).json()
    assert page2["next_cursor"] is None
    ids = [r["id"] for r in page1["items"] + page2["items"]]
    assert ids == sorted(ids) and set(ids) == {org.a.room.id, *(r.id for r in more_rooms)}
    assert page1["items"][0]["label"] == "1号楼1单元101"
    b2 = more_rooms[0].unit.building
    assert {
        r["id"] for r in api_a.get(f"/offices/{office.id}/rooms", {"building": b2.id}).json()["items"]
    } == {r.id for r in more_rooms}
    depts = api_a.get(f"/offices/{office.id}/departments").json()
    assert {d["name"] for d in depts} == {"客服部", "工程部", "秩序部", "品质管理部", "办公室", "公司管理层"}
    assert next(d for d in depts if d["name"] == "品质管理部")["office_id"] is None
    assert depts[0]["office_id"] is None  # company-level first


def test_lookups_stay_within_the_keys_scope(org, api_a, qm):
    b = org.b.office
    missing = api_a.get("/offices/987654").json()
    for path in (
        f"/offices/{b.id}",
        f"/offices/{b.id}/buildings",
        f"/offices/{b.id}/rooms",
        f"/offices/{b.id}/departments",
    ):
        r = api_a.get(path)
        assert r.status_code == 404 and r.json() == missing, path
    # An office key sees its company's departments only through its own office.
    depts = api_a.get(f"/companies/{org.company.id}/departments").json()
    assert {d["office_id"] for d in depts} == {None, org.a.office.id}
    # The company-wide key sees every office.
    assert qm.get(f"/offices/{b.id}/buildings").status_code == 200
    all_depts = qm.get(f"/companies/{org.company.id}/departments").json()
    assert {d["office_id"] for d in all_depts} == {None, org.a.office.id, b.id}
    from docket.org.models import Company

    other = Company.objects.get(code="co2")
    assert qm.get(f"/companies/{other.id}/departments").status_code == 404


# --- statistics ----------------------------------------------------------------------------------


def test_statistics_counts_and_on_time_rate(org, api_a, qm, complaint_factory):
    c1 = complaint_factory()
    complaint_factory(kind="suggestion", channel="online", method="online")
    c3 = complaint_factory()
    complaint_factory(kit=org.b)
    services.complaint_close_on_spot(actor=org.a.users["reception"], complaint_id=c1.id, note="已处理")
    services.complaint_withdraw(actor=org.a.users["reception"], complaint_id=c3.id, reason="已解决")
    r = api_a.get("/statistics")
    assert r.status_code == 200, r.json()
    s = r.json()
    assert s["total"] == 3 and s["open"] == 1 and s["overdue"] == 0
    assert {x["key"]: x["count"] for x in s["by_state"]} == {"closed": 1, "withdrawn": 1, "registered": 1}
    assert {x["key"]: x["count"] for x in s["by_kind"]} == {"complaint": 2, "suggestion": 1}
    assert {x["key"]: x["count"] for x in s["by_channel"]} == {"office": 2, "online": 1}
    assert {x["name"]: x["complaints"] for x in s["by_category"]} == {"设施设备 / 电梯": 3}
    reply = next(o for o in s["on_time"] if o["kind"] == "reply")
    assert (
        reply["decided"] == 1 and reply["on_time"] == 1 and reply["rate"] == 1.0
    )  # the one closed on the spot
    assert s["on_time_rate"] == 1.0
    # A month later the open one's reply is past due: decided, not on time.
    with time_machine.travel(clock.now() + timedelta(days=30), tick=False):
        s = api_a.get(
            "/statistics",
            {
                "date_to": clock.local_now().date().isoformat(),
                "date_from": (clock.local_now().date() - timedelta(days=40)).isoformat(),
            },
        ).json()
    reply = next(o for o in s["on_time"] if o["kind"] == "reply")
    assert reply["decided"] == 2 and reply["on_time"] == 1 and reply["rate"] == 0.5
    assert s["overdue"] == 1
    # Company-wide: both offices; one office at a time.
    assert qm.get("/statistics", {"company": org.company.id}).json()["total"] == 4
    assert qm.get("/statistics", {"office": org.b.office.id}).json()["total"] == 1


def test_statistics_date_range_and_scope(org, api_a, complaint_factory):
    complaint_factory()
    today = clock.local_now().date()
    assert (
        api_a.get("/statistics", {"date_from": (today + timedelta(days=1)).isoformat()}).json()["total"] == 0
    )
    assert api_a.get("/statistics", {"date_to": (today - timedelta(days=1)).isoformat()}).json()["total"] == 0
    r = api_a.get(
        "/statistics", {"date_from": today.isoformat(), "date_to": (today - timedelta(days=1)).isoformat()}
    )
    assert r.status_code == 422 and r.json()["code"] == "validation"
    r = api_a.get("/statistics", {"office": org.a.office.id, "company": org.company.id})
    assert r.status_code == 422
    for params in ({"office": org.b.office.id}, {"company": 987654}):
        r = api_a.get("/statistics", params)
        assert r.status_code == 404 and r.json()["code"] == "not_found"


def test_statistics_runs_a_constant_number_of_queries(org, qm, complaint_factory):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert qm.get("/statistics").status_code == 200
        return len(ctx.captured_queries)

    complaint_factory()
    count()  # the key's first use records last_used_at
    few = count()
    for _ in range(5):
        complaint_factory(kit=org.b)
    assert count() == few


def test_obligation_and_attachment_lists_run_constant_queries(org, api_a, complaint_factory):
    c = complaint_factory(method="online", channel="online")

    def count(path):
        with CaptureQueriesContext(connection) as ctx:
            assert api_a.get(path).status_code == 200
        return len(ctx.captured_queries)

    count(f"/complaints/{c.id}/attachments")  # the key's first use records last_used_at
    before = count(f"/complaints/{c.id}/attachments"), count(f"/complaints/{c.id}/obligations")
    for _ in range(3):
        services.attachment_add(
            actor=org.a.users["reception"], complaint_id=c.id, upload=UploadInput(name="a.png", content=PNG)
        )
    services.acknowledge_send(actor=org.a.users["reception"], complaint_id=c.id, text="已收到")
    assert (count(f"/complaints/{c.id}/attachments"), count(f"/complaints/{c.id}/obligations")) == before


def test_organisation_lookups_run_constant_queries(org, api_a, more_rooms):
    office = org.a.office

    def count(path, params=None):
        with CaptureQueriesContext(connection) as ctx:
            assert api_a.get(path, params).status_code == 200
        return len(ctx.captured_queries)

    count("/offices")  # the key's first use records last_used_at
    paths = [
        f"/offices/{office.id}/buildings",
        f"/offices/{office.id}/rooms",
        f"/offices/{office.id}/departments",
    ]
    before = [count(p) for p in paths]
    b3 = Building.objects.create(community=org.a.community, name="3号楼")
    for name in ("1单元", "2单元"):
        u = Unit.objects.create(building=b3, name=name)
        Room.objects.bulk_create([Room(unit=u, number=f"{n}01") for n in range(1, 9)])
    assert [count(p) for p in paths] == before
