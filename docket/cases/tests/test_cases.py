"""The case library (R-ANA-4, seed 5.2.6.1): the scrubber, writing a case (and its refusals), search by
text, category and tag, and the pages for every role (the committee and other companies see nothing)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from docket.accounts.models import Role
from docket.cases import services
from docket.cases.models import TypicalCase
from docket.cases.scrub import scrub
from docket.complaints.tests.helpers import drive_to, user_for
from docket.core.errors import DomainError
from docket.org.models import Resident


def test_scrub_removes_phones_names_rooms_and_keeps_the_building():
    text = (
        "业主王建国（13812345678，座机 021-62345678，邮箱 wang@example.com）住1号楼2单元1201室，"
        "另一位联名人李娜说3-2-501也漏水；王先生表示将联系媒体，身份证110101199003071234。已告知138****5678。"
    )
    out = scrub(text, names=["王建国", "李娜"])
    for gone in (
        "王建国",
        "李娜",
        "13812345678",
        "62345678",
        "wang@example.com",
        "1201",
        "3-2-501",
        "王先生",
        "110101199003071234",
        "138****5678",
        "2单元",
    ):
        assert gone not in out, gone
    assert "1号楼" in out and "[电话]" in out and "[房号]" in out and "将联系媒体" in out
    # A one-character surname is removed only with its honorific: the place name 王府 stays.
    assert scrub("王女士住在王府花园", names=["王"]) == "业主住在王府花园"


def _input(**over):
    data = dict(
        kind="hot",
        title="电梯频繁故障引发群诉",
        background="王女士（13800000001）反映1号楼1单元101室门口电梯一周停运三次。",
        causes="门机板老化，维保单位巡检不到位。",
        handling="工程部当日抢修，协调维保单位更换门机板。",
        result="电梯恢复运行，业主满意。",
        lessons="老旧电梯应提前列入更换计划。",
        measures="修订维保合同考核条款。",
        tags=["电梯", "群诉", "电梯"],
    )
    data.update(over)
    return services.CaseInput(**data)


def test_case_written_scrubbed_with_place_and_category(org):
    c = drive_to(org, "closed")
    Resident.objects.create(room=org.a.room, name="赵六", phone="13900000002")
    case = services.case_create(
        actor=org.users["qm"], complaint_id=c.id, data=_input(result="赵六表示满意。")
    )
    assert "13800000001" not in case.background and "王女士" not in case.background
    assert "101" not in case.background and "1号楼" in case.background
    assert case.result == "业主表示满意。"
    assert case.place == f"{org.a.community.name} 1号楼"
    assert case.category == org.categories["电梯"] and case.tag_list == ["电梯", "群诉"]
    # A second write-up of the same complaint is refused.
    with pytest.raises(DomainError):
        services.case_create(actor=org.users["qm"], complaint_id=c.id, data=_input())
    assert TypicalCase.objects.count() == 1


def test_writers_and_refusals(org):
    c = drive_to(org, "closed")
    # Office B's manager, a department manager, reception and the committee cannot write office A's.
    for actor in (
        org.b.users["office_manager"],
        org.a.users["eng_manager"],
        org.a.users["reception"],
        org.a.users["committee"],
        org.other_company_qm,
    ):
        with pytest.raises(DomainError) as e:
            services.case_create(actor=actor, complaint_id=c.id, data=_input())
        assert e.value.code == "not_found"
    with pytest.raises(DomainError) as e:
        services.case_create(actor=org.a.users["office_manager"], complaint_id=c.id, data=_input(lessons=" "))
    assert e.value.code == "required"
    with pytest.raises(DomainError):
        services.case_create(actor=org.a.users["office_manager"], complaint_id=c.id, data=_input(kind="x"))
    assert not TypicalCase.objects.exists()
    case = services.case_create(actor=org.a.users["office_manager"], complaint_id=c.id, data=_input())
    # Editing: leadership may, office staff who read it may not (forbidden), others see nothing.
    services.case_update(actor=org.users["leadership"], case_id=case.id, data=_input(title="新标题"))
    with pytest.raises(DomainError) as e:
        services.case_update(actor=org.a.users["eng_staff"], case_id=case.id, data=_input(title="改"))
    assert e.value.code == "forbidden_action"
    with pytest.raises(DomainError) as e:
        services.case_update(actor=org.other_company_qm, case_id=case.id, data=_input(title="改"))
    assert e.value.code == "not_found"
    case.refresh_from_db()
    assert case.title == "新标题" and case.updated_by == org.users["leadership"]


def test_search_by_text_category_tag_and_kind(client, org):
    c1, c2 = drive_to(org, "closed"), drive_to(org, "closed", kit=org.b)
    services.case_create(actor=org.users["qm"], complaint_id=c1.id, data=_input())
    services.case_create(
        actor=org.users["qm"],
        complaint_id=c2.id,
        data=_input(
            kind="major", title="地下室渗水", tags=["渗水"], category_id=org.categories["地产遗留"].id
        ),
    )
    client.force_login(org.b.users["eng_staff"])  # any staff of the company reads every case

    def titles(query):
        r = client.get(reverse("cases:list") + "?" + query)
        assert r.status_code == 200
        return sorted(x.title for x in r.context["cases"])

    assert titles("") == ["地下室渗水", "电梯频繁故障引发群诉"]
    assert titles("q=维保") == ["地下室渗水", "电梯频繁故障引发群诉"]
    assert titles("q=渗水") == ["地下室渗水"]
    assert titles(f"category={org.categories['设施设备'].id}") == ["电梯频繁故障引发群诉"]  # parent
    assert titles("tag=群诉") == ["电梯频繁故障引发群诉"]
    assert titles("tag=群") == []  # a whole tag, not a part
    assert titles("kind=major") == ["地下室渗水"]


READ = {role: role != Role.COMMITTEE_MEMBER for role in Role}
WRITE = {Role.OFFICE_MANAGER, Role.QM, Role.LEADERSHIP}


@pytest.mark.parametrize("role", list(READ))
def test_pages_for_every_role(client, org, role):
    c = drive_to(org, "closed")
    case = services.case_create(actor=org.users["qm"], complaint_id=c.id, data=_input())
    user = user_for(org, role)
    client.force_login(user)
    ok = 200 if READ[role] else 404
    r = client.get(reverse("cases:list"))
    assert r.status_code == ok
    # the top bar offers the library exactly to those it answers (the committee's menu led to a 404)
    menu = client.get(reverse("complaints:work")).content.decode()
    assert (f'<a href="{reverse("cases:list")}">' in menu) == READ[role]
    if ok == 200:
        assert [x.id for x in r.context["cases"]] == [case.id]
        # no personal data on the list or the page
        html = r.content.decode() + client.get(reverse("cases:detail", args=[case.id])).content.decode()
        assert "13800000001" not in html and "王女士" not in html
    assert client.get(reverse("cases:detail", args=[case.id])).status_code == ok
    edit = client.get(reverse("cases:edit", args=[case.id])).status_code
    assert edit == (200 if role in WRITE else 403 if READ[role] else 404)
    new = client.get(reverse("cases:new") + f"?complaint={c.id}")
    assert new.status_code == (200 if role in WRITE else 403)
    # A POST by a non-writer changes nothing.
    before = TypicalCase.objects.values_list("title", "updated_at").get()
    client.post(reverse("cases:edit", args=[case.id]), {"title": "改", "kind": "hot"})
    if role not in WRITE:
        assert TypicalCase.objects.values_list("title", "updated_at").get() == before


def test_other_company_sees_nothing(client, org):
    c = drive_to(org, "closed")
    case = services.case_create(actor=org.users["qm"], complaint_id=c.id, data=_input())
    client.force_login(org.other_company_qm)
    assert list(client.get(reverse("cases:list")).context["cases"]) == []
    assert client.get(reverse("cases:detail", args=[case.id])).status_code == 404
    assert client.get(reverse("cases:edit", args=[case.id])).status_code == 404


def test_write_up_through_the_page(client, org):
    c = drive_to(org, "closed")
    client.force_login(org.a.users["office_manager"])
    r = client.get(reverse("cases:new") + f"?receipt_no={c.receipt_no}")
    assert r.status_code == 200 and 'name="background"' in r.content.decode()
    form = {k: v for k, v in vars(_input()).items() if k != "tags"} | {
        "complaint": c.id,
        "tags": "电梯，群诉",
    }
    form.pop("category_id")
    r = client.post(reverse("cases:new"), form)
    case = TypicalCase.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("cases:detail", args=[case.id])
    assert case.tag_list == ["电梯", "群诉"] and "13800000001" not in case.background
    # Office B's complaint: not offered to office A's manager.
    other = drive_to(org, "closed", kit=org.b)
    r = client.get(reverse("cases:new") + f"?complaint={other.id}")
    assert r.context["complaint"] is None
