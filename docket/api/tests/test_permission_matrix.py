"""The API's permission matrix: every kind of key an integration can hold (office A's reception and
manager, the company-wide roles, another company's QM) against complaints of office A and office B, on
every endpoint that reads or changes a complaint. Office A's keys never read or change office B's
complaints — the answer is the same 404 as for a missing record, and nothing changes; company-wide keys see
both offices; another company's key sees neither."""

from __future__ import annotations

import base64

import pytest

from docket.accounts.models import Role
from docket.complaints import services
from docket.complaints.forms import ACTION_FORMS
from docket.complaints.models import Complaint
from docket.complaints.services import UploadInput
from docket.complaints.tests.helpers import JPEG, global_counts, snapshot
from docket.org.models import Company

from .conftest import Api
from .test_isolation import _body

pytestmark = pytest.mark.django_db

# key name -> (role, scope, the offices it sees)
KEYS = {
    "a_reception": (Role.RECEPTION, "a", {"a"}),
    "a_office_manager": (Role.OFFICE_MANAGER, "a", {"a"}),
    "co_qm": (Role.QM, "company", {"a", "b"}),
    "co_general_office": (Role.GENERAL_OFFICE, "company", {"a", "b"}),
    "co_mgmt_rep": (Role.MGMT_REP, "company", {"a", "b"}),
    "co_leadership": (Role.LEADERSHIP, "company", {"a", "b"}),
    "other_company_qm": (Role.QM, "other", set()),
}
# Company roles allowed to file (access.REGISTER_ROLES); the general office reviews, it does not file.
FILES = {"a_reception", "a_office_manager", "co_qm", "co_mgmt_rep", "co_leadership"}


@pytest.fixture(params=sorted(KEYS))
def key(request, org, make_key):
    role, scope, sees = KEYS[request.param]
    if scope == "a":
        _k, token = make_key(role, office=org.a.office)
    elif scope == "company":
        _k, token = make_key(role, company=org.company)
    else:
        _k, token = make_key(role, company=Company.objects.get(code="co2"))
    return request.param, Api(token), sees


@pytest.fixture
def complaints(org, complaint_factory):
    out = {}
    for name, kit in (("a", org.a), ("b", org.b)):
        c = complaint_factory(kit=kit)
        services.complaint_assign(
            actor=kit.users["reception"], complaint_id=c.id, department_id=kit.depts["engineering"].id
        )
        att = services.attachment_add(
            actor=kit.users["reception"], complaint_id=c.id, upload=UploadInput(name="p.jpg", content=JPEG)
        )
        out[name] = (Complaint.objects.get(pk=c.id), att)
    return out


def test_reads(org, key, complaints):
    name, api, sees = key
    missing = api.get("/complaints/987654").json()
    listed = {i["id"] for i in api.get("/complaints", {"limit": 200}).json()["items"]}
    for office, (c, att) in complaints.items():
        paths = [
            f"/complaints/{c.id}",
            f"/complaints/{c.id}/events",
            f"/complaints/{c.id}/events?public=1",
            f"/complaints/{c.id}/chain",
            f"/complaints/{c.id}/obligations",
            f"/complaints/{c.id}/attachments",
            f"/complaints/{c.id}/attachments/{att.id}",
        ]
        kit = org.a if office == "a" else org.b
        office_paths = [
            f"/offices/{kit.office.id}",
            f"/offices/{kit.office.id}/buildings",
            f"/offices/{kit.office.id}/rooms",
            f"/offices/{kit.office.id}/departments",
            f"/statistics?office={kit.office.id}",
        ]
        for path in paths + office_paths:
            r = api.client.get("/api/v1" + path)
            if office in sees:
                assert r.status_code == 200, (name, path, r.status_code)
            else:
                assert r.status_code == 404, (name, path, r.status_code)
                assert r.json() == missing, (name, path)
        assert (c.id in listed) == (office in sees), (name, office)
        by_office = {i["id"] for i in api.get("/complaints", {"office": kit.office.id}).json()["items"]}
        assert by_office == ({c.id} if office in sees else set()), (name, office)


@pytest.mark.parametrize("action", sorted(ACTION_FORMS))
def test_no_action_reaches_an_invisible_complaint(org, key, complaints, action):
    name, api, sees = key
    for office, (c, _att) in complaints.items():
        if office in sees:
            continue
        before = snapshot(c.id)
        r = api.post(f"/complaints/{c.id}/actions/{action}", _body(action, c.version))
        assert r.status_code == 404 and r.json()["code"] == "not_found", (name, action, r.json())
        assert snapshot(c.id) == before


def test_filing(org, key):
    name, api, sees = key
    for office, kit in (("a", org.a), ("b", org.b)):
        before = global_counts()
        r = api.post(
            "/complaints",
            {
                "office_id": kit.office.id,
                "channel": "office",
                "method": "phone",
                "subject": "矩阵",
                "description": "权限矩阵登记",
                "anonymous": True,
            },
        )
        if office not in sees:
            assert r.status_code == 404 and r.json()["code"] == "not_found", (name, office)
            assert global_counts() == before
        elif name in FILES:
            assert r.status_code == 201, (name, office, r.json())
        else:
            assert r.status_code == 403 and r.json()["code"] == "forbidden_action", (name, office)
            assert global_counts() == before


def test_upload_through_an_action_needs_the_complaint_in_scope(org, make_key, complaints):
    _k, token = make_key(Role.RECEPTION, office=org.a.office)
    api = Api(token)
    content = base64.b64encode(JPEG).decode()
    for office, (c, _att) in complaints.items():
        r = api.post(
            f"/complaints/{c.id}/actions/attachment_add",
            {"version": c.version, "file": {"name": "x.jpg", "content_base64": content}},
        )
        assert r.status_code == (200 if office == "a" else 404), office
    assert Complaint.objects.get(pk=complaints["b"][0].id).attachments.count() == 1
