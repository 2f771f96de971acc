"""Who may be named responsible (责任人) at hand-over: the forms offer exactly the people the services accept
(docs/decisions.md "handoverpeople"). One rule, `access.responsible_assignments(dept, level)`: the roles
held in the department; for a company department also the management representative and leadership
(document 5 §3.3) and QM where QM handles the complaint itself (`access.qm_handles_in`). The general office's
reviewers are not named for 办公室 (they review written replies, 5.2.3.2, and take no handling step)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse

from docket.accounts.models import Role, User
from docket.complaints import forms
from docket.complaints import services as s
from docket.complaints.models import Complaint, Level, State
from docket.core.errors import DomainError

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
        ("office", "qm", lambda org, x: _ids(x["qm_sup"], org.users["qm"], org.users["mgmt_rep"], org.users["leadership"])),
        ("office", "general_office", lambda org, x: _ids(x["go_head"], org.users["mgmt_rep"], org.users["leadership"])),
        ("company", "qm", lambda org, x: _ids(x["qm_sup"], org.users["qm"], org.users["mgmt_rep"], org.users["leadership"])),
        ("company", "general_office", lambda org, x: _ids(x["go_head"], org.users["qm"], org.users["mgmt_rep"], org.users["leadership"])),
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
    assert _form_offers(actor, c, action, dept) == accepted
    assert _endpoint_offers(client, actor, dept, complaint=c.id) == accepted
    if where == "office":  # 登记并派单 and the bulk bar send no complaint: the office level
        assert _endpoint_offers(client, actor, dept) == accepted


@pytest.mark.parametrize("dept_key", ["engineering", "qm"])
def test_the_corrective_action_form_offers_exactly_whom_its_service_accepts(client, org, extra, dept_key):
    """下达纠正/预防措施 names its person by the same rule: the chosen department's people (no longer every
    department's), and for the QM department QM, the management representative and leadership."""
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
        org.users["qm"].id in accepted
        if dept_key == "qm"
        else org.a.users["cs_supervisor"].id not in accepted
    )
    form = forms.CapaAssignForm(
        data={"department_id": str(dept.id), "version": c.version}, complaint=c, user=mr
    )
    assert _choice_ids(form) == accepted
    assert _endpoint_offers(client, mr, dept, complaint=c.id) == accepted


def test_the_bulk_bar_offers_whom_every_level_accepts(org):
    """The bulk bar hands over complaints of either level: it offers those named at office level, whom the
    company level accepts too — never QM for 办公室 (refused at office level)."""
    go = org.company_depts["general_office"]
    form = forms.BulkHandOverForm(
        data={"bulk-department_id": str(go.id)}, user=org.a.users["office_manager"], prefix="bulk"
    )
    assert _choice_ids(form) == _ids(org.users["mgmt_rep"], org.users["leadership"])


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
