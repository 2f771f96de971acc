"""Reads of incidents. Staff reads start from the offices in the user's scope (`scopes.office_q`); the
complaints listed on an incident are only those the user may see (`scopes.complaints_visible_to`). The
public reads (the owners' portal) give the public fields only: no person, no complaint."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Prefetch, QuerySet, prefetch_related_objects

from docket.complaints import scopes
from docket.complaints.models import Complaint
from docket.core import clock
from docket.org.models import Building, Office, Room
from docket.triage.text import normalise, number_of, place_of

from .models import Incident, IncidentLink, IncidentUpdate


def incidents_visible_to(user) -> QuerySet[Incident]:
    return Incident.objects.filter(
        scopes.office_q(user, office="office_id", company="company_id", group="company__group_id")
    )


def incident_for(user, pk: int) -> Incident | None:
    return (
        incidents_visible_to(user)
        .select_related("office", "office__company", "created_by")
        .prefetch_related("buildings")
        .filter(pk=pk)
        .first()
    )


def incident_list(user, *, state: str = "") -> QuerySet[Incident]:
    rows = (
        incidents_visible_to(user)
        .select_related("office")
        .prefetch_related("buildings")
        .annotate(n_links=Count("links"))
    )
    if state in Incident.State.values:
        rows = rows.filter(state=state)
    return rows.order_by("state", "-starts_at", "-id")  # "active" sorts before "resolved"


def linked_complaints(user, inc: Incident) -> tuple[list[Complaint], int]:
    """The linked complaints the user may see (receipt number, subject, state) and how many others."""
    ids = list(IncidentLink.objects.filter(incident=inc).values_list("complaint_id", flat=True))
    visible = list(
        scopes.complaints_visible_to(user)
        .filter(pk__in=ids)
        .only("id", "receipt_no", "subject", "state", "received_at")
        .order_by("-received_at")
    )
    return visible, len(ids) - len(visible)


def area_label(inc: Incident) -> str:
    if inc.whole_community:
        return "整个小区"
    return "、".join(b.name for b in inc.buildings.all())


def _contains(inc: Incident, building_id: int | None, building_number: str) -> bool:
    if inc.whole_community:
        return True
    for b in inc.buildings.all():
        if building_id is not None and b.id == building_id:
            return True
        if building_id is None and building_number and number_of(b.name) == building_number:
            return True
    return False


def matching(office_id: int, *, room_id: int | None = None, location: str = "", at: datetime | None = None):
    """The office's active incidents whose area and time hold a complaint from this room or place, filed
    at `at` (now): started at or before it, not resolved. The area is the whole community, or one of the
    listed buildings — the room's building, else a building number named in the place text ("3号楼")."""
    at = at or clock.now()
    building_id = None
    if room_id is not None:
        building_id = (
            Room.objects.filter(pk=room_id, unit__building__community__office_id=office_id)
            .values_list("unit__building_id", flat=True)
            .first()
        )
    number = "" if building_id is not None else place_of(normalise(location or "")).building
    rows = (
        Incident.objects.filter(office_id=office_id, state=Incident.State.ACTIVE, starts_at__lte=at)
        .prefetch_related("buildings")
        .order_by("-starts_at")
    )
    return [inc for inc in rows if _contains(inc, building_id, number)]


def public_incidents(office: Office) -> list[Incident]:
    """What the portal shows: the office's active incidents with their public updates (text and time)."""
    updates = IncidentUpdate.objects.only("id", "incident_id", "text", "at", "final").order_by("-seq")
    return list(
        Incident.objects.filter(office=office, state=Incident.State.ACTIVE)
        .only("id", "kind", "title", "description", "whole_community", "starts_at", "expected_end_at")
        .prefetch_related(
            Prefetch("updates", queryset=updates),
            Prefetch("buildings", queryset=Building.objects.only("id", "name")),
        )
        .order_by("-starts_at")
    )


def incidents_of_complaint(complaint) -> list[Incident]:
    """The incidents a complaint is linked to, newest first. The complaint page prefetches its links with
    their incidents (complaints.selectors.complaint_detail_for: nothing is read when it has none)."""
    prefetch_related_objects([complaint], "incident_links__incident")  # already done: nothing is read
    links = complaint.incident_links.all()
    return sorted((link.incident for link in links), key=lambda i: i.starts_at, reverse=True)


def declare_offices(user) -> QuerySet[Office]:
    return Office.objects.filter(scopes.incident_office_q(user)).select_related("community")


def may_manage(user, inc: Incident) -> bool:
    return scopes.incident_role(user, inc.office) is not None
