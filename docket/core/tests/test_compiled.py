"""core/compiled.py: statements compiled once give what the queryset gives (pagecpu2's additions: times,
values used several times or not at all, `IN` lists, `only()`, `values_list()`, counts, shapes)."""

from datetime import timedelta

import pytest

from docket.complaints.models import Complaint, State
from docket.complaints.tests.helpers import drive_to
from docket.core import clock
from docket.core.compiled import Compiled, CompiledBy

pytestmark = pytest.mark.django_db


def test_times_lists_only_and_tuples(org):
    rows = [drive_to(org, State.INVESTIGATING) for _ in range(3)]
    ids = [c.id for c in rows]
    due = Compiled(
        lambda at, *pks: (
            Complaint.objects.filter(next_due_at__gt=at, pk__in=pks).only("id", "next_due_at").order_by("id")
        )
    )
    flat = Compiled(lambda at: Complaint.objects.filter(received_at__lte=at).values_list("id", flat=True))
    pairs = Compiled(lambda pk: Complaint.objects.filter(pk=pk, id__gte=pk).values_list("id", "state"))
    for at in (clock.now() - timedelta(days=400), clock.now() + timedelta(days=400)):
        expected = list(
            Complaint.objects.filter(next_due_at__gt=at, pk__in=ids).only("id", "next_due_at").order_by("id")
        )
        got = due(at, *ids)
        assert [(c.id, c.next_due_at) for c in got] == [(c.id, c.next_due_at) for c in expected]
        assert all(
            c.get_deferred_fields() == e.get_deferred_fields() for c, e in zip(got, expected, strict=True)
        )
        assert sorted(flat(at)) == sorted(
            Complaint.objects.filter(received_at__lte=at).values_list("id", flat=True)
        )
    assert len(due(clock.now(), ids[0])) == 1  # another number of values: another plan
    assert pairs(ids[1]) == [(ids[1], State.INVESTIGATING)]


def test_shapes_counts_empty_and_refusals(org):
    rows = [drive_to(org, State.INVESTIGATING) for _ in range(2)]
    by_state = CompiledBy(
        lambda state, floor: Complaint.objects.filter(state=state, id__gte=floor).order_by("id")
    )
    assert [c.id for c in by_state(State.INVESTIGATING, State.INVESTIGATING, rows[0].id)] == [
        c.id for c in rows
    ]
    assert by_state(State.CLOSED, State.CLOSED, rows[0].id) == []  # the shape names the state
    assert by_state.count(State.INVESTIGATING, State.INVESTIGATING, rows[1].id) == 1
    none = CompiledBy(lambda _s, pk: Complaint.objects.filter(pk__in=[]).filter(pk=pk))
    assert none("x", None, rows[0].id) == [] and none.count("x", None, rows[0].id) == 0
    written = Compiled(lambda pk: Complaint.objects.extra(where=[f"id > {int(pk)}"]))  # noqa: S610
    with pytest.raises(ValueError):
        written(rows[0].id)


def test_compiled_statements_are_prepared_on_postgresql(org, settings):
    """On PostgreSQL a `Compiled` statement is prepared on the server and gives the same rows run again
    (planned once per connection); `CompiledBy` statements and DOCKET_PREPARED_STATEMENTS=0 are not. On
    SQLite nothing is prepared and the rows are the same."""
    from django.db import connection

    c = drive_to(org, State.INVESTIGATING)
    by_pk = Compiled(lambda pk: Complaint.objects.filter(pk=pk).select_related("office"))
    shaped = CompiledBy(lambda _source, pk: Complaint.objects.filter(pk=pk).values_list("id", flat=True))

    def prepared() -> set[str]:
        if connection.vendor != "postgresql":
            return set()
        with connection.cursor() as cur:
            cur.execute("SELECT statement FROM pg_prepared_statements")
            return {row[0] for row in cur.fetchall()}

    before = prepared()
    for _ in range(3):
        row = by_pk(c.id)[0]
        assert (row.id, row.office.name, row.state) == (c.id, c.office.name, State.INVESTIGATING)
    assert shaped("one", None, c.id) == [c.id]
    new = prepared() - before
    if connection.vendor == "postgresql":
        assert [s for s in new if "org_office" in s]  # the joined lookup, once
        assert not [s for s in new if "org_office" not in s and "complaints_complaint" in s]
    settings.DOCKET_PREPARED_STATEMENTS = False
    again = Compiled(lambda pk: Complaint.objects.filter(pk=pk).only("id", "subject"))
    assert again(c.id)[0].subject == c.subject
    assert not [s for s in prepared() - before if '"subject"' in s and "org_office" not in s]


def test_instances_are_djangos_with_and_without_init_receivers(org):
    """list (issue 14): a model with Django's own `__init__` and no init receiver gets its instances built
    without `Model.__init__` — the same attributes, deferred columns, state and joined rows as `from_db`;
    a model someone listens to on `post_init` (even since the plan was made) goes through `from_db`
    (the receiver runs)."""
    from django.db.models import signals

    from docket.complaints.models import SavedFilter
    from docket.core.compiled import _plain_init

    rows = [drive_to(org, State.INVESTIGATING) for _ in range(2)]
    ids = [c.id for c in rows]

    def build(*pks):
        return (
            Complaint.objects.filter(pk__in=pks).select_related("office").only("id", "state", "office__name")
        )

    def plain(obj) -> dict:
        return {k: v for k, v in obj.__dict__.items() if k != "_state"}

    compiled = Compiled(build)
    got, expected = compiled(*ids), list(build(*ids))
    assert _plain_init(Complaint) and _plain_init(SavedFilter)
    for c, e in zip(got, expected, strict=True):
        assert plain(c) == plain(e) and c.get_deferred_fields() == e.get_deferred_fields()
        assert (c._state.adding, c._state.db) == (e._state.adding, e._state.db) == (False, "default")
        assert plain(c.office) == plain(e.office) and c.office._state.adding is False
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance)

    signals.post_init.connect(receiver, sender=Complaint)
    try:
        assert not _plain_init(Complaint)
        got = compiled(*ids)  # the plan made before the receiver was connected
        assert [c.id for c in got] == [e.id for e in expected] and set(map(id, got)) <= set(map(id, seen))
    finally:
        signals.post_init.disconnect(receiver, sender=Complaint)


def test_pattern_lookups_take_the_value_escaped(org):
    """search5: a string value of `contains` / `endswith` reaches the SQL inside a pattern Django builds
    (`%value%`); it is escaped and placed there as Django does, so `%` and `_` in the value match only
    themselves."""
    plain = drive_to(org, State.INVESTIGATING)
    odd = drive_to(org, State.INVESTIGATING)
    Complaint.objects.filter(pk=plain.pk).update(subject="电梯异响AB", complainant_name="张三")
    Complaint.objects.filter(pk=odd.pk).update(subject="含100%_符号", complainant_name="李四")
    found = Compiled(
        lambda text, tail, name: (
            Complaint.objects.filter(subject__contains=text)
            .filter(subject__endswith=tail)
            .exclude(complainant_name=name)
            .values_list("id", flat=True)
        )
    )
    for text, tail, name in [
        ("异响", "AB", "王五"),
        ("%_", "符号", "王五"),
        ("0%", "号", "李四"),
        ("_", "B", ""),
    ]:
        expected = list(
            Complaint.objects.filter(subject__contains=text)
            .filter(subject__endswith=tail)
            .exclude(complainant_name=name)
            .values_list("id", flat=True)
        )
        assert sorted(found(text, tail, name)) == sorted(expected)
    assert found("%_", "符号", "王五") == [odd.id] and found("_", "B", "") == []
