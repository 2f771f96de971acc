"""Bulk hand-over through the API (issue 14): per-complaint results with stable codes."""

from conftest import make_complaint
from docket.accounts.models import Role
from docket.complaints.models import Complaint, State
from docket.complaints.tests.helpers import drive_to, snapshot

from .conftest import Api

PATH = "/complaints/bulk/hand-over"


def test_bulk_hand_over_reports_each_complaint(make_key, org):
    _k, token = make_key(Role.OFFICE_MANAGER, office=org.a.office)
    api = Api(token)
    ok, held, closed = make_complaint(org), drive_to(org, State.ASSIGNED), drive_to(org, State.CLOSED)
    invisible = make_complaint(org, kit=org.b)
    before = snapshot(closed.id)
    r = api.post(
        PATH,
        {
            "complaint_ids": [ok.id, held.id, closed.id, invisible.id],
            "department_id": org.a.depts["security"].id,
            "reason": "属秩序部职责",
        },
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["done"], body["refused"]) == (2, 2)
    got = {i["id"]: i for i in body["results"]}
    assert got[ok.id] == {
        "id": ok.id,
        "receipt_no": ok.receipt_no,
        "ok": True,
        "action": "assign",
        "code": None,
        "message": None,
    }
    assert got[held.id]["ok"] and got[held.id]["action"] == "transfer"
    assert got[closed.id]["code"] == "invalid_transition" and got[closed.id]["message"]
    assert got[invisible.id]["code"] == "not_found" and got[invisible.id]["receipt_no"] == ""
    assert snapshot(closed.id) == before
    assert Complaint.objects.get(pk=held.id).holder_department == org.a.depts["security"]


def test_bulk_hand_over_version_conflict_is_per_item(make_key, org):
    _k, token = make_key(Role.RECEPTION, office=org.a.office)
    c = make_complaint(org)
    r = Api(token).post(
        PATH,
        {
            "complaint_ids": [c.id],
            "department_id": org.a.depts["engineering"].id,
            "versions": {str(c.id): c.version + 5},
        },
    )
    assert r.status_code == 200 and r.json()["results"][0]["code"] == "conflict"


def test_bulk_hand_over_refuses_who_may_not_and_bad_bodies(make_key, org):
    c = make_complaint(org)
    _k, token = make_key(Role.GENERAL_OFFICE, company=org.company)
    r = Api(token).post(PATH, {"complaint_ids": [c.id], "department_id": org.a.depts["engineering"].id})
    assert r.status_code == 403 and r.json()["code"] == "forbidden_action"
    _k, token = make_key(Role.RECEPTION, office=org.a.office)
    api = Api(token)
    r = api.post(PATH, {"complaint_ids": [], "department_id": org.a.depts["engineering"].id})
    assert r.status_code == 422
    r = api.post(PATH, {"complaint_ids": [c.id], "department_id": 1, "extra": 1})
    assert r.status_code == 422
    assert Complaint.objects.get(pk=c.id).state == State.REGISTERED
