"""Who reads and who writes the case library (R-ANA-4).

- Read: every member of staff of the company — any role held in the company, its offices or departments —
  and the group's property department for the companies of its group. The owners' committee reads
  nothing; another company's staff read nothing (answers 404).
- Write (mark a complaint as a typical case, write it up, edit it): QM and leadership for any complaint of
  their company, an office manager for the complaints of their office — always a complaint they can see
  (`scopes.can_see`).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from docket.accounts.access import assignments_of
from docket.accounts.models import Role
from docket.complaints import scopes

from .models import TypicalCase

WRITER_COMPANY_ROLES = frozenset({Role.QM, Role.LEADERSHIP})
WRITER_OFFICE_ROLES = frozenset({Role.OFFICE_MANAGER})


def _company_of(a) -> int | None:
    if a.company_id:
        return a.company_id
    if a.office_id:
        return a.office.company_id
    if a.department_id:
        return a.department.company_id
    return None


def cases_visible_to(user) -> QuerySet[TypicalCase]:
    q = Q(pk__in=[])
    for a in assignments_of(user):
        if a.role == Role.COMMITTEE_MEMBER:
            continue
        if a.role == Role.GROUP_PROPERTY and a.group_id:
            q |= Q(company__group_id=a.group_id)
        elif (company_id := _company_of(a)) is not None:
            q |= Q(company_id=company_id)
    return TypicalCase.objects.filter(q)


def may_read_library(user) -> bool:
    return any(a.role in scopes.CASE_LIBRARY_ROLES for a in assignments_of(user))


def may_write(user, complaint) -> bool:
    """Whether the user may write up this complaint as a typical case (or edit its case)."""
    for a in assignments_of(user):
        if a.role in WRITER_COMPANY_ROLES and a.company_id == complaint.company_id:
            return scopes.can_see(user, complaint)
        if a.role in WRITER_OFFICE_ROLES and a.office_id == complaint.office_id:
            return scopes.can_see(user, complaint)
    return False


def may_write_any(user) -> bool:
    return any(a.role in WRITER_COMPANY_ROLES | WRITER_OFFICE_ROLES for a in assignments_of(user))
