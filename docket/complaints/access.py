"""The one permission policy for complaints (R-ORG-4): who may take which step. What each user may see is
`scopes.py` (re-exported here: `complaints_visible_to`, `can_see`, …).

- `complaints_visible_to(user)`: the queryset every read starts from.
- `allowed_role(user, complaint, action)`: the role assignment that lets the user take the action now,
  or None. Pages list exactly the actions for which this answers (nothing shown that would be refused).
- `access_complaint(user, id, action=None)`: for interfaces; a complaint the user may not see answers
  `not_found`, exactly like a missing one.

Scope rules: see `scopes.py`. After escalation to the company, office and department roles keep read access but may handle only the
actions marked `office_after_escalation` (R-HDL-5). QM takes the handling department's own steps (the rows
marked `handling_step`: accept, investigate, draft …) only on a complaint it handles itself (`qm_handles`).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, Q, QuerySet

from docket.accounts.access import assignments_of
from docket.accounts.models import Role, RoleAssignment, Scope, people_q
from docket.core.errors import DomainError
from docket.org.models import Department

from . import refdata, workflow
from .models import CapaState, Complaint, ComplaintIssue, Level, NcrState
from .scopes import DEPT_ROLES, OFFICE_ROLES, _issue_department_ids, sees

# Visibility lives in scopes.py; the policy's callers find it here too.
from .scopes import can_see as can_see
from .scopes import complaints_visible_to as complaints_visible_to
from .scopes import office_visible as office_visible
from .scopes import offices_in_scope as offices_in_scope
from .scopes import register_role as register_role

# What a department that owns an issue (but does not lead the complaint) may do besides its issue's
# own actions; and what a department member who recorded a complaint may do with it.
ISSUE_OWNER_EXTRA = frozenset({"note_add", "attachment_add"})
RECEIVER_EXTRA = frozenset({"close_on_spot", "note_add", "attachment_add"})
REVIEW_ACTIONS = frozenset({"reply_review_approve", "reply_review_return"})
STAGE_ROLE = {"qm": Role.QM, "general_office": Role.GENERAL_OFFICE}


def _issue_answer_stage_roles(c: Complaint) -> set[str]:
    """The roles of the stages the complaint's issue answers in review wait at (seed3, R-INT-5)."""
    from .models import IssueAnswer

    pending = getattr(c, "_step_answers", None)  # next_steps: the pending answers, already read
    if pending is not None:
        stages = [a.pending_stage for a in pending if a.state == "in_review"]
    else:
        stages = list(
            IssueAnswer.objects.filter(complaint=c, state="in_review").values_list("pending_stage", flat=True)
        )
    return {STAGE_ROLE[s] for s in stages if s in STAGE_ROLE}


def qm_handles(c: Complaint) -> bool:
    """Whether QM handles the complaint itself, so that the handling department's steps are QM's own: it was
    escalated to the company (seed 5.2.3.5: QM follows it up and never hands it back to the office) or it is
    held by the company's QM department (5.2.2.5–5.2.2.6: what QM takes on itself). Elsewhere the
    responsible department accepts, investigates and drafts (5.2.3.1–5.2.3.2) and QM reviews and verifies.
    The holder department comes from the process's copy (`refdata`): no query once seen."""
    if c.level == Level.COMPANY:
        return True
    if c.holder_department_id is None:
        return False
    if not Complaint.holder_department.is_cached(c):
        refdata.attach_org(c, ("holder_department",))
    return qm_handles_in(c.level, c.holder_department)


def qm_handles_in(level: str, dept: Department | None) -> bool:
    """`qm_handles` of a complaint at `level` held by `dept` (also one about to be handed to `dept`): at
    company level, or in the company's QM department."""
    if level == Level.COMPANY:
        return True
    return dept is not None and dept.office_id is None and dept.kind == Department.Kind.QM


# Who may take 接单 (the accept row's roles): the department's supervisors and managers, the office manager, QM.
ACCEPTING = workflow.ACTIONS["accept"].roles


def _handlers(dept: Department, level: str) -> tuple[bool, bool]:
    """Who handles a complaint at `level` held by `dept`, as that department: (the roles held in the
    department, QM of its company). An office department handles nothing once the complaint is escalated
    (R-HDL-5, seed 5.2.3.5: never pushed back down); QM handles where `qm_handles_in` (its own department,
    any company department once escalated, 5.2.2.5–5.2.2.6, 5.2.3.5). The one decision that
    `responsible_assignments` (a condition) and `receiving_departments` (over rows in hand) both read."""
    members = level != Level.COMPANY or dept.is_company_level
    return members, members and qm_handles_in(level, dept)


def responsible_assignments(dept: Department, level: str) -> QuerySet[RoleAssignment]:
    """The one rule of who may be named responsible (责任人) for a complaint at `level` handed to `dept`: the
    holders of these role assignments, people at work only (`accounts.models.people_q`, the notices'
    predicate: no deactivated user, no service account). Those who handle it as the department
    (`_handlers`): every role held in the department itself (its supervisor or designated post, seed
    5.2.2.3–5.2.2.4 and 5.2.3.1: the supervisor arranges its staff), and QM where QM handles the complaint
    itself. Nobody, when nobody there could take 接单 (`receiving_departments`: a department nobody can
    accept in is no hand-over target).

    Not named: the management representative and leadership. Document 5 §3.3–§4.4 has the representative
    *coordinate* what exceeds a department (the department manager liaises with them, they sign the
    不合格/纠正预防措施报告) and leadership gives its opinion (documents 3/4 §3); neither accepts, investigates
    or drafts (not in `workflow.HANDLERS`), so named they held a complaint they could not take. They
    coordinate through 派单, 转派 and the report. Nor the general office's reviewers (Role.GENERAL_OFFICE)
    for 办公室: they review the written replies (5.2.3.2) and take no handling step. Nor the office
    manager: they may accept any of their office's complaints, but as the office's head, not as the
    department's 责任人.

    The hand-over services check the person named against it (`responsible_not_in_department`) and the forms
    offer exactly its holders (`forms.people_choices`), so nothing offered is refused. One query."""
    members, qm = _handlers(dept, level)
    if not members:
        return RoleAssignment.objects.none()
    q = Q(department=dept)
    if qm:
        q |= Q(role=Role.QM, company_id=dept.company_id, department__isnull=True)
    rows = RoleAssignment.objects.filter(q, people_q("user__"))
    return rows.filter(Exists(rows.filter(role__in=ACCEPTING)))


def receiving_departments(depts: Iterable[Department], level: str) -> list[Department]:
    """Of `depts`, those a complaint at `level` may be handed to: where someone who handles it as the
    department (`_handlers`) could take 接单 — a supervisor or manager held there, or QM where QM handles
    it. Handed anywhere else it would wait for nobody (办公室 and 公司管理层 at office level unless someone
    holds a role there, an office department once escalated). The services refuse the others
    (`department_cannot_accept`, `handling._lead_department`) and the forms offer only these. One query
    for the whole list."""
    depts = list(depts)
    if not depts:
        return []
    company_ids = {d.company_id for d in depts}
    rows = set(
        RoleAssignment.objects.filter(people_q("user__"), role__in=ACCEPTING)
        .filter(
            Q(department_id__in=[d.id for d in depts])
            | Q(role=Role.QM, company_id__in=company_ids, department__isnull=True)
        )
        .values_list("department_id", "company_id")
        .distinct()
    )
    held = {dept_id for dept_id, _company in rows if dept_id is not None}
    qm_in = {company for dept_id, company in rows if dept_id is None}
    out = []
    for d in depts:
        members, qm = _handlers(d, level)
        if members and d.id in held or qm and d.company_id in qm_in:
            out.append(d)
    return out


def office_call_people(c: Complaint) -> QuerySet[RoleAssignment]:
    """Whom the QM information officer may record as phoned about an online complaint (seed 5.2.3.3.1: 管理处经理
    或指定岗位): the holders of the roles of the complaint's office — its manager, its front desk and its
    departments' people (a department role's assignment carries its office), people at work only (`people_q`,
    as `responsible_assignments`). The office manager first. The
    service checks the person against it (`office_call_callee`) and the form offers exactly its holders."""
    from django.db.models import Case, IntegerField, Value, When

    manager_first = Case(
        When(role=Role.OFFICE_MANAGER, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return (
        RoleAssignment.objects.filter(
            people_q("user__"), office_id=c.office_id, role__in=OFFICE_ROLES | DEPT_ROLES
        )
        .select_related("user")
        .order_by(manager_first, "user__display_name", "user_id", "id")
    )


def office_call_due(c: Complaint) -> bool:
    """Whether the officer's call to the office is still to be recorded: an online complaint (the seed's call is
    for those) whose call is not on the record yet. The state is the workflow row's (registered, assigned:
    before the responsible department took it on). The service's rule; `_ready` and the queue's step ask it."""
    from .selectors import is_online

    return is_online(c) and c.office_called_at is None


def _named(a: RoleAssignment, c: Complaint, spec: workflow.Action) -> bool:
    """`a` is the holder department's role of the person named 责任人 for an action they take as such
    (`Action.named_holder`: 接单, seed 5.2.2.4)."""
    return (
        spec.named_holder
        and c.holder_id is not None
        and a.user_id == c.holder_id
        and a.department_id is not None
        and a.department_id == c.holder_department_id
    )


def _acts(a: RoleAssignment, c: Complaint, spec: workflow.Action, issue: ComplaintIssue | None) -> bool:
    if (a.role not in spec.roles and not _named(a, c, spec)) or not sees(a, c):
        return False
    if spec.name in REVIEW_ACTIONS and STAGE_ROLE.get(c.review_stage) != a.role:
        return False  # each reviewer acts at their own stage only (R-HDL-3)
    if spec.name == "issue_answer_review" and a.role not in _issue_answer_stage_roles(c):
        return False  # seed3: the same for an issue's own answer, at the stage it waits at
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
    elif a.role == Role.QM and spec.handling_step and not qm_handles(c):
        return False  # the handling department's step on a complaint another department handles
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
    if name in ("reply_submit", "reply_send"):
        if name == "reply_send" and c.state == "reply_approved":
            return True
        if bool(route) != (name == "reply_submit"):
            return False
        drafts = (ReplyState.DRAFT, ReplyState.RETURNED)
        replies = prefetched_rows(c, "replies")
        if replies is not None:
            drafted = any(r.state in drafts for r in replies)
        else:
            drafted = Reply.objects.filter(complaint=c, state__in=drafts).exists()
        # Refused while an issue is not yet investigated, an issue answer is in review or waiting to be sent, or
        # an issue waits for the developer: the service's own rule (`final_reply_refusal`; docs/decisions.md
        # "issuemoves", "answerwait", "readyissues"), read from the page's or the API's prefetch; asked only
        # when there is a draft to submit or send.
        if not drafted:
            return False
        from .services.issue_answers import final_reply_refusal

        _read_forwards(c)
        return final_reply_refusal(c) is None
    if name == "forwarder_reply_record":
        obligations = prefetched_rows(c, "obligations")
        if obligations is not None:
            return any(
                o.kind == "forwarder_reply" and o.met_at is None and o.state != "cancelled"
                for o in obligations
            )
        return (
            Obligation.objects.filter(complaint=c, kind="forwarder_reply", met_at__isnull=True)
            .exclude(state="cancelled")
            .exists()
        )
    if name == "office_call_record":  # online, not yet recorded (decisions.md "officer8")
        return office_call_due(c)
    if name == "clock_pause":
        return c.paused_at is None
    if name == "clock_resume":
        return c.paused_at is not None
    if name == "severity_raise":
        return c.severity != Severity.MAJOR
    # The seed's procedure (issue 15).
    if name == "first_contact_record":
        from .models import FirstContact

        return c.contactable and not FirstContact.objects.filter(complaint=c).exists()
    if name in ("progress_update_send", "unclosed_conclude"):
        events = prefetched_rows(c, "events")  # the complaint page's timeline (selectors.timeline_rows)
        if events is not None:
            concluded = any(e.kind == "unclosed_concluded" for e in events)
        else:
            concluded = c.events.filter(kind="unclosed_concluded").exists()
        return not concluded and (c.contactable or name == "unclosed_conclude")
    if name == "leadership_opinion_request":
        obligations = prefetched_rows(c, "obligations")
        if obligations is not None:
            return not any(
                o.kind == "leadership_opinion"
                and o.met_at is None
                and o.state in ("open", "missed", "paused")
                for o in obligations
            )
        return not Obligation.objects.filter(
            complaint=c,
            kind="leadership_opinion",
            met_at__isnull=True,
            state__in=["open", "missed", "paused"],
        ).exists()
    if name in ("compensation_decide", "compensation_escalate", "compensation_outcome_record"):
        # a pending claim is decided or escalated; an escalated one gets its outcome (services/seed2.py)
        wanted = ClaimState.ESCALATED if name == "compensation_outcome_record" else ClaimState.PENDING
        claims = prefetched_rows(c, "claims")
        if claims is not None:  # the complaint page's prefetch: no query
            return any(claim.state == wanted for claim in claims)
        return CompensationClaim.objects.filter(complaint=c, state=wanted).exists()
    # portal answers (issue 11)
    if name == "second_review_decide":
        from .models import SecondReview

        return SecondReview.objects.filter(complaint=c, decided_at__isnull=True).exists()
    if name == "measures_done":  # refused while an issue waits for the developer (decisions.md "devissues")
        return not issues_with_developer(c)
    if name == "forward_to_developer":  # not again while an issue waits there (decisions.md "answerwait")
        return not issues_with_developer(c)
    if name in ("issue_findings_record", "issue_verify"):
        # per issue: offered when an issue is in a state its rows of workflow.ISSUE_MOVES take (the service
        # refuses the others; the form offers only those)
        sources = workflow.issue_sources(name)
        issues = prefetched_rows(c, "issues")
        if issues is not None:
            return any(i.state in sources for i in issues)
        return ComplaintIssue.objects.filter(complaint=c, state__in=list(sources)).exists()
    # seed3 (issue 15, R-INT-5): per-issue answers and forwards, offered only when there is something to act on.
    if name.startswith("issue_answer_") or name in (
        "issue_forward_to_developer",
        "issue_developer_answer_record",
    ):
        from .models import DeveloperForward, IssueAnswer

        issues = prefetched_rows(c, "issues")
        if name in ("issue_answer_submit", "issue_forward_to_developer"):
            if name == "issue_answer_submit":
                from .services.issue_answers import ANSWERABLE

                states: frozenset | tuple = ANSWERABLE
            else:
                states = workflow.issue_sources(name)  # open or investigated
            if issues is not None:
                return any(i.state in states for i in issues)
            return ComplaintIssue.objects.filter(complaint=c, state__in=states).exists()
        if name in ("issue_answer_review", "issue_answer_send"):
            state = ReplyState.IN_REVIEW if name == "issue_answer_review" else ReplyState.APPROVED
            answers = prefetched_rows(c, "issue_answers")  # [] when the page found none
            if answers is None:
                answers = prefetched_issue_answers(issues)
            if answers is not None:
                return any(a.state == state for a in answers)
            return IssueAnswer.objects.filter(complaint=c, state=state).exists()
        forwards = prefetched_rows(c, "developer_forwards")
        if forwards is not None:
            return any(f.issue_id is not None and f.answered_at is None for f in forwards)
        return DeveloperForward.objects.filter(
            complaint=c, issue__isnull=False, answered_at__isnull=True
        ).exists()
    # seed part 2 (issue 15): the report's steps, offered only when a report or action is at that step.
    if name in _NCR_STEPS:
        return _NCR_STEPS[name](_ncr_states(c))
    if name == "reply_time_agree":
        # No query of its own (it is offered on every open complaint before the reply): the obligations when
        # the caller prefetched them, else the state decides and the service answers nothing_due.
        cached = prefetched_rows(c, "obligations")
        if cached is None:
            return True
        return any(o.kind == "reply" and o.state == "open" and o.met_at is None for o in cached)
    return True


def issues_with_developer(c: Complaint) -> list[ComplaintIssue]:
    """The issues still waiting for the developer's answer: the services' own rule and reading
    (`services.handling.waiting_for_developer`), from the complaint page's prefetch (issues and forwards: no
    query) when present, else asked of the database."""
    from .services.handling import waiting_for_developer

    _read_forwards(c)
    return waiting_for_developer(c)


def _read_forwards(c: Complaint) -> None:
    """Read the complaint's forwards onto it (Django's prefetch, one query) unless the caller did (the complaint
    page): the offer's checks of the developer wait — the final reply, the whole forward, the measures — then
    share them (the API's action list)."""
    if prefetched_rows(c, "developer_forwards") is None:
        from django.db.models import prefetch_related_objects

        prefetch_related_objects([c], "developer_forwards")


def prefetched_rows(obj, name: str) -> list | None:
    """The rows of the relation `name` the caller read onto `obj` (the complaint page's
    `selectors.complaint_detail_for`, or Django's prefetch), else None: then `_ready` (or the service's rule
    it asks) reads the database."""
    cached = getattr(obj, "_prefetched_objects_cache", {}).get(name)
    return None if cached is None else list(cached)


def prefetched_issue_answers(issues: list | None) -> list | None:
    """Every answer of the complaint's issues when they were read with their answers (the complaint page),
    else None."""
    if issues is None:
        return None
    answers: dict[int, object] = {}
    for issue in issues:
        rows = prefetched_rows(issue, "answers")
        if rows is None:
            return None
        answers.update((a.pk, a) for a in rows)
    return list(answers.values())


def _ncr_states(c: Complaint) -> list[tuple[str, list[str]]]:
    """Each nonconformity report's state with its actions' states: from the complaint page's prefetch
    (`ncrs__actions`, no query), else read (two queries)."""
    from .models import NonconformityReport

    ncrs = prefetched_rows(c, "ncrs")
    if ncrs is None:
        ncrs = list(NonconformityReport.objects.filter(complaint=c).prefetch_related("actions"))
    return [(n.state, [a.state for a in n.actions.all()]) for n in ncrs]


# What each step of the report needs (the states its service accepts: services/seed2.py).
_NCR_STEPS = {
    "ncr_sign": lambda ncrs: any(s == NcrState.DRAFT for s, _ in ncrs),
    "capa_assign": lambda ncrs: any(s == NcrState.SIGNED for s, _ in ncrs),
    "capa_done": lambda ncrs: any(CapaState.OPEN in acts for _, acts in ncrs),
    "capa_verify": lambda ncrs: any(CapaState.DONE in acts for _, acts in ncrs),
    "ncr_close": lambda ncrs: any(
        s == NcrState.SIGNED and acts and set(acts) == {CapaState.VERIFIED} for s, acts in ncrs
    ),
}


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
