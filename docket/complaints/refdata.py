"""Reference data the staff pages show on every request — the offices in a user's scopes, their companies'
departments and categories (the filter form) — cached per process and per scope, reloaded when the `org`
generation stamp moves (any office, department, category … saved or deleted: `docket.accounts.backends`).
So a renamed department or category shows on the next request of every worker, and a page costs no
reference query. Values are lists of model instances: read them, never change them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from docket.accounts.access import assignments_of
from docket.accounts.backends import ORG, SLA
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


# The org rows a complaint names (office, company, community, holder department): kept per process under
# the `org` stamp like the filter form's, filled as complaints name them (pagecpu: the complaint page
# joined them into its one 14-table query, whose planning alone cost PostgreSQL ~5 ms).
ORG_FIELDS = ("office", "company", "community", "holder_department")


def attach_org(complaint, names: tuple[str, ...] = ORG_FIELDS) -> None:
    """Set the complaint's ORG_FIELDS (or those of them named) from the process's copy (one query per kind
    of row not yet seen)."""
    attach_org_rows([complaint], names)


def attach_org_rows(complaints: list, names: tuple[str, ...] = ORG_FIELDS) -> None:
    """`attach_org` for a page of complaints (pagecpu2: the list's and the queue's rows, which joined their
    office, holder department and company on every request): one query per kind of row not yet seen."""
    if not complaints:
        return
    rows: dict = generations.cached(("org_rows",), (ORG,), dict)
    fields = [type(complaints[0])._meta.get_field(name) for name in names]
    missing: dict = {}
    for complaint in complaints:
        for f in fields:
            pk = getattr(complaint, f.attname)
            if pk is not None and (f.related_model, pk) not in rows:
                missing.setdefault(f.related_model, set()).add(pk)
    for model, ids in missing.items():
        for pk, obj in model.objects.in_bulk(ids).items():
            rows[(model, pk)] = obj
    for complaint in complaints:
        for f in fields:
            pk = getattr(complaint, f.attname)
            obj = rows.get((f.related_model, pk)) if pk is not None else None
            if obj is not None:
                f.set_cached_value(complaint, obj)


def qm_department_ids(company_id) -> tuple[int, ...]:
    """The company's QM department(s) (company level, kind QM), from the process's copy (reloaded when the
    organisation changes): QM's work queue names them as constants of its compiled statement."""
    from docket.org.models import Department

    def load() -> tuple[int, ...]:
        return tuple(
            Department.objects.filter(company_id=company_id, office__isnull=True, kind=Department.Kind.QM)
            .order_by("pk")
            .values_list("pk", flat=True)
        )

    return generations.cached(("qm_departments", company_id), (ORG,), load)


@dataclass(frozen=True)
class IntakeRef:
    """What every intake into one office reads: the office with its company and community, the company's
    categories with their parents (by id) and the office's effective SLA policy (rules, version label)."""

    office: Any
    categories: dict
    policy: tuple[dict, str]


def intake_ref(office_id: int) -> IntakeRef | None:
    """The office's `IntakeRef`, or None for no such office: per process, reloaded when the organisation
    (`org`) or an SLA policy (`sla`) changed — one stamp read instead of three queries. Shared: read only."""
    return generations.cached(("intake", office_id), (ORG, SLA), lambda: _intake_ref_load(office_id))


def _intake_ref_load(office_id: int) -> IntakeRef | None:
    from docket.org.models import Office

    from .models import Category
    from .services.obligations import policy_for

    office = Office.objects.select_related("company", "community").filter(pk=office_id).first()
    if office is None:
        return None
    categories = {
        c.id: c for c in Category.objects.select_related("parent").filter(company_id=office.company_id)
    }
    return IntakeRef(office, categories, policy_for(office.company_id, office.id))
