"""The seed's procedure steps (issue 15) through the real services: first contact (document 5 §4.3),
two-level verification (5.2.3.6), the three-point follow-up and its automatic exemptions (5.2.5.1,
5.2.5.3), progress updates after an "unclosed" ending (5.2.5.2) and leadership's handling opinion
(documents 3/4 §3). Each: the happy path, refusals that leave the whole file unchanged, the deadline."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine

from docket.complaints import access
from docket.complaints import services as s
from docket.complaints.models import FirstContact, Obligation, State
from docket.complaints.services.overdue import overdue_sweep
from docket.sla import duetimes
from docket.sla.calendar import SHANGHAI
from docket.sla.models import SlaPolicy

from . import helpers as h


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _fresh_calendar():
    duetimes.invalidate()
    yield
    duetimes.invalidate()


def _ob(c, kind: str) -> Obligation:
    return Obligation.objects.get(complaint_id=c.id if hasattr(c, "id") else c, kind=kind)


def _offered(user, cid: int) -> set[str]:
    from docket.complaints.models import Complaint

    return {a.name for a in access.available_actions(user, Complaint.objects.get(pk=cid))}


# --- 1. acceptance and first contact (document 5 §4.3, R-HDL-1, R-PRC-4) -------------------------------------


def test_hand_over_starts_first_contact_due_within_one_working_hour(org):
    with time_machine.travel(at("2026-11-24 10:00"), tick=False):  # a Tuesday
        c = h.drive_to(org, State.ASSIGNED)
    ob = _ob(c, "first_contact")
    assert ob.due_at.astimezone(SHANGHAI) == at("2026-11-24 11:00")
    assert ob.holder_department_id == org.a.depts["engineering"].id
    assert ob.state == Obligation.State.OPEN


def test_first_contact_deadline_is_configurable_per_company(org):
    SlaPolicy.objects.create(
        company=org.company, rules={"first_contact": {"type": "working_minutes", "n": 30}}
    )
    with time_machine.travel(at("2026-11-24 10:00"), tick=False):
        c = h.drive_to(org, State.ASSIGNED)
    assert _ob(c, "first_contact").due_at.astimezone(SHANGHAI) == at("2026-11-24 10:30")


def test_first_contact_recorded_meets_the_deadline_at_the_contact_time(org):
    sup = org.a.users["eng_supervisor"]
    with time_machine.travel(at("2026-11-24 10:00"), tick=False):
        c = h.drive_to(org, State.INVESTIGATING)
        assert "first_contact_record" in _offered(sup, c.id)
    # typed in at 11:30, but the call was made at 10:40: on time
    with time_machine.travel(at("2026-11-24 11:30"), tick=False):
        contact = s.first_contact_record(
            actor=sup,
            complaint_id=c.id,
            method="phone",
            summary="致电业主致歉，说明明早安排电梯维保单位上门",
            apologised=True,
            contacted_at=at("2026-11-24 10:40"),
        )
    ob = _ob(c, "first_contact")
    assert ob.state == Obligation.State.MET and ob.met_at == at("2026-11-24 10:40")
    assert contact.apologised and contact.recorded_by == sup
    ev = c.events.get(kind="first_contact_recorded")
    assert ev.payload["contact_method"] == "phone" and ev.payload["apologised"] is True
    assert "first_contact_record" not in _offered(sup, c.id)  # once only


def test_first_contact_goes_overdue_like_the_others(org):
    with time_machine.travel(at("2026-11-24 10:00"), tick=False):
        c = h.drive_to(org, State.INVESTIGATING)
    r = overdue_sweep(now=at("2026-11-24 11:01"))
    ob = _ob(c, "first_contact")
    assert ob.state == Obligation.State.MISSED and (ob.id, 2) in r.steps or ob.step >= 2
    with time_machine.travel(at("2026-11-24 11:20"), tick=False):
        s.first_contact_record(
            actor=org.a.users["eng_staff"],
            complaint_id=c.id,
            method="visit",
            summary="上门致歉",
            apologised=True,
        )
    ob.refresh_from_db()
    assert ob.state == Obligation.State.MISSED and ob.met_at == at("2026-11-24 11:20")


def test_no_first_contact_duty_for_an_anonymous_complaint(org):
    c = h.drive_to(org, State.INVESTIGATING, anonymous=True, complainant_name="", complainant_phone="")
    assert not Obligation.objects.filter(complaint=c, kind="first_contact").exists()
    assert "first_contact_record" not in _offered(org.a.users["eng_supervisor"], c.id)
    h.refused(
        "not_contactable",
        c.id,
        lambda: s.first_contact_record(
            actor=org.a.users["eng_supervisor"],
            complaint_id=c.id,
            method="phone",
            summary="x",
            apologised=True,
        ),
    )


def test_a_reply_sent_meets_an_open_first_contact(org):
    c = h.drive_to(org, State.REPLIED)
    assert _ob(c, "first_contact").met_at is not None


def test_refused_and_handed_over_again_keeps_one_first_contact_deadline(org):
    with time_machine.travel(at("2026-11-24 10:00"), tick=False):
        c = h.drive_to(org, State.ASSIGNED)
        s.complaint_refuse(actor=org.a.users["eng_supervisor"], complaint_id=c.id, reason="非本部门")
        s.complaint_assign(
            actor=org.a.users["reception"], complaint_id=c.id, department_id=org.a.depts["security"].id
        )
    ob = _ob(c, "first_contact")  # exactly one
    assert ob.holder_department_id == org.a.depts["security"].id
    assert ob.due_at.astimezone(SHANGHAI) == at("2026-11-24 11:00")


@pytest.mark.parametrize(
    "kwargs,code",
    [
        ({"method": "phone", "summary": "  ", "apologised": True}, "required"),
        ({"method": "fax", "summary": "已联系", "apologised": True}, "validation"),
        ({"method": "phone", "summary": "已联系", "apologised": False}, "required"),
        (
            {"method": "phone", "summary": "已联系", "apologised": True, "contacted_at": "future"},
            "validation",
        ),
        ({"method": "phone", "summary": "已联系", "apologised": True, "contacted_at": "past"}, "validation"),
    ],
)
def test_first_contact_refusals_change_nothing(org, kwargs, code):
    c = h.drive_to(org, State.INVESTIGATING)
    kwargs = dict(kwargs)
    if kwargs.get("contacted_at") == "future":
        kwargs["contacted_at"] = datetime.now(SHANGHAI) + timedelta(hours=1)
    elif kwargs.get("contacted_at") == "past":
        kwargs["contacted_at"] = c.received_at - timedelta(minutes=1)
    h.refused(
        code,
        c.id,
        lambda: s.first_contact_record(actor=org.a.users["eng_supervisor"], complaint_id=c.id, **kwargs),
    )


def test_second_first_contact_and_wrong_state_and_wrong_role_are_refused(org):
    sup = org.a.users["eng_supervisor"]
    c = h.drive_to(org, State.INVESTIGATING)
    s.first_contact_record(actor=sup, complaint_id=c.id, method="phone", summary="已联系", apologised=True)
    h.refused(
        "first_contact_done",
        c.id,
        lambda: s.first_contact_record(
            actor=sup, complaint_id=c.id, method="phone", summary="再", apologised=True
        ),
    )
    assigned = h.drive_to(org, State.ASSIGNED)
    h.refused(
        "invalid_transition",
        assigned.id,
        lambda: s.first_contact_record(
            actor=sup, complaint_id=assigned.id, method="phone", summary="已联系", apologised=True
        ),
    )
    other = h.drive_to(org, State.INVESTIGATING)
    h.refused(
        "forbidden_action",
        other.id,
        lambda: s.first_contact_record(
            actor=org.a.users["reception"],
            complaint_id=other.id,
            method="phone",
            summary="x",
            apologised=True,
        ),
    )


def test_no_apology_needs_its_reason_and_keeps_it(org):
    c = h.drive_to(org, State.INVESTIGATING)
    contact = s.first_contact_record(
        actor=org.a.users["eng_supervisor"],
        complaint_id=c.id,
        method="message",
        summary="已耐心解释该设施不属物业服务范围",
        apologised=False,
        no_apology_reason="无理投诉，已感谢业主对工作的支持",
    )
    assert FirstContact.objects.get(pk=contact.pk).no_apology_reason.startswith("无理投诉")


def test_first_contact_through_the_page_and_the_api(org, client):
    from django.urls import reverse

    c = h.drive_to(org, State.INVESTIGATING)
    sup = org.a.users["eng_supervisor"]
    client.force_login(sup)
    page = client.get(reverse("complaints:detail", args=[c.id]))
    assert reverse("complaints:action", args=[c.id, "first_contact_record"]) in page.content.decode()
    r = client.post(
        reverse("complaints:action", args=[c.id, "first_contact_record"]),
        {"version": c.version, "method": "phone", "apologised": "1", "summary": "已电话致歉并说明处理安排"},
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    assert FirstContact.objects.get(complaint=c).method == "phone"
    assert "first_contact_record" in {op for op in _api_operations()}


def _api_operations() -> set[str]:
    from django.test import Client

    schema = Client().get("/api/v1/openapi.json").json()
    return {path.rsplit("/", 1)[-1] for path in schema["paths"] if "/actions/" in path}
