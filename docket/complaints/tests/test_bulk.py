"""Bulk hand-over (issue 14): the service, the page and the permission checks. Each chosen complaint gets
its own 派单/转派 in its own transaction; a refused one is left exactly as it was."""

import pytest
from django.urls import reverse

from conftest import make_complaint
from docket.complaints import services
from docket.complaints.models import Complaint, State
from docket.complaints.tests.helpers import drive_to, snapshot
from docket.core.errors import DomainError


def _by_id(results):
    return {r.complaint_id: r for r in results}


def test_registered_are_assigned_and_held_ones_transferred(org):
    kit = org.a
    one, two = make_complaint(org), make_complaint(org, subject="二号")
    held = drive_to(org, State.INVESTIGATING)  # held by engineering
    results = services.complaints_hand_over(
        actor=kit.users["office_manager"],
        complaint_ids=[one.id, two.id, held.id, one.id],  # a repeated id counts once
        department_id=kit.depts["security"].id,
        responsible_id=kit.users["sec_supervisor"].id,
        reason="属秩序部职责",
    )
    assert [r.complaint_id for r in results] == [one.id, two.id, held.id]
    assert all(r.ok for r in results), results
    assert [r.action for r in results] == ["assign", "assign", "transfer"]
    for c in Complaint.objects.filter(id__in=[one.id, two.id, held.id]):
        assert c.state == State.ASSIGNED
        assert c.holder_department == kit.depts["security"] and c.responsible == kit.users["sec_supervisor"]
    assert held.events.filter(kind="transferred").get().payload["reason"] == "属秩序部职责"


def test_refused_ones_are_left_exactly_as_before_and_say_why(org):
    kit = org.a
    ok = make_complaint(org)
    held = drive_to(org, State.ASSIGNED)  # reception may 派单, not 转派
    closed = drive_to(org, State.CLOSED)
    other_office = make_complaint(org, kit=org.b)  # invisible to office A's reception
    before = {c.id: snapshot(c.id) for c in (held, closed, other_office)}
    results = _by_id(
        services.complaints_hand_over(
            actor=kit.users["reception"],
            complaint_ids=[held.id, ok.id, closed.id, other_office.id],
            department_id=kit.depts["engineering"].id,
        )
    )
    assert results[ok.id].ok and results[ok.id].action == "assign"
    assert (results[held.id].code, results[held.id].action) == ("forbidden_action", "transfer")
    assert results[closed.id].code == "invalid_transition" and "派单/转派" in results[closed.id].message
    assert results[other_office.id].code == "not_found" and results[other_office.id].receipt_no == ""
    for cid, snap in before.items():
        assert snapshot(cid) == snap
    assert Complaint.objects.get(pk=ok.id).state == State.ASSIGNED


def test_each_complaint_is_checked_on_its_own(org):
    """A transfer without a reason, a stale version and a person of another department are refused one
    by one; the rest go through."""
    kit = org.a
    fresh, stale = make_complaint(org), make_complaint(org, subject="旧版本")
    held = drive_to(org, State.ASSIGNED)
    results = _by_id(
        services.complaints_hand_over(
            actor=kit.users["office_manager"],
            complaint_ids=[fresh.id, stale.id, held.id],
            department_id=kit.depts["engineering"].id,
            versions={stale.id: stale.version - 1},
        )
    )
    assert results[fresh.id].ok
    assert results[stale.id].code == "conflict"
    assert results[held.id].code in {"required", "same_department"}
    wrong_person = services.complaints_hand_over(
        actor=kit.users["office_manager"],
        complaint_ids=[stale.id],
        department_id=kit.depts["engineering"].id,
        responsible_id=kit.users["sec_supervisor"].id,
    )
    assert wrong_person[0].code == "responsible_not_in_department"
    assert Complaint.objects.get(pk=stale.id).state == State.REGISTERED


@pytest.mark.parametrize("role", ["eng_staff", "committee"])
def test_someone_who_may_not_hand_over_is_refused_whole(org, role):
    c = make_complaint(org)
    before = snapshot(c.id)
    with pytest.raises(DomainError) as exc:
        services.complaints_hand_over(
            actor=org.a.users[role], complaint_ids=[c.id], department_id=org.a.depts["engineering"].id
        )
    assert exc.value.code == "forbidden_action"
    assert snapshot(c.id) == before


def test_empty_or_too_long_is_a_validation_error(org):
    u = org.a.users["reception"]
    for ids in ([], list(range(1, 102))):
        with pytest.raises(DomainError) as exc:
            services.complaints_hand_over(actor=u, complaint_ids=ids, department_id=1)
        assert exc.value.code == "validation"


# --- the page ---------------------------------------------------------------------------------------
def test_list_and_queue_show_the_bulk_bar_only_to_who_may_hand_over(client, org):
    make_complaint(org)
    client.force_login(org.a.users["reception"])
    for url in (reverse("complaints:list"), reverse("complaints:work") + "?view=unassigned"):
        html = client.get(url).content.decode()
        assert 'id="bulk-form"' in html and 'name="bulk-ids"' in html and "data-select-all" in html, url
    client.force_login(org.a.users["eng_staff"])
    for url in (reverse("complaints:list"), reverse("complaints:work")):
        html = client.get(url).content.decode()
        assert "bulk-form" not in html and "bulk-ids" not in html, url


def test_bulk_page_hands_over_and_reports_per_complaint(client, org):
    kit = org.a
    ok, closed = make_complaint(org), drive_to(org, State.CLOSED)
    client.force_login(kit.users["reception"])
    r = client.post(
        reverse("complaints:bulk_hand_over"),
        {
            "bulk-ids": [ok.id, closed.id],
            "bulk-department_id": kit.depts["engineering"].id,
            "bulk-responsible_id": kit.users["eng_supervisor"].id,
            "next": reverse("complaints:work") + "?view=unassigned",
        },
    )
    html = r.content.decode()
    assert r.status_code == 200
    assert "已完成 1 件，未执行 1 件。" in html
    assert ok.receipt_no in html and closed.receipt_no in html and 'data-code="invalid_transition"' in html
    assert 'href="/complaints/work/?view=unassigned"' in html
    c = Complaint.objects.get(pk=ok.id)
    assert c.state == State.ASSIGNED and c.responsible == kit.users["eng_supervisor"]


def test_bulk_page_without_a_choice_says_so(client, org):
    client.force_login(org.a.users["reception"])
    r = client.post(
        reverse("complaints:bulk_hand_over"),
        {"bulk-department_id": org.a.depts["engineering"].id, "next": "https://evil.example/"},
    )
    html = r.content.decode()
    assert r.status_code == 422 and "请先勾选要派单的投诉。" in html
    assert "evil.example" not in html  # the way back stays on this site


@pytest.mark.parametrize("role", ["eng_staff", "committee"])
def test_bulk_page_refuses_who_may_not_hand_over(client, org, role):
    c = make_complaint(org)
    client.force_login(org.a.users[role])
    r = client.post(
        reverse("complaints:bulk_hand_over"),
        {"bulk-ids": [c.id], "bulk-department_id": org.a.depts["engineering"].id},
    )
    assert r.status_code == 403
    assert Complaint.objects.get(pk=c.id).state == State.REGISTERED


def test_people_picker_answers_the_bulk_bar(client, org):
    client.force_login(org.a.users["reception"])
    r = client.get(reverse("complaints:people"), {"bulk-department_id": org.a.depts["engineering"].id})
    assert org.a.users["eng_supervisor"].display_name in r.content.decode()
