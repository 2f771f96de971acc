"""The owners' committee (业委会) browses its own community's complaints (issue 11, portal answers; R-EXP-12):
any complaint of its community, not only those it recorded, with personal data masked — surname + 先生/女士,
phone 138****5678, the room to its building — no internal notes, no staff names or phone numbers, in the
pages, the Excel export and the API alike. Another community's complaints answer not found."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from docket.complaints import services as s
from docket.complaints.models import Complaint
from docket.complaints.services.intake import ComplaintInput, IssueInput, complaint_register

pytestmark = pytest.mark.django_db

NAME, PHONE, MASKED = "王建国", "13812345678", "138****5678"
NOTE = "内部：业主情绪激动，注意沟通"
STAFF_PHONE = "13700001111"
ROOM = "1号楼1单元101"


@pytest.fixture
def record(org):
    """An office-A complaint recorded by the front desk (not by the committee), with a room, an internal
    note, and a holder whose phone is on their account."""
    supervisor = org.a.users["eng_supervisor"]
    supervisor.phone = STAFF_PHONE
    supervisor.save(update_fields=["phone"])
    c = complaint_register(
        actor=org.a.users["reception"],
        data=ComplaintInput(
            office_id=org.a.office.id,
            channel="office",
            method="phone",
            subject="楼道灯不亮",
            description="楼道灯坏了一周。",
            complainant_name=NAME,
            complainant_phone=PHONE,
            room_id=org.a.room.id,
            issues=[IssueInput(summary="楼道灯不亮", category_id=org.categories["设施设备"].id)],
        ),
    ).complaint
    s.complaint_assign(
        actor=org.a.users["reception"], complaint_id=c.id, department_id=org.a.depts["engineering"].id
    )
    s.complaint_accept(actor=supervisor, complaint_id=c.id)
    s.note_add(actor=org.a.users["office_manager"], complaint_id=c.id, text=NOTE)
    return Complaint.objects.get(pk=c.id)


def _masked_only(body: str) -> None:
    for secret in (NAME, PHONE, NOTE, STAFF_PHONE, ROOM, "cyy_eng_sup"):
        assert secret not in body, secret


def test_pages_show_the_community_masked(client, org, record):
    client.force_login(org.a.users["committee"])
    listing = client.get(reverse("complaints:list")).content.decode()
    assert record.receipt_no in listing
    _masked_only(listing)
    r = client.get(reverse("complaints:detail", args=[record.id]))
    body = r.content.decode()
    assert r.status_code == 200
    assert "王先生/女士" in body and MASKED in body and "1号楼" in body
    _masked_only(body)
    assert "内部备注" not in body
    receipt = client.get(reverse("complaints:receipt", args=[record.id]))
    assert receipt.status_code == 200
    _masked_only(receipt.content.decode())
    assert client.get(reverse("complaints:record_form", args=[record.id])).status_code == 404


def test_the_export_holds_no_personal_data(client, org, record):
    client.force_login(org.a.users["committee"])
    r = client.get(reverse("reports:complaints_xlsx"))
    assert r.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(r.getvalue())).active  # a streamed file
    cells = " ".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None)
    assert record.receipt_no in cells
    _masked_only(cells)


def test_the_api_alike(client, org, record):
    client.force_login(org.a.users["committee"])
    listing = client.get("/api/v1/complaints")
    assert listing.status_code == 200 and record.receipt_no in listing.content.decode()
    _masked_only(listing.content.decode())
    detail = client.get(f"/api/v1/complaints/{record.id}")
    data = detail.json()
    assert (data["complainant_name"], data["complainant_phone"], data["room"]) == (
        "王先生/女士",
        MASKED,
        "1号楼",
    )
    assert data["holder"] is None and data["received_by"] is None and data["responsible"] is None
    _masked_only(detail.content.decode())
    events = client.get(f"/api/v1/complaints/{record.id}/events")
    assert events.status_code == 200 and all(e["public"] for e in events.json())
    _masked_only(events.content.decode())


def test_another_community_answers_not_found(client, org, record):
    client.force_login(org.b.users["committee"])
    assert client.get(reverse("complaints:detail", args=[record.id])).status_code == 404
    assert client.get(reverse("complaints:receipt", args=[record.id])).status_code == 404
    assert client.get(f"/api/v1/complaints/{record.id}").status_code == 404
    assert client.get(f"/api/v1/complaints/{record.id}/events").status_code == 404
    assert record.receipt_no not in client.get(reverse("complaints:list")).content.decode()
    assert record.receipt_no not in client.get("/api/v1/complaints").content.decode()
    streamed = client.get(reverse("reports:complaints_xlsx")).getvalue()
    sheet = openpyxl.load_workbook(io.BytesIO(streamed)).active
    assert record.receipt_no not in " ".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row)


def test_the_committee_still_cannot_act(client, org, record):
    cm = org.a.users["committee"]
    before = Complaint.objects.get(pk=record.id).version
    from docket.core.errors import DomainError

    with pytest.raises(DomainError) as e:
        s.note_add(actor=cm, complaint_id=record.id, text="请尽快")
    assert e.value.code == "forbidden_action"
    assert Complaint.objects.get(pk=record.id).version == before
