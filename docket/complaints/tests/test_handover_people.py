"""Who may be named responsible (责任人) at hand-over, and to which departments a complaint may be handed: the
forms offer exactly what the services accept (docs/decisions.md "handoverpeople", "people8"). One rule,
`access.responsible_assignments(dept, level)`: people at work (no deactivated or service account) holding a
role in the department, and QM where QM handles the complaint itself (`access.qm_handles_in`) — never the
management representative or leadership (they coordinate, document 5 §3.3–§4.4, and could not take 接单),
nor the general office's reviewers for 办公室 (they review written replies, 5.2.3.2). A department is a
hand-over target only where someone could take 接单 (`access.receiving_departments`): else
`department_cannot_accept`."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse

from docket.accounts.models import Role, User
from docket.complaints import access, forms, workflow
from docket.complaints import services as s
from docket.complaints.intake_forms import IntakeForm
from docket.complaints.models import Complaint, Level, State
from docket.core.errors import DomainError
from docket.org.models import Department

from . import helpers as h

pytestmark = pytest.mark.django_db


class _Undo(Exception):
    """Raised inside a savepoint to roll an accepted hand-over back."""


def _accepted(call) -> set[int]:
    """Every user `call(user_id)` (a service naming that user responsible) accepts, tried one by one and each
    rolled back; any other refusal than the person's fails the test."""
    accepted = set()
    for user in User.objects.all():
        try:
            with transaction.atomic():
                call(user.id)
                raise _Undo
        except _Undo:
            accepted.add(user.id)
        except DomainError as exc:
            assert exc.code == "responsible_not_in_department", exc.code
    return accepted


def _service_accepts(actor, c: Complaint, action: str, dept) -> set[int]:
    """Every user the hand-over service (派单 or 转派) accepts as responsible in `dept` for `c`."""
    kwargs = {"actor": actor, "complaint_id": c.id, "department_id": dept.id}
    if action == "assign":
        return _accepted(lambda uid: s.complaint_assign(responsible_id=uid, **kwargs))
    return _accepted(lambda uid: s.complaint_transfer(responsible_id=uid, reason="转交", **kwargs))


def _form_offers(actor, c: Complaint, action: str, dept) -> set[int]:
    form_class = forms.AssignForm if action == "assign" else forms.TransferForm
    form = form_class(data={"department_id": str(dept.id), "version": c.version}, complaint=c, user=actor)
    return _choice_ids(form)


def _choice_ids(form) -> set[int]:
    """The people a form's responsible-person select offers."""
    field: Any = form.fields["responsible_id"]
    return {int(v) for v, _label in field.choices if v}


def _endpoint_offers(client, actor, dept, **params) -> set[int]:
    client.force_login(actor)
    html = client.get(reverse("complaints:people"), {"department_id": dept.id, **params}).content.decode()
    return {int(v) for v in re.findall(r'<option value="(\d+)">', html)}


@pytest.fixture
def extra(org):
    """A supervisor held in the company's QM department and a head held in its 办公室 (department roles)."""
    return {
        "qm_sup": h.make_user("qm_sup", [(Role.DEPT_SUPERVISOR, org.company_depts["qm"], None)]),
        "go_head": h.make_user("go_head", [(Role.DEPT_MANAGER, org.company_depts["general_office"], None)]),
    }


def _ids(*users) -> set[int]:
    return {u.id for u in users}


def _office_level(org):
    return org.a.users["reception"], h.make_complaint(org), "assign"


def _company_level(org):
    """An escalated complaint (held by QM's department) that QM moved to 公司管理层: 转派 at company level."""
    qm = org.users["qm"]
    c = h.drive_to(org, State.INVESTIGATING)
    s.complaint_escalate(actor=org.a.users["office_manager"], complaint_id=c.id, reason="管理处无法解决")
    s.complaint_transfer(
        actor=qm, complaint_id=c.id, department_id=org.company_depts["leadership"].id, reason="需公司决定"
    )
    c = Complaint.objects.get(pk=c.id)
    assert c.level == Level.COMPANY
    return qm, c, "transfer"


@pytest.mark.parametrize(
    ("where", "dept_key", "expected"),
    [
        ("office", "engineering", lambda org, x: _ids(*(org.a.users[k] for k in ("eng_staff", "eng_supervisor", "eng_manager")))),
        ("office", "qm", lambda org, x: _ids(x["qm_sup"], org.users["qm"])),
        ("office", "general_office", lambda org, x: _ids(x["go_head"])),
        ("company", "qm", lambda org, x: _ids(x["qm_sup"], org.users["qm"])),
        ("company", "general_office", lambda org, x: _ids(x["go_head"], org.users["qm"])),
    ],
    ids=["office-dept", "qm-office-level", "general-office-office-level", "qm-company-level", "general-office-company-level"],
)  # fmt: skip
def test_the_form_and_the_endpoint_offer_exactly_whom_the_service_accepts(
    client, org, extra, where, dept_key, expected
):
    actor, c, action = _office_level(org) if where == "office" else _company_level(org)
    dept = org.a.depts.get(dept_key) or org.company_depts[dept_key]
    accepted = _service_accepts(actor, c, action, dept)
    assert accepted == expected(org, extra)  # the decision, spelled out (办公室's reviewers are not in it)
    assert org.users["general_office"].id not in accepted
    assert org.users["mgmt_rep"].id not in accepted and org.users["leadership"].id not in accepted
    assert _form_offers(actor, c, action, dept) == accepted
    assert _endpoint_offers(client, actor, dept, complaint=c.id) == accepted
    if where == "office":  # 登记并派单 and the bulk bar send no complaint: the office level
        assert _endpoint_offers(client, actor, dept) == accepted


@pytest.mark.parametrize("dept_key", ["engineering", "qm"])
def test_the_corrective_action_form_offers_exactly_whom_its_service_accepts(client, org, extra, dept_key):
    """下达纠正/预防措施 names its person by the same rule: the chosen department's people (no longer every
    department's), and for the QM department QM (not the management representative or leadership, who could
    not report the measure done)."""
    mr = org.users["mgmt_rep"]
    c = h.drive_to(org, State.INVESTIGATING)
    ncr = s.ncr_issue(
        actor=mr, complaint_id=c.id, nonconformity="维修超时", cause="备件不足", corrective_action="换板"
    )
    c = Complaint.objects.get(pk=c.id)
    dept = org.a.depts.get(dept_key) or org.company_depts[dept_key]
    accepted = _accepted(
        lambda uid: s.capa_assign(
            actor=mr,
            complaint_id=c.id,
            ncr_id=ncr.id,
            kind="corrective",
            description="建立常用备件库",
            department_id=dept.id,
            responsible_id=uid,
        )
    )
    assert (
        accepted == _ids(org.users["qm"], extra["qm_sup"])
        if dept_key == "qm"
        else org.a.users["cs_supervisor"].id not in accepted
    )
    form = forms.CapaAssignForm(
        data={"department_id": str(dept.id), "version": c.version}, complaint=c, user=mr
    )
    assert _choice_ids(form) == accepted
    assert _endpoint_offers(client, mr, dept, complaint=c.id) == accepted


def test_the_bulk_bar_offers_whom_every_level_accepts(org, extra):
    """The bulk bar hands over complaints of either level: it offers those named at office level, whom the
    company level accepts too — never QM for 办公室 (refused at office level)."""
    go = org.company_depts["general_office"]
    form = forms.BulkHandOverForm(
        data={"bulk-department_id": str(go.id)}, user=org.a.users["office_manager"], prefix="bulk"
    )
    assert _choice_ids(form) == _ids(extra["go_head"])


def test_the_endpoint_names_nobody_for_a_complaint_the_user_does_not_see(client, org):
    """A complaint of another office gives its level away to nobody: the empty prompt, as for a department
    out of scope."""
    theirs = h.make_complaint(org, kit=org.b)
    mine = org.a.users["reception"]
    assert _endpoint_offers(client, mine, org.company_depts["qm"], complaint=theirs.id) == set()
    assert _endpoint_offers(client, mine, org.company_depts["qm"], complaint="x") == set()


def test_the_assign_and_transfer_forms_send_the_complaint_with_the_department(client, org):
    """The department select asks the people endpoint with the complaint (its level decides)."""
    client.force_login(org.a.users["office_manager"])
    for c, action in ((h.make_complaint(org), "assign"), (h.drive_to(org, State.ASSIGNED), "transfer")):
        html = client.get(reverse("complaints:action", args=[c.id, action])).content.decode()
        select = re.search(r'<select name="department_id"[^>]*>', html)
        assert select is not None and f'hx-vals="{{&quot;complaint&quot;: {c.id}}}"' in select.group(0)


def test_handed_to_the_qm_department_with_qm_responsible_then_qm_accepts_from_its_queue(client, org):
    """End to end through the pages: the front desk hands the complaint to 品质管理部, the people list names
    QM, QM is named; QM's 我的待办 lists it with 接单, and QM accepts it."""
    qm, reception = org.users["qm"], org.a.users["reception"]
    qm_dept = org.company_depts["qm"]
    c = h.make_complaint(org, subject="交品质部处理的投诉")
    client.force_login(reception)
    people = client.get(reverse("complaints:people"), {"department_id": qm_dept.id, "complaint": c.id})
    assert f'<option value="{qm.id}">{qm.display_name}（品质管理部）</option>' in people.content.decode()
    r = client.post(
        reverse("complaints:action", args=[c.id, "assign"]),
        {"version": c.version, "department_id": qm_dept.id, "responsible_id": qm.id},
    )
    assert r.status_code == 302
    c = Complaint.objects.get(pk=c.id)
    assert (c.state, c.holder_department_id, c.responsible_id, c.holder_id) == (
        State.ASSIGNED,
        qm_dept.id,
        qm.id,
        qm.id,
    )

    client.force_login(qm)
    html = client.get(reverse("complaints:work")).content.decode()
    assert "交品质部处理的投诉" in html
    assert f'href="/complaints/{c.id}/?do=accept" data-action="accept"' in html
    r = client.post(reverse("complaints:action", args=[c.id, "accept"]), {"version": c.version})
    assert r.status_code == 302
    c = Complaint.objects.get(pk=c.id)
    assert (c.state, c.holder_id, c.responsible_id) == (State.INVESTIGATING, qm.id, qm.id)


# --- people8: only people who can act, only departments where someone can accept ------------------------


def _dept_choice_ids(form, field: str = "department_id") -> set[int]:
    return {int(v) for v, _label in form.fields[field].choices if v}


def test_deactivated_and_service_accounts_are_neither_named_nor_offered(client, org):
    """A supervisor who has left (deactivated) and an integration's account holding a supervisor role are not
    named: the notices' predicate (`people_q`), one rule with the audiences. Refused, nothing changed; the
    form and the endpoint do not offer them."""
    eng = org.a.depts["engineering"]
    gone = h.make_user("gone_sup", [(Role.DEPT_SUPERVISOR, eng, None)])
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    robot = h.make_user("robot_sup", [(Role.DEPT_SUPERVISOR, eng, None)])
    robot.is_service = True
    robot.save(update_fields=["is_service"])
    reception = org.a.users["reception"]
    c = h.make_complaint(org)
    for user in (gone, robot):
        h.refused(
            "responsible_not_in_department",
            c.id,
            lambda user=user: s.complaint_assign(
                actor=reception, complaint_id=c.id, department_id=eng.id, responsible_id=user.id
            ),
        )
    offered = _form_offers(reception, c, "assign", eng)
    assert org.a.users["eng_supervisor"].id in offered
    assert not offered & _ids(gone, robot)
    assert _endpoint_offers(client, reception, eng, complaint=c.id) == offered


@pytest.mark.parametrize("who", ["mgmt_rep", "leadership"])
def test_the_management_representative_and_leadership_are_not_named_they_could_not_accept(org, who):
    """Document 5 §3.3–§4.4: the representative coordinates what exceeds a department (and signs its report),
    leadership gives an opinion; neither takes 接单. Named for 品质管理部 they held a complaint they could not
    accept: now refused (派单 and 转派), nothing changed; QM, named there, accepts."""
    person, qm, reception = org.users[who], org.users["qm"], org.a.users["reception"]
    qm_dept = org.company_depts["qm"]
    c = h.make_complaint(org)
    h.refused(
        "responsible_not_in_department",
        c.id,
        lambda: s.complaint_assign(
            actor=reception, complaint_id=c.id, department_id=qm_dept.id, responsible_id=person.id
        ),
    )
    moving = h.drive_to(org, State.ASSIGNED)
    h.refused(
        "responsible_not_in_department",
        moving.id,
        lambda: s.complaint_transfer(
            actor=org.a.users["eng_supervisor"],
            complaint_id=moving.id,
            department_id=qm_dept.id,
            responsible_id=person.id,
            reason="品质部处理",
        ),
    )
    s.complaint_assign(actor=reception, complaint_id=c.id, department_id=qm_dept.id, responsible_id=qm.id)
    c = Complaint.objects.get(pk=c.id)
    assert access.allowed_role(person, c, "accept") is None  # why they may not be named
    s.complaint_accept(actor=qm, complaint_id=c.id)
    assert Complaint.objects.get(pk=c.id).state == State.INVESTIGATING


@pytest.mark.parametrize("where", ["office", "company"])
def test_whoever_may_accept_among_those_named_takes_the_complaint(org, extra, where):
    """Every person the rule names who holds a role that takes 接单 accepts the complaint once named for it
    (no dead end); the others are the department's staff (its designated post, who records the findings and
    the measures), named only where such a person is there to accept (`receiving_departments`)."""
    actor, c, action = _office_level(org) if where == "office" else _company_level(org)
    depts = [org.company_depts["qm"], org.company_depts["general_office"], org.a.depts["engineering"]]
    for dept in depts:
        named = list(access.responsible_assignments(dept, c.level).select_related("user"))
        if where == "company" and not dept.is_company_level:
            assert named == []  # an office department holds nothing once escalated (R-HDL-5)
            continue
        assert any(a.role in workflow.ACTIONS["accept"].roles for a in named)
        for a in named:
            if a.role not in workflow.ACTIONS["accept"].roles:
                assert a.role == Role.DEPT_STAFF and a.department_id == dept.id
                continue
            with transaction.atomic():
                kwargs = {
                    "actor": actor,
                    "complaint_id": c.id,
                    "department_id": dept.id,
                    "responsible_id": a.user_id,
                }
                if action == "assign":
                    s.complaint_assign(**kwargs)
                elif dept.id != c.holder_department_id:
                    s.complaint_transfer(reason="转交", **kwargs)
                else:  # already there (公司管理层 is not among these): hand it elsewhere and back
                    raise AssertionError(dept)
                handed = Complaint.objects.get(pk=c.id)
                assert access.allowed_role(a.user, handed, "accept") is not None, (dept, a)
                transaction.set_rollback(True)


def test_a_department_where_nobody_could_accept_is_refused_and_not_offered(client, org):
    """At office level 办公室 and 公司管理层 take no 接单 unless someone holds a role there (QM handles only
    its own department, the representative and leadership never): 派单, 转派 and 登记并派单 refuse them
    (`department_cannot_accept`, nothing changed) and the forms do not offer them. A department whose only
    supervisor has left, or that has only staff, is the same. Staffed, 办公室 is offered and taken."""
    reception, go, top = (
        org.a.users["reception"],
        org.company_depts["general_office"],
        org.company_depts["leadership"],
    )
    c = h.make_complaint(org)
    for dept in (go, top):
        e = h.refused(
            "department_cannot_accept",
            c.id,
            lambda dept=dept: s.complaint_assign(actor=reception, complaint_id=c.id, department_id=dept.id),
        )
        assert e.message == f"“{dept.name}”没有可以接单的人员，不能将投诉交给该部门处理。"
    moving = h.drive_to(org, State.ASSIGNED)
    h.refused(
        "department_cannot_accept",
        moving.id,
        lambda: s.complaint_transfer(
            actor=org.a.users["eng_supervisor"],
            complaint_id=moving.id,
            department_id=go.id,
            reason="非本部门",
        ),
    )
    office_depts = {d.id for d in org.a.depts.values()}
    offered = _dept_choice_ids(forms.AssignForm(complaint=c, user=reception))
    assert offered == office_depts | {org.company_depts["qm"].id}
    assert (
        _dept_choice_ids(forms.TransferForm(complaint=moving, user=org.a.users["eng_supervisor"])) == offered
    )
    intake = IntakeForm(user=reception)
    assert _dept_choice_ids(intake, "assign_department") == offered
    # 办公室 once a head holds a role there: offered, and the head accepts what they are named for
    head = h.make_user("go_head", [(Role.DEPT_MANAGER, go, None)])
    assert go.id in _dept_choice_ids(forms.AssignForm(complaint=c, user=reception))
    s.complaint_assign(actor=reception, complaint_id=c.id, department_id=go.id, responsible_id=head.id)
    s.complaint_accept(actor=head, complaint_id=c.id)
    assert Complaint.objects.get(pk=c.id).holder_id == head.id


def test_an_unstaffed_or_staff_only_department_is_no_target(org):
    """Whoever holds no role that takes 接单 does not make a department a target: its only supervisor
    deactivated, or only staff there."""
    reception, sec = org.a.users["reception"], org.a.depts["security"]
    green = Department.objects.create(
        company=org.company, office=org.a.office, kind="greening", name="绿化部"
    )
    h.make_user("green_staff", [(Role.DEPT_STAFF, green, None)])
    sec_sup = org.a.users["sec_supervisor"]
    sec_sup.is_active = False
    sec_sup.save(update_fields=["is_active"])
    c = h.make_complaint(org)
    for dept in (green, sec):
        h.refused(
            "department_cannot_accept",
            c.id,
            lambda dept=dept: s.complaint_assign(actor=reception, complaint_id=c.id, department_id=dept.id),
        )
        assert not access.responsible_assignments(dept, Level.OFFICE).exists()  # nobody named there either
    assert access.receiving_departments([green, sec], Level.OFFICE) == []


def test_once_escalated_office_departments_are_not_offered(org):
    """At company level only company departments are targets (R-HDL-5; the service answers
    `escalated_no_push_down`): 转派 no longer lists the office's departments; 办公室 and 公司管理层 are
    offered, QM handling there."""
    qm, c, _action = _company_level(org)
    form = forms.TransferForm(complaint=c, user=qm)
    assert _dept_choice_ids(form) == {d.id for d in org.company_depts.values()}


def test_the_endpoint_names_nobody_in_a_department_nobody_could_accept_in(client, org):
    """The people endpoint answers the empty list for 办公室 at office level (nobody offered, nobody named)."""
    c = h.make_complaint(org)
    assert (
        _endpoint_offers(
            client, org.a.users["reception"], org.company_depts["general_office"], complaint=c.id
        )
        == set()
    )


def test_the_api_refuses_a_department_nobody_could_accept_in(org):
    """The API's 派单 takes the page's choices (not offered: `department_id` an invalid choice); its bulk
    hand-over answers the service's stable code per complaint. Nothing changed either way."""
    from docket.api.services import api_key_create
    from docket.api.tests.conftest import Api

    c = h.make_complaint(org)
    _key, token = api_key_create(actor=None, name="测试接口", role=Role.OFFICE_MANAGER, office=org.a.office)
    api, go = Api(token), org.company_depts["general_office"]
    before = h.snapshot(c.id)
    r = api.post(f"/complaints/{c.id}/actions/assign", {"version": c.version, "department_id": go.id})
    assert r.status_code == 422 and r.json()["fields"][0]["field"] == "department_id", r.json()
    r = api.post("/complaints/bulk/hand-over", {"complaint_ids": [c.id], "department_id": go.id})
    assert r.status_code == 200, r.json()
    (item,) = r.json()["results"]
    assert (item["ok"], item["code"]) == (False, "department_cannot_accept")
    assert item["message"] == "“办公室”没有可以接单的人员，不能将投诉交给该部门处理。"
    assert h.snapshot(c.id) == before


def test_the_hand_over_form_costs_the_same_queries_whatever_the_number_of_people(org):
    """The complaint page's 派单 panel reads the departments that may receive it in one query and the people
    of the chosen one in one more: ten more supervisors cost nothing."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    reception, eng = org.a.users["reception"], org.a.depts["engineering"]
    c = h.make_complaint(org)

    def cost() -> tuple[int, int]:
        c_fresh = Complaint.objects.get(pk=c.id)
        with CaptureQueriesContext(connection) as q:
            form = forms.AssignForm(
                data={"department_id": str(eng.id), "version": c_fresh.version},
                complaint=c_fresh,
                user=reception,
            )
        return len(q.captured_queries), len(_choice_ids(form))

    before, people = cost()
    for i in range(10):
        h.make_user(f"more_sup{i}", [(Role.DEPT_SUPERVISOR, eng, None)])
    after, more = cost()
    assert (after, more) == (before, people + 10)
