"""Who may do what to which complaint (R-ORG-4, R-HDL-5, R-INT-7): a role × action matrix through the
services, scope (office, department, company, group, committee), escalation, and the promise that
`access.available_actions` lists exactly what would succeed."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.db import transaction

from docket.accounts.models import Role
from docket.complaints import access, workflow
from docket.complaints import services as s
from docket.complaints.models import Channel, Complaint, IssueState, Level, Method, Severity, State
from docket.complaints.services import ComplaintInput, IssueInput
from docket.core.errors import DomainError

from . import helpers as h

world, world_data = h.world, h.world_data

R, S, SV, DM, OM = (
    Role.RECEPTION,
    Role.DEPT_STAFF,
    Role.DEPT_SUPERVISOR,
    Role.DEPT_MANAGER,
    Role.OFFICE_MANAGER,
)
QM, GO, MR, L, GP, CM = (
    Role.QM,
    Role.GENERAL_OFFICE,
    Role.MGMT_REP,
    Role.LEADERSHIP,
    Role.GROUP_PROPERTY,
    Role.COMMITTEE_MEMBER,
)
QI = Role.QM_INFO_OFFICER
HANDLERS = {SV, DM, OM, QM}
# The handling department's own steps (workflow rows marked `handling_step`: accept, first contact,
# investigate, draft, submit, measures done): the scenarios' complaint is held by office A's engineering
# department, so QM — which reviews, verifies and follows up (seed 5.2.3) — is refused them here; it takes
# them on what it handles itself (test_qm_handling_steps.py).
DEPT_HANDLERS = HANDLERS - {QM}
STAFF = {R, S, SV, DM, OM, QM, GO, MR, L}
DEPT = {S, SV, DM}


@dataclass(frozen=True)
class Scenario:
    """An action on an office-A complaint (held by A's engineering department once assigned) in a state
    where the action is valid, and the roles that must succeed; every other role must be refused."""

    action: str
    state: str
    allowed: frozenset
    method: str = Method.PHONE
    variant: str = ""

    @property
    def id(self) -> str:
        return f"{self.action}@{self.state}-{self.method}{'-' + self.variant if self.variant else ''}"


def _sc(action, state, allowed, method=Method.PHONE, variant=""):
    return Scenario(action, State(state), frozenset(allowed), Method(method), variant)


SCENARIOS = [
    _sc("close_on_spot", State.REGISTERED, {R, OM, QM}),
    _sc("assign", State.REGISTERED, {R, OM, QM, MR}),
    # seed 5.2.3.3.1 (officer8): the QM information officer's call to the office, on an online complaint
    _sc("office_call_record", State.REGISTERED, {QI}, Method.ONLINE),
    _sc("accept", State.ASSIGNED, DEPT_HANDLERS),
    _sc("transfer", State.ASSIGNED, HANDLERS | {MR}),
    _sc("transfer", State.INVESTIGATING, HANDLERS | {MR}),
    _sc("refuse", State.ASSIGNED, {SV, DM}),
    _sc("issue_findings_record", State.INVESTIGATING, DEPT_HANDLERS | {S}),
    _sc("issue_findings_record", State.NEGOTIATING, DEPT_HANDLERS | {S}),
    _sc("forward_to_developer", State.INVESTIGATING, HANDLERS),
    _sc("developer_answer_record", State.WITH_DEVELOPER, HANDLERS | {R}),
    _sc("explanation_record", State.INVESTIGATING, HANDLERS),
    _sc("explanation_record", State.REPLIED, HANDLERS),
    _sc("reply_draft_save", State.INVESTIGATING, DEPT_HANDLERS),
    _sc("reply_submit", State.INVESTIGATING, DEPT_HANDLERS, Method.EMAIL),
    _sc("reply_review_approve", State.IN_REVIEW, {QM}, Method.EMAIL),
    _sc("reply_review_approve", State.IN_REVIEW, {GO}, Method.LETTER, "go"),
    _sc("reply_review_return", State.IN_REVIEW, {QM}, Method.EMAIL),
    _sc("reply_review_return", State.IN_REVIEW, {GO}, Method.LETTER, "go"),
    _sc("reply_send", State.INVESTIGATING, HANDLERS | {R}),
    _sc("reply_send", State.REPLY_APPROVED, HANDLERS | {R}, Method.EMAIL),
    _sc("complainant_agree", State.REPLIED, HANDLERS | {R}),
    _sc("complainant_agree", State.NEGOTIATING, HANDLERS | {R}),
    _sc("complainant_disagree", State.REPLIED, HANDLERS | {R}),
    _sc("negotiation_round_record", State.NEGOTIATING, HANDLERS | {R}),
    _sc("measures_done", State.IMPLEMENTING, DEPT_HANDLERS | {S}),
    _sc("issue_verify", State.VERIFYING, HANDLERS),
    _sc("follow_up_record", State.FOLLOW_UP, {R, OM, QM}),
    _sc("follow_up_attempt", State.FOLLOW_UP, {R, OM, QM}),
    _sc("follow_up_exempt", State.FOLLOW_UP, {R, OM, QM}),
    _sc("escalate_to_qm", State.REGISTERED, {OM}),
    _sc("escalate_to_qm", State.INVESTIGATING, {OM, DM}),
    _sc("close_unclosed", State.INVESTIGATING, {OM, QM, L}),
    _sc("withdraw", State.REGISTERED, {R, OM, QM}),
    _sc("withdraw", State.IMPLEMENTING, {R, OM, QM}),
    _sc("acknowledge_send", State.INVESTIGATING, HANDLERS | {R}),
    _sc("clock_pause", State.INVESTIGATING, HANDLERS | {R}),
    _sc("clock_resume", State.IMPLEMENTING, HANDLERS | {R}),
    _sc("forwarder_reply_record", State.INVESTIGATING, {OM, QM}, Method.GOVERNMENT_FORWARD),
    _sc("forwarder_reply_record", State.CLOSED, {OM, QM}, Method.GOVERNMENT_FORWARD),
    _sc("severity_raise", State.INVESTIGATING, {OM, QM, L}),
    _sc("group_report_record", State.INVESTIGATING, {QM, L}),
    _sc("group_report_record", State.CLOSED, {QM, L}),
    _sc("ncr_issue", State.INVESTIGATING, {MR}),
    _sc("ncr_issue", State.CLOSED, {MR}),
    _sc("compensation_claim_record", State.INVESTIGATING, HANDLERS | {R}),
    _sc("chase_record", State.INVESTIGATING, HANDLERS | {R}),
    _sc("compensation_decide", State.INVESTIGATING, {DM, OM, QM, L}),
    _sc("compensation_escalate", State.INVESTIGATING, {DM, OM, QM, L}),
    _sc("complainant_correct", State.REGISTERED, {R, OM, QM}),
    _sc("complainant_correct", State.CLOSED, {R, OM, QM}),
    _sc("note_add", State.REGISTERED, STAFF - DEPT),
    _sc("note_add", State.INVESTIGATING, STAFF),
    _sc("note_add", State.CLOSED, STAFF),
    _sc("attachment_add", State.INVESTIGATING, STAFF - {GO, L}),
    # escalation (issue 12)
    _sc("risk_facts_record", State.INVESTIGATING, HANDLERS | {R, L}),
    _sc("fault_record", State.INVESTIGATING, {QM}),
    _sc("major_incident_record", State.INVESTIGATING, {OM, QM, L}),
    _sc("authority_report_record", State.INVESTIGATING, {OM, QM, L}),
    _sc("closing_report_record", State.CLOSED, {QM}),
    # The seed's procedure (issue 15).
    _sc("first_contact_record", State.INVESTIGATING, DEPT_HANDLERS | {S}),
    _sc("qm_verify", State.QM_VERIFYING, {QM}),
    _sc("progress_update_send", State.UNCLOSED, {R, OM, QM, L}),
    _sc("unclosed_conclude", State.UNCLOSED, {OM, QM, L}),
    _sc("leadership_opinion_request", State.INVESTIGATING, {OM, QM, MR}),
    _sc("leadership_opinion_record", State.INVESTIGATING, {L}),
    # portal answers (issue 11)
    _sc("reply_time_agree", State.INVESTIGATING, HANDLERS | {R}),
    _sc("second_review_decide", State.CLOSED, {QM, OM, MR, L}),
    # seed part 2 (issue 15)
    _sc("compensation_outcome_record", State.INVESTIGATING, {DM, OM, QM, L}),
    _sc("ncr_draft", State.INVESTIGATING, HANDLERS),
    _sc("ncr_draft", State.CLOSED, HANDLERS),
    _sc("ncr_sign", State.INVESTIGATING, {MR}),
    _sc("capa_assign", State.INVESTIGATING, {MR, QM}),
    # seed3 (issue 15, R-INT-5): per-issue answers (the review at QM's stage: QM only)
    _sc("issue_answer_submit", State.INVESTIGATING, DEPT_HANDLERS),
    _sc("issue_answer_submit", State.WITH_DEVELOPER, DEPT_HANDLERS),
    _sc("issue_answer_review", State.INVESTIGATING, {QM}),
    _sc("issue_answer_send", State.INVESTIGATING, HANDLERS | {R}),
    _sc("issue_forward_to_developer", State.INVESTIGATING, HANDLERS),
    _sc("issue_developer_answer_record", State.INVESTIGATING, HANDLERS | {R}),
    _sc("capa_done", State.INVESTIGATING, HANDLERS | {S}),
    _sc("capa_done", State.CLOSED, HANDLERS | {S}),
    _sc("capa_verify", State.INVESTIGATING, {MR, QM}),
    _sc("ncr_close", State.INVESTIGATING, {MR}),
    _sc("ncr_close", State.CLOSED, {MR}),
]


def _sees(role: str, sc: Scenario) -> bool:
    """Who sees the scenario's complaint: office A, the company, and A's engineering department once it
    holds the complaint, the committee of A's community (masked, public view; issue 11); not the group
    (normal severity) — except the case report's complaint, which is made hot first (issue 12)."""
    if role == GP:
        return sc.action == "closing_report_record"
    if role in DEPT:
        return sc.state != State.REGISTERED
    return True


def _situation(world, sc: Scenario):
    x = h.prepare(sc.action, world.ctx(sc.state, sc.method, sc.variant))
    return x, Complaint.objects.get(pk=x.complaint_id)


def _listed(user, complaint_id: int) -> set[str]:
    c = Complaint.objects.get(pk=complaint_id)
    return {spec.name for spec in access.available_actions(user, c)}


def test_scenarios_cover_every_action_and_are_valid():
    assert {sc.action for sc in SCENARIOS} == set(workflow.STAFF_ACTIONS)
    for sc in SCENARIOS:
        assert sc.state in workflow.ACTIONS[sc.action].sources, sc.id
        assert sc.allowed <= set(Role.values)


@pytest.mark.parametrize("role", list(Role.values))
@pytest.mark.parametrize("sc", SCENARIOS, ids=lambda sc: sc.id)
def test_role_action_matrix(world, sc, role):
    """The outcome for this role, then whether `available_actions`, asked before acting, offered it: it
    must offer the action exactly when it succeeds."""
    x, c = _situation(world, sc)
    user = h.user_for(world.org, role)
    offered = sc.action in _listed(user, c.id)

    if role in sc.allowed:
        n_events = c.events.count()
        h.invoke(sc.action, user, x)
        after = Complaint.objects.get(pk=c.id)
        spec = workflow.ACTIONS[sc.action]
        assert after.state in (spec.targets or {sc.state})
        assert after.version == c.version + 1
        new = after.events.filter(seq__gt=n_events)
        assert new.exists() and set(new.values_list("actor_id", flat=True)) == {user.id}
        assert offered, f"{sc.action} succeeds for {role} but available_actions does not offer it"
    else:
        before = h.snapshot(c.id)
        with pytest.raises(DomainError) as e:
            h.invoke(sc.action, user, x)
        assert e.value.code == ("forbidden_action" if _sees(role, sc) else "not_found"), e.value
        assert h.snapshot(c.id) == before
        assert not offered, (
            f"available_actions offers {sc.action} to {role} but it is refused ({e.value.code})"
        )


# --- users outside the complaint's scope ------------------------------------------------------------------

OUTSIDERS = {
    "b_reception": lambda o: o.b.users["reception"],
    "b_office_manager": lambda o: o.b.users["office_manager"],
    "b_eng_staff": lambda o: o.b.users["eng_staff"],
    "b_eng_supervisor": lambda o: o.b.users["eng_supervisor"],
    "b_eng_manager": lambda o: o.b.users["eng_manager"],
    "b_committee": lambda o: o.b.users["committee"],
    "a_cs_supervisor": lambda o: o.a.users["cs_supervisor"],
    "a_security_supervisor": lambda o: o.a.users["sec_supervisor"],
    "other_company_qm": lambda o: o.other_company_qm,
}


ONE_PER_ACTION = list({sc.action: sc for sc in reversed(SCENARIOS)}.values())


@pytest.mark.parametrize("who", list(OUTSIDERS))
@pytest.mark.parametrize("sc", ONE_PER_ACTION, ids=lambda sc: sc.id)
def test_outsiders_get_not_found_and_change_nothing(world, sc, who):
    x, c = _situation(world, sc)
    user = OUTSIDERS[who](world.org)
    before = h.snapshot(c.id)
    with pytest.raises(DomainError) as e:
        h.invoke(sc.action, user, x)
    assert e.value.code == "not_found"
    assert h.snapshot(c.id) == before
    assert access.available_actions(user, c) == []
    assert not access.complaints_visible_to(user).filter(pk=c.id).exists()
    assert not access.can_see(user, c)
    with pytest.raises(DomainError) as e:
        access.access_complaint(user, c.id)
    assert e.value.code == "not_found"


def test_office_b_sees_none_of_office_a_but_its_own(world):
    org = world.org
    b_own = h.drive_to(org, State.INVESTIGATING, kit=org.b)
    a_ids = set(world.ids.values())
    for key in ("reception", "office_manager", "eng_staff", "eng_supervisor", "eng_manager", "committee"):
        visible = set(access.complaints_visible_to(org.b.users[key]).values_list("pk", flat=True))
        assert not visible & a_ids, key
    assert set(access.complaints_visible_to(org.b.users["reception"]).values_list("pk", flat=True)) == {
        b_own.id
    }
    assert set(access.complaints_visible_to(org.b.users["eng_supervisor"]).values_list("pk", flat=True)) == {
        b_own.id
    }
    assert b_own.id not in access.complaints_visible_to(org.a.users["reception"]).values_list("pk", flat=True)


def test_company_roles_see_the_company_and_another_company_sees_nothing(world):
    org = world.org
    h.drive_to(org, State.ASSIGNED, kit=org.b)
    assert access.complaints_visible_to(org.other_company_qm).count() == 0
    for key in ("qm", "general_office", "mgmt_rep", "leadership"):
        assert access.complaints_visible_to(org.users[key]).count() == Complaint.objects.count(), key


# --- the group's property department: hot and major complaints only ---------------------------------------


def test_group_property_sees_only_hot_and_major(world):
    org = world.org
    gp = org.users["group_property"]
    hot = world.complaint(State.INVESTIGATING)
    major = world.complaint(State.CLOSED)
    b_hot = h.drive_to(org, State.ASSIGNED, kit=org.b)
    normal = world.complaint(State.IMPLEMENTING)
    assert access.complaints_visible_to(gp).count() == 0
    Complaint.objects.filter(pk__in=[hot.id, b_hot.id]).update(severity=Severity.HOT)
    Complaint.objects.filter(pk=major.id).update(severity=Severity.MAJOR)

    visible = set(access.complaints_visible_to(gp).values_list("pk", flat=True))
    assert visible == {hot.id, major.id, b_hot.id}
    assert access.can_see(gp, Complaint.objects.get(pk=hot.id))
    assert not access.can_see(gp, Complaint.objects.get(pk=normal.id))
    assert access.access_complaint(gp, major.id).pk == major.id
    with pytest.raises(DomainError) as e:
        access.access_complaint(gp, normal.id)
    assert e.value.code == "not_found"


def test_group_property_sees_what_staff_raise_to_hot(world):
    gp = world.org.users["group_property"]
    c = world.complaint(State.NEGOTIATING)
    assert not access.can_see(gp, c)
    s.severity_raise(
        actor=world.org.a.users["office_manager"],
        complaint_id=c.id,
        severity=Severity.HOT,
        reason="业主表示将联系媒体",
    )
    assert access.complaints_visible_to(gp).filter(pk=c.id).exists()
    assert access.can_see(gp, Complaint.objects.get(pk=c.id))


def test_group_property_watches_but_does_not_act(world):
    gp = world.org.users["group_property"]
    c = world.complaint(State.INVESTIGATING)
    Complaint.objects.filter(pk=c.id).update(severity=Severity.HOT)
    c = Complaint.objects.get(pk=c.id)
    before = h.snapshot(c.id)
    assert access.available_actions(gp, c) == []
    with pytest.raises(DomainError) as e:
        s.note_add(actor=gp, complaint_id=c.id, text="集团已知悉")
    assert e.value.code == "forbidden_action"
    assert h.snapshot(c.id) == before


# --- the owners' committee: its own community's complaints -------------------------------------------------


def _committee_input(org, kit, **kw):
    data = dict(
        office_id=kit.office.id,
        channel=Channel.COMMITTEE,
        method=Method.LETTER,
        subject="绿化带被占用",
        description="3号楼旁绿化带被改为菜地。",
        complainant_name="李",
        complainant_phone="13900000002",
    )
    data.update(kw)
    return ComplaintInput(**data)


def test_committee_sees_its_communitys_complaints(world):
    """Issue 11 (portal answers): the committee browses its own community's complaints — masked and the
    public view only (test_privacy_masking) — except the sensitive ones it did not record itself; another
    community's complaints answer not found."""
    org = world.org
    cm_a, cm_b = org.a.users["committee"], org.b.users["committee"]
    mine = s.complaint_register(actor=cm_a, data=_committee_input(org, org.a)).complaint
    by_reception = s.complaint_register(
        actor=org.a.users["reception"], data=_committee_input(org, org.a)
    ).complaint
    sensitive = s.complaint_register(
        actor=org.a.users["reception"],
        data=_committee_input(org, org.a, channel=Channel.OFFICE, sensitive=True),
    ).complaint
    own_sensitive = s.complaint_register(
        actor=cm_a, data=_committee_input(org, org.a, sensitive=True)
    ).complaint
    b_committee = s.complaint_register(actor=cm_b, data=_committee_input(org, org.b)).complaint

    visible_a = set(access.complaints_visible_to(cm_a).values_list("pk", flat=True))
    office_a = set(
        Complaint.objects.filter(office=org.a.office).exclude(pk=sensitive.pk).values_list("pk", flat=True)
    )
    assert visible_a == office_a
    assert {mine.id, by_reception.id, own_sensitive.id, world.complaint(State.INVESTIGATING).id} <= visible_a
    assert sensitive.id not in visible_a and b_committee.id not in visible_a
    assert set(access.complaints_visible_to(cm_b).values_list("pk", flat=True)) == set(
        Complaint.objects.filter(office=org.b.office, sensitive=False).values_list("pk", flat=True)
    )
    assert access.access_complaint(cm_a, mine.id).pk == mine.id
    # it follows the complaint as it is handled
    s.complaint_assign(
        actor=org.a.users["reception"], complaint_id=mine.id, department_id=org.a.depts["engineering"].id
    )
    assert access.can_see(cm_a, Complaint.objects.get(pk=mine.id))
    for other in (sensitive, b_committee):
        assert not access.can_see(cm_a, other)
        with pytest.raises(DomainError) as e:
            access.access_complaint(cm_a, other.id)
        assert e.value.code == "not_found"


def test_committee_follows_but_does_not_handle(world):
    org = world.org
    cm = org.a.users["committee"]
    c = s.complaint_register(actor=cm, data=_committee_input(org, org.a)).complaint
    assert access.available_actions(cm, c) == []
    before = h.snapshot(c.id)
    for call in (
        lambda: s.note_add(actor=cm, complaint_id=c.id, text="请尽快处理"),
        lambda: s.complaint_assign(actor=cm, complaint_id=c.id, department_id=org.a.depts["engineering"].id),
        lambda: s.complaint_withdraw(actor=cm, complaint_id=c.id, reason="撤回"),
    ):
        with pytest.raises(DomainError) as e:
            call()
        assert e.value.code == "forbidden_action"
    assert h.snapshot(c.id) == before


def test_committee_records_only_for_its_community_and_only_as_committee(world):
    org = world.org
    before = h.global_counts()
    with pytest.raises(DomainError) as e:
        s.complaint_register(actor=org.b.users["committee"], data=_committee_input(org, org.a))
    assert e.value.code == "not_found"  # another community's office is outside its scope
    with pytest.raises(DomainError) as e:
        s.complaint_register(
            actor=org.a.users["committee"], data=_committee_input(org, org.a, channel=Channel.OFFICE)
        )
    assert e.value.code == "validation"
    assert h.global_counts() == before


@pytest.mark.parametrize("who", ["b_reception", "b_office_manager", "other_company_qm", "group_property"])
def test_no_one_registers_for_an_office_outside_their_scope(world, who):
    org = world.org
    user = org.users["group_property"] if who == "group_property" else OUTSIDERS[who](org)
    before = h.global_counts()
    with pytest.raises(DomainError) as e:
        h.make_complaint(org, kit=org.a, actor=user)
    # An office outside every scope of the user is invisible (not_found, like a missing one); the group's
    # department sees the group's offices but may not file (forbidden_action).
    assert e.value.code == ("forbidden_action" if who == "group_property" else "not_found")
    assert h.global_counts() == before


# --- departments: what they hold or own an issue of --------------------------------------------------------


def _two_issue_complaint(world):
    """Issue 1 with engineering (the lead), issue 2 with customer service."""
    org = world.org
    c = h.make_complaint(org, issues=[IssueInput(summary="电梯故障"), IssueInput(summary="客服态度差")])
    i1, i2 = c.issues.order_by("seq")
    s.complaint_assign(
        actor=org.a.users["reception"],
        complaint_id=c.id,
        department_id=org.a.depts["engineering"].id,
        issue_departments={i2.id: org.a.depts["customer_service"].id},
    )
    return Complaint.objects.get(pk=c.id), i1, i2


def test_department_sees_what_it_holds_only(world):
    org = world.org
    c = world.complaint(State.INVESTIGATING)
    for key in ("eng_staff", "eng_supervisor", "eng_manager"):
        assert access.complaints_visible_to(org.a.users[key]).filter(pk=c.id).exists(), key
    for key in ("cs_supervisor", "sec_supervisor"):
        assert not access.complaints_visible_to(org.a.users[key]).filter(pk=c.id).exists(), key
    registered = world.complaint(State.REGISTERED)
    assert not access.complaints_visible_to(org.a.users["eng_supervisor"]).filter(pk=registered.id).exists()


def test_department_owning_one_issue_sees_the_complaint_and_acts_on_that_issue_only(world):
    org = world.org
    cs = org.a.users["cs_supervisor"]
    c, i1, i2 = _two_issue_complaint(world)
    assert list(access.complaints_visible_to(cs).values_list("pk", flat=True)) == [c.id]  # distinct
    assert access.complaints_visible_to(org.a.users["eng_supervisor"]).filter(pk=c.id).count() == 1
    before = h.snapshot(c.id)
    for call in (
        lambda: s.complaint_accept(actor=cs, complaint_id=c.id),
        lambda: s.complaint_transfer(
            actor=cs, complaint_id=c.id, department_id=org.a.depts["security"].id, reason="转秩序部"
        ),
        lambda: s.complaint_refuse(actor=cs, complaint_id=c.id, reason="非本部门"),
    ):
        with pytest.raises(DomainError) as e:
            call()
        assert e.value.code == "forbidden_action"
    assert h.snapshot(c.id) == before
    s.complaint_accept(actor=org.a.users["eng_supervisor"], complaint_id=c.id)
    x = h.ctx_for(org, c)
    before = h.snapshot(c.id)
    with pytest.raises(DomainError) as e:
        h.invoke("issue_findings_record", cs, x, issue_id=i1.id)
    assert e.value.code == "forbidden_action"
    with pytest.raises(DomainError) as e:  # staff of the lead department: their own issues only
        h.invoke("issue_findings_record", org.a.users["eng_staff"], x, issue_id=i2.id)
    assert e.value.code == "forbidden_action"
    assert h.snapshot(c.id) == before
    h.invoke("issue_findings_record", cs, x, issue_id=i2.id)
    i2.refresh_from_db()
    assert i2.state == IssueState.INVESTIGATED and i2.findings


def test_transfer_moves_visibility_to_the_new_department(world):
    org = world.org
    c = world.complaint(State.INVESTIGATING)
    s.complaint_transfer(
        actor=org.a.users["eng_supervisor"],
        complaint_id=c.id,
        department_id=org.a.depts["security"].id,
        reason="属秩序部职责",
    )
    assert access.complaints_visible_to(org.a.users["sec_supervisor"]).filter(pk=c.id).exists()
    for key in ("eng_staff", "eng_supervisor", "eng_manager"):
        assert not access.complaints_visible_to(org.a.users[key]).filter(pk=c.id).exists(), key
    with pytest.raises(DomainError) as e:
        s.note_add(actor=org.a.users["eng_supervisor"], complaint_id=c.id, text="补充")
    assert e.value.code == "not_found"


def test_refusing_department_no_longer_sees_the_complaint(world):
    """R-EXP-6 / R-ORG-4: after the department refuses a misrouted complaint it is no longer its work."""
    org = world.org
    c = world.complaint(State.ASSIGNED)
    s.complaint_refuse(actor=org.a.users["eng_supervisor"], complaint_id=c.id, reason="非本部门职责")
    c = Complaint.objects.get(pk=c.id)
    assert c.state == State.REGISTERED and c.holder_department_id is None
    for key in ("eng_staff", "eng_supervisor", "eng_manager"):
        assert not access.complaints_visible_to(org.a.users[key]).filter(pk=c.id).exists(), key
        assert not access.can_see(org.a.users[key], c), key


@pytest.mark.parametrize("key", ["eng_supervisor", "eng_manager"])
def test_department_supervisor_may_close_on_the_spot_what_it_records(world, key):
    """R-INT-10 and the table: department supervisors and managers may close on the spot; they may also
    record complaints (access.REGISTER_ROLES)."""
    org = world.org
    data = ComplaintInput(
        office_id=org.a.office.id,
        channel=Channel.OFFICE,
        method=Method.VISIT,
        subject="电梯按钮失灵",
        description="业主来访反映1号楼电梯按钮失灵。",
        complainant_name="王",
        complainant_phone="13800000001",
    )
    c = s.complaint_register(
        actor=org.a.users[key], data=data, close_on_spot_note="已现场复位，业主确认满意"
    ).complaint
    assert c.state == State.CLOSED


# --- after escalation to the company (R-HDL-5) ---------------------------------------------------------------


def _escalated(world, state=State.INVESTIGATING):
    """An office-A complaint escalated to QM from investigating, then (by QM) brought to `state`."""
    org = world.org
    qm = org.users["qm"]
    c = world.complaint(State.INVESTIGATING)
    s.complaint_escalate(actor=org.a.users["office_manager"], complaint_id=c.id, reason="管理处无法解决")
    x = h.ctx_for(org, c)
    if state in (State.VERIFYING, State.IMPLEMENTING):
        h.invoke("issue_findings_record", qm, x)
        h.invoke("reply_draft_save", qm, x)
        h.invoke("reply_send", qm, x)
        h.invoke("complainant_agree", qm, x)
        if state == State.VERIFYING:
            h.invoke("measures_done", qm, x)
    c = Complaint.objects.get(pk=c.id)
    assert c.state == state and c.level == Level.COMPANY
    assert c.holder_department_id == org.company_depts["qm"].id
    return c, x


OFFICE_AND_DEPT = ["reception", "office_manager", "eng_staff", "eng_supervisor", "eng_manager"]


@pytest.mark.parametrize("key", OFFICE_AND_DEPT)
@pytest.mark.parametrize(
    "action",
    [
        "transfer",
        "reply_draft_save",
        "reply_send",
        "explanation_record",
        "issue_findings_record",
        "forward_to_developer",
        "close_unclosed",
        "withdraw",
        "escalate_to_qm",
        "compensation_claim_record",
    ],
)
def test_after_escalation_office_and_department_roles_no_longer_handle(world, key, action):
    c, x = _escalated(world)
    user = world.org.a.users[key]
    h.prepare(action, x)
    before = h.snapshot(c.id)
    with pytest.raises(DomainError) as e:
        h.invoke(action, user, x)
    assert e.value.code == "forbidden_action"
    assert h.snapshot(c.id) == before
    assert action not in _listed(user, c.id)


def test_after_escalation_assign_is_impossible(world):
    """Escalated while still registered it is already being investigated at company level: nobody assigns
    it (to an office department) any more."""
    org = world.org
    c = world.complaint(State.REGISTERED)
    s.complaint_escalate(
        actor=org.a.users["office_manager"], complaint_id=c.id, reason="业主直接要求公司处理"
    )
    c = Complaint.objects.get(pk=c.id)
    assert (c.state, c.level) == (State.INVESTIGATING, Level.COMPANY)
    before = h.snapshot(c.id)
    for user in (org.a.users["reception"], org.a.users["office_manager"], org.users["qm"]):
        with pytest.raises(DomainError):
            s.complaint_assign(actor=user, complaint_id=c.id, department_id=org.a.depts["engineering"].id)
        assert "assign" not in _listed(user, c.id)
    assert h.snapshot(c.id) == before


@pytest.mark.parametrize("key", OFFICE_AND_DEPT)
def test_after_escalation_office_and_department_roles_can_still_note(world, key):
    c, x = _escalated(world)
    user = world.org.a.users[key]
    s.note_add(actor=user, complaint_id=c.id, text="管理处补充情况")
    assert Complaint.objects.get(pk=c.id).events.filter(kind="note_added", actor=user).exists()
    assert "note_add" in _listed(user, c.id)


@pytest.mark.parametrize("key", OFFICE_AND_DEPT)
def test_after_escalation_office_and_department_roles_can_still_attach_photos(world, key):
    """attachment_add is marked office_after_escalation, like note_add (the on-site photo of an issue)."""
    c, x = _escalated(world)
    user = world.org.a.users[key]
    att = h.invoke("attachment_add", user, x, issue_id=x.issue_id)
    assert att.issue_id == x.issue_id
    assert "attachment_add" in _listed(user, c.id)


@pytest.mark.parametrize("action", ["severity_raise", "forwarder_reply_record"])
def test_after_escalation_office_manager_keeps_severity_and_forwarder_reply(world, action):
    org = world.org
    c = world.complaint(State.INVESTIGATING, Method.GOVERNMENT_FORWARD)
    s.complaint_escalate(actor=org.a.users["office_manager"], complaint_id=c.id, reason="管理处无法解决")
    x = h.ctx_for(org, c)
    h.invoke(action, org.a.users["office_manager"], x)
    assert Complaint.objects.get(pk=c.id).level == Level.COMPANY


@pytest.mark.parametrize("key", ["office_manager", "eng_supervisor", "eng_manager"])
def test_after_escalation_office_and_department_can_still_verify(world, key):
    c, x = _escalated(world, State.VERIFYING)
    user = world.org.a.users[key]
    h.invoke("issue_verify", user, x)
    c = Complaint.objects.get(pk=c.id)
    # the office's on-site verification goes to QM, which verifies a company-level complaint too (5.2.3.6)
    assert c.state == State.QM_VERIFYING and c.level == Level.COMPANY


@pytest.mark.parametrize("key", ["office_manager", "eng_supervisor", "eng_manager"])
def test_after_escalation_verification_is_offered_to_the_office_and_department(world, key):
    c, x = _escalated(world, State.VERIFYING)
    assert "issue_verify" in _listed(world.org.a.users[key], c.id)


def test_per_issue_work_is_offered_to_the_department_owning_the_issue(world):
    """cs_supervisor may record findings on its own issue of a complaint engineering holds (see
    test_department_owning_one_issue_...); the page should offer it."""
    org = world.org
    c, i1, i2 = _two_issue_complaint(world)
    s.complaint_accept(actor=org.a.users["eng_supervisor"], complaint_id=c.id)
    assert "issue_findings_record" in _listed(org.a.users["cs_supervisor"], c.id)


def test_after_escalation_qm_cannot_push_down_to_an_office_department(world):
    org = world.org
    c, x = _escalated(world)
    before = h.snapshot(c.id)
    for dept in (org.a.depts["engineering"], org.a.depts["security"]):
        with pytest.raises(DomainError) as e:
            s.complaint_transfer(
                actor=org.users["qm"], complaint_id=c.id, department_id=dept.id, reason="退回管理处"
            )
        assert e.value.code == "escalated_no_push_down"
    with pytest.raises(DomainError) as e:  # escalated once, never again (and never down)
        s.complaint_escalate(actor=org.users["qm"], complaint_id=c.id, reason="再次上报")
    assert e.value.code in ("invalid_transition", "forbidden_action")
    assert h.snapshot(c.id) == before
    # within the company it can still move
    s.complaint_transfer(
        actor=org.users["qm"],
        complaint_id=c.id,
        department_id=org.company_depts["general_office"].id,
        reason="涉及法律问题",
    )
    c = Complaint.objects.get(pk=c.id)
    assert c.level == Level.COMPANY and c.holder_department_id == org.company_depts["general_office"].id


# --- available_actions: nothing shown that would be refused -------------------------------------------------

SWEEP = [
    (State.REGISTERED, Method.PHONE, ""),
    (State.ASSIGNED, Method.PHONE, ""),
    (State.INVESTIGATING, Method.PHONE, ""),
    (State.INVESTIGATING, Method.EMAIL, ""),
    (State.INVESTIGATING, Method.GOVERNMENT_FORWARD, ""),
    (State.WITH_DEVELOPER, Method.PHONE, ""),
    (State.IN_REVIEW, Method.LETTER, ""),
    (State.IN_REVIEW, Method.LETTER, "go"),
    (State.REPLY_APPROVED, Method.EMAIL, ""),
    (State.REPLIED, Method.PHONE, ""),
    (State.NEGOTIATING, Method.PHONE, ""),
    (State.NEGOTIATING, Method.EMAIL, ""),
    (State.IMPLEMENTING, Method.PHONE, ""),
    (State.VERIFYING, Method.PHONE, ""),
    (State.FOLLOW_UP, Method.PHONE, ""),
    (State.CLOSED, Method.PHONE, ""),
]


@pytest.mark.parametrize("action", list(h.SERVICE))
def test_every_offered_action_succeeds(world, action):
    """In each situation of SWEEP where the state allows `action`, for every staff role to whom
    `available_actions` offers it (with whatever it needs besides the state prepared: findings and a
    draft, a pending claim, a paused clock), it succeeds with valid inputs. Tried in a savepoint."""
    refused = {}
    for state, method, variant in SWEEP:
        if state not in workflow.ACTIONS[action].sources:
            continue
        x = h.prepare(action, world.ctx(state, method, variant))
        # a role the table does not name for the action is never offered it (allowed_role checks that first)
        for role in sorted(workflow.ACTIONS[action].roles & {R, S, SV, DM, OM, QM, GO, MR, L}):
            user = h.user_for(world.org, role)
            if action not in _listed(user, x.complaint_id):
                continue
            try:
                with transaction.atomic():
                    h.invoke(action, user, x)
                    transaction.set_rollback(True)
            except DomainError as exc:
                refused[f"{state}/{method}{'/' + variant if variant else ''}/{role}"] = exc.code
    assert refused == {}, f"available_actions offers {action} but it is refused: {refused}"
