"""Lookups of Docket's own.

`row_contains`: the substring test of `contains` that PostgreSQL cannot answer from an index
(`strpos(column, term) > 0` rather than `LIKE '%term%'`). For a statement that names its few candidate rows
by id and tests each (the search's windows, selectors._row_q): with a trigram index on the column, the planner
otherwise reads every match of the whole history through the index and joins them with the window — 160–200 ms
where probing the window's ~1 000 rows takes 7 (docs/decisions.md, "search6"). The same rows match either way:
`contains` escapes the term's wildcards, `strpos` has none. Other databases run `contains` itself (SQLite's
LIKE, case-insensitive for ASCII as Django documents)."""

from django.db.models import TextField
from django.db.models.lookups import Contains, Lookup


class RowContains(Contains):
    lookup_name = "row_contains"

    def get_rhs_op(self, connection, rhs):
        return connection.operators["contains"] % rhs  # other databases: `contains` as it is

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = Lookup.process_rhs(
            self, compiler, connection
        )  # the term itself, not a LIKE pattern
        return f"strpos({lhs}, {rhs}) > 0", (*lhs_params, *rhs_params)


TextField.register_lookup(RowContains)
