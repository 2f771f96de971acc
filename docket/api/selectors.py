"""Reads the API needs beyond `complaints.selectors`: reference data in the caller's scope and the
public receipt lookup. Each starts from what the caller may see."""

from __future__ import annotations

import hmac

from django.db.models import F, Prefetch, Q, QuerySet

from docket.complaints import scopes
from docket.complaints.models import Category, Complaint
from docket.core.errors import DomainError
from docket.org.models import Building, Company, Department, Office, Room, Unit


def offices_visible_to(user) -> QuerySet[Office]:
    """The offices whose complaints the caller can see or record."""
    return (
        scopes.offices_in_scope(user)
        .select_related("community")
        .order_by("company_id", "code")
        .select_related("community")
        .order_by("company_id", "code")
    )


def office_for(user, office_id: int) -> Office:
    """An office in the caller's scope; `not_found` for any other, as for a missing one."""
    office = offices_visible_to(user).filter(pk=office_id).first()
    if office is None:
        raise DomainError("not_found")
    return office


def companies_visible_to(user) -> QuerySet[Company]:
    q = scopes.office_q(user, office="offices__id", company="id", group="group_id")
    return Company.objects.filter(q).distinct().order_by("id")


def company_for(user, company_id: int) -> Company:
    company = companies_visible_to(user).filter(pk=company_id).first()
    if company is None:
        raise DomainError("not_found")
    return company


def buildings_of(office: Office) -> QuerySet[Building]:
    """The buildings of the office's community with their units (two queries)."""
    return (
        Building.objects.filter(community__office=office)
        .order_by("name", "id")
        .prefetch_related(Prefetch("units", queryset=Unit.objects.order_by("name", "id")))
    )


def rooms_of(
    office: Office, *, building_id: int | None = None, unit_id: int | None = None, after_id: int | None = None
) -> QuerySet[Room]:
    """The office's rooms (for filling `room_id` on intake), by id, optionally in one building or unit."""
    qs = Room.objects.filter(unit__building__community__office=office).select_related("unit__building")
    if building_id:
        qs = qs.filter(unit__building_id=building_id)
    if unit_id:
        qs = qs.filter(unit_id=unit_id)
    if after_id:
        qs = qs.filter(id__gt=after_id)
    return qs.order_by("id")


def departments_of_office(office: Office) -> QuerySet[Department]:
    """The office's own departments and its company's company-level ones (QM, general office …): every
    department a complaint of this office can be handed to (R-HDL-1)."""
    return (
        Department.objects.filter(Q(office=office) | Q(company_id=office.company_id, office__isnull=True))
        .select_related("office", "company")
        .order_by(F("office_id").asc(nulls_first=True), "kind", "id")
    )


def departments_of_company(user, company: Company) -> QuerySet[Department]:
    """The company's company-level departments and the departments of its offices in the caller's scope."""
    offices = offices_visible_to(user).filter(company=company).values("id")
    return (
        Department.objects.filter(Q(company=company, office__isnull=True) | Q(office_id__in=offices))
        .select_related("office", "company")
        .order_by(F("office_id").asc(nulls_first=True), "kind", "id")
    )


def categories_visible_to(user) -> QuerySet[Category]:
    """The category trees of the caller's companies (R-INT-4)."""
    q = scopes.office_q(user, office="company__offices__id", company="company_id", group="company__group_id")
    return Category.objects.filter(q).distinct().select_related("parent").order_by("company_id", "sort", "id")


def complaint_for_render(complaint_id: int, *, known_empty: tuple[str, ...] = ()) -> Complaint:
    """One complaint with exactly what `render.detail` shows loaded: the record with its joins, then one
    query per list (issues, obligations, co-signers, attachments, replies). `known_empty` names lists the
    caller knows are empty (a complaint filed a moment ago has no replies), which are not queried."""
    from docket.complaints.models import ComplaintIssue, Obligation

    lists: dict[str, str | Prefetch] = {
        "issues": Prefetch(
            "issues",
            queryset=ComplaintIssue.objects.select_related(
                "category__parent", "department", "responsible"
            ).order_by("seq"),
        ),
        "obligations": Prefetch(
            "obligations",
            queryset=Obligation.objects.select_related("holder_department").order_by("started_at", "id"),
        ),
        "cosigners": "cosigners",
        "attachments": "attachments",
        "replies": "replies",
        "issue_answers": "issue_answers__issues",  # seed3 (issue 15, R-INT-5)
    }
    c = (
        Complaint.objects.filter(pk=complaint_id)
        .select_related(
            "office",
            "company",
            "community",
            "room__unit__building",
            "unit__building",  # seed part 2 (issue 15): the place
            "building",
            "public_area",
            "received_by",
            "holder_department",
            "holder",
            "responsible",
        )
        .prefetch_related(*(v for k, v in lists.items() if k not in known_empty))
        .get()
    )
    cache = c.__dict__.setdefault("_prefetched_objects_cache", {})
    for name in known_empty:
        cache[name] = getattr(c, name).none()
    return c


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def receipt_lookup(*, receipt_no: str, phone: str = "", code: str = "") -> Complaint:
    """The complaint whose receipt number matches and whose complainant phone or check code matches
    (R-EXP-1). Any mismatch answers `not_found`, the same as an unknown number."""
    c = Complaint.objects.select_related("office", "community").filter(receipt_no=receipt_no).first()
    ok = False
    if c is not None:
        if code:
            ok = hmac.compare_digest(c.check_code.upper().encode(), code.strip().upper().encode())
        if not ok and phone:
            given, known = _digits(phone), _digits(c.complainant_phone)
            ok = len(given) >= 5 and len(known) >= 5 and hmac.compare_digest(given.encode(), known.encode())
    if c is None or not ok:
        raise DomainError("not_found")
    return c
