"""Reads of personal data with a trace (R-EXP-12, PIPL; issue 10): the front desk's caller lookup."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from docket.core import clock, phones
from docket.core.errors import DomainError
from docket.org.models import Room

from .. import scopes
from ..models import TERMINAL_STATES, PersonalDataAccess


@dataclass
class LookupResult:
    residents: list = field(default_factory=list)
    open_complaints: list = field(default_factory=list)
    asked: bool = False  # False: the input was not yet a complete number or a room, nothing was read


def resident_lookup(*, actor, phone: str = "", room_id: int | None = None, limit: int = 10) -> LookupResult:
    """Who is calling: the registered residents with exactly this phone number or in exactly this room,
    and the open complaints on record for them, for the front desk of the resident's own office only
    (`scopes.residents_visible_to`). A prefix of a number answers nothing, so the register cannot be
    listed by guessing; every answer is logged (`PersonalDataAccess`). `forbidden_action` for anyone who
    works at no front desk."""
    offices = scopes.front_desk_office_ids(actor)
    if not offices:
        raise DomainError("forbidden_action")
    number = phones.normalize(phone)
    room = (
        Room.objects.filter(pk=room_id, unit__building__community__office_id__in=offices)
        .select_related("unit__building__community")
        .first()
        if room_id
        else None
    )
    if number is None and room is None:
        return LookupResult()
    residents = scopes.residents_visible_to(actor)
    people = Q(pk__in=[])
    filed = Q(pk__in=[])
    asked = []
    if number is not None:
        people |= Q(phone=number)
        filed |= Q(complainant_phone=number)
        asked.append(f"phone:{phones.mask(number)}")
    if room is not None:
        people |= Q(room_id=room.id)
        filed |= Q(room_id=room.id)
        asked.append(f"room:{room.id}")
    found = list(residents.filter(people).select_related("room__unit__building__community")[:limit])
    open_complaints = list(
        scopes.complaints_visible_to(actor)
        .filter(filed, office_id__in=offices)
        .exclude(state__in=TERMINAL_STATES)
        .order_by("-received_at")[:limit]
    )
    PersonalDataAccess.objects.create(
        user=actor,
        at=clock.now(),
        purpose=PersonalDataAccess.Purpose.LOOKUP,
        office_id=room.unit.building.community.office_id if room is not None else offices[0],
        query=" ".join(asked)[:100],
        results=len(found),
    )
    return LookupResult(residents=found, open_complaints=open_complaints, asked=True)


def personal_data_reveal(*, actor, complaint_id: int, reason: str):
    """Show one complaint's personal data in full to a viewer who sees it masked (R-EXP-12): an explicit
    act with a written reason, logged (`PersonalDataAccess`: who, when, which complaint, why) and visible
    to QM. `not_found` for a complaint the actor may not see; `forbidden_action` for a viewer who sees it
    in full already or may never see it (the owners' committee). Returns the full `privacy.Person`."""
    from .. import privacy
    from ..access import access_complaint
    from ._base import text_required

    reason = text_required(reason, "查看原因")[:200]
    c = access_complaint(actor, complaint_id, related=("room__unit__building",))
    if not privacy.may_reveal(actor, c):
        raise DomainError("forbidden_action")
    PersonalDataAccess.objects.create(
        user=actor,
        at=clock.now(),
        purpose=PersonalDataAccess.Purpose.REVEAL,
        office_id=c.office_id,
        complaint=c,
        query=c.receipt_no[:100],
        reason=reason,
        results=1,
    )
    return privacy.person_for(actor, c, revealed=True)
