"""The complainant's own answers (R-HDL-4, R-EXP-3; issue 11's first owner-side actions): through the
receipt check, with the receipt number and check code (or phone). The workflow rows say that only the
complainant takes them; staff keep recording answers given by phone (complainant_agree/disagree)."""

from __future__ import annotations

import pytest

from docket.api.tests.conftest import Api
from docket.complaints import services as s
from docket.complaints import workflow
from docket.complaints.actors import Actor
from docket.complaints.events import chain_verify
from docket.complaints.models import Complaint, ComplaintEvent, State
from docket.complaints.services._base import system_acting
from docket.complaints.tests.helpers import drive_to
from docket.core.errors import DomainError
from docket.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _answer(c, **body):
    return Api().post(f"/receipts/{c.receipt_no}/answer", {"code": c.check_code, **body})


def test_the_rows_are_the_complainants_only():
    for name in ("owner_agree", "owner_disagree"):
        spec = workflow.ACTIONS[name]
        assert spec.actors == {"complainant"} and not spec.roles
        assert name not in workflow.STAFF_ACTIONS


def test_disagree_then_agree_through_the_receipt(org):
    c = drive_to(org, State.REPLIED)
    r = _answer(c, agree=False, reason="维修后仍然漏水")
    assert r.status_code == 200 and r.json()["state"] == State.NEGOTIATING
    c.refresh_from_db()
    assert c.negotiation_rounds == 1
    event = ComplaintEvent.objects.filter(complaint=c).order_by("-seq").first()
    assert (event.kind, event.actor_name, event.actor_role, event.public) == (
        "complainant_disagreed",
        "顾客",
        "顾客",
        True,
    )
    assert event.actor_id is None and event.payload["via"] == "receipt"
    assert Notification.objects.filter(kind="owner_replied").exists()  # the holder is told
    # the public timeline shows the reason, not the channel
    timeline = Api().get(f"/receipts/{c.receipt_no}", {"code": c.check_code}).json()["timeline"]
    assert timeline[-1]["text"] == "维修后仍然漏水"
    # negotiating: the reply disagreed with cannot be agreed with; the office answers again first
    refused = _answer(c, agree=True, note="同意")
    assert refused.status_code == 409 and refused.json()["code"] == "invalid_transition"
    s.reply_draft_save(actor=org.a.users["eng_supervisor"], complaint_id=c.id, body="明天上午九点上门返工。")
    s.reply_send(actor=org.a.users["reception"], complaint_id=c.id)
    r = _answer(c, agree=True, note="同意协商结果")
    assert r.status_code == 200 and r.json()["state"] == State.IMPLEMENTING
    assert chain_verify(Complaint.objects.get(pk=c.pk)) is None


def test_refusals_leave_the_record_as_it_was(org):
    c = drive_to(org, State.REPLIED)
    version = c.version
    events = ComplaintEvent.objects.filter(complaint=c).count()
    assert _answer(c, agree=False, reason="   ").status_code == 422  # a reason is required
    wrong = Api().post(f"/receipts/{c.receipt_no}/answer", {"code": "WRONG123", "agree": True})
    assert wrong.status_code == 404
    investigating = drive_to(org, State.INVESTIGATING)
    r = _answer(investigating, agree=True)
    assert r.status_code == 409 and r.json()["code"] == "invalid_transition"
    c.refresh_from_db()
    assert c.version == version and ComplaintEvent.objects.filter(complaint=c).count() == events


def test_staff_cannot_take_the_complainants_row_and_the_system_cannot_either(org):
    c = drive_to(org, State.REPLIED)
    with pytest.raises(DomainError):
        s.complainant_agree(actor=org.a.users["eng_staff"], complaint_id=c.id)  # not their role
    with (
        pytest.raises(DomainError) as exc,
        system_acting(actor=Actor.system("sweep"), complaint_id=c.id, action="owner_agree"),
    ):
        pass
    assert exc.value.code == "forbidden_action"
