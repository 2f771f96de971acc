"""Turning loaded records into the API's JSON shapes (schemas/complaints.py). Pure functions over
objects the selectors already loaded: no queries here except `available_actions`."""

from __future__ import annotations

from datetime import UTC, datetime

from docket.complaints import access, kinds, privacy
from docket.complaints.events import ChainProblem, public_payload
from docket.complaints.models import Attachment, Complaint, ComplaintEvent, Obligation
from docket.core import choices, clock


def _utc(value):
    """Times in UTC whatever their source (read back from the database, or just computed in Beijing time),
    so one record always serialises the same way."""
    return value.astimezone(UTC) if isinstance(value, datetime) else value


def _name(obj) -> str | None:
    return str(obj) if obj is not None else None


def summary(c: Complaint, now=None) -> dict:
    now = now or clock.now()
    return {
        "id": c.id,
        "receipt_no": c.receipt_no,
        "kind": c.kind,
        "channel": c.channel,
        "method": c.method,
        "state": c.state,
        "state_label": str(choices.display(c, "state")),
        "severity": c.severity,
        "level": c.level,
        "subject": c.subject,
        "office": {"id": c.office.id, "code": c.office.code, "name": c.office.name},
        "received_at": _utc(c.received_at),
        "updated_at": _utc(c.updated_at),
        "next_due_at": _utc(c.next_due_at),
        "overdue": bool(c.is_open and c.next_due_at is not None and c.next_due_at < now),
        "holder_department": c.holder_department.name if c.holder_department else None,
        "version": c.version,
    }


def detail(c: Complaint, user, parts: dict | None = None) -> dict:
    """`c` loaded by `selectors.complaint_for_render` (issues, obligations … prefetched), or a complaint
    just filed with the rows written with it in `parts` (`complaint_register`'s `Registered.parts()`)."""
    parts = parts or {}

    def part(name: str):  # not `parts.get(name, …all())`: that builds the manager and queryset every time
        return parts[name] if name in parts else getattr(c, name).all()

    issues, obligations, cosigners = part("issues"), part("obligations"), part("cosigners")
    attachments, replies = part("attachments"), part("replies")
    # seed3 (issue 15, R-INT-5): a complaint just filed (`parts` given) has no issue answers yet: no query.
    issue_answers = parts.get("issue_answers", []) if parts else c.issue_answers.all()
    person = privacy.person_for(user, c, cosigners=cosigners)
    # The owners' committee reads the public view only (privacy.py): no staff names, no internal texts.
    public = privacy.public_only(user, c)
    if public:
        replies = [r for r in replies if r.state == "sent"]
        issue_answers = [a for a in issue_answers if a.state == "sent"]

    def internal(value):
        return None if public else value

    return {
        **summary(c),
        "community": c.community.name,
        "anonymous": c.anonymous,
        "complainant_name": person.name,
        "complainant_phone": person.phone,
        "complainant_address": person.address,
        "complainant_email": person.email,
        "room": person.room or None,
        "location": c.location_masked if public or person.masked else c.location,
        # seed part 2 (issue 15, R-ORG-2)
        "building": c.building.name if c.building is not None else None,
        "public_area": c.public_area.name if c.public_area is not None else None,
        "place": c.public_place if public or person.masked else c.place,  # a masked view: the building only
        "people_count": c.people_count,
        "complainant_type": c.complainant_type,
        "description": c.description,
        "demand": c.demand,
        "lawsuit_filed": c.lawsuit_filed,
        "media_exposed": c.media_exposed,
        "legal_or_media_risk": c.legal_or_media_risk,
        "developer_related": c.developer_related,
        "compensation_claimed": c.compensation_claimed,
        "home_return_requested": c.home_return_requested,
        "sensitive": c.sensitive,
        "unreasonable": c.unreasonable,
        "forwarded_by_id": c.forwarded_by_id,
        "forwarder_ref": c.forwarder_ref,
        "forwarder_due_at": _utc(c.forwarder_due_at),
        "received_by": internal(_name(c.received_by)),
        "holder": internal(_name(c.holder)),
        "responsible": internal(_name(c.responsible)),
        "review_stage": c.review_stage,
        "paused_at": _utc(c.paused_at),
        "resume_on": _utc(c.resume_on),
        "closure_kind": c.closure_kind,
        "closure_note": c.closure_note,
        "closed_at": _utc(c.closed_at),
        "satisfaction": c.satisfaction,
        **_severity_basis(c, public),
        "issues": [
            {
                "id": i.id,
                "seq": i.seq,
                "summary": i.summary,
                "category_id": i.category_id,
                "category": _name(i.category),
                "department_id": i.department_id,
                "department": i.department.name if i.department_id else None,
                "responsible": internal(_name(i.responsible)),
                "state": i.state,
                "findings": internal(i.findings) or "",
                "measures": internal(i.measures) or "",
                "verification_note": internal(i.verification_note) or "",
                "verified_at": _utc(i.verified_at),
                "answered_at": _utc(i.answered_at),
                "closed_at": _utc(i.closed_at),
            }
            for i in issues
        ],
        "obligations": [obligation(o) for o in obligations],
        "cosigners": [{"name": s.name, "room": s.room, "phone": s.phone} for s in person.cosigners],
        "attachments": [attachment(a) for a in attachments],
        "replies": [
            {
                "number": r.number,
                "state": r.state,
                "body": r.body,
                "created_at": _utc(r.created_at),
                "sent_at": _utc(r.sent_at),
            }
            for r in replies
        ],
        "issue_answers": [
            {
                "id": a.id,
                "number": a.number,
                "issues": sorted(i.seq for i in a.issues.all()),
                "state": a.state,
                "pending_stage": internal(a.pending_stage) or "",
                "body": a.body,
                "sent_at": _utc(a.sent_at),
            }
            for a in sorted(issue_answers, key=lambda a: a.number)
        ],
        "available_actions": [
            {"name": a.name, "label": str(a.label)} for a in access.available_actions(user, c)
        ],
    }


def obligation(o: Obligation) -> dict:
    """`o` with holder_department loaded (or its id null)."""
    return {
        "id": o.id,
        "kind": o.kind,
        "kind_label": str(choices.display(o, "kind")),
        "state": o.state,
        "state_label": str(choices.display(o, "state")),
        "started_at": _utc(o.started_at),
        "due_at": _utc(o.due_at),
        "warn_at": _utc(o.warn_at),
        "met_at": _utc(o.met_at),
        "breached_at": _utc(o.breached_at),
        "paused_at": _utc(o.paused_at),
        "provisional": o.provisional,
        "on_time": o.on_time,
        "holder_department": o.holder_department.name if o.holder_department else None,
    }


def attachment(a: Attachment) -> dict:
    return {
        "id": a.id,
        "name": a.original_name,
        "content_type": a.content_type,
        "size": a.size,
        "sha256": a.sha256,
        "issue_id": a.issue_id,
        "uploaded_at": _utc(a.uploaded_at),
        "url": f"/api/v1/complaints/{a.complaint_id}/attachments/{a.id}",
    }


def event(e: ComplaintEvent, *, public_view: bool = False) -> dict:
    """One timeline entry. The public view (the complainant's timeline) shows only the public fields of
    the payload (the kind's `public_fields` in `complaints/kinds.py`) and no staff name."""
    return {
        "seq": e.seq,
        "kind": e.kind,
        "label": kinds.label(e.kind),
        "at": _utc(e.at),
        "actor_name": "" if public_view else e.actor_name,
        "actor_role": e.actor_role,
        "public": e.public,
        "payload": public_payload(e) if public_view else e.payload,
    }


def chain(c: Complaint, events: list[ComplaintEvent], problem: ChainProblem | None) -> dict:
    return {
        "complaint_id": c.id,
        "receipt_no": c.receipt_no,
        "valid": problem is None,
        "problem": {"seq": problem.seq, "reason": problem.reason} if problem else None,
        "receipt_digest": events[0].hash if events and events[0].seq == 1 else "",
        "events": [
            {
                "seq": e.seq,
                "kind": e.kind,
                "complaint": e.complaint_id,
                "company": e.company_id,
                "actor": e.actor_id,
                "actor_name": e.actor_name,
                "actor_role": e.actor_role,
                "at": e.at.astimezone(UTC).isoformat(timespec="microseconds"),
                "public": e.public,
                "payload": e.payload,
                "prev_hash": e.prev_hash,
                "hash": e.hash,
            }
            for e in events
        ],
    }


def _severity_basis(c, public: bool) -> dict:
    """The last classification of a hot or major complaint (escalation, issue 12): one query, and none for
    a normal complaint or the committee's public view."""
    if public or c.severity == "normal":
        return {"severity_basis": [], "severity_at": None}
    last = (
        ComplaintEvent.objects.filter(complaint=c, kind__in=["severity_classified", "severity_raised"])
        .order_by("-seq")
        .values_list("kind", "payload", "at")
        .first()
    )
    if last is None:
        return {"severity_basis": [], "severity_at": None}
    kind, payload, at = last
    basis = ["manual"] if kind == "severity_raised" else list(payload.get("rules", []))
    return {"severity_basis": basis, "severity_at": _utc(at)}
