"""Reads for the owners' portal. Everything here is what the complainant of ONE complaint may see about it:
no other complaint, no internal event, no staff name or phone (the public timeline and public fields only).
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass, field
from datetime import datetime

from docket.accounts.models import RoleAssignment
from docket.complaints import kinds, workflow
from docket.complaints.events import chain_verify, public_text, receipt_digest
from docket.complaints.models import TERMINAL_STATES, Complaint, Obligation, ReplyState
from docket.complaints.selectors import timeline_for

# The deadlines the complainant is owed (acknowledge, reply, the check of the measures, the follow-up
# visit); the review stage, the forwarder's own deadline and the report to the group are internal.
PUBLIC_OBLIGATIONS = (
    Obligation.Kind.ACKNOWLEDGE,
    Obligation.Kind.REPLY,
    Obligation.Kind.VERIFY,
    Obligation.Kind.FOLLOW_UP,
    Obligation.Kind.SECOND_REVIEW,  # portal answers (issue 11): the review the owner asked for
)
_QR = re.compile(r"^DOCKET:([A-Za-z0-9-]{1,32}):([0-9a-fA-F]{16,128})$")
RECEIPT_NO = re.compile(r"^[A-Za-z0-9-]{1,32}$")


@dataclass
class PublicEvent:
    label: str
    at: datetime
    text: str


@dataclass
class Tracking:
    """The tracking page's whole content, built from public fields only."""

    receipt_no: str
    state: str
    state_label: str
    kind_label: str
    subject: str
    received_at: datetime
    method_label: str
    place: str
    handled_by: str
    issues: list[tuple[str, str]]
    deadlines: list[Obligation]
    timeline: list[PublicEvent]
    reply: str
    reply_sent_at: datetime | None
    can_agree: bool
    can_disagree: bool
    can_chase: bool
    closed_at: datetime | None = None
    notes: list[str] = field(default_factory=list)


def holder_post(c: Complaint) -> str:
    """The post (岗位) of whoever holds the complaint in its department — "部门主管" — never the person, their
    name or phone (issue 11: "who handles it (department and post, no staff phone)"). Empty when nobody
    holds it yet."""
    if c.holder_id is None or c.holder_department_id is None:
        return ""
    post = (
        RoleAssignment.objects.filter(user_id=c.holder_id, department_id=c.holder_department_id)
        .order_by("id")
        .first()
    )
    return str(post.get_role_display()) if post is not None else ""


def tracking(c: Complaint) -> Tracking:
    """What the complainant sees about their own complaint `c` (already matched with its check code)."""
    reply = c.replies.filter(state=ReplyState.SENT).order_by("-number").first()
    deadlines = list(
        c.obligations.filter(
            kind__in=PUBLIC_OBLIGATIONS,
            state__in=[Obligation.State.OPEN, Obligation.State.MISSED, Obligation.State.PAUSED],
            met_at__isnull=True,
        ).order_by("due_at")
    )
    holder = c.holder_department.name if c.holder_department is not None else c.office.name
    post = holder_post(c)
    if post:
        holder = f"{holder} · {post}"
    return Tracking(
        receipt_no=c.receipt_no,
        state=c.state,
        state_label=str(c.get_state_display()),
        kind_label=str(c.get_kind_display()),
        subject=c.subject,
        received_at=c.received_at,
        method_label=str(c.get_method_display()),
        place=f"{c.office.name} · {c.community.name}" if c.community_id else c.office.name,
        handled_by=holder,
        issues=[(i.summary, str(i.get_state_display())) for i in c.issues.order_by("seq")],
        deadlines=deadlines,
        timeline=[
            PublicEvent(label=kinds.label(e.kind), at=e.at, text=public_text(e))
            for e in timeline_for(c, public_only=True)
        ],
        reply=reply.body if reply else "",
        reply_sent_at=reply.sent_at if reply else None,
        can_agree=c.state in workflow.ACTIONS["owner_agree"].sources,
        can_disagree=c.state in workflow.ACTIONS["owner_disagree"].sources,
        can_chase=c.state not in TERMINAL_STATES,
        closed_at=c.closed_at,
    )


def parse_qr(q: str) -> tuple[str, str]:
    """The receipt QR's data `DOCKET:<receipt_no>:<digest>` → (receipt_no, digest); ("", "") otherwise."""
    m = _QR.match((q or "").strip())
    return (m.group(1), m.group(2).lower()) if m else ("", "")


def receipt_holds(*, receipt_no: str, digest: str) -> bool:
    """Whether the record still holds what was receipted: the registration event's hash equals the printed
    digest and the whole chain verifies. False, and nothing else, for an unknown number."""
    receipt_no, digest = (receipt_no or "").strip(), re.sub(r"\s+", "", digest or "").lower()
    if not RECEIPT_NO.match(receipt_no) or not digest:
        return False
    c = Complaint.objects.filter(receipt_no=receipt_no).first()
    if c is None:
        return False
    first = receipt_digest(c)
    if not first or not hmac.compare_digest(first.encode(), digest.encode()):
        return False
    return chain_verify(c) is None
