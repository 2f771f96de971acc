"""The QM information officer's call to the office (seed 5.2.3.3.1: 立即以电话通知管理处经理或指定岗位;
docs/decisions.md "officer8").

The officer records whom of the complaint's office they phoned, when, and what was said (`office_call_record`):
an `office_called` event in the hash-chained record, shown on the complaint's timeline; the time is kept on the
row (`office_called_at`) so that the officer's queue row, which asked for the call, moves on to what the
complaint waits for next. Only the officer, only on an online complaint, only while it is registered or
assigned, only once; anything else is refused with a stable code, the record unchanged.
"""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.urls import reverse

from docket.accounts.models import Role
from docket.api.tests.conftest import Api
from docket.complaints import access, next_steps, selectors
from docket.complaints import services as s
from docket.complaints.events import chain_verify
from docket.complaints.models import Channel, Complaint, ComplaintEvent, Method, State
from docket.complaints.next_steps import StepDecider, next_action_for, prefetch_for_steps
from docket.core import clock
from docket.org.models import Company

from . import helpers as h

pytestmark = pytest.mark.django_db

_phones = itertools.count(13700000001)


def online(org, state=State.REGISTERED, **kw) -> Complaint:
    kw.setdefault("complainant_phone", str(next(_phones)))
    return h.drive_to(org, state, method=Method.ONLINE, channel=Channel.ONLINE, **kw)


def _officer(org):
    return org.users["qm_info_officer"]


def _call(org, c, **kw):
    args = {"callee_id": org.a.users["office_manager"].id, "note": "已告知王经理，立即安排"} | kw
    return s.office_call_record(actor=_officer(org), complaint_id=c.id, **args)


def _step(user, c):
    return next_action_for(user, Complaint.objects.get(pk=c.id))


def test_the_officer_records_the_call_and_the_row_moves_on(org):
    c = online(org)
    officer = _officer(org)
    step = _step(officer, c)
    assert (step.action, str(step.label)) == ("office_call_record", "电话通知管理处")
    assert "office_call_record" in {a.name for a in access.available_actions(officer, c)}

    at = c.received_at + timedelta(seconds=30)  # typed in a little later
    _call(org, c, called_at=at)
    after = Complaint.objects.get(pk=c.id)
    assert after.office_called_at == at and after.version == c.version + 1 and after.state == State.REGISTERED
    e = ComplaintEvent.objects.filter(complaint=c, kind="office_called").get()
    manager = org.a.users["office_manager"]
    assert e.actor_id == officer.id and not e.public
    assert e.payload["callee"] == str(manager) and e.payload["callee_id"] == manager.id
    assert e.payload["callee_role"] == Role.OFFICE_MANAGER and e.payload["note"] == "已告知王经理，立即安排"
    assert chain_verify(after, list(after.events.order_by("seq"))) is None  # in the hash chain

    # the row no longer asks for the call: it waits for the office's dispatch; nothing more to record
    step = _step(officer, c)
    assert step.waiting and str(step.label) == "待管理处派单"
    assert "office_call_record" not in {a.name for a in access.available_actions(officer, after)}


def test_an_assigned_complaint_asks_for_the_call_before_the_courtesy_reply(org):
    c = online(org, State.ASSIGNED)
    officer = _officer(org)
    assert _step(officer, c).action == "office_call_record"
    _call(org, c)
    step = _step(officer, c)
    assert step.waiting and str(step.label) == "待管理处4小时内礼节性回复"


def test_qm_who_is_also_the_officer_phones_first_then_hands_over(org):
    both = h.make_user(
        "qminfo_call", [(Role.QM, org.company, None), (Role.QM_INFO_OFFICER, org.company, None)]
    )
    c = online(org)
    assert _step(both, c).action == "office_call_record"
    s.office_call_record(actor=both, complaint_id=c.id, callee_id=org.a.users["office_manager"].id)
    assert _step(both, c).action == "assign"  # QM may hand it to a department (seed 5.2.2.6)


def test_refusals_leave_the_record_unchanged(org):
    c = online(org)
    u = org.a.users
    officer = _officer(org)
    # not the officer: QM, the office, the front desk
    for user in (org.users["qm"], u["office_manager"], u["reception"], org.users["leadership"]):
        call = lambda user=user: s.office_call_record(  # noqa: E731
            actor=user, complaint_id=c.id, callee_id=u["office_manager"].id
        )
        h.refused("forbidden_action", c.id, call)
        assert "office_call_record" not in {a.name for a in access.available_actions(user, c)}
    # whom: a person of the complaint's office only (not another office's manager, not QM, nobody)
    for callee in (org.b.users["office_manager"], org.users["qm"], None):
        callee_id = callee.id if callee else 987654
        h.refused("office_call_callee", c.id, lambda callee_id=callee_id: _call(org, c, callee_id=callee_id))
    # when: not in the future, not before the complaint was received
    e = h.refused("validation", c.id, lambda: _call(org, c, called_at=clock.now() + timedelta(hours=1)))
    assert "通话时间不能晚于现在" in e.message
    e = h.refused("validation", c.id, lambda: _call(org, c, called_at=c.received_at - timedelta(hours=1)))
    assert "通话时间不能早于受理时间" in e.message
    # once
    _call(org, c)
    e = h.refused("office_call_done", c.id, lambda: _call(org, c))
    assert e.status == 409 and e.message.startswith("已于") and "无需重复记录" in e.message
    # an office complaint (by phone): the seed's call is for online complaints
    phone = h.drive_to(org, State.REGISTERED, method=Method.PHONE)
    e = h.refused("office_call_not_online", phone.id, lambda: _call(org, phone))
    assert e.message == "只有网上投诉须由品质管理部信息管理员电话通知管理处。"
    assert "office_call_record" not in {a.name for a in access.available_actions(officer, phone)}
    # once the office took it on (investigating) the call is no longer the officer's to record
    taken = online(org, State.INVESTIGATING)
    h.refused("invalid_transition", taken.id, lambda: _call(org, taken))
    assert "office_call_record" not in {a.name for a in access.available_actions(officer, taken)}
    # another company's officer does not see it
    other = h.make_user("qminfo_co2_call", [(Role.QM_INFO_OFFICER, Company.objects.get(code="co2"), None)])
    h.refused(
        "not_found",
        c.id,
        lambda: s.office_call_record(actor=other, complaint_id=c.id, callee_id=u["office_manager"].id),
    )


def test_the_page_form_records_the_call_and_the_timeline_shows_it(client, org):
    c = online(org)
    client.force_login(_officer(org))
    work = client.get(reverse("complaints:work")).content.decode()
    assert f'href="/complaints/{c.id}/?do=office_call_record"' in work or "?do=office_call_record" in work
    page = client.get(
        reverse("complaints:detail", args=[c.id]), {"do": "office_call_record"}
    ).content.decode()
    manager = org.a.users["office_manager"]
    assert f"{manager}（管理处经理）" in page and f"{org.b.users['office_manager']}" not in page
    url = reverse("complaints:action", args=[c.id, "office_call_record"])
    r = client.post(url, {"version": c.version, "callee_id": org.b.users["office_manager"].id})
    assert r.status_code == 422 and Complaint.objects.get(pk=c.id).office_called_at is None
    r = client.post(url, {"version": c.version, "callee_id": manager.id, "note": "经理已知悉"})
    assert r.status_code == 302
    page = client.get(reverse("complaints:detail", args=[c.id])).content.decode()
    assert "已电话通知管理处" in page and "通知对象" in page and str(manager) in page
    assert "经理已知悉" in page and "通话时间" in page
    assert "?do=office_call_record" not in client.get(reverse("complaints:work")).content.decode()
    # in English
    client.cookies["django_language"] = "en"
    page = client.get(reverse("complaints:detail", args=[c.id])).content.decode()
    assert "已电话通知管理处" not in page and "通知对象" not in page


def test_the_page_refuses_others(client, org):
    c = online(org)
    client.force_login(org.users["qm"])
    url = reverse("complaints:action", args=[c.id, "office_call_record"])
    r = client.post(url, {"version": c.version, "callee_id": org.a.users["office_manager"].id})
    assert r.status_code in (403, 422) and "您无权执行此操作" in r.content.decode()
    assert Complaint.objects.get(pk=c.id).office_called_at is None


@pytest.fixture
def make_key(org):
    from docket.api.services import api_key_create

    def make(role, *, office=None, company=None):
        return api_key_create(actor=None, name="测试接口", role=role, office=office, company=company)

    return make


def test_the_api_endpoint_per_key(org, make_key):
    """Only the officer's key lists and takes it; the others are refused with their codes, nothing changed."""
    c = online(org)
    phone = h.drive_to(org, State.REGISTERED, method=Method.PHONE)
    body = {"version": c.version, "callee_id": org.a.users["office_manager"].id}
    path = f"/complaints/{c.id}/actions/office_call_record"
    keys = {
        "a_reception": (make_key(Role.RECEPTION, office=org.a.office), 403, "forbidden_action"),
        "a_office_manager": (make_key(Role.OFFICE_MANAGER, office=org.a.office), 403, "forbidden_action"),
        "b_office_manager": (make_key(Role.OFFICE_MANAGER, office=org.b.office), 404, "not_found"),
        "co_qm": (make_key(Role.QM, company=org.company), 403, "forbidden_action"),
        "co_leadership": (make_key(Role.LEADERSHIP, company=org.company), 403, "forbidden_action"),
        "other_officer": (
            make_key(Role.QM_INFO_OFFICER, company=Company.objects.get(code="co2")),
            404,
            "not_found",
        ),
    }
    for name, ((_k, token), status, code) in keys.items():
        api = Api(token)
        if status != 404:
            names = {a["name"] for a in api.get(f"/complaints/{c.id}").json()["available_actions"]}
            assert "office_call_record" not in names, name
        before = h.snapshot(c.id)
        r = api.post(path, body)
        assert (r.status_code, r.json()["code"]) == (status, code), (name, r.json())
        assert h.snapshot(c.id) == before, name

    _k, token = make_key(Role.QM_INFO_OFFICER, company=org.company)
    api = Api(token)
    assert "office_call_record" in {
        a["name"] for a in api.get(f"/complaints/{c.id}").json()["available_actions"]
    }
    before = h.snapshot(c.id)
    r = api.post(path, {**body, "callee_id": org.b.users["office_manager"].id})
    assert r.status_code == 422 and h.snapshot(c.id) == before, r.json()
    r = api.post(f"/complaints/{phone.id}/actions/office_call_record", {**body, "version": phone.version})
    assert (r.status_code, r.json()["code"]) == (409, "office_call_not_online"), r.json()
    r = api.post(path, body)
    assert r.status_code == 200, r.json()
    assert Complaint.objects.get(pk=c.id).office_called_at is not None
    r = api.post(path, {**body, "version": c.version + 1})
    assert (r.status_code, r.json()["code"]) == (409, "office_call_done"), r.json()


def test_the_queue_decides_as_per_row_with_calls_recorded_or_not(org):
    officer = _officer(org)
    rows = [online(org), online(org), online(org, State.ASSIGNED), online(org, State.ASSIGNED)]
    _call(org, rows[0])
    _call(org, rows[2])
    page = list(selectors.work_queue_for(officer).only(*selectors.QUEUE_ROW_FIELDS))
    prefetch_for_steps(page, officer)
    decide = StepDecider(officer)
    steps = {}
    for c in page:
        steps[c.id] = decide(c)
        assert steps[c.id] == next_action_for(officer, Complaint.objects.get(pk=c.id)), c.state
    assert steps[rows[1].id] == next_steps.CALL_STEP and steps[rows[3].id] == next_steps.CALL_STEP
    assert steps[rows[0].id].waiting and steps[rows[2].id].waiting


def test_a_deactivated_person_is_not_offered_nor_accepted(org):
    c = online(org)
    manager = org.a.users["office_manager"]
    manager.is_active = False
    manager.save(update_fields=["is_active"])
    assert manager.id not in {a.user_id for a in access.office_call_people(c)}
    h.refused("office_call_callee", c.id, lambda: _call(org, c, callee_id=manager.id))
    reception = org.a.users["reception"]
    _call(org, c, callee_id=reception.id)
    assert Complaint.objects.get(pk=c.id).office_called_at is not None
