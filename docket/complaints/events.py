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

from docket.core import clock, compiled

from . import kinds
from .actors import Actor
from .models import Complaint, ComplaintEvent

GENESIS = "0" * 64


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


# The chain's last link, read under the row lock by every action but intake: compiled once per process.
_last_link = compiled.Compiled(
    lambda pk: ComplaintEvent.objects.filter(complaint_id=pk).order_by("-seq").values_list("seq", "hash")[:1]
)


def event_append(
    *,
    complaint: Complaint,
    actor: Actor,
    kind: str,
    payload: dict | None = None,
    at: datetime | None = None,
) -> ComplaintEvent:
    """Append one event. Call only inside the service's transaction with the complaint row locked, so the
    per-complaint sequence cannot race (the unique (complaint, seq) constraint backs this up)."""
    # `_chain_tail` (seq, hash) is known only for a complaint created in this very transaction (intake sets
    # it), which saves reading the last event back; otherwise the last event is read under the row lock.
    tail: tuple[int, str] | None = getattr(complaint, "_chain_tail", None)
    last = tail or next(iter(_last_link(complaint.pk)), None)
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    when = at or clock.now()
    event = ComplaintEvent(
        complaint=complaint,
        company_id=complaint.company_id,
        seq=seq,
        kind=kind,
        actor=actor.user,
        actor_name=actor.name,
        actor_role=actor.role,
        at=when,
        public=kinds.get(kind).public,
        payload=_jsonable(payload or {}),
        prev_hash=prev,
    )
    event.hash = compute_hash(prev, event)
    compiled.insert([event])  # inserted once, never changed (ComplaintEvent.save refuses anything else)
    if tail is not None:
        complaint._chain_tail = (seq, event.hash)  # type: ignore[attr-defined]  # this transaction's cache
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
    rows = (
        events
        if events is not None
        else ComplaintEvent.objects.filter(complaint=complaint).order_by("seq").iterator()
    )
    for event in rows:
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


def public_payload(event: ComplaintEvent) -> dict:
    """The part of a public event's payload the complainant may see (nothing for internal events); the
    fields are the kind's `public_fields` (kinds.py)."""
    if not event.public:
        return {}
    return {k: event.payload[k] for k in kinds.get(event.kind).public_fields if k in event.payload}


def public_text(event: ComplaintEvent) -> str:
    """What the complainant is told at this step (a reply, a reason …), or ""."""
    key = kinds.get(event.kind).public_text
    return str(public_payload(event).get(key, "") or "") if key else ""


def staff_text(event: ComplaintEvent) -> str:
    """The text of an event for staff notices (the kind's `staff_text` field), or ""."""
    key = kinds.get(event.kind).staff_text
    value = event.payload.get(key) if key else None
    return str(value) if value else ""
