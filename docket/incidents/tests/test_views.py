"""Incident pages: every role on every page (shown / not shown / nothing changed), the intake hint and
linking at intake, the complaint page's linked incident, and the public fragment without personal data."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from conftest import make_complaint
from docket.complaints.models import Complaint, ComplaintEvent
from docket.core import clock
from docket.incidents import services
from docket.incidents.models import Incident, IncidentLink, IncidentUpdate

pytestmark = pytest.mark.django_db

OFFICE_A = [
    "reception",
    "office_manager",
    "eng_staff",
    "eng_supervisor",
    "eng_manager",
    "cs_supervisor",
    "committee",
]
COMPANY = ["qm", "general_office", "mgmt_rep", "leadership", "group_property"]
MANAGERS = {"reception", "office_manager", "eng_supervisor", "eng_manager", "cs_supervisor", "qm"}
ALL = [f"a:{r}" for r in OFFICE_A] + [f"b:{r}" for r in OFFICE_A] + COMPANY + ["other_qm"]


def user_of(org, who):
    if who == "other_qm":
        return org.other_company_qm
    if ":" in who:
        kit, role = who.split(":")
        return getattr(org, kit).users[role]
    return org.users[who]


def manages_a(who):
    return who.split(":")[-1] in MANAGERS and not who.startswith("b:") and who != "other_qm"


def sees_a(who):
    # every office-scoped user of A, every company user, the group's department; not B's, not another company
    return who.startswith("a:") or who in COMPANY


@pytest.fixture
def world(org):
    r = org.a.users["reception"]
    inc = services.incident_declare(
        actor=r,
        office_id=org.a.office.id,
        kind="water",
        title="1号楼停水",
        description="管道抢修，1号楼暂停供水。",
        whole_community=False,
        building_ids=[org.a.room.unit.building_id],
        starts_at=clock.now() - timedelta(hours=1),
    )
    c = make_complaint(org, complainant_name="张三丰", complainant_phone="13812345678", subject="家里没水")
    services.incident_link_complaint(actor=r, incident_id=inc.id, complaint_id=c.id)
    services.incident_update(actor=r, incident_id=inc.id, text="预计18点恢复")
    return inc, c


def state_of(inc):
    return (
        Incident.objects.get(pk=inc.id).version,
        IncidentUpdate.objects.count(),
        IncidentLink.objects.count(),
        ComplaintEvent.objects.count(),
    )


@pytest.mark.parametrize("who", ALL)
def test_list_and_detail_per_role(client, org, world, who):
    inc, c = world
    client.force_login(user_of(org, who))
    r = client.get(reverse("incidents:list"))
    assert r.status_code == 200
    assert ("1号楼停水" in r.content.decode()) == sees_a(who)
    r = client.get(reverse("incidents:detail", args=[inc.id]))
    assert r.status_code == (200 if sees_a(who) else 404)
    html = r.content.decode()
    assert "张三丰" not in html and "13812345678" not in html  # never the person on the incident page
    if r.status_code == 200:
        # the linked complaint is listed only to those who may see it; the others get a count
        from docket.complaints.scopes import can_see

        visible = can_see(user_of(org, who), Complaint.objects.get(pk=c.id))
        assert (c.receipt_no in html) == visible
        assert ("另有 1 件您无权查看的关联投诉" in html) == (not visible)
        assert ('id="update-form"' in html) == manages_a(who)


@pytest.mark.parametrize("who", ALL)
def test_declare_page_per_role(client, org, who):
    user = user_of(org, who)
    client.force_login(user)
    r = client.get(reverse("incidents:new"))
    may = who.split(":")[-1] in MANAGERS and who != "other_qm"
    assert r.status_code == (200 if may else 403)
    data = {
        "office": org.a.office.id,
        "kind": "power",
        "title": "停电检修",
        "description": "配电房检修",
        "whole_community": "on",
    }
    r = client.post(reverse("incidents:new"), data)
    if manages_a(who):
        inc = Incident.objects.get()
        assert r.status_code == 302 and r["Location"] == reverse("incidents:detail", args=[inc.id])
        assert inc.whole_community and inc.created_by == user
    else:
        assert r.status_code in (403, 422) and not Incident.objects.exists()


@pytest.mark.parametrize("who", ALL)
def test_update_resolve_link_unlink_per_role(client, org, world, who):
    inc, c = world
    client.force_login(user_of(org, who))
    c2 = make_complaint(org, complainant_phone="13800000077")
    before = state_of(inc)
    v = Incident.objects.get(pk=inc.id).version
    r = client.post(reverse("incidents:update", args=[inc.id]), {"text": "抢修进展", "version": v})
    if not manages_a(who):
        assert r.status_code in (403, 404) and state_of(inc) == before
        for name, data in [
            ("resolve", {"text": "结束", "version": v}),
            ("link", {"receipt_no": c2.receipt_no}),
            ("unlink", {"complaint": c.id, "reason": "错"}),
        ]:
            r = client.post(reverse(f"incidents:{name}", args=[inc.id]), data)
            assert r.status_code in (403, 404, 422), name
            assert state_of(inc) == before, name
        return
    assert r.status_code == 302
    assert ComplaintEvent.objects.filter(complaint=c).order_by("-seq").first().payload["text"] == "抢修进展"
    r = client.post(reverse("incidents:link", args=[inc.id]), {"receipt_no": c2.receipt_no.lower()})
    if who == "a:cs_supervisor" or who.startswith("a:eng"):
        # a department sees only what it handles: the new complaint is not theirs to link
        assert r.status_code == 404 and not IncidentLink.objects.filter(complaint=c2).exists()
    else:
        assert r.status_code == 302 and IncidentLink.objects.filter(complaint=c2).exists()
    r = client.post(reverse("incidents:resolve", args=[inc.id]), {"text": "已恢复", "version": v + 1})
    assert r.status_code == 302 and Incident.objects.get(pk=inc.id).state == "resolved"


def test_stale_version_and_resolved_refusals_show_the_message(client, org, world):
    inc, c = world
    client.force_login(org.a.users["reception"])
    before = state_of(inc)
    r = client.post(reverse("incidents:update", args=[inc.id]), {"text": "x", "version": 1})
    assert r.status_code == 409 and "该事件刚被他人修改过" in r.content.decode() and state_of(inc) == before
    r = client.post(reverse("incidents:update", args=[inc.id]), {"text": "", "version": 2})
    assert r.status_code == 422 and state_of(inc) == before


# --- the intake hint and linking at intake ----------------------------------------------------------------


def _intake(org, **over):
    data = {
        "office": org.a.office.id,
        "kind": "complaint",
        "channel": "office",
        "method": "phone",
        "complainant_phone": "13900001111",
        "complainant_name": "李",
        "room": org.a.room.id,
        "people_count": 1,
        "subject": "家里停水",
        "description": "早上起没有水",
        "issues": "停水",
    }
    data.update(over)
    return data


def test_intake_page_includes_the_hint(client, org):
    client.force_login(org.a.users["reception"])
    html = client.get(reverse("complaints:new")).content.decode()
    assert f'hx-get="{reverse("incidents:hint")}"' in html


@pytest.mark.parametrize("who", ALL)
def test_hint_per_role(client, org, world, who):
    inc, _c = world
    client.force_login(user_of(org, who))
    r = client.get(reverse("incidents:hint"), {"office": org.a.office.id, "room": org.a.room.id})
    assert r.status_code == 200
    assert ("关联到此事件" in r.content.decode()) == manages_a(who)


def test_hint_follows_area_and_keeps_the_tick(client, org, world):
    inc, _c = world
    client.force_login(org.a.users["reception"])
    url = reverse("incidents:hint")
    assert (
        "关联到此事件" in client.get(url, {"office": org.a.office.id, "room": org.a.room.id}).content.decode()
    )
    assert client.get(url, {"office": org.a.office.id, "location": "2号楼大堂"}).content.strip() == b""
    assert (
        "1号楼停水" in client.get(url, {"office": org.a.office.id, "location": "1号楼大堂"}).content.decode()
    )
    html = client.get(
        url, {"office": org.a.office.id, "room": org.a.room.id, "incident": inc.id}
    ).content.decode()
    assert f'value="{inc.id}" checked' in html
    assert client.get(url, {"office": "x"}).content == b""


def test_linking_at_intake(client, org, world):
    inc, _c = world
    client.force_login(org.a.users["reception"])
    r = client.post(reverse("complaints:new"), _intake(org, incident=str(inc.id)))
    assert r.status_code == 302
    c = Complaint.objects.get(subject="家里停水")
    link = IncidentLink.objects.get(complaint=c)
    assert link.via == "intake" and link.incident_id == inc.id
    assert ComplaintEvent.objects.filter(complaint=c, kind="incident_linked").exists()
    page = client.get(reverse("complaints:detail", args=[c.id])).content.decode()
    assert "关联突发事件" in page and "1号楼停水" in page


def test_intake_without_tick_links_nothing_and_a_refused_link_still_files(client, org, world):
    inc, _c = world
    client.force_login(org.a.users["reception"])
    client.post(reverse("complaints:new"), _intake(org))
    assert not IncidentLink.objects.filter(complaint__subject="家里停水").exists()
    services.incident_resolve(actor=org.a.users["reception"], incident_id=inc.id, text="已恢复")
    r = client.post(
        reverse("complaints:new"), _intake(org, subject="又停水", incident=str(inc.id)), follow=True
    )
    assert Complaint.objects.filter(subject="又停水").exists()
    assert not IncidentLink.objects.filter(complaint__subject="又停水").exists()
    assert "未能关联突发事件" in r.content.decode() or r.status_code == 200


# --- the public fragment ----------------------------------------------------------------------------------


def test_public_fragment_has_no_personal_data(client, org, world):
    inc, c = world
    r = client.get(reverse("incidents_public:office", args=[org.a.office.code.lower()]))
    html = r.content.decode()
    assert r.status_code == 200
    assert "1号楼停水" in html and "管道抢修" in html and "预计18点恢复" in html
    for secret in ("张三丰", "13812345678", c.receipt_no, "家里没水", str(org.a.users["reception"])):
        assert secret not in html
    # another office shows nothing of A's; an unknown office is 404; a resolved incident leaves the page
    assert (
        "1号楼停水"
        not in client.get(reverse("incidents_public:office", args=[org.b.office.code])).content.decode()
    )
    assert client.get(reverse("incidents_public:office", args=["NOPE"])).status_code == 404
    services.incident_resolve(actor=org.a.users["reception"], incident_id=inc.id, text="已恢复")
    assert (
        "1号楼停水"
        not in client.get(reverse("incidents_public:office", args=[org.a.office.code])).content.decode()
    )


def test_pages_need_sign_in(client, org, world):
    inc, _c = world
    for url in (
        reverse("incidents:list"),
        reverse("incidents:detail", args=[inc.id]),
        reverse("incidents:new"),
        reverse("incidents:hint"),
    ):
        r = client.get(url)
        assert r.status_code == 302 and "/login/" in r["Location"]
