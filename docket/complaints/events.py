"""Appending to and verifying the hash-chained record (R-ANA-6).

hash(n) = SHA-256( prev_hash(n) + "\n" + canonical JSON of event n ), prev_hash(1) = 64 zeros.
The canonical JSON has sorted keys, no whitespace, UTF-8, the time in UTC ISO-8601 with microseconds.
Anyone holding the rows can recompute the chain; the receipt carries the first hash (R-INT-6).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from docket.accounts.access import role_label
from docket.core import clock

from .models import Complaint, ComplaintEvent
from .notices import event_notify

GENESIS = "0" * 64

# Event kinds the complainant sees on the public timeline (R-EXP-2); everything else is internal.
PUBLIC_KINDS = frozenset(
    {
        "registered",
        "accepted",
        "reply_sent",
        "complainant_agreed",
        "complainant_disagreed",
        "measures_done",
        "follow_up_recorded",
        "follow_up_exempted",
        "closed_on_spot",
        "closed_unclosed",
        "withdrawn",
        "acknowledged",
        "clock_paused",
        "clock_resumed",
        "complainant_chased",
    }
)


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, float):
        # Floats do not round-trip identically through every database's JSON type; store text.
        return repr(value)
    return value


def canonical(event: ComplaintEvent) -> bytes:
    body = {
        "complaint": event.complaint_id,
        "company": event.company_id,
        "seq": event.seq,
        "kind": event.kind,
        "actor": event.actor_id,
        "actor_name": event.actor_name,
        "actor_role": event.actor_role,
        "at": event.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "public": bool(event.public),
        "payload": event.payload,
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def compute_hash(prev_hash: str, event: ComplaintEvent) -> str:
    return hashlib.sha256(prev_hash.encode() + b"\n" + canonical(event)).hexdigest()


SYSTEM = "系统"


def event_append(
    *,
    complaint: Complaint,
    actor,
    assignment,
    kind: str,
    payload: dict | None = None,
    public: bool | None = None,
    at: datetime | None = None,
) -> ComplaintEvent:
    """Append one event. Call only inside the service's transaction with the complaint row locked, so the
    per-complaint sequence cannot race (the unique (complaint, seq) constraint backs this up)."""
    # `_chain_tail` (seq, hash) is known only for a complaint created in this very transaction (intake sets
    # it), which saves reading the last event back; otherwise the last event is read under the row lock.
    tail = getattr(complaint, "_chain_tail", None)
    last = (
        tail
        or ComplaintEvent.objects.filter(complaint=complaint)
        .order_by("-seq")
        .values_list("seq", "hash")
        .first()
    )
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    when = at or clock.now()
    event = ComplaintEvent(
        complaint=complaint,
        company_id=complaint.company_id,
        seq=seq,
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=(str(actor) if getattr(actor, "pk", None) else (actor or "顾客"))[:50],
        actor_role=(SYSTEM if actor == SYSTEM else role_label(assignment))[:50],
        at=when,
        public=kind in PUBLIC_KINDS if public is None else public,
        payload=_jsonable(payload or {}),
        prev_hash=prev,
    )
    event.hash = compute_hash(prev, event)
    event.save(force_insert=True)
    if tail is not None:
        complaint._chain_tail = (seq, event.hash)
    event_notify(event)  # the outbox rows join this transaction (complaints/notices.py)
    return event


@dataclass
class ChainProblem:
    complaint_id: int
    receipt_no: str
    seq: int
    reason: str


def chain_verify(complaint: Complaint, events: list[ComplaintEvent] | None = None) -> ChainProblem | None:
    """The first broken link of one complaint's chain, or None when intact. `events`: all of the
    complaint's events in `seq` order when the caller has them already (the complaint page shows them)."""
    prev = GENESIS
    expected_seq = 1
    if events is None:
        events = ComplaintEvent.objects.filter(complaint=complaint).order_by("seq").iterator()
    for event in events:
        if event.seq != expected_seq:
            return ChainProblem(complaint.id, complaint.receipt_no, expected_seq, "missing event")
        if event.prev_hash != prev:
            return ChainProblem(complaint.id, complaint.receipt_no, event.seq, "prev_hash does not match")
        if compute_hash(prev, event) != event.hash:
            return ChainProblem(
                complaint.id, complaint.receipt_no, event.seq, "content does not match its hash"
            )
        prev = event.hash
        expected_seq += 1
    if expected_seq == 1:
        return ChainProblem(complaint.id, complaint.receipt_no, 1, "no events")
    return None


def receipt_digest(complaint: Complaint) -> str:
    """The registration event's hash, printed on the receipt; checkable later by the committee."""
    first = ComplaintEvent.objects.filter(complaint=complaint, seq=1).values_list("hash", flat=True).first()
    return first or ""


EVENT_LABELS = {
    "registered": "登记受理",
    "closed_on_spot": "现场处理完毕",
    "assigned": "派单",
    "accepted": "接单处理",
    "transferred": "转派",
    "refused": "退回",
    "findings_recorded": "记录调查情况与措施",
    "forwarded_to_developer": "转地产处理",
    "developer_answered": "地产答复",
    "explanation_recorded": "解释说明",
    "reply_drafted": "起草答复",
    "reply_submitted": "提交审核",
    "reply_approved": "审核通过",
    "reply_returned": "审核退回",
    "reply_sent": "发送答复",
    "complainant_agreed": "顾客同意",
    "complainant_disagreed": "顾客不同意",
    "negotiation_recorded": "协商",
    "measures_done": "措施已落实",
    "issue_verified": "验证合格",
    "issue_rework": "验证不合格，返工",
    "follow_up_recorded": "回访",
    "follow_up_attempted": "回访未接通",
    "follow_up_exempted": "免回访结案",
    "escalated": "上报品质管理部",
    "closed_unclosed": "作未关闭处理",
    "withdrawn": "撤回",
    "ncr_issued": "签发不合格/纠正预防措施报告",
    "compensation_claimed": "记录索赔",
    "compensation_decided": "赔偿审批",
    "compensation_escalated": "赔偿上报",
    "note_added": "内部备注",
    "complainant_wrote": "顾客来信",
    "complainant_chased": "顾客催办",
    "attachment_added": "添加附件",
    "deadline_set": "设定处理时限",
    "deadline_warning": "即将到期预警",
    "deadline_missed": "已逾期",
    "overdue_escalated": "逾期升级催办",
    "deadline_recomputed": "时限重新计算",
    "acknowledged": "礼节性回复",
    "clock_paused": "暂停计时",
    "clock_resumed": "恢复计时",
    "forwarder_replied": "答复转交单位",
    "severity_raised": "升级为热点/重大投诉",
    "group_reported": "向集团报告",
}


# The complainant's view of each public event (R-EXP-2): which payload fields they may see, and which one
# is the text they are told at that step. Decided per kind; everything else in a public event's payload
# stays internal — the staff who acted (accepted), the unclosed analysis (closed_unclosed: only the
# mitigation offered is public), the follow-up's quality-control score (follow_up_recorded: only the
# complainant's own rating and words), deadlines sealed into the payload, attachment digests.
PUBLIC_FIELDS: dict[str, tuple[str, ...]] = {
    "registered": ("receipt_no", "kind", "channel", "method", "subject", "issues", "people_count"),
    "accepted": (),
    "reply_sent": ("body",),
    "acknowledged": ("body",),
    "complainant_agreed": ("note",),
    "complainant_disagreed": ("reason",),
    "measures_done": ("note",),
    "follow_up_recorded": ("visit_method", "satisfaction", "opinion"),
    "follow_up_exempted": ("exemption",),
    "closed_on_spot": ("note",),
    "closed_unclosed": ("mitigation",),
    "withdrawn": ("reason",),
    "clock_paused": ("reason", "resume_on"),
    "clock_resumed": (),
    "complainant_chased": ("text", "via", "count"),
}
PUBLIC_TEXT: dict[str, str] = {
    "reply_sent": "body",
    "acknowledged": "body",
    "complainant_agreed": "note",
    "complainant_disagreed": "reason",
    "measures_done": "note",
    "follow_up_recorded": "opinion",
    "closed_on_spot": "note",
    "closed_unclosed": "mitigation",
    "withdrawn": "reason",
    "clock_paused": "reason",
    "complainant_chased": "text",
}


def public_payload(event: ComplaintEvent) -> dict:
    """The part of a public event's payload the complainant may see (nothing for internal events)."""
    if not event.public:
        return {}
    return {k: event.payload[k] for k in PUBLIC_FIELDS.get(event.kind, ()) if k in event.payload}


def public_text(event: ComplaintEvent) -> str:
    """What the complainant is told at this step (a reply, a reason …), or ""."""
    key = PUBLIC_TEXT.get(event.kind)
    return str(public_payload(event).get(key, "") or "") if key else ""
