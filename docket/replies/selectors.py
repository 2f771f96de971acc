"""Who keeps and who reads reply templates, and which templates a complaint is offered (issue 14).

QM of a company keeps its templates (create, edit, switch off). Every other staff member of the company
— and the group's property department for the group's companies — reads them; an owners' committee
member is not staff and sees none. The picker in a reply draft offers the company's active templates
for the complaint's issues' categories (a parent category's template serves its children) and those for
every category.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from docket.accounts.access import assignments_of
from docket.accounts.models import Role
from docket.complaints import scopes
from docket.complaints.models import Category, Complaint, ComplaintIssue

from .models import ReplyTemplate


def editor_company_ids(user) -> list[int]:
    return scopes.qm_company_ids(user)


def reader_company_ids(user) -> list[int]:
    ids: set[int] = set()
    groups: set[int] = set()
    for a in assignments_of(user):
        if a.role == Role.COMMITTEE_MEMBER:
            continue
        if a.company_id:
            ids.add(a.company_id)
        elif a.group_id:
            groups.add(a.group_id)
    if groups:
        from docket.org.models import Company

        ids.update(Company.objects.filter(group_id__in=groups).values_list("id", flat=True))
    return sorted(ids)


def templates_readable(user) -> QuerySet[ReplyTemplate]:
    return ReplyTemplate.objects.filter(company_id__in=reader_company_ids(user)).select_related(
        "company", "category__parent"
    )


def template_editable(user, pk: int) -> ReplyTemplate | None:
    return ReplyTemplate.objects.filter(pk=pk, company_id__in=editor_company_ids(user)).first()


def categories_of(c: Complaint) -> set[int]:
    """The complaint's issues' categories and their parents (one query)."""
    ids: set[int] = set()
    for cid, parent in (
        ComplaintIssue.objects.filter(complaint_id=c.id, category__isnull=False)
        .values_list("category_id", "category__parent_id")
        .distinct()
    ):
        ids.add(cid)
        if parent:
            ids.add(parent)
    return ids


def templates_for(c: Complaint) -> list[ReplyTemplate]:
    """The active templates offered for this complaint's reply (two queries)."""
    cats = categories_of(c)
    return list(
        ReplyTemplate.objects.filter(company_id=c.company_id, active=True)
        .filter(Q(category__isnull=True) | Q(category_id__in=cats))
        .only("id", "title", "category_id")
        .order_by("category_id", "title", "id")
    )


def category_choices(company_ids: list[int]) -> QuerySet[Category]:
    return Category.objects.filter(company_id__in=company_ids, active=True).select_related(
        "parent", "company"
    )
