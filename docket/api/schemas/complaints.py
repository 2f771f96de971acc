"""Complaint representations: the list row, the full record, the timeline and the hash chain."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import Field


class OfficeRef(Schema):
    id: int
    code: str
    name: str


class ComplaintSummary(Schema):
    """One row of the list: no personal data."""

    id: int
    receipt_no: str
    kind: str
    channel: str
    method: str
    state: str
    state_label: str
    severity: str
    level: str
    subject: str
    office: OfficeRef
    received_at: datetime
    updated_at: datetime
    next_due_at: datetime | None
    overdue: bool
    holder_department: str | None
    version: int = Field(description="send it back as `version` with an action (optimistic concurrency)")


class ComplaintPage(Schema):
    items: list[ComplaintSummary]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null on the last page")


class IssueOut(Schema):
    id: int
    seq: int
    summary: str
    category_id: int | None
    category: str | None
    department_id: int | None
    department: str | None
    responsible: str | None
    state: str
    findings: str
    measures: str
    verification_note: str
    verified_at: datetime | None
    # seed3 (issue 15, R-INT-5): answered on its own (an issue answer sent), closed on its own.
    answered_at: datetime | None = None
    closed_at: datetime | None = None


class ObligationOut(Schema):
    """One deadline of the complaint (R-SLA-3): due time computed once when it started."""

    id: int
    kind: str
    kind_label: str
    state: str = Field(description="open, met, missed, paused or cancelled")
    state_label: str
    started_at: datetime
    due_at: datetime
    warn_at: datetime | None
    met_at: datetime | None
    breached_at: datetime | None
    paused_at: datetime | None
    provisional: bool = Field(
        description="due time computed without the year's holiday data; recomputed later"
    )
    on_time: bool | None = Field(description="met no later than due; null while not met")
    holder_department: str | None


class CoSignerOut(Schema):
    name: str
    room: str
    phone: str


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    issue_id: int | None
    uploaded_at: datetime
    url: str = Field(description="GET it (with the same credentials) to download the file")


class ReplyOut(Schema):
    number: int
    state: str
    body: str
    created_at: datetime
    sent_at: datetime | None


class IssueAnswerOut(Schema):
    """An answer to one or more issues sent on its own before the final reply (R-INT-5)."""

    id: int
    number: int
    issues: list[int] = Field(description="the seq of each issue it answers")
    state: str
    pending_stage: str
    body: str
    sent_at: datetime | None


class ActionOut(Schema):
    name: str = Field(description="POST /complaints/{id}/actions/{name}")
    label: str


class ComplaintDetail(ComplaintSummary):
    """The whole record as staff see it, with what the caller may do next."""

    community: str
    anonymous: bool
    complainant_name: str
    complainant_phone: str
    complainant_address: str
    complainant_email: str
    room: str | None
    location: str
    # seed part 2 (issue 15, R-ORG-2): the building, the public area, and the place as one line
    building: str | None = None
    public_area: str | None = None
    place: str = ""
    people_count: int
    complainant_type: str = Field(
        "", description="owner, tenant, visitor, staff, other; empty when not asked"
    )
    description: str
    demand: str
    lawsuit_filed: bool
    media_exposed: bool
    legal_or_media_risk: bool
    developer_related: bool
    compensation_claimed: bool
    home_return_requested: bool
    sensitive: bool
    unreasonable: bool
    forwarded_by_id: int | None
    forwarder_ref: str
    forwarder_due_at: datetime | None
    received_by: str | None
    holder: str | None
    responsible: str | None
    review_stage: str
    paused_at: datetime | None
    resume_on: datetime | None
    closure_kind: str
    closure_note: str
    closed_at: datetime | None
    satisfaction: int | None
    # escalation (issue 12)
    severity_basis: list[str] = Field(
        description="why the complaint is hot or major: the rule codes of its last automatic classification "
        "(lawsuit_filed, media_exposed, collective_major, unresolved_major, legal_media_risk, repeat_people, "
        "collective_hot, unresolved_hot) or ['manual'] when staff raised it; empty when normal"
    )
    severity_at: datetime | None = Field(description="when it was last classified or raised")
    issues: list[IssueOut]
    obligations: list[ObligationOut]
    cosigners: list[CoSignerOut]
    attachments: list[AttachmentOut]
    replies: list[ReplyOut]
    issue_answers: list[IssueAnswerOut] = []
    available_actions: list[ActionOut]


class EventOut(Schema):
    seq: int
    kind: str
    label: str
    at: datetime
    actor_name: str
    actor_role: str
    public: bool
    payload: dict[str, Any]


class ChainEvent(Schema):
    """Every field the hash covers, as hashed: anyone can recompute the chain (complaints/events.py)."""

    seq: int
    kind: str
    complaint: int
    company: int
    actor: int | None
    actor_name: str
    actor_role: str
    at: str = Field(description="UTC, ISO 8601 with microseconds, exactly as hashed")
    public: bool
    payload: dict[str, Any]
    prev_hash: str
    hash: str


class ChainProblemOut(Schema):
    seq: int
    reason: str


class ChainOut(Schema):
    complaint_id: int
    receipt_no: str
    valid: bool
    problem: ChainProblemOut | None
    receipt_digest: str = Field(description="the registration event's hash, printed on the receipt")
    events: list[ChainEvent]
