"""Safe hand-over (issue 14): 派单 without a default department, people of the chosen department only, and
登记并派单 (registered and handed over in one step, all or nothing)."""

import pytest
from django.urls import reverse

from docket.complaints import services as s
from docket.complaints.models import Complaint, ComplaintEvent, State
from docket.complaints.services import HandOver
from docket.complaints.tests.helpers import snapshot
from docket.complaints.tests.test_views_intake import _post
from docket.core.errors import DomainError


def test_assign_form_has_no_default_department_and_suggests_one(client, org, complaint_factory):
    c = complaint_factory()  # its issue is in 电梯: the engineering department's usual work
    client.force_login(org.a.users["reception"])
    html = client.get(reverse("complaints:action", args=[c.id, "assign"])).content.decode()
    eng = org.a.depts["engineering"]
    assert '<option value="" selected>— 请选择部门 —</option>' in html
    assert f'<option value="{eng.id}">{eng}（按分类建议）</option>' in html
    assert "— 先选择部门 —" in html  # no people until a department is chosen
    assert org.a.users["cs_supervisor"].display_name not in html


def test_assign_without_department_is_refused_and_changes_nothing(client, org, complaint_factory):
    c = complaint_factory()
    before = snapshot(c.id)
    client.force_login(org.a.users["reception"])
    r = client.post(reverse("complaints:action", args=[c.id, "assign"]), {"version": c.version})
    assert r.status_code == 422 and "error-text" in r.content.decode()
    assert snapshot(c.id) == before


def test_assign_refuses_a_person_of_another_department(client, org, complaint_factory):
    c = complaint_factory()
    before = snapshot(c.id)
    a = org.a
    client.force_login(a.users["reception"])
    r = client.post(
        reverse("complaints:action", args=[c.id, "assign"]),
        {
            "version": c.version,
            "department_id": a.depts["engineering"].id,
            "responsible_id": a.users["cs_supervisor"].id,
        },
    )
    assert r.status_code == 422
    assert snapshot(c.id) == before
    r = client.post(
        reverse("complaints:action", args=[c.id, "assign"]),
        {
            "version": c.version,
            "department_id": a.depts["engineering"].id,
            "responsible_id": a.users["eng_staff"].id,
        },
    )
    assert r.status_code == 302
    c.refresh_from_db()
    assert c.state == State.ASSIGNED and c.responsible == a.users["eng_staff"]


def test_people_options_follow_the_department_and_the_scope(client, org):
    a, b = org.a, org.b
    url = reverse("complaints:people")
    client.force_login(a.users["reception"])
    html = client.get(url, {"department_id": a.depts["engineering"].id}).content.decode()
    assert a.users["eng_staff"].display_name in html and a.users["eng_supervisor"].display_name in html
    assert a.users["cs_supervisor"].display_name not in html
    # another office's department: nothing but the prompt
    html = client.get(url, {"department_id": b.depts["engineering"].id}).content.decode()
    assert b.users["eng_staff"].display_name not in html and "先选择部门" in html
    # someone who never hands over gets nothing
    client.force_login(a.users["committee"])
    html = client.get(url, {"department_id": a.depts["engineering"].id}).content.decode()
    assert a.users["eng_staff"].display_name not in html


def test_register_and_hand_over_in_one_step(client, org):
    a = org.a
    client.force_login(a.users["reception"])
    r = _post(
        client,
        org,
        then="assign",
        assign_department=a.depts["engineering"].id,
        assign_responsible=a.users["eng_supervisor"].id,
    )
    c = Complaint.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("complaints:detail", args=[c.id])
    assert c.state == State.ASSIGNED and c.holder_department == a.depts["engineering"]
    assert c.responsible == a.users["eng_supervisor"]
    kinds = list(ComplaintEvent.objects.filter(complaint=c).order_by("seq").values_list("kind", flat=True))
    assert kinds[0] == "registered" and "assigned" in kinds


@pytest.mark.parametrize(
    "over",
    [
        {"then": "assign"},  # no department
        {"then": "assign", "assign_department": "999999"},  # not a department of the office
        {"then": "assign", "close_on_spot": "on", "close_note": "当场处理"},  # closed on the spot
    ],
)
def test_register_and_hand_over_refusals_write_nothing(client, org, over):
    client.force_login(org.a.users["reception"])
    r = _post(client, org, **over)
    assert r.status_code == 422
    assert not Complaint.objects.exists() and not ComplaintEvent.objects.exists()


def test_the_service_writes_nothing_when_the_hand_over_is_refused(org):
    """All or nothing: a person outside the department refuses the assignment, and the registration goes
    with it."""
    from docket.complaints.services import ComplaintInput, IssueInput

    data = ComplaintInput(
        office_id=org.a.office.id,
        channel="office",
        method="phone",
        subject="电梯故障",
        description="电梯停运",
        complainant_name="王",
        complainant_phone="13800000001",
        issues=[IssueInput(summary="电梯故障", category_id=org.categories["电梯"].id)],
    )
    with pytest.raises(DomainError) as exc:
        s.complaint_register(
            actor=org.a.users["reception"],
            data=data,
            hand_over=HandOver(
                department_id=org.a.depts["engineering"].id, responsible_id=org.a.users["cs_supervisor"].id
            ),
        )
    assert exc.value.code == "responsible_not_in_department"
    assert not Complaint.objects.exists() and not ComplaintEvent.objects.exists()


def test_only_who_may_assign_sees_register_and_hand_over(client, org):
    client.force_login(org.a.users["reception"])
    assert "登记并派单" in client.get(reverse("complaints:new")).content.decode()
    client.force_login(org.a.users["committee"])
    html = client.get(reverse("complaints:new")).content.decode()
    assert "登记并派单" not in html
    r = _post(
        client, org, then="assign", assign_department=org.a.depts["engineering"].id, channel="committee"
    )
    # the committee's intake ignores a forged hand-over: registered, not assigned
    if r.status_code == 302:
        assert Complaint.objects.get().state == State.REGISTERED
