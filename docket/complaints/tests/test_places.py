"""Places (R-ORG-2; seed part 2, issue 15): a complaint can concern a building, a unit or a public area, not
only a room — through the intake service, the intake page and the API; the page and the 处理表 show it;
statistics get a building dimension helper."""

from __future__ import annotations

import pytest
from django.urls import reverse

from docket.complaints.models import Complaint
from docket.complaints.places import building_dimension
from docket.core.errors import DomainError
from docket.org.models import Building, PublicArea, Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def areas(org):
    gate = PublicArea.objects.create(community=org.a.community, kind="gate", name="南大门")
    park = PublicArea.objects.create(community=org.a.community, kind="car_park", name="地下停车场")
    other = PublicArea.objects.create(community=org.b.community, kind="garden", name="中心花园")
    return {"gate": gate, "park": park, "other": other}


def test_public_area_without_a_room(org, areas, complaint_factory):
    c = complaint_factory(room_id=None, public_area_id=areas["gate"].id, subject="大门道闸坏了")
    assert c.public_area == areas["gate"] and c.room is None and c.building is None
    assert c.place == "南大门"


def test_building_or_unit_without_a_room(org, complaint_factory):
    b = org.a.room.unit.building
    c = complaint_factory(room_id=None, building_id=b.id)
    assert c.building == b and c.unit is None and c.place == b.name
    u = org.a.room.unit
    c2 = complaint_factory(room_id=None, unit_id=u.id)
    assert c2.unit == u and c2.building == u.building


def test_room_fills_unit_and_building_and_keeps_an_area(org, areas, complaint_factory):
    c = complaint_factory(public_area_id=areas["park"].id)
    assert c.room == org.a.room and c.unit == org.a.room.unit and c.building == org.a.room.unit.building
    assert c.place.endswith("地下停车场") and str(org.a.room) in c.place


@pytest.mark.parametrize("field", ["public_area_id", "building_id", "unit_id", "mismatch"])
def test_places_of_another_community_are_refused_and_nothing_is_written(org, areas, complaint_factory, field):
    before = Complaint.objects.count()
    other_building = Building.objects.create(community=org.b.community, name="9号楼")
    other_unit = Unit.objects.create(building=other_building, name="1单元")
    second = Building.objects.create(community=org.a.community, name="8号楼")
    over = {
        "public_area_id": {"public_area_id": areas["other"].id},
        "building_id": {"building_id": other_building.id},
        "unit_id": {"unit_id": other_unit.id},
        "mismatch": {"building_id": second.id},  # the room is not in 8号楼
    }[field]
    with pytest.raises(DomainError) as e:
        complaint_factory(**over)
    assert e.value.code == "validation"
    assert Complaint.objects.count() == before


def test_intake_page_takes_a_public_area_and_the_page_and_form_show_it(client, org, areas):
    client.force_login(org.a.users["reception"])
    page = client.get(reverse("complaints:new")).content.decode()
    assert "南大门" in page and "中心花园" not in page  # only the office's community
    r = client.post(
        reverse("complaints:new"),
        {
            "office": org.a.office.id,
            "kind": "complaint",
            "channel": "office",
            "method": "phone",
            "complainant_phone": "13900001111",
            "complainant_name": "李",
            "people_count": 1,
            "subject": "停车场灯不亮",
            "description": "地下停车场B区灯坏了",
            "issues": "灯不亮",
            "public_area": areas["park"].id,
        },
    )
    assert r.status_code == 302
    c = Complaint.objects.get()
    assert c.public_area == areas["park"]
    assert "地下停车场" in client.get(reverse("complaints:detail", args=[c.id])).content.decode()
    assert "地下停车场" in client.get(reverse("complaints:record_form", args=[c.id])).content.decode()


def test_building_dimension_helper(org, areas, complaint_factory):
    complaint_factory()  # the room's building
    complaint_factory(room_id=None, public_area_id=areas["gate"].id)
    complaint_factory(room_id=None, public_area_id=areas["gate"].id)
    complaint_factory(room_id=None)
    dims = dict(building_dimension(Complaint.objects.all()))
    assert dims == {org.a.room.unit.building.name: 1, "南大门": 2, "未指明地点": 1}
