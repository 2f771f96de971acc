"""Incident services: declare, update, resolve, link/unlink — happy paths, refusals that change nothing,
the area/time match, and one update reaching each complainant once and landing on each record."""

from __future__ import annotations

from datetime import timedelta

import pytest

from conftest import make_complaint
from docket.complaints import services as cs
from docket.complaints.models import Complaint, ComplaintEvent, Method, State
from docket.core import clock
from docket.core.errors import DomainError
from docket.incidents import selectors, services
from docket.incidents.models import Incident, IncidentLink, IncidentUpdate
from docket.notifications.models import Notification
from docket.org.models import Building, Room, Unit

pytestmark = pytest.mark.django_db


def declare(org, actor=None, kit=None, **kw):
    kit = kit or org.a
    data = dict(
        office_id=kit.office.id,
        kind="water",
        title="1号楼停水",
        description="因供水管道抢修，1号楼暂停供水。",
        whole_community=False,
        building_ids=[kit.room.unit.building_id],
        starts_at=clock.now() - timedelta(hours=1),
        expected_end_at=clock.now() + timedelta(hours=5),
    )
    data.update(kw)
    return services.incident_declare(actor=actor or kit.users["reception"], **data)


def snapshot(inc_id):
    inc = Incident.objects.get(pk=inc_id)
    return (
        inc.state,
        inc.version,
        inc.ended_at,
        IncidentUpdate.objects.filter(incident_id=inc_id).count(),
        IncidentLink.objects.filter(incident_id=inc_id).count(),
        ComplaintEvent.objects.count(),
        Notification.objects.count(),
        list(Complaint.objects.order_by("id").values_list("id", "version")),
    )


def owner_sms(complaint):
    return Notification.objects.filter(ref=f"complaint:{complaint.id}", kind="owner:incident_update")


# --- declare ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who", ["reception", "office_manager", "eng_supervisor", "eng_manager", "cs_supervisor", "qm"]
)
def test_declare_by_each_incident_role(org, who):
    actor = org.users.get(who) or org.a.users[who]
    inc = declare(org, actor=actor)
    assert inc.state == Incident.State.ACTIVE and inc.office_id == org.a.office.id
    assert inc.company_id == org.company.id and inc.created_by == actor
    assert list(inc.buildings.values_list("id", flat=True)) == [org.a.room.unit.building_id]


@pytest.mark.parametrize("who", ["eng_staff", "committee"])
def test_declare_refused_for_roles_without_incidents(org, who):
    with pytest.raises(DomainError) as e:
        declare(org, actor=org.a.users[who])
    assert e.value.code == "forbidden_action"
    assert not Incident.objects.exists()


@pytest.mark.parametrize("who", ["general_office", "mgmt_rep", "leadership"])
def test_declare_refused_for_company_roles_without_incidents(org, who):
    with pytest.raises(DomainError) as e:
        declare(org, actor=org.users[who])
    assert e.value.code == "forbidden_action"


def test_declare_out_of_scope_office_is_not_found(org):
    with pytest.raises(DomainError) as e:
        declare(org, actor=org.a.users["reception"], kit=org.b)
    assert e.value.code == "not_found"
    with pytest.raises(DomainError) as e:
        declare(org, actor=org.other_company_qm)
    assert e.value.code == "not_found"
    assert not Incident.objects.exists()


@pytest.mark.parametrize(
    "kw,code",
    [
        ({"title": "  "}, "required"),
        ({"description": ""}, "required"),
        ({"kind": "flood"}, "validation"),
        ({"building_ids": []}, "incident_area_required"),
        ({"building_ids": None}, "incident_area_required"),
        ({"expected_end_at": clock.now() - timedelta(hours=2)}, "incident_end_before_start"),
    ],
)
def test_declare_refusals(org, kw, code):
    with pytest.raises(DomainError) as e:
        declare(org, **kw)
    assert e.value.code == code
    assert not Incident.objects.exists()


def test_declare_refuses_a_building_of_another_community(org):
    with pytest.raises(DomainError) as e:
        declare(org, building_ids=[org.b.room.unit.building_id])
    assert e.value.code == "incident_area_mismatch"
    assert not Incident.objects.exists()


def test_declare_whole_community_ignores_buildings(org):
    inc = declare(org, whole_community=True, building_ids=[])
    assert inc.whole_community and not inc.buildings.exists()


# --- the area and time match ----------------------------------------------------------------------------


def test_match_by_room_building_and_time(org):
    kit = org.a
    other_building = Building.objects.create(community=kit.community, name="2号楼")
    other_room = Room.objects.create(
        unit=Unit.objects.create(building=other_building, name="1单元"), number="201"
    )
    inc = declare(org)
    assert selectors.matching(kit.office.id, room_id=kit.room.id) == [inc]
    assert selectors.matching(kit.office.id, room_id=other_room.id) == []
    # before the start it is not yet the incident's time; another office never matches
    assert (
        selectors.matching(kit.office.id, room_id=kit.room.id, at=inc.starts_at - timedelta(minutes=1)) == []
    )
    assert selectors.matching(org.b.office.id, room_id=kit.room.id) == []
    # a public place or a building number named in the place text
    assert selectors.matching(kit.office.id, location="1号楼大堂") == [inc]
    assert selectors.matching(kit.office.id, location="一号楼门口") == [inc]
    assert selectors.matching(kit.office.id, location="2号楼门口") == []
    whole = declare(org, whole_community=True, building_ids=[], title="全小区停电", kind="power")
    assert selectors.matching(kit.office.id, room_id=other_room.id) == [whole]
    assert selectors.matching(kit.office.id, location="小区花园") == [whole]
    # resolved incidents are no longer shown
    services.incident_resolve(actor=kit.users["reception"], incident_id=whole.id, text="已恢复供电")
    assert selectors.matching(kit.office.id, location="小区花园") == []


# --- link ------------------------------------------------------------------------------------------------


def test_link_records_on_the_complaint(org):
    inc = declare(org)
    c = make_complaint(org)
    v = Complaint.objects.get(pk=c.id).version
    link = services.incident_link_complaint(
        actor=org.a.users["reception"], incident_id=inc.id, complaint_id=c.id, via="intake"
    )
    assert link.via == "intake"
    ev = ComplaintEvent.objects.filter(complaint=c).order_by("-seq").first()
    assert ev.kind == "incident_linked" and ev.public
    assert ev.payload["incident"] == "停水：1号楼停水" and ev.payload["text"] == inc.description
    assert ev.actor_name == str(org.a.users["reception"])
    assert Complaint.objects.get(pk=c.id).version == v + 1
    assert selectors.incidents_of_complaint(c) == [inc]


@pytest.mark.parametrize(
    "setup,who,code",
    [
        ("other_office", "reception", "incident_office_mismatch"),
        ("resolved", "reception", "incident_resolved"),
        ("twice", "reception", "incident_already_linked"),
        ("ended", "reception", "incident_complaint_ended"),
        ("plain", "eng_staff", "forbidden_action"),
        ("plain", "committee", "forbidden_action"),
        ("b_reception", "reception", "not_found"),
    ],
)
def test_link_refusals_change_nothing(org, setup, who, code):
    inc = declare(org)
    c = make_complaint(org)
    actor = org.a.users[who]
    if setup == "other_office":
        c = make_complaint(org, kit=org.b, actor=org.users["qm"])
        actor = org.users["qm"]
    elif setup == "resolved":
        services.incident_resolve(actor=actor, incident_id=inc.id, text="已恢复")
    elif setup == "twice":
        services.incident_link_complaint(actor=actor, incident_id=inc.id, complaint_id=c.id)
    elif setup == "ended":
        cs.complaint_withdraw(actor=actor, complaint_id=c.id, reason="顾客撤回")
    elif setup == "b_reception":
        actor = org.b.users["reception"]
    before = snapshot(inc.id)
    with pytest.raises(DomainError) as e:
        services.incident_link_complaint(actor=actor, incident_id=inc.id, complaint_id=c.id)
    assert e.value.code == code
    assert snapshot(inc.id) == before


def test_unlink_records_and_stops_updates(org):
    inc = declare(org)
    c = make_complaint(org)
    r = org.a.users["reception"]
    services.incident_link_complaint(actor=r, incident_id=inc.id, complaint_id=c.id)
    before = snapshot(inc.id)
    with pytest.raises(DomainError) as e:
        services.incident_unlink_complaint(actor=r, incident_id=inc.id, complaint_id=c.id, reason=" ")
    assert e.value.code == "required" and snapshot(inc.id) == before
    services.incident_unlink_complaint(actor=r, incident_id=inc.id, complaint_id=c.id, reason="登记错误")
    assert ComplaintEvent.objects.filter(complaint=c).order_by("-seq").first().kind == "incident_unlinked"
    assert not IncidentLink.objects.exists()
    with pytest.raises(DomainError) as e:
        services.incident_unlink_complaint(actor=r, incident_id=inc.id, complaint_id=c.id, reason="x")
    assert e.value.code == "incident_not_linked"
    posted = services.incident_update(actor=r, incident_id=inc.id, text="预计18点恢复")
    assert posted.recorded == 0 and not owner_sms(c).exists()


# --- updates --------------------------------------------------------------------------------------------


def test_update_reaches_each_complainant_once_and_lands_on_each_record(org):
    r = org.a.users["reception"]
    inc = declare(org)
    people = [make_complaint(org, complainant_phone=f"1380000010{i}") for i in range(4)]
    again = make_complaint(org, complainant_phone="+86 138 0000 0100", subject="又停水了")  # person 0
    anonymous = make_complaint(org, anonymous=True, complainant_phone="", complainant_name="")
    email_only = make_complaint(
        org, complainant_phone="", complainant_email="owner@example.com", method=Method.EMAIL
    )
    ended = make_complaint(org, complainant_phone="13900000009")
    linked = [*people, again, anonymous, email_only, ended]
    for c in linked:
        services.incident_link_complaint(actor=r, incident_id=inc.id, complaint_id=c.id)
    cs.complaint_withdraw(actor=r, complaint_id=ended.id, reason="已自行解决")
    unlinked = make_complaint(org, complainant_phone="13700000000")

    posted = services.incident_update(
        actor=org.a.users["eng_supervisor"], incident_id=inc.id, text="抢修中，预计18点恢复供水"
    )

    assert posted.recorded == len(linked) == 8
    assert (
        posted.notified == 5
    )  # four people + the email-only owner; not the same person again, not the others
    for c in linked:
        ev = ComplaintEvent.objects.filter(complaint=c).order_by("-seq").first()
        assert ev.kind in ("incident_update", "incident_update_quiet")
        assert ev.payload["text"] == "抢修中，预计18点恢复供水" and ev.public
        assert ev.actor_name == str(org.a.users["eng_supervisor"])
    for c in people:
        sms = owner_sms(c)
        assert (
            sms.count() == 1 and "抢修中，预计18点恢复供水" in sms.get().body and sms.get().channel == "sms"
        )
    for c in (again, anonymous, ended):
        assert not owner_sms(c).exists()
        assert (
            ComplaintEvent.objects.filter(complaint=c).order_by("-seq").first().kind
            == "incident_update_quiet"
        )
    assert owner_sms(email_only).get().channel == "email"
    assert not ComplaintEvent.objects.filter(complaint=unlinked, kind__startswith="incident").exists()
    u = IncidentUpdate.objects.get()
    assert (u.seq, u.recorded, u.notified, u.final) == (1, 8, 5, False)
    assert Incident.objects.get(pk=inc.id).version == 2


def test_update_is_all_or_nothing(org, monkeypatch):
    r = org.a.users["reception"]
    inc = declare(org)
    cs_ = [make_complaint(org, complainant_phone=f"1380000020{i}") for i in range(3)]
    for c in cs_:
        services.incident_link_complaint(actor=r, incident_id=inc.id, complaint_id=c.id)
    before = snapshot(inc.id)
    real = cs.complaint_incident_update
    calls = []

    def failing(**kw):
        calls.append(kw["complaint_id"])
        if len(calls) == 3:
            raise DomainError("conflict")
        return real(**kw)

    monkeypatch.setattr("docket.incidents.services.complaint_services.complaint_incident_update", failing)
    with pytest.raises(DomainError):
        services.incident_update(actor=r, incident_id=inc.id, text="进展")
    assert len(calls) == 3
    assert snapshot(inc.id) == before  # no update row, no event, no outbox row on the first two complaints


@pytest.mark.parametrize(
    "case,code",
    [
        ("empty", "required"),
        ("resolved", "incident_resolved"),
        ("stale", "incident_conflict"),
        ("b_office", "not_found"),
        ("eng_staff", "forbidden_action"),
        ("too_long", "validation"),
    ],
)
def test_update_refusals_change_nothing(org, case, code):
    r = org.a.users["reception"]
    inc = declare(org)
    c = make_complaint(org)
    services.incident_link_complaint(actor=r, incident_id=inc.id, complaint_id=c.id)
    actor, text, version = r, "进展", None
    if case == "empty":
        text = "   "
    elif case == "resolved":
        services.incident_resolve(actor=r, incident_id=inc.id, text="已恢复")
    elif case == "stale":
        version = 0
    elif case == "b_office":
        actor = org.b.users["office_manager"]
    elif case == "eng_staff":
        actor = org.a.users["eng_staff"]
    elif case == "too_long":
        text = "水" * 501
    before = snapshot(inc.id)
    with pytest.raises(DomainError) as e:
        services.incident_update(actor=actor, incident_id=inc.id, text=text, expected_version=version)
    assert e.value.code == code
    assert snapshot(inc.id) == before


def test_resolve_posts_a_final_update(org):
    r = org.a.users["office_manager"]
    inc = declare(org)
    c = make_complaint(org)
    services.incident_link_complaint(actor=r, incident_id=inc.id, complaint_id=c.id)
    posted = services.incident_resolve(
        actor=r, incident_id=inc.id, text="供水已恢复，感谢理解", expected_version=1
    )
    inc.refresh_from_db()
    assert inc.state == Incident.State.RESOLVED and inc.ended_at is not None
    assert posted.update.final and posted.recorded == 1 and posted.notified == 1
    ev = ComplaintEvent.objects.filter(complaint=c).order_by("-seq").first()
    assert ev.kind == "incident_update" and ev.payload["final"] is True
    assert "供水已恢复" in owner_sms(c).get().body
    before = snapshot(inc.id)
    with pytest.raises(DomainError) as e:
        services.incident_resolve(actor=r, incident_id=inc.id, text="again")
    assert e.value.code == "incident_resolved" and snapshot(inc.id) == before


def test_resolve_refuses_an_end_before_the_start(org):
    inc = declare(org)
    before = snapshot(inc.id)
    with pytest.raises(DomainError) as e:
        services.incident_resolve(
            actor=org.a.users["reception"],
            incident_id=inc.id,
            text="x",
            ended_at=inc.starts_at - timedelta(hours=1),
        )
    assert e.value.code == "incident_end_before_start" and snapshot(inc.id) == before


def test_the_record_chain_still_verifies(org):
    from docket.complaints.events import chain_verify

    r = org.a.users["reception"]
    inc = declare(org)
    c = make_complaint(org)
    services.incident_link_complaint(actor=r, incident_id=inc.id, complaint_id=c.id)
    services.incident_update(actor=r, incident_id=inc.id, text="进展一")
    services.incident_resolve(actor=r, incident_id=inc.id, text="结束")
    c = Complaint.objects.get(pk=c.id)
    events = list(ComplaintEvent.objects.filter(complaint=c).order_by("seq"))
    assert chain_verify(c, events) is None
    assert c.state == State.REGISTERED  # incidents never move a complaint
