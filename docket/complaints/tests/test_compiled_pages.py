"""pagecpu2 (issue 14): the queue's tab counts, the queue's and the list's unfiltered pages and the queue's
step prefetch run as statements compiled once per shape of the user's role assignments
(core/compiled.CompiledBy). They give what the querysets they were compiled from give, for every role,
and a role change, a new complaint or a later time shows at once."""

from datetime import timedelta

import pytest
from django.db.models import Count, Q
from django.urls import reverse

from conftest import make_complaint
from docket.accounts.models import Role
from docket.accounts.services import role_grant
from docket.complaints import selectors
from docket.complaints import services as s
from docket.complaints.models import Complaint, Method, State
from docket.complaints.tests.helpers import drive_to
from docket.core import clock

pytestmark = pytest.mark.django_db

STATES = [
    (State.REGISTERED, {}),
    (State.ASSIGNED, {}),
    (State.INVESTIGATING, {}),
    (State.INVESTIGATING, {"issues": 2}),
    (State.IN_REVIEW, {"method": Method.EMAIL}),
    (State.REPLY_APPROVED, {"method": Method.EMAIL}),
    (State.NEGOTIATING, {}),
    (State.IMPLEMENTING, {}),
    (State.VERIFYING, {}),
    (State.FOLLOW_UP, {}),
    (State.CLOSED, {}),
]


def _users(org):
    return [*org.users.values(), *org.a.users.values(), *org.b.users.values(), org.other_company_qm]


def _orm_counts(user) -> dict[str, int]:
    """The tab counts as Django counted them before (an aggregate over the queue and a count)."""
    now = clock.now()
    counts = (
        selectors.work_queue_for(user)
        .order_by()
        .aggregate(
            mine=Count("id"),
            overdue=Count("id", filter=Q(next_due_at__lt=now)),
            returned=Count("id", filter=selectors._returned_q()),
            chased=Count("id", filter=selectors._chased_q()),
        )
    )
    counts["unassigned"] = selectors.unassigned_for(user).count()
    return {view: counts[view] for view in selectors.QUEUE_VIEWS}


def _row(c, fields) -> tuple:
    names = [Complaint._meta.get_field(f).attname for f in fields if "__" not in f]  # type: ignore[union-attr]
    return (
        *(getattr(c, name) for name in names),
        c.office.name if c.office_id else None,
        c.holder_department.name if c.holder_department_id else None,
    )


def _same_pages(user) -> None:
    assert selectors.queue_counts(user) == _orm_counts(user), user.username
    for view in selectors.QUEUE_VIEWS:
        for start in (0, 2):
            expected = list(
                selectors.queue_view(user, view).only(*selectors.QUEUE_ROW_FIELDS)[
                    start : start + selectors.LIST_PAGE_SIZE
                ]
            )
            got = selectors.queue_page(user, view, start)
            assert [_row(c, selectors.QUEUE_ROW_FIELDS) for c in got] == [
                _row(c, selectors.QUEUE_ROW_FIELDS) for c in expected
            ], (user.username, view, start)
            # the same deferred columns: a column the row does not read is read lazily, as before
            assert [c.get_deferred_fields() for c in got] == [c.get_deferred_fields() for c in expected]
    listed = (
        selectors.complaint_list_for(user)
        .select_related(None)
        .select_related("office", "holder_department")
        .only(*selectors.LIST_ROW_FIELDS)
    )
    ids = selectors.list_first_ids(user, 1001)
    assert ids == list(listed.values_list("id", flat=True)[:1001]), user.username
    for start in (0, 3):
        got = selectors.list_rows(ids[start : start + selectors.LIST_PAGE_SIZE])
        expected = list(listed[start : start + selectors.LIST_PAGE_SIZE])
        assert [_row(c, selectors.LIST_ROW_FIELDS) for c in got] == [
            _row(c, selectors.LIST_ROW_FIELDS) for c in expected
        ], (user.username, start)
        assert [c.get_deferred_fields() for c in got] == [c.get_deferred_fields() for c in expected]
    for limit in (1, 3, 1001):
        assert len(selectors.list_first_ids(user, limit)) == listed.order_by()[:limit].count(), (
            user.username,
            limit,
        )


def test_compiled_queue_and_list_match_the_querysets(org):
    """Every role (and a user with none): the compiled counts and pages equal the querysets', over
    complaints in every stage, two offices, a returned draft, a chased one, an escalated one and later
    times (overdue moves with the clock, not with the compiled statement)."""
    for state, extra in STATES:
        drive_to(org, state, **extra)
        if state in (State.ASSIGNED, State.INVESTIGATING, State.VERIFYING):
            drive_to(org, state, kit=org.b, **extra)
    letter = drive_to(org, State.IN_REVIEW, method=Method.EMAIL)
    s.reply_review_return(actor=org.users["qm"], complaint_id=letter.id, comment="请补充")
    escalated = drive_to(org, State.INVESTIGATING)
    Complaint.objects.filter(pk=escalated.id).update(level="company")
    chased = drive_to(org, State.INVESTIGATING)
    s.complainant_chase(complaint_id=chased.id, text="顾客来电催办")
    users = _users(org)
    for user in users:
        _same_pages(user)
    later = clock.now() + timedelta(days=40)
    with clock.travel(later):
        for user in users:
            _same_pages(user)


def test_compiled_pages_follow_role_changes_and_new_complaints(org):
    """A new role changes the shape (another compiled statement); a new complaint shows at once."""
    from docket.accounts.access import forget
    from docket.accounts.models import User

    user = User.objects.create_user(username="pc2_person", password="x")
    assert selectors.queue_counts(user) == dict.fromkeys(selectors.QUEUE_VIEWS, 0)
    assert selectors.list_first_ids(user, 1001) == [] and selectors.list_rows([]) == []
    role_grant(user=user, role=Role.DEPT_SUPERVISOR, scope_obj=org.a.depts["engineering"])
    forget(user)
    before = selectors.queue_counts(user)
    c = drive_to(org, State.INVESTIGATING)
    after = selectors.queue_counts(user)
    assert after["mine"] == before["mine"] + 1
    assert c.id in [x.id for x in selectors.queue_page(user, "mine", 0)] + [
        x.id for x in selectors.queue_page(user, "mine", 50)
    ]
    assert selectors.list_first_ids(user, 1001)[0] == c.id
    _same_pages(user)


def test_queue_and_list_pages_over_http(client, org):
    """The views with the compiled statements: the landing, a later page, past the last page, and a
    filtered one (Django's querysets) show the same rows."""
    sup = org.a.users["eng_supervisor"]
    rows = [drive_to(org, State.INVESTIGATING) for _ in range(3)]
    client.force_login(sup)
    for url in (reverse("complaints:work"), reverse("complaints:list")):
        for query in ("", "?page=2", "?page=99", "?state=investigating"):  # past the end: the last page
            r = client.get(url + query)
            assert r.status_code == 200
            body = r.content.decode()
            assert all(c.receipt_no in body for c in rows), (url, query)


def test_unassigned_index_condition_is_the_queries():
    """The partial index `complaint_unassigned` is used only while its states are the query's
    (selectors.DEPT_ACTION_STATES)."""
    index = next(i for i in Complaint._meta.indexes if i.name == "complaint_unassigned")
    states = dict(index.condition.children)["state__in"]
    assert states == [str(x) for x in selectors.DEPT_ACTION_STATES]


def test_escalated_index_condition_is_the_queues():
    """The partial index `complaint_escalated_open` is used only while its states are the queue's `active`
    (selectors.TERMINAL_STATES left out) and its level the escalated arm's."""
    index = next(i for i in Complaint._meta.indexes if i.name == "complaint_escalated_open")
    level, not_ended = index.condition.children
    assert level == ("level", "company")
    assert not_ended.negated and sorted(dict(not_ended.children)["state__in"]) == sorted(
        str(x) for x in selectors.TERMINAL_STATES
    )


def test_bulk_bar_fields_are_the_forms_and_follow_renames(org):
    """The bulk bar's fields, kept per language and departments offered, are Django's rendering of the
    unbound form in either language; a renamed department shows at once."""
    from django.template import engines
    from django.utils import translation

    from docket.complaints.forms import BulkHandOverForm, bulk_departments
    from docket.complaints.views.actions import _BULK_FIELDS_TEMPLATE, BULK_PREFIX, bulk_bar

    user = org.a.users["reception"]
    for lang in ("zh-hans", "en"):
        with translation.override(lang):
            for _ in range(2):  # the second from the kept markup
                bar = bulk_bar(user)
                assert bar is not None
                form = BulkHandOverForm(prefix=BULK_PREFIX, user=user)
                assert bar.fields == engines["django"].from_string(_BULK_FIELDS_TEMPLATE).render({"f": form})
    dept = org.a.depts["engineering"]
    dept.name = "工程维修部"
    dept.save()
    bar = bulk_bar(user, list(bulk_departments(user)))
    assert bar is not None and "工程维修部" in bar.fields
    assert bulk_bar(org.a.users["eng_staff"]) is None


def test_list_landing_by_arms_lists_the_same_rows(org):
    """list (issue 14): the unfiltered landing of a department's user is a union of arms (what it holds, its
    issues by their copy of the complaint's received time, what the user recorded), each cut at the cap; the
    ids equal the queryset's, in its order, for every user and cap — with complaints received out of id
    order, two issues of one department in a complaint, issues of two departments, and issues added after
    intake (their received time filled from the complaint). On PostgreSQL the department's landing is the
    union; SQLite walks."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from docket.complaints.models import ComplaintIssue

    now = clock.now()
    eng, sec = org.a.depts["engineering"], org.a.depts["security"]
    for state, extra in STATES:
        drive_to(org, state, **extra)
        drive_to(org, state, kit=org.b, **extra)
    for days in (3, 1, 2):  # received earlier than complaints with smaller ids
        drive_to(org, State.INVESTIGATING, issues=2, received_at=now - timedelta(days=days))
    c = drive_to(org, State.INVESTIGATING)
    for seq, dept in ((5, sec), (6, sec), (7, None)):
        ComplaintIssue.objects.create(
            complaint=c, company_id=c.company_id, seq=seq, summary="补充", department=dept
        )
    late = ComplaintIssue.objects.get(complaint=c, seq=5)
    assert late.received_at == c.received_at
    made = make_complaint(org, actor=org.a.users["sec_supervisor"])  # recorded by a department's user
    ComplaintIssue.objects.bulk_create(
        [ComplaintIssue(complaint=made, company_id=made.company_id, seq=9, summary="批量", department=eng)]
    )
    assert ComplaintIssue.objects.get(complaint=made, seq=9).received_at == made.received_at
    users = _users(org)
    for user in users:
        listed = selectors.complaint_list_for(user).values_list("id", flat=True)
        for limit in (1, 2, 3, 5, 1001):
            assert selectors.list_first_ids(user, limit) == list(listed[:limit]), (user.username, limit)
    with CaptureQueriesContext(connection) as ctx:
        selectors.list_first_ids(org.a.users["eng_supervisor"], 1001)
    assert ("UNION" in ctx.captured_queries[-1]["sql"]) == (connection.vendor == "postgresql")


def test_hot_major_index_condition_is_the_scopes():
    """The partial index `complaint_hot_major_received` serves the group property department's list only
    while its condition is the scope's (scopes.complaint_q)."""
    from docket.accounts.models import RoleAssignment
    from docket.complaints.scopes import complaint_q

    index = next(i for i in Complaint._meta.indexes if i.name == "complaint_hot_major_received")
    scope = complaint_q(RoleAssignment(role=Role.GROUP_PROPERTY, group_id=1))
    assert dict(index.condition.children)["severity__in"] == [
        str(x) for x in dict(scope.children)["severity__in"]
    ]
