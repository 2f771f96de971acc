"""Portal filing (issue 11): the office's page and poster, the phone proof, filing with photos through the
intake service, the receipt (page and PDF), tracking by phone, and every refusal leaving nothing behind."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image

from docket.complaints.events import receipt_digest
from docket.complaints.models import Attachment, Complaint, ComplaintEvent, Method, Obligation
from docket.complaints.tests.helpers import drive_to
from docket.core import clock
from docket.core.tests.test_pdf import font_of_first_char, png_ink
from docket.notifications.models import Notification

from ..models import PhoneCheck

pytestmark = pytest.mark.django_db

PHONE = "13812345678"


def jpeg(size=(64, 48), *, exif: bool = True, color=(200, 30, 30)) -> bytes:
    img = Image.new("RGB", size, color)
    out = io.BytesIO()
    if exif:
        ex = Image.Exif()
        ex[0x010F] = "SecretCam"  # Make
        gps = ex.get_ifd(0x8825)
        gps[1], gps[2] = "N", (34.0, 15.0, 30.0)
        gps[3], gps[4] = "E", (108.0, 56.0, 10.0)
        img.save(out, format="JPEG", exif=ex)
    else:
        img.save(out, format="JPEG")
    return out.getvalue()


def last_code(phone: str = PHONE) -> str:
    n = Notification.objects.filter(kind="one_time_code", address=phone).order_by("-id").first()
    assert n is not None and n.channel == "sms"
    m = re.search(r"\d{6}", n.body)
    assert m is not None
    return m.group(0)


def send(client, phone=PHONE, **extra):
    return client.post("/p/phone/", {"action": "send", "phone": phone, **extra})


def check(client, code, phone=PHONE, nxt=""):
    return client.post("/p/phone/", {"action": "check", "phone": phone, "code": code, "next": nxt})


def prove(client, phone=PHONE, nxt=""):
    assert send(client, phone).status_code == 200
    r = check(client, last_code(phone), phone, nxt)
    assert r.status_code == 302, r.content.decode()[:500]
    return r


def form(org, **over):
    data = {
        "kind": "complaint",
        "place": "room",
        "building": str(org.a.room.unit.building_id),
        "unit": org.a.room.unit.name,
        "room": org.a.room.number,
        "description": "楼上每晚十一点后装修噪音很大😡，影响休息。",
        "demand": "请管理处尽快制止夜间施工🙏",
        "name": "王先生",
    }
    data.update(over)
    return data


def files_on_disk() -> set[str]:
    root = Path(settings.MEDIA_ROOT) / "attachments"
    return {str(p) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def file_named(client, org, photos=(), **over):
    prove(client)
    data = form(org, **over)
    data["photos"] = list(photos)
    return client.post(f"/p/o/{org.a.office.code}/file/", data)


# --- the office's page and poster ----------------------------------------------------------------------


def test_office_page_shows_channels_reply_times_and_buttons(client, org):
    o = org.a.office
    o.hotline_24h, o.email, o.office_hours = "029-88886666", "kefu@example.com", "8:30-18:00"
    o.save()
    html = client.get(f"/p/o/{o.code.lower()}/").content.decode()
    for text in ("朝阳园管理处", "029-88886666", "kefu@example.com", "8:30-18:00", "24小时值班电话"):
        assert text in html, text
    # the promised reply times come from the policy: online the same day, courtesy reply within 4 hours,
    # letters within 2 working days
    assert "当天答复" in html and "4 小时内" in html and "2 个工作日内" in html
    assert f"/p/o/{o.code}/file/" in html and "/p/track/" in html and "/p/phone/list/" in html
    assert client.get("/p/o/NOPE/").status_code == 404


def test_office_reply_times_follow_the_office_policy(client, org):
    from docket.sla.models import SlaPolicy

    SlaPolicy.objects.create(
        company=org.company,
        office=org.a.office,
        rules={"reply": {"online": {"type": "working_days", "n": 3}}},
    )
    html = client.get(f"/p/o/{org.a.office.code}/").content.decode()
    assert "3 个工作日内" in html


def test_poster_page_and_pdf(client, org):
    o = org.a.office
    o.phone, o.postal_address = "029-86001001", "朝阳路88号客服中心"
    o.save()
    html = client.get(f"/p/o/{o.code}/poster/").content.decode()
    assert "业主意见受理公告" in html and "029-86001001" in html and "data:image/svg+xml" in html
    r = client.get(f"/p/o/{o.code}/poster.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text, ink = png_ink(r.content)
    assert "业主意见受理公告" in text and "朝阳路88号客服中心" in text and "当天答复" in text
    assert "Noto-Sans-CJK-SC" in font_of_first_char(r.content)
    assert ink > 5000  # the glyphs and the QR code were drawn
    import pypdfium2 as pdfium

    assert len(pdfium.PdfDocument(io.BytesIO(r.content))) == 1  # one A4 sheet for the notice board


# --- the phone proof -----------------------------------------------------------------------------------


def test_code_is_sent_by_sms_and_only_its_keyed_hash_is_kept(client, org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        r = send(client)
    assert r.status_code == 200 and "验证码已通过短信发送" in r.content.decode()
    code = last_code()
    row = PhoneCheck.objects.get(phone=PHONE)
    assert row.code_hash and code not in row.code_hash and len(row.code_hash) == 64
    assert Notification.objects.get(kind="one_time_code").state == Notification.State.SENT  # sent at once
    r = check(client, code)
    assert r.status_code == 302 and r["Location"] == "/p/phone/list/"
    assert check(client, code).status_code == 422  # used once


def test_wrong_and_expired_codes_and_the_lock(client, org):
    send(client)
    code = last_code()
    wrong = "000000" if code != "000000" else "111111"
    r = check(client, wrong)
    assert r.status_code == 422 and "验证码不正确或已过期" in r.content.decode()
    with time_machine.travel(clock.now() + timedelta(minutes=11)):
        r = check(client, code)  # expired
        assert r.status_code == 422 and "验证码不正确或已过期" in r.content.decode()
    send(client)
    code = last_code()
    for _ in range(2):  # the count runs on across the new code: 2 before, 4 now
        assert check(client, wrong).status_code == 422
    r = check(client, wrong)  # the fifth wrong code in a row
    assert r.status_code == 429 and "锁定" in r.content.decode()
    assert check(client, code).status_code == 429  # even the right one while locked
    assert send(client).status_code == 429  # and no new code
    assert "portal_phone" not in client.session
    with time_machine.travel(clock.now() + timedelta(minutes=16)):
        send(client)
        assert check(client, last_code()).status_code == 302


def test_phone_abc_is_refused_clearly(client, org):
    r = send(client, "abc")
    assert r.status_code == 422 and "手机号码格式不正确" in r.content.decode()
    assert not Notification.objects.filter(kind="one_time_code").exists()
    assert not PhoneCheck.objects.exists()


@override_settings(DOCKET_PORTAL_CODE_PHONE_RATE="2/10m", DOCKET_PORTAL_CODE_IP_RATE="3/10m")
def test_code_requests_are_throttled_per_phone_and_per_address(client, org):
    assert send(client).status_code == 200
    assert send(client).status_code == 200
    r = send(client)
    assert r.status_code == 429 and r["Retry-After"]
    assert Notification.objects.filter(kind="one_time_code").count() == 2
    assert send(client, "13900001111").status_code == 429  # the address's fourth request
    assert Notification.objects.filter(kind="one_time_code").count() == 2


# --- filing --------------------------------------------------------------------------------------------


def test_named_filing_with_a_photo_through_intake(client, org):
    photo = SimpleUploadedFile("IMG_0001.jpg", jpeg(), content_type="image/jpeg")
    r = file_named(client, org, photos=[photo])
    assert r.status_code == 302, r.content.decode()[:800]
    c = Complaint.objects.get()
    assert r["Location"] == f"/p/r/{c.receipt_no}/"
    assert (c.method, c.channel, c.kind) == (Method.ONLINE, "online", "complaint")
    assert c.complainant_phone == PHONE and c.complainant_name == "王先生" and c.room_id == org.a.room.id
    assert "😡" in c.description and c.demand == "请管理处尽快制止夜间施工🙏"  # emoji kept as typed
    first = ComplaintEvent.objects.get(complaint=c, seq=1)
    assert first.kind == "registered" and first.actor_id is None and first.actor_name == "顾客"
    assert first.payload["via"] == "portal"
    att = Attachment.objects.get(complaint=c)
    stored = att.file.read()
    assert b"SecretCam" not in stored and att.content_type == "image/jpeg"
    img = Image.open(io.BytesIO(stored))
    assert not img.getexif() and img.size == (64, 48)
    assert first.payload["attachments"] == [att.sha256]

    page = client.get(r["Location"]).content.decode()
    reply = Obligation.objects.get(complaint=c, kind="reply")
    due = clock.to_local(reply.due_at).strftime("%Y-%m-%d %H:%M")
    for text in (
        c.receipt_no,
        c.check_code,
        "查询码只在此处",
        due,
        receipt_digest(c),
        "1 张",
        "data:image/svg+xml",
    ):
        assert text in page, text
    assert "13812345678" not in page and "138****5678" in page
    # the tracking page opens at once, without the check code
    track = client.get(f"/p/track/{c.receipt_no}/").content.decode()
    assert c.check_code not in track and "楼上每晚十一点后装修噪音很大" in track


def test_receipt_pdf_has_the_number_code_due_time_and_chinese_glyphs(client, org):
    file_named(client, org)
    c = Complaint.objects.get()
    r = client.get(f"/p/r/{c.receipt_no}/receipt.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert "attachment" in r["Content-Disposition"]
    text, ink = png_ink(r.content)
    reply = Obligation.objects.get(complaint=c, kind="reply")
    for part in (
        "投诉受理回执",
        c.receipt_no,
        c.check_code,
        "楼上每晚十一点后装修噪音很大",
        receipt_digest(c)[:16],
    ):
        assert part in text.replace("\r\n", "").replace("\n", ""), part
    assert clock.to_local(reply.due_at).strftime("%Y-%m-%d %H:%M") in text
    assert "Noto-Sans-CJK-SC" in font_of_first_char(r.content)
    assert ink > 5000


def test_the_receipt_shows_the_code_only_in_the_filing_session_and_window(client, org, django_user_model):
    from django.test import Client

    file_named(client, org)
    c = Complaint.objects.get()
    other = Client()
    assert other.get(f"/p/r/{c.receipt_no}/").status_code == 302
    assert other.get(f"/p/r/{c.receipt_no}/receipt.pdf").status_code == 302
    with time_machine.travel(clock.now() + timedelta(minutes=31)):
        r = client.get(f"/p/r/{c.receipt_no}/")
        assert r.status_code == 302 and r["Location"] == f"/p/track/?r={c.receipt_no}"


def test_anonymous_filing_gives_no_phone_and_relies_on_the_receipt(client, org):
    data = form(org, place="public", location="3号楼电梯厅", kind="suggestion", name="")
    r = client.post(f"/p/o/{org.a.office.code}/file/?anon=1", {**data, "anonymous": "1"})
    assert r.status_code == 302, r.content.decode()[:800]
    c = Complaint.objects.get()
    assert c.anonymous and c.complainant_phone == "" and c.complainant_name == "" and c.room_id is None
    assert c.location == "3号楼电梯厅" and c.kind == "suggestion"
    page = client.get(r["Location"]).content.decode()
    assert c.check_code in page and "匿名" in page


def test_a_named_filing_needs_a_proven_phone(client, org):
    r = client.get(f"/p/o/{org.a.office.code}/file/")
    assert "验证手机号后提交" in r.content.decode() and "匿名提交" in r.content.decode()
    r = client.post(f"/p/o/{org.a.office.code}/file/", form(org))
    assert r.status_code == 302 and r["Location"].startswith("/p/phone/?next=")
    assert not Complaint.objects.exists()
    with time_machine.travel(clock.now() + timedelta(minutes=0)):
        prove(client)
    with time_machine.travel(clock.now() + timedelta(minutes=31)):
        r = client.post(f"/p/o/{org.a.office.code}/file/", form(org))
        assert r.status_code == 302 and r["Location"].startswith("/p/phone/")
    assert not Complaint.objects.exists()


def _refused(client, org, status, message, photos=(), prove_first=True, **over):
    before_files = files_on_disk()
    if prove_first:
        prove(client)
    data = form(org, **over)
    data["photos"] = list(photos)
    r = client.post(f"/p/o/{org.a.office.code}/file/", data)
    html = r.content.decode()
    assert r.status_code == status, html[:600]
    assert message in html, html[:1500]
    assert not Complaint.objects.exists() and not Attachment.objects.exists()
    assert files_on_disk() == before_files
    return html


def test_a_non_image_renamed_jpg_is_refused(client, org):
    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 this is an exe" * 50, content_type="image/jpeg")
    _refused(client, org, 422, "类型不支持", photos=[fake])


def test_a_pdf_is_not_a_photo(client, org):
    pdf = SimpleUploadedFile(
        "scan.jpg", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", content_type="image/jpeg"
    )
    _refused(client, org, 422, "不是照片", photos=[pdf])


def test_a_30_mb_photo_is_refused(client, org):
    big = SimpleUploadedFile("big.jpg", jpeg() + b"\0" * (30 * 1024 * 1024), content_type="image/jpeg")
    _refused(client, org, 422, "超过大小上限 10 MB", photos=[big])


def test_a_tenth_photo_is_refused(client, org):
    photos = [SimpleUploadedFile(f"p{i}.jpg", jpeg(exif=False), content_type="image/jpeg") for i in range(10)]
    _refused(client, org, 422, "最多上传 9 张照片", photos=photos)


def test_nine_photos_are_accepted(client, org):
    photos = [
        SimpleUploadedFile(f"p{i}.jpg", jpeg(color=(i * 20, 0, 0)), content_type="image/jpeg")
        for i in range(9)
    ]
    r = file_named(client, org, photos=photos)
    assert r.status_code == 302
    assert Attachment.objects.count() == 9


def test_a_100000_character_text_is_refused(client, org):
    html = _refused(
        client, org, 422, "事情经过不能超过 2000 字（现有 100000 字）", description="长" * 100_000
    )
    assert html.count("长" * 1000) >= 1  # what was typed is given back (the browser cuts it to the limit)


def test_a_room_of_another_community_is_refused(client, org):
    other = org.b.room
    _refused(
        client,
        org,
        422,
        "在本小区找不到该房屋",
        building=str(other.unit.building_id),
        unit=other.unit.name,
        room=other.number,
    )


def test_an_unknown_room_and_a_missing_text_are_refused(client, org):
    _refused(client, org, 422, "在本小区找不到该房屋", room="9999")
    client.session.flush()
    _refused(client, org, 422, "请填写事情经过", description="   ")


def test_a_failure_inside_intake_leaves_no_file(client, org, monkeypatch):
    from docket.complaints.services import intake

    def boom(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(intake, "obligations_insert", boom)  # after the photo was stored
    before = files_on_disk()
    prove(client)
    data = form(org)
    data["photos"] = [SimpleUploadedFile("a.jpg", jpeg(), content_type="image/jpeg")]
    client.raise_request_exception = True
    with pytest.raises(RuntimeError):
        client.post(f"/p/o/{org.a.office.code}/file/", data)
    assert not Complaint.objects.exists() and not Attachment.objects.exists()
    assert files_on_disk() == before


@override_settings(DOCKET_PORTAL_FILING_RATE="2/h")
def test_filings_are_throttled_per_address(client, org):
    for i in range(2):
        data = form(org, place="public", location=f"北门{i}", name="")
        assert (
            client.post(f"/p/o/{org.a.office.code}/file/?anon=1", {**data, "anonymous": "1"}).status_code
            == 302
        )
    data = form(org, place="public", location="北门", name="")
    r = client.post(f"/p/o/{org.a.office.code}/file/?anon=1", {**data, "anonymous": "1"})
    assert r.status_code == 429 and Complaint.objects.count() == 2


@override_settings(DOCKET_FILINGS_PER_DAY=1)
def test_the_r_exp_4_limit_per_phone_applies(client, org):
    assert file_named(client, org).status_code == 302
    r = client.post(f"/p/o/{org.a.office.code}/file/", form(org, description="另一件事"))
    assert r.status_code == 429 and "已达上限" in r.content.decode()
    assert Complaint.objects.count() == 1


# --- tracking by phone ---------------------------------------------------------------------------------


def test_track_by_phone_lists_that_phones_complaints_only(client, org):
    staff_made = drive_to(org, "investigating", complainant_phone="138-1234-5678", complainant_name="王")
    others = drive_to(org, "registered", complainant_phone="13900009999", complainant_name="李")
    r = client.get("/p/phone/list/")
    assert r.status_code == 302 and r["Location"] == "/p/phone/?next=/p/phone/list/"
    prove(client, nxt="/p/phone/list/")
    html = client.get("/p/phone/list/").content.decode()
    assert staff_made.receipt_no in html and others.receipt_no not in html
    assert client.get(f"/p/track/{staff_made.receipt_no}/").status_code == 200
    assert client.get(f"/p/track/{others.receipt_no}/").status_code == 302
    assert staff_made.check_code not in html


def test_the_next_address_stays_on_the_portal(client, org):
    r = prove(client, nxt="https://evil.example/")
    assert r["Location"] == "/p/phone/list/"


def test_staff_sign_in_opens_no_owners_receipt_or_phone_list(client, org):
    """The portal's personal pages open by the owner's own proofs only (the filing session, the proven
    phone): a signed-in user of any role and scope gets what an anonymous visitor gets."""
    from django.test import Client

    owner = Client()
    file_named(owner, org)
    c = Complaint.objects.get()
    users = [*org.a.users.values(), *org.b.users.values(), *org.users.values(), org.other_company_qm]
    for user in users:
        staff = Client()
        staff.force_login(user)
        for path in (f"/p/r/{c.receipt_no}/", f"/p/r/{c.receipt_no}/receipt.pdf", "/p/phone/list/"):
            r = staff.get(path)
            assert r.status_code == 302, (user, path)
            assert c.check_code not in r.content.decode(errors="ignore")
        r = staff.get(f"/p/track/{c.receipt_no}/")
        assert r.status_code == 302 and r["Location"] == f"/p/track/?r={c.receipt_no}"


def test_a_decompression_bomb_is_refused_before_decoding(client, org):
    out = io.BytesIO()
    Image.new("1", (8000, 6000)).save(out, format="PNG")  # a few kB that decode to 48 megapixels
    bomb = SimpleUploadedFile("small.png", out.getvalue(), content_type="image/png")
    _refused(client, org, 422, "像素过多", photos=[bomb])


def test_typed_markup_is_shown_as_text(client, org):
    r = file_named(client, org, description='<script>alert("x")</script><img src=x onerror=alert(1)>')
    assert r.status_code == 302
    page = client.get(r["Location"]).content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page and "<img src=x" not in page
