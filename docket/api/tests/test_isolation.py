"""An API key of office A never reads or changes office B's complaints: 404 (as for a missing one) and
nothing changed."""

from __future__ import annotations

import base64

import pytest

from docket.accounts.models import Role
from docket.complaints import services
from docket.complaints.forms import ACTION_FORMS
from docket.complaints.models import Complaint
from docket.complaints.tests.helpers import PNG, global_counts, snapshot

from .conftest import Api

pytestmark = pytest.mark.django_db

# A plausible body per action, so refusals come from scope and not from a malformed body.
BODIES = {
    "assign": {"department_id": 1},
    "office_call_record": {"callee_id": 1},  # officer8
    "transfer": {"department_id": 1, "reason": "x"},
    "issue_findings_record": {"issue_id": 1, "findings": "x", "measures": "x"},
    "forward_to_developer": {"party_id": 1, "reason": "x"},
    "issue_verify": {"issue_id": 1, "passed": True, "note": "x"},
    "follow_up_record": {
        "method": "phone",
        "satisfaction": 5,
        "process_rating": "satisfied",
        "measures_rating": "satisfied",
        "result_rating": "satisfied",
    },
    "follow_up_attempt": {"method": "phone", "note": "x"},
    "follow_up_exempt": {"exemption": "anonymous"},
    "clock_pause": {"reason": "x", "resume_on": "2099-01-01T00:00:00Z"},
    "severity_raise": {"severity": "hot", "reason": "x"},
    "compensation_claim_record": {"amount": "1", "description": "x"},
    "compensation_decide": {"claim_id": 1, "approve": False, "note": "x"},
    "compensation_escalate": {"claim_id": 1, "to_developer": True, "note": "x"},
    "attachment_add": {"file": {"name": "a.png", "content_base64": base64.b64encode(PNG).decode()}},
    "group_report_record": {"content": "x", "cause": "x", "handling": "x"},
    "ncr_issue": {"nonconformity": "x", "cause": "x", "corrective_action": "x"},
    "close_unclosed": {"analysis": "x", "mitigation": "x"},
    "chase_record": {"via": "phone", "text": "x"},
    # escalation (issue 12)
    "risk_facts_record": {"fact": "media_exposed", "reason": "x"},
    "fault_record": {"company_fault": False, "reason": "x"},
    "major_incident_record": {"incident": "safety_hazard", "note": "x"},
    "authority_report_record": {"text": "x"},
    "closing_report_record": {"content": "x", "causes": "x", "process_result": "x", "lessons": "x"},
    # The seed's procedure (issue 15).
    "first_contact_record": {"method": "phone", "apologised": True, "summary": "x"},
    "qm_verify": {"decision": "passed", "note": "x"},
    "progress_update_send": {"method": "phone", "text": "x"},
    "unclosed_conclude": {"outcome": "resolved", "note": "x"},
    "leadership_opinion_request": {"question": "x"},
    "leadership_opinion_record": {"opinion": "x"},
    # portal answers (issue 11)
    "reply_time_agree": {"agreed_at": "2099-01-01T00:00:00Z"},
    "second_review_decide": {"reopen": False, "decision": "x"},
    # seed part 2 (issue 15)
    "compensation_outcome_record": {"claim_id": 1, "outcome": "refused", "reasons": "x"},
    "ncr_draft": {"department_id": 1, "nonconformity": "x", "cause": "x", "corrective_action": "x"},
    "ncr_sign": {"ncr_id": 1},
    "capa_assign": {"ncr_id": 1, "kind": "corrective", "description": "x", "department_id": 1},
    "capa_done": {"capa_id": 1, "note": "x"},
    "capa_verify": {"capa_id": 1, "passed": True, "note": "x"},
    "ncr_close": {"ncr_id": 1},
    # per-issue answers (issue 15, R-INT-5)
    "issue_answer_submit": {"issue_ids": [1], "body": "x"},
    "issue_answer_review": {"answer_id": 1, "approve": True},
    "issue_answer_send": {"answer_id": 1},
    "issue_forward_to_developer": {"issue_id": 1, "party_id": 1, "reason": "x"},
    "issue_developer_answer_record": {"forward_id": 1, "answer": "x"},
}
TEXT_FIELDS = ("note", "reason", "body", "comment", "summary", "text", "explanation", "answer")


def _body(action, version):
    if action in BODIES:
        return {"version": version, **BODIES[action]}
    form = ACTION_FORMS[action]
    return {"version": version, **{f: "x" for f in TEXT_FIELDS if f in form.base_fields}}


@pytest.fixture
def b_complaint(org, complaint_factory):
    c = complaint_factory(kit=org.b)
    services.complaint_assign(
        actor=org.b.users["reception"], complaint_id=c.id, department_id=org.b.depts["engineering"].id
    )
    return Complaint.objects.get(pk=c.id)


@pytest.fixture(params=[Role.RECEPTION, Role.OFFICE_MANAGER])
def office_a_key(request, make_key) -> Api:
    _key, token = make_key(request.param)
    return Api(token)


def test_reads_answer_404_like_a_missing_complaint(org, office_a_key, b_complaint):
    missing = office_a_key.get("/complaints/987654").json()
    for path in (
        f"/complaints/{b_complaint.id}",
        f"/complaints/{b_complaint.id}/events",
        f"/complaints/{b_complaint.id}/chain",
    ):
        r = office_a_key.get(path)
        assert r.status_code == 404 and r.json() == missing, path
    listing = office_a_key.get("/complaints").json()["items"]
    assert b_complaint.id not in [i["id"] for i in listing]
    assert office_a_key.get("/complaints", {"office": org.b.office.id}).json()["items"] == []


@pytest.mark.parametrize("action", sorted(ACTION_FORMS))
def test_no_action_reaches_office_b(org, office_a_key, b_complaint, action):
    before = snapshot(b_complaint.id)
    r = office_a_key.post(
        f"/complaints/{b_complaint.id}/actions/{action}", _body(action, b_complaint.version)
    )
    assert r.status_code == 404, (action, r.json())
    assert r.json()["code"] == "not_found"
    assert snapshot(b_complaint.id) == before


def test_cannot_file_into_office_b(org, office_a_key):
    before = global_counts()
    r = office_a_key.post(
        "/complaints",
        {
            "office_id": org.b.office.id,
            "channel": "office",
            "method": "phone",
            "subject": "越权",
            "description": "越权登记",
            "anonymous": True,
        },
    )
    assert r.status_code == 404 and r.json()["code"] == "not_found"  # invisible office, like a missing one
    assert global_counts() == before


def test_idempotency_keys_are_per_caller(org, api_a, api_b):
    """Office B reusing office A's key string neither sees A's stored response nor collides with it."""
    body_a = {
        "office_id": org.a.office.id,
        "channel": "office",
        "method": "phone",
        "subject": "A",
        "description": "A",
        "anonymous": True,
    }
    body_b = {**body_a, "office_id": org.b.office.id, "subject": "B", "description": "B"}
    ra = api_a.post("/complaints", body_a, **{"Idempotency-Key": "same-key"})
    rb = api_b.post("/complaints", body_b, **{"Idempotency-Key": "same-key"})
    assert ra.status_code == rb.status_code == 201
    assert ra.json()["office"]["code"] == "CYY" and rb.json()["office"]["code"] == "LXY"


def test_another_companys_key_sees_nothing(org, make_key, complaint_factory):
    from docket.org.models import Company

    c = complaint_factory()
    other = Company.objects.get(code="co2")
    _key, token = make_key(Role.QM, company=other)
    api = Api(token)
    assert api.get("/complaints").json()["items"] == []
    assert api.get(f"/complaints/{c.id}").status_code == 404
    assert api.get("/offices").json() == [] and api.get("/categories").json() == []
