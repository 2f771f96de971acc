"""The seed's procedure, part 2 (issue 15): the outcome of an escalated compensation claim (seed 5.2.4.2),
and the 不合格/纠正、预防措施报告 with its corrective and preventive actions (seed document 5 §3.3, §4.3–4.4).

Each record keeps its own deadline (`Obligation`, one per record, linked from the record), so several
claims or actions of one complaint run their own clocks and the overdue sweep and the complaint page see
them like every other deadline.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from docket.core.errors import DomainError

from ..models import (
    CapaKind,
    CapaState,
    ClaimOutcome,
    ClaimState,
    CompensationClaim,
    CorrectiveAction,
    NcrState,
    NonconformityReport,
    Obligation,
)
from ._base import Act, acting, text_required
from .handling import _responsible_in
from .intake import department_for
from .obligations import obligation_start
from .records import _amount


def obligation_meet_one(act: Act, ob_id: int | None) -> None:
    """Meet the one obligation of a record (late ones stay `missed`, with met_at)."""
    if ob_id is None:
        return
    ob = Obligation.objects.select_for_update().filter(pk=ob_id, met_at__isnull=True).first()
    if ob is None or ob.state == Obligation.State.CANCELLED:
        return
    ob.met_at = act.now
    if ob.state in (Obligation.State.OPEN, Obligation.State.PAUSED):
        ob.state = Obligation.State.MET if act.now <= ob.due_at else Obligation.State.MISSED
        if ob.state == Obligation.State.MISSED:
            ob.breached_at = ob.due_at
    ob.next_check_at = None
    ob.save(update_fields=["met_at", "state", "breached_at", "next_check_at"])
    act.obligations_changed = True


# --- compensation: the outcome of an escalated claim (5.2.4.2) -------------------------------------------------


def compensation_outcome_record(
    *,
    actor,
    complaint_id: int,
    claim_id: int,
    outcome: str,
    reasons: str,
    amount=None,
    expected_version: int | None = None,
) -> CompensationClaim:
    """Record what the developer's centre or the company's approval (费用报批 / 重大业务审批) decided on an
    escalated claim: approved (the claimed amount unless a smaller one is given), partly (a smaller amount)
    or refused, with the reasons. Meets the claim's outcome deadline."""
    reasons = text_required(reasons, "结果理由")
    if outcome not in ClaimOutcome.values:
        raise DomainError("validation", detail="审批结果无效")
    with acting(
        actor=actor,
        complaint_id=complaint_id,
        action="compensation_outcome_record",
        expected_version=expected_version,
    ) as act:
        claim = (
            CompensationClaim.objects.select_for_update().filter(pk=claim_id, complaint=act.complaint).first()
        )
        if claim is None:
            raise DomainError("not_found")
        if claim.state != ClaimState.ESCALATED:
            raise DomainError("claim_not_escalated")
        final: Decimal | None
        if outcome == ClaimOutcome.REFUSED:
            if amount not in (None, "") and _amount_or_zero(amount) != 0:
                raise DomainError("validation", detail="不同意时不应填写金额")
            final = Decimal("0.00")
        elif outcome == ClaimOutcome.APPROVED:
            final = _amount(amount) if amount not in (None, "") else claim.amount
            if claim.amount and final != claim.amount:
                raise DomainError("validation", detail="全部同意时金额应等于索赔金额；金额不同请选部分同意")
        else:
            if amount in (None, ""):
                raise DomainError("validation", detail="部分同意须填写同意的金额")
            final = _amount(amount)
            if claim.amount and final >= claim.amount:
                raise DomainError("validation", detail="部分同意的金额须小于索赔金额")
        claim.state = ClaimState.SETTLED
        claim.outcome, claim.outcome_amount, claim.outcome_reasons = outcome, final, reasons
        claim.outcome_by, claim.outcome_at = actor, act.now
        claim.save(
            update_fields=[
                "state",
                "outcome",
                "outcome_amount",
                "outcome_reasons",
                "outcome_by",
                "outcome_at",
            ]
        )
        obligation_meet_one(act, claim.obligation_id)
        act.record(
            "compensation_outcome_recorded",
            {
                "claim": claim.id,
                "outcome": str(ClaimOutcome(outcome).label),
                "amount": final,
                "reasons": reasons,
                "route": str(claim.get_route_display()),
            },
        )
    return claim


def _amount_or_zero(value) -> Decimal:
    try:
        return Decimal(str(value))
    except Exception as exc:  # noqa: BLE001 - any unparsable amount is a validation problem
        raise DomainError("validation", detail="金额格式不正确") from exc


# --- the nonconformity report and its actions (document 5 §4.3–4.4) -------------------------------------------


def _texts(nonconformity: str, cause: str, corrective_action: str) -> tuple[str, str, str]:
    return (
        text_required(nonconformity, "不合格事实"),
        text_required(cause, "原因分析"),
        text_required(corrective_action, "纠正措施"),
    )


def ncr_draft(
    *,
    actor,
    complaint_id: int,
    department_id: int,
    nonconformity: str,
    cause: str,
    corrective_action: str,
    preventive_action: str = "",
    expected_version: int | None = None,
) -> NonconformityReport:
    """A department fills in the report itself (document 5 §4.3); it waits for the management
    representative's signature (§4.4), with a deadline."""
    nonconformity, cause, corrective_action = _texts(nonconformity, cause, corrective_action)
    with acting(
        actor=actor, complaint_id=complaint_id, action="ncr_draft", expected_version=expected_version
    ) as act:
        c = act.complaint
        dept = department_for(c, department_id)
        ncr = NonconformityReport.objects.create(
            complaint=c,
            company_id=c.company_id,
            state=NcrState.DRAFT,
            department=dept,
            nonconformity=nonconformity,
            cause=cause,
            corrective_action=corrective_action,
            preventive_action=(preventive_action or "").strip(),
            drafted_by=actor,
            drafted_at=act.now,
        )
        ob = obligation_start(act, Obligation.Kind.NCR_SIGN)
        if ob is not None:
            ncr.sign_obligation = ob
            ncr.save(update_fields=["sign_obligation"])
        act.record(
            "ncr_drafted",
            {
                "ncr": ncr.id,
                "department": dept.name,
                "nonconformity": nonconformity,
                "cause": cause,
                "corrective_action": corrective_action,
                "preventive_action": ncr.preventive_action,
            },
        )
    return ncr


def _ncr(complaint, ncr_id: int) -> NonconformityReport:
    ncr = NonconformityReport.objects.select_for_update().filter(pk=ncr_id, complaint=complaint).first()
    if ncr is None:
        raise DomainError("not_found")
    return ncr


def ncr_sign(
    *, actor, complaint_id: int, ncr_id: int, note: str = "", expected_version: int | None = None
) -> NonconformityReport:
    """The management representative signs a department's report before it is handled (§4.4)."""
    with acting(
        actor=actor, complaint_id=complaint_id, action="ncr_sign", expected_version=expected_version
    ) as act:
        ncr = _ncr(act.complaint, ncr_id)
        if ncr.state != NcrState.DRAFT:
            raise DomainError("ncr_not_draft")
        ncr.state, ncr.issued_by, ncr.issued_at = NcrState.SIGNED, actor, act.now
        ncr.save(update_fields=["state", "issued_by", "issued_at"])
        obligation_meet_one(act, ncr.sign_obligation_id)
        act.record("ncr_signed", {"ncr": ncr.id, "note": (note or "").strip()})
    return ncr


def capa_assign(
    *,
    actor,
    complaint_id: int,
    ncr_id: int,
    kind: str,
    description: str,
    department_id: int,
    responsible_id: int | None = None,
    due_at: datetime | None = None,
    expected_version: int | None = None,
) -> CorrectiveAction:
    """Assign one corrective or preventive action of a signed report to a department (and person), with a
    deadline: the one given, or the policy's `capa` default."""
    description = text_required(description, "措施内容")
    if kind not in CapaKind.values:
        raise DomainError("validation", detail="措施类型无效")
    with acting(
        actor=actor, complaint_id=complaint_id, action="capa_assign", expected_version=expected_version
    ) as act:
        c = act.complaint
        ncr = _ncr(c, ncr_id)
        if ncr.state != NcrState.SIGNED:
            raise DomainError("ncr_not_signed")
        dept = department_for(c, department_id)
        person = _responsible_in(dept, responsible_id, c.level)
        if due_at is not None and due_at <= act.now:
            raise DomainError("validation", detail="完成期限须晚于现在")
        ob = obligation_start(act, Obligation.Kind.CAPA, due_at=due_at)
        if ob is None:  # pragma: no cover - the policy always has a capa rule (validated)
            raise DomainError("validation", detail="未设置纠正/预防措施期限")
        ob.holder_department, ob.holder = dept, person
        ob.save(update_fields=["holder_department", "holder"])
        action = CorrectiveAction.objects.create(
            ncr=ncr,
            complaint=c,
            company_id=c.company_id,
            kind=kind,
            description=description,
            department=dept,
            responsible=person,
            due_at=ob.due_at,
            obligation=ob,
            assigned_by=actor,
            assigned_at=act.now,
        )
        act.record(
            "capa_assigned",
            {
                "ncr": ncr.id,
                "capa": action.id,
                "capa_kind": str(CapaKind(kind).label),
                "measures": description,
                "department": dept.name,
                "responsible": str(person) if person else "",
                "due_at": ob.due_at,
            },
        )
    return action


def _capa(complaint, capa_id: int, state: str, code: str) -> CorrectiveAction:
    action = CorrectiveAction.objects.select_for_update().filter(pk=capa_id, complaint=complaint).first()
    if action is None:
        raise DomainError("not_found")
    if action.state != state:
        raise DomainError(code)
    return action


def capa_done(
    *, actor, complaint_id: int, capa_id: int, note: str, expected_version: int | None = None
) -> CorrectiveAction:
    """The department reports an action carried out; meets its deadline."""
    note = text_required(note, "落实情况")
    with acting(
        actor=actor, complaint_id=complaint_id, action="capa_done", expected_version=expected_version
    ) as act:
        action = _capa(act.complaint, capa_id, CapaState.OPEN, "capa_not_open")
        action.state, action.done_note, action.done_by, action.done_at = CapaState.DONE, note, actor, act.now
        action.save(update_fields=["state", "done_note", "done_by", "done_at"])
        obligation_meet_one(act, action.obligation_id)
        act.record("capa_done", {"capa": action.id, "note": note})
    return action


def capa_verify(
    *,
    actor,
    complaint_id: int,
    capa_id: int,
    passed: bool,
    note: str,
    expected_version: int | None = None,
) -> CorrectiveAction:
    """Verify a carried-out action: passed, or back to the department with a new deadline (the policy's)."""
    note = text_required(note, "验证情况")
    with acting(
        actor=actor, complaint_id=complaint_id, action="capa_verify", expected_version=expected_version
    ) as act:
        action = _capa(act.complaint, capa_id, CapaState.DONE, "capa_not_done")
        action.verify_note, action.verified_by, action.verified_at = note, actor, act.now
        fields = ["state", "verify_note", "verified_by", "verified_at"]
        if passed:
            action.state = CapaState.VERIFIED
        else:
            action.state = CapaState.OPEN
            ob = obligation_start(act, Obligation.Kind.CAPA)
            if ob is not None:
                ob.holder_department_id, ob.holder_id = action.department_id, action.responsible_id
                ob.save(update_fields=["holder_department", "holder"])
                action.obligation, action.due_at = ob, ob.due_at
                fields += ["obligation", "due_at"]
        action.save(update_fields=fields)
        act.record("capa_verified", {"capa": action.id, "passed": passed, "note": note})
    return action


def ncr_close(
    *, actor, complaint_id: int, ncr_id: int, note: str = "", expected_version: int | None = None
) -> NonconformityReport:
    """Close a signed report once it has actions and every one is verified."""
    with acting(
        actor=actor, complaint_id=complaint_id, action="ncr_close", expected_version=expected_version
    ) as act:
        ncr = _ncr(act.complaint, ncr_id)
        if ncr.state != NcrState.SIGNED:
            raise DomainError("ncr_not_signed")
        states = list(ncr.actions.values_list("state", flat=True))
        if not states or any(s != CapaState.VERIFIED for s in states):
            raise DomainError("ncr_actions_open")
        ncr.state, ncr.closed_by, ncr.closed_at = NcrState.CLOSED, actor, act.now
        ncr.save(update_fields=["state", "closed_by", "closed_at"])
        act.record("ncr_closed", {"ncr": ncr.id, "note": (note or "").strip()})
    return ncr
