"""The tamper-evident record (R-ANA-6): append-only in Python and in the database, hash-chained, and a
command that names the first broken link."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from docket.complaints import db_guards
from docket.complaints import services as s
from docket.complaints.events import GENESIS, chain_verify, compute_hash, receipt_digest
from docket.complaints.models import AppendOnlyError, ComplaintEvent


def _three_events(org, complaint_factory):
    c = complaint_factory()
    s.note_add(actor=org.a.users["reception"], complaint_id=c.id, text="已电话安抚")
    s.complaint_assign(
        actor=org.a.users["reception"], complaint_id=c.id, department_id=org.a.depts["engineering"].id
    )
    return c


def test_chain_links_and_receipt_digest(org, complaint_factory):
    c = _three_events(org, complaint_factory)
    events = list(c.events.order_by("seq"))
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[0].prev_hash == GENESIS
    assert events[1].prev_hash == events[0].hash and events[2].prev_hash == events[1].hash
    assert all(compute_hash(e.prev_hash, e) == e.hash for e in events)
    assert receipt_digest(c) == events[0].hash
    assert chain_verify(c) is None


def test_orm_refuses_update_and_delete(org, complaint_factory):
    c = complaint_factory()
    event = c.events.get()
    event.kind = "forged"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE complaints_complaintevent SET kind = 'forged'",
        "DELETE FROM complaints_complaintevent",
    ],
)
def test_database_refuses_raw_update_and_delete(org, complaint_factory, sql):
    c = complaint_factory()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql)
    assert ComplaintEvent.objects.get(complaint=c).kind == "registered"


def _tamper(sql, params):
    """What a DBA with rights to drop the guard could do; the chain must still tell."""
    db_guards.remove(connection)
    try:
        with connection.cursor() as cur:
            cur.execute(sql, params)
    finally:
        db_guards.install(connection)


def test_verify_command_names_first_broken_link(org, complaint_factory, capsys):
    good = complaint_factory()
    bad = _three_events(org, complaint_factory)
    call_command("verify_chains")
    assert "checked 2 complaints, 0 broken" in capsys.readouterr().out

    second = bad.events.get(seq=2)
    _tamper(
        "UPDATE complaints_complaintevent SET payload = %s WHERE id = %s",
        ['{"text": "改过的备注"}', second.id],
    )
    assert chain_verify(bad).seq == 2
    assert chain_verify(good) is None
    with pytest.raises(CommandError):
        call_command("verify_chains")
    err = capsys.readouterr().err
    assert f"BROKEN {bad.receipt_no}" in err and "event #2" in err


def test_deleted_event_is_detected(org, complaint_factory):
    c = _three_events(org, complaint_factory)
    _tamper("DELETE FROM complaints_complaintevent WHERE complaint_id = %s AND seq = 2", [c.id])
    problem = chain_verify(c)
    assert problem.seq == 2 and problem.reason == "missing event"


def test_rewritten_chain_changes_the_receipt_digest(org, complaint_factory):
    """Rewriting the first event and re-hashing everything yields a valid-looking chain, but the
    digest on the complainant's printed receipt no longer matches."""
    c = complaint_factory()
    printed = receipt_digest(c)
    first = c.events.get(seq=1)
    first.payload = {**first.payload, "subject": "改过的主题"}
    new_hash = compute_hash(first.prev_hash, first)
    _tamper(
        "UPDATE complaints_complaintevent SET payload = %s, hash = %s WHERE id = %s",
        ['{"subject": "改过的主题"}', new_hash, first.id],
    )
    assert receipt_digest(c) != printed
