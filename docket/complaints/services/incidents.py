"""Incidents on the complaint's record (issue 12; the incidents themselves live in docket/incidents).

The incidents app decides who may declare an incident and post its updates; what lands on a complaint is
written here, through the complaint frame (`system_acting`: the row locked, the event hash-chained, the
version bumped, the notices raised in the same transaction). These steps are not workflow rows: they change
no state, are not offered among the complaint's actions, and their permission is the incident's
(`scopes.incident_role`) plus, for linking, seeing the complaint.
"""

from __future__ import annotations

from docket.core.errors import DomainError

from .. import scopes
from ..actors import Actor
from ..models import TERMINAL_STATES, Complaint
from ._base import system_acting


def _linker(user, complaint_id: int) -> Actor:
    """The actor under which `user` may link or unlink this complaint: an incident role that sees it."""
    c = Complaint.objects.select_related("company").filter(pk=complaint_id).first()
    if c is None or not scopes.can_see(user, c):
        raise DomainError("not_found")
    for a in scopes.assignments_of(user):
        if a.role in scopes.INCIDENT_ROLES and scopes.sees(a, c):
            return Actor.of_user(user, a)
    raise DomainError("forbidden_action")


def complaint_incident_link(*, actor, complaint_id: int, incident: str, text: str) -> None:
    """Record on the complaint that it was linked to an incident (`incident_linked`, public: the owner sees
    the incident's public description). Refused on an ended complaint."""
    who = _linker(actor, complaint_id)
    with system_acting(actor=who, complaint_id=complaint_id, action="incident_link") as act:
        if act is None:
            raise DomainError("not_found")
        if act.complaint.state in TERMINAL_STATES:
            raise DomainError("incident_complaint_ended")
        act.record("incident_linked", {"incident": incident, "text": text})


def complaint_incident_unlink(*, actor, complaint_id: int, incident: str, reason: str) -> None:
    """Record on the complaint that its link to an incident was removed (internal, with the reason)."""
    who = _linker(actor, complaint_id)
    with system_acting(actor=who, complaint_id=complaint_id, action="incident_unlink") as act:
        if act is None:
            raise DomainError("not_found")
        act.record("incident_unlinked", {"incident": incident, "reason": reason})


def complaint_incident_update(
    *, actor: Actor, complaint_id: int, incident: str, text: str, final: bool, message: bool
) -> None:
    """Land one incident update on a linked complaint's record. `message`: whether the complainant gets
    the SMS/email of this update (`incident_update`, with the kind's owner text) or only the record entry
    (`incident_update_quiet`). The caller (incidents.services.incident_update) has checked the actor's
    incident role; it runs inside the caller's transaction, so one failure rolls back every complaint."""
    with system_acting(actor=actor, complaint_id=complaint_id, action="incident_update") as act:
        if act is None:
            raise DomainError("not_found")
        kind = "incident_update" if message else "incident_update_quiet"
        act.record(kind, {"incident": incident, "text": text, "final": final})
