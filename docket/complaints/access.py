"""The one permission policy for complaints (R-ORG-4).

- `complaints_visible_to(user)`: the queryset every read starts from.
- `allowed_role(user, complaint, action)`: the role assignment that lets the user take the action now,
  or None. Pages list exactly the actions for which this answers (nothing shown that would be refused).
- `access_complaint(user, id, action=None)`: for interfaces; a complaint the user may not see answers
  `not_found`, exactly like a missing one.

Scope rules: reception and office manager see their office; department roles see what their department
holds or is responsible for an issue of; QM, general office, management representative and leadership
see their company; the group's property department sees hot and major complaints of the group; an
owners' committee member sees the complaints the committee recorded for its community (R-INT-7).
After escalation to the company, office and department roles keep read access but may handle only the
actions marked `office_after_escalation` (R-HDL-5).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from docket.accounts.access import assignments_of
from docket.accounts.models import Role, RoleAssignment, Scope
from docket.core.errors import DomainError

from . import workflow
from .models import Channel, Complaint, ComplaintIssue, Level, Severity

OFFICE_ROLES = {Role.RECEPTION, Role.OFFICE_MANAGER}
DEPT_ROLES = {Role.DEPT_STAFF, Role.DEPT_SUPERVISOR, Role.DEPT_MANAGER}
COMPANY_ROLES = {Role.QM, Role.GENERAL_OFFICE, Role.MGMT_REP, Role.LEADERSHIP}


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
        complaint._issue_department_ids = cached
    return cached


def _sees(a: RoleAssignment, c: Complaint) -> bool:
    role = a.role
    if c.received_by_id is not None and c.received_by_id == a.user_id and role != Role.COMMITTEE_MEMBER:
        return True  # whoever recorded a complaint can follow it
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
        return a.office_id == c.office_id and c.channel == Channel.COMMITTEE
    return False


def _q_for(a: RoleAssignment) -> Q:
    return _scope_q(a) | (Q(received_by_id=a.user_id) if a.role != Role.COMMITTEE_MEMBER else Q(pk__in=[]))


def _scope_q(a: RoleAssignment) -> Q:
    role = a.role
    if role in OFFICE_ROLES:
        return Q(office_id=a.office_id)
    if role in DEPT_ROLES:
        # The issue condition is a subquery, not a join: no DISTINCT over the company's whole history.
        owned = ComplaintIssue.objects.filter(department_id=a.department_id).values("complaint_id")
        return Q(company_id=a.company_id) & (Q(holder_department_id=a.department_id) | Q(id__in=owned))
    if role in COMPANY_ROLES:
        return Q(company_id=a.company_id)
    if role == Role.GROUP_PROPERTY:
        return Q(company__group_id=a.group_id, severity__in=[Severity.HOT, Severity.MAJOR])
    if role == Role.COMMITTEE_MEMBER:
        return Q(office_id=a.office_id, channel=Channel.COMMITTEE)
    return Q(pk__in=[])


def complaints_visible_to(user) -> QuerySet[Complaint]:
    """Every complaint the user may see (one row each: scopes are plain conditions and subqueries)."""
    assignments = assignments_of(user)
    if not assignments:
        return Complaint.objects.none()
    q = Q(pk__in=[])
    for a in assignments:
        q |= _q_for(a)
    return Complaint.objects.filter(q)


def can_see(user, complaint: Complaint) -> bool:
    return any(_sees(a, complaint) for a in assignments_of(user))


# What a department that owns an issue (but does not lead the complaint) may do besides its issue's
# own actions; and what a department member who recorded a complaint may do with it.
ISSUE_OWNER_EXTRA = frozenset({"note_add", "attachment_add"})
RECEIVER_EXTRA = frozenset({"close_on_spot", "note_add", "attachment_add"})
REVIEW_ACTIONS = frozenset({"reply_review_approve", "reply_review_return"})
STAGE_ROLE = {"qm": Role.QM, "general_office": Role.GENERAL_OFFICE}


def _acts(a: RoleAssignment, c: Complaint, spec: workflow.Action, issue: ComplaintIssue | None) -> bool:
    if a.role not in spec.roles or not _sees(a, c):
        return False
    if spec.name in REVIEW_ACTIONS and STAGE_ROLE.get(c.review_stage) != a.role:
        return False  # each reviewer acts at their own stage only (R-HDL-3)
    if a.role in DEPT_ROLES:
        if a.department_id != c.holder_department_id:
            owns_issue = a.department_id in _issue_department_ids(c)
            if spec.per_issue and issue is not None and issue.department_id == a.department_id:
                pass  # a department that owns an issue acts on that issue
            elif (
                owns_issue
                and spec.name in ISSUE_OWNER_EXTRA
                or c.received_by_id == a.user_id
                and spec.name in RECEIVER_EXTRA
            ):
                pass
            else:
                return False
        elif (
            spec.per_issue
            and issue is not None
            and a.role == Role.DEPT_STAFF
            and issue.department_id != a.department_id
        ):
            return False
    if (
        c.level == Level.COMPANY
        and a.scope in (Scope.OFFICE, Scope.DEPARTMENT)
        and not spec.office_after_escalation
    ):
        dept = a.department
        if dept is None or not dept.is_company_level:
            return False
    return True


def allowed_role(
    user, complaint: Complaint, action: str, issue: ComplaintIssue | None = None
) -> RoleAssignment | None:
    """The assignment under which `user` may take `action` on `complaint` now (state and scope), or None."""
    spec = workflow.ACTIONS[action]
    if complaint.state not in spec.sources:
        return None
    for a in assignments_of(user):
        if _acts(a, complaint, spec, issue):
            return a
    return None


def require(user, complaint: Complaint, action: str, issue: ComplaintIssue | None = None) -> RoleAssignment:
    """Like `allowed_role`, raising: not_found if the user may not see it, invalid_transition if the
    state forbids the action, forbidden_action if the user's roles do not allow it."""
    if not can_see(user, complaint):
        raise DomainError("not_found")
    workflow.check(complaint.state, action)
    spec = workflow.ACTIONS[action]
    for a in assignments_of(user):
        if _acts(a, complaint, spec, issue):
            return a
    raise DomainError("forbidden_action")


def _ready(c: Complaint, name: str) -> bool:
    """Preconditions beyond state and role, so that no action is offered that its service would refuse
    (the services still check them and answer with their own codes)."""
    from .models import ClaimState, CompensationClaim, Obligation, Reply, ReplyState, Severity

    route = workflow.REVIEW_ROUTES.get(c.method, ())
    if name == "reply_submit":
        return (
            bool(route)
            and Reply.objects.filter(complaint=c, state__in=[ReplyState.DRAFT, ReplyState.RETURNED]).exists()
        )
    if name == "reply_send" and c.state != "reply_approved":
        return (
            not route
            and Reply.objects.filter(complaint=c, state__in=[ReplyState.DRAFT, ReplyState.RETURNED]).exists()
        )
    if name == "forwarder_reply_record":
        return (
            Obligation.objects.filter(complaint=c, kind="forwarder_reply", met_at__isnull=True)
            .exclude(state="cancelled")
            .exists()
        )
    if name == "clock_pause":
        return c.paused_at is None
    if name == "clock_resume":
        return c.paused_at is not None
    if name == "severity_raise":
        return c.severity != Severity.MAJOR
    if name in ("compensation_decide", "compensation_escalate"):
        return CompensationClaim.objects.filter(complaint=c, state=ClaimState.PENDING).exists()
    return True


def available_actions(user, complaint: Complaint) -> list[workflow.Action]:
    """The actions this user may take on this complaint now, in table order (for pages and the API). A
    per-issue action counts when the user may take it on at least one issue."""
    out = []
    issues: list[ComplaintIssue] | None = None
    for name, spec in workflow.ACTIONS.items():
        if allowed_role(user, complaint, name):
            ok = True
        elif spec.per_issue and complaint.state in spec.sources:
            if issues is None:
                issues = list(ComplaintIssue.objects.filter(complaint=complaint))
            ok = any(allowed_role(user, complaint, name, issue=i) for i in issues)
        else:
            ok = False
        if ok and _ready(complaint, name):
            out.append(spec)
    return out


def compensation_limit(user, complaint: Complaint):
    """The highest approval limit among the user's roles that may decide compensation here (R-HDL-7)."""
    limits = [
        a.compensation_limit
        for a in assignments_of(user)
        if a.compensation_limit is not None
        and _acts(a, complaint, workflow.ACTIONS["compensation_decide"], None)
    ]
    return max(limits) if limits else None


def access_complaint(
    user, complaint_id: int, *, related: tuple[str, ...] = ("office", "company", "community")
) -> Complaint:
    """The complaint if the user may see it; `not_found` for missing and invisible alike. `related`: what to
    join in (the complaint page passes everything it shows, so the row is read once)."""
    c = Complaint.objects.select_related(*related).filter(pk=complaint_id).first()
    if c is None or not can_see(user, c):
        raise DomainError("not_found")
    return c


# Who may record a new complaint for an office (R-INT-7: committee members record on owners' behalf).
REGISTER_ROLES = {
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


def register_role(user, office) -> RoleAssignment | None:
    for a in assignments_of(user):
        if a.role not in REGISTER_ROLES:
            continue
        if a.role in COMPANY_ROLES and a.company_id == office.company_id:
            return a
        if a.role not in COMPANY_ROLES and a.office_id == office.id:
            return a
    return None


def offices_in_scope(user) -> QuerySet:
    """The offices in the user's scopes — the same rule as `office_visible`, as a query (the filter form's
    offices). Read from the role assignments, not from the complaints: the distinct offices of every visible
    complaint read a department's whole history on each page (1 s at 1 M complaints, bench/README.md)."""
    from docket.org.models import Office

    q = Q(pk__in=[])
    for a in assignments_of(user):
        if a.office_id is not None:
            q |= Q(pk=a.office_id)
        elif a.company_id is not None:
            q |= Q(company_id=a.company_id)
        elif a.group_id is not None:
            q |= Q(company__group_id=a.group_id)
    return Office.objects.filter(q)


def office_visible(user, office) -> bool:
    """Whether the office is in any of the user's scopes (its own office or department, its company, its
    group) — `offices_in_scope` for one office, without a query. Filing into an office outside them answers
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
