"""Reads for pages and the API. Every read starts from `access.complaints_visible_to(user)`."""

from __future__ import annotations

import collections
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet, prefetch_related_objects

from docket.core import clock
from docket.core.compiled import Compiled, CompiledBy, set_prefetched
from docket.org.models import Room

from .access import complaints_visible_to
from .models import (
    TERMINAL_STATES,
    Channel,
    Complaint,
    ComplaintEvent,
    ComplaintIssue,
    IssueState,
    Level,
    Method,
    Obligation,
    SavedFilter,
    State,
)
from .workflow import TWO_LEVEL_CHANNELS

LIST_PAGE_SIZE = 50
# The states in which a department supervisor or manager takes the next step on what the department holds.
DEPT_ACTION_STATES = [
    State.ASSIGNED,
    State.INVESTIGATING,
    State.WITH_DEVELOPER,
    State.NEGOTIATING,
    State.IMPLEMENTING,
    State.VERIFYING,
]
HANDLING_STATES = [State.INVESTIGATING, State.NEGOTIATING]
# An online complaint's states the QM information officer watches (seed 5.2.3.3; docs/decisions.md,
# "infoofficer"): from intake until a reply — approved by QM — is published. The 4-hour courtesy reply and
# the same-day reply with concrete measures both fall in it (any sent reply meets the courtesy reply, so an
# online complaint still owing it is in one of these states); the handing over, the office's facts and
# measures fed back to QM (the reply it drafts and submits), QM's approval and the publishing are its steps.
ONLINE_WATCH_STATES = [
    State.REGISTERED,
    State.ASSIGNED,
    State.INVESTIGATING,
    State.WITH_DEVELOPER,
    State.IN_REVIEW,
    State.REPLY_APPROVED,
]
# What arrives through the company (seed 5.2.2.6: QM records, hands over and follows it): the channels whose
# complaints QM verifies too (workflow.TWO_LEVEL_CHANNELS), and online by method.
COMPANY_INTAKE_CHANNELS = sorted(TWO_LEVEL_CHANNELS)


def online_q() -> Q:
    """An online complaint (seed 5.2.3.3): filed online by method or by channel. The one online predicate,
    with `is_online` for a row in hand (the intake's alert to the information officer: escalation.services)."""
    return Q(method=Method.ONLINE) | Q(channel=Channel.ONLINE)


def is_online(c: Complaint) -> bool:
    """`online_q()` of one complaint already read."""
    return c.method == Method.ONLINE or c.channel == Channel.ONLINE


SORTS = {"received": ("-received_at", "-id"), "due": ("next_due_at", "id")}
# The columns a list row shows (complaints/_rows.html): my work reads only these (`.only(*LIST_ROW_FIELDS)`),
# not the 50-odd columns of the record, which halves the time to load a page of 50 (bench/README.md).
LIST_ROW_FIELDS = (
    "id",
    "receipt_no",
    "subject",
    "severity",
    "kind",
    "state",
    "next_due_at",
    "paused_at",
    "received_at",
    "office",
    "office__name",
    "holder_department",
    "holder_department__name",
)
# What a queue row also reads to name the step waiting for the user (next_steps.next_action_for: the
# permission policy looks at the stage, level, holder and who recorded it).
QUEUE_ROW_FIELDS = (
    *LIST_ROW_FIELDS,
    "company",
    "company__group",
    "review_stage",
    "level",
    "method",
    "channel",
    "sensitive",
    "received_by",
    "holder",
    "responsible",
    "chased_at",
    "office_called_at",  # the QM information officer's row asks for the call until it is recorded (officer8)
)


@dataclass
class ListFilters:
    state: str = ""
    office_id: int | None = None
    department_id: int | None = None  # the lead department or any issue's department
    category_id: int | None = None  # any issue in the category or one of its sub-categories
    channel: str = ""  # where it arrived (R-INT-1)
    method: str = ""  # how it arrived (R-INT-2)
    kind: str = ""
    q: str = ""
    overdue: bool = False
    open_only: bool = False
    updated_since: datetime | None = None  # changed at or after (API sync)
    received_from: date | None = None  # received on or after this day (Beijing time; statistics drill-down)
    received_to: date | None = None  # received on or before this day
    sort: str = "received"

    # The query-string keys `from_query` reads (saved filters keep only these).
    QUERY_KEYS = (
        "state",
        "office",
        "department",
        "category",
        "channel",
        "method",
        "kind",
        "q",
        "overdue",
        "open",
        "received_from",
        "received_to",
        "sort",
    )

    @classmethod
    def from_query(cls, g) -> ListFilters:
        """From a query string (a QueryDict or dict): the list, my work, the export and saved filters."""

        def _int(value):
            try:
                return int(value)
            except (TypeError, ValueError):
                return None

        def _day(value):
            try:
                return date.fromisoformat(value) if value else None
            except (TypeError, ValueError):
                return None

        return cls(
            state=g.get("state", ""),
            office_id=_int(g.get("office")),
            department_id=_int(g.get("department")),
            category_id=_int(g.get("category")),
            channel=g.get("channel", ""),
            method=g.get("method", ""),
            kind=g.get("kind", ""),
            q=g.get("q", "").strip(),
            overdue=g.get("overdue") == "1",
            open_only=g.get("open") == "1",
            received_from=_day(g.get("received_from")),
            received_to=_day(g.get("received_to")),
            sort=g.get("sort", "received"),
        )


def apply_filters(qs: QuerySet[Complaint], f: ListFilters) -> QuerySet[Complaint]:
    """The filters shared by the list, my work, the export and saved filters. Issue conditions are
    `EXISTS` subqueries, so a complaint with two matching issues is still one row."""
    from django.db.models import Exists, OuterRef

    if f.state and f.state in State.values:
        qs = qs.filter(state=f.state)
    if f.office_id:
        qs = qs.filter(office_id=f.office_id)
    if f.department_id:
        in_issue = ComplaintIssue.objects.filter(complaint=OuterRef("pk"), department_id=f.department_id)
        qs = qs.filter(Q(holder_department_id=f.department_id) | Exists(in_issue))
    if f.category_id:
        in_category = ComplaintIssue.objects.filter(
            Q(category_id=f.category_id) | Q(category__parent_id=f.category_id), complaint=OuterRef("pk")
        )
        qs = qs.filter(Exists(in_category))
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.method:
        qs = qs.filter(method=f.method)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.q:
        qs = qs.filter(Q(receipt_no__icontains=f.q) | Q(subject__icontains=f.q))
    if f.overdue:
        qs = qs.filter(next_due_at__lt=clock.now())
    if f.updated_since is not None:
        qs = qs.filter(updated_at__gte=f.updated_since)
    if f.open_only:
        qs = qs.exclude(state__in=TERMINAL_STATES)
    if f.received_from is not None:
        qs = qs.filter(received_at__gte=datetime.combine(f.received_from, time.min, tzinfo=clock.SHANGHAI))
    if f.received_to is not None:
        end = datetime.combine(f.received_to + timedelta(days=1), time.min, tzinfo=clock.SHANGHAI)
        qs = qs.filter(received_at__lt=end)
    return qs


def complaint_list_for(user, filters: ListFilters | None = None) -> QuerySet[Complaint]:
    """The staff list: visible complaints, newest first, with what a row shows joined in (constant
    number of queries per page)."""
    f = filters or ListFilters()
    qs = apply_filters(complaints_visible_to(user), f)
    if f.sort == "due":
        qs = qs.exclude(state__in=TERMINAL_STATES).filter(next_due_at__isnull=False)
    return qs.select_related("office", "holder_department", "holder").order_by(
        *SORTS.get(f.sort, SORTS["received"])
    )


# The unfiltered list (the list's landing): the ids of its first rows in the list's order, by a statement
# compiled once per shape of the user's role assignments, and a page's rows by id (pagecpu2). The capped
# count and the page used to be two statements, each walking the company's complaints and hashing the
# department's issues of the whole history (~10 ms each at a million complaints), and Django compiled both on
# every request.
# list (issue 14): a department role's rows are the union of three sets each readable in the list's order
# from an index of its own — what the department holds (complaint_holder_received), the complaints it has an
# issue in (issue_department_received: the issue carries its complaint's received time and company), what
# the user recorded — so each arm reads at most `limit` entries and the union's first `limit` are the list's
# (the order, received time then id, is total). At a million complaints that is ~40 buffers and ~0.5 ms of
# PostgreSQL for a department of any size, where the walk of the company's complaints hashed a small
# department's issues (~7 ms) or probed a large one's per row (~4 ms, pgcpu). The other roles' scopes are
# one walk of a company's or an office's index in the list's order already (one arm each, as before).


def _by_arms(user) -> bool:
    """Whether the user's landing is read as a union of arms: a department role, on a database that orders
    and limits the parts of a compound statement (PostgreSQL). Otherwise one walk in the list's order."""
    from django.db import connection

    from docket.accounts.access import assignments_of

    from .scopes import DEPT_ROLES

    return connection.features.supports_slicing_ordering_in_compound and any(
        a.role in DEPT_ROLES for a in assignments_of(user)
    )


def _landing_arms(user, limit: int) -> QuerySet:
    """The union of the landing's arms, each the first `limit` (received time, id) of one part of the
    user's scope in the list's order: a department role's three alternatives (scopes.complaint_q), every
    other role's whole condition. Issues carry their complaint's company (intake), so the issue arm's
    company is the complaint's."""
    from docket.accounts.access import assignments_of

    from .scopes import DEPT_ROLES, complaint_q

    order = ("-received_at", "-id")
    conditions: list[Q] = []
    issue_arms: list[tuple] = []
    for a in assignments_of(user):
        if a.role in DEPT_ROLES:
            conditions += [
                Q(company_id=a.company_id, holder_department_id=a.department_id),
                Q(company_id=a.company_id, received_by_id=a.user_id),
            ]
            issue_arms.append((a.department_id, a.company_id))
        else:
            q = complaint_q(a)
            if q != Q(pk__in=[]):
                conditions.append(q)
    arms: list[QuerySet[Any, Any]] = [
        Complaint.objects.filter(q).order_by(*order).values_list("received_at", "id")[:limit]
        for q in dict.fromkeys(conditions)
    ]
    arms += [
        ComplaintIssue.objects.filter(department_id=d, company_id=c)
        .order_by("-received_at", "-complaint_id")
        .values_list("received_at", "complaint_id")
        .distinct()[:limit]
        for d, c in dict.fromkeys(issue_arms)
    ]
    return arms[0].union(*arms[1:])


_list_arms = CompiledBy(lambda source: _landing_arms(*source))
_list_walk = CompiledBy(
    lambda source: complaint_list_for(source[0]).values_list("id", flat=True)[: source[1]]
)


# The row's own columns; its office and holder department come from the process's copy of the org rows
# (refdata.attach_org_rows, under the `org` stamp) instead of two joins and two instances per row.
LIST_ROW_OWN = tuple(f for f in LIST_ROW_FIELDS if "__" not in f)
QUEUE_ROW_OWN = tuple(f for f in QUEUE_ROW_FIELDS if "__" not in f)
_list_rows_by_id = Compiled(lambda *ids: Complaint.objects.filter(pk__in=ids).only(*LIST_ROW_OWN))


def list_first_ids(user, limit: int) -> list[int]:
    """The ids of the first `limit` rows of the unfiltered list (`complaint_list_for(user)`), in its order."""
    from django.db import connection

    shape = (assignments_shape(user), limit)
    if not _by_arms(user):
        return _list_walk(shape, (user, limit))
    statement = _list_arms.statement(shape, (user, limit))
    if statement is None:
        return []
    sql, params = statement
    # Only the ids leave PostgreSQL: reading 1 001 received times into Python cost ~2.5 ms of app CPU.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT arms.id FROM ({sql}) arms ORDER BY arms.received_at DESC, arms.id DESC LIMIT %s",
            [*params, limit],
        )
        return [row[0] for row in cursor.fetchall()]


_saved_filters = Compiled(lambda user_id: SavedFilter.objects.filter(user_id=user_id))


def saved_filters_of(user) -> list[SavedFilter]:
    """The user's saved list filters, by name (the list's bar), compiled once."""
    return _saved_filters(user.pk)


def list_rows(ids: list[int]) -> list[Complaint]:
    """The list's rows of these complaints, in this order, with only the row's columns (LIST_ROW_FIELDS)
    and the office and holder department joined, as the list view reads them."""
    from . import refdata

    if not ids:
        return []
    found = {c.pk: c for c in _list_rows_by_id(*ids)}
    rows = [found[pk] for pk in ids if pk in found]
    refdata.attach_org_rows(rows, ("office", "holder_department"))
    return rows


# What the complaint page and the printable forms join in: fetch with `access_complaint(..., related=DETAIL_RELATED)`.
DETAIL_RELATED = (
    "office",
    "community",
    "company",
    "room__unit__building",
    "unit__building",  # seed part 2 (issue 15): the place (R-ORG-2)
    "building",
    "public_area",
    "received_by",
    "holder_department",
    "holder",
    "responsible",
    "forwarded_by",
    "second_review",  # a reverse one-to-one the page shows (record_panels.owner_answers): joined, not one query
)
# What the complaint page's own query joins (pagecpu): DETAIL_RELATED less the org rows, which come from the
# process's copy (refdata.attach_org), and less the room's unit and building, which a complaint about a room
# shares with it. At 14 tables PostgreSQL spent ~5 ms planning the query (its join search), more than
# everything else the page asks it; at 8 about 1 ms.
DETAIL_JOINED = (
    "room__unit__building",
    "public_area",
    "received_by",
    "holder",
    "responsible",
    "forwarded_by",
    "second_review",
)
_detail_row = Compiled(lambda pk: Complaint.objects.select_related(*DETAIL_JOINED).filter(pk=pk))


def detail_complaint(user, complaint_id: int) -> Complaint:
    """`access_complaint(user, id, related=DETAIL_RELATED)` for the complaint page and the printable forms:
    the same instance with the same relations loaded, from a query compiled once per process
    (core/compiled.py) with fewer joins; `not_found` for a missing or invisible complaint alike."""
    from docket.core.errors import DomainError

    from . import refdata
    from .scopes import can_see

    found = _detail_row(complaint_id)
    if not found:
        raise DomainError("not_found")
    c = found[0]
    refdata.attach_org(c)
    room = c.room
    if room is not None:
        unit = room.unit
        if c.unit_id is not None and c.unit_id == unit.pk:
            Complaint.unit.field.set_cached_value(c, unit)
        if c.building_id is not None and c.building_id == unit.building_id:
            Complaint.building.field.set_cached_value(c, unit.building)
    if not can_see(user, c):
        raise DomainError("not_found")
    return c


# The relations the complaint page shows that most complaints do not have: `complaint_detail_for` asks in
# one query whether each has rows and reads only those that do (issue 14, "only the prefetches a complaint
# needs": an ended complaint used to cost 16 queries). The query is plain SQL built once per process: as
# seven `Exists` annotations Django spent ~4 ms compiling it, more than the queries it saved.
OPTIONAL_RELATIONS = (
    "attachments",
    "cosigners",
    "replies",
    "claims",
    "ncrs",
    "developer_forwards",
    "owner_ratings",
    "follow_ups",  # one per handling round (portal3); `Complaint.follow_up` reads the prefetched rows
    "issue_answers",  # seed3: answers of single issues (read through each issue's `answers`)
    "incident_links",  # incidents (issue 12): the complaint page's 关联事件 panel
)
_PRESENCE_SQL: list[str] = []


def present_relations(complaint_id: int) -> set[str]:
    """The OPTIONAL_RELATIONS with at least one row for this complaint (one query of EXISTS probes)."""
    from django.db import connection

    if not _PRESENCE_SQL:
        qn = connection.ops.quote_name
        probes = []
        for name in OPTIONAL_RELATIONS:
            rel: Any = Complaint._meta.get_field(name)
            table, column = rel.related_model._meta.db_table, rel.field.column
            probes.append(f"EXISTS (SELECT 1 FROM {qn(table)} WHERE {qn(column)} = %s)")
        _PRESENCE_SQL.append("SELECT " + ", ".join(probes))
    with connection.cursor() as cursor:
        cursor.execute(_PRESENCE_SQL[0], [complaint_id] * len(OPTIONAL_RELATIONS))
        row = cursor.fetchone()
    if not row:
        return set(OPTIONAL_RELATIONS)
    return {name for name, has in zip(OPTIONAL_RELATIONS, row, strict=True) if has}


_issue_rows = Compiled(
    lambda pk: ComplaintIssue.objects.select_related(
        "category__parent", "department", "responsible", "verified_by"
    ).filter(complaint_id=pk)
)
_obligation_rows = Compiled(
    lambda pk: (
        Obligation.objects.select_related("holder", "holder_department")
        .filter(complaint_id=pk)
        .order_by("started_at", "id")
    )
)
_event_rows = Compiled(lambda pk: ComplaintEvent.objects.filter(complaint_id=pk).order_by("seq"))


def _detail_statements() -> dict[str, tuple[Compiled, tuple[str, Compiled] | None]]:
    """What `complaint_detail_for` reads of each optional relation that has rows (OPTIONAL_RELATIONS name →
    its rows by complaint id, and the rows' own relation by their ids), each with the people and departments
    it shows joined into its own statement and compiled once per process (prefetch2: Django built and
    compiled the prefetch statements on every request, ~2 ms of the page's app CPU at a million
    complaints). Issue answers and incident links (many-to-many, rare) go through Django's prefetch."""
    if not _DETAIL_STATEMENTS:
        from .models import (
            Attachment,
            CompensationClaim,
            CorrectiveAction,
            CoSigner,
            DeveloperForward,
            FollowUp,
            NonconformityReport,
            OwnerRating,
            Reply,
            ReplyReview,
        )

        def by_complaint(qs: QuerySet) -> Compiled:
            return Compiled(lambda pk: qs.filter(complaint_id=pk))

        _DETAIL_STATEMENTS.update(
            {
                "attachments": (by_complaint(Attachment.objects.all()), None),
                "cosigners": (by_complaint(CoSigner.objects.all()), None),
                "replies": (
                    by_complaint(Reply.objects.select_related("author", "sent_by")),
                    (
                        "reviews",
                        Compiled(
                            lambda *ids: ReplyReview.objects.select_related("reviewer").filter(
                                reply_id__in=ids
                            )
                        ),
                    ),
                ),
                "claims": (
                    by_complaint(
                        CompensationClaim.objects.select_related("recorded_by", "decided_by", "outcome_by")
                    ),
                    None,
                ),
                "ncrs": (
                    by_complaint(
                        NonconformityReport.objects.select_related(
                            "department", "issued_by", "drafted_by", "closed_by"
                        )
                    ),
                    (
                        "actions",
                        Compiled(
                            lambda *ids: CorrectiveAction.objects.select_related(
                                "department", "responsible", "verified_by"
                            ).filter(ncr_id__in=ids)
                        ),
                    ),
                ),
                "developer_forwards": (by_complaint(DeveloperForward.objects.select_related("party")), None),
                "owner_ratings": (by_complaint(OwnerRating.objects.all()), None),
                "follow_ups": (by_complaint(FollowUp.objects.select_related("visited_by")), None),
            }
        )
    return _DETAIL_STATEMENTS


_DETAIL_STATEMENTS: dict[str, tuple[Compiled, tuple[str, Compiled] | None]] = {}
# The optional relations read through Django's prefetch (many-to-many through the issues, and the incidents).
_DETAIL_PREFETCH = {
    "issue_answers": "issues__answers",  # seed3 (issue 15): each issue's own answers
    "incident_links": "incident_links__incident",  # the incidents it is linked to (issue 12)
}


def _read_optional(complaint: Complaint, name: str) -> None:
    """Read the optional relation `name` of the complaint (and its rows' own relation) onto it."""
    rows_of, children = _detail_statements()[name]
    rows = rows_of(complaint.pk)
    set_prefetched(complaint, name, rows)
    if children is None:
        return
    child_name, child_rows = children
    if not rows:
        return
    by_parent: dict[int, list] = {row.pk: [] for row in rows}
    fk = type(rows[0])._meta.get_field(child_name).field.attname
    for child in child_rows(*(row.pk for row in rows)):
        by_parent[getattr(child, fk)].append(child)
    for row in rows:
        set_prefetched(row, child_name, by_parent[row.pk])


def complaint_detail_for(complaint: Complaint) -> Complaint:
    """Load the complaint's issues, attachments, replies, obligations… onto it for the detail page. The
    complaint itself is not read again: fetch it with `detail_complaint(user, id)` (the page used to read
    its row twice, the second time joined with nine tables). The issues and obligations, which every
    complaint has, and the optional relations that have rows — one statement of EXISTS probes tells which
    (`present_relations`) — are read by statements compiled once per process (pagecpu, prefetch2); issue
    answers and incident links through Django's prefetch."""
    set_prefetched(complaint, "issues", _issue_rows(complaint.pk))
    set_prefetched(complaint, "obligations", _obligation_rows(complaint.pk))
    present = present_relations(complaint.pk)
    for name in set(OPTIONAL_RELATIONS) - present:  # recorded as empty, as Django's prefetch records a
        set_prefetched(complaint, name, [])  # relation without rows
    if "issue_answers" not in present:
        for issue in complaint.issues.all():
            _prefetched_empty(issue, "answers")
    for name in present:
        if name in _DETAIL_PREFETCH:
            prefetch_related_objects([complaint], _DETAIL_PREFETCH[name])
        else:
            _read_optional(complaint, name)
    return complaint


def _prefetched_empty(obj, name: str) -> None:
    """Record the many-to-many relation `name` of `obj` as prefetched with no rows."""
    if not hasattr(obj, "_prefetched_objects_cache"):
        obj._prefetched_objects_cache = {}
    qs = getattr(obj, name).all()
    qs._result_cache = []
    qs._prefetch_done = True
    obj._prefetched_objects_cache[name] = qs


def timeline_rows(complaint: Complaint) -> list[ComplaintEvent]:
    """The staff timeline as a list (`timeline_for`'s rows, by a query compiled once per process), also
    recorded as the complaint's prefetched `events` (what `access._ready` asks of them, without a query)."""
    rows = _event_rows(complaint.pk)
    set_prefetched(complaint, "events", rows)
    return rows


def timeline_for(complaint: Complaint, *, public_only: bool = False) -> QuerySet[ComplaintEvent]:
    """The staff timeline (everything) or the complainant's (public events only, R-EXP-2)."""
    qs = ComplaintEvent.objects.filter(complaint=complaint).order_by("seq")
    return qs.filter(public=True) if public_only else qs


def _work_q(a, now: datetime | None = None) -> Q:
    """What waits for one role assignment (R-HDL, R-SLA-3): the things this role acts on next (`now`: the
    time overdue is judged at, the clock's when not given)."""
    from docket.accounts.models import Role

    active = ~Q(state__in=TERMINAL_STATES)
    role = a.role
    if role == Role.RECEPTION:
        return Q(office_id=a.office_id) & (
            Q(
                state__in=[
                    State.REGISTERED,
                    State.REPLY_APPROVED,
                    State.REPLIED,
                    State.FOLLOW_UP,
                    State.WITH_DEVELOPER,
                ]
            )
            | _answers_waiting(a, None)  # an approved issue answer to send (seed3)
        )
    if role in (Role.DEPT_SUPERVISOR, Role.DEPT_MANAGER):
        # What the department holds in a state where a supervisor acts (not the reviewers' states, not the
        # complainant's answer, not the follow-up: those wait for others), and what it owes on an open
        # issue. The issues are an uncorrelated `id IN (…)` (no join, so no DISTINCT; PostgreSQL hashes it
        # once, where a correlated EXISTS inside the OR is costed per row and turned the count into a bitmap
        # scan of the department's history), and the states are listed, so the queue reads
        # `complaint_open_due` alone, in due order.
        mine = Q(holder_department_id=a.department_id, state__in=DEPT_ACTION_STATES)
        owes = ComplaintIssue.objects.filter(
            company_id=a.company_id,
            department_id=a.department_id,
            state__in=[IssueState.OPEN, IssueState.REWORK],
        ).values("complaint_id")
        issue = Q(pk__in=owes, state__in=HANDLING_STATES)
        return Q(company_id=a.company_id) & (mine | issue)
    if role == Role.DEPT_STAFF:
        # Only what is this person's own: an open issue they are responsible for, or a complaint they hold
        # or are responsible for while their department owes an open issue or the measures (the whole
        # department's work is the supervisor's queue).
        open_issues = ComplaintIssue.objects.filter(
            company_id=a.company_id,
            department_id=a.department_id,
            state__in=[IssueState.OPEN, IssueState.REWORK],
        )
        own_issue = Q(pk__in=open_issues.filter(responsible_id=a.user_id).values("complaint_id"))
        own = Q(holder_id=a.user_id) | Q(responsible_id=a.user_id)
        dept_issue = Q(pk__in=open_issues.values("complaint_id"))
        measures = Q(holder_department_id=a.department_id, state=State.IMPLEMENTING)
        # ... and 接单 of a complaint handed to the department with this person named 责任人 (seed 5.2.2.4:
        # the designated post; workflow `named_holder`)
        named = Q(holder_id=a.user_id, holder_department_id=a.department_id, state=State.ASSIGNED)
        return Q(company_id=a.company_id) & (
            (own_issue & Q(state__in=HANDLING_STATES))
            | (own & ((dept_issue & Q(state__in=HANDLING_STATES)) | measures))
            | named
        )
    if role == Role.OFFICE_MANAGER:
        # Verification, and whatever of the office's own (not escalated) is overdue and not with the
        # reviewers (the manager cannot review).
        overdue = active & Q(level="office", next_due_at__lt=now or clock.now()) & ~Q(state=State.IN_REVIEW)
        return Q(office_id=a.office_id) & (Q(state=State.VERIFYING) | overdue)
    if role == Role.QM:
        # Besides review, verification and the escalated complaints, what the company's QM department holds
        # at office level (5.2.2.5–5.2.2.6: QM takes it on itself, so it is the handling department there,
        # `access.qm_handles`) in a state where the department acts — the supervisor's arm with QM's
        # department. The department's id is a constant of the compiled statement (`assignments_shape`
        # names it, so a change of the organisation makes a new plan): on PostgreSQL the arm is then a
        # bitmap of `complaint_holder_dept` over what that department holds, not of every complaint of the
        # company in those states (~17 000 rows at 1 M; docs/decisions.md, "qmqueue", "classify7").
        from . import refdata

        qm_department = refdata.qm_department_ids(a.company_id)
        return Q(company_id=a.company_id) & (
            Q(review_stage="qm")
            | _answers_waiting(a, "qm")  # an issue's own answer at QM's stage (seed3)
            | Q(state=State.QM_VERIFYING)  # the seed's two-level verification (issue 15)
            | (Q(level="company") & active & ~Q(state=State.IN_REVIEW))
            | Q(holder_department_id__in=qm_department, state__in=DEPT_ACTION_STATES)
        )
    if role == Role.GENERAL_OFFICE:
        return Q(company_id=a.company_id) & (
            Q(review_stage="general_office") | _answers_waiting(a, "general_office")
        )
    if role == Role.LEADERSHIP:
        return Q(company_id=a.company_id, severity__in=["hot", "major"]) & active
    if role == Role.MGMT_REP:
        return Q(company_id=a.company_id, level="company") & active
    if role == Role.GROUP_PROPERTY:
        return Q(company__group_id=a.group_id, severity__in=["hot", "major"]) & active
    if role == Role.QM_INFO_OFFICER:
        # The company's online complaints until a reply approved by QM is published (seed 5.2.3.3.1–3,
        # ONLINE_WATCH_STATES): the officer passes them on, phones the office and watches the 4-hour courtesy
        # reply and the same-day reply. The states are listed and the rest are columns of the row, so the
        # queue still reads `complaint_open_due` in due order (no join, no subquery).
        return Q(company_id=a.company_id, state__in=ONLINE_WATCH_STATES) & online_q()
    return Q(pk__in=[])


def _answers_waiting(a, stage: str | None) -> Q:
    """Complaints of the assignment's company with an issue answer (seed3) in review at `stage`, or, with
    no stage, approved and not yet sent; while the complaint is in a state where it may be reviewed or sent.
    An uncorrelated `id IN (…)` over the few pending answers (their company and state)."""
    from .models import IssueAnswer, ReplyState

    pending = IssueAnswer.objects.filter(company_id=a.company_id)
    if stage is None:
        pending = pending.filter(state=ReplyState.APPROVED)
    else:
        pending = pending.filter(state=ReplyState.IN_REVIEW, pending_stage=stage)
    from .next_steps import ANSWER_STATES

    return Q(pk__in_array=pending.order_by().values("complaint_id"), state__in=sorted(ANSWER_STATES))


def work_queue_for(
    user, filters: ListFilters | None = None, now: datetime | None = None
) -> QuerySet[Complaint]:
    """My work: what waits for me, most urgent first (due time; undated last), narrowed by the list
    filters when given.

    Every role's work lies inside what that role may see (`_work_q(a)` implies `scopes.complaint_q(a)`; tested
    in test_views_work), so the queue is not intersected with `complaints_visible_to(user)` again: that
    condition joins issues for department roles and made PostgreSQL read the department's whole history
    (1.3 s a page at 1 M complaints, bench/README.md); this one reads the open complaints of the company in
    due order and stops at the page's end."""
    from django.db.models import F

    from docket.accounts.access import assignments_of

    q = Q(pk__in=[])
    for a in assignments_of(user):
        q |= _work_q(a, now)
    qs = Complaint.objects.filter(q)
    if filters is not None:
        qs = apply_filters(qs, filters)
    return qs.select_related(
        "office", "holder_department"
    ).order_by(  # what a row shows (complaints/_rows.html)
        F("next_due_at").asc(nulls_last=True), "received_at", "id"
    )


def attachment_open(user, complaint_id: int, attachment_id: int):
    """(attachment, open file) if the user may see the complaint and the file exists; `not_found` for a
    missing complaint, attachment or file alike (staff pages and the API share this)."""
    from docket.core.errors import DomainError

    from .access import access_complaint
    from .models import Attachment

    complaint = access_complaint(user, complaint_id)
    att = Attachment.objects.filter(complaint=complaint, pk=attachment_id).first()
    if att is None:
        raise DomainError("not_found")
    try:
        return att, att.file.open("rb")
    except FileNotFoundError as exc:  # the row outlived its file (restored database, lost volume)
        raise DomainError("not_found") from exc


# The views of my work (the tabs of 我的待办): mine, and what of it is overdue, returned or chased; plus what
# my department or office has not yet handed to a person.
QUEUE_VIEWS = ("mine", "unassigned", "overdue", "returned", "chased")


def _returned_q() -> Q:
    """A reply of this complaint came back from review. Uncorrelated: the replies now returned are few
    (a returned draft goes back to review once it is revised) and the partial index `reply_returned` holds
    only them, so PostgreSQL hashes them once instead of probing the replies of every queue row."""
    from .models import Reply, ReplyState

    return Q(pk__in=Reply.objects.filter(state=ReplyState.RETURNED).values("complaint_id"))


def _chased_q() -> Q:
    """The complainant chased this complaint (a `complainant_chased` event; `chased_at` keeps the last)."""
    return Q(chased_at__isnull=False)


def unassigned_for(user) -> QuerySet[Complaint]:
    """What waits for a person to be named in my department (held, nobody holds it) or, at the front desk
    and for the office manager, the office's complaints not yet handed to a department; for QM, what
    arrived through the company (COMPANY_INTAKE_CHANNELS, online by method) and is not yet handed to a
    department (QM may 派单 it, seed 5.2.2.6) and — as for a department — what the company's QM department
    holds at office level and nobody holds (QM takes it on itself, 5.2.2.5–5.2.2.6: 接单); for the QM
    information officer the online ones of the first (seed 5.2.3.3.1: passed on at once, the office phoned).
    Escalated complaints are not here: the escalation hands them to QM's department, which handles them
    from then on with nobody to name (5.2.3.5; docs/decisions.md, "infoofficer", "offers8")."""
    from docket.accounts.access import assignments_of
    from docket.accounts.models import Role

    from . import refdata

    q = Q(pk__in=[])
    for a in assignments_of(user):
        if a.role in (Role.DEPT_SUPERVISOR, Role.DEPT_MANAGER, Role.DEPT_STAFF):
            q |= Q(
                company_id=a.company_id,
                holder_department_id=a.department_id,
                holder__isnull=True,
                state__in=DEPT_ACTION_STATES,
            )
        elif a.role in (Role.RECEPTION, Role.OFFICE_MANAGER):
            q |= Q(office_id=a.office_id, state=State.REGISTERED)
        elif a.role == Role.QM:
            q |= Q(company_id=a.company_id, state=State.REGISTERED) & (
                Q(channel__in=COMPANY_INTAKE_CHANNELS) | online_q()
            )
            # What the company's QM department holds at office level and nobody holds (handed to it by 派单,
            # 转派 or a reopening): QM is its handling department there (`access.qm_handles`, 5.2.2.5–5.2.2.6),
            # so it is QM's as the supervisor's arm above is the department's. The QM department's id is a
            # constant of the compiled statement (`assignments_shape` names it), so the arm reads the partial
            # index `complaint_unassigned` (company, holder department); `level` is tested on its few rows.
            q |= Q(
                company_id=a.company_id,
                holder_department_id__in=refdata.qm_department_ids(a.company_id),
                holder__isnull=True,
                state__in=DEPT_ACTION_STATES,
                level=Level.OFFICE,
            )
        elif a.role == Role.QM_INFO_OFFICER:
            q |= Q(company_id=a.company_id, state=State.REGISTERED) & online_q()
    return Complaint.objects.filter(q)


def queue_view(
    user, view: str, filters: ListFilters | None = None, now: datetime | None = None
) -> QuerySet[Complaint]:
    """One tab of my work (QUEUE_VIEWS), in due order, narrowed by the list filters when given (`now`: the
    time overdue is judged at, the clock's when not given)."""
    from django.db.models import F

    now = now or clock.now()
    if view == "unassigned":
        qs = unassigned_for(user)
        if filters is not None:
            qs = apply_filters(qs, filters)
        qs = qs.order_by(F("next_due_at").asc(nulls_last=True), "received_at", "id")
    else:
        qs = work_queue_for(user, filters, now)
    if view == "overdue":
        qs = qs.filter(next_due_at__lt=now)
    elif view == "returned":
        qs = qs.filter(_returned_q())
    elif view == "chased":
        qs = qs.filter(_chased_q())
    return qs.select_related("office", "holder_department", "company")


def assignments_shape(user) -> tuple:
    """Everything of the user's role assignments that the queue's and the list's SQL follow (`CompiledBy`
    plans are keyed by it): each assignment's role and the rows it is held in."""
    from docket.accounts.access import assignments_of
    from docket.accounts.models import Role

    from . import refdata

    return tuple(
        (a.role, a.user_id, a.group_id, a.company_id, a.office_id, a.department_id, a.committee_id)
        + ((refdata.qm_department_ids(a.company_id),) if a.role == Role.QM else ())
        for a in assignments_of(user)
    )


def _counts_query(user, now: datetime) -> QuerySet:
    """Every tab's count in one statement: the queue's four as `COUNT(*) FILTER (…)` over the queue, the
    unassigned as a scalar subquery (a constant grouping value: one row, no GROUP BY)."""
    from django.db.models import Count, IntegerField, Subquery, Value

    unassigned = unassigned_for(user).order_by().values(_one=Value(1)).annotate(n=Count("id")).values("n")
    return (
        work_queue_for(user, now=now)
        .select_related(None)
        .order_by()
        .values(_one=Value(1))
        .annotate(
            mine=Count("id"),
            overdue=Count("id", filter=Q(next_due_at__lt=now)),
            returned=Count("id", filter=_returned_q()),
            chased=Count("id", filter=_chased_q()),
            unassigned=Subquery(unassigned, output_field=IntegerField()),
        )
        .values_list("mine", "overdue", "returned", "chased", "unassigned")
    )


_counts_row = CompiledBy(_counts_query)


def queue_counts(user) -> dict[str, int]:
    """The count of every tab of my work (QUEUE_VIEWS), one statement compiled once per shape of the
    user's role assignments (pagecpu2: Django compiled the two statements on every request)."""
    found = _counts_row(assignments_shape(user), user, clock.now())
    values = found[0] if found else (0, 0, 0, 0, 0)
    counts = dict(zip(("mine", "overdue", "returned", "chased", "unassigned"), values, strict=True))
    return {view: counts[view] or 0 for view in QUEUE_VIEWS}


_queue_page_rows = CompiledBy(
    lambda source, now: (
        queue_view(source[0], source[1], None, now)
        .select_related(None)
        .only(*QUEUE_ROW_OWN)[source[2] : source[2] + LIST_PAGE_SIZE]
    )
)


def queue_page(user, view: str, start: int) -> list[Complaint]:
    """The page of an unfiltered tab of my work that starts at row `start` (`queue_view(user,
    view).only(*QUEUE_ROW_FIELDS)[start : start + LIST_PAGE_SIZE]`), by a statement compiled once per tab,
    first row and shape of the user's role assignments."""
    from . import refdata

    rows = _queue_page_rows((assignments_shape(user), view, start), (user, view, start), clock.now())
    refdata.attach_org_rows(rows, ("office", "company", "holder_department"))
    return rows


SEARCH_MIN = 2  # characters: a single character would match most of the history
SEARCH_IDS = 2000  # matches read by id before the search walks the user's complaints instead


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def search_term(text: str) -> str:
    """The term as the search looks for it: without control characters (a term holding
    models.complaint.SEARCH_SEP would match across the parts of the search text), stripped."""
    return _CONTROL.sub("", text).strip()


def _row_lookups(user, text: str) -> list[dict[str, Any]]:
    """The fields of the complaint's own row (and its room) the search looks in, as lookups: the receipt
    number (any part of it; a term of digits only, its end), the search text (subject and issue summaries,
    `Complaint.search_text`), and — for roles that see complainants in full (privacy.FULL_ROLES) — the
    phone (a complete number, or its last four digits), the name and the room number. Every one is a column
    of the complaint's row (search6: the issues' text was a probe of another table per row)."""
    from docket.accounts.access import assignments_of
    from docket.core import phones

    from .privacy import FULL_ROLES

    receipt = text.upper()
    # Digits alone name a receipt by its last digits (the sequence number a caller reads out): inside the
    # number they would match its date — "2407" every receipt of July 2024 —, which nobody means (search6).
    receipt_lookup = (
        {"receipt_no__endswith": receipt} if receipt.isdigit() else {"receipt_no__contains": receipt}
    )
    lookups: list[dict[str, Any]] = [receipt_lookup, {"search_text__contains": text}]
    if any(a.role in FULL_ROLES for a in assignments_of(user)):
        digits = phones.digits(text)
        number = phones.normalize(text)
        if number is not None:
            lookups.append({"complainant_phone": number})
        elif len(digits) == 4 and digits == text:
            lookups.append({"complainant_phone__endswith": digits})
        lookups.append({"complainant_name": text})
        rooms = _rooms_numbered(user, text)
        if rooms:  # most terms name no room: no arm (an arm named no rows anyway)
            lookups.append({"room_id__in": rooms})
    return lookups


_room_ids = Compiled(lambda number: Room.objects.filter(number=number).values_list("id", flat=True))


def _rooms_numbered(user, text: str) -> list[int]:
    """The rooms whose number is the term (on `room_number`, org migration 0005), read once per user object
    (request) and term. The room arm was a join: every window statement hashed all the rooms (11 000 at a
    million complaints, ~1.3 ms of a first window's ~4) to find none for most terms (search5)."""
    cached = getattr(user, "_search_rooms", None)
    if cached is None or cached[0] != text:
        cached = (text, _room_ids(text))
        user._search_rooms = cached
    return cached[1]


def _search_arms(user, text: str, after: int = 0) -> list[QuerySet]:
    """One id query per field the search looks in (see `search_q`), each on its own index; `after`
    keeps only complaints with a larger id (the newest window, `search_for`)."""
    newer = Q(id__gt=after) if after else Q()
    return [
        Complaint.objects.filter(newer, **lookup).order_by().values_list("id", flat=True)
        for lookup in _row_lookups(user, text)
    ]


def _row_q(text: str, lookups: list[dict[str, Any]]) -> Q:
    """The search as a condition on one complaint row (`_row_lookups`): for candidate rows named by id
    (`_department_window`) and for the walk (`_walk_q`)."""
    q = Q()
    for lookup in lookups:
        if "search_text__contains" in lookup:
            # tested on the row, never read through the trigram index (core.lookups.RowContains): the planner
            # would otherwise collect the whole history's matches and join them with the candidates
            lookup = {"search_text__row_contains": lookup["search_text__contains"]}
        q |= Q(**lookup)
    return q


def _lookup_parts(lookups: list[dict[str, Any]]) -> tuple[tuple, tuple]:
    """The shape of `_row_lookups`' lookups (each one's name, and a list's length) and their values in order:
    what `_department_rows` keys its plans by and binds."""
    shape: list[tuple[str, int | None]] = []
    values: list[Any] = []
    for lookup in lookups:
        ((name, value),) = lookup.items()
        if isinstance(value, list):
            shape.append((name, len(value)))
            values += value
        else:
            shape.append((name, None))
            values.append(value)
    return tuple(shape), tuple(values)


def _lookups_of(shape: tuple, values: tuple) -> list[dict[str, Any]]:
    """The lookups `_lookup_parts` took apart."""
    lookups: list[dict[str, Any]] = []
    at = 0
    for name, n in shape:
        if n is None:
            lookups.append({name: values[at]})
            at += 1
        else:
            lookups.append({name: list(values[at : at + n])})
            at += n
    return lookups


def _department_rows_query(source: tuple, after: int, *rest: Any) -> QuerySet:
    """A department's window statement (`_department_window`, each row tested by `_row_q`): the newest `need`
    matches as (id, received_at). `source`: the user, the lookups' shape, `need`, and whether the window has
    an upper end (then `rest` starts with it); then the term and the lookups' values."""
    user, shape, need, bounded = source
    upto, (text, *values) = (rest[0], rest[1:]) if bounded else (None, rest)
    window = _department_window(user, after, upto)
    if window is None:
        raise ValueError("a department's window: the user holds a role that is not a department's")
    return (
        complaints_visible_to(user, few=True)
        .filter(pk__in=window)
        .filter(_row_q(text, _lookups_of(shape, tuple(values))))
        .order_by(*SEARCH_ORDER)
        .values_list("id", "received_at")[:need]
    )


# The first window's and the larger window's slices' statement, compiled once per shape of the user's role
# assignments, lookups the term takes, page size and bounds (search5: Django built and compiled it on every
# search, about a third of the search's CPU in the app).
_department_rows = CompiledBy(lambda source, *values: _department_rows_query(source, *values))


def _department_matches(user, text: str, need: int, after: int, upto: int | None = None) -> list[tuple]:
    """The newest `need` matches (id, received_at), in the list's order, among a department user's
    complaints of the window id > after (and <= upto)."""
    shape, values = _lookup_parts(_row_lookups(user, text))
    bounds = (after,) if upto is None else (after, upto)
    return _department_rows(
        (assignments_shape(user), shape, need, upto is not None),
        (user, shape, need, upto is not None),
        *bounds,
        text,
        *values,
    )


def _department_only(user) -> bool:
    """Whether every role of the user is a department's (`_department_window` applies)."""
    from docket.accounts.access import assignments_of

    from .scopes import DEPT_ROLES

    assignments = assignments_of(user)
    return bool(assignments) and all(a.role in DEPT_ROLES for a in assignments)


def _department_window(user, after: int, upto: int | None = None) -> QuerySet | None:
    """For a user whose every role is a department's: the complaints of the window (id > after, and
    id <= upto when given: a slice of it) the departments hold, own an issue of, or recorded — read from the
    department's own indexes (a few thousand ids at a million complaints), where the field arms read every
    complaint and issue of the window. None for any other user."""
    from docket.accounts.access import assignments_of

    from .scopes import DEPT_ROLES

    assignments = assignments_of(user)
    if not assignments or any(a.role not in DEPT_ROLES for a in assignments):
        return None
    ids = Q(id__gt=after) & (Q(id__lte=upto) if upto is not None else Q())
    issue_ids = Q(complaint_id__gt=after) & (Q(complaint_id__lte=upto) if upto is not None else Q())
    arms: list[QuerySet] = []
    for a in assignments:
        arms.append(
            Complaint.objects.filter(ids & Q(holder_department_id=a.department_id))
            .order_by()
            .values_list("id", flat=True)
        )
        arms.append(
            ComplaintIssue.objects.filter(issue_ids & Q(department_id=a.department_id))
            .order_by()
            .values_list("complaint_id", flat=True)
        )
        arms.append(
            Complaint.objects.filter(ids & Q(received_by_id=a.user_id))
            .order_by()
            .values_list("id", flat=True)
        )
    return arms[0].union(*arms[1:])


def _walk_q(user, text: str) -> Q:
    """The search as one condition tested row by row while walking what the user may see (every field is
    on the complaint's row)."""
    return _row_q(text, _row_lookups(user, text))


def search_q(user, text: str) -> Q:
    """The condition of the top bar's search (issue 14): receipt number, subject and issue text (substring;
    trigram-indexed on PostgreSQL, migration 0013_wb_search_trgm), and — for roles that see complainants
    in full (privacy.FULL_ROLES) — the phone (a complete number, or its last four digits), the
    complainant's name and the room number (exact). A role that sees people masked cannot find a
    complaint by a person's details it is not shown."""
    text = search_term(text)
    if len(text) < SEARCH_MIN:
        return Q(pk__in=[])
    # Each field is its own arm, and the arms are a UNION of ids: every arm can use its own index (a
    # trigram GIN on PostgreSQL), where one OR over the fields and an issue subquery made PostgreSQL walk
    # every complaint the user may see and test each (bench.http, search).
    arms = _search_arms(user, text)
    walk = _walk_q(user, text)
    if len(text) < 3:
        # No trigram in two characters: no index can answer the substring, so test the fields while
        # walking what the user may see newest first (stops at the page's end for a common word).
        return walk
    # The matching ids first (each arm on its own index, at most SEARCH_IDS of them), then the user's
    # scope over those few rows; a term matching more than that is common, and the walk finds its newest
    # matches within the first page.
    ids = list(arms[0].union(*arms[1:])[: SEARCH_IDS + 1])
    return walk if len(ids) > SEARCH_IDS else Q(pk__in=ids)


# The newest complaints (by id) a search reads first, then the larger window, before the whole history:
# a term common enough fills its page from them without touching the rest (`search_for`).
SEARCH_WINDOWS = (20_000, 200_000)
RECEIPT_NO = re.compile(r"[A-Z0-9]{1,20}-\d{8}-\d{4,6}")  # intake.receipt_no_next: OFFICE-YYYYMMDD-NNNN


def search_for(user, text: str, need: int | None = None) -> QuerySet[Complaint]:
    """What the user may see (`complaints_visible_to`) matching the search, newest first.

    With `need` (the rows the page shows, plus one), the search first reads the matches among the newest
    complaints (SEARCH_WINDOWS, by id: each field's arm limited to the window, at most SEARCH_IDS of the
    newest matches), and answers from them when the user may see `need` of them. At a million complaints
    a common four-character term matches tens of thousands of rows: collecting them through the trigram
    index (the whole match set, before any limit) cost 0.5–1.6 s, walking everything the user may see
    0.3–0.5 s, the window tens of milliseconds. Only a term the windows cannot fill the page with is
    looked up in the whole history (`search_q`), where it is rare (few ids through the index).

    A term the first window finds too few of to expect a page from the larger one (`_few_in_window`) is
    looked up in the whole history first, each field's arm capped (`_rare_in_history`): a rare term (a phone's
    last four digits, a receipt's date) has a few hundred matches there, cheaper to read than the larger
    window's candidates. When every arm stayed under its cap the page is cut from those matches exactly as
    the windows would cut it (`_page_of`); otherwise the windows and the walk follow as before. A department's
    term the first window finds fewer than a page of reads the larger window in slices (`_larger_window`).
    Every path gives the page the windows give (docs/decisions.md, "search4" and "search5")."""
    found = _search(user, text, need)
    if isinstance(found, list):  # the page's ids, in the list's order
        few = complaints_visible_to(user, few=True)
        return few.filter(pk__in=found).select_related("office", "holder_department").order_by(*SEARCH_ORDER)
    return found


def search_rows(user, text: str, need: int, start: int = 0) -> list[Complaint] | QuerySet[Complaint]:
    """The search page's rows from row `start` up to `need` (`search_for(user, text, need)[start:need]` with
    the row's columns only, LIST_ROW_FIELDS). When the windows or the history named the page's complaints by
    id (under the user's scope), they are read as the list reads its rows (`list_rows`: a statement compiled
    once, the office and holder department from the process's copy), not by a statement compiled on every
    request that tests the scope again (search5)."""
    found = _search(user, text, need)
    if isinstance(found, list):
        return list_rows(found[start:need])
    return found.only(*LIST_ROW_FIELDS)[start:need]


SEARCH_ORDER = ("-received_at", "-id")  # the list's order


def _search(user, text: str, need: int | None) -> list[int] | QuerySet[Complaint]:
    """`search_for`'s answer: the page's ids in the list's order when a window or the history named them
    (each found under the user's scope), else the queryset of every match (a receipt number's one row, the
    walk, a term with few ids in the whole history)."""
    text = search_term(text)
    order = SEARCH_ORDER
    if RECEIPT_NO.fullmatch(text.upper()):  # a whole receipt number names one complaint: its unique index
        visible = complaints_visible_to(user)
        return visible.filter(receipt_no=text.upper()).select_related("office", "holder_department")
    common = False  # the whole history's matches are known to be more than HISTORY_IDS
    if need and len(text) >= 3:
        top = Complaint.objects.order_by("-id").values_list("id", flat=True).first() or 0
        # Digits (a phone's last four, a receipt's date or number) are rare in the history as a rule: the
        # history is asked first, and the first window (which found 0-3 of them for the bench's 87 phone
        # endings, ~4 ms each) is read only for a term that turns out common (search5).
        if text.isdigit():
            if _rare_in_history(user, text):
                return _history_page(user, text, top, need)
            common = True
        for n, window in enumerate(SEARCH_WINDOWS):
            after = top - window
            if after <= 0:
                break
            # Every match in the window (each field's arm on its index), the scope probed per match, the
            # page's rows in the list's order: one statement. A cap on the window's matches (the first
            # version read the newest 2 000) left a department's older matches in a larger window unseen.
            department = _department_only(user)
            if department:  # a department's few complaints of the window, each row tested
                rows = _department_matches(user, text, need, after)
            else:
                arms = _search_arms(user, text, after)
                found = complaints_visible_to(user, few=True).filter(pk__in=arms[0].union(*arms[1:]))
                rows = list(found.order_by(*order).values_list("id", "received_at")[:need])
            if len(rows) >= need:
                return [pk for pk, _at in rows]
            if n == 0 and _few_in_window(len(rows), need):
                if not common and _rare_in_history(user, text):
                    return _history_page(user, text, top, need)
                common = True
            if n == 0 and department:
                # A department's larger window in slices below the first (`_larger_window`): its page, or
                # every match of a history no longer than it; fewer than a page go on to the whole history.
                ids = _larger_window(user, text, top, rows, need)
                if len(ids) >= need or top <= SEARCH_WINDOWS[1]:
                    return ids
                break
    q = _walk_q(user, text) if common else search_q(user, text)
    # a few matches by id (a rare term): probe the scope per row, not walk it
    visible = complaints_visible_to(user, few=_names_ids(q))
    return visible.filter(q).select_related("office", "holder_department").order_by(*order)


# The whole history's matches a search reads by id when the first window found few (`search_for`): each
# field's arm stops at this many; a term with more is common, and the windows and the walk answer it.
HISTORY_IDS = 10_000


def _few_in_window(found: int, need: int) -> bool:
    """Whether `found` matches in the first window promise fewer than half a page in the larger one (the
    windows' ratio: SEARCH_WINDOWS): the whole history's matches are then likely few."""
    ratio = SEARCH_WINDOWS[1] // SEARCH_WINDOWS[0]
    return found * ratio < need // 2


def _rare_in_history(user, text: str) -> bool:
    """Whether every field's arm of the search has fewer than HISTORY_IDS matches in the whole history (each
    read by its index, at most that many): the term is rare, and its matches can be read in full."""
    from django.db import connection
    from django.db.models import IntegerField, Value

    arms = _search_arms(user, text)
    cap = HISTORY_IDS + 1
    if connection.features.supports_slicing_ordering_in_compound:  # one statement, each arm LIMITed
        tagged = [arm.values_list(Value(i, output_field=IntegerField()))[:cap] for i, arm in enumerate(arms)]
        counts = collections.Counter(tagged[0].union(*tagged[1:], all=True))
        return max(counts.values(), default=0) < cap
    # SQLite: no LIMIT inside a compound statement
    return all(len(arm[:cap]) < cap for arm in arms)


def _larger_window(user, text: str, top: int, first: list, need: int) -> list[int]:
    """For a department's user whose first window found `first` (its matches, (id, received_at), fewer than
    `need`): the larger window's page (SEARCH_WINDOWS[1]; in a history no longer than it, the whole
    history's), or every match of it when it holds fewer than a page — read in slices below the first window
    rather than in one statement that reads the first window again.

    Each slice (`_next_window`: a page and a quarter at the rate found so far, 1.25 to 4 times the window
    read) gives its newest `need` matches; the newest `need` of everything read are the page of the window
    read so far. They are the larger window's page when nothing below can rank above the last of them: no
    complaint of the user's companies further down the larger window was received after it (`_newer_below`;
    one received at the same time has a smaller id, so it ranks below). The larger window tests ~10 000 of a
    busy department's complaints at a million (40–140 ms); a term that fills the page from a third of them
    need not read the rest (search5; it replaced search4's one middle window)."""
    end = max(top - SEARCH_WINDOWS[1], 0)
    window = SEARCH_WINDOWS[0]
    rows = list(first)
    while top - window > end:
        upto = top - window
        window = _next_window(window, len(rows), need)
        after = max(top - window, end)
        rows += _department_matches(user, text, need, after, upto)
        if len(rows) < need:
            continue
        rows = sorted(rows, key=lambda row: (row[1], row[0]), reverse=True)[:need]
        if after == end or not _newer_below(user, end, after, rows[-1][1]):
            break
    rows.sort(key=lambda row: (row[1], row[0]), reverse=True)
    return [pk for pk, _at in rows[:need]]


def _next_window(window: int, found: int, need: int) -> int:
    """The window (newest ids) to read next when `window` gave `found` matches: one holding a page and a
    quarter at that rate, at least 1.25 and at most four times as large, at most the larger window."""
    target = window * 5 * need // (4 * max(found, 1))
    return min(max(target, window * 5 // 4, window + 1), window * 4, SEARCH_WINDOWS[1])


def _newer_below(user, end: int, after: int, received_at) -> bool:
    """Whether a complaint of the user's companies with an id in (end, after] was received after
    `received_at`. A department's scope lies in its companies (scopes.complaint_q), so a complaint outside
    them cannot join the page; counted on the company's received-time index (an EXISTS would walk the ids)."""
    from docket.accounts.access import assignments_of

    newer = Complaint.objects.filter(
        company_id__in={a.company_id for a in assignments_of(user)},
        id__gt=end,
        id__lte=after,
        received_at__gt=received_at,
    )
    return newer.count() > 0


def _history_page(user, text: str, top: int, need: int) -> list[int]:
    """The page's ids `search_for` gives for a term `_rare_in_history` found rare: every match the user may
    see, in the list's order, cut as the windows would cut it (`_page_of`)."""
    # The scope over the matches named by their arms again (each under its cap, so complete): a literal
    # list of thousands of ids made PostgreSQL AND it with the company's whole index.
    arms = _search_arms(user, text)
    matched = complaints_visible_to(user, few=True).filter(pk__in=arms[0].union(*arms[1:]))
    matched = matched.order_by(*SEARCH_ORDER)
    return _page_of(list(matched.values_list("id", flat=True)), top, need)


def _page_of(matches: list[int], top: int, need: int) -> list[int]:
    """The page `search_for` gives from every match the user may see (ids in the list's order): the newest
    window's first `need` when it holds that many (as the windows answer), else the history's first."""
    for window in SEARCH_WINDOWS:
        after = top - window
        if after <= 0:
            break
        newest = [pk for pk in matches if pk > after]
        if len(newest) >= need:
            return newest[:need]
    return matches[:need]


def _names_ids(q: Q) -> bool:
    """Whether `search_q` answered with the matching ids (`pk__in`), not a condition to walk."""
    return len(q.children) == 1 and isinstance(q.children[0], tuple) and q.children[0][0] == "pk__in"
