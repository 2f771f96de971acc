"""Every change to an incident, once (ARCHITECTURE.md: services own state changes). Keyword-only
arguments, the actor first; a `DomainError` anywhere rolls the whole call back.

Who: `scopes.incident_role(user, office)` — the front desk, the office manager, QM and the departments'
supervisors and managers, each within their own scope. An office the user cannot see answers `not_found`;
one they see but do not manage incidents for answers `forbidden_action`.

What lands on complaints goes through the complaint services (`complaints.services.complaint_incident_*`):
the link and every update are events on each linked complaint's record, hash-chained, with the notices
raised in the same transaction (issue 12).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Max

from docket.complaints import scopes
from docket.complaints import services as complaint_services
from docket.complaints.actors import Actor
from docket.complaints.models import TERMINAL_STATES, Complaint
from docket.core import clock, phones
from docket.core.errors import DomainError
from docket.org.models import Building, Office

from .models import Incident, IncidentLink, IncidentUpdate

TITLE_MAX, DESCRIPTION_MAX, UPDATE_MAX, REASON_MAX = 100, 1000, 500, 200


def _text(value: str | None, field: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError("required", field=field)
    if len(value) > limit:
        raise DomainError("validation", detail=f"{field}不能超过 {limit} 字")
    return value


def _manager(user, office: Office):
    a = scopes.incident_role(user, office)
    if a is None:
        raise DomainError("forbidden_action" if scopes.office_visible(user, office) else "not_found")
    return a


def _lock(incident_id: int) -> Incident:
    inc = (
        Incident.objects.select_for_update()
        .filter(pk=incident_id)
        .select_related("office", "office__company")
        .first()
    )
    if inc is None:
        raise DomainError("not_found")
    return inc


def _check_version(inc: Incident, expected_version: int | None) -> None:
    if expected_version is not None and inc.version != expected_version:
        raise DomainError("incident_conflict")


def incident_declare(
    *,
    actor,
    office_id: int,
    kind: str,
    title: str,
    description: str,
    whole_community: bool,
    building_ids: list[int] | tuple[int, ...] = (),
    starts_at: datetime | None = None,
    expected_end_at: datetime | None = None,
) -> Incident:
    """Declare an incident for an office's whole community or some of its buildings."""
    office = Office.objects.select_related("company", "community").filter(pk=office_id).first()
    if office is None:
        raise DomainError("not_found")
    _manager(actor, office)
    if kind not in Incident.Kind.values:
        raise DomainError("validation", detail="事件类别无效")
    title = _text(title, "标题", TITLE_MAX)
    description = _text(description, "公告内容", DESCRIPTION_MAX)
    ids = set(building_ids or ())
    buildings = list(Building.objects.filter(id__in=ids)) if ids and not whole_community else []
    community_id = getattr(getattr(office, "community", None), "id", None)
    if len(buildings) != (0 if whole_community else len(ids)) or any(
        b.community_id != community_id for b in buildings
    ):
        raise DomainError("incident_area_mismatch")
    if not whole_community and not buildings:
        raise DomainError("incident_area_required")
    now = clock.now()
    starts_at = starts_at or now
    if expected_end_at is not None and expected_end_at <= starts_at:
        raise DomainError("incident_end_before_start")
    with transaction.atomic():
        inc = Incident.objects.create(
            company_id=office.company_id,
            office=office,
            kind=kind,
            title=title,
            description=description,
            whole_community=whole_community,
            starts_at=starts_at,
            expected_end_at=expected_end_at,
            created_by=actor,
            created_at=now,
        )
        if buildings:
            inc.buildings.set(buildings)
    return inc


@dataclass(frozen=True)
class Posted:
    update: IncidentUpdate
    recorded: int  # complaints whose record got the update
    notified: int  # complainants messaged (SMS and/or email through the outbox)


def _post(inc: Incident, user, assignment, text: str, *, final: bool) -> Posted:
    """Write the update and land it on every linked complaint, in the caller's transaction. Each
    complainant is messaged once per update: the first (lowest id) of their active linked complaints
    gets `incident_update` (the kind's owner text goes out through the notices), their other complaints
    and ended complaints (closed, unclosed, withdrawn) get `incident_update_quiet` — the same entry on
    the record, no message. People are told apart by the normalised phone, else the email; an anonymous
    complaint or one without a contact gets the record entry only (the notices could not reach it)."""
    now = clock.now()
    seq = (inc.updates.aggregate(m=Max("seq"))["m"] or 0) + 1
    update = IncidentUpdate.objects.create(incident=inc, seq=seq, text=text, final=final, at=now, by=user)
    who = Actor.of_user(user, assignment)
    rows = (
        Complaint.objects.filter(incident_links__incident=inc)
        .order_by("id")
        .values_list("id", "state", "anonymous", "complainant_phone", "complainant_email")
    )
    seen: set[str] = set()
    recorded = notified = 0
    for cid, state, anonymous, phone, email in rows:
        key = phones.normalize(phone) or (email or "").strip().lower() or ""
        message = bool(key) and not anonymous and state not in TERMINAL_STATES and key not in seen
        if message:
            seen.add(key)
            notified += 1
        complaint_services.complaint_incident_update(
            actor=who, complaint_id=cid, incident=str(inc), text=text, final=final, message=message
        )
        recorded += 1
    update.recorded, update.notified = recorded, notified
    update.save(update_fields=["recorded", "notified"])
    inc.version += 1
    inc.save(update_fields=["version"])
    return Posted(update, recorded, notified)


def incident_update(*, actor, incident_id: int, text: str, expected_version: int | None = None) -> Posted:
    """Post an update: one text that reaches each linked complainant once and lands on each linked
    complaint's record — all of it or nothing."""
    text = _text(text, "进展内容", UPDATE_MAX)
    with transaction.atomic():
        inc = _lock(incident_id)
        a = _manager(actor, inc.office)
        _check_version(inc, expected_version)
        if not inc.active:
            raise DomainError("incident_resolved")
        return _post(inc, actor, a, text, final=False)


def incident_resolve(
    *,
    actor,
    incident_id: int,
    text: str,
    ended_at: datetime | None = None,
    expected_version: int | None = None,
) -> Posted:
    """Resolve the incident: its final update (posted like any update) and the actual end time."""
    text = _text(text, "结束说明", UPDATE_MAX)
    with transaction.atomic():
        inc = _lock(incident_id)
        a = _manager(actor, inc.office)
        _check_version(inc, expected_version)
        if not inc.active:
            raise DomainError("incident_resolved")
        ended_at = ended_at or clock.now()
        if ended_at < inc.starts_at:
            raise DomainError("incident_end_before_start")
        posted = _post(inc, actor, a, text, final=True)
        inc.state, inc.ended_at = Incident.State.RESOLVED, ended_at
        inc.save(update_fields=["state", "ended_at"])
        return posted


def incident_link_complaint(
    *, actor, incident_id: int, complaint_id: int, via: str = "staff"
) -> IncidentLink:
    """Link a complaint of the incident's office to the (active) incident; recorded on the complaint
    (`incident_linked`). `via`: "intake" from the front desk's intake form, else "staff". Staff decide:
    the area and time only suggest (selectors.matching)."""
    with transaction.atomic():
        inc = _lock(incident_id)
        _manager(actor, inc.office)
        c = Complaint.objects.filter(pk=complaint_id).only("id", "office_id", "company_id").first()
        if c is None or not scopes.complaints_visible_to(actor).filter(pk=complaint_id).exists():
            raise DomainError("not_found")
        if c.office_id != inc.office_id:
            raise DomainError("incident_office_mismatch")
        if not inc.active:
            raise DomainError("incident_resolved")
        if IncidentLink.objects.filter(incident=inc, complaint_id=complaint_id).exists():
            raise DomainError("incident_already_linked")
        link = IncidentLink.objects.create(
            incident=inc,
            complaint_id=complaint_id,
            linked_at=clock.now(),
            linked_by=actor,
            via="intake" if via == "intake" else "staff",
        )
        complaint_services.complaint_incident_link(
            actor=actor, complaint_id=complaint_id, incident=str(inc), text=inc.description
        )
        return link


def incident_unlink_complaint(*, actor, incident_id: int, complaint_id: int, reason: str) -> None:
    """Remove a wrong link, with the reason (recorded on the complaint, `incident_unlinked`). Later
    updates no longer reach that complaint; what it already received stays on its record."""
    reason = _text(reason, "取消原因", REASON_MAX)
    with transaction.atomic():
        inc = _lock(incident_id)
        _manager(actor, inc.office)
        link = (
            IncidentLink.objects.select_for_update().filter(incident=inc, complaint_id=complaint_id).first()
        )
        if link is None:
            raise DomainError("incident_not_linked")
        complaint_services.complaint_incident_unlink(
            actor=actor, complaint_id=complaint_id, incident=str(inc), reason=reason
        )
        link.delete()
