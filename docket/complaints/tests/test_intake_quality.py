"""Intake data quality (issue 14): place pickers in natural order, categories grouped by parent, the place
shown everywhere, complete phone numbers stored as digits, files asked for again, the exact lookup, the
committee's channel."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from docket.complaints.intake_forms import natural_key
from docket.complaints.models import Category, Complaint
from docket.complaints.tests.test_views_intake import _post
from docket.core.testing.images import PNG
from docket.org.models import Building, Room, Unit


def _rooms(org):
    """A second unit in building 1 with rooms 1001, 101, 201, 99 (created in a text order)."""
    unit = Unit.objects.create(building=org.a.room.unit.building, name="2单元")
    for n in ["1001", "201", "101", "99"]:
        Room.objects.create(unit=unit, number=n)
    tall = Building.objects.create(community=org.a.room.unit.building.community, name="10号楼")
    Unit.objects.create(building=tall, name="1单元")
    return unit


def _options(html, select_id):
    m = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', html, re.S)
    assert m, select_id
    return re.findall(r"<option[^>]*>([^<]*)</option>", m.group(1))


def test_natural_order():
    assert sorted(["1001", "101", "99", "201"], key=natural_key) == ["99", "101", "201", "1001"]
    assert sorted(["10号楼", "2号楼", "1号楼"], key=natural_key) == ["1号楼", "2号楼", "10号楼"]


def test_room_pickers_cascade_in_natural_order(client, org):
    unit = _rooms(org)
    client.force_login(org.a.users["reception"])
    html = client.get(reverse("complaints:new")).content.decode()
    rooms = [r for r in _options(html, "id_room") if r.startswith("1号楼2单元")]
    assert rooms == ["1号楼2单元99", "1号楼2单元101", "1号楼2单元201", "1号楼2单元1001"]
    buildings = _options(html, "id_building")[1:]
    assert buildings.index("1号楼") < buildings.index("10号楼")
    # the unit narrows the rooms (htmx), the building narrows the units and, out of band, the rooms
    html = client.get(reverse("complaints:places"), {"unit": unit.id}).content.decode()
    assert re.findall(r">(1号楼2单元\d+)<", html) == rooms
    assert str(org.a.room) not in html
    building = org.a.room.unit.building
    html = client.get(reverse("complaints:places"), {"building": building.id}).content.decode()
    assert "1号楼2单元" in html and 'hx-swap-oob="innerHTML"' in html and "10号楼" not in html


def test_places_of_another_office_are_not_offered(client, org):
    other = org.b.room
    client.force_login(org.a.users["reception"])
    html = client.get(reverse("complaints:places"), {"unit": other.unit_id}).content.decode()
    assert str(other) not in html
    html = client.get(reverse("complaints:places"), {"building": other.unit.building_id}).content.decode()
    assert str(other) not in html
    client.force_login(org.users["group_property"])  # registers for no office
    assert client.get(reverse("complaints:places"), {"unit": other.unit_id}).status_code == 403


def test_categories_are_grouped_by_parent(client, org):
    client.force_login(org.a.users["reception"])
    html = client.get(reverse("complaints:new")).content.decode()
    lift = org.categories["电梯"]
    parent = Category.objects.get(pk=lift.parent_id)
    select = re.search(r'<select name="category"[^>]*>(.*?)</select>', html, re.S).group(1)
    group = re.search(rf'<optgroup label="{parent.name}">(.*?)</optgroup>', select, re.S)
    assert group and f'value="{lift.id}"' in group.group(1)
    assert f'<option value="{parent.id}"' not in select  # a parent with children is a heading only


def test_place_shown_on_page_form_and_receipt(client, org):
    client.force_login(org.a.users["reception"])
    _post(client, org, location="3单元地下车库B区")
    c = Complaint.objects.get()
    for name in ("detail", "record_form", "receipt"):
        html = client.get(reverse(f"complaints:{name}", args=[c.id])).content.decode()
        assert "3单元地下车库B区" in html and "发生地点" in html, name
        if name != "receipt":  # the place and the location on one line, not the location a second time
            assert html.count("发生地点") == 1 and html.count("3单元地下车库B区") == 1, name


@pytest.mark.parametrize(
    "typed,stored",
    [
        ("139 0000 1111", "13900001111"),
        ("+86 139-0000-1111", "13900001111"),
        ("029-88886666", "02988886666"),
        ("0917-1234567", "09171234567"),
        ("0086 139 0000 1111", "13900001111"),
        ("１３９００００１１１１", "13900001111"),
        ("+86 29 8888 6666", "02988886666"),
    ],
)
def test_complete_phone_numbers_are_stored_as_digits(client, org, typed, stored):
    client.force_login(org.a.users["reception"])
    assert _post(client, org, complainant_phone=typed).status_code == 302
    assert Complaint.objects.get().complainant_phone == stored


@pytest.mark.parametrize(
    "typed", ["1390000", "12900001111", "88886666", "139000011112", "0291234567", "电话"]
)
def test_incomplete_phone_numbers_are_refused(client, org, typed):
    client.force_login(org.a.users["reception"])
    r = _post(client, org, complainant_phone=typed)
    assert r.status_code == 422 and "029-88886666" in r.content.decode()
    assert not Complaint.objects.exists()


def test_the_service_refuses_an_incomplete_phone(org, complaint_factory):
    from docket.core.errors import DomainError

    with pytest.raises(DomainError) as exc:
        complaint_factory(complainant_phone="1390000")
    assert exc.value.code == "validation"
    assert not Complaint.objects.exists()


def test_files_are_asked_for_again_after_an_error(client, org):
    client.force_login(org.a.users["reception"])
    r = _post(
        client,
        org,
        subject="",
        attachments=SimpleUploadedFile("现场照片.png", PNG, content_type="image/png"),
    )
    html = r.content.decode()
    assert r.status_code == 422 and "现场照片.png" in html and "请重新选择" in html


@pytest.mark.parametrize("typed", ["1380000", "138000000", "0001"])
def test_lookup_answers_nothing_on_a_prefix(client, org, complaint_factory, typed):
    complaint_factory(complainant_phone="13800000001")
    client.force_login(org.a.users["reception"])
    html = client.get(reverse("complaints:lookup"), {"complainant_phone": typed}).content.decode()
    assert "尚有未结案的投诉" not in html and "已登记住户" not in html
    html = client.get(reverse("complaints:lookup"), {"complainant_phone": "13800000001"}).content.decode()
    assert "尚有未结案的投诉" in html


def test_committee_intake_offers_only_its_channel(client, org):
    client.force_login(org.a.users["committee"])
    r = client.get(reverse("complaints:new"))
    if r.status_code != 200:
        pytest.skip("the committee does not record at the staff intake in this build")
    assert _options(r.content.decode(), "id_channel") == ["业主委员会"]


def test_refusals_answer_the_styled_403_page(client, org):
    client.force_login(org.users["group_property"])  # registers for no office
    for url in (reverse("complaints:new"), reverse("complaints:places")):
        r = client.get(url)
        html = r.content.decode()
        assert r.status_code == 403 and "无权访问" in html and "error-page" in html and "我的待办" in html


# --- a category per issue (issue 14) ----------------------------------------------------------------
def test_each_issue_can_have_its_own_category(client, org):
    client.force_login(org.a.users["reception"])
    lift, legacy = org.categories["电梯"], org.categories["地产遗留"]
    r = _post(
        client,
        org,
        issues="电梯停运\n外墙渗水\n楼道有杂物",
        category=lift.id,  # the common one
        issue_category_2=legacy.id,
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    c = Complaint.objects.get()
    assert [(i.summary, i.category_id) for i in c.issues.order_by("seq")] == [
        ("电梯停运", lift.id),
        ("外墙渗水", legacy.id),
        ("楼道有杂物", lift.id),
    ]


def test_issue_category_pickers_are_grouped_and_refuse_a_missing_line(client, org):
    client.force_login(org.a.users["reception"])
    html = client.get(reverse("complaints:new")).content.decode()
    lift = org.categories["电梯"]
    select = re.search(r'<select name="issue_category_2"[^>]*>(.*?)</select>', html, re.S).group(1)
    assert re.search(rf'<optgroup label="设施设备">.*value="{lift.id}"', select, re.S)
    assert "同上（用上面的分类）" in select
    r = _post(client, org, issues="电梯停运\n外墙渗水", issue_category_3=lift.id)
    assert r.status_code == 422 and not Complaint.objects.exists()
    assert "只填写了 2 个问题，第 3 个问题不存在" in r.content.decode()
