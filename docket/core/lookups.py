"""Lookups of Docket's own.

`row_contains`: the substring test of `contains` that PostgreSQL cannot answer from an index
(`strpos(column, term) > 0` rather than `LIKE '%term%'`). For a statement that names its few candidate rows
by id and tests each (the search's windows, selectors._row_q): with a trigram index on the column, the planner
otherwise reads every match of the whole history through the index and joins them with the window — 160–200 ms
where probing the window's ~1 000 rows takes 7 (docs/decisions.md, "search6"). The same rows match either way:
`contains` escapes the term's wildcards, `strpos` has none. Other databases run `contains` itself (SQLite's
LIKE, case-insensitive for ASCII as Django documents).

`in_array`: `in` over a subquery, as `= ANY(ARRAY(subquery))` on PostgreSQL. The subquery then runs once, before
the statement, and its few ids are an index condition on the column: inside an `OR` of a queue's arms, a plain
`IN (subquery)` is a filter, so the planner reads every row of the arm's other conditions and tests each
(QM's queue: ~9 500 complaints in the answer states to find the few with an answer at QM's stage;
docs/decisions.md, "classify7"). The same rows either way; other databases run `IN (subquery)`."""

from django.db.models import BigAutoField, TextField
from django.db.models.lookups import Contains, In, Lookup


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


class InArray(In):
    lookup_name = "in_array"

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)  # "(SELECT …)"
        return f"{lhs} = ANY(ARRAY{rhs})", (*lhs_params, *rhs_params)


BigAutoField.register_lookup(InArray)
