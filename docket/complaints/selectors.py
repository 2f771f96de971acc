"""Reads for pages and the API. Every read starts from `access.complaints_visible_to(user)`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects

from docket.core import clock

from .access import complaints_visible_to
from .models import TERMINAL_STATES, Complaint, ComplaintEvent, ComplaintIssue, IssueState, Obligation, State

LIST_PAGE_SIZE = 50
# What a department works on while it holds a complaint: every open state but the reviewers' two.
DEPT_HELD_STATES = [
    v for v in State.values if v not in TERMINAL_STATES and v not in (State.IN_REVIEW, State.REPLY_APPROVED)
]


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
)


def complaint_detail_for(complaint: Complaint) -> Complaint:
    """Load the complaint's issues, attachments, replies, obligations… onto it for the detail page. The
    complaint itself is not read again: fetch it with `access_complaint(user, id, related=DETAIL_RELATED)`
    (the page used to read its row twice, the second time joined with nine tables)."""
    prefetch_related_objects(
        [complaint],
        Prefetch(
            "issues",
            queryset=ComplaintIssue.objects.select_related(
                "category__parent", "department", "responsible", "verified_by"
            ),
        ),
        "attachments",
        "cosigners",
        "replies__reviews__reviewer",
        "claims__recorded_by",
        "claims__decided_by",
        "claims__outcome_by",
        "ncrs__department",
        "ncrs__issued_by",
        "ncrs__drafted_by",
        "ncrs__closed_by",
        "ncrs__actions__department",
        "ncrs__actions__responsible",
        "ncrs__actions__verified_by",
        "developer_forwards__party",
        Prefetch(
            "obligations",
            queryset=Obligation.objects.select_related("holder", "holder_department").order_by(
                "started_at", "id"
            ),
        ),
    )
    return complaint


def timeline_for(complaint: Complaint, *, public_only: bool = False) -> QuerySet[ComplaintEvent]:
    """The staff timeline (everything) or the complainant's (public events only, R-EXP-2)."""
    qs = ComplaintEvent.objects.filter(complaint=complaint).order_by("seq")
    return qs.filter(public=True) if public_only else qs


def _work_q(a) -> Q:
    """What waits for one role assignment (R-HDL, R-SLA-3): the things this role acts on next."""
    from docket.accounts.models import Role

    active = ~Q(state__in=TERMINAL_STATES)
    role = a.role
    if role == Role.RECEPTION:
        return Q(office_id=a.office_id) & Q(
            state__in=[
                State.REGISTERED,
                State.REPLY_APPROVED,
                State.REPLIED,
                State.FOLLOW_UP,
                State.WITH_DEVELOPER,
            ]
        )
    if role in (Role.DEPT_STAFF, Role.DEPT_SUPERVISOR, Role.DEPT_MANAGER):
        # What the department holds, and what it owes on an open issue. The issues are an uncorrelated
        # `id IN (…)` (no join, so no DISTINCT; PostgreSQL hashes it once, where a correlated EXISTS inside
        # the OR is costed per row and turned the count into a bitmap scan of the department's history),
        # and the states are listed, so the queue reads `complaint_open_due` alone, in due order.
        mine = Q(holder_department_id=a.department_id, state__in=DEPT_HELD_STATES)
        owes = ComplaintIssue.objects.filter(
            company_id=a.company_id,
            department_id=a.department_id,
            state__in=[IssueState.OPEN, IssueState.REWORK],
        ).values("complaint_id")
        issue = Q(pk__in=owes, state__in=[State.INVESTIGATING, State.NEGOTIATING, State.IMPLEMENTING])
        return Q(company_id=a.company_id) & (mine | issue)
    if role == Role.OFFICE_MANAGER:
        return Q(office_id=a.office_id) & (
            Q(state=State.VERIFYING) | (active & Q(next_due_at__lt=clock.now()))
        )
    if role == Role.QM:
        return Q(company_id=a.company_id) & (
            Q(review_stage="qm") | (Q(level="company") & active & ~Q(state=State.IN_REVIEW))
        )
    if role == Role.GENERAL_OFFICE:
        return Q(company_id=a.company_id, review_stage="general_office")
    if role == Role.LEADERSHIP:
        return Q(company_id=a.company_id, severity__in=["hot", "major"]) & active
    if role == Role.MGMT_REP:
        return Q(company_id=a.company_id, level="company") & active
    if role == Role.GROUP_PROPERTY:
        return Q(company__group_id=a.group_id, severity__in=["hot", "major"]) & active
    return Q(pk__in=[])


def work_queue_for(user, filters: ListFilters | None = None) -> QuerySet[Complaint]:
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
        q |= _work_q(a)
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
