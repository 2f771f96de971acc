"""The lifecycle table (workflow.ACTIONS): its shape on its own, then through the services — every action
succeeds from every state it may start from, and from every other state it fails with
`invalid_transition` and changes nothing (R-HDL-1..11, R-INT-10, R-EXP-5)."""

from __future__ import annotations

from collections import deque
from types import SimpleNamespace

import pytest

from docket.accounts.models import Role
from docket.complaints import services, workflow
from docket.complaints.events import chain_verify
from docket.complaints.models import (
    TERMINAL_STATES,
    ClaimState,
    CompensationClaim,
    Complaint,
    IssueState,
    Method,
    ReviewStage,
    State,
)
from docket.core.errors import DomainError

from . import helpers as h

world, world_data = h.world, h.world_data

ACTIONS = workflow.STAFF_ACTIONS  # the complainant's own rows: test_owner_actions.py
STATES = list(State)
SIDE_RECORDS = {
    "office_call_record",  # the QM information officer's call to the office (officer8)
    "complainant_correct",
    "issue_findings_record",
    "explanation_record",
    "reply_draft_save",
    "negotiation_round_record",
    "ncr_issue",
    "compensation_claim_record",
    "compensation_decide",
    "compensation_escalate",
    "note_add",
    "attachment_add",
    "acknowledge_send",
    "clock_pause",
    "clock_resume",
    "forwarder_reply_record",
    "severity_raise",
    "group_report_record",
    "follow_up_attempt",
    "chase_record",
    # escalation (issue 12)
    "risk_facts_record",
    "fault_record",
    "major_incident_record",
    "authority_report_record",
    "closing_report_record",
    # The seed's procedure (issue 15).
    "first_contact_record",
    "progress_update_send",
    "unclosed_conclude",
    "leadership_opinion_request",
    "leadership_opinion_record",
    "reply_time_agree",  # portal answers (issue 11)
    # seed part 2 (issue 15)
    "compensation_outcome_record",
    "ncr_draft",
    "ncr_sign",
    "capa_assign",
    "capa_done",
    "capa_verify",
    "ncr_close",
    # seed3 (issue 15, R-INT-5): per-issue answers and forwards; the letter stays one complaint
    "issue_answer_submit",
    "issue_answer_review",
    "issue_answer_send",
    "issue_forward_to_developer",
    "issue_developer_answer_record",
}


def _forbidden_pairs(names=ACTIONS):
    return [(name, state) for name in names for state in STATES if state not in ACTIONS[name].sources]


def _allowed_pairs(names=ACTIONS):
    return [(name, state) for name in names for state in STATES if state in ACTIONS[name].sources]


# The DB tests call each action through its service; an action added to the table without an entry in
# helpers.SERVICE is reported by test_every_action_has_exactly_one_exported_service.
WITH_SERVICE = [name for name in ACTIONS if name in h.SERVICE]


def _successors(state: str) -> set[str]:
    return {t for spec in ACTIONS.values() if state in spec.sources and spec.targets for t in spec.targets}


def _reachable(start: str) -> set[str]:
    seen, todo = {start}, deque([start])
    while todo:
        for nxt in _successors(todo.popleft()) - seen:
            seen.add(nxt)
            todo.append(nxt)
    return seen


# --- the table on its own ------------------------------------------------------------------------------


def test_every_action_has_exactly_one_exported_service():
    assert set(h.SERVICE) == set(ACTIONS)
    for fn in h.SERVICE.values():
        if fn.__module__ == "docket.escalation.services":  # escalation's own actions (issue 12)
            continue
        assert fn.__name__ in services.__all__
        assert getattr(services, fn.__name__) is fn
    assert len({fn.__name__ for fn in h.SERVICE.values()}) == len(ACTIONS)


@pytest.mark.parametrize("name", list(ACTIONS))
def test_rows_name_only_known_states_and_roles(name):
    spec = ACTIONS[name]
    assert spec.name == name and str(spec.label)
    assert spec.sources and spec.sources <= set(State.values)
    assert spec.targets is None or (spec.targets and spec.targets <= set(State.values))
    assert spec.roles and spec.roles <= set(Role.values)


def test_terminal_states_are_exactly_the_non_active_ones():
    assert set(State.values) == workflow.ACTIVE | TERMINAL_STATES
    assert not workflow.ACTIVE & TERMINAL_STATES
    assert {State.CLOSED, State.UNCLOSED, State.WITHDRAWN} == TERMINAL_STATES


@pytest.mark.parametrize("state", sorted(TERMINAL_STATES))
def test_nothing_leaves_a_terminal_state(state):
    """Except the written decision of a second-stage review (R-EXP-10, portal answers), which may reopen a
    closed or unclosed complaint for handling again (or keep it where it is)."""
    leaving = [
        n
        for n, spec in ACTIONS.items()
        if state in spec.sources and spec.targets is not None and spec.targets != {state}
    ]
    if state == State.WITHDRAWN:
        assert _successors(state) == set() and leaving == []
    else:
        assert leaving == ["second_review_decide"]
        assert _successors(state) - {state} <= {State.INVESTIGATING, State.CLOSED, State.UNCLOSED}


def test_every_state_is_reachable_from_registration():
    assert _reachable(State.REGISTERED) == set(State.values)


@pytest.mark.parametrize("state", sorted(workflow.ACTIVE))
def test_every_active_state_can_still_end(state):
    assert _reachable(state) & TERMINAL_STATES, f"{state} is a dead end"
    assert "withdraw" in [n for n, spec in ACTIONS.items() if state in spec.sources]  # R-EXP-5


def test_side_records_never_move_the_complaint():
    for name in SIDE_RECORDS:
        assert ACTIONS[name].targets is None, name
    for name, spec in ACTIONS.items():
        if name not in SIDE_RECORDS:
            assert spec.targets is not None, name


def test_notes_everywhere_ncr_everywhere_but_withdrawn():
    assert ACTIONS["note_add"].sources == set(State.values)
    assert ACTIONS["ncr_issue"].sources == set(State.values) - {State.WITHDRAWN}
    for name in (
        "withdraw",
        "compensation_claim_record",
        "compensation_decide",
        "compensation_escalate",
        "attachment_add",
    ):
        assert ACTIONS[name].sources == workflow.ACTIVE, name


def test_deadline_and_severity_rows():
    # R-EXP-5: the clock pauses and resumes in the same states, only while someone is working on it
    assert ACTIONS["clock_pause"].sources == ACTIONS["clock_resume"].sources
    assert not ACTIONS["clock_pause"].sources & (TERMINAL_STATES | {State.REGISTERED, State.IN_REVIEW})
    # R-EXP-8: the forwarder must be answered however the complaint ended, withdrawal included (the
    # hotline still expects to hear that the owner withdrew)
    assert ACTIONS["forwarder_reply_record"].sources >= TERMINAL_STATES
    # R-ESC-1/2: the case report to the group follows closure
    assert State.CLOSED in ACTIONS["group_report_record"].sources
    assert ACTIONS["severity_raise"].sources == workflow.ACTIVE


def test_review_routes_follow_the_intake_method():
    # R-HDL-3: email → QM; written → QM, then the general office; online → QM before publishing; oral → none
    routes = workflow.REVIEW_ROUTES
    assert set(routes) == set(Method.values)
    assert routes[Method.PHONE] == routes[Method.VISIT] == ()
    assert routes[Method.EMAIL] == routes[Method.ONLINE] == ("qm",)
    assert routes[Method.LETTER] == routes[Method.FAX] == ("qm", "general_office")
    for stages in routes.values():
        assert set(stages) <= set(ReviewStage.values)
        assert len(set(stages)) == len(stages)
        assert not stages or stages[0] == "qm"


def test_review_is_only_for_qm_and_the_general_office():
    reviewers = {Role.QM, Role.GENERAL_OFFICE}
    assert ACTIONS["reply_review_approve"].roles == reviewers
    assert ACTIONS["reply_review_return"].roles == reviewers
    assert ACTIONS["reply_review_approve"].targets == {State.IN_REVIEW, State.REPLY_APPROVED}
    assert ACTIONS["reply_review_return"].targets == {State.INVESTIGATING}
    # the general office reviews (replies and, seed3, issue answers) and notes, nothing else
    assert {n for n, spec in ACTIONS.items() if Role.GENERAL_OFFICE in spec.roles} == {
        "reply_review_approve",
        "reply_review_return",
        "issue_answer_review",
        "note_add",
    }
    assert ACTIONS["issue_answer_review"].roles == reviewers


def test_observers_never_act():
    # The group's department watches hot/major complaints; the committee follows what it recorded.
    for name, spec in ACTIONS.items():
        assert Role.GROUP_PROPERTY not in spec.roles, name
        assert Role.COMMITTEE_MEMBER not in spec.roles, name


def test_verification_is_for_supervisors_and_above():
    roles = ACTIONS["issue_verify"].roles  # R-HDL-10
    assert {Role.OFFICE_MANAGER, Role.DEPT_SUPERVISOR} <= roles
    assert not {Role.DEPT_STAFF, Role.RECEPTION} & roles
    assert ACTIONS["issue_verify"].targets == {
        State.VERIFYING,
        State.QM_VERIFYING,  # seed 5.2.3.6: company-level and online complaints are verified by QM too
        State.FOLLOW_UP,
        State.IMPLEMENTING,
    }


def test_what_office_roles_keep_after_escalation():
    # R-HDL-5: never pushed back down; the office still verifies what was done on site and takes notes
    assert ACTIONS["issue_verify"].office_after_escalation
    assert ACTIONS["note_add"].office_after_escalation
    for name in (
        "assign",
        "accept",
        "transfer",
        "refuse",
        "reply_draft_save",
        "reply_submit",
        "reply_send",
        "escalate_to_qm",
        "issue_findings_record",
        "close_unclosed",
        "withdraw",
        "measures_done",
    ):
        assert not ACTIONS[name].office_after_escalation, name
    assert {n for n, spec in ACTIONS.items() if spec.per_issue} == {"issue_findings_record", "issue_verify"}
    assert ACTIONS["escalate_to_qm"].targets == {State.INVESTIGATING}
    assert not ACTIONS["escalate_to_qm"].sources & TERMINAL_STATES


@pytest.mark.parametrize(("name", "state"), _forbidden_pairs())
def test_check_refuses_states_outside_the_sources(name, state):
    with pytest.raises(DomainError) as e:
        workflow.check(state, name)
    assert e.value.code == "invalid_transition"
    assert e.value.params["state"] == State(state).label


@pytest.mark.parametrize(("name", "state"), _allowed_pairs())
def test_check_accepts_the_sources(name, state):
    assert workflow.check(state, name) is ACTIONS[name]


def test_apply_transition_single_target():
    c = SimpleNamespace(state=State.ASSIGNED)
    assert workflow.apply_transition(c, "accept") == State.ASSIGNED
    assert c.state == State.INVESTIGATING
    c = SimpleNamespace(state=State.ASSIGNED)
    with pytest.raises(ValueError):
        workflow.apply_transition(c, "accept", State.CLOSED)
    assert c.state == State.ASSIGNED


def test_apply_transition_several_targets_needs_a_choice_among_them():
    c = SimpleNamespace(state=State.VERIFYING)
    with pytest.raises(ValueError):
        workflow.apply_transition(c, "issue_verify")
    with pytest.raises(ValueError):
        workflow.apply_transition(c, "issue_verify", State.CLOSED)
    assert c.state == State.VERIFYING
    assert workflow.apply_transition(c, "issue_verify", State.IMPLEMENTING) == State.VERIFYING
    assert c.state == State.IMPLEMENTING


def test_apply_transition_side_record_keeps_the_state():
    c = SimpleNamespace(state=State.NEGOTIATING)
    assert workflow.apply_transition(c, "note_add") == State.NEGOTIATING
    assert workflow.apply_transition(c, "note_add", State.NEGOTIATING) == State.NEGOTIATING
    with pytest.raises(ValueError):
        workflow.apply_transition(c, "note_add", State.CLOSED)
    assert c.state == State.NEGOTIATING


def test_apply_transition_refuses_a_wrong_state_and_leaves_it():
    c = SimpleNamespace(state=State.CLOSED)
    with pytest.raises(DomainError) as e:
        workflow.apply_transition(c, "withdraw")
    assert e.value.code == "invalid_transition"
    assert c.state == State.CLOSED


# --- through the services ------------------------------------------------------------------------------


@pytest.mark.parametrize("state", STATES)
def test_drive_to_reaches_every_state_through_the_services(world, state):
    method = Method.EMAIL if state in h.REVIEW_STATES else Method.PHONE
    c = h.drive_to(world.org, state, method=method)
    assert c.state == state
    assert c.version == c.events.count()  # one event per change, registration included
    assert chain_verify(c) is None


def test_drive_to_letter_stops_at_the_stage_asked_for(world):
    qm_stage = h.drive_to(world.org, State.IN_REVIEW, method=Method.LETTER)
    go_stage = h.drive_to(world.org, State.IN_REVIEW, method=Method.LETTER, review_stage="general_office")
    assert qm_stage.events.filter(kind="reply_approved").count() == 0
    assert go_stage.events.filter(kind="reply_approved").count() == 1
    with pytest.raises(ValueError):
        h.drive_to(world.org, State.IN_REVIEW, method=Method.PHONE)


# The event each action appends (its last one).
EVENT = {
    "close_on_spot": "closed_on_spot",
    "complainant_correct": "complainant_details_corrected",
    "assign": "assigned",
    "accept": "accepted",
    "office_call_record": "office_called",
    "transfer": "transferred",
    "refuse": "refused",
    "issue_findings_record": "findings_recorded",
    "forward_to_developer": "forwarded_to_developer",
    "developer_answer_record": "developer_answered",
    "explanation_record": "explanation_recorded",
    "reply_draft_save": "reply_drafted",
    "reply_submit": "reply_submitted",
    "reply_review_approve": "reply_approved",
    "reply_review_return": "reply_returned",
    "reply_send": "reply_sent",
    "complainant_agree": "complainant_agreed",
    "complainant_disagree": "complainant_disagreed",
    "negotiation_round_record": "negotiation_recorded",
    "measures_done": "measures_done",
    "issue_verify": "issue_verified",
    "follow_up_record": "follow_up_recorded",
    "follow_up_attempt": "follow_up_attempted",
    "follow_up_exempt": "follow_up_exempted",
    "escalate_to_qm": "escalated",
    "close_unclosed": "closed_unclosed",
    "withdraw": "withdrawn",
    "ncr_issue": "ncr_issued",
    "compensation_claim_record": "compensation_claimed",
    "compensation_decide": "compensation_decided",
    "compensation_escalate": "compensation_escalated",
    "note_add": "note_added",
    "chase_record": "complainant_chased",
    "attachment_add": "attachment_added",
    "second_review_decide": "second_review_decided",
    "reply_time_agree": "reply_time_agreed",
    "acknowledge_send": "acknowledged",
    "clock_pause": "clock_paused",
    "clock_resume": "clock_resumed",
    "forwarder_reply_record": "forwarder_replied",
    "severity_raise": "severity_raised",
    "group_report_record": "group_reported",
    # escalation (issue 12)
    "risk_facts_record": "risk_facts_recorded",
    "fault_record": "fault_recorded",
    "major_incident_record": "major_incident_recorded",
    "authority_report_record": "authority_reported",
    "closing_report_record": "closing_report_recorded",
    "first_contact_record": "first_contact_recorded",
    "qm_verify": "qm_verified",
    "progress_update_send": "progress_updated",
    "unclosed_conclude": "unclosed_concluded",
    "leadership_opinion_request": "leadership_opinion_requested",
    "leadership_opinion_record": "leadership_opinion_given",
    # seed part 2 (issue 15)
    "compensation_outcome_record": "compensation_outcome_recorded",
    "ncr_draft": "ncr_drafted",
    "ncr_sign": "ncr_signed",
    "capa_assign": "capa_assigned",
    "capa_done": "capa_done",
    "capa_verify": "capa_verified",
    "ncr_close": "ncr_closed",
    # seed3 (issue 15)
    "issue_answer_submit": "issue_answer_submitted",
    "issue_answer_review": "issue_answer_approved",
    "issue_answer_send": "issue_answered",
    "issue_forward_to_developer": "issue_forwarded_to_developer",
    "issue_developer_answer_record": "issue_developer_answered",
}

# (action, source) whose complaint, actor, inputs or outcome differ from the default:
# [(method, variant, role, overrides, target)]
SPECIAL = {
    # seed 5.2.3.3.1 (officer8): the QM information officer phones the office about an online complaint
    ("office_call_record", State.REGISTERED): [(Method.ONLINE, "", None, {}, State.REGISTERED)],
    ("office_call_record", State.ASSIGNED): [(Method.ONLINE, "", None, {}, State.ASSIGNED)],
    ("reply_submit", State.INVESTIGATING): [(Method.EMAIL, "", None, {}, State.IN_REVIEW)],
    ("reply_submit", State.NEGOTIATING): [(Method.EMAIL, "", None, {}, State.IN_REVIEW)],
    ("reply_review_approve", State.IN_REVIEW): [
        (Method.EMAIL, "", Role.QM, {}, State.REPLY_APPROVED),
        (Method.LETTER, "", Role.QM, {}, State.IN_REVIEW),
        (Method.LETTER, "go", Role.GENERAL_OFFICE, {}, State.REPLY_APPROVED),
    ],
    ("reply_review_return", State.IN_REVIEW): [
        (Method.EMAIL, "", Role.QM, {}, State.INVESTIGATING),
        (Method.LETTER, "go", Role.GENERAL_OFFICE, {}, State.INVESTIGATING),
    ],
    ("reply_send", State.REPLY_APPROVED): [(Method.EMAIL, "", None, {}, State.REPLIED)],
    ("issue_verify", State.VERIFYING): [
        (Method.PHONE, "", None, {"passed": True}, State.FOLLOW_UP),
        (Method.PHONE, "", None, {"passed": False, "note": "仍有异响"}, State.IMPLEMENTING),
        (Method.PHONE, "two_issues", None, {"passed": True}, State.VERIFYING),
    ],
    # qmrework: with every issue already closed (after the developer's answers) it goes to the follow-up,
    # test_qm_rework.py; the world's complaints have an issue to carry out
    ("measures_done", State.IMPLEMENTING): [(Method.PHONE, "", None, {}, State.VERIFYING)],
    ("qm_verify", State.QM_VERIFYING): [
        (Method.PHONE, "", None, {"decision": "passed"}, State.FOLLOW_UP),
        (Method.PHONE, "", None, {"decision": "rework"}, State.IMPLEMENTING),
        (Method.PHONE, "", None, {"decision": "reassess"}, State.INVESTIGATING),
    ],
    # portal answers (issue 11): uphold keeps the ending, reopen sends it back to investigation
    ("second_review_decide", State.CLOSED): [
        (Method.PHONE, "", Role.QM, {}, State.CLOSED),
        (Method.PHONE, "", Role.QM, {"reopen": True}, State.INVESTIGATING),
    ],
    ("second_review_decide", State.UNCLOSED): [(Method.PHONE, "", Role.QM, {}, State.UNCLOSED)],
    # seed part 2 (issue 15): before assignment no department sees the complaint; the office or QM acts.
    ("ncr_draft", State.REGISTERED): [(Method.PHONE, "", Role.QM, {}, State.REGISTERED)],
    ("capa_done", State.REGISTERED): [(Method.PHONE, "", Role.QM, {}, State.REGISTERED)],
}


def _success_cases():
    cases = []
    for name in WITH_SERVICE:
        spec = ACTIONS[name]
        for src in sorted(spec.sources):
            default_method = Method.EMAIL if src in h.REVIEW_STATES else Method.PHONE
            if name == "forwarder_reply_record":  # only a forwarded complaint owes the forwarder a reply
                default_method = Method.GOVERNMENT_FORWARD
            default_target = src if spec.targets is None else next(iter(spec.targets))
            for method, variant, role, overrides, target in SPECIAL.get(
                (name, src), [(default_method, "", None, {}, default_target)]
            ):
                if spec.targets is not None and len(spec.targets) > 1:
                    assert (name, src) in SPECIAL, f"say which target {name} reaches from {src}"
                cases.append(
                    pytest.param(
                        name,
                        src,
                        method,
                        variant,
                        role or h.ACTOR[name],
                        overrides,
                        target,
                        id=f"{name}-{src}-{method}{'-' + variant if variant else ''}",
                    )
                )
    return cases


@pytest.mark.parametrize(
    ("name", "source", "method", "variant", "role", "overrides", "target"), _success_cases()
)
def test_every_action_succeeds_from_each_of_its_sources(
    world, name, source, method, variant, role, overrides, target
):
    x = h.prepare(name, world.ctx(source, method, variant))
    before = Complaint.objects.get(pk=x.complaint_id)
    assert before.state == source
    n_events = before.events.count()
    actor = h.user_for(world.org, role)

    h.invoke(name, actor, x, **overrides)

    c = Complaint.objects.get(pk=x.complaint_id)
    assert c.state == target
    assert target in (ACTIONS[name].targets or {source})
    assert c.version == before.version + 1
    new = list(c.events.filter(seq__gt=n_events).order_by("seq"))
    assert new and all(e.actor_id == actor.id for e in new)
    expected_kind = "issue_rework" if overrides.get("passed") is False else EVENT[name]
    if name == "qm_verify":
        expected_kind = {"passed": "qm_verified", "rework": "qm_rework", "reassess": "qm_reassessed"}[
            overrides["decision"]
        ]
    assert new[-1].kind == expected_kind
    assert chain_verify(c) is None


def test_success_cases_cover_every_source_of_every_action():
    covered = {(p.values[0], p.values[1]) for p in _success_cases()}
    assert covered == set(_allowed_pairs(WITH_SERVICE))


@pytest.mark.parametrize(("name", "state"), _forbidden_pairs(WITH_SERVICE))
def test_every_forbidden_transition_fails_and_changes_nothing(world, name, state):
    """By a user holding every role of the office, its department and the company, with valid inputs,
    so that the state is the only reason left to refuse."""
    method = Method.EMAIL if state in h.REVIEW_STATES else Method.PHONE
    x = world.ctx(state, method)
    c = Complaint.objects.get(pk=x.complaint_id)
    if name in ("compensation_decide", "compensation_escalate"):
        x.claim_id = CompensationClaim.objects.create(
            complaint=c,
            company_id=c.company_id,
            amount=100,
            description="索赔",
            recorded_by=world.org.users["qm"],
            recorded_at=c.updated_at,
            state=ClaimState.PENDING,
        ).id
    before = h.snapshot(c.id)

    with pytest.raises(DomainError) as e:
        h.invoke(name, world.omni, x)

    assert e.value.code == "invalid_transition", e.value
    assert h.snapshot(c.id) == before


def test_issue_verify_refuses_an_issue_not_done_even_in_verifying(world):
    """The issue's own state also gates verification: an issue already verified cannot be verified again."""
    x = world.ctx(State.VERIFYING, variant="two_issues")
    om = world.org.a.users["office_manager"]
    h.invoke("issue_verify", om, x)
    before = h.snapshot(x.complaint_id)
    with pytest.raises(DomainError) as e:
        h.invoke("issue_verify", om, x)
    assert e.value.code == "invalid_transition"
    assert h.snapshot(x.complaint_id) == before
    assert Complaint.objects.get(pk=x.complaint_id).issues.filter(state=IssueState.VERIFIED).count() == 1
