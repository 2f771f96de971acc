"""Who must hear about a complaint now (ARCHITECTURE.md, "Scopes and audiences"): the one registry of
audiences, used by the event notices (`complaints/notices.py`, through the `audience` each event kind names
in `kinds.py`) and by the overdue sweep (`services/overdue.py`).

An audience is a function of the *subject* — a complaint, or an obligation (it carries the same holder and
scope columns: `holder_id`, `holder_department_id`, `office_id`, `company_id`) — and, for event notices, the
event. It answers a list of `(user, role code)` pairs: active, non-service people; the role lets the
notification preferences (per role and notice kind) apply.

Defined once each:

- `holder`, the one answerable for a deadline (the overdue sweep's first steps): the person who holds the
  complaint, in the role they hold in the holder department (any role of theirs in the company
  otherwise); when nobody holds it personally, the holder department's supervisors and managers, who
  dispatch its work; when no department holds it either, the office's front desk (reception);
- `holder_team`, who hears of a change in the complaint's handling (event notices): the holder and the
  holder department's supervisors and managers; the front desk when neither a person nor a department
  holds it;
- `reopen_team`, who hears of a second review's decision: the `holder_team` a reopening hands the
  complaint to, nobody when the review upholds the outcome;
- `superiors`, the next step of the overdue ladder: the holder department's manager and the office
  manager, never the holder themselves.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Q

from docket.accounts.models import Role, RoleAssignment, User, people_q
from docket.core.compiled import CompiledBy, q_build, q_shape
from docket.notifications import preferences

People = list[tuple[User, str]]

# Notification preferences are kept per role (and notice kind): every role is an audience there.
preferences.audiences_register({r.value: r.label for r in Role})


def _people_rows(q: Q):
    return (
        RoleAssignment.objects.filter(q, people_q("user__")).select_related("user").order_by("user_id", "id")
    )


# Every notice asks `people` (an action's event, the intake's online alert, a classification's report): its
# statement compiled once per shape of `q` (docket.core.compiled.q_shape), not built by the ORM each time.
_compiled_people = CompiledBy(lambda shape, *values: _people_rows(q_build(shape, values)), limit=256)


def people(q: Q, exclude_id: int | None = None) -> People:
    """(user, role code) for every active person holding a role matched by `q`, once per person (the
    first role in assignment order): one query."""
    if exclude_id is not None:
        q &= ~Q(user_id=exclude_id)
    split = q_shape(q)  # None: a value a compiled statement cannot bind, run the ORM's own way
    rows = list(_people_rows(q)) if split is None else _compiled_people(split[0], split[0], *split[1])
    seen: dict[int, tuple[User, str]] = {}
    for a in rows:
        seen.setdefault(a.user_id, (a.user, a.role))
    return list(seen.values())


def _front_desk_q(s) -> Q:
    return Q(office_id=s.office_id, role=Role.RECEPTION)


def holder(s, event=None) -> People:
    """The one person answerable for the deadline: see the module docstring."""
    if s.holder_id:
        q = Q(user_id=s.holder_id, company_id=s.company_id)
        rows = people(q & Q(department_id=s.holder_department_id)) if s.holder_department_id else []
        rows = rows or people(q)
        if rows:
            return rows
        user = User.objects.filter(people_q(), pk=s.holder_id).first()
        return [(user, "")] if user else []
    if s.holder_department_id:
        rows = people(_dispatchers_q(s))
        if rows:
            return rows
    return people(_front_desk_q(s))


def holder_team(s, event=None) -> People:
    """The holder and the holder department's supervisors and managers: see the module docstring."""
    if not (s.holder_department_id or s.holder_id):
        return people(_front_desk_q(s))
    q = Q(pk__in=[])
    if s.holder_department_id:
        q |= _dispatchers_q(s)
    if s.holder_id:
        q |= Q(user_id=s.holder_id, company_id=s.company_id)
    return people(q)


def reopen_team(s, event=None) -> People:
    """A second-stage review's decision (R-EXP-10): a reopening hands the complaint to a department
    (`answers.second_review_decide`) and tells it as 派单 does — `holder_team` of the complaint as the
    reopening left it (the department named, or the one still holding it, and its holder if any); an
    upheld review hands nothing over and tells nobody."""
    if event is None or not (event.payload or {}).get("reopen"):
        return []
    return holder_team(s)


def _dispatchers_q(s) -> Q:
    return Q(department_id=s.holder_department_id, role__in=[Role.DEPT_SUPERVISOR, Role.DEPT_MANAGER])


def superiors(s, event=None) -> People:
    """The holder's superiors: the holder department's manager and the office manager."""
    q = Q(role=Role.OFFICE_MANAGER, office_id=s.office_id)
    if s.holder_department_id:
        q |= Q(role=Role.DEPT_MANAGER, department_id=s.holder_department_id)
    return [p for p in people(q) if p[0].id != s.holder_id]


def qm(s, event=None) -> People:
    return people(Q(role=Role.QM, company_id=s.company_id))


def holder_team_and_qm(s, event=None) -> People:
    return _merge(holder_team(s), qm(s))


def front_desk(s, event=None) -> People:
    return people(_front_desk_q(s))


def office_manager(s, event=None) -> People:
    return people(Q(office_id=s.office_id, role=Role.OFFICE_MANAGER))


def reviewers(s, event=None) -> People:
    """The stage the reply now waits at (`Complaint.review_stage`); nobody once the last stage approved."""
    role = {"qm": Role.QM, "general_office": Role.GENERAL_OFFICE}.get(s.review_stage or "")
    return people(Q(company_id=s.company_id, role=role)) if role else []


def reply_author(s, event=None) -> People:
    from .models import Reply

    number = (event.payload or {}).get("reply") if event is not None else None
    author = (
        Reply.objects.filter(Q(complaint_id=s.id) & Q(number=number))
        .values_list("author_id", flat=True)
        .first()
    )
    return people(Q(user_id=author, company_id=s.company_id)) if author else []


def chase(s, event=None) -> People:
    """A complainant's chase (R-EXP-4) reaches the holder and the holder's superiors."""
    return _merge(holder_team(s), superiors(s))


def severity(s, event=None) -> People:
    """A hot or major complaint (R-ESC): the office manager, QM and leadership, the group's property
    department."""
    return people(
        Q(office_id=s.office_id, role=Role.OFFICE_MANAGER)
        | Q(company_id=s.company_id, role__in=[Role.QM, Role.LEADERSHIP])
        | Q(role=Role.GROUP_PROPERTY, group__companies__id=s.company_id)
    )


# --- escalation (issue 12) ---------------------------------------------------------------------------------


def group_property(s, event=None) -> People:
    """The group's property-management department (集团物业管理部): who receives the reports on hot and
    major complaints (R-ESC-1/2)."""
    return people(Q(role=Role.GROUP_PROPERTY, group__companies__id=s.company_id))


def online_watch(s, event=None) -> People:
    """An online complaint (seed 5.2.3.3.1): the company's QM information officer and the office manager."""
    return people(
        Q(company_id=s.company_id, role=Role.QM_INFO_OFFICER)
        | Q(office_id=s.office_id, role=Role.OFFICE_MANAGER)
    )


def leadership(s, event=None) -> People:
    """The company's leadership (分管领导/公司管理层): asked for its handling opinion (issue 15)."""
    return people(Q(company_id=s.company_id, role=Role.LEADERSHIP))


# --- seed part 2 (issue 15) --- (leadership above also hears of every compensation claim, 5.2.4.1)
def mgmt_rep(s, event=None) -> People:
    """The management representative, who signs a department's nonconformity report (document 5 §4.4)."""
    return people(Q(company_id=s.company_id, role=Role.MGMT_REP))


def capa_team(s, event=None) -> People:
    """The department a corrective/preventive action was assigned to: its person, else its supervisors and
    managers (document 5 §4.3)."""
    from .models import CorrectiveAction

    capa_id = (event.payload or {}).get("capa") if event is not None else None
    a = CorrectiveAction.objects.filter(pk=capa_id, complaint_id=s.id).first() if capa_id else None
    if a is None:
        return []
    if a.responsible_id:
        return people(Q(user_id=a.responsible_id, company_id=s.company_id))
    return people(Q(department_id=a.department_id, role__in=[Role.DEPT_SUPERVISOR, Role.DEPT_MANAGER]))


def _merge(*groups: People) -> People:
    seen: dict[int, tuple[User, str]] = {}
    for group in groups:
        for user, role in group:
            seen.setdefault(user.pk, (user, role))
    return list(seen.values())


AUDIENCES: dict[str, Callable[..., People]] = {
    "holder": holder,
    "holder_team": holder_team,
    "reopen_team": reopen_team,
    "superiors": superiors,
    "qm": qm,
    "holder_team_and_qm": holder_team_and_qm,
    "front_desk": front_desk,
    "office_manager": office_manager,
    "reviewers": reviewers,
    "reply_author": reply_author,
    "chase": chase,
    "severity": severity,
    # escalation (issue 12)
    "group_property": group_property,
    "online_watch": online_watch,
    # The seed's procedure (issue 15).
    "leadership": leadership,
    # seed part 2 (issue 15)
    "mgmt_rep": mgmt_rep,
    "capa_team": capa_team,
}


def audience(name: str, subject, event=None, exclude_id: int | None = None) -> People:
    """The people of a registered audience, without `exclude_id` (the person who acted)."""
    found = AUDIENCES[name](subject, event)
    return [p for p in found if p[0].pk != exclude_id] if exclude_id is not None else found
