"""Front-desk intake page."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from docket.complaints.models import Complaint, State
from docket.core.testing.images import PNG
from docket.org.models import Resident


def _post(client, org, **over):
    data = {
        "office": org.a.office.id,
        "kind": "complaint",
        "channel": "office",
        "method": "phone",
        "complainant_phone": "13900001111",
        "complainant_name": "李",
        "room": org.a.room.id,
        "people_count": 1,
        "subject": "楼道灯不亮",
        "description": "3单元楼道灯一周未修",
        "issues": "楼道灯不亮\n楼道有杂物堆放",
    }
    data.update(over)
    return client.post(reverse("complaints:new"), data)


def test_intake_registers_and_shows_receipt(client, org):
    client.force_login(org.a.users["reception"])
    r = _post(client, org, attachments=SimpleUploadedFile("photo.png", PNG, content_type="image/png"))
    c = Complaint.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("complaints:receipt", args=[c.id])
    assert [i.summary for i in c.issues.order_by("seq")] == ["楼道灯不亮", "楼道有杂物堆放"]
    assert c.attachments.get().content_type == "image/png"
    assert c.received_by == org.a.users["reception"] and c.state == State.REGISTERED


def test_intake_close_on_the_spot(client, org):
    client.force_login(org.a.users["reception"])
    _post(client, org, close_on_spot="on", close_note="当场更换灯泡，业主满意")
    c = Complaint.objects.get()
    assert c.state == State.CLOSED and c.closure_kind == "on_the_spot"


def test_intake_error_keeps_everything_typed(client, org):
    client.force_login(org.a.users["reception"])
    r = _post(
        client,
        org,
        complainant_name="",
        attachments=SimpleUploadedFile("virus.exe", b"MZ\x90\x00", content_type="image/png"),
    )
    html = r.content.decode()
    assert r.status_code == 422
    assert "类型不支持" in html or "请填写" in html
    assert "3单元楼道灯一周未修" in html and "楼道有杂物堆放" in html
    assert not Complaint.objects.exists()


def test_close_on_spot_needs_a_note(client, org):
    client.force_login(org.a.users["reception"])
    r = _post(client, org, close_on_spot="on")
    assert r.status_code == 422 and "请填写现场处理情况" in r.content.decode()
    assert not Complaint.objects.exists()


def test_lookup_finds_resident_and_open_complaints(client, org, complaint_factory):
    Resident.objects.create(room=org.a.room, name="王建国", phone="13800000001")
    c = complaint_factory(complainant_phone="13800000001")
    client.force_login(org.a.users["reception"])
    html = client.get(reverse("complaints:lookup"), {"complainant_phone": "138 0000 0001"}).content.decode()
    assert "王建国" in html and c.receipt_no in html


def test_people_without_intake_rights_get_403(client, org):
    client.force_login(org.users["group_property"])
    assert client.get(reverse("complaints:new")).status_code == 403
