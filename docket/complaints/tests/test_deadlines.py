"""Obligations and due times through the real services (R-SLA-2, R-SLA-3, R-EXP-5, R-EXP-8)."""

from datetime import datetime

import pytest
import time_machine

from docket.complaints import services as s
from docket.complaints.models import Method, Obligation
from docket.complaints.services.obligations import deadlines_recompute_provisional
from docket.core.errors import DomainError
from docket.sla import duetimes
from docket.sla.calendar import SHANGHAI
from docket.sla.models import SlaPolicy
from docket.sla.services import holidays_import


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _fresh_calendar():
    duetimes.invalidate()
    yield
    duetimes.invalidate()


def _due(c, kind):
    return Obligation.objects.get(complaint=c, kind=kind).due_at.astimezone(SHANGHAI)


def test_phone_reply_is_due_the_same_working_day(org, complaint_factory):
    with time_machine.travel(at("2026-11-24 10:00"), tick=False):  # a Tuesday
        c = complaint_factory(method=Method.PHONE)
    assert _due(c, "reply") == at("2026-11-24 17:30")
    assert not Obligation.objects.filter(complaint=c, kind="acknowledge").exists()
    c.refresh_from_db()
    assert c.next_due_at == at("2026-11-24 17:30")
    sealed = c.events.get(seq=1).payload["deadlines"]
    assert [d["kind"] for d in sealed] == ["reply"]


def test_phone_after_hours_on_friday_is_due_monday(org, complaint_factory):
    with time_machine.travel(at("2026-11-27 20:00"), tick=False):
        c = complaint_factory(method=Method.PHONE)
    assert _due(c, "reply") == at("2026-11-30 17:30")


def test_email_two_working_days_across_national_day(org, complaint_factory):
    with time_machine.travel(at("2026-09-30 16:00"), tick=False):
        c = complaint_factory(method=Method.EMAIL)
    # Sep 30 counts as day 0; Oct 1-7 are holidays; Oct 8 (Thu) and Oct 9 (Fri) are the two working days.
    assert _due(c, "reply") == at("2026-10-09 17:30")


def test_letter_policy_overridden_for_one_office(org, complaint_factory):
    SlaPolicy.objects.create(
        company=org.company,
        office=org.a.office,
        rules={"reply": {"letter": {"type": "working_days", "n": 3}}},
    )
    with time_machine.travel(at("2026-11-24 10:00"), tick=False):
        a = complaint_factory(method=Method.LETTER)
        b = complaint_factory(kit=org.b, method=Method.LETTER)
    assert _due(a, "reply") == at("2026-11-27 17:30")
    assert _due(b, "reply") == at("2026-11-26 17:30")
    assert Obligation.objects.get(complaint=a, kind="reply").policy_version.startswith("office:")


def test_online_courtesy_reply_within_four_clock_hours(org, complaint_factory):
    with time_machine.travel(at("2026-11-28 21:00"), tick=False):  # Saturday night
        c = complaint_factory(method=Method.ONLINE, channel="online")
    assert _due(c, "acknowledge") == at("2026-11-29 01:00")
    assert _due(c, "reply") == at("2026-11-30 17:30")  # the working day on which work resumes
    with time_machine.travel(at("2026-11-28 22:00"), tick=False):
        s.complaint_assign(
            actor=org.a.users["reception"], complaint_id=c.id, department_id=org.a.depts["engineering"].id
        )
        s.acknowledge_send(
            actor=org.a.users["reception"],
            complaint_id=c.id,
            text="您好，您的投诉已受理，我们将尽快核实处理。",
        )
    ack = Obligation.objects.get(complaint=c, kind="acknowledge")
    assert ack.state == Obligation.State.MET and ack.on_time


def test_late_reply_stays_missed(org, complaint_factory):
    a = org.a
    with time_machine.travel(at("2026-11-24 10:00"), tick=False):
        c = complaint_factory()
    issue = c.issues.get()
    with time_machine.travel(at("2026-11-25 09:00"), tick=False):
        s.complaint_assign(
            actor=a.users["reception"], complaint_id=c.id, department_id=a.depts["engineering"].id
        )
        s.complaint_accept(actor=a.users["eng_supervisor"], complaint_id=c.id)
        s.issue_findings_record(
            actor=a.users["eng_supervisor"],
            complaint_id=c.id,
            issue_id=issue.id,
            findings="已查",
            measures="维修",
        )
        s.reply_draft_save(actor=a.users["eng_supervisor"], complaint_id=c.id, body="答复")
        s.reply_send(actor=a.users["eng_supervisor"], complaint_id=c.id)
    ob = Obligation.objects.get(complaint=c, kind="reply")
    assert ob.state == Obligation.State.MISSED and ob.met_at is not None and ob.on_time is False


def test_obligations_follow_the_lifecycle(org, complaint_factory):
    a, u = org.a, org.users
    with time_machine.travel(at("2026-11-24 09:00"), tick=True):
        c = complaint_factory(method=Method.LETTER)
        issue = c.issues.get()
        s.complaint_assign(
            actor=a.users["reception"], complaint_id=c.id, department_id=a.depts["engineering"].id
        )
        assert Obligation.objects.get(complaint=c, kind="reply").holder_department == a.depts["engineering"]
        s.complaint_accept(actor=a.users["eng_supervisor"], complaint_id=c.id)
        assert Obligation.objects.get(complaint=c, kind="reply").holder == a.users["eng_supervisor"]
        s.issue_findings_record(
            actor=a.users["eng_supervisor"],
            complaint_id=c.id,
            issue_id=issue.id,
            findings="查明",
            measures="维修",
        )
        s.reply_draft_save(actor=a.users["eng_supervisor"], complaint_id=c.id, body="答复")
        s.reply_submit(actor=a.users["eng_supervisor"], complaint_id=c.id)
        assert Obligation.objects.get(complaint=c, kind="review").state == Obligation.State.OPEN
        s.reply_review_approve(actor=u["qm"], complaint_id=c.id)
        assert Obligation.objects.get(complaint=c, kind="review").met_at is None  # one stage to go
        s.reply_review_approve(actor=u["general_office"], complaint_id=c.id)
        s.reply_send(actor=a.users["reception"], complaint_id=c.id)
        s.complainant_agree(actor=a.users["reception"], complaint_id=c.id)
        s.measures_done(actor=a.users["eng_supervisor"], complaint_id=c.id, note="完成")
        s.issue_verify(
            actor=a.users["office_manager"], complaint_id=c.id, issue_id=issue.id, passed=True, note="合格"
        )
        s.follow_up_record(
            actor=a.users["reception"],
            complaint_id=c.id,
            method="phone",
            satisfaction=4,
            process_rating="satisfied",
            measures_rating="satisfied",
            result_rating="satisfied",
        )
    states = dict(Obligation.objects.filter(complaint=c).values_list("kind", "state"))
    assert states == {
        "reply": "met",
        "review": "met",
        "verify": "met",
        "follow_up": "met",
        "first_contact": "met",  # the reply sent was the first contact (issue 15)
    }
    c.refresh_from_db()
    assert c.next_due_at is None


def test_pause_stops_the_clock_and_resume_moves_the_deadline(org, complaint_factory):
    a = org.a
    with time_machine.travel(at("2026-11-24 10:00"), tick=False):
        c = complaint_factory(method=Method.EMAIL)  # due Thu 26th 17:30
        s.complaint_assign(
            actor=a.users["reception"], complaint_id=c.id, department_id=a.depts["engineering"].id
        )
        s.complaint_accept(actor=a.users["eng_supervisor"], complaint_id=c.id)
    with time_machine.travel(at("2026-11-25 10:00"), tick=False):
        s.clock_pause(
            actor=a.users["eng_supervisor"],
            complaint_id=c.id,
            reason="等待业主提供漏水照片",
            resume_on=at("2026-11-30 09:00"),
        )
    ob = Obligation.objects.get(complaint=c, kind="reply")
    assert ob.state == Obligation.State.PAUSED and ob.next_check_at is None
    with pytest.raises(DomainError) as e, time_machine.travel(at("2026-11-25 11:00"), tick=False):
        s.clock_pause(
            actor=a.users["eng_supervisor"],
            complaint_id=c.id,
            reason="再次",
            resume_on=at("2026-12-01 09:00"),
        )
    assert e.value.code == "already_paused"
    with time_machine.travel(at("2026-11-27 10:00"), tick=False):
        s.clock_resume(actor=a.users["eng_supervisor"], complaint_id=c.id)
    ob.refresh_from_db()
    # Paused Wed 10:00 with 810 working minutes left (Wed 360 + Thu 450); resumed Fri 10:00: Fri gives
    # 360, Monday the remaining 450 → Monday 17:30.
    assert ob.state == Obligation.State.OPEN
    assert ob.due_at.astimezone(SHANGHAI) == at("2026-11-30 17:30")
    work = duetimes.calendar_for(org.company.id)
    assert work.working_minutes_between(at("2026-11-27 10:00"), ob.due_at) == pytest.approx(
        ob.paused_working_minutes
    )
    assert ob.paused_working_minutes == pytest.approx(
        work.working_minutes_between(at("2026-11-25 10:00"), at("2026-11-26 17:30"))
    )
    resumed = c.events.filter(kind="clock_resumed").get()
    assert "reply" in {m["kind"] for m in resumed.payload["moved"]}


def test_forwarded_complaint_carries_the_forwarders_deadline(org, complaint_factory):
    from docket.org.models import ExternalParty

    hotline = ExternalParty.objects.create(group=org.group, kind="hotline", name="12345热线")
    with time_machine.travel(at("2026-11-24 10:00"), tick=False):
        c = complaint_factory(
            method=Method.GOVERNMENT_FORWARD,
            channel="government",
            forwarded_by_id=hotline.id,
            forwarder_ref="12345-2026-118822",
            forwarder_due_at=at("2026-11-27 12:00"),
        )
    assert _due(c, "forwarder_reply") == at("2026-11-27 12:00")
    with time_machine.travel(at("2026-11-26 10:00"), tick=False):
        s.forwarder_reply_record(actor=org.users["qm"], complaint_id=c.id, text="已核实并处理，已回复业主。")
    assert Obligation.objects.get(complaint=c, kind="forwarder_reply").state == Obligation.State.MET
    with pytest.raises(DomainError) as e:
        s.forwarder_reply_record(actor=org.users["qm"], complaint_id=c.id, text="再次")
    assert e.value.code == "nothing_due"


def test_hot_complaint_must_be_reported_within_four_hours(org, complaint_factory):
    with time_machine.travel(at("2026-11-24 16:00"), tick=False):
        c = complaint_factory()
        s.severity_raise(actor=org.users["qm"], complaint_id=c.id, severity="hot", reason="三名业主相同投诉")
    assert _due(c, "report_group") == at("2026-11-24 20:00")
    with pytest.raises(DomainError) as e:
        s.severity_raise(actor=org.users["qm"], complaint_id=c.id, severity="hot", reason="再次")
    assert e.value.code == "severity_not_higher"
    s.group_report_record(
        actor=org.users["qm"], complaint_id=c.id, content="电梯故障", cause="设备老化", handling="已更换部件"
    )
    assert Obligation.objects.get(complaint=c, kind="report_group").met_at is not None


def test_a_year_without_data_is_provisional_until_loaded(org, complaint_factory):
    with time_machine.travel(at("2026-12-30 10:00"), tick=False):  # Wednesday
        c = complaint_factory(method=Method.LETTER)
    ob = Obligation.objects.get(complaint=c, kind="reply")
    # Dec 30 is day 0; Dec 31 (Thu) is day 1; Jan 1 2027 (Fri) is 元旦, statutory and shipped in
    # docket/sla/holidays/2027.txt, so day 2 is Monday Jan 4 — provisional, as 2027 is not complete.
    assert ob.provisional
    assert ob.due_at.astimezone(SHANGHAI) == at("2027-01-04 17:30")
    # The notice, once loaded (a made-up one: Monday Jan 4 as a bridge day), settles it.
    text = "year: 2027\nstatus: complete\n2027-01-01..2027-01-04 holiday 元旦\n"
    holidays_import(text=text, source="test")
    assert deadlines_recompute_provisional() == 1
    ob.refresh_from_db()
    assert not ob.provisional and ob.due_at.astimezone(SHANGHAI) == at("2027-01-05 17:30")
    event = c.events.get(kind="deadline_recomputed")
    assert event.payload["moved"][0]["due_at"].startswith("2027-01-05T09:30")


def test_a_withdrawn_forwarded_complaint_can_still_answer_the_forwarder(org, complaint_factory):
    """The forwarder's deadline outlives the complaint (R-EXP-8): after withdrawal it still counts, and the
    answer can be recorded, which ends it."""
    from docket.org.models import ExternalParty

    hotline = ExternalParty.objects.create(group=org.group, kind="hotline", name="12345热线")
    with time_machine.travel(at("2026-11-24 10:00"), tick=False):
        c = complaint_factory(
            method=Method.GOVERNMENT_FORWARD,
            channel="government",
            forwarded_by_id=hotline.id,
            forwarder_ref="12345-2026-118823",
            forwarder_due_at=at("2026-11-27 12:00"),
        )
        s.complaint_withdraw(actor=org.users["qm"], complaint_id=c.id, reason="业主撤回")
    c.refresh_from_db()
    assert c.state == "withdrawn" and c.next_due_at == at("2026-11-27 12:00")
    assert Obligation.objects.get(complaint=c, kind="reply").state == Obligation.State.CANCELLED
    with time_machine.travel(at("2026-11-25 10:00"), tick=False):
        s.forwarder_reply_record(actor=org.users["qm"], complaint_id=c.id, text="业主已撤回投诉，特此答复。")
    c.refresh_from_db()
    assert Obligation.objects.get(complaint=c, kind="forwarder_reply").state == Obligation.State.MET
    assert c.next_due_at is None


def test_the_sweep_resumes_the_clock_at_the_announced_time(org, complaint_factory):
    """The system's own resume (R-EXP-5): at the announced resume time the sweep restarts the clock with
    the remaining working time, recorded as the system, whatever state the complaint moved to meanwhile."""
    from docket.complaints.services.overdue import overdue_sweep

    a = org.a
    with time_machine.travel(at("2026-11-24 10:00"), tick=False):
        c = complaint_factory(method=Method.EMAIL)
        s.complaint_assign(
            actor=a.users["reception"], complaint_id=c.id, department_id=a.depts["engineering"].id
        )
        s.complaint_accept(actor=a.users["eng_supervisor"], complaint_id=c.id)
    with time_machine.travel(at("2026-11-25 10:00"), tick=False):
        s.clock_pause(
            actor=a.users["eng_supervisor"],
            complaint_id=c.id,
            reason="等待业主提供漏水照片",
            resume_on=at("2026-11-27 10:00"),
        )
    assert overdue_sweep(now=at("2026-11-26 10:00")).resumed == 0
    assert overdue_sweep(now=at("2026-11-27 10:01")).resumed == 1
    c.refresh_from_db()
    assert c.paused_at is None
    event = c.events.order_by("-seq").first()
    assert event.kind == "clock_resumed" and event.actor_name == "系统" and event.payload["automatic"] is True
    ob = Obligation.objects.get(complaint=c, kind="reply")
    # 810 working minutes were left; from Fri 10:01: Fri 359, Mon 450, the last minute on Tuesday.
    assert ob.state == Obligation.State.OPEN and ob.due_at.astimezone(SHANGHAI) == at("2026-12-01 08:31")
    assert overdue_sweep(now=at("2026-11-27 10:02")).resumed == 0
