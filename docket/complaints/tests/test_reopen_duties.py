"""A second-stage review that reopens a complaint (R-EXP-10) hands it to a department, and the department is
told and owes what 派单 makes it owe: its supervisors and managers (and the holder, if someone still holds
it) get the 派单 notice, naming the decision; the first-contact duty (document 5 §4.3) starts when no
department has contacted the complainant yet. An upheld review tells no staff and starts nothing. And
"measures done" names the issues it moves, as the other issue-moving events do (docs/decisions.md,
"reopen2")."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine

from docket.complaints import services as s
from docket.complaints.events import public_payload
from docket.complaints.models import (
    Channel,
    Complaint,
    ComplaintEvent,
    ComplaintIssue,
    IssueState,
    Method,
    Obligation,
    State,
)
from docket.complaints.services import ComplaintInput, IssueInput
from docket.complaints.templatetags.complaint_tags import event_details
from docket.notifications.models import Notification
from docket.notifications.service import caches_clear
from docket.sla import duetimes
from docket.sla.calendar import SHANGHAI

from . import helpers as h

pytestmark = pytest.mark.django_db

VIA = "portal"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _fresh(settings, tmp_path):
    settings.DOCKET_SMS_FILE = str(tmp_path / "sms.log")
    caches_clear()
    duetimes.invalidate()
    yield
    caches_clear()
    duetimes.invalidate()


def _on_the_spot(org, **register) -> Complaint:
    """Closed on the spot at reception, then the owner asks for a review: no department ever had it."""
    data = ComplaintInput(
        **{
            "office_id": org.a.office.id,
            "channel": Channel.OFFICE,
            "method": Method.VISIT,
            "subject": "楼道灯不亮",
            "description": "业主来访反映2号楼3层楼道灯不亮，门禁卡失灵。",
            "complainant_name": "王",
            "complainant_phone": "13800000001",
            "room_id": org.a.room.id,
            "issues": [IssueInput(summary="楼道灯不亮"), IssueInput(summary="门禁卡失灵")],
            **register,
        }
    )
    c = s.complaint_register(
        actor=org.a.users["reception"], data=data, close_on_spot_note="已当场处理，业主确认满意"
    ).complaint
    s.owner_review_request(complaint_id=c.id, via=VIA, reason="灯还是不亮")
    return c


def _reviewed(org, state: str = State.CLOSED, **kw) -> Complaint:
    c = h.drive_to(org, state, **kw)
    s.owner_review_request(complaint_id=c.id, via=VIA, reason="漏水没有根治")
    return c


def _decide(org, c, **kw) -> ComplaintEvent:
    s.second_review_decide(
        actor=org.users["qm"], complaint_id=c.id, decision=kw.pop("decision", "重新安排维修"), **kw
    )
    return ComplaintEvent.objects.filter(complaint=c, kind="second_review_decided").get()


def _told(e: ComplaintEvent) -> set[str]:
    """The staff the event's notice reached (one row per person and channel)."""
    return set(
        Notification.objects.filter(dedupe_key__startswith=f"ev:{e.id}:u")
        .exclude(recipient=None)
        .values_list("recipient__username", flat=True)
    )


def _first_contacts(c) -> list[Obligation]:
    return list(Obligation.objects.filter(complaint=c, kind="first_contact").order_by("id"))


# --- the notice -------------------------------------------------------------------------------------------------


def test_a_reopening_tells_the_department_it_is_handed_to_as_a_dispatch_does(org):
    c = _on_the_spot(org)
    e = _decide(org, c, reopen=True, department_id=org.a.depts["engineering"].id)
    # the engineering department's supervisor and manager, as on 派单 (test_notices: assigned) ...
    assert _told(e) == {"cyy_eng_sup", "cyy_eng_mgr"}
    # ... nobody else: not the other departments, the front desk, the office manager, its staff, the reviewer
    n = Notification.objects.filter(dedupe_key__startswith=f"ev:{e.id}:u").first()
    assert n.kind == "assigned" and n.subject.startswith("【新派单】") and c.receipt_no in n.subject
    assert "二次复核决定" in n.body and "重新安排维修" in n.body  # the review's reasons come with it


def test_a_held_complaint_reopened_tells_its_holder_and_department_or_the_new_one(org):
    kept = _reviewed(org, issues=2)
    e = _decide(org, kept, reopen=True)
    # the holder (the supervisor who took it) and the department's manager
    assert _told(e) == {"cyy_eng_sup", "cyy_eng_mgr"}
    moved = _reviewed(org)
    e = _decide(org, moved, reopen=True, department_id=org.a.depts["security"].id)
    assert _told(e) == {"cyy_sec_sup"}  # the department it goes to, not the one that had it


def test_an_upheld_review_tells_no_staff_and_starts_no_duty(org):
    c = _on_the_spot(org)
    e = _decide(org, c, reopen=False, decision="处理得当，维持")
    assert _told(e) == set()
    assert _first_contacts(c) == []
    held = _reviewed(org)
    before = len(_first_contacts(held))
    e = _decide(org, held, reopen=False, decision="处理得当，维持")
    assert _told(e) == set() and len(_first_contacts(held)) == before
    # the owner still hears of the decision, as before
    assert Notification.objects.filter(dedupe_key__startswith=f"ev:{e.id}:owner").exists()


# --- the first-contact duty (document 5 §4.3) -------------------------------------------------------------------


def test_reopening_an_on_the_spot_closure_starts_the_departments_first_contact(org):
    with time_machine.travel(at("2026-11-24 09:00"), tick=False):  # a Tuesday
        c = _on_the_spot(org)
    assert _first_contacts(c) == []  # reception settled it: no department was owed a contact
    with time_machine.travel(at("2026-11-24 10:00"), tick=False):
        _decide(org, c, reopen=True, department_id=org.a.depts["engineering"].id)
    [ob] = _first_contacts(c)
    assert ob.due_at.astimezone(SHANGHAI) == at("2026-11-24 11:00")  # one working hour, as after 派单
    assert (ob.state, ob.holder_department_id) == (Obligation.State.OPEN, org.a.depts["engineering"].id)
    # and the department meets it by recording the contact, as after 派单
    with time_machine.travel(at("2026-11-24 10:30"), tick=False):
        s.first_contact_record(
            actor=org.a.users["eng_supervisor"],
            complaint_id=c.id,
            method="phone",
            summary="已致电业主道歉并约定上门",
            apologised=True,
        )
    ob.refresh_from_db()
    assert ob.state == Obligation.State.MET


def test_no_second_first_contact_for_a_complainant_already_contacted(org):
    # the first handling's duty was met by the reply sent (drive_to sends one): the complainant was contacted
    c = _reviewed(org)
    [old] = _first_contacts(c)
    assert old.met_at is not None
    _decide(org, c, reopen=True, department_id=org.a.depts["security"].id)
    assert _first_contacts(c) == [old]


def test_a_duty_cancelled_unmet_starts_again_on_reopening(org):
    with time_machine.travel(at("2026-11-24 09:00"), tick=False):
        c = _reviewed(org, State.UNCLOSED)  # ended 'unclosed' before anyone contacted the complainant
    [old] = _first_contacts(c)
    assert (old.state, old.met_at) == (Obligation.State.CANCELLED, None)
    with time_machine.travel(at("2026-11-24 14:00"), tick=False):
        _decide(org, c, reopen=True)
    old2, new = _first_contacts(c)
    assert old2 == old and new.state == Obligation.State.OPEN
    assert new.due_at.astimezone(SHANGHAI) == at("2026-11-24 15:00")


def test_no_first_contact_for_a_complainant_who_cannot_be_reached(org):
    c = _on_the_spot(org, anonymous=True, complainant_name="", complainant_phone="")
    _decide(org, c, reopen=True, department_id=org.a.depts["engineering"].id)
    assert _first_contacts(c) == []


# --- measures done names its issues ----------------------------------------------------------------------------


def _measures_event(c) -> ComplaintEvent:
    return ComplaintEvent.objects.filter(complaint=c, kind="measures_done").order_by("-seq")[0]


def test_measures_done_names_the_issues_it_moves_on_the_staff_timeline_only(org):
    c = h.drive_to(org, State.VERIFYING, issues=2)
    e = _measures_event(c)
    assert (e.payload["issues"], e.payload["issue_names"]) == ([1, 2], "问题1、问题2")
    assert ("落实措施的问题", "问题1、问题2") in event_details(e)
    assert "issue_names" not in public_payload(e) and "issues" not in public_payload(e)
    # a rework: only the issue sent back moves (the other, reported before, still waits for verification)
    one, two = ComplaintIssue.objects.filter(complaint=c).order_by("seq")
    s.issue_verify(
        actor=org.a.users["office_manager"], complaint_id=c.id, issue_id=one.id, passed=False, note="仍漏水"
    )
    s.measures_done(actor=org.a.users["eng_staff"], complaint_id=c.id, note="重新更换防水层")
    e = _measures_event(c)
    assert (e.payload["issues"], e.payload["issue_names"]) == ([1], "问题1")
    assert Complaint.objects.get(pk=c.pk).state == State.VERIFYING
    assert set(ComplaintIssue.objects.filter(complaint=c).values_list("state", flat=True)) == {
        IssueState.MEASURES_DONE
    }
