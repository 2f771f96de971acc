"""GET /receipts/{receipt_no} (public), GET /categories, GET /offices."""

from __future__ import annotations

import pytest

from docket.accounts.models import Role
from docket.complaints import services
from docket.complaints.models import Complaint

from .conftest import Api

pytestmark = pytest.mark.django_db


@pytest.fixture
def replied(org, complaint_factory) -> Complaint:
    c = complaint_factory(complainant_phone="138-0000-0001")
    u = org.a.users
    services.complaint_assign(
        actor=u["reception"], complaint_id=c.id, department_id=org.a.depts["engineering"].id
    )
    services.complaint_accept(actor=u["eng_supervisor"], complaint_id=c.id)
    services.note_add(actor=u["eng_supervisor"], complaint_id=c.id, text="内部：维保单位拖延")
    services.issue_findings_record(
        actor=u["eng_supervisor"],
        complaint_id=c.id,
        issue_id=c.issues.get().id,
        findings="曳引机老化",
        measures="更换",
    )
    services.reply_draft_save(
        actor=u["eng_supervisor"], complaint_id=c.id, body="您好，电梯将于本周五前完成更换。"
    )
    services.reply_send(actor=u["eng_supervisor"], complaint_id=c.id)
    return Complaint.objects.get(pk=c.id)


def test_receipt_by_phone_shows_public_fields_and_public_timeline(org, anon, replied):
    r = anon.get(f"/receipts/{replied.receipt_no}", {"phone": "13800000001"})
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["receipt_no"] == replied.receipt_no and body["state"] == "replied"
    assert [e["kind"] for e in body["timeline"]] == ["registered", "accepted", "reply_sent"]
    assert body["timeline"][-1]["text"] == "您好，电梯将于本周五前完成更换。"
    assert body["receipt_digest"] == replied.events.get(seq=1).hash
    text = r.content.decode()
    for private in (
        "13800000001",  # the phone, in full
        "138****",  # or masked ("138" alone also matches timestamps' milliseconds)
        "王",
        "朝阳园工程主管",
        "内部",
        "维保单位",
        "曳引机老化",
        replied.check_code,
        "1号楼1单元101",
    ):
        assert private not in text, private


def test_receipt_by_check_code_any_case(org, anon, replied):
    assert (
        anon.get(f"/receipts/{replied.receipt_no}", {"code": replied.check_code.lower()}).status_code == 200
    )


def test_every_mismatch_is_the_same_404(org, anon, replied, complaint_factory):
    other = complaint_factory(complainant_phone="13911112222")
    answers = [
        anon.get(f"/receipts/{replied.receipt_no}", {"phone": "13911112222"}),  # another complaint's phone
        anon.get(f"/receipts/{replied.receipt_no}", {"code": other.check_code}),
        anon.get("/receipts/CYY-20000101-0001", {"phone": "13800000001"}),  # no such receipt
        anon.get(f"/receipts/{replied.receipt_no}", {"phone": "00001"}),
    ]
    assert {r.status_code for r in answers} == {404}
    assert len({r.content for r in answers}) == 1
    assert answers[0].json()["code"] == "not_found"


def test_anonymous_complaint_cannot_be_opened_by_an_empty_phone(org, anon, complaint_factory):
    c = complaint_factory(anonymous=True, complainant_name="", complainant_phone="")
    assert anon.get(f"/receipts/{c.receipt_no}", {"phone": "     "}).status_code in (404, 422)
    assert anon.get(f"/receipts/{c.receipt_no}", {"code": c.check_code}).status_code == 200


@pytest.mark.parametrize("params", [{}, {"phone": "abc"}, {"code": "!!"}, {"phone": "1"}])
def test_receipt_needs_a_phone_or_code(org, anon, replied, params):
    r = anon.get(f"/receipts/{replied.receipt_no}", params)
    assert r.status_code == 422 and r.json()["code"] == "validation"


def test_receipt_needs_no_auth_but_the_rest_does(org, anon, replied):
    assert anon.get(f"/receipts/{replied.receipt_no}", {"code": replied.check_code}).status_code == 200
    for path in ("/complaints", "/categories", "/offices", f"/complaints/{replied.id}"):
        assert anon.get(path).status_code == 401


def test_categories_of_the_callers_company(org, api_a):
    body = api_a.get("/categories").json()
    assert {c["path"] for c in body} == {"设施设备", "设施设备 / 电梯", "地产遗留"}
    lift = next(c for c in body if c["name"] == "电梯")
    assert lift["parent_id"] == org.categories["设施设备"].id and lift["company_id"] == org.company.id
    assert next(c for c in body if c["name"] == "地产遗留")["developer_related"] is True


def test_offices_in_scope(org, api_a, make_key):
    assert [o["code"] for o in api_a.get("/offices").json()] == ["CYY"]
    _key, token = make_key(Role.QM, company=org.company)
    offices = Api(token).get("/offices").json()
    assert [o["code"] for o in offices] == sorted(["CYY", "LXY"])
    assert offices[0]["community"] in ("朝阳园", "丽雅苑")


def test_session_user_with_several_roles_sees_the_union(org):
    from django.test import Client

    from docket.accounts.services import role_grant

    user = org.a.users["reception"]
    role_grant(user=user, role=Role.RECEPTION, scope_obj=org.b.office)
    client = Client()
    client.force_login(user)
    codes = [o["code"] for o in client.get("/api/v1/offices").json()]
    assert codes == ["CYY", "LXY"]


def test_the_complainant_chases_with_the_receipt(org, anon, replied):
    """POST /receipts/{no}/chase: matched by phone or check code like the lookup; recorded on the public
    timeline; a repeat within the interval is 409 chase_too_soon; a wrong code is 404 like a wrong number."""
    url = f"/receipts/{replied.receipt_no}/chase"
    r = anon.post(url, {"code": "WRONG123", "text": "请尽快处理"})
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    r = anon.post(url, {"code": replied.check_code, "text": "电梯还没修好，请尽快处理"})
    assert r.status_code == 201, r.json()
    assert r.json() == {"receipt_no": replied.receipt_no, "count": 1}
    timeline = anon.get(f"/receipts/{replied.receipt_no}", {"code": replied.check_code}).json()["timeline"]
    assert timeline[-1]["kind"] == "complainant_chased" and timeline[-1]["text"] == "电梯还没修好，请尽快处理"
    r = anon.post(url, {"phone": "13800000001", "text": "再催"})
    assert r.status_code == 409 and r.json()["code"] == "chase_too_soon"
    assert anon.post(url, {"code": replied.check_code, "text": ""}).status_code == 422
    assert replied.events.filter(kind="complainant_chased").count() == 1
