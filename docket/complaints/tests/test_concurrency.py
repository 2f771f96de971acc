"""Two people acting on one complaint at once: one succeeds, the other gets a clear error, and nothing
is half-done. Real threads and real transactions (on SQLite the write lock, on PostgreSQL row locks)."""

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from docket.complaints import services as s
from docket.complaints.events import chain_verify
from docket.complaints.models import Complaint, State
from docket.core.errors import DomainError

pytestmark = pytest.mark.django_db(transaction=True)


def _race(*calls: Callable[[], object]) -> list[tuple[str, object] | None]:
    barrier = threading.Barrier(len(calls))
    results: list[tuple[str, object] | None] = [None] * len(calls)

    def run(i: int, fn: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results[i] = ("ok", fn())
        except DomainError as exc:
            results[i] = ("error", exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_two_accepts_one_wins(transactional_db, org, complaint_factory):
    c = complaint_factory()
    a = org.a
    s.complaint_assign(actor=a.users["reception"], complaint_id=c.id, department_id=a.depts["engineering"].id)
    v = Complaint.objects.get(pk=c.id).version
    results = _race(
        lambda: s.complaint_accept(actor=a.users["eng_supervisor"], complaint_id=c.id, expected_version=v),
        lambda: s.complaint_accept(actor=a.users["eng_manager"], complaint_id=c.id, expected_version=v),
    )
    assert sorted(r[0] for r in results) == ["error", "ok"]
    assert [r[1] for r in results if r[0] == "error"] == ["conflict"]
    c.refresh_from_db()
    assert c.state == State.INVESTIGATING and c.version == v + 1
    assert c.events.filter(kind="accepted").count() == 1
    assert chain_verify(c) is None


def test_without_version_the_loser_gets_invalid_transition(transactional_db, org, complaint_factory):
    c = complaint_factory()
    a = org.a
    results = _race(
        lambda: s.complaint_assign(
            actor=a.users["reception"], complaint_id=c.id, department_id=a.depts["engineering"].id
        ),
        lambda: s.complaint_close_on_spot(
            actor=a.users["office_manager"], complaint_id=c.id, note="已现场处理"
        ),
    )
    assert sorted(r[0] for r in results) == ["error", "ok"]
    assert [r[1] for r in results if r[0] == "error"] == ["invalid_transition"]
    c.refresh_from_db()
    assert c.events.count() == 2 and chain_verify(c) is None


def test_concurrent_intake_never_shares_a_receipt_number(transactional_db, org, complaint_factory):
    from conftest import make_complaint

    results = _race(*[lambda: make_complaint(org) for _ in range(6)])
    assert all(r[0] == "ok" for r in results), results
    numbers = [r[1].receipt_no for r in results]
    assert len(set(numbers)) == 6
    assert sorted(int(n.rsplit("-", 1)[1]) for n in numbers) == [1, 2, 3, 4, 5, 6]
