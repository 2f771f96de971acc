"""Reads for pages and the API. Every read starts from `access.complaints_visible_to(user)`."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from docket.core import clock

from .access import complaints_visible_to
from .models import TERMINAL_STATES, Complaint, ComplaintEvent, ComplaintIssue, Obligation, State

LIST_PAGE_SIZE = 50


SORTS = {"received": ("-received_at", "-id"), "due": ("next_due_at", "id")}


@dataclass
class ListFilters:
    state: str = ""
    office_id: int | None = None
    kind: str = ""
    q: str = ""
    overdue: bool = False
    open_only: bool = False
    sort: str = "received"


def complaint_list_for(user, filters: ListFilters | None = None) -> QuerySet[Complaint]:
    """The staff list: visible complaints, newest first, with what a row shows joined in (constant
    number of queries per page)."""
    f = filters or ListFilters()
    qs = complaints_visible_to(user)
    if f.state and f.state in State.values:
        qs = qs.filter(state=f.state)
    if f.office_id:
        qs = qs.filter(office_id=f.office_id)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.q:
        qs = qs.filter(Q(receipt_no__icontains=f.q) | Q(subject__icontains=f.q))
    if f.overdue:
        qs = qs.filter(next_due_at__lt=clock.now())
    if f.open_only or f.sort == "due":
        qs = qs.exclude(state__in=TERMINAL_STATES)
    if f.sort == "due":
        qs = qs.filter(next_due_at__isnull=False)
    return qs.select_related("office", "holder_department", "holder").order_by(*SORTS.get(f.sort, SORTS["received"]))


def complaint_detail_for(complaint: Complaint) -> Complaint:
    """One complaint with its issues, attachments, replies and events loaded for the detail page."""
    return (
        Complaint.objects.filter(pk=complaint.pk)
        .select_related("office", "community", "company", "room__unit__building", "received_by",
                        "holder_department", "holder", "responsible", "forwarded_by")
        .prefetch_related(
            Prefetch("issues", queryset=ComplaintIssue.objects.select_related("category__parent", "department",
                                                                               "responsible", "verified_by")),
            "attachments", "cosigners", "replies__reviews__reviewer", "claims", "ncrs", "developer_forwards__party",
            Prefetch("obligations", queryset=Obligation.objects.select_related("holder", "holder_department")
                     .order_by("started_at", "id")),
        )
        .get()
    )


def timeline_for(complaint: Complaint, *, public_only: bool = False) -> QuerySet[ComplaintEvent]:
    """The staff timeline (everything) or the complainant's (public events only, R-EXP-2)."""
    qs = ComplaintEvent.objects.filter(complaint=complaint).order_by("seq")
    return qs.filter(public=True) if public_only else qs


def intake_lookup(user, *, phone: str = "", room_id: int | None = None, limit: int = 10):
    """For the front desk: known residents by phone or room, and the open complaints already on record
    for that phone or room (so the same owner's earlier complaints are seen while typing)."""
    from docket.org.models import Resident

    phone = "".join(ch for ch in phone if ch.isdigit())
    residents = Resident.objects.none()
    if len(phone) >= 7:
        residents = Resident.objects.filter(phone__startswith=phone)
    elif room_id:
        residents = Resident.objects.filter(room_id=room_id)
    residents = residents.select_related("room__unit__building__community")[:limit]
    q = Q()
    if len(phone) >= 7:
        q |= Q(complainant_phone__startswith=phone)
    if room_id:
        q |= Q(room_id=room_id)
    open_complaints = (complaints_visible_to(user).filter(q).exclude(state__in=TERMINAL_STATES)
                       .order_by("-received_at")[:limit]) if q else Complaint.objects.none()
    return list(residents), list(open_complaints)
