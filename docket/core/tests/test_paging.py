"""The capped pager: bounded counting on long lists."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from docket.core.paging import CappedPaginator
from docket.org.models import Room

pytestmark = pytest.mark.django_db


def test_counts_at_most_the_cap(org):
    rooms = Room.objects.order_by("id")
    total = rooms.count()
    assert total >= 2
    small = CappedPaginator(rooms, 1, cap=total - 1)
    assert small.capped and small.count == total - 1 and small.num_pages == total - 1
    with CaptureQueriesContext(connection) as q:
        CappedPaginator(rooms, 1, cap=total - 1).count  # noqa: B018
    assert "LIMIT" in q.captured_queries[0]["sql"].upper()
    exact = CappedPaginator(rooms, 1, cap=total + 5)
    assert not exact.capped and exact.count == total
