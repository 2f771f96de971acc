"""Reference data the staff pages show on every request — the offices in a user's scopes, their companies'
departments and categories (the filter form) — cached per process and per scope, reloaded when the `org`
generation stamp moves (any office, department, category … saved or deleted: `docket.accounts.backends`).
So a renamed department or category shows on the next request of every worker, and a page costs no
reference query. Values are lists of model instances: read them, never change them.
"""

from __future__ import annotations

from django.db.models import Q

from docket.accounts.access import assignments_of
from docket.accounts.backends import ORG
from docket.core import generations


def _scope_key(user) -> tuple:
    """What decides the offices in scope (scopes.office_q): each assignment's narrowest column."""
    out = set()
    for a in assignments_of(user):
        if a.office_id is not None:
            out.add(("office", a.office_id))
        elif a.company_id is not None:
            out.add(("company", a.company_id))
        elif a.group_id is not None:
            out.add(("group", a.group_id))
    return tuple(sorted(out))


def offices_in_scope(user) -> list:
    """`scopes.offices_in_scope(user)` ordered by name, as a cached list."""
    from .scopes import offices_in_scope as query

    key = _scope_key(user)
    return generations.cached(
        ("offices", key), (ORG,), lambda: list(query(user).select_related("company").order_by("name"))
    )


def filter_choices(user) -> dict:
    """The offices, departments and categories the filter form offers (only those in the user's scopes)."""
    from docket.org.models import Department

    from .models import Category

    offices = offices_in_scope(user)

    def load():
        company_ids = sorted({o.company_id for o in offices})
        office_ids = [o.id for o in offices]
        return {
            "offices": offices,
            "departments": list(
                Department.objects.filter(company_id__in=company_ids)
                .filter(Q(office__isnull=True) | Q(office_id__in=office_ids))
                .select_related("office", "company")  # str(department) names one or the other
                .order_by("office_id", "name")
            ),
            "categories": list(
                Category.objects.filter(company_id__in=company_ids).order_by("parent_id", "sort", "name")
            ),
        }

    return generations.cached(("filter_choices", _scope_key(user)), (ORG,), load)


def office(office_id: int):
    """The office with its company and community (intake's first read), or None; shared: never change it."""
    from docket.org.models import Office

    return generations.cached(
        ("office", office_id),
        (ORG,),
        lambda: Office.objects.select_related("company", "community").filter(pk=office_id).first(),
    )


def categories_of(company_id: int) -> dict:
    """Every category of the company with its parent, by id (intake checks the issues' categories)."""
    from .models import Category

    return generations.cached(
        ("categories", company_id),
        (ORG,),
        lambda: {c.id: c for c in Category.objects.select_related("parent").filter(company_id=company_id)},
    )
