"""The overdue sweep: warning, breach, superior, QM — each once, recorded and notified (R-SLA-3)."""

import threading
from datetime import datetime

import pytest
import time_machine
from django.db import connection

from docket.complaints.models import Obligation
from docket.complaints.services.overdue import overdue_sweep
from docket.notifications.models import Notification
from docket.sla import duetimes
from docket.sla.calendar import SHANGHAI


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _fresh_calendar():
    duetimes.invalidate()


def _assigned_phone_complaint(org, complaint_factory):
    from docket.complaints import services as s

    with time_machine.travel(at("2026-11-24 09:00"), tick=False):  # Tuesday; reply due 17:30
        c = complaint_factory()
        s.complaint_assign(
            actor=org.a.users["reception"], complaint_id=c.id, department_id=org.a.depts["engineering"].id
        )
        s.complaint_accept(actor=org.a.users["eng_supervisor"], complaint_id=c.id)
        # The department contacts the complainant at once (issue 15): only the reply deadline is left.
        s.first_contact_record(
            actor=org.a.users["eng_supervisor"],
            complaint_id=c.id,
            method="phone",
            summary="已致电致歉",
            apologised=True,
        )
    return c


def test_ladder(org, complaint_factory):
    c = _assigned_phone_complaint(org, complaint_factory)
    ob = Obligation.objects.get(complaint=c, kind="reply")
    # 420 working minutes from 09:00 to 17:30 → 75 % = 315 min → 12:00 + 135 min after lunch = 15:45.
    assert ob.warn_at.astimezone(SHANGHAI) == at("2026-11-24 15:45")
    assert overdue_sweep(now=at("2026-11-24 15:44")).steps == []

    r = overdue_sweep(now=at("2026-11-24 15:50"))
    assert r.warned == 1
    assert list(
        Notification.objects.filter(kind="deadline_warning").values_list("recipient__username", "kind")
    ) == [("cyy_eng_sup", "deadline_warning")]
    assert overdue_sweep(now=at("2026-11-24 15:51")).steps == []  # nothing twice

    r = overdue_sweep(now=at("2026-11-24 17:31"))
    assert r.breached == 1
    ob.refresh_from_db()
    assert ob.state == Obligation.State.MISSED
    # Superior after 120 working minutes: Wed 10:30; QM after 480: Thu 09:00.
    assert ob.next_check_at.astimezone(SHANGHAI) == at("2026-11-25 10:30")

    r = overdue_sweep(now=at("2026-11-25 10:31"))
    assert r.superior == 1
    superiors = set(
        Notification.objects.filter(kind="overdue_escalated").values_list("recipient__username", flat=True)
    )
    assert superiors == {"cyy_eng_mgr", "cyy_manager"}

    r = overdue_sweep(now=at("2026-11-26 09:01"))
    assert r.qm == 1
    assert Notification.objects.filter(recipient__username="qm").count() == 1
    ob.refresh_from_db()
    assert ob.next_check_at is None and ob.step == 4
    assert overdue_sweep(now=at("2026-12-31 09:00")).steps == []
    kinds = list(
        c.events.filter(kind__in=["deadline_warning", "deadline_missed", "overdue_escalated"]).values_list(
            "kind", flat=True
        )
    )
    assert kinds == ["deadline_warning", "deadline_missed", "overdue_escalated", "overdue_escalated"]


def test_a_long_outage_catches_up_one_step_per_run(org, complaint_factory):
    c = _assigned_phone_complaint(org, complaint_factory)
    late = at("2026-12-10 09:00")
    assert overdue_sweep(now=late).breached == 1  # the warning is skipped: already past due
    assert overdue_sweep(now=late).superior == 1
    assert overdue_sweep(now=late).qm == 1
    assert c.events.filter(kind="deadline_warning").count() == 0


def test_met_obligations_are_not_swept(org, complaint_factory):
    from docket.complaints import services as s

    c = _assigned_phone_complaint(org, complaint_factory)
    with time_machine.travel(at("2026-11-24 10:00"), tick=False):
        s.complaint_withdraw(actor=org.a.users["reception"], complaint_id=c.id, reason="业主已自行解决")
    assert Obligation.objects.get(complaint=c, kind="reply").state == Obligation.State.CANCELLED
    assert overdue_sweep(now=at("2026-12-31 09:00")).steps == []


@pytest.mark.django_db(transaction=True)
def test_two_consumers_take_each_step_once(transactional_db, org, complaint_factory):
    for _ in range(8):
        _assigned_phone_complaint(org, complaint_factory)
    results = []
    barrier = threading.Barrier(2)

    def consumer():
        barrier.wait()
        results.append(overdue_sweep(now=at("2026-11-24 17:31")))
        connection.close()

    threads = [threading.Thread(target=consumer) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    done = [step for r in results for step in r.steps]
    leftovers = overdue_sweep(now=at("2026-11-24 17:31")).steps
    assert len(done) + len(leftovers) == 8
    assert len({ob for ob, _ in done + leftovers}) == 8
    assert Notification.objects.filter(kind="deadline_missed").count() == 8


def test_an_overlapping_run_never_takes_a_second_step(org, complaint_factory):
    """A slow run read its due list at 17:31; a later run moved the obligation on meanwhile. When the slow
    run reaches the row, the step it saw is gone: it skips instead of taking the next step too."""
    from docket.complaints.services.overdue import SweepResult, due_steps, take_steps

    _assigned_phone_complaint(org, complaint_factory)
    late = at("2026-12-10 09:00")
    slow = due_steps(late)
    assert overdue_sweep(now=late).breached == 1
    result = SweepResult()
    take_steps(slow, late, result)
    assert result.steps == [] and result.skipped == 1
    assert overdue_sweep(now=late).superior == 1  # the next run takes the next step, as before


def test_ended_complaints_no_longer_look_due(org, complaint_factory):
    """A missed, never-fulfilled obligation must not keep an ended complaint overdue or in the sweep."""
    from docket.complaints import services as s

    c = _assigned_phone_complaint(org, complaint_factory)
    assert overdue_sweep(now=at("2026-11-24 17:31")).breached == 1
    c.refresh_from_db()
    assert c.next_due_at is not None
    with time_machine.travel(at("2026-11-24 17:40"), tick=False):
        s.complaint_withdraw(actor=org.a.users["reception"], complaint_id=c.id, reason="业主已自行解决")
    c.refresh_from_db()
    assert c.next_due_at is None
    assert overdue_sweep(now=at("2026-12-31 09:00")).steps == []


def test_deadline_messages_follow_the_per_role_preferences(org, complaint_factory):
    """The sweep tells people in their role, so a per-role preference applies to deadline messages too:
    department managers silenced for overdue notices, office managers still told."""
    from docket.notifications.models import NoticePreference
    from docket.notifications.service import caches_clear

    NoticePreference.objects.create(role="dept_manager", notice="overdue", channels=[])
    caches_clear()
    _assigned_phone_complaint(org, complaint_factory)
    overdue_sweep(now=at("2026-11-24 17:31"))  # breach
    assert overdue_sweep(now=at("2026-11-25 10:31")).superior == 1
    told = set(
        Notification.objects.filter(kind="overdue_escalated").values_list("recipient__username", flat=True)
    )
    assert told == {"cyy_manager"}
    caches_clear()
