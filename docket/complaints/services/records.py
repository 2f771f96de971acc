"""Side records that do not move the complaint: notes, compensation, the nonconformity report
(R-EXP-2, R-HDL-5, R-HDL-7)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from docket.core.errors import DomainError
from docket.org.models import ExternalParty

from .. import access
from ..models import ClaimRoute, ClaimState, CompensationClaim, NonconformityReport, Obligation
from ._base import acting, text_required
from .obligations import obligation_start


def note_add(*, actor, complaint_id: int, text: str, expected_version: int | None = None) -> None:
    """An internal note: on the staff timeline, never on the complainant's (R-EXP-2)."""
    text = text_required(text, "备注")
    with acting(
        actor=actor, complaint_id=complaint_id, action="note_add", expected_version=expected_version
    ) as act:
        act.record("note_added", {"text": text})


def complainant_wrote_record(
    *, actor, complaint_id: int, body: str, method: str = "", expected_version: int | None = None
) -> None:
    """The complainant wrote again about an open complaint (a reply email, a letter): their words go on
    the staff timeline as `complainant_wrote` and the holder is told (notices: 顾客回复). Internal like a
    note, and allowed to whoever may add a note (R-EXP-2)."""
    body = text_required(body, "来信内容")
    with acting(
        actor=actor, complaint_id=complaint_id, action="note_add", expected_version=expected_version
    ) as act:
        act.record("complainant_wrote", {"body": body, "method": method})


CHASE_VIA = {"phone": "电话", "visit": "来访", "online": "网上（凭回执自助）", "email": "邮件"}


def _chase(act, text: str, via: str) -> int:
    """R-EXP-4: record one chase (public on the complainant's timeline) with its running count; the holder
    and the holder's superiors are told (notices: 顾客催办). A second chase within
    DOCKET_CHASE_MIN_MINUTES is refused, so a complainant cannot flood the holder."""
    from django.conf import settings

    from ..models import TERMINAL_STATES, ComplaintEvent

    c = act.complaint
    if c.state in TERMINAL_STATES:
        raise DomainError("complaint_ended")
    if via not in CHASE_VIA:
        raise DomainError("validation", detail="催办方式不正确")
    last = (
        ComplaintEvent.objects.filter(complaint=c, kind="complainant_chased")
        .order_by("-seq")
        .values_list("at", "payload")
        .first()
    )
    interval = int(getattr(settings, "DOCKET_CHASE_MIN_MINUTES", 60))
    if last is not None and (act.now - last[0]).total_seconds() < interval * 60:
        raise DomainError("chase_too_soon", minutes=interval)
    count = (int(last[1].get("count", 0)) if last else 0) + 1
    act.record("complainant_chased", {"text": text, "via": via, "count": count})
    act.set(chased_at=act.now)  # the queue's 被催办 tab reads it (selectors._chased_q)
    return count


def chase_record(
    *, actor, complaint_id: int, text: str, via: str = "phone", expected_version: int | None = None
) -> None:
    """Staff record a chase the complainant made by phone or at the desk."""
    text = text_required(text, "催办内容")
    with acting(
        actor=actor, complaint_id=complaint_id, action="chase_record", expected_version=expected_version
    ) as act:
        _chase(act, text, via)


def complainant_chase(*, complaint_id: int, text: str) -> int:
    """The complainant chases their own complaint through the receipt check (no account: the interface has
    matched the receipt number with the phone or check code). Returns the chase's running count."""
    from ..actors import Actor
    from ._base import system_acting

    text = text_required(text, "催办内容")[:500]
    with system_acting(
        actor=Actor.complainant("receipt"), complaint_id=complaint_id, action="complainant_chase"
    ) as act:
        if act is None:
            raise DomainError("not_found")
        count = _chase(act, text, "online")
    return count


def _amount(value) -> Decimal:
    try:
        amount = Decimal(str(value))
        if not amount.is_finite():
            raise InvalidOperation
        amount = amount.quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError) as exc:
        raise DomainError("validation", detail="金额格式不正确") from exc
    if amount <= 0 or amount >= Decimal("10000000000"):
        raise DomainError("validation", detail="金额须大于0")
    return amount


def compensation_claim_record(
    *,
    actor,
    complaint_id: int,
    amount=None,
    description: str,
    involves_construction_or_sales: bool = False,
    home_return: bool = False,
    expected_version: int | None = None,
) -> CompensationClaim:
    """Record a compensation claim with its amount (R-HDL-7), or a home-return/exchange request (seed
    5.2.4.2 退(换)房: a tracked claim, the amount optional). Every claim is reported to the company's
    leadership (seed 5.2.4.1: the `compensation_claimed` notice)."""
    if home_return and amount in (None, ""):
        amount = Decimal("0.00")
    elif amount in (None, ""):
        raise DomainError("validation", detail="请填写索赔金额（退房/换房要求可不填）")
    else:
        amount = _amount(amount)
    description = text_required(description, "索赔内容")
    with acting(
        actor=actor,
        complaint_id=complaint_id,
        action="compensation_claim_record",
        expected_version=expected_version,
    ) as act:
        c = act.complaint
        claim = CompensationClaim.objects.create(
            complaint=c,
            company_id=c.company_id,
            amount=amount,
            description=description,
            involves_construction_or_sales=involves_construction_or_sales,
            home_return=home_return,
            recorded_by=actor,
            recorded_at=act.now,
        )
        act.set(compensation_claimed=True)
        if home_return and not act.complaint.home_return_requested:
            act.set(home_return_requested=True)
        act.record(
            "compensation_claimed",
            {
                "claim": claim.id,
                "amount": amount,
                "description": description,
                "involves_construction_or_sales": involves_construction_or_sales,
                "home_return": home_return,
            },
        )
    return claim


def _pending_claim(complaint, claim_id: int) -> CompensationClaim:
    claim = CompensationClaim.objects.select_for_update().filter(pk=claim_id, complaint=complaint).first()
    if claim is None:
        raise DomainError("not_found")
    if claim.state != ClaimState.PENDING:
        raise DomainError("claim_not_pending")
    return claim


def compensation_decide(
    *,
    actor,
    complaint_id: int,
    claim_id: int,
    approve: bool,
    note: str,
    approved_amount=None,
    expected_version: int | None = None,
) -> CompensationClaim:
    """Approve (up to the decider's own limit) or reject a claim. Claims involving construction or sales
    cannot be approved here: they go to the developer's centre (compensation_escalate) (R-HDL-7)."""
    note = text_required(note, "审批意见")
    with acting(
        actor=actor,
        complaint_id=complaint_id,
        action="compensation_decide",
        expected_version=expected_version,
    ) as act:
        claim = _pending_claim(act.complaint, claim_id)
        amount = None
        if approve:
            if claim.involves_construction_or_sales:
                raise DomainError("validation", detail="涉及工程或销售问题的索赔须上报地产客户关系中心")
            if claim.home_return:  # seed 5.2.4.2: the developer's centre decides a home return/exchange
                raise DomainError("validation", detail="退房/换房要求须反馈地产客户关系中心")
            amount = _amount(approved_amount if approved_amount is not None else claim.amount)
            if amount > claim.amount:
                raise DomainError("validation", detail="批准金额不能超过索赔金额")
            limit = access.compensation_limit(actor, act.complaint)
            if limit is None or amount > limit:
                raise DomainError("over_limit", amount=amount, limit=limit if limit is not None else 0)
        claim.state = ClaimState.APPROVED if approve else ClaimState.REJECTED
        claim.approved_amount, claim.decided_by, claim.decided_at, claim.decision_note = (
            amount,
            actor,
            act.now,
            note,
        )
        claim.save(update_fields=["state", "approved_amount", "decided_by", "decided_at", "decision_note"])
        act.record(
            "compensation_decided", {"claim": claim.id, "approved": approve, "amount": amount, "note": note}
        )
    return claim


def compensation_escalate(
    *,
    actor,
    complaint_id: int,
    claim_id: int,
    note: str,
    to_developer: bool,
    expected_version: int | None = None,
) -> CompensationClaim:
    """Above the company's limit, or involving construction/sales: report to the developer's centre or the
    company's approval process (R-HDL-7)."""
    note = text_required(note, "上报说明")
    with acting(
        actor=actor,
        complaint_id=complaint_id,
        action="compensation_escalate",
        expected_version=expected_version,
    ) as act:
        claim = _pending_claim(act.complaint, claim_id)
        target = "company_approval"
        if claim.home_return and not to_developer:  # seed 5.2.4.2
            raise DomainError("validation", detail="退房/换房要求须反馈地产客户关系中心")
        if to_developer:
            party = ExternalParty.objects.filter(
                kind=ExternalParty.Kind.DEVELOPER, group_id=act.complaint.company.group_id
            ).first()
            if party is None:
                raise DomainError("validation", detail="未设置地产客户关系中心")
            target = party.name
        claim.state, claim.decided_by, claim.decided_at, claim.decision_note = (
            ClaimState.ESCALATED,
            actor,
            act.now,
            note,
        )
        # seed part 2 (issue 15): the escalated claim's outcome is due by the policy's `claim_outcome` rule.
        claim.route = ClaimRoute.DEVELOPER if to_developer else ClaimRoute.COMPANY_APPROVAL
        ob = obligation_start(act, Obligation.Kind.CLAIM_OUTCOME)
        claim.obligation = ob
        claim.outcome_due_at = ob.due_at if ob is not None else None
        claim.save(
            update_fields=[
                "state",
                "decided_by",
                "decided_at",
                "decision_note",
                "route",
                "obligation",
                "outcome_due_at",
            ]
        )
        act.record(
            "compensation_escalated",
            {"claim": claim.id, "to": target, "note": note, "due_at": claim.outcome_due_at},
        )
    return claim


def ncr_issue(
    *,
    actor,
    complaint_id: int,
    nonconformity: str,
    cause: str,
    corrective_action: str,
    preventive_action: str = "",
    expected_version: int | None = None,
) -> NonconformityReport:
    """The management representative issues a 不合格/纠正、预防措施报告 for what exceeds a department
    (R-HDL-5, seed document 5 §4.4)."""
    nonconformity = text_required(nonconformity, "不合格事实")
    cause = text_required(cause, "原因分析")
    corrective_action = text_required(corrective_action, "纠正措施")
    with acting(
        actor=actor, complaint_id=complaint_id, action="ncr_issue", expected_version=expected_version
    ) as act:
        c = act.complaint
        ncr = NonconformityReport.objects.create(
            complaint=c,
            company_id=c.company_id,
            nonconformity=nonconformity,
            cause=cause,
            corrective_action=corrective_action,
            preventive_action=preventive_action.strip(),
            issued_by=actor,
            issued_at=act.now,
        )
        act.record(
            "ncr_issued",
            {
                "ncr": ncr.id,
                "nonconformity": nonconformity,
                "cause": cause,
                "corrective_action": corrective_action,
                "preventive_action": ncr.preventive_action,
            },
        )
    return ncr
