"""Triage: text and places, the rules, the classifier trained on a small generated set, same-issue
detection and the people count, scoping (never another office's complaints), feedback, groups, pages."""

from __future__ import annotations

from datetime import timedelta

import pytest

from conftest import make_complaint
from docket.complaints.models import Category
from docket.complaints.services import IssueInput
from docket.core.errors import DomainError
from docket.org.models import Building, Room, Unit
from docket.triage import services
from docket.triage.eval.generate import generate
from docket.triage.models import SameIssueGroup, SameIssueMember, TriageFeedback, TriageModel
from docket.triage.rules import RULES
from docket.triage.same_issue import make_doc, people, score
from docket.triage.text import normalise, place_of, place_similarity

# --- pure ---------------------------------------------------------------------------------------------------


def test_normalise_numbers_typos_and_width():
    assert normalise("三栋二单元的电题坏了，ＡＢ") == "3号楼2单元的电梯坏了,ab"
    assert normalise("十二幢") == "12号楼"


def test_places_differ_by_building_and_public_area():
    a = place_of(normalise("3号楼2号电梯困人"))
    b = place_of(normalise("五栋的电梯又坏了"))
    c = place_of(normalise("三号楼电梯停运"))
    assert (a.building, a.lift, b.building) == ("3", "2", "5")
    assert place_similarity(a, b) == 0.0
    assert place_similarity(a, c) == 1.0
    north, east = place_of("北门消防通道堵了"), place_of("东门的消防通道被占")
    assert place_similarity(north, east) < 0.5


def test_same_issue_score_separates_near_misses():
    lift3 = make_doc(1, normalise("3号楼电梯一个月停了三次，老人只能爬楼"), categories=("lift",))
    lift3b = make_doc(2, normalise("三栋电梯又坏了，把人困在里面二十分钟"), categories=("lift",))
    lift5 = make_doc(3, normalise("5号楼电梯一个月停了三次，老人只能爬楼"), categories=("lift",))
    water3 = make_doc(4, normalise("3号楼停水一整天没通知"), categories=("water",))
    assert score(lift3, lift3b) >= services.THRESHOLD
    assert score(lift3, lift5) < services.THRESHOLD
    assert score(lift3, water3) < services.THRESHOLD


def test_people_counts_phones_not_filings_and_anonymous_as_unknown():
    docs = [
        make_doc(i, "电梯", person=p) for i, p in enumerate(["13800000001", "13800000001", "13900000002", ""])
    ]
    assert people(docs) == (2, 1)


def test_evaluation_set_covers_every_category_with_groups_and_a_fixed_split():
    rows = generate()
    assert len(rows) >= 600
    assert {r["category"] for r in rows} == {r.path for r in RULES}
    assert rows == generate()  # deterministic: the held-out split never moves
    groups = [r["group"] for r in rows if r["group"].startswith("g")]
    assert len(set(groups)) >= 40
    for g in set(groups):
        assert len({r["split"] for r in rows if r["group"] == g}) == 1


# --- with the database --------------------------------------------------------------------------------------


@pytest.fixture
def tree(org):
    """The demo's category tree in the test company (电梯 and 设施设备 exist already)."""
    cats = {str(c): c for c in Category.objects.filter(company=org.company).select_related("parent")}
    tops = {c.name: c for c in cats.values() if c.parent_id is None}
    for rule in RULES:
        if rule.path in cats:
            continue
        top, name = rule.path.rsplit(" / ", 1)
        if top not in tops:
            tops[top] = Category.objects.create(company=org.company, name=top)
        cats[rule.path] = Category.objects.create(company=org.company, parent=tops[top], name=name)
    return cats


def _lift(org, kit=None, phone="13800000001", **kw):
    kit = kit or org.a
    return make_complaint(org, kit=kit, complainant_phone=phone, **kw)


def test_rules_suggest_category_and_the_offices_department(org, tree):
    s = services.suggest(
        user=org.a.users["reception"], office_id=org.a.office.id, text="1号楼电梯又坏了，困人二十分钟"
    )
    assert s.source == "rules-1"
    assert str(s.category) == "设施设备 / 电梯"
    assert s.department == org.a.depts["engineering"]
    s = services.suggest(
        user=org.a.users["reception"], office_id=org.a.office.id, text="北门保安态度蛮横还推人"
    )
    assert str(s.category) == "服务态度 / 保安"
    assert s.department == org.a.depts["security"]


def test_same_issue_candidates_and_the_repeat_count(org, tree):
    first = _lift(org, phone="13800000001")
    _lift(org, phone="13800000001", subject="1号楼电梯又停了", description="1号楼电梯今天又停运，困人了")
    third = _lift(org, phone="13900000002", subject="电梯坏了没人修", description="一号楼的电梯三天两头坏")
    s = services.suggest(
        user=org.a.users["reception"],
        office_id=org.a.office.id,
        text="1号楼电梯故障频繁，老人被困",
        room_id=org.a.room.id,
        phone="13700000003",
    )
    ids = {c.complaint.pk for c in s.candidates}
    assert {first.pk, third.pk} <= ids
    assert (s.people_known, s.people_unknown) == (3, 0)  # three phones, four filings
    assert s.repeated
    group = services.same_issue_group_for(complaint_id=first.pk)
    assert third.pk in {m.complaint.pk for m in group.members}
    assert group.people_known == 2 and not group.repeated


def test_other_building_and_old_complaints_are_not_candidates(org, tree):
    b2 = Building.objects.create(community=org.a.community, name="2号楼")
    room2 = Room.objects.create(unit=Unit.objects.create(building=b2, name="1单元"), number="201")
    other = _lift(
        org,
        room_id=room2.id,
        subject="2号楼电梯经常故障",
        description="2号楼2号电梯本周停运三次，老人出行困难。",
    )
    old = _lift(org)
    old.received_at -= timedelta(days=45)
    old.save(update_fields=["received_at"])
    s = services.suggest(
        user=org.a.users["reception"],
        office_id=org.a.office.id,
        text="1号楼电梯经常故障停运",
        room_id=org.a.room.id,
    )
    ids = {c.complaint.pk for c in s.candidates}
    assert other.pk not in ids and old.pk not in ids


def test_candidates_never_include_complaints_outside_the_users_scope(org, tree):
    """Permission: another office's complaints never appear, nor one of the own office the user cannot see."""
    theirs = _lift(org, kit=org.b)
    ours = _lift(org)
    text = "1号楼电梯经常故障，本周停运三次"
    # The front desk of A cannot ask about office B at all …
    with pytest.raises(DomainError) as err:
        services.suggest(user=org.a.users["reception"], office_id=org.b.office.id, text=text)
    assert err.value.code == "not_found"
    # … and QM (the whole company) sees only the office asked about.
    s = services.suggest(user=org.users["qm"], office_id=org.a.office.id, text=text, room_id=org.a.room.id)
    assert {c.complaint.pk for c in s.candidates} == {ours.pk}
    assert theirs.pk not in {c.complaint.pk for c in s.candidates}
    # A department supervisor sees only what their department holds: office A's security supervisor sees
    # the office but not this complaint (held by no department of theirs).
    sec = org.a.users["sec_supervisor"]
    s = services.suggest(user=sec, office_id=org.a.office.id, text=text, room_id=org.a.room.id)
    assert ours.pk not in {c.complaint.pk for c in s.candidates}
    # Another company's QM: not found.
    with pytest.raises(DomainError):
        services.suggest(user=org.other_company_qm, office_id=org.a.office.id, text=text)


def test_room_of_another_office_is_refused(org, tree):
    with pytest.raises(DomainError):
        services.suggest(
            user=org.a.users["reception"], office_id=org.a.office.id, text="电梯坏了", room_id=org.b.room.id
        )


def _classified_history(org, tree, n=70):
    """Complaints of the generated set, classified, filed through the real service (office A)."""
    rows = [
        r for r in generate() if r["category"] in ("设施设备 / 电梯", "收费 / 物业费", "秩序/停车 / 噪音扰民")
    ]
    for i, r in enumerate(rows[:n]):
        make_complaint(
            org,
            subject=(r["subject"] or r["description"][:30])[:200],
            description=r["description"],
            complainant_phone=f"1380000{i:04d}",
            issues=[IssueInput(summary=r["subject"] or "问题", category_id=tree[r["category"]].id)],
        )


def test_training_stores_versioned_models_and_suggestions_name_them(org, tree):
    assert services.triage_model_train(company_id=org.company.id) is None  # too little history: rules
    _classified_history(org, tree)
    m1 = services.triage_model_train(company_id=org.company.id)
    assert m1 is not None and m1.version == 1 and m1.samples >= 50
    assert m1.metrics["category_top1"] >= 0.8 and m1.metrics["holdout"] > 0
    s = services.suggest(
        user=org.a.users["reception"], office_id=org.a.office.id, text="楼上半夜拖椅子，吵得睡不着"
    )
    assert s.source == "model-1"
    assert str(s.category) == "秩序/停车 / 噪音扰民"
    assert services.triage_models_retrain() == []  # nothing new since version 1
    _lift(org)
    [m2] = services.triage_models_retrain()
    assert m2.version == 2
    s = services.suggest(user=org.a.users["reception"], office_id=org.a.office.id, text="电梯困人")
    assert s.source == "model-2"
    assert TriageModel.objects.filter(company=org.company).count() == 2


def test_feedback_records_acceptance_and_qm_sees_it_in_their_company_only(org, tree, client):
    c = _lift(org)
    eng = org.a.depts["engineering"]
    row = services.triage_feedback_record(
        actor=org.a.users["reception"],
        complaint_id=c.pk,
        model_version="rules-1",
        suggested_category_id=org.categories["电梯"].id,
        suggested_department_id=eng.id,
    )
    assert row.category_accepted is True
    assert row.chosen_category_id == org.categories["电梯"].id
    wrong = _lift(org, phone="13900000009")
    row2 = services.triage_feedback_record(
        actor=org.a.users["reception"],
        complaint_id=wrong.pk,
        model_version="rules-1",
        suggested_category_id=tree["设施设备 / 供水"].id,
        suggested_department_id=None,
    )
    assert row2.category_accepted is False and row2.department_accepted is False
    # Someone who cannot see the complaint records nothing.
    with pytest.raises(DomainError):
        services.triage_feedback_record(
            actor=org.b.users["reception"],
            complaint_id=c.pk,
            model_version="rules-1",
            suggested_category_id=None,
            suggested_department_id=None,
        )
    assert TriageFeedback.objects.count() == 2
    client.force_login(org.users["qm"])
    page = client.get("/triage/acceptance/")
    assert page.status_code == 200
    assert "rules-1" in page.content.decode() and "50%" in page.content.decode()
    client.force_login(org.other_company_qm)
    assert "rules-1" not in client.get("/triage/acceptance/").content.decode()
    client.force_login(org.a.users["reception"])
    assert client.get("/triage/acceptance/").status_code == 404


def test_suggest_fragment_and_scope(org, tree, client):
    _lift(org)
    client.force_login(org.a.users["reception"])
    r = client.get(
        "/triage/suggest", {"office": org.a.office.id, "text": "1号楼电梯又坏了"}, HTTP_HX_REQUEST="true"
    )
    body = r.content.decode()
    assert r.status_code == 200
    assert "设施设备 / 电梯" in body and "工程部" in body and "<script" not in body
    assert client.get("/triage/suggest", {"office": org.b.office.id, "text": "电梯"}).status_code == 404


def test_api_suggest_json(org, tree, client):
    _lift(org)
    client.force_login(org.a.users["reception"])
    r = client.get("/api/v1/triage/suggest", {"office": org.a.office.id, "text": "1号楼电梯又坏了，困人"})
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["source"] == "rules-1"
    assert data["categories"][0]["path"] == "设施设备 / 电梯"
    assert data["department"]["id"] == org.a.depts["engineering"].id
    assert data["candidates"] and data["candidates"][0]["receipt_no"]
    r = client.get("/api/v1/triage/suggest", {"office": org.b.office.id, "text": "电梯"})
    assert r.status_code == 404 and r.json()["code"] == "not_found"


def test_confirm_split_merge_groups_staff_decisions_win(org, tree):
    qm = org.users["qm"]
    a1, a2, a3 = _lift(org), _lift(org, phone="13900000002"), _lift(org, phone="13700000003")
    group = services.same_issue_confirm(actor=qm, complaint_ids=[a1.pk, a2.pk, a3.pk])
    assert set(group.members.values_list("complaint_id", flat=True)) == {a1.pk, a2.pk, a3.pk}
    assert services.same_issue_group_for(complaint_id=a1.pk).confirmed == group
    new = services.same_issue_split(actor=qm, group_id=group.pk, complaint_ids=[a2.pk, a3.pk])
    assert new is not None
    assert set(group.members.values_list("complaint_id", flat=True)) == {a1.pk}
    merged = services.same_issue_merge(actor=qm, group_id=new.pk, into_id=group.pk)
    assert merged == group and group.members.count() == 3
    new.refresh_from_db()
    assert new.merged_into == group
    member = SameIssueMember.objects.get(complaint=a2)
    assert member.decided_by == qm
    # The detector does not move a complaint staff placed: the confirmed group answers.
    assert services.same_issue_group_for(complaint_id=a2.pk).confirmed == group
    # Across offices, or with a complaint the actor cannot see: refused, nothing changed.
    b1 = _lift(org, kit=org.b)
    with pytest.raises(DomainError):
        services.same_issue_confirm(actor=qm, complaint_ids=[a1.pk, b1.pk])
    with pytest.raises(DomainError):
        services.same_issue_confirm(actor=org.a.users["reception"], complaint_ids=[a1.pk, b1.pk])
    assert SameIssueGroup.objects.filter(merged_into__isnull=True).count() == 1
    assert not SameIssueMember.objects.filter(complaint=b1).exists()


def test_unclassified_complaints_stay_candidates_and_other_categories_are_not_read(org, tree):
    """The category prefilter of the window query loses nothing: an unclassified complaint about the same
    lift is still found; one classified elsewhere is not read (it could not reach the threshold)."""
    unclassified = _lift(org, issues=[IssueInput(summary="电梯故障频繁")])
    water = _lift(org, issues=[IssueInput(summary="电梯故障频繁", category_id=tree["设施设备 / 供水"].id)])
    s = services.suggest(
        user=org.a.users["reception"],
        office_id=org.a.office.id,
        text="1号楼电梯经常故障停运",
        room_id=org.a.room.id,
    )
    ids = {c.complaint.pk for c in s.candidates}
    assert unclassified.pk in ids and water.pk not in ids
