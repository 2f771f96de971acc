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

    def __init__(self, build: Callable[..., QuerySet]):
        self.build = build
        self._plans: dict[tuple, _Plan] = {}
        self._lock = Lock()

    def __call__(self, *values: Any) -> list:
        # The default database (Docket has one): keyed by its vendor too, so a test run that switches
        # settings never reuses another backend's SQL.
        key = (DEFAULT_DB_ALIAS, connections[DEFAULT_DB_ALIAS].vendor, len(values))
        plan = self._plans.get(key)
        if plan is None:
            markers = _MARKERS[: len(values)]
            with self._lock:
                plan = self._plans.get(key) or _Plan(self.build(*markers).using(DEFAULT_DB_ALIAS), markers)
                self._plans[key] = plan
        return plan.run(values)
