"""Reads the API needs beyond `complaints.selectors`: reference data in the caller's scope and the
public receipt lookup. Each starts from what the caller may see."""

from __future__ import annotations

import hmac

from django.db.models import Q, QuerySet

from docket.accounts.access import assignments_of
from docket.complaints.models import Category, Complaint
from docket.core.errors import DomainError
from docket.org.models import Office


def _scope_q(user, *, office_field: str, company_field: str, group_field: str) -> Q:
    q = Q(pk__in=[])
    for a in assignments_of(user):
        if a.office_id:  # office roles, office departments, committee members
            q |= Q(**{office_field: a.office_id})
        elif a.company_id:  # company roles and company-level departments
            q |= Q(**{company_field: a.company_id})
        elif a.group_id:
            q |= Q(**{group_field: a.group_id})
    return q


def offices_visible_to(user) -> QuerySet[Office]:
    """The offices whose complaints the caller can see or record."""
    q = _scope_q(user, office_field="id", company_field="company_id", group_field="company__group_id")
    return Office.objects.filter(q).select_related("community").order_by("company_id", "code")


def categories_visible_to(user) -> QuerySet[Category]:
    """The category trees of the caller's companies (R-INT-4)."""
    q = _scope_q(
        user, office_field="company__offices__id", company_field="company_id", group_field="company__group_id"
    )
    return Category.objects.filter(q).distinct().select_related("parent").order_by("company_id", "sort", "id")


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
    if not ok:
        raise DomainError("not_found")
    return c
