"""Querysets of a fixed shape compiled to SQL once per process (issue 14, "Speed of the daily paths").

Django compiles a queryset to SQL on every evaluation; for the complaint page's joined fetch that was about
as much CPU as PostgreSQL spent answering it. `Compiled(build)` calls `build(*markers)` once per database
connection (alias and vendor) with marker values in place of the parameters, compiles it with Django's own
compiler, remembers where the markers landed among the SQL parameters, and afterwards only binds the real
values and turns the rows into model instances exactly as Django's `ModelIterable` does (the same
`from_db`, converters and `select_related` populators). So the instances are those the queryset would
give; only the compilation is skipped.

Limits: the shape must not depend on the values (no `IN` lists of varying length, no conditions added or
left out by value); every marker must reach the SQL as a parameter of its own (a plain `=` or `>` on a
column does; a value folded into an expression may not, and `Compiled` refuses to build then). Querysets
with annotations, `only()`/`defer()` or `values()` are not supported — only whole model rows with their
`select_related` joins.
"""

from __future__ import annotations

from collections.abc import Callable
from threading import Lock
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.db.models.query import get_related_populators

# Parameter values nobody uses as an id: each call's values replace them in the compiled parameters.
_MARKERS = (-7_301_234_567, -7_301_234_568, -7_301_234_569, -7_301_234_570)


class _Plan:
    def __init__(self, qs: QuerySet, markers: tuple[int, ...]):
        compiler = qs.query.get_compiler(using=qs.db)
        sql, params = compiler.as_sql()
        if compiler.annotation_col_map or qs.query.deferred_loading != (frozenset(), True):
            raise ValueError("Compiled: whole model rows only (no annotations, only() or defer())")
        positions = []
        for marker in markers:
            found = [i for i, p in enumerate(params) if p == marker]
            if len(found) != 1:
                raise ValueError("Compiled: each value must reach the SQL as one parameter of its own")
            positions.append(found[0])
        self.sql, self.params, self.positions = sql, list(params), positions
        self.db = qs.db
        select, klass_info = compiler.select, compiler.klass_info
        self.model = klass_info["model"]
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        self.model_slice = slice(start, end)
        self.init_list = [f[0].target.attname for f in select[start:end]]
        self.populators = get_related_populators(klass_info, select, qs.db)  # type: ignore[call-arg]
        self.converters = list(
            compiler.get_converters([s[0] for s in select[0 : compiler.col_count]]).items()
        )

    def _convert(self, row: list, connection) -> list:
        for pos, (convs, expression) in self.converters:
            value = row[pos]
            for converter in convs:
                value = converter(value, expression, connection)
            row[pos] = value
        return row

    def run(self, values: tuple) -> list:
        params = list(self.params)
        for pos, value in zip(self.positions, values, strict=True):
            params[pos] = value
        connection = connections[self.db]  # this thread's (Django's connections are per thread)
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        if self.converters:
            rows = [self._convert(list(row), connection) for row in rows]
        out = []
        for row in rows:
            obj = self.model.from_db(self.db, self.init_list, row[self.model_slice])
            for populator in self.populators:
                populator.populate(row, obj)
            out.append(obj)
        return out


class Compiled:
    """`Compiled(lambda pk: Model.objects.select_related(...).filter(pk=pk))(42)` → the list of instances
    the queryset gives for 42, compiled once per process and database."""

    def __init__(self, build: Callable[..., QuerySet], markers: tuple = _MARKERS):
        """`markers`: the values standing in for the parameters while compiling (numbers nobody uses as an
        id by default; a text column needs text markers, e.g. `("~marker~",)`)."""
        self.build = build
        self.markers = markers
        self._plans: dict[tuple, _Plan] = {}
        self._lock = Lock()

    def __call__(self, *values: Any) -> list:
        # The default database (Docket has one): keyed by its vendor too, so a test run that switches
        # settings never reuses another backend's SQL.
        key = (DEFAULT_DB_ALIAS, connections[DEFAULT_DB_ALIAS].vendor, len(values))
        plan = self._plans.get(key)
        if plan is None:
            markers = self.markers[: len(values)]
            with self._lock:
                plan = self._plans.get(key) or _Plan(self.build(*markers).using(DEFAULT_DB_ALIAS), markers)
                self._plans[key] = plan
        return plan.run(values)


# --- inserts -----------------------------------------------------------------------------------------------

_INSERT_SQL: dict[tuple, tuple[str, list, list]] = {}


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
    plan = _INSERT_SQL[key] = (sql, fields, returning)
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
            for f in fields:
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
