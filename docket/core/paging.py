"""A pager for lists that can hold a million rows: it counts at most `cap` + 1 rows (COUNT over a LIMIT
subquery), so its cost is bounded by the page's end rather than by the whole history. Past the cap the
list says "more than N" and offers the pages up to it; narrowing the filters shows the rest."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet


class CappedPaginator(Paginator):
    CAP = 1000

    def __init__(self, object_list, per_page, cap: int = CAP, counter=None, **kwargs):
        """`counter(limit)`: counts the rows up to `limit` instead of the queryset (a compiled statement)."""
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap
        self.counter = counter

    @cached_property
    def _counted(self) -> int:
        if self.counter is not None:
            return self.counter(self.cap + 1)
        rows: Any = self.object_list
        if isinstance(rows, QuerySet):
            return rows.order_by()[: self.cap + 1].count()  # no sort needed to count
        return len(rows[: self.cap + 1])

    @cached_property
    def count(self) -> int:  # type: ignore[override]
        return min(self._counted, self.cap)

    @property
    def capped(self) -> bool:
        """More rows than the cap: the count is a lower bound."""
        return self._counted > self.cap


def page_slice(page) -> tuple[int, int]:
    """(offset, number of rows) of a page whose rows are read apart from its paginator (by a compiled
    statement): the rows the paginator's own slice of the list would hold."""
    per_page = page.paginator.per_page
    start = (page.number - 1) * per_page
    return start, max(0, min(per_page, page.paginator.count - start))
