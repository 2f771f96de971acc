"""`compiled.insert` writes the same rows as Django's `save(force_insert=True)` / `bulk_create` (issue 14)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from docket.complaints.models import Complaint, ComplaintEvent, Obligation
from docket.core import compiled
from docket.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _row(model, pk, skip=("id",)) -> dict:
    return {k: v for k, v in model.objects.filter(pk=pk).values().get().items() if k not in skip}


def _obligation(c: Complaint, kind: str) -> Obligation:
    now = c.received_at
    return Obligation(
        complaint=c,
        company_id=c.company_id,
        office_id=c.office_id,
        kind=kind,
        started_at=now,
        due_at=now + timedelta(days=3),
        provisional=True,
        rule={"type": "working_days", "days": 3, "ratio": 0.5},
        policy_version="default",
        warn_at=now + timedelta(days=2),
        next_check_at=now + timedelta(days=2),
    )


def test_one_row_is_the_row_django_writes(complaint_factory):
    c = complaint_factory()
    a, b = _obligation(c, "reply"), _obligation(c, "reply")
    a.save(force_insert=True)
    with CaptureQueriesContext(connection) as q:
        compiled.insert([b])
    assert len(q.captured_queries) == 1
    assert b.pk is not None and b.pk != a.pk and not b._state.adding
    assert _row(Obligation, b.pk) == _row(Obligation, a.pk)


def test_several_rows_in_one_statement_get_their_ids_in_order(complaint_factory):
    c = complaint_factory()
    rows = [_obligation(c, kind) for kind in ("reply", "acknowledge", "forwarder_reply")]
    with CaptureQueriesContext(connection) as q:
        compiled.insert(rows)
    assert len(q.captured_queries) == 1
    assert [Obligation.objects.get(pk=o.pk).kind for o in rows] == ["reply", "acknowledge", "forwarder_reply"]


def test_a_related_row_saved_after_the_instance_was_made(complaint_factory):
    """Intake plans its obligations before the complaint's row exists: the key is taken at the insert."""
    c = complaint_factory()
    fresh = Complaint.objects.get(pk=c.pk)
    fresh.pk = None
    fresh.receipt_no += "-copy"
    ob = _obligation(fresh, "reply")
    compiled.insert([fresh])
    compiled.insert([ob])
    assert Obligation.objects.get(pk=ob.pk).complaint_id == fresh.pk
    assert _row(Complaint, fresh.pk, skip=("id", "receipt_no")) == _row(
        Complaint, c.pk, skip=("id", "receipt_no")
    )


def test_ignore_conflicts_skips_a_repeat_like_bulk_create(complaint_factory):
    c = complaint_factory()
    sms = Notification.objects.filter(ref=f"complaint:{c.pk}").get()
    again = Notification(
        company_id=sms.company_id,
        kind=sms.kind,
        channel=sms.channel,
        address=sms.address,
        subject="x",
        body="y",
        data={},
        ref=sms.ref,
        dedupe_key=sms.dedupe_key,
        next_attempt_at=sms.next_attempt_at,
        created_at=sms.created_at,
    )
    compiled.insert([again], ignore_conflicts=True)
    assert Notification.objects.filter(dedupe_key=sms.dedupe_key).count() == 1


def test_events_are_still_append_only(complaint_factory):
    c = complaint_factory()
    first = ComplaintEvent.objects.get(complaint=c, seq=1)
    assert first.hash and first.prev_hash == "0" * 64


def test_values_django_would_convert_are_converted_and_plain_ones_written_as_they_are(complaint_factory):
    """The plain values (text, exact integers and booleans, aware datetimes on PostgreSQL) skip the field's
    conversion (`_plain_type`); anything else is converted as Django converts it: a choice member, a lazy
    text, a number given to a text column, a boolean given to an integer column, another time zone."""
    from django.utils.translation import gettext_lazy

    from docket.complaints.models import Kind
    from docket.sla.calendar import SHANGHAI

    c = complaint_factory()
    made = []
    for way in ("django", "compiled"):
        x = Complaint.objects.get(pk=c.pk)
        x.pk = None
        x.receipt_no = f"{c.receipt_no}-{way}"
        x.kind = Kind.COMPLAINT
        x.subject = gettext_lazy("投诉")
        x.location = 12345
        x.people_count = True
        x.received_at = c.received_at.astimezone(SHANGHAI)
        if way == "django":
            x.save(force_insert=True)
        else:
            compiled.insert([x])
        made.append(x.pk)
    a, b = (_row(Complaint, pk, skip=("id", "receipt_no")) for pk in made)
    assert a == b
    assert (b["location"], b["people_count"], b["received_at"]) == ("12345", 1, c.received_at)
    with connection.cursor() as cur:  # stored alike, not only read back alike (SQLite keeps text)
        cur.execute(
            "SELECT received_at, people_count, kind FROM complaints_complaint WHERE id IN (%s, %s) ORDER BY id",
            made,
        )
        raw = cur.fetchall()
    assert raw[0] == raw[1], raw
