"""The owners' portal (issue 11): tracking with the receipt, the complainant's answer and chase, the receipt
verification, throttling, and privacy (only the complainant's own complaint, only public events)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import override_settings

from docket.complaints import services as s
from docket.complaints.events import receipt_digest
from docket.complaints.models import Complaint, ComplaintEvent, State
from docket.complaints.tests.helpers import drive_to
from docket.complaints.tests.test_events import _tamper
from docket.core import clock

pytestmark = pytest.mark.django_db

NOT_FOUND = "回执编号或查询码不正确"


def _bare(html: str, *pairs: tuple[str, str]) -> str:
    """The page without its CSRF token (new per response) and with the given texts replaced."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    for old, new in pairs:
        html = html.replace(old, new)
    return html


def _snapshot(c):
    c = Complaint.objects.get(pk=c.pk)
    return c.version, c.state, ComplaintEvent.objects.filter(complaint=c).count()


def _check(client, c, code=None):
    return client.post("/p/track/", {"receipt_no": c.receipt_no, "code": code or c.check_code})


def _open(client, c):
    r = _check(client, c)
    assert r.status_code == 302 and r["Location"] == f"/p/track/{c.receipt_no}/"
    return client.get(r["Location"])


def test_the_check_opens_the_tracking_page_without_the_code_in_any_url(client, org):
    c = drive_to(org, State.INVESTIGATING)
    assert client.get("/p/track/").status_code == 200
    r = _check(client, c, code=c.check_code.lower())  # codes are read without case
    assert r.status_code == 302 and c.check_code not in r["Location"]
    page = client.get(r["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    for text in (c.receipt_no, "处理中", c.subject, "电梯故障频繁", "工程部", "登记受理", "处理时限", "剩余"):
        assert text in html, text
    assert c.check_code not in html


def test_unknown_number_and_wrong_code_answer_alike(client, org):
    c = drive_to(org, State.REGISTERED)
    wrong = client.post("/p/track/", {"receipt_no": c.receipt_no, "code": "WRONG1"})
    unknown = client.post("/p/track/", {"receipt_no": "ZZ-20260101-0001", "code": c.check_code})
    assert wrong.status_code == unknown.status_code == 200
    assert NOT_FOUND in wrong.content.decode() and NOT_FOUND in unknown.content.decode()
    # the answers differ only in the number echoed back into the form
    assert _bare(wrong.content.decode(), (c.receipt_no, "X")) == _bare(
        unknown.content.decode(), ("ZZ-20260101-0001", "X")
    )
    # and nothing was proven: the tracking page still sends back to the form
    r = client.get(f"/p/track/{c.receipt_no}/")
    assert r.status_code == 302 and r["Location"] == f"/p/track/?r={c.receipt_no}"


def test_a_proof_opens_only_its_own_complaint_and_expires(client, org):
    mine = drive_to(org, State.REGISTERED)
    other = drive_to(org, State.REGISTERED, complainant_name="李", complainant_phone="13900000009")
    _open(client, mine)
    assert client.get(f"/p/track/{other.receipt_no}/").status_code == 302
    for path in ("answer", "chase"):
        r = client.post(f"/p/track/{other.receipt_no}/{path}/", {"answer": "agree", "text": "快点"})
        assert r.status_code == 302
    assert _snapshot(other)[2] == 1
    with time_machine.travel(clock.now() + timedelta(minutes=121)):
        assert client.get(f"/p/track/{mine.receipt_no}/").status_code == 302


def test_disagree_then_agree_on_the_tracking_page(client, org):
    c = drive_to(org, State.REPLIED)
    page = _open(client, c).content.decode()
    assert "您好，感谢您的反映" in page and "同意答复" in page and "不同意答复" in page
    r = client.post(f"/p/track/{c.receipt_no}/answer/", {"answer": "disagree", "reason": "维修后仍然漏水"})
    assert r.status_code == 302 and r["Location"].endswith("?done=disagreed")
    c.refresh_from_db()
    assert c.state == State.NEGOTIATING and c.negotiation_rounds == 1
    event = ComplaintEvent.objects.filter(complaint=c).order_by("-seq").first()
    assert (
        event.kind == "complainant_disagreed" and event.payload["via"] == "portal" and event.actor_id is None
    )
    page = client.get(r["Location"]).content.decode()
    assert "维修后仍然漏水" in page and "协商中" in page and "您不同意答复" in page
    # Negotiating (seed 5.2.3.4): the office negotiates and answers again; the reply just disagreed with is
    # not offered for agreement (the workflow's owner_agree row starts from a reply waiting, only).
    assert 'name="answer"' not in page and "同意答复</button>" not in page
    before = _snapshot(c)
    r = client.post(f"/p/track/{c.receipt_no}/answer/", {"answer": "agree", "note": "同意"})
    assert r.status_code == 409 and _snapshot(c) == before
    u = org.a.users
    s.reply_draft_save(actor=u["eng_supervisor"], complaint_id=c.id, body="明天上午九点上门返工。")
    s.reply_send(actor=u["reception"], complaint_id=c.id)
    page = client.get(f"/p/track/{c.receipt_no}/").content.decode()
    assert "明天上午九点上门返工" in page and 'value="agree"' in page and 'value="disagree"' in page
    r = client.post(f"/p/track/{c.receipt_no}/answer/", {"answer": "agree", "note": "同意协商结果"})
    assert r.status_code == 302
    c.refresh_from_db()
    assert c.state == State.IMPLEMENTING
    page = client.get(r["Location"]).content.decode()
    assert "措施落实中" in page and 'name="answer"' not in page


def test_refused_answers_change_nothing_and_keep_what_was_typed(client, org):
    c = drive_to(org, State.REPLIED)
    _open(client, c)
    before = _snapshot(c)
    r = client.post(f"/p/track/{c.receipt_no}/answer/", {"answer": "disagree", "reason": "   "})
    assert r.status_code == 422 and "请填写不同意的理由" in r.content.decode()
    assert _snapshot(c) == before
    investigating = drive_to(org, State.INVESTIGATING)
    _open(client, investigating)
    before = _snapshot(investigating)
    page = client.get(f"/p/track/{investigating.receipt_no}/").content.decode()
    assert 'name="answer"' not in page  # no reply waiting: no answer offered
    r = client.post(
        f"/p/track/{investigating.receipt_no}/answer/", {"answer": "agree", "note": "我的补充说明"}
    )
    html = r.content.decode()
    assert r.status_code == 409 and "不能执行" in html and "同意答复" in html
    assert _snapshot(investigating) == before
    # a GET on a POST-only address changes nothing either
    assert client.get(f"/p/track/{c.receipt_no}/answer/").status_code == 405


def test_chase_while_open_then_too_soon_then_ended(client, org):
    c = drive_to(org, State.INVESTIGATING)
    _open(client, c)
    r = client.post(f"/p/track/{c.receipt_no}/chase/", {"text": "请尽快派人来修"})
    assert r.status_code == 302 and r["Location"].endswith("?done=chased")
    page = client.get(r["Location"]).content.decode()
    assert "请尽快派人来修" in page and "已催办" in page
    before = _snapshot(c)
    r = client.post(f"/p/track/{c.receipt_no}/chase/", {"text": "再催一次"})
    html = r.content.decode()
    assert r.status_code == 409 and "请勿重复催办" in html and "再催一次" in html  # kept in the form
    assert _snapshot(c) == before
    r = client.post(f"/p/track/{c.receipt_no}/chase/", {"text": " "})
    assert r.status_code == 422 and _snapshot(c) == before

    closed = drive_to(org, State.CLOSED)
    page = _open(client, closed).content.decode()
    assert 'id="chase"' not in page and "已关闭" in page
    before = _snapshot(closed)
    r = client.post(f"/p/track/{closed.receipt_no}/chase/", {"text": "还没修好"})
    assert r.status_code == 409 and "已结束" in r.content.decode()
    assert _snapshot(closed) == before


@override_settings(DOCKET_PORTAL_RATE="3/10m")
def test_lookups_are_throttled_per_client_address(client, org):
    c = drive_to(org, State.REGISTERED)
    for _ in range(3):
        assert client.post("/p/track/", {"receipt_no": c.receipt_no, "code": "WRONG1"}).status_code == 200
    r = _check(client, c)  # even the right code, once the address is over its limit
    assert r.status_code == 429 and "查询次数过多" in r.content.decode() and int(r["Retry-After"]) > 0
    assert client.get("/p/verify/", {"r": c.receipt_no, "d": "00"}).status_code == 429
    other = client.post(
        "/p/track/", {"receipt_no": c.receipt_no, "code": c.check_code}, REMOTE_ADDR="10.9.9.9"
    )
    assert other.status_code == 302  # another address has its own count
    with time_machine.travel(clock.now() + timedelta(minutes=11)):
        assert _check(client, c).status_code == 302


def test_verify_an_intact_record_and_a_tampered_one(client, org):
    c = drive_to(org, State.REPLIED)
    digest = receipt_digest(c)
    ok = "记录与回执一致"
    bad = "无法核验"
    assert client.get("/p/verify/").status_code == 200
    assert ok in client.get("/p/verify/", {"r": c.receipt_no, "d": digest.upper()}).content.decode()
    assert ok in client.get("/p/verify/", {"q": f"DOCKET:{c.receipt_no}:{digest}"}).content.decode()
    wrong = client.get("/p/verify/", {"r": c.receipt_no, "d": "0" * 64}).content.decode()
    unknown = client.get("/p/verify/", {"r": "ZZ-20260101-0001", "d": digest}).content.decode()
    assert bad in wrong and bad in unknown and ok not in wrong
    assert wrong.replace(c.receipt_no, "X").replace("0" * 64, "D") == unknown.replace(
        "ZZ-20260101-0001", "X"
    ).replace(digest, "D")
    # a later event changed behind the application's back: the digest still matches, the chain does not
    second = c.events.get(seq=2)
    _tamper(
        "UPDATE complaints_complaintevent SET payload = %s WHERE id = %s", ['{"text": "改过"}', second.id]
    )
    page = client.get("/p/verify/", {"q": f"DOCKET:{c.receipt_no}:{digest}"}).content.decode()
    assert bad in page and ok not in page
    for private in (c.complainant_name + "先生", c.complainant_phone, c.subject):
        assert private not in page


def test_the_portal_shows_nothing_internal_and_nothing_of_anyone_else(client, org):
    staff = list(org.a.users.values()) + list(org.users.values())
    for n, u in enumerate(staff):
        u.display_name, u.phone = f"员工甲{n:02d}乙", f"1391111{n:04d}"
        u.save(update_fields=["display_name", "phone"])
    c = drive_to(org, State.REPLIED, complainant_name="欧阳", complainant_phone="13812345678")
    c.holder_id = org.a.users["eng_supervisor"].id
    s.note_add(actor=org.a.users["eng_supervisor"], complaint_id=c.id, text="内部备注：业主难缠SECRET")
    other = drive_to(
        org, State.REPLIED, complainant_name="司马", complainant_phone="13698765432", subject="别人家的投诉"
    )
    assert Complaint.objects.get(pk=c.pk).holder_id is not None
    pages = [_open(client, c).content.decode()]
    pages.append(client.get(f"/p/track/{c.receipt_no}/?done=chased").content.decode())
    pages.append(
        client.post(f"/p/track/{c.receipt_no}/answer/", {"answer": "disagree", "reason": ""}).content.decode()
    )
    client.post(f"/p/track/{c.receipt_no}/chase/", {"text": "请尽快"})
    pages.append(client.get(f"/p/track/{c.receipt_no}/").content.decode())
    pages.append(client.get("/p/track/").content.decode())
    pages.append(client.get(f"/p/track/{other.receipt_no}/", follow=True).content.decode())
    pages.append(
        client.get("/p/verify/", {"q": f"DOCKET:{c.receipt_no}:{receipt_digest(c)}"}).content.decode()
    )
    assert "请尽快" in pages[3] and "内部备注" not in pages[3]
    forbidden = ["SECRET", "业主难缠", "司马", "13698765432", "别人家的投诉", other.check_code, "13812345678"]
    forbidden += [u.display_name for u in staff] + [u.phone for u in staff]
    for html in pages:
        for text in forbidden:
            assert text not in html, text


def test_the_pages_have_an_english_catalogue(client, org):
    c = drive_to(org, State.REPLIED)
    english = {"HTTP_ACCEPT_LANGUAGE": "en"}
    assert "Track your complaint" in client.get("/p/track/", **english).content.decode()
    wrong = client.post("/p/track/", {"receipt_no": c.receipt_no, "code": "WRONG1"}, **english)
    assert "The receipt number or check code is wrong" in wrong.content.decode()
    page = client.get("/p/verify/", {"q": f"DOCKET:{c.receipt_no}:{receipt_digest(c)}"}, **english)
    assert "the record matches the receipt" in page.content.decode()
