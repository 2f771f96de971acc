"""pagecpu2 (issue 14): the queue's tab counts, the queue's and the list's unfiltered pages and the queue's
step prefetch run as statements compiled once per shape of the user's role assignments
(core/compiled.CompiledBy). They give what the querysets they were compiled from give, for every role,
and a role change, a new complaint or a later time shows at once."""

from datetime import timedelta

import pytest
from django.db.models import Count, Q
from django.urls import reverse

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


def test_list_probing_a_dense_department_lists_the_same_rows(org):
    """pgcpu: the unfiltered list with a department's issues probed per row (selectors.dense_departments,
    scopes._RowProbe) gives the rows of the hashed `IN`, in its order, for every user and cap; the filtered
    list (Django's queryset) too. On PostgreSQL the probe is a plain per-row EXISTS (OFFSET 0)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for state, extra in STATES:
        drive_to(org, state, **extra)
        drive_to(org, state, kit=org.b, **extra)
    drive_to(org, State.INVESTIGATING, issues=2)
    users = _users(org)
    depts = frozenset(d.id for kit in (org.a, org.b) for d in kit.depts.values())
    for user in users:
        for limit in (1, 3, 1001):
            plain = selectors.list_first_ids(user, limit, probe=frozenset())
            assert selectors.list_first_ids(user, limit, probe=depts) == plain, (user.username, limit)
        for f in (selectors.ListFilters(), selectors.ListFilters(state=State.INVESTIGATING)):
            probed = selectors.complaint_list_for(user, f, probe=depts).values_list("id", flat=True)
            assert list(probed) == list(selectors.complaint_list_for(user, f).values_list("id", flat=True))
    sup = org.a.users["eng_supervisor"]
    with CaptureQueriesContext(connection) as ctx:
        selectors.list_first_ids(sup, 1001, probe=frozenset({org.a.depts["engineering"].id}))
    assert "OFFSET 0)" in ctx.captured_queries[-1]["sql"]
    # no statistics about this small database (or SQLite): nobody is dense, the list hashes as before
    assert selectors.dense_departments(org.users["qm"]) == frozenset()
