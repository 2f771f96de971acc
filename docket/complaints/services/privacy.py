"""Reads of personal data with a trace (R-EXP-12, PIPL; issue 10): the front desk's caller lookup."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from docket.core import clock, phones
from docket.core.errors import DomainError
from docket.org.models import Office, Room

from .. import kinds, scopes
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
    office_id = room.unit.building.community.office_id if room is not None else offices[0]
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
        office_id=office_id,
        company_id=Office.objects.filter(pk=office_id).values_list("company_id", flat=True).get(),
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
        company_id=c.company_id,
        complaint=c,
        query=c.receipt_no[:100],
        reason=reason,
        results=1,
    )
    return privacy.person_for(actor, c, revealed=True)


# --- retention (R-EXP-12) ------------------------------------------------------------------------------------

PERSONAL_FIELDS = ("complainant_name", "complainant_phone", "complainant_email", "complainant_address")


def _retention_days(severity: str) -> int:
    from django.conf import settings

    if severity == "major":  # the major complaint's separate dossier (单独立卷) is kept longer
        return int(settings.DOCKET_RETENTION_MAJOR_DAYS)
    return int(settings.DOCKET_RETENTION_DAYS)


def personal_data_anonymise_due(*, now=None, batch: int = 500) -> int:
    """Erase the personal data of complaints ended longer ago than the retention period (default three
    years after closure; major complaints ten): the complainant's name, phone, email and address and the
    co-signers' names, phones and rooms. The record stays verifiable: these fields were never part of the
    hash chain (events carry no personal fields; see docs/decisions.md), and the erasure itself is appended
    as an internal `personal_data_anonymised` event naming the fields, not their values. Idempotent;
    returns the number of complaints anonymised."""
    from datetime import timedelta

    from ..actors import Actor
    from ..models import Complaint, CoSigner
    from ._base import system_acting

    now = now or clock.now()
    done = 0
    for severity in ("normal", "hot", "major"):
        cutoff = now - timedelta(days=_retention_days(severity))
        ids = list(
            Complaint.objects.filter(
                state__in=TERMINAL_STATES, closed_at__lt=cutoff, anonymised_at__isnull=True, severity=severity
            )
            .order_by("closed_at")
            .values_list("id", flat=True)[:batch]
        )
        for cid in ids:
            with system_acting(
                actor=Actor.system("retention"),
                complaint_id=cid,
                action="anonymise",
                now=now,
                where={"anonymised_at__isnull": True},
                skip_locked=True,
            ) as act:
                if act is None:
                    continue
                c = act.complaint
                erased = [f for f in PERSONAL_FIELDS if getattr(c, f)]
                act.set(**{f: "" for f in PERSONAL_FIELDS}, anonymised_at=now)
                cosigners = CoSigner.objects.filter(complaint=c).update(name="", phone="", room="")
                act.record(
                    "personal_data_anonymised",
                    {"fields": erased, "cosigners": cosigners, "retention_days": _retention_days(severity)},
                )
                done += 1
    return done


# --- an owner's request: everything held about a phone number ------------------------------------------------


def personal_data_export(*, actor, phone: str, reason: str) -> dict:
    """Everything Docket holds about one phone number in the actor's company (PIPL art. 45, an owner's
    request): the complaints filed with it or co-signed with it, with their public timeline, and the
    register entries. QM of the company only; logged like a reveal. `validation` for an incomplete number."""
    from django.db.models import Q

    from docket.org.models import Resident

    from ..events import public_payload
    from ..models import Complaint, ComplaintEvent
    from ._base import text_required

    reason = text_required(reason, "导出原因")[:200]
    companies = scopes.qm_company_ids(actor)
    if not companies:
        raise DomainError("forbidden_action")
    number = phones.normalize(phone)
    if number is None:
        raise DomainError("validation", detail="请输入完整的手机号码或带区号的固定电话")
    complaints = list(
        Complaint.objects.filter(company_id__in=companies)
        .filter(Q(complainant_phone=number) | Q(cosigners__phone=number))
        .distinct()
        .select_related("office", "room")
        .order_by("received_at")
    )
    events: dict[int, list] = {}
    for e in ComplaintEvent.objects.filter(complaint__in=complaints, public=True).order_by(
        "complaint_id", "seq"
    ):
        events.setdefault(e.complaint_id, []).append(
            {
                "at": e.at.isoformat(),
                "kind": e.kind,
                "label": kinds.label(e.kind),
                "details": public_payload(e),
            }
        )
    residents = Resident.objects.filter(
        phone=number, room__unit__building__community__office__company_id__in=companies
    ).select_related("room")
    out = {
        "phone": number,
        "exported_at": clock.now().isoformat(),
        "complaints": [
            {
                "receipt_no": c.receipt_no,
                "office": c.office.name,
                "received_at": c.received_at.isoformat(),
                "state": c.state,
                "kind": c.kind,
                "subject": c.subject,
                "description": c.description,
                "demand": c.demand,
                "complainant_name": c.complainant_name,
                "complainant_phone": c.complainant_phone,
                "complainant_email": c.complainant_email,
                "complainant_address": c.complainant_address,
                "room": str(c.room) if c.room_id else "",
                "co_signed": c.complainant_phone != number,
                "timeline": events.get(c.id, []),
            }
            for c in complaints
        ],
        "register": [
            {"name": r.name, "phone": r.phone, "room": str(r.room), "kind": r.kind} for r in residents
        ],
    }
    PersonalDataAccess.objects.create(
        user=actor,
        at=clock.now(),
        purpose=PersonalDataAccess.Purpose.EXPORT,
        company_id=min(companies),
        query=f"phone:{phones.mask(number)}",
        reason=reason,
        results=len(complaints) + len(out["register"]),
    )
    return out


# --- corrections ---------------------------------------------------------------------------------------------


def complainant_details_correct(
    *,
    actor,
    complaint_id: int,
    reason: str,
    name: str | None = None,
    phone: str | None = None,
    email: str | None = None,
    address: str | None = None,
    expected_version: int | None = None,
):
    """Correct the complainant's contact details at their request or after a recording mistake (PIPL art.
    46). Recorded as an internal `complainant_details_corrected` event naming the fields changed and the
    reason — not the values, which stay outside the hash chain so that they can still be erased."""
    from ..models import Complaint
    from ._base import acting, text_required

    reason = text_required(reason, "更正原因")[:200]
    wanted = {
        "complainant_name": name,
        "complainant_phone": phone,
        "complainant_email": email,
        "complainant_address": address,
    }
    limits = {f.name: f.max_length for f in Complaint._meta.fields if f.name in wanted}
    if phone is not None and phone.strip() and phones.normalize(phone) is None:
        raise DomainError("validation", detail="联系电话格式不正确")
    with acting(
        actor=actor,
        complaint_id=complaint_id,
        action="complainant_correct",
        expected_version=expected_version,
    ) as act:
        c = act.complaint
        if c.anonymous:
            raise DomainError("validation", detail="匿名投诉没有可更正的个人信息")
        changes = {}
        for field, value in wanted.items():
            value = (value or "").strip()
            if not value:  # left empty: not changed (erasing is the retention job's, not a correction's)
                continue
            if field == "complainant_phone" and value:
                value = phones.normalize(value) or value
            if len(value) > (limits[field] or 10**6):
                raise DomainError("validation", detail="内容过长")
            if value != getattr(c, field):
                changes[field] = value
        if not changes:
            raise DomainError("validation", detail="没有需要更正的内容")
        act.set(**changes)
        act.record("complainant_details_corrected", {"fields": sorted(changes), "reason": reason})
    return act.complaint
