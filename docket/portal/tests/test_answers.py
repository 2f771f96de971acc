"""The owner's answers on the tracking page (issue 11, portal answers): rate on three points, add information
or photos, withdraw, ask for a second-stage review; the agreed reply time shown; the signed link from SMS and
email. Every refusal re-renders the page with the service's message and leaves the record unchanged."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from docket.complaints import services as s
from docket.complaints.models import Attachment, Complaint, OwnerRating, SecondReview, State
from docket.complaints.owner_links import link_complaint_id, link_token, tracking_url
from docket.complaints.tests.helpers import drive_to, snapshot
from docket.core import clock
from docket.core.testing import images
from docket.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _open(client, c):
    r = client.post("/p/track/", {"receipt_no": c.receipt_no, "code": c.check_code})
    assert r.status_code == 302
    return client.get(r["Location"])


def _url(c, what):
    return f"/p/track/{c.receipt_no}/{what}/"


def test_rate_on_three_points_closes_the_follow_up(client, org):
    c = drive_to(org, State.FOLLOW_UP)
    html = _open(client, c).content.decode()
    assert "评价本次处理" in html and "提交后本投诉结案" in html and 'name="process"' in html
    r = client.post(_url(c, "rate"), {"process": "5", "measures": "4", "result": "4", "comment": "很满意"})
    assert r.status_code == 302 and r["Location"].endswith("?done=rated")
    c.refresh_from_db()
    assert c.state == State.CLOSED
    page = client.get(r["Location"]).content.decode()
    assert "感谢您的评价" in page and "您的评价" in page and 'name="process"' not in page


def test_a_refused_rating_keeps_what_was_typed_and_the_record(client, org):
    c = drive_to(org, State.FOLLOW_UP)
    _open(client, c)
    before = snapshot(c.id)
    r = client.post(_url(c, "rate"), {"process": "9", "measures": "4", "result": "4", "comment": "我的意见"})
    assert r.status_code == 422
    html = r.content.decode()
    assert "受理过程" in html and "我的意见" in html
    assert snapshot(c.id) == before


def test_add_information_with_a_photo(client, org):
    c = drive_to(org, State.INVESTIGATING)
    _open(client, c)
    photo = SimpleUploadedFile("ceiling.jpg", images.JPEG, content_type="image/jpeg")
    r = client.post(_url(c, "add"), {"info": "吊顶仍在滴水", "photos": [photo]})
    assert r.status_code == 302 and r["Location"].endswith("?done=added")
    assert Attachment.objects.filter(complaint=c).count() == 1
    assert "吊顶仍在滴水" in client.get(r["Location"]).content.decode()  # on the public timeline


def test_a_renamed_non_image_is_refused_and_nothing_is_stored(client, org):
    c = drive_to(org, State.INVESTIGATING)
    _open(client, c)
    before = snapshot(c.id)
    fake = SimpleUploadedFile("photo.jpg", b"<html>not a photo</html>", content_type="image/jpeg")
    r = client.post(_url(c, "add"), {"info": "见附件", "photos": [fake]})
    assert r.status_code == 422 and "见附件" in r.content.decode()
    assert snapshot(c.id) == before


def test_withdraw_and_then_no_more_answers(client, org):
    c = drive_to(org, State.INVESTIGATING)
    _open(client, c)
    r = client.post(_url(c, "withdraw"), {"withdraw_reason": "已与邻居协商解决"})
    assert r.status_code == 302
    c.refresh_from_db()
    assert c.state == State.WITHDRAWN
    html = client.get(r["Location"]).content.decode()
    assert "您的投诉已撤回" in html and 'name="withdraw_reason"' not in html and 'name="info"' not in html
    before = snapshot(c.id)
    r = client.post(_url(c, "withdraw"), {"withdraw_reason": "再次撤回"})
    assert r.status_code == 409 and snapshot(c.id) == before


def test_review_request_within_the_period(client, org):
    c = drive_to(org, State.CLOSED)
    html = _open(client, c).content.decode()
    assert "申请二次复核" in html
    r = client.post(_url(c, "review"), {"review_reason": "漏水未根治"})
    assert r.status_code == 302
    assert SecondReview.objects.filter(complaint=c).exists()
    html = client.get(r["Location"]).content.decode()
    assert "复核中" in html and 'name="review_reason"' not in html
    # a second request is refused, the record unchanged
    before = snapshot(c.id)
    assert client.post(_url(c, "review"), {"review_reason": "再次"}).status_code == 409
    assert snapshot(c.id) == before
    # the decision reaches the page
    s.second_review_decide(
        actor=org.users["qm"], complaint_id=c.id, reopen=False, decision="维持原处理结果的理由"
    )
    assert "维持原处理结果的理由" in client.get(f"/p/track/{c.receipt_no}/").content.decode()


def test_review_out_of_period_is_not_offered_and_refused(client, org):
    c = drive_to(org, State.CLOSED)
    with time_machine.travel(clock.now() + timedelta(days=31), tick=False):
        html = _open(client, c).content.decode()
        assert 'name="review_reason"' not in html and 'name="process"' not in html
        before = snapshot(c.id)
        r = client.post(_url(c, "review"), {"review_reason": "不满意"})
        assert r.status_code == 409 and "30 天" in r.content.decode()
        assert snapshot(c.id) == before


def test_answers_need_the_proof(client, org):
    c = drive_to(org, State.FOLLOW_UP)
    before = snapshot(c.id)
    for what, body in (
        ("rate", {"process": "5", "measures": "5", "result": "5"}),
        ("add", {"info": "x"}),
        ("withdraw", {"withdraw_reason": "x"}),
        ("review", {"review_reason": "x"}),
    ):
        r = client.post(_url(c, what), body)
        assert r.status_code == 302 and r["Location"].startswith("/p/track/?r=")
    assert snapshot(c.id) == before and not OwnerRating.objects.exists()


def test_a_proof_for_one_complaint_does_not_answer_another(client, org):
    mine, other = drive_to(org, State.INVESTIGATING), drive_to(org, State.INVESTIGATING)
    _open(client, mine)
    before = snapshot(other.id)
    r = client.post(_url(other, "withdraw"), {"withdraw_reason": "x"})
    assert r.status_code == 302 and "/p/track/?r=" in r["Location"]
    assert snapshot(other.id) == before


def test_agreed_reply_time_shows_on_the_tracking_page(client, org):
    c = drive_to(org, State.INVESTIGATING)
    agreed = clock.now() + timedelta(days=3)
    s.reply_time_agree(actor=org.a.users["reception"], complaint_id=c.id, agreed_at=agreed)
    html = _open(client, c).content.decode()
    assert "与您约定的时间" in html and clock.to_local(agreed).strftime("%Y-%m-%d %H:%M") in html


# --- the signed link ----------------------------------------------------------------------------------------


def test_owner_messages_carry_a_signed_link_not_the_code(client, org):
    c = drive_to(org, State.REPLIED)
    sms = Notification.objects.filter(kind="owner:reply_sent", ref=f"complaint:{c.id}").first()
    assert sms is not None
    m = re.search(r"/p/t/([^/\s]+)/", sms.body)
    assert m and c.check_code not in m.group(0) and len(m.group(1)) <= 40
    assert link_complaint_id(m.group(1)) == c.id
    r = client.get(m.group(0))
    assert r.status_code == 302 and r["Location"] == f"/p/track/{c.receipt_no}/"
    page = client.get(r["Location"])
    assert page.status_code == 200 and c.subject in page.content.decode()
    # and it answers from there
    assert client.post(_url(c, "answer"), {"answer": "agree"}).status_code == 302


def test_a_forged_tampered_or_expired_link_opens_nothing(client, org):
    c = drive_to(org, State.INVESTIGATING)
    token = link_token(c.id)
    other_id_token = link_token(c.id + 1)
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    swapped = other_id_token.split(".")[0] + "." + ".".join(token.split(".")[1:])
    for bad in (forged, swapped, "abc", "1.2.3"):
        assert link_complaint_id(bad) is None, bad
        r = client.get(f"/p/t/{bad}/")
        assert r.status_code == 404 and "链接已失效" in r.content.decode()
        assert client.get(f"/p/track/{c.receipt_no}/").status_code == 302  # no proof was set
    with time_machine.travel(clock.now() + timedelta(days=31), tick=False):
        assert link_complaint_id(token) is None
        assert client.get(f"/p/t/{token}/").status_code == 404
    with time_machine.travel(clock.now() + timedelta(days=29), tick=False):
        assert link_complaint_id(token) == c.id


@override_settings(DOCKET_PUBLIC_ORIGIN="https://wuye.example.com")
def test_the_link_is_absolute_on_the_public_origin(org):
    c = drive_to(org, State.REGISTERED)
    assert tracking_url(c.id).startswith("https://wuye.example.com/p/t/")


def test_a_link_cannot_be_made_for_another_salt(org):
    from django.core import signing

    c = drive_to(org, State.REGISTERED)
    other = signing.TimestampSigner(salt="something-else", sep=".").sign("1")
    assert link_complaint_id(other) is None
    assert Complaint.objects.filter(pk=c.id).exists()
