"""Querysets of a fixed shape compiled to SQL once per process (issue 14, "Speed of the daily paths").

Django compiles a queryset to SQL on every evaluation; for the complaint page's joined fetch that was about
as much CPU as PostgreSQL spent answering it. `Compiled(build)` calls `build(*markers)` once per database
connection (alias and vendor) with marker values in place of the parameters, compiles it with Django's own
compiler, remembers where the markers landed among the SQL parameters, and afterwards only binds the real
values and turns the rows into model instances exactly as Django's `ModelIterable` does (the same
`from_db`, converters and `select_related` populators). So the instances are those the queryset would
give; only the compilation is skipped.

Limits: the shape must not depend on the values (no conditions added or left out by value; an `IN` list is
one shape per length — plans are keyed by the number and the types of the values); every marker must reach
the SQL as parameters of its own (a plain `=`, `<` or `IN` on a column does, as often as the query uses
it; a value written into the SQL text is refused, one the shape does not use is left out; a string may also
be the value of a pattern lookup — `contains`, `endswith` … — whose parameter Django builds around it: it is
escaped and placed there as Django does). Values are ints, strings or aware datetimes (a datetime is bound as the backend adapts a DateTimeField's value). The rows are model
instances (with their `select_related` joins, `only()` allowed) or `values_list()` tuples (flat or not);
not model rows with annotations, nor `values()` dicts.

`CompiledBy(build)` is the same for querysets whose shape also follows something besides the values
(pagecpu2: the queue's and the list's conditions follow the user's role assignments): one plan per `shape`
key, which the caller makes from everything the shape depends on; at most `limit` plans kept per process.

On PostgreSQL a `Compiled` statement (a lookup by key or ids: every value selects about as many rows as any
other) is also prepared on the server, once per connection (psycopg's `prepare=True`): PostgreSQL then skips
parsing and planning it — the complaint page's joined row cost 0.9 ms of planning for 0.08 ms of execution
(queuecpu, docs/decisions.md). `CompiledBy` statements are not prepared: their conditions select very
different numbers of rows for different users, where a generic plan could be wrong. Set
DOCKET_PREPARED_STATEMENTS=0 behind a connection pooler in transaction mode (PgBouncer), which cannot keep
prepared statements.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import UTC, datetime, timedelta
from threading import Lock
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Q, QuerySet
from django.db.models.query import (
    FlatValuesListIterable,
    ModelIterable,
    ValuesListIterable,
    get_related_populators,
)

# Parameter values nobody uses as an id or a time: each call's values replace them in the compiled
# parameters (an int value takes an int marker, a string a string marker, a datetime a datetime marker).
_INT_MARKER = -7_301_234_567
_TIME_MARKER = datetime(1901, 2, 3, 4, 5, 6, 789_012, tzinfo=UTC)


def _marker(n: int, value: Any) -> Any:
    if isinstance(value, datetime):
        return _TIME_MARKER + timedelta(seconds=n)
    if isinstance(value, str):
        return f"~docket-compiled-marker-{n}~"
    return _INT_MARKER - n


def _markers(values: tuple) -> tuple:
    return tuple(_marker(n, v) for n, v in enumerate(values))


def _kinds(values: tuple) -> tuple[str, ...]:
    return tuple("t" if isinstance(v, datetime) else "s" if isinstance(v, str) else "i" for v in values)


def _cursor(connection, prepare: bool):
    """Django's cursor, or on PostgreSQL with `prepare` one whose statements the server prepares (wrapped
    as Django wraps its own cursors: errors translated). Where Django logs statements (DEBUG, the tests'
    query capture) the statement is not prepared, so the log holds its SQL as for any other."""
    if (
        not (prepare and connection.vendor == "postgresql" and _prepared_enabled())
        or connection.queries_logged
    ):
        return connection.cursor()
    connection.ensure_connection()
    return connection.make_cursor(_prepared_cursor_class()(connection.connection))


def _prepared_enabled() -> bool:
    from django.conf import settings

    return bool(getattr(settings, "DOCKET_PREPARED_STATEMENTS", True))


_PREPARED_CURSOR: list[type] = []


def _prepared_cursor_class() -> type:
    """A server-binding psycopg cursor (Django's own class for `server_side_binding`) that prepares every
    statement it runs."""
    if not _PREPARED_CURSOR:
        from django.db.backends.postgresql.base import ServerBindingCursor

        class PreparedCursor(ServerBindingCursor):
            def execute(self, query, params=None, *, prepare=None, binary=None):  # noqa: ARG002
                return super().execute(query, params, prepare=True, binary=binary)

        _PREPARED_CURSOR.append(PreparedCursor)
    return _PREPARED_CURSOR[0]


class _Plan:
    def __init__(self, qs: QuerySet, markers: tuple, prepare: bool = False):
        self.prepare = prepare
        compiler = qs.query.get_compiler(using=qs.db)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:  # a condition nothing meets (`pk__in=[]`): no statement, no rows, as Django
            self.empty = True
            return
        self.empty = False
        iterable = qs._iterable_class  # type: ignore[attr-defined]
        self.tuples = iterable in (ValuesListIterable, FlatValuesListIterable)
        self.flat = iterable is FlatValuesListIterable
        if self.tuples:
            query = qs.query
            fields = list(qs._fields or ())  # type: ignore[attr-defined]
            names = [*query.extra_select, *query.values_select, *query.annotation_select]
            if fields and [*fields, *(f for f in query.annotation_select if f not in fields)] != names:
                raise ValueError("Compiled: values_list() whose columns Django would reorder")
        elif iterable is not ModelIterable or compiler.annotation_col_map:
            raise ValueError("Compiled: model rows without annotations, or values_list() tuples")
        connection = connections[qs.db]
        # (parameter index, value index, adapt as a DateTimeField value)
        self.positions: list[tuple[int, int, bool]] = []
        # (parameter index, value index, the pattern's parts around the value)
        self.patterns: list[tuple[int, int, list[str]]] = []
        for n, marker in enumerate(markers):
            is_time = isinstance(marker, datetime)
            adapted = connection.ops.adapt_datetimefield_value(marker) if is_time else marker
            found = [i for i, p in enumerate(params) if type(p) is type(adapted) and p == adapted]
            # A value the shape does not use is left out (the queue's time, for roles that do not judge
            # overdue in the condition); one written into the SQL text is refused.
            if str(adapted if not is_time else marker.date()) in sql:
                raise ValueError("Compiled: each value must reach the SQL as parameters of its own")
            self.positions += [(i, n, is_time) for i in found]
            if isinstance(marker, str):  # a LIKE pattern Django made of the value (contains, endswith …)
                self.patterns += [
                    (i, n, p.split(marker))
                    for i, p in enumerate(params)
                    if isinstance(p, str) and p != marker and marker in p
                ]
        self.sql, self.params = sql, list(params)
        self.db = qs.db
        select = compiler.select
        self.converters = list(
            compiler.get_converters([s[0] for s in select[0 : compiler.col_count]]).items()
        )
        if self.tuples:
            return
        klass_info = compiler.klass_info
        self.model = klass_info["model"]
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        self.model_slice = slice(start, end)
        self.init_list = [f[0].target.attname for f in select[start:end]]
        self.populators = get_related_populators(klass_info, select, qs.db)  # type: ignore[call-arg]
        self.plain = _plain_init(self.model)

    def _convert(self, row: list, connection) -> list:
        for pos, (convs, expression) in self.converters:
            value = row[pos]
            for converter in convs:
                value = converter(value, expression, connection)
            row[pos] = value
        return row

    def _params(self, values: tuple, connection) -> list:
        params = list(self.params)
        for pos, n, is_time in self.positions:
            value = values[n]
            params[pos] = connection.ops.adapt_datetimefield_value(value) if is_time else value
        for pos, n, parts in self.patterns:  # escaped as Django escapes a pattern lookup's value
            params[pos] = connection.ops.prep_for_like_query(values[n]).join(parts)
        return params

    def count(self, values: tuple) -> int:
        """The number of rows the statement gives (`SELECT COUNT(*) FROM (…)`, as Django counts a sliced
        queryset)."""
        if self.empty:
            return 0
        connection = connections[self.db]
        with _cursor(connection, self.prepare) as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({self.sql}) counted", self._params(values, connection))
            return cursor.fetchone()[0]

    def run(self, values: tuple) -> list:
        if self.empty:
            return []
        connection = connections[self.db]  # this thread's (Django's connections are per thread)
        with _cursor(connection, self.prepare) as cursor:
            cursor.execute(self.sql, self._params(values, connection))
            rows = cursor.fetchall()
        if self.converters:
            rows = [self._convert(list(row), connection) for row in rows]
        if self.tuples:
            return [row[0] for row in rows] if self.flat else [tuple(row) for row in rows]
        out = []
        model, db, names, part = self.model, self.db, self.init_list, self.model_slice
        plain = self.plain and not _init_receivers(model)
        for row in rows:
            if plain:
                obj = _new(model)
                obj.__dict__.update(zip(names, row[part], strict=True))
                obj._state.adding, obj._state.db = False, db
            else:
                obj = model.from_db(db, names, row[part])
            for populator in self.populators:
                populator.populate(row, obj)
            out.append(obj)
        return out


def _plain_init(model) -> bool:
    """Whether an instance of `model` read from the database is its columns' attributes and a model state
    and nothing else: Django's own `Model.__init__` and `from_db`, no `pre_init`/`post_init` receiver. Then
    `_Plan.run` sets the attributes itself, as `from_db` would (a column not read stays deferred: absent from
    the instance's dict), without `__init__`'s walk over every field of the model (~10 µs a row for the list's
    50-odd columns)."""
    from django.db.models import Model

    return (
        model.__init__ is Model.__init__
        and model.from_db.__func__ is Model.from_db.__func__  # type: ignore[attr-defined]
        and not _init_receivers(model)
    )


def _init_receivers(model) -> bool:
    """Whether someone listens to `model`'s `pre_init` or `post_init` (asked on every run: a receiver
    connected after the plan was made still runs)."""
    from django.db.models import signals

    return signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model)


def _new(model):
    from django.db.models.base import ModelState

    obj = model.__new__(model)
    obj._state = ModelState()
    return obj


class CompiledBy:
    """`CompiledBy(lambda user, pk: …)(shape, user, 42)`: the queryset `build(source, *markers)` compiled once
    per `shape` (a hashable key naming everything besides the values that the SQL depends on) and database,
    then run with the values; the list of instances (or tuples) the queryset gives."""

    prepare = False  # see the module's docstring

    def __init__(self, build: Callable[..., QuerySet], limit: int = 512, prepare: bool = False):
        self.build = build
        if prepare:  # a lookup by key whatever the shape: prepared as `Compiled` is
            self.prepare = True
        self.limit = limit
        self._plans: dict[tuple, _Plan] = {}
        self._lock = Lock()

    def __call__(self, shape: Hashable, source: Any, *values: Any) -> list:
        return self._plan(shape, source, values).run(values)

    def count(self, shape: Hashable, source: Any, *values: Any) -> int:
        """How many rows `__call__` would give, counted by the database."""
        return self._plan(shape, source, values).count(values)

    def statement(self, shape: Hashable, source: Any, *values: Any) -> tuple[str, list] | None:
        """The compiled SQL and its parameters with these values bound, for a caller that runs it inside a
        statement of its own; None for a condition nothing meets (no statement, no rows)."""
        plan = self._plan(shape, source, values)
        if plan.empty:
            return None
        return plan.sql, plan._params(values, connections[plan.db])

    def _plan(self, shape: Hashable, source: Any, values: tuple) -> _Plan:
        # The default database (Docket has one): keyed by its vendor too, so a test run that switches
        # settings never reuses another backend's SQL.
        key = (DEFAULT_DB_ALIAS, connections[DEFAULT_DB_ALIAS].vendor, shape, _kinds(values))
        plan = self._plans.get(key)
        if plan is None:
            markers = _markers(values)
            with self._lock:
                plan = self._plans.get(key)
                if plan is None:
                    plan = _Plan(self.build(source, *markers).using(DEFAULT_DB_ALIAS), markers, self.prepare)
                    if len(self._plans) >= self.limit:
                        self._plans.clear()
                    self._plans[key] = plan
        return plan


class Compiled(CompiledBy):
    """`Compiled(lambda pk: Model.objects.select_related(...).filter(pk=pk))(42)` → the list of instances
    the queryset gives for 42, compiled once per process and database (one plan per number and kind of
    values). Prepared on PostgreSQL (see the module's docstring)."""

    prepare = True

    def __init__(self, build: Callable[..., QuerySet]):
        super().__init__(lambda _source, *markers: build(*markers))

    def __call__(self, *values: Any) -> list:  # type: ignore[override]
        return super().__call__(len(values), None, *values)


def set_prefetched(parent, name: str, rows: list) -> None:
    """Record rows read by a compiled query as the prefetched relation `name` of `parent` (a complaint, or
    a reply or report of it), as Django's own prefetch does (each row's foreign key to the parent set to
    it)."""
    if not hasattr(parent, "_prefetched_objects_cache"):
        parent._prefetched_objects_cache = {}
    field = type(parent)._meta.get_field(name).field
    for row in rows:
        field.set_cached_value(row, parent)
    qs = getattr(parent, name).all()
    qs._result_cache = rows
    qs._prefetch_done = True
    parent._prefetched_objects_cache[name] = qs


# --- conditions as values --------------------------------------------------------------------------------


def _bindable(value: Any) -> bool:
    """A value a compiled statement binds as a parameter of its own: an int (not a bool: a boolean column
    converts it) or a string (a TextChoices member included)."""
    return type(value) is int or isinstance(value, str)


def q_shape(q: Q) -> tuple[Hashable, tuple] | None:
    """`q` split into its shape — the tree of lookups, connectors and negations, with a place for each value
    (an `IN` list one place per member, so one shape per length) and the constants `None` and booleans in
    place (`IS NULL`, `isnull=True`: part of the statement, not parameters) — and its values in order; None
    when a value is of another kind (a date, an expression, a queryset …), which the caller then runs
    uncompiled. `q_build(shape, values)` gives `q` back, so `CompiledBy(lambda shape, *v:
    Model.objects.filter(q_build(shape, v)))(shape, shape, *values)` runs `filter(q)` compiled once per shape
    (audiences.people: every notice's recipients; services._base.locked_row: every action's row lock)."""
    values: list = []

    def walk(node: Any) -> Hashable | None:
        if isinstance(node, Q):
            kids = []
            for child in node.children:
                kid = walk(child)
                if kid is None:
                    return None
                kids.append(kid)
            return ("q", node.connector, node.negated, tuple(kids))
        lookup, value = node
        if value is None or type(value) is bool:
            return ("const", lookup, value)
        if isinstance(value, list | tuple):
            if not all(_bindable(v) for v in value):
                return None
            values.extend(value)
            return ("list", lookup, len(value))
        if not _bindable(value):
            return None
        values.append(value)
        return ("value", lookup)

    shape = walk(q)
    return None if shape is None else (shape, tuple(values))


def q_build(shape: Any, values: tuple | list) -> Q:
    """The Q of `shape` (from `q_shape`) with `values` in its places."""
    it = iter(values)

    def build(node: Any) -> Any:
        tag = node[0]
        if tag == "q":
            return Q(*[build(k) for k in node[3]], _connector=node[1], _negated=node[2])
        if tag == "const":
            return (node[1], node[2])
        if tag == "value":
            return (node[1], next(it))
        return (node[1], [next(it) for _ in range(node[2])])

    return build(shape)


# --- inserts -----------------------------------------------------------------------------------------------

_INSERT_SQL: dict[tuple, tuple[str, list, list]] = {}


def _plain_type(field, vendor: str) -> type | None:
    """The Python type whose values this field writes unchanged — `pre_save` reads the attribute and
    `get_db_prep_save` returns such a value, or None, as it is — or None when the field must be asked
    (dates on SQLite, JSON, decimals, lazy text, subclasses of the fields below). Django's own classes only,
    matched exactly: a subclass may convert. Text: any `str` (a `TextChoices` member is written as it is);
    integers and booleans: that exact type (a bool given to an integer column is converted); a date and time
    on PostgreSQL: an aware `datetime` (`insert` checks), which psycopg sends as it is."""
    from django.db import models as m
    from django.db.models import Field

    kind = type(field)
    if kind is m.DateTimeField and not (field.auto_now or field.auto_now_add):
        return datetime if vendor == "postgresql" else None
    if kind.pre_save is not Field.pre_save:
        return None
    if kind in (m.CharField, m.TextField):
        return str
    if kind in (
        m.IntegerField,
        m.SmallIntegerField,
        m.BigIntegerField,
        m.PositiveIntegerField,
        m.PositiveSmallIntegerField,
        m.PositiveBigIntegerField,
    ):
        return int
    if kind is m.BooleanField:
        return bool
    if kind is m.ForeignKey and type(field.target_field) in (m.AutoField, m.BigAutoField):
        return int
    return None


def _insert_plan(model, n: int, ignore_conflicts: bool, connection) -> tuple[str, list, list] | None:
    """(SQL, fields, returning fields) of an n-row insert of `model`, or None when this backend or model
    needs Django's own path (no RETURNING, a field with its own placeholder, a one-row insert of a model
    whose saves someone listens to)."""
    from django.db.models import signals
    from django.db.models.constants import OnConflict

    key = (model, n, ignore_conflicts, connection.alias, connection.vendor)
    plan = _INSERT_SQL.get(key)
    if plan is not None:
        return plan
    meta = model._meta
    features, ops = connection.features, connection.ops
    fields = [f for f in meta.local_concrete_fields if f is not meta.auto_field and not f.generated]
    returning = [] if ignore_conflicts else list(meta.db_returning_fields)
    if (
        meta.parents
        or any(hasattr(f, "get_placeholder") for f in fields)
        or (returning and not features.can_return_columns_from_insert)
        or (returning and n > 1 and not features.can_return_rows_from_bulk_insert)
        # one row stands for `save()`, which sends the signals (`bulk_create` sends none)
        or (n == 1 and not ignore_conflicts and signals.pre_save.has_listeners(model))
        or (n == 1 and not ignore_conflicts and signals.post_save.has_listeners(model))
    ):
        return None
    on_conflict = OnConflict.IGNORE if ignore_conflicts else None
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = " ".join(
        part
        for part in (
            ops.insert_statement(on_conflict=on_conflict),
            ops.quote_name(meta.db_table),
            "(" + ", ".join(ops.quote_name(f.column) for f in fields) + ")",
            "VALUES " + ", ".join([row] * n),
            ops.on_conflict_suffix_sql(fields, on_conflict, [], []) or "",
            ops.return_insert_columns(returning)[0] if returning else "",
        )
        if part
    )
    plan = _INSERT_SQL[key] = (sql, [(f, _plain_type(f, connection.vendor)) for f in fields], returning)
    return plan


def insert(objs: list, *, ignore_conflicts: bool = False) -> None:
    """Insert new instances of one model as `obj.save(force_insert=True)` (one) or `bulk_create(objs)` (several,
    one statement) would — the same columns and values (each field's `pre_save` and `get_db_prep_save`), the
    primary keys set on the instances (not with `ignore_conflicts`, as `bulk_create`) — but without compiling
    the statement each time: its SQL is built once per model, row count and database. Sends no `pre_save` or
    `post_save` signal: a model with a receiver goes through Django's own path (so does a value that is an
    expression)."""
    if not objs:
        return
    from django.db import connection

    model = type(objs[0])
    plan = _insert_plan(model, len(objs), ignore_conflicts, connection)
    params: list = []
    if plan is not None and any(obj.pk is not None for obj in objs):
        plan = None  # a given primary key: Django's own path
    if plan is not None:
        sql, fields, returning = plan
        for obj in objs:
            obj._prepare_related_fields_for_save(operation_name="save")  # a related row saved since
            for f, plain in fields:
                # A plain value (see _plain_type) is what `get_db_prep_save` would return: not asked
                # (about half of the insert's CPU on the complaint's ~80 columns).
                if plain is not None:
                    value = getattr(obj, f.attname)
                    if value is None or (
                        isinstance(value, str)
                        if plain is str
                        else isinstance(value, datetime) and value.tzinfo is not None
                        if plain is datetime
                        else type(value) is plain
                    ):
                        params.append(value)
                        continue
                else:
                    value = f.pre_save(obj, True)
                if hasattr(value, "resolve_expression"):
                    plan = None
                    break
                params.append(f.get_db_prep_save(value, connection))
            if plan is None:
                break
    if plan is None:
        if len(objs) == 1 and not ignore_conflicts:
            objs[0].save(force_insert=True)
        else:
            model._base_manager.bulk_create(objs, ignore_conflicts=ignore_conflicts)
        return
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall() if returning else []
    for obj, row in zip(objs, rows, strict=True) if returning else ():
        for f, value in zip(returning, row, strict=True):
            setattr(obj, f.attname, value)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
