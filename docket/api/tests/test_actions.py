"""POST /complaints/{id}/actions/{action}: the same forms and services as the web page."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest

from docket.accounts.models import Role
from docket.complaints import services
from docket.complaints.forms import ACTION_FORMS
from docket.complaints.models import Complaint, State
from docket.complaints.tests.helpers import PNG, snapshot
from docket.core import clock

from .conftest import BASE, Api

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(make_key) -> Api:
    """Office A's manager as an integration: handles the whole office-level lifecycle."""
    _key, token = make_key(Role.OFFICE_MANAGER)
    return Api(token)


def _act(api, c_id, action, **fields):
    version = Complaint.objects.get(pk=c_id).version
    return api.post(f"/complaints/{c_id}/actions/{action}", {"version": version, **fields})


def test_every_workflow_form_has_an_operation():
    from docket.api.main import api

    paths = api.get_openapi_schema(path_prefix="")["paths"]
    assert {p.rsplit("/", 1)[1] for p in paths if "/actions/" in p} == set(ACTION_FORMS)


def test_whole_lifecycle_through_the_api(org, manager, complaint_factory):
    c = complaint_factory()
    eng = org.a.depts["engineering"]
    steps = [
        ("assign", {"department_id": eng.id}, State.ASSIGNED),
        ("accept", {}, State.INVESTIGATING),
        (
            "issue_findings_record",
            {"issue_id": c.issues.get().id, "findings": "曳引机老化", "measures": "更换曳引机"},
            State.INVESTIGATING,
        ),
        ("reply_draft_save", {"body": "您好，感谢反映。经查曳引机老化，将于本周更换。"}, State.INVESTIGATING),
        ("reply_send", {}, State.REPLIED),
        ("complainant_agree", {"note": "同意"}, State.IMPLEMENTING),
        ("measures_done", {"note": "已更换"}, State.VERIFYING),
        (
            "issue_verify",
            {"issue_id": c.issues.get().id, "passed": True, "note": "运行正常"},
            State.FOLLOW_UP,
        ),
        (
            "follow_up_record",
            {
                "method": "phone",
                "satisfaction": 5,
                "opinion": "满意",
                "process_rating": "satisfied",
                "measures_rating": "satisfied",
                "result_rating": "satisfied",
            },
            State.CLOSED,
        ),
    ]
    for action, fields, state in steps:
        r = _act(manager, c.id, action, **fields)
        assert r.status_code == 200, (action, r.json())
        assert r.json()["state"] == state, action
    c.refresh_from_db()
    assert c.state == State.CLOSED and c.satisfaction == 5
    assert r.json()["version"] == c.version == 1 + len(steps)
    assert r.json()["available_actions"] == [
        {"name": "note_add", "label": "添加内部备注"},
        {"name": "complainant_correct", "label": "更正顾客联系信息"},
        # seed part 2 (issue 15): a report can still be filled in after closure; a claim's outcome and a
        # corrective action's report only when there is an escalated claim or an open action (none here)
        {"name": "ncr_draft", "label": "填写不合格/纠正预防措施报告"},
    ]
    assert api_chain_ok(manager, c.id)


def api_chain_ok(api, c_id) -> bool:
    return api.get(f"/complaints/{c_id}/chain").json()["valid"]


def test_assign_with_issue_departments(org, manager, complaint_factory):
    from docket.complaints.services import IssueInput

    c = complaint_factory(issues=[IssueInput(summary="电梯"), IssueInput(summary="门禁")])
    first, second = c.issues.order_by("seq")
    r = _act(
        manager,
        c.id,
        "assign",
        department_id=org.a.depts["engineering"].id,
        issue_departments={str(second.id): org.a.depts["security"].id},
    )
    assert r.status_code == 200, r.json()
    assert [i["department"] for i in r.json()["issues"]] == ["工程部", "秩序部"]


def test_assign_refuses_an_issue_of_another_complaint(org, manager, complaint_factory):
    c, other = complaint_factory(), complaint_factory()
    before = snapshot(c.id)
    r = _act(
        manager,
        c.id,
        "assign",
        department_id=org.a.depts["engineering"].id,
        issue_departments={str(other.issues.get().id): org.a.depts["security"].id},
    )
    assert r.status_code == 422 and r.json()["fields"][0]["field"] == "issue_departments"
    assert snapshot(c.id) == before


def test_typed_fields_bool_datetime_decimal_file(org, manager, complaint_factory):
    c = complaint_factory()
    for action in ("assign", "accept"):
        fields = {"department_id": org.a.depts["engineering"].id} if action == "assign" else {}
        assert _act(manager, c.id, action, **fields).status_code == 200
    resume = (clock.now() + timedelta(days=2)).isoformat()
    r = _act(manager, c.id, "clock_pause", reason="等业主在家", resume_on=resume)
    assert r.status_code == 200, r.json()
    assert r.json()["paused_at"] is not None
    assert _act(manager, c.id, "clock_resume").status_code == 200
    r = _act(
        manager,
        c.id,
        "compensation_claim_record",
        amount="300.50",
        description="车辆清洗费",
        involves_construction_or_sales=False,
    )
    assert r.status_code == 200, r.json()
    claim = c.claims.get()
    assert str(claim.amount) == "300.50"
    # an API key's service user holds no compensation limit: approving is over its limit …
    r = _act(manager, c.id, "compensation_decide", claim_id=claim.id, approve=True, note="同意")
    assert r.status_code == 403 and r.json()["code"] == "over_limit"
    # … rejecting needs none (the boolean travels as the form's "1"/"0")
    r = _act(manager, c.id, "compensation_decide", claim_id=claim.id, approve=False, note="不属物业责任")
    assert r.status_code == 200, r.json()
    claim.refresh_from_db()
    assert claim.state == "rejected"
    r = _act(
        manager,
        c.id,
        "attachment_add",
        file={"name": "现场.png", "content_base64": base64.b64encode(PNG).decode()},
    )
    assert r.status_code == 200, r.json()
    assert [a["name"] for a in r.json()["attachments"]] == ["现场.png"]


def test_stale_version_is_a_conflict_and_changes_nothing(org, manager, complaint_factory):
    c = complaint_factory()
    services.note_add(actor=org.a.users["reception"], complaint_id=c.id, text="先来的")
    before = snapshot(c.id)
    r = manager.post(
        f"/complaints/{c.id}/actions/assign", {"version": 1, "department_id": org.a.depts["engineering"].id}
    )
    assert r.status_code == 409 and r.json()["code"] == "conflict"
    assert snapshot(c.id) == before


def test_wrong_state_is_invalid_transition(org, manager, complaint_factory):
    c = complaint_factory()
    before = snapshot(c.id)
    r = _act(manager, c.id, "accept")
    assert r.status_code == 409 and r.json()["code"] == "invalid_transition"
    assert "已登记" in r.json()["message"]
    assert snapshot(c.id) == before


def test_role_without_the_action_is_forbidden(org, api_a, complaint_factory):
    c = complaint_factory()
    services.complaint_assign(
        actor=org.a.users["reception"], complaint_id=c.id, department_id=org.a.depts["engineering"].id
    )
    before = snapshot(c.id)
    r = _act(api_a, c.id, "accept")  # reception may not accept
    assert r.status_code == 403 and r.json()["code"] == "forbidden_action"
    assert snapshot(c.id) == before


@pytest.mark.parametrize(
    "action, fields, bad",
    [
        ("note_add", {"text": "   "}, "text"),  # the form strips and requires
        ("assign", {"department_id": 999999}, "department_id"),  # not a department of this complaint
        ("follow_up_exempt", {"exemption": "on_the_spot"}, "exemption"),  # the form does not offer it
    ],
)
def test_form_refusals_are_422_with_the_forms_messages(org, manager, complaint_factory, action, fields, bad):
    c = complaint_factory()
    before = snapshot(c.id)
    r = _act(manager, c.id, action, **fields)
    assert r.status_code == 422, r.json()
    assert r.json()["code"] == "validation" and bad in [f["field"] for f in r.json()["fields"]]
    assert snapshot(c.id) == before


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "version"),
        ({"version": "x"}, "version"),
        ({"version": 1, "text": 5, "extra": 1}, "extra"),
        ({"version": 1, "text": "a\x00"}, "text"),
    ],
)
def test_body_type_errors_are_422(org, manager, complaint_factory, body, field):
    c = complaint_factory()
    r = manager.post(f"/complaints/{c.id}/actions/note_add", body)
    assert r.status_code == 422 and field in [f["field"] for f in r.json()["fields"]], r.json()


def test_unknown_action_and_unknown_path_are_json_404(org, manager, complaint_factory):
    c = complaint_factory()
    for r in (
        manager.post(f"/complaints/{c.id}/actions/fly", {"version": 1}),
        manager.get("/nothing/here"),
        manager.get("/complaints/"),
    ):
        assert r.status_code == 404 and r.json()["code"] == "not_found"


def test_action_on_missing_complaint_is_404(org, manager):
    r = manager.post("/complaints/424242/actions/note_add", {"version": 1, "text": "x"})
    assert r.status_code == 404 and r.json()["code"] == "not_found"


def test_malformed_json_is_400(org, manager, complaint_factory):
    c = complaint_factory()
    r = manager.client.post(
        f"{BASE}/complaints/{c.id}/actions/note_add", "{not json", content_type="application/json"
    )
    assert r.status_code == 400 and r.json()["code"] == "bad_request"


def test_unexpected_errors_are_json_500(org, manager, complaint_factory, monkeypatch):
    from docket.complaints import forms

    c = complaint_factory()

    def boom(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(forms.NoteForm, "service", staticmethod(boom))
    r = manager.post(f"/complaints/{c.id}/actions/note_add", {"version": c.version, "text": "x"})
    assert r.status_code == 500 and r.json()["code"] == "server_error"
    assert "disk" not in r.json()["message"]


def test_wrong_method_on_a_known_path_is_json_405(org, manager):
    r = manager.client.delete("/api/v1/complaints")
    assert r.status_code == 405 and r.json()["code"] == "method_not_allowed"
    assert set(r["Allow"].replace(" ", "").split(",")) == {"GET", "POST"}


def test_body_over_the_upload_limit_is_413(org, manager, complaint_factory, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    c = complaint_factory()
    r = manager.post(f"/complaints/{c.id}/actions/note_add", {"version": c.version, "text": "长" * 2000})
    assert r.status_code == 413 and r.json()["code"] == "too_large"


@pytest.mark.parametrize(
    "body,detail",
    [
        ("{not json", "请求体不是有效的 JSON（第 1 行第 2 列）"),
        (b'{"note": "\xff\xfe"}', "请求体不是 UTF-8 编码的文本"),
    ],
)
def test_unparsable_bodies_are_explained_in_chinese(org, manager, complaint_factory, body, detail):
    """ninja's own message ("Cannot parse request body") is English: the API says what is wrong in the
    user's language, with the stable code."""
    c = complaint_factory()
    r = manager.client.post(
        f"{BASE}/complaints/{c.id}/actions/note_add",
        body,
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert r.status_code == 400 and r.json()["code"] == "bad_request"
    assert detail in r.json()["message"] and "Cannot" not in r.json()["message"]
