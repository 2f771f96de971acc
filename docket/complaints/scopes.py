"""What each user may see and where they may act (R-ORG-4; ARCHITECTURE.md, "Scopes and audiences"): the
role groups and every scope query, in one module. Pages, the API, exports, lookups and reports start
their reads here; `access.py` adds the action policy (who may take which step) on top.

Scope rules, per role assignment:

- front desk and office manager (`OFFICE_ROLES`): their office;
- department roles (`DEPT_ROLES`): what their department holds or is responsible for an issue of, in
  their company;
- QM, general office, management representative, leadership (`COMPANY_ROLES`): their company;
- the group's property department: the hot and major complaints of the group's companies;
- an owners' committee member: its own community's complaints (the office's: one office per community),
  except those marked sensitive unless the committee recorded them (R-INT-7; issue 11, portal answers) —
  always masked and the public view only (`privacy.public_only`);
- anyone who records complaints also follows the ones they recorded, in the company of the role they
  recorded them under.

Offices in scope follow the assignment's narrowest column: its office (office roles, office departments,
committee members), else its company, else its group. Residents (the register of a community's owners)
are personal data: only the front desk of the resident's own office may look them up, and only by an
exact phone number or room (issue 10).
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from docket.accounts.access import assignments_of
from docket.accounts.models import Role, RoleAssignment

from .models import Channel, Complaint, ComplaintIssue, Severity

OFFICE_ROLES = frozenset({Role.RECEPTION, Role.OFFICE_MANAGER})
DEPT_ROLES = frozenset({Role.DEPT_STAFF, Role.DEPT_SUPERVISOR, Role.DEPT_MANAGER})
COMPANY_ROLES = frozenset(
    {Role.QM, Role.GENERAL_OFFICE, Role.MGMT_REP, Role.LEADERSHIP, Role.QM_INFO_OFFICER}  # + escalation
)
# The front desk of an office: intake logs (R-INT-8, R-INT-9) and the resident lookup.
FRONT_DESK_ROLES = OFFICE_ROLES
# Who may record a new complaint for an office (R-INT-7: committee members record on owners' behalf).
REGISTER_ROLES = frozenset(
    {
        Role.RECEPTION,
        Role.DEPT_STAFF,
        Role.DEPT_SUPERVISOR,
        Role.DEPT_MANAGER,
        Role.OFFICE_MANAGER,
        Role.QM,
        Role.MGMT_REP,
        Role.LEADERSHIP,
        Role.COMMITTEE_MEMBER,
    }
)
# Who reads the case library (docket/cases, R-ANA-4): every role of staff; the owners' committee reads nothing.
CASE_LIBRARY_ROLES = frozenset(Role) - {Role.COMMITTEE_MEMBER}
# escalation (issue 12): who reads the hot/major board (/escalation/board/), each within their scope.
ESCALATION_BOARD_ROLES = frozenset(
    {Role.QM, Role.QM_INFO_OFFICER, Role.LEADERSHIP, Role.MGMT_REP, Role.GROUP_PROPERTY, Role.OFFICE_MANAGER}
)
# Who submits which periodic report (R-ANA-2, R-ANA-3).
REPORT_ROLES = {
    "dept_monthly": frozenset({Role.DEPT_SUPERVISOR, Role.DEPT_MANAGER}),
    "office_monthly": frozenset({Role.OFFICE_MANAGER}),
    "qm_periodic": frozenset({Role.QM}),
}


def roles_of(user) -> set[str]:
    return {a.role for a in assignments_of(user)}


# --- complaints --------------------------------------------------------------------------------------------


def _issue_department_ids(complaint: Complaint) -> set[int]:
    cached = getattr(complaint, "_issue_department_ids", None)
    if cached is None:
        cached = {
            d
            for d in ComplaintIssue.objects.filter(complaint=complaint).values_list(
                "department_id", flat=True
            )
            if d
        }
        complaint._issue_department_ids = cached  # type: ignore[attr-defined]
    return cached


def sees(a: RoleAssignment, c: Complaint) -> bool:
    """Whether one assignment sees one complaint: `complaint_q(a)` for a row in hand, without a query
    (except a department role's issues, read once per complaint)."""
    role = a.role
    if (
        c.received_by_id is not None
        and c.received_by_id == a.user_id
        and role not in (Role.COMMITTEE_MEMBER, Role.GROUP_PROPERTY)
        and c.company_id == a.company_id
    ):
        return True  # whoever recorded a complaint follows it (in the company they recorded it for)
    if role in OFFICE_ROLES:
        return a.office_id == c.office_id
    if role in DEPT_ROLES:
        return c.company_id == a.company_id and (
            a.department_id == c.holder_department_id or a.department_id in _issue_department_ids(c)
        )
    if role in COMPANY_ROLES:
        return a.company_id == c.company_id
    if role == Role.GROUP_PROPERTY:
        return c.severity in (Severity.HOT, Severity.MAJOR) and a.group_id == c.company.group_id
    if role == Role.COMMITTEE_MEMBER:
        return a.office_id == c.office_id and (c.channel == Channel.COMMITTEE or not c.sensitive)
    return False


def complaint_q(a: RoleAssignment, *, few: bool = False) -> Q:
    """The complaints one assignment sees, as a condition (see the module docstring). Every condition of a
    role that works in a company starts with that company, the complaints it recorded included, so that
    PostgreSQL walks one company's index in the list's order and stops at the page's end.

    `few`: the condition is applied to a few rows named by id (the search's candidates): a department's
    issues are then probed per row (a correlated EXISTS on the issue index) instead of hashed whole, which
    at a million complaints read tens of thousands of issue rows to test a few hundred complaints."""
    role = a.role
    if role == Role.COMMITTEE_MEMBER:
        return Q(office_id=a.office_id) & (Q(channel=Channel.COMMITTEE) | Q(sensitive=False))
    if role == Role.GROUP_PROPERTY:
        return Q(company__group_id=a.group_id, severity__in=[Severity.HOT, Severity.MAJOR])
    if role in COMPANY_ROLES:
        return Q(company_id=a.company_id)
    own = Q(received_by_id=a.user_id)
    if role in OFFICE_ROLES:
        return Q(company_id=a.company_id) & (Q(office_id=a.office_id) | own)
    if role in DEPT_ROLES:
        # What the department holds, or owns an issue of: the issues are an uncorrelated `id IN (…)` that
        # PostgreSQL hashes once from an index-only scan (issue_department_complaint), no join and no
        # DISTINCT, so a list walks the company's complaints in its order and stops at the page's end.
        if few:
            per_row = Exists(
                ComplaintIssue.objects.filter(
                    Q(complaint_id=OuterRef("pk")) & Q(department_id=a.department_id)
                )
            )
            return Q(company_id=a.company_id) & (Q(holder_department_id=a.department_id) | Q(per_row) | own)
        owned = (
            ComplaintIssue.objects.filter(Q(department_id=a.department_id)).order_by().values("complaint_id")
        )
        return Q(company_id=a.company_id) & (Q(holder_department_id=a.department_id) | Q(id__in=owned) | own)
    return Q(pk__in=[])


def complaints_visible_to(user, *, few: bool = False) -> QuerySet[Complaint]:
    """Every complaint the user may see (one row each: scopes are plain conditions and subqueries). `few`:
    for a query that names a few complaints by id first."""
    assignments = assignments_of(user)
    if not assignments:
        return Complaint.objects.none()
    q = Q(pk__in=[])
    for a in assignments:
        q |= complaint_q(a, few=few)
    return Complaint.objects.filter(q)


def can_see(user, complaint: Complaint) -> bool:
    return any(sees(a, complaint) for a in assignments_of(user))


# --- offices, companies --------------------------------------------------------------------------------------


def office_q(user, *, office: str = "id", company: str = "company_id", group: str = "company__group_id") -> Q:
    """The offices in the user's scopes as a condition on any model, given the paths from it to the office,
    its company and its group (e.g. for companies: office="offices__id", company="id", group="group_id")."""
    q = Q(pk__in=[])
    for a in assignments_of(user):
        if a.office_id is not None:  # office roles, office departments, committee members
            q |= Q(**{office: a.office_id})
        elif a.company_id is not None:  # company roles and company-level departments
            q |= Q(**{company: a.company_id})
        elif a.group_id is not None:
            q |= Q(**{group: a.group_id})
    return q


def offices_in_scope(user) -> QuerySet:
    """The offices in the user's scopes (the filter form's offices, the API's reference data). Read from the
    role assignments, not from the complaints: the distinct offices of every visible complaint read a
    department's whole history on each page (1 s at 1 M complaints, bench/README.md)."""
    from docket.org.models import Office

    return Office.objects.filter(office_q(user))


def office_visible(user, office) -> bool:
    """`offices_in_scope` for one office, without a query. Filing into an office outside them answers
    `not_found`, like any record the user may not see."""
    for a in assignments_of(user):
        if a.office_id is not None:
            if a.office_id == office.id:
                return True
        elif a.company_id is not None:
            if a.company_id == office.company_id:
                return True
        elif a.group_id is not None and a.group_id == office.company.group_id:
            return True
    return False


def register_role(user, office) -> RoleAssignment | None:
    """The assignment under which the user may record a new complaint for the office, or None."""
    for a in assignments_of(user):
        if a.role not in REGISTER_ROLES:
            continue
        if a.role in COMPANY_ROLES and a.company_id == office.company_id:
            return a
        if a.role not in COMPANY_ROLES and a.office_id == office.id:
            return a
    return None


def front_desk_role(user, office_id: int | None) -> RoleAssignment | None:
    """The user's front-desk assignment in that office (intake logs, the resident lookup), or None."""
    for a in assignments_of(user):
        if a.role in FRONT_DESK_ROLES and office_id is not None and a.office_id == office_id:
            return a
    return None


def front_desk_office_ids(user) -> list[int]:
    """The offices where the user works at the front desk."""
    return sorted({a.office_id for a in assignments_of(user) if a.role in FRONT_DESK_ROLES and a.office_id})


def may_submit_report(user, duty) -> bool:
    """Whether the user submits this periodic report duty: the department's supervisor or manager, the
    office manager, the company's QM — each for their own scope only."""
    roles = REPORT_ROLES.get(duty.kind, frozenset())
    for a in assignments_of(user):
        if a.role not in roles:
            continue
        if duty.kind == "dept_monthly" and a.department_id == duty.department_id:
            return True
        if duty.kind == "office_monthly" and a.office_id == duty.office_id:
            return True
        if duty.kind == "qm_periodic" and a.company_id == duty.company_id:
            return True
    return False


def qm_company_ids(user) -> list[int]:
    """The companies where the user works in quality management (the personal-data log, owners' requests)."""
    return sorted({a.company_id for a in assignments_of(user) if a.role == Role.QM and a.company_id})


# --- residents (personal data) -------------------------------------------------------------------------------


def residents_visible_to(user) -> QuerySet:
    """The residents whose register entries the user may read: those of the communities of the offices
    where the user works at the front desk; nobody else's (not even within the same company)."""
    from docket.org.models import Resident

    offices = front_desk_office_ids(user)
    if not offices:
        return Resident.objects.none()
    return Resident.objects.filter(room__unit__building__community__office__id__in=offices)


# --- incidents (issue 12: docket/incidents) -------------------------------------------------------------------

# Who declares incidents (停水, 停电 …) for an office, posts their updates and links complaints to them: the
# front desk, the office manager, QM and the departments' supervisors and managers — each within their own
# scope (an office role or an office department: its office; a company role: its company's offices).
INCIDENT_ROLES = frozenset(
    {Role.RECEPTION, Role.OFFICE_MANAGER, Role.QM, Role.DEPT_SUPERVISOR, Role.DEPT_MANAGER}
)


def incident_role(user, office) -> RoleAssignment | None:
    """The assignment under which the user manages the office's incidents, or None."""
    for a in assignments_of(user):
        if a.role not in INCIDENT_ROLES:
            continue
        if a.office_id is not None:
            if a.office_id == office.id:
                return a
        elif a.company_id is not None and a.company_id == office.company_id:
            return a
    return None


def incident_office_q(user, *, office: str = "id", company: str = "company_id") -> Q:
    """The offices where the user manages incidents, as a condition (see `office_q`)."""
    q = Q(pk__in=[])
    for a in assignments_of(user):
        if a.role not in INCIDENT_ROLES:
            continue
        if a.office_id is not None:
            q |= Q(**{office: a.office_id})
        elif a.company_id is not None:
            q |= Q(**{company: a.company_id})
    return q
