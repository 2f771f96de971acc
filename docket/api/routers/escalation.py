"""`GET /escalation/board`: the hot and major complaints the caller may see (R-ESC), with the rule and
evidence of their classification and the state of their report obligations — the board page's rows,
without personal data. For QM, the information officer, leadership, the management representative, the
office manager and the group's property department (escalation, issue 12)."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Query, Router, Schema
from pydantic import Field

from docket.core.errors import DomainError
from docket.escalation import selectors

from ..schemas.common import ERROR_STATUSES, MAX_ID, ErrorOut

router = Router(tags=["escalation"])


class BoardQuery(Schema):
    severity: str = Field("", pattern="^(|hot|major)$", description="hot or major; empty: both")
    state: str = Field("", pattern="^(|open|ended|overdue)$", description="open, ended, or overdue reports")
    office: int | None = Field(None, ge=1, le=MAX_ID, description="one office in the caller's scope")
    date_from: date | None = Field(None, alias="from", description="received on or after (local date)")
    date_to: date | None = Field(None, alias="to", description="received on or before (local date)")


class DutyOut(Schema):
    kind: str = Field(
        description="report_group, group_progress, case_report, special_report, authority_report"
    )
    label: str
    due_at: datetime
    state: str = Field(description="met, met_late, overdue, due, paused or cancelled")


class BoardRow(Schema):
    id: int
    receipt_no: str
    severity: str
    subject: str
    state: str
    office: str
    received_at: datetime
    rules: list[str] = Field(description="the rules that made it hot/major, as labels")
    evidence: list[str]
    classified_at: datetime | None
    by_hand: bool
    duties: list[DutyOut]


@router.get(
    "/escalation/board",
    response={200: list[BoardRow], ERROR_STATUSES: ErrorOut},
    operation_id="escalation_board",
    summary="Hot and major complaints with their rule, evidence and report obligations",
)
def escalation_board(request, q: Query[BoardQuery]):
    if not selectors.may_see_board(request.auth):
        raise DomainError("forbidden_action")
    f = selectors.Filters(
        severity=q.severity, state=q.state, office_id=q.office, date_from=q.date_from, date_to=q.date_to
    )
    return [
        {
            "id": r.complaint.pk,
            "receipt_no": r.complaint.receipt_no,
            "severity": r.complaint.severity,
            "subject": r.complaint.subject,
            "state": r.complaint.state,
            "office": r.complaint.office.name,
            "received_at": r.complaint.received_at,
            "rules": r.rules,
            "evidence": r.evidence,
            "classified_at": r.classified_at,
            "by_hand": r.by_hand,
            "duties": [
                {"kind": d.kind, "label": d.label, "due_at": d.due_at, "state": d.state} for d in r.duties
            ],
        }
        for r in selectors.board(request.auth, f)
    ]
