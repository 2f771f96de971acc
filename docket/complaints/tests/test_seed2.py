"""The seed's procedure, part 2 (issue 15): compensation (seed 5.2.4.1–5.2.4.2) and the nonconformity report
with its corrective and preventive actions (seed document 5 §3.3, §4.3–4.4). Happy paths, refusals that
leave the whole file unchanged, and the deadlines."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from docket.accounts.models import Role
from docket.complaints import services as s
from docket.complaints.models import (
    CapaState,
    ClaimState,
    CompensationClaim,
    Complaint,
    CorrectiveAction,
    NcrState,
    Obligation,
    State,
)
from docket.core import clock
from docket.notifications.models import Notification

from . import helpers as h

world, world_data = h.world, h.world_data


def _claim(world, x, **kw):
    qm = world.org.users["qm"]
    args = {"amount": "5000", "description": "水管爆裂浸泡地板，索赔"} | kw
    return s.compensation_claim_record(actor=qm, complaint_id=x.complaint_id, **args)


# --- compensation -------------------------------------------------------------------------------------------


def test_every_claim_is_reported_to_the_company_leadership(world):
    x = world.ctx(State.INVESTIGATING)
    leader = world.org.users["leadership"]
    before = Notification.objects.filter(kind="compensation_claimed", recipient=leader).count()
    _claim(world, x)
    notes = Notification.objects.filter(kind="compensation_claimed", recipient=leader)
    assert notes.count() == before + 1
    assert "水管爆裂" in notes.order_by("-id").first().body


def test_escalated_claim_gets_an_outcome_deadline_then_a_partial_outcome(world):
    x = world.ctx(State.INVESTIGATING)
    qm, leader = world.org.users["qm"], world.org.users["leadership"]
    claim = _claim(world, x)
    s.compensation_escalate(
        actor=qm,
        complaint_id=x.complaint_id,
        claim_id=claim.id,
        note="超出权限，费用报批",
        to_developer=False,
    )
    claim.refresh_from_db()
    assert claim.state == ClaimState.ESCALATED and claim.route == "company_approval"
    ob = claim.obligation
    assert ob.kind == Obligation.Kind.CLAIM_OUTCOME and ob.state == Obligation.State.OPEN
    assert claim.outcome_due_at == ob.due_at
    # 10 working days by default: at least two weeks of calendar time
    assert ob.due_at - ob.started_at >= timedelta(days=12)

    s.compensation_outcome_record(
        actor=leader,
        complaint_id=x.complaint_id,
        claim_id=claim.id,
        outcome="partly",
        amount="3000",
        reasons="费用报批：按评估价赔付",
    )
    claim.refresh_from_db()
    ob.refresh_from_db()
    assert claim.state == ClaimState.SETTLED and claim.outcome == "partly"
    assert claim.outcome_amount == Decimal("3000.00") and claim.outcome_by == leader
    assert ob.state == Obligation.State.MET and ob.met_at is not None
    ev = Complaint.objects.get(pk=x.complaint_id).events.order_by("-seq").first()
    assert ev.kind == "compensation_outcome_recorded" and ev.payload["reasons"] == "费用报批：按评估价赔付"


def test_a_late_outcome_is_recorded_as_missed(world):
    x = world.ctx(State.INVESTIGATING)
    qm = world.org.users["qm"]
    claim = _claim(world, x)
    s.compensation_escalate(
        actor=qm, complaint_id=x.complaint_id, claim_id=claim.id, note="上报", to_developer=False
    )
    claim.refresh_from_db()
    later = claim.outcome_due_at + timedelta(days=1)
    with _at(later):
        s.compensation_outcome_record(
            actor=qm, complaint_id=x.complaint_id, claim_id=claim.id, outcome="refused", reasons="不予赔付"
        )
    ob = Obligation.objects.get(pk=claim.obligation_id)
    assert ob.state == Obligation.State.MISSED and ob.met_at == later


class _at:
    def __init__(self, when):
        self.when = when

    def __enter__(self):
        self.patch = pytest.MonkeyPatch()
        self.patch.setattr(clock, "now", lambda: self.when)

    def __exit__(self, *exc):
        self.patch.undo()


@pytest.mark.parametrize(
    ("outcome", "amount", "code"),
    [
        ("partly", None, "validation"),  # partly needs the amount agreed
        ("partly", "5000", "validation"),  # not less than claimed
        ("approved", "4000", "validation"),  # approved means the claimed amount
        ("refused", "100", "validation"),  # refused has no amount
        ("maybe", None, "validation"),
    ],
)
def test_outcome_refusals_leave_the_file_unchanged(world, outcome, amount, code):
    x = world.ctx(State.INVESTIGATING)
    qm = world.org.users["qm"]
    claim = _claim(world, x)
    s.compensation_escalate(
        actor=qm, complaint_id=x.complaint_id, claim_id=claim.id, note="上报", to_developer=False
    )
    h.refused(
        code,
        x.complaint_id,
        lambda: s.compensation_outcome_record(
            actor=qm,
            complaint_id=x.complaint_id,
            claim_id=claim.id,
            outcome=outcome,
            amount=amount,
            reasons="理由",
        ),
    )


def test_outcome_only_for_an_escalated_claim_and_by_the_allowed_roles(world):
    x = world.ctx(State.INVESTIGATING)
    claim = _claim(world, x)  # pending, not escalated
    qm = world.org.users["qm"]
    call = dict(complaint_id=x.complaint_id, claim_id=claim.id, outcome="approved", reasons="同意")
    h.refused("claim_not_escalated", x.complaint_id, lambda: s.compensation_outcome_record(actor=qm, **call))
    reception = h.user_for(world.org, Role.RECEPTION)
    h.refused(
        "forbidden_action", x.complaint_id, lambda: s.compensation_outcome_record(actor=reception, **call)
    )


def test_home_return_request_is_a_tracked_claim_for_the_developer(world):
    x = world.ctx(State.INVESTIGATING)
    qm = world.org.users["qm"]
    claim = _claim(world, x, amount=None, description="交房后要求换房", home_return=True)
    c = Complaint.objects.get(pk=x.complaint_id)
    assert claim.home_return and claim.amount == 0 and c.home_return_requested and c.compensation_claimed
    # not approvable within the company, nor sent to the company's own approval (5.2.4.2)
    h.refused(
        "validation",
        x.complaint_id,
        lambda: s.compensation_decide(
            actor=qm, complaint_id=x.complaint_id, claim_id=claim.id, approve=True, note="同意"
        ),
    )
    h.refused(
        "validation",
        x.complaint_id,
        lambda: s.compensation_escalate(
            actor=qm, complaint_id=x.complaint_id, claim_id=claim.id, note="报批", to_developer=False
        ),
    )
    s.compensation_escalate(
        actor=qm,
        complaint_id=x.complaint_id,
        claim_id=claim.id,
        note="反馈地产客户关系中心",
        to_developer=True,
    )
    s.compensation_outcome_record(
        actor=qm, complaint_id=x.complaint_id, claim_id=claim.id, outcome="approved", reasons="地产同意换房"
    )
    claim.refresh_from_db()
    assert claim.state == ClaimState.SETTLED and claim.route == "developer" and claim.outcome == "approved"


def test_a_money_claim_still_needs_its_amount(world):
    x = world.ctx(State.INVESTIGATING)
    qm = world.org.users["qm"]
    h.refused(
        "validation",
        x.complaint_id,
        lambda: s.compensation_claim_record(
            actor=qm, complaint_id=x.complaint_id, amount=None, description="索赔"
        ),
    )
    assert not CompensationClaim.objects.filter(complaint_id=x.complaint_id).exists()


# --- nonconformity report and corrective/preventive actions -------------------------------------------------


def _draft(world, x, actor=None):
    actor = actor or h.user_for(world.org, Role.DEPT_MANAGER)
    return s.ncr_draft(actor=actor, complaint_id=x.complaint_id, **h.default_args("ncr_draft", x))


def test_department_draft_signed_actions_assigned_done_verified_and_closed(world):
    x = world.ctx(State.INVESTIGATING)
    mr, qm = world.org.users["mgmt_rep"], world.org.users["qm"]
    staff = h.user_for(world.org, Role.DEPT_STAFF)
    mr_before = Notification.objects.filter(recipient=mr, kind="review_requested").count()

    ncr = _draft(world, x)
    assert ncr.state == NcrState.DRAFT and ncr.issued_by is None and ncr.department.name
    assert ncr.sign_obligation.kind == Obligation.Kind.NCR_SIGN
    assert Notification.objects.filter(recipient=mr, kind="review_requested").count() == mr_before + 1

    # no action before the signature (§4.4)
    h.refused(
        "ncr_not_signed",
        x.complaint_id,
        lambda: s.capa_assign(
            actor=mr, complaint_id=x.complaint_id, **(h.default_args("capa_assign", x) | {"ncr_id": ncr.id})
        ),
    )
    s.ncr_sign(actor=mr, complaint_id=x.complaint_id, ncr_id=ncr.id, note="同意")
    ncr.refresh_from_db()
    assert ncr.state == NcrState.SIGNED and ncr.issued_by == mr
    assert Obligation.objects.get(pk=ncr.sign_obligation_id).state == Obligation.State.MET

    due = clock.now() + timedelta(days=5)
    x.extra["ncr_id"] = ncr.id
    corrective = s.capa_assign(
        actor=mr,
        complaint_id=x.complaint_id,
        **(h.default_args("capa_assign", x) | {"kind": "corrective", "due_at": due}),
    )
    preventive = s.capa_assign(actor=qm, complaint_id=x.complaint_id, **h.default_args("capa_assign", x))
    assert corrective.due_at == due and corrective.obligation.due_at == due
    assert corrective.obligation.holder_department_id == corrective.department_id
    assert preventive.obligation.kind == Obligation.Kind.CAPA and preventive.due_at > clock.now()

    # closing needs every action verified
    h.refused(
        "ncr_actions_open",
        x.complaint_id,
        lambda: s.ncr_close(actor=mr, complaint_id=x.complaint_id, ncr_id=ncr.id),
    )
    # verifying needs it done first
    h.refused(
        "capa_not_done",
        x.complaint_id,
        lambda: s.capa_verify(
            actor=mr, complaint_id=x.complaint_id, capa_id=corrective.id, passed=True, note="好"
        ),
    )
    for a in (corrective, preventive):
        s.capa_done(actor=staff, complaint_id=x.complaint_id, capa_id=a.id, note="已落实")
    assert Obligation.objects.get(pk=corrective.obligation_id).state == Obligation.State.MET
    # a failed verification sends the action back with a new deadline
    s.capa_verify(
        actor=mr, complaint_id=x.complaint_id, capa_id=preventive.id, passed=False, note="未覆盖全部楼栋"
    )
    preventive.refresh_from_db()
    assert preventive.state == CapaState.OPEN and preventive.obligation.state == Obligation.State.OPEN
    s.capa_done(actor=staff, complaint_id=x.complaint_id, capa_id=preventive.id, note="已补齐")
    for a in (corrective, preventive):
        s.capa_verify(actor=qm, complaint_id=x.complaint_id, capa_id=a.id, passed=True, note="合格")
    s.ncr_close(actor=mr, complaint_id=x.complaint_id, ncr_id=ncr.id, note="关闭")
    ncr.refresh_from_db()
    assert ncr.state == NcrState.CLOSED and ncr.closed_by == mr
    assert set(CorrectiveAction.objects.filter(ncr=ncr).values_list("state", flat=True)) == {
        CapaState.VERIFIED
    }
    kinds = list(Complaint.objects.get(pk=x.complaint_id).events.values_list("kind", flat=True))
    for k in ("ncr_drafted", "ncr_signed", "capa_assigned", "capa_done", "capa_verified", "ncr_closed"):
        assert k in kinds


def test_ncr_refusals_leave_the_file_unchanged(world):
    x = world.ctx(State.INVESTIGATING)
    mr = world.org.users["mgmt_rep"]
    ncr = _draft(world, x)
    s.ncr_sign(actor=mr, complaint_id=x.complaint_id, ncr_id=ncr.id)
    h.refused(
        "ncr_not_draft",
        x.complaint_id,
        lambda: s.ncr_sign(actor=mr, complaint_id=x.complaint_id, ncr_id=ncr.id),
    )
    x.extra["ncr_id"] = ncr.id
    past = clock.now() - timedelta(hours=1)
    h.refused(
        "validation",
        x.complaint_id,
        lambda: s.capa_assign(
            actor=mr, complaint_id=x.complaint_id, **(h.default_args("capa_assign", x) | {"due_at": past})
        ),
    )
    other = world.org.b.depts["engineering"] if hasattr(world.org, "b") else None
    if other is not None:
        h.refused(
            "department_mismatch",
            x.complaint_id,
            lambda: s.capa_assign(
                actor=mr,
                complaint_id=x.complaint_id,
                **(h.default_args("capa_assign", x) | {"department_id": other.id}),
            ),
        )
    # only the management representative signs (§4.4)
    ncr2 = _draft(world, x)
    qm = world.org.users["qm"]
    h.refused(
        "forbidden_action",
        x.complaint_id,
        lambda: s.ncr_sign(actor=qm, complaint_id=x.complaint_id, ncr_id=ncr2.id),
    )
    h.refused(
        "required",
        x.complaint_id,
        lambda: s.ncr_draft(
            actor=qm, complaint_id=x.complaint_id, **(h.default_args("ncr_draft", x) | {"cause": "  "})
        ),
    )


def test_overdue_capa_is_missed_when_done_late(world):
    x = world.ctx(State.INVESTIGATING)
    mr = world.org.users["mgmt_rep"]
    x.extra["ncr_id"] = s.ncr_issue(
        actor=mr, complaint_id=x.complaint_id, nonconformity="超时", cause="人手", corrective_action="加人"
    ).id
    a = s.capa_assign(actor=mr, complaint_id=x.complaint_id, **h.default_args("capa_assign", x))
    with _at(a.due_at + timedelta(hours=2)):
        s.capa_done(actor=world.org.users["qm"], complaint_id=x.complaint_id, capa_id=a.id, note="迟了")
    assert Obligation.objects.get(pk=a.obligation_id).state == Obligation.State.MISSED


def test_the_report_steps_are_offered_only_when_there_is_something_at_that_step(world):
    """The page and the API offer a report's step only when a report or an action is at it (the service
    would refuse it otherwise): nothing of it on a complaint without a report."""
    from docket.complaints import access
    from docket.complaints.selectors import complaint_detail_for

    x = world.ctx(State.INVESTIGATING)
    mr, qm = world.org.users["mgmt_rep"], world.org.users["qm"]
    staff = h.user_for(world.org, Role.DEPT_STAFF)
    steps = {"ncr_sign", "capa_assign", "capa_done", "capa_verify", "ncr_close"}

    def offered(user):
        c = Complaint.objects.get(pk=x.complaint_id)
        by_api = {a.name for a in access.available_actions(user, c)} & steps
        by_page = {a.name for a in access.available_actions(user, complaint_detail_for(c))} & steps
        assert by_api == by_page
        return by_api

    assert offered(mr) == offered(qm) == offered(staff) == set()
    ncr = _draft(world, x)
    assert offered(mr) == {"ncr_sign"} and offered(qm) == set()
    s.ncr_sign(actor=mr, complaint_id=x.complaint_id, ncr_id=ncr.id, note="同意")
    assert offered(mr) == offered(qm) == {"capa_assign"}
    x.extra["ncr_id"] = ncr.id
    action = s.capa_assign(actor=qm, complaint_id=x.complaint_id, **h.default_args("capa_assign", x))
    assert offered(staff) == {"capa_done"} and offered(qm) == {"capa_assign", "capa_done"}
    s.capa_done(actor=staff, complaint_id=x.complaint_id, capa_id=action.id, note="已落实")
    assert offered(staff) == set() and offered(qm) == {"capa_assign", "capa_verify"}
    s.capa_verify(actor=qm, complaint_id=x.complaint_id, capa_id=action.id, passed=True, note="合格")
    assert offered(mr) == {"capa_assign", "ncr_close"}
    s.ncr_close(actor=mr, complaint_id=x.complaint_id, ncr_id=ncr.id, note="关闭")
    assert offered(mr) == offered(qm) == offered(staff) == set()


def test_a_claims_outcome_is_offered_only_once_a_claim_is_escalated(world):
    from docket.complaints import access
    from docket.complaints.selectors import complaint_detail_for

    x = world.ctx(State.INVESTIGATING)
    qm = world.org.users["qm"]
    steps = {"compensation_decide", "compensation_escalate", "compensation_outcome_record"}

    def offered():
        c = Complaint.objects.get(pk=x.complaint_id)
        by_api = {a.name for a in access.available_actions(qm, c)} & steps
        assert by_api == {a.name for a in access.available_actions(qm, complaint_detail_for(c))} & steps
        return by_api

    assert offered() == set()
    claim = _claim(world, x)
    assert offered() == {"compensation_decide", "compensation_escalate"}
    s.compensation_escalate(
        actor=qm,
        complaint_id=x.complaint_id,
        claim_id=claim.id,
        note="超出权限，费用报批",
        to_developer=False,
    )
    assert offered() == {"compensation_outcome_record"}
