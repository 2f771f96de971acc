"""Bulk hand-over (issue 14, as Zammad and Freshdesk agents have it): several chosen complaints handed to one
department (and person) at once.

Nothing new is decided here: each complaint gets the existing single action — 派单 (`complaint_assign`) while
it is registered, 转派 (`complaint_transfer`, with the reason) once a department holds it — in its own
transaction, with that action's own checks (visibility, state, the actor's role and scope, the department
and the person). A refusal of one complaint leaves it exactly as it was and does not stop the others; the
answer lists, per complaint, whether it was handed over and, if not, the stable code and the message."""

from __future__ import annotations

from dataclasses import dataclass

from docket.core.errors import DomainError

from .. import access, workflow
from .handling import complaint_assign, complaint_transfer

BULK_MAX = 100  # complaints per request: a page of the list or queue is 50


@dataclass(frozen=True)
class BulkItem:
    """The outcome for one chosen complaint. `receipt_no` is empty when the complaint is not visible to
    the actor (it is then reported as `not_found`, like any invisible complaint)."""

    complaint_id: int
    receipt_no: str
    ok: bool
    action: str  # "assign" or "transfer" (the action tried), "" when none applies
    code: str  # "" when done; else a stable code of docket.core.errors.ERRORS
    message: str  # "" when done; else the refusal as the user reads it


def bulk_hand_over_action(state: str) -> str | None:
    """The single action that hands a complaint in `state` over: 派单 before a department holds it, 转派
    after; None in every other state."""
    for name in ("assign", "transfer"):
        if state in workflow.ACTIONS[name].sources:
            return name
    return None


def complaints_hand_over(
    *,
    actor,
    complaint_ids: list[int],
    department_id: int,
    responsible_id: int | None = None,
    reason: str = "",
    versions: dict[int, int] | None = None,
) -> list[BulkItem]:
    """Hand each chosen complaint to `department_id` (and `responsible_id`) with its own single action,
    one transaction each; returns one `BulkItem` per distinct id, in the order given. `versions`
    {complaint_id: version} optionally carries the version the caller saw (else the current one is used).
    Refuses the whole request only when the actor holds no role that hands over (`forbidden_action`) or
    the list is empty or too long (`validation`)."""
    if not may_hand_over_in_bulk(actor):
        raise DomainError("forbidden_action")
    ids = list(dict.fromkeys(int(i) for i in complaint_ids))
    if not ids:
        raise DomainError("validation", detail="请至少选择一件投诉")
    if len(ids) > BULK_MAX:
        raise DomainError("validation", detail=f"一次最多处理 {BULK_MAX} 件投诉")
    versions = versions or {}
    out: list[BulkItem] = []
    for cid in ids:
        try:
            complaint = access.access_complaint(actor, cid, related=())
        except DomainError as exc:
            out.append(BulkItem(cid, "", False, "", exc.code, exc.message))
            continue
        action = bulk_hand_over_action(complaint.state)
        try:
            if action is None:
                raise DomainError(
                    "invalid_transition",
                    state=complaint.get_state_display(),
                    action=f"{workflow.ACTIONS['assign'].label}/{workflow.ACTIONS['transfer'].label}",
                )
            # The role first, so that someone who may not 转派 hears that rather than "请填写转派原因"
            # (the action checks it again under the row lock).
            access.require(actor, complaint, action)
            if action == "assign":
                complaint_assign(
                    actor=actor,
                    complaint_id=cid,
                    department_id=department_id,
                    responsible_id=responsible_id,
                    expected_version=versions.get(cid),
                )
            else:
                complaint_transfer(
                    actor=actor,
                    complaint_id=cid,
                    department_id=department_id,
                    responsible_id=responsible_id,
                    reason=reason,
                    expected_version=versions.get(cid),
                )
        except DomainError as exc:
            out.append(BulkItem(cid, complaint.receipt_no, False, action or "", exc.code, exc.message))
        else:
            out.append(BulkItem(cid, complaint.receipt_no, True, action or "", "", ""))
    return out


def may_hand_over_in_bulk(user) -> bool:
    """Whether the bulk bar is offered: the user holds a role on the 派单 or 转派 row (each complaint is
    still checked on its own)."""
    from docket.accounts.access import assignments_of

    roles = workflow.ACTIONS["assign"].roles | workflow.ACTIONS["transfer"].roles
    return any(a.role in roles for a in assignments_of(user))
