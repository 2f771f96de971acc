"""The classifications waiting for the worker (docs/decisions.md, "classifybatch"): a row written with the
complaint, drained in batches by one task at a time, never lost with a task, caught up by the minute job."""

import time
from datetime import timedelta

import pytest
from django.db import transaction
from huey.contrib.djhuey import HUEY

from docket.complaints.models import Complaint, ComplaintEvent, Severity
from docket.core import clock
from docket.escalation import services as esc
from docket.escalation.models import ClassifyPending
from docket.escalation.tasks import escalation_classify, escalation_classify_pending
from docket.triage import services as triage

from .test_classify import lift


@pytest.fixture(autouse=True)
def _no_flag():
    HUEY.delete(esc.DRAIN_FLAG)
    yield
    HUEY.delete(esc.DRAIN_FLAG)


@pytest.fixture
def kicks(monkeypatch):
    """The drains the intakes' commits would queue, collected instead of run."""
    queued: list = []
    monkeypatch.setattr(esc, "_after_commit", lambda fn: fn())
    monkeypatch.setattr(esc, "_drain_task", lambda: lambda: queued.append(1))
    return queued


def pending_ids():
    return list(ClassifyPending.objects.order_by("complaint_id").values_list("complaint_id", flat=True))


def test_the_intake_writes_the_pending_row_and_queues_one_drain_for_a_burst(org, complaint_factory, kicks):
    wave = [complaint_factory(**lift(org, f"1380000000{n}", n)) for n in (1, 2, 3)]
    assert pending_ids() == [c.pk for c in wave]
    assert len(kicks) == 1  # the first filing queued the drain; the others found it queued
    assert all(Complaint.objects.get(pk=c.pk).severity == Severity.NORMAL for c in wave)
    assert esc.classify_pending() == 3
    assert pending_ids() == []
    assert all(Complaint.objects.get(pk=c.pk).severity == Severity.HOT for c in wave)
    # the drain cleared its flag: the next filing queues a drain again
    complaint_factory(**lift(org, "13800000009", 9))
    assert len(kicks) == 2


def test_a_complaint_that_needs_no_count_leaves_no_row(org, complaint_factory, kicks):
    complaint_factory(kind="suggestion")  # never classified
    complaint_factory(people_count=3)  # its own row meets a rule: classified inside the intake
    assert pending_ids() == [] and kicks == []


def test_the_row_rolls_back_with_a_failed_intake(org, complaint_factory, kicks):
    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        complaint_factory(**lift(org, "13800000001", 1))
        assert len(pending_ids()) == 1
        raise Boom
    assert pending_ids() == []


def test_a_drain_left_behind_is_not_a_lost_classification(org, complaint_factory, kicks):
    """The drain died with its worker: the rows are still there, and the minute job classifies them once
    its flag is stale (no drain renewed it for DRAIN_STALE) and they have waited a minute; while the flag is
    fresh a drain is queued or running, and the minute job leaves the rows to it."""
    wave = [complaint_factory(**lift(org, f"1380000000{n}", n)) for n in (1, 2, 3)]
    ClassifyPending.objects.update(queued_at=clock.now() - timedelta(minutes=5))
    assert isinstance(HUEY.get(esc.DRAIN_FLAG, peek=True), float)  # the drain's flag, just set
    assert esc.classify_pending(older_than=timedelta(minutes=1)) == 0
    HUEY.put(esc.DRAIN_FLAG, time.time() - esc.DRAIN_STALE - 1)  # nobody renewed it
    assert esc.classify_pending(older_than=timedelta(minutes=1)) == 3
    assert pending_ids() == [] and HUEY.get(esc.DRAIN_FLAG, peek=True) is None
    assert all(Complaint.objects.get(pk=c.pk).severity == Severity.HOT for c in wave)


def test_a_lost_kick_is_caught_up_after_a_minute(org, complaint_factory, kicks):
    """The queued drain and its flag are gone (Redis keeps nothing on disk): the rows wait a minute, then
    the minute job classifies them."""
    wave = [complaint_factory(**lift(org, f"1380000000{n}", n)) for n in (1, 2, 3)]
    HUEY.delete(esc.DRAIN_FLAG)
    assert esc.classify_pending(older_than=timedelta(minutes=1)) == 0  # just queued
    ClassifyPending.objects.update(queued_at=clock.now() - timedelta(minutes=2))
    assert esc.classify_pending(older_than=timedelta(minutes=1)) == 3
    assert pending_ids() == [] and HUEY.get(esc.DRAIN_FLAG, peek=True) is None
    assert all(Complaint.objects.get(pk=c.pk).severity == Severity.HOT for c in wave)


def test_one_failing_classification_does_not_hold_back_the_batch(
    org, complaint_factory, kicks, monkeypatch, caplog
):
    a, b = (complaint_factory(**lift(org, f"1380000000{n}", n)) for n in (1, 2))
    real = esc.classify

    def classify(*, complaint_id, **kw):
        if complaint_id == a.pk:
            raise RuntimeError("boom")
        return real(complaint_id=complaint_id, **kw)

    monkeypatch.setattr(esc, "classify", classify)
    assert esc.classify_pending() == 2
    assert pending_ids() == []
    assert f"classifying complaint {a.pk} failed" in caplog.text


def test_an_error_outside_the_classifications_clears_the_flag_and_keeps_the_rows(
    org, complaint_factory, kicks, monkeypatch
):
    complaint_factory(**lift(org, "13800000001", 1))
    monkeypatch.setattr(triage, "rules_rows", lambda ids: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        esc.classify_pending()
    assert len(pending_ids()) == 1 and HUEY.get(esc.DRAIN_FLAG, peek=True) is None


def test_a_filing_during_the_drain_is_taken_before_it_ends(org, complaint_factory, kicks, monkeypatch):
    """The drain's last look: a complaint queued while the drain was clearing its flag (its kick found the flag
    still set) is classified by that drain, not left waiting for the minute job."""
    complaint_factory(**lift(org, "13800000001", 1))
    real_delete = HUEY.delete
    late = []

    def delete(key):
        if key == esc.DRAIN_FLAG and not late:  # between the drain's empty look and its clearing the flag
            late.append(complaint_factory(**lift(org, "13800000002", 2)))  # its kick finds the flag set
        return real_delete(key)

    monkeypatch.setattr(HUEY, "delete", delete)
    kicked = len(kicks)
    assert esc.classify_pending() == 2
    assert pending_ids() == [] and len(kicks) == kicked and late


def test_the_batch_reads_rows_as_one_row_reads_them(org, complaint_factory, kicks):
    cs = [complaint_factory(**lift(org, f"1380000000{n}", n)) for n in (1, 2)]
    rows = triage.rules_rows([c.pk for c in cs] + [10**9])
    assert sorted(rows) == [c.pk for c in cs]
    for c in cs:
        one = triage.rules_row(c.pk)
        assert one is not None
        for f in triage._RULES_FIELDS:
            path = f.split("__")
            mine, theirs = rows[c.pk].complaint, one
            for part in path:
                mine, theirs = getattr(mine, part), getattr(theirs, part)
            assert mine == theirs, f
        assert [i.summary for i in rows[c.pk].complaint.issues.all()] == [i.summary for i in one.issues.all()]


def test_the_worker_tasks(org, complaint_factory, kicks):
    """The drain task (huey runs it at once in tests), and the one-complaint task queued before the batches."""
    wave = [complaint_factory(**lift(org, f"1380000000{n}", n)) for n in (1, 2, 3)]
    escalation_classify_pending()
    assert pending_ids() == [] and Complaint.objects.get(pk=wave[2].pk).severity == Severity.HOT
    d = complaint_factory(**lift(org, "13800000004", 4))
    ClassifyPending.objects.all().delete()
    escalation_classify(d.pk)
    assert ComplaintEvent.objects.filter(complaint=d, kind="severity_classified").exists()


def test_the_batch_gives_the_rules_the_same_facts(org, complaint_factory, kicks):
    """Co-signers counted and group memberships read once for the batch give each complaint the facts its
    own queries give: a confirmed group's member, a complaint with co-signers, a plain one."""
    from docket.complaints.models import CoSigner

    a = complaint_factory(
        subject="地下车库积水严重", description="地下车库积水严重", complainant_phone="13800000011"
    )
    b = complaint_factory(subject="会所未交付", description="会所未交付", complainant_phone="13800000012")
    c = complaint_factory(subject="楼道灯不亮", description="楼道灯不亮", complainant_phone="13800000013")
    triage.same_issue_confirm(actor=org.users["qm"], complaint_ids=[a.pk, b.pk], title="同一问题")
    CoSigner.objects.create(complaint=c, name="李")
    rows = triage.rules_rows([a.pk, b.pk, c.pk])
    assert [rows[x.pk].in_group for x in (a, b, c)] == [True, True, False]
    assert [rows[x.pk].cosigners for x in (a, b, c)] == [0, 0, 1]
    t = esc.thresholds_for(org.company.id)
    now = clock.now()
    for x in (a, b, c):
        batch, _r = esc.facts_of(rows[x.pk].complaint, t, now, row=True, batch=rows[x.pk])
        one, _r = esc.facts_of(triage.rules_row(x.pk), t, now, row=True)
        assert batch == one, x.subject
    assert esc.facts_of(rows[a.pk].complaint, t, now, row=True, batch=rows[a.pk])[0].repeat_known == 2
