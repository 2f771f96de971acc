"""The system's classification through the real services: each rule at its trigger, people not filings,
never lowering, the report obligations with their deadlines and their delivery (R-ESC-1..3)."""

from datetime import datetime

import pytest
import time_machine

from docket.complaints import services as s
from docket.complaints.models import Complaint, ComplaintEvent, Method, Obligation, Severity
from docket.complaints.services import CoSignerInput
from docket.core.errors import DomainError
from docket.escalation import services as esc
from docket.escalation.models import EscalationPolicy
from docket.notifications.models import Notification
from docket.sla import duetimes
from docket.sla.calendar import SHANGHAI
from docket.triage import services as triage


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _fresh_calendar():
    duetimes.invalidate()
    yield
    duetimes.invalidate()


def classified(c):
    return list(ComplaintEvent.objects.filter(complaint=c, kind="severity_classified").order_by("seq"))


def lift(org, phone, n=1, **kw):
    """A complaint about the same lift in the same building (same-issue by the detector)."""
    return {
        "subject": "1号楼2号电梯困人",
        "description": f"1号楼2号电梯又困人了，第{n}次反映，请尽快维修。",
        "complainant_phone": phone,
        "complainant_name": f"业主{n}",
    } | kw


def test_collective_of_three_is_hot_at_intake_with_one_event_and_the_4h_report(org, complaint_factory):
    with time_machine.travel(at("2026-11-24 10:00"), tick=False):
        c = complaint_factory(people_count=3)
    assert c.severity == Severity.HOT
    (ev,) = classified(c)
    assert (
        ev.payload["rules"] == ["collective_hot"] and ev.payload["evidence"]["collective_hot"]["people"] == 3
    )
    assert ev.actor_id is None and ev.payload["trigger"] == "registered"
    ob = Obligation.objects.get(complaint=c, kind="report_group")
    assert ob.due_at == at("2026-11-24 14:00")
    # the group's people heard of it
    assert Notification.objects.filter(recipient=org.users["group_property"], kind="severity_raised").exists()


def test_two_people_stay_normal(complaint_factory):
    c = complaint_factory(people_count=2)
    assert c.severity == Severity.NORMAL and not classified(c)
    assert not Obligation.objects.filter(complaint=c, kind="report_group").exists()


@pytest.mark.parametrize(
    ("people", "severity"), [(9, Severity.HOT), (10, Severity.MAJOR), (12, Severity.MAJOR)]
)
def test_collective_major_threshold(complaint_factory, people, severity):
    with time_machine.travel(at("2026-11-24 10:00"), tick=False):
        c = complaint_factory(people_count=people)
    assert c.severity == severity
    if severity == Severity.MAJOR:
        assert Obligation.objects.get(complaint=c, kind="report_group").due_at == at("2026-11-24 11:00")


@pytest.mark.parametrize(
    ("flag", "severity"),
    [
        ("lawsuit_filed", Severity.MAJOR),
        ("media_exposed", Severity.MAJOR),
        ("legal_or_media_risk", Severity.HOT),
    ],
)
def test_flags_at_intake(complaint_factory, flag, severity):
    c = complaint_factory(**{flag: True})
    assert c.severity == severity


def test_company_thresholds(org, complaint_factory):
    EscalationPolicy.objects.create(company=org.company, hot_collective_people=5, major_collective_people=8)
    assert complaint_factory(people_count=4).severity == Severity.NORMAL
    assert complaint_factory(people_count=5).severity == Severity.HOT
    assert complaint_factory(people_count=8).severity == Severity.MAJOR


def test_three_different_people_make_the_issue_hot_and_link_the_complaints(org, complaint_factory):
    a = complaint_factory(**lift(org, "13800000001", 1))
    b = complaint_factory(**lift(org, "13800000002", 2))
    assert Complaint.objects.get(pk=a.pk).severity == Severity.NORMAL and b.severity == Severity.NORMAL
    c = complaint_factory(**lift(org, "13800000003", 3))
    # classified right after the intake commits (a task): the row says hot
    assert Complaint.objects.get(pk=c.pk).severity == Severity.HOT
    ev = classified(c)[0]
    evidence = ev.payload["evidence"]["repeat_people"]
    assert evidence["people"] == 3 and set(evidence["receipts"]) == {a.receipt_no, b.receipt_no, c.receipt_no}
    # the earlier filings of the same issue are hot too, with the same evidence
    for x in (a, b):
        assert Complaint.objects.get(pk=x.pk).severity == Severity.HOT
        assert classified(x)[0].payload["rules"] == ["repeat_people"]


def test_a_fourth_filing_skips_the_count_on_members_already_hot(org, complaint_factory, monkeypatch):
    """The cascade classifies every member again, but on a hot member the same-issue count cannot change
    the outcome (it only gives a hot finding): it is not counted there, and nothing is written."""
    wave = [complaint_factory(**lift(org, f"1380000000{n}", n)) for n in (1, 2, 3)]
    counted = []
    real = esc.repeat_of
    monkeypatch.setattr(esc, "repeat_of", lambda c, days, **kw: counted.append(c.pk) or real(c, days, **kw))
    d = complaint_factory(**lift(org, "13800000004", 4))
    assert counted == [d.pk]  # the new complaint only; its three hot members were not counted again
    assert Complaint.objects.get(pk=d.pk).severity == Severity.HOT
    assert [len(classified(x)) for x in wave] == [1, 1, 1]


def test_the_cascade_leaves_members_already_hot_alone(org, complaint_factory, monkeypatch):
    """A fourth filing's hot finding cannot change members that are hot already (severity only rises): the
    cascade does not lock or classify them again; a member still normal is raised as before."""
    wave = [complaint_factory(**lift(org, f"1380000000{n}", n)) for n in (1, 2, 3)]
    late = complaint_factory(**lift(org, "13800000009", 9, anonymous=True, complainant_name=""))
    assert Complaint.objects.get(pk=late.pk).severity == Severity.HOT  # the cascade raised it (unknown filer)
    Complaint.objects.filter(pk=late.pk).update(severity=Severity.NORMAL)  # as if filed before the wave
    calls = []
    real = esc.classify
    monkeypatch.setattr(esc, "classify", lambda **kw: calls.append(kw["complaint_id"]) or real(**kw))
    d = complaint_factory(**lift(org, "13800000004", 4))
    assert Complaint.objects.get(pk=d.pk).severity == Severity.HOT
    assert calls == [d.pk, late.pk]  # the three hot members are not classified again
    assert Complaint.objects.get(pk=late.pk).severity == Severity.HOT
    assert [len(classified(x)) for x in wave] == [1, 1, 1]


def test_a_change_of_the_company_thresholds_is_seen_at_once(org, complaint_factory):
    """The thresholds are kept per process; saving the company's policy moves the stamp they hang on."""
    assert esc.thresholds_for(org.company.pk).hot_collective_people == 3
    policy = EscalationPolicy.objects.create(
        company=org.company, hot_collective_people=5, major_collective_people=8
    )
    assert esc.thresholds_for(org.company.pk).hot_collective_people == 5
    assert complaint_factory(people_count=4).severity == Severity.NORMAL
    policy.hot_collective_people = 4
    policy.save()
    assert complaint_factory(people_count=4).severity == Severity.HOT


def test_a_young_complaint_is_classified_without_reading_its_pauses(org, complaint_factory):
    """Younger than both unresolved thresholds, a complaint cannot meet them: the fault finding and the pause
    events are not read; from the threshold's age on, they are, and the pauses count."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with time_machine.travel(at("2026-11-02 10:00"), tick=False):
        c = complaint_factory()
    for moment, read in (("2026-11-06 10:00", False), ("2026-11-12 10:00", True)):
        with time_machine.travel(at(moment), tick=False), CaptureQueriesContext(connection) as q:
            esc.classify(complaint_id=c.pk, trigger="facts")
        sql = " ".join(x["sql"] for x in q.captured_queries)
        assert ("escalation_faultfinding" in sql) is read, moment
    assert Complaint.objects.get(pk=c.pk).severity == Severity.HOT  # ten days open: unresolved (7)


def test_the_same_person_three_times_is_not_hot(org, complaint_factory):
    for n in range(3):
        c = complaint_factory(**lift(org, "138 0000 0001", n))
    assert Complaint.objects.get(pk=c.pk).severity == Severity.NORMAL
    assert esc.repeat_of(c, 30).known == 1


def test_anonymous_filings_count_as_unknown_never_toward_the_threshold(org, complaint_factory):
    complaint_factory(**lift(org, "13800000001", 1))
    complaint_factory(**lift(org, "13800000002", 2))
    c = complaint_factory(**lift(org, "", 3, anonymous=True, complainant_name=""))
    assert Complaint.objects.get(pk=c.pk).severity == Severity.NORMAL
    r = esc.repeat_of(c, 30)
    assert (r.known, r.unknown) == (2, 1)


def test_outside_the_window_is_not_the_same_month(org, complaint_factory):
    with time_machine.travel(at("2026-10-01 10:00"), tick=False):
        complaint_factory(**lift(org, "13800000001", 1))
    with time_machine.travel(at("2026-11-20 10:00"), tick=False):
        complaint_factory(**lift(org, "13800000002", 2))
        c = complaint_factory(**lift(org, "13800000003", 3))
    assert Complaint.objects.get(pk=c.pk).severity == Severity.NORMAL


def test_a_confirmed_group_counts_its_people(org, complaint_factory):
    from docket.complaints.services import IssueInput

    def other(subject, phone, category):
        return complaint_factory(
            subject=subject,
            description=subject,
            complainant_phone=phone,
            issues=[IssueInput(summary=subject, category_id=org.categories[category].id)],
        )

    a = other("地下车库积水严重", "13800000011", "电梯")
    b = other("开发商承诺的会所未交付", "13800000012", "地产遗留")
    c = other("车库顶棚渗水", "13800000013", "电梯")
    assert {x.severity for x in Complaint.objects.filter(pk__in=[a.pk, b.pk, c.pk])} == {Severity.NORMAL}
    triage.same_issue_confirm(actor=org.users["qm"], complaint_ids=[a.pk, b.pk, c.pk], title="同一问题")
    assert {x.severity for x in Complaint.objects.filter(pk__in=[a.pk, b.pk, c.pk])} == {Severity.HOT}
    assert classified(a)[0].payload["trigger"] == "same_issue_confirmed"


def test_risk_facts_raise_at_once_and_cosigners_count(org, complaint_factory):
    c = complaint_factory()
    mgr = org.a.users["office_manager"]
    c = esc.risk_facts_record(
        actor=mgr,
        complaint_id=c.pk,
        reason="业主联名",
        cosigners=[CoSignerInput(name="李"), CoSignerInput(name="赵")],
    )
    assert c.people_count == 3 and c.severity == Severity.HOT
    c = esc.risk_facts_record(actor=mgr, complaint_id=c.pk, reason="电视台已报道", media_exposed=True)
    assert c.severity == Severity.MAJOR
    assert [e.payload["to"] for e in classified(c)] == ["hot", "major"]
    assert Obligation.objects.filter(complaint=c, kind="report_group").count() == 2


def test_never_lowered(org, complaint_factory):
    c = complaint_factory(media_exposed=True)
    assert c.severity == Severity.MAJOR
    c = esc.risk_facts_record(actor=org.users["qm"], complaint_id=c.pk, reason="更正", media_exposed=False)
    assert c.severity == Severity.MAJOR and not c.media_exposed
    assert len(classified(c)) == 1


def test_manual_raise_stays_and_rules_do_not_repeat_it(org, complaint_factory):
    c = complaint_factory()
    c = s.severity_raise(
        actor=org.users["qm"], complaint_id=c.pk, severity=Severity.HOT, reason="业主称要起诉"
    )
    assert c.severity == Severity.HOT
    c = esc.risk_facts_record(
        actor=org.users["qm"], complaint_id=c.pk, reason="风险", legal_or_media_risk=True
    )
    assert c.severity == Severity.HOT and not classified(c)  # already hot: nothing new recorded


def test_major_change_on_a_major_complaint_reports_at_once(org, complaint_factory):
    c = complaint_factory(media_exposed=True)
    n = Obligation.objects.filter(complaint=c, kind="report_group").count()
    c = esc.risk_facts_record(actor=org.users["qm"], complaint_id=c.pk, reason="已起诉", lawsuit_filed=True)
    evs = classified(c)
    assert len(evs) == 2 and evs[1].payload["change"] and evs[1].payload["rules"] == ["lawsuit_filed"]
    assert Obligation.objects.filter(complaint=c, kind="report_group").count() == n + 1


def test_refused_risk_facts_change_nothing(org, complaint_factory):
    from docket.complaints.tests.helpers import refused

    c = complaint_factory()
    refused(
        "validation",
        c.pk,
        lambda: esc.risk_facts_record(actor=org.users["qm"], complaint_id=c.pk, reason="无"),
    )
    refused(
        "forbidden_action",
        c.pk,
        lambda: esc.risk_facts_record(
            actor=org.users["general_office"], complaint_id=c.pk, reason="x", media_exposed=True
        ),
    )


# --- age rules ------------------------------------------------------------------------------------------


def test_unresolved_a_week_is_hot_a_month_major_by_the_sweep(org, complaint_factory):
    with time_machine.travel(at("2026-11-02 10:00"), tick=False):
        c = complaint_factory()
    with time_machine.travel(at("2026-11-09 09:59"), tick=False):
        esc.escalation_sweep()
    assert Complaint.objects.get(pk=c.pk).severity == Severity.NORMAL
    with time_machine.travel(at("2026-11-09 10:00"), tick=False):
        assert esc.escalation_sweep().raised == 1
        assert esc.escalation_sweep().raised == 0  # idempotent
    assert Complaint.objects.get(pk=c.pk).severity == Severity.HOT
    with time_machine.travel(at("2026-12-02 10:00"), tick=False):
        esc.escalation_sweep()
    c.refresh_from_db()
    assert c.severity == Severity.MAJOR
    assert [e.payload["rules"] for e in classified(c)] == [["unresolved_hot"], ["unresolved_major"]]
    assert classified(c)[0].payload["trigger"] == "sweep"


def test_paused_time_does_not_count(org, complaint_factory):
    with time_machine.travel(at("2026-11-02 10:00"), tick=False):
        c = complaint_factory()
        s.complaint_assign(
            actor=org.a.users["reception"], complaint_id=c.pk, department_id=org.a.depts["engineering"].id
        )
        s.complaint_accept(actor=org.a.users["eng_supervisor"], complaint_id=c.pk)
    with time_machine.travel(at("2026-11-03 10:00"), tick=False):
        s.clock_pause(
            actor=org.a.users["eng_supervisor"],
            complaint_id=c.pk,
            reason="等业主在家",
            resume_on=at("2026-11-20 10:00"),
        )
    with time_machine.travel(at("2026-11-06 10:00"), tick=False):
        s.clock_resume(actor=org.a.users["eng_supervisor"], complaint_id=c.pk)
    with time_machine.travel(at("2026-11-09 10:00"), tick=False):  # 7 days, 3 of them paused
        esc.escalation_sweep()
    assert Complaint.objects.get(pk=c.pk).severity == Severity.NORMAL
    with time_machine.travel(at("2026-11-12 10:00"), tick=False):  # 7 days of the company's time
        esc.escalation_sweep()
    assert Complaint.objects.get(pk=c.pk).severity == Severity.HOT
    assert classified(c)[0].payload["evidence"]["unresolved_hot"]["paused_days"] in (3.0, "3.0")


def test_not_the_company_fault_stops_the_age_rules(org, complaint_factory):
    with time_machine.travel(at("2026-11-02 10:00"), tick=False):
        c = complaint_factory()
        esc.fault_record(
            actor=org.users["qm"], complaint_id=c.pk, company_fault=False, reason="等待供电局维修"
        )
    with time_machine.travel(at("2026-11-20 10:00"), tick=False):
        esc.escalation_sweep()
        assert Complaint.objects.get(pk=c.pk).severity == Severity.NORMAL
        esc.fault_record(
            actor=org.users["qm"], complaint_id=c.pk, company_fault=True, reason="供电已恢复，物业拖延"
        )
    assert Complaint.objects.get(pk=c.pk).severity == Severity.HOT


def test_only_qm_records_the_fault(org, complaint_factory):
    from docket.complaints.tests.helpers import refused

    c = complaint_factory()
    refused(
        "forbidden_action",
        c.pk,
        lambda: esc.fault_record(
            actor=org.a.users["office_manager"], complaint_id=c.pk, company_fault=False, reason="x"
        ),
    )


# --- reports ----------------------------------------------------------------------------------------------


def test_group_report_is_sent_to_the_group_and_major_progress_reopens(org, complaint_factory):
    with time_machine.travel(at("2026-11-24 10:00"), tick=False):
        c = complaint_factory(media_exposed=True)
    with time_machine.travel(at("2026-11-24 10:30"), tick=False):
        s.group_report_record(
            actor=org.users["qm"],
            complaint_id=c.pk,
            content="业主车辆被拦",
            cause="停车费上调未公示",
            handling="已暂停收费",
            difficulties="媒体持续关注",
            help_needed="请集团法务协助",
        )
    ob = Obligation.objects.get(complaint=c, kind="report_group")
    assert ob.state == Obligation.State.MET
    progress = Obligation.objects.get(complaint=c, kind="group_progress", met_at__isnull=True)
    assert progress.due_at == at("2026-11-27 17:30")  # 3 working days
    sent = Notification.objects.filter(recipient=org.users["group_property"], kind="group_report")
    assert sent.count() == 1 and "请集团法务协助" in sent.get().body and "停车费上调未公示" in sent.get().body
    with time_machine.travel(at("2026-11-26 10:00"), tick=False):
        s.group_report_record(
            actor=org.users["qm"], complaint_id=c.pk, content="进展", cause="同上", handling="已与业委会协商"
        )
    assert Obligation.objects.filter(complaint=c, kind="group_progress", met_at__isnull=True).count() == 1
    assert Obligation.objects.filter(complaint=c, kind="group_progress", state="met").count() == 1


def test_hot_report_missed_after_4_hours(org, complaint_factory):
    with time_machine.travel(at("2026-11-24 10:00"), tick=False):
        c = complaint_factory(people_count=3)
    with time_machine.travel(at("2026-11-24 15:00"), tick=False):
        s.group_report_record(actor=org.users["qm"], complaint_id=c.pk, content="a", cause="b", handling="c")
    assert Obligation.objects.get(complaint=c, kind="report_group").state == Obligation.State.MISSED


@pytest.mark.parametrize(("people", "report"), [(3, "case_report"), (10, "special_report")])
def test_after_closure_the_case_or_special_report_is_owed_and_met(org, people, report):
    from docket.complaints.tests.helpers import drive_to, refused

    with time_machine.travel(at("2026-11-24 10:00"), tick=False):  # a Tuesday
        c = drive_to(org, "closed", people_count=people)
    assert c.severity in (Severity.HOT, Severity.MAJOR)
    with time_machine.travel(at("2026-11-24 11:00"), tick=False):
        assert esc.escalation_sweep().reports_opened == 1
        assert esc.escalation_sweep().reports_opened == 0  # one per complaint
    ob = Obligation.objects.get(complaint=c, kind=report)
    assert ob.started_at == Complaint.objects.get(pk=c.pk).closed_at
    # 5 / 10 working days after the closing day
    assert ob.due_at == (at("2026-12-01 17:30") if report == "case_report" else at("2026-12-08 17:30"))
    args = {"content": "电梯困人", "causes": "维保不到位", "process_result": "已修复", "lessons": "加强巡检"}
    if report == "special_report":  # QM's special report also says why it escalated and what is corrected
        refused(
            "required",
            c.pk,
            lambda: esc.closing_report_record(actor=org.users["qm"], complaint_id=c.pk, **args),
        )
        args |= {"escalation_reason": "首次答复拖延", "corrective_measures": "建立维保考核"}
    with time_machine.travel(at("2026-11-25 10:00"), tick=False):
        esc.closing_report_record(actor=org.users["qm"], complaint_id=c.pk, **args)
    assert Obligation.objects.get(pk=ob.pk).state == Obligation.State.MET
    assert Notification.objects.filter(recipient=org.users["group_property"], kind="group_report").exists()


def test_online_complaint_alerts_the_info_officer_and_the_office_manager(org, complaint_factory):
    from docket.complaints.models import Channel

    c = complaint_factory(method=Method.ONLINE, channel=Channel.ONLINE)
    assert ComplaintEvent.objects.filter(complaint=c, kind="online_alerted").exists()
    got = set(
        Notification.objects.filter(kind="online_complaint", ref=f"complaint:{c.pk}").values_list(
            "recipient_id", flat=True
        )
    )
    assert {org.users["qm_info_officer"].pk, org.a.users["office_manager"].pk} <= got
    assert org.users["qm"].pk not in got
    phone = complaint_factory()
    assert not ComplaintEvent.objects.filter(complaint=phone, kind="online_alerted").exists()


def test_major_incident_opens_the_authority_report(org, complaint_factory):
    EscalationPolicy.objects.create(
        company=org.company, authority_name="碑林区住建局物业科", authority_contact="029-1"
    )
    with time_machine.travel(at("2026-11-24 10:00"), tick=False):
        c = complaint_factory()
        esc.major_incident_record(
            actor=org.users["qm"],
            complaint_id=c.pk,
            incident="safety_hazard",
            note="外墙瓷砖脱落，8小时内无法排除",
        )
    ob = Obligation.objects.get(complaint=c, kind="authority_report")
    assert ob.due_at == at("2026-11-25 10:00")
    ev = ComplaintEvent.objects.get(complaint=c, kind="major_incident_recorded")
    assert ev.payload["authority"] == "碑林区住建局物业科"
    with time_machine.travel(at("2026-11-24 18:00"), tick=False):
        esc.authority_report_record(
            actor=org.users["qm"], complaint_id=c.pk, text="已书面报告", reference="BL-1"
        )
    assert Obligation.objects.get(pk=ob.pk).state == Obligation.State.MET
    with pytest.raises(DomainError) as e:
        esc.authority_report_record(actor=org.users["qm"], complaint_id=c.pk, text="again")
    assert e.value.code == "nothing_due"


def test_the_page_form_records_cosigners_and_a_fact(org, client, complaint_factory):
    c = complaint_factory()
    client.force_login(org.a.users["office_manager"])
    r = client.post(
        f"/complaints/{c.pk}/act/risk_facts_record/",
        {
            "version": c.version,
            "fact": "",
            "people_count": "",
            "reason": "业主联名",
            "cosigners": "李 2-301 13900000001\n赵，3-402",
        },
    )
    assert r.status_code in (200, 302), r.content.decode()[:500]
    c.refresh_from_db()
    assert c.people_count == 3 and c.severity == Severity.HOT
    assert set(c.cosigners.values_list("name", "room")) == {("李", "2-301"), ("赵", "3-402")}


def test_the_api_action_sets_media_exposure(org, complaint_factory):
    from django.test import Client

    from docket.accounts.models import Role
    from docket.api.services import api_key_create

    c = complaint_factory()
    _k, token = api_key_create(actor=None, name="k", role=Role.QM, office=None, company=org.company)
    api = Client(headers={"Authorization": f"Bearer {token}"})
    r = api.post(
        f"/api/v1/complaints/{c.pk}/actions/risk_facts_record",
        {"version": c.version, "fact": "media_exposed", "reason": "电视台报道"},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    assert r.json()["severity"] == "major" and r.json()["severity_basis"] == ["media_exposed"]


def test_a_plain_complaint_costs_the_intake_no_query(
    org, complaint_factory, monkeypatch, django_assert_num_queries
):
    """One person, no flag, phone, received now: nothing is read inside the intake; the same-issue count is
    deferred to the commit (here: collected, not run)."""
    deferred = []
    monkeypatch.setattr(esc, "_after_commit", deferred.append)
    c = complaint_factory()
    assert len(deferred) == 1 and c.severity == Severity.NORMAL
    assert esc.needs_now(c, c.received_at) is False
    assert esc.needs_now(
        Complaint(kind="complaint", people_count=2, received_at=c.received_at), c.received_at
    )
    suggestion = complaint_factory(kind="suggestion")
    assert len(deferred) == 1 and suggestion.severity == Severity.NORMAL  # suggestions are never classified
    # online: alerted inside the intake, its same-issue count deferred like any other (being online meets
    # no rule); an online suggestion neither
    from docket.complaints.models import Channel

    online = complaint_factory(method=Method.ONLINE, channel=Channel.ONLINE)
    assert len(deferred) == 2 and online.severity == Severity.NORMAL
    assert ComplaintEvent.objects.filter(complaint=online, kind="online_alerted").exists()
    assert not ComplaintEvent.objects.filter(complaint=online, kind="severity_classified").exists()
    quiet = complaint_factory(kind="suggestion", method=Method.ONLINE, channel=Channel.ONLINE)
    assert len(deferred) == 2 and not ComplaintEvent.objects.filter(complaint=quiet, kind="online_alerted")


def test_the_classification_reads_as_levels_and_rules_on_the_staff_timeline(org, complaint_factory, client):
    """The event's levels by their labels (一般 → 热点) under their own names, the rules met as the basis —
    not the codes under the shared labels of a transfer (原部门 normal / 转至 hot) or a negotiation."""
    c = complaint_factory(people_count=3)
    client.force_login(org.users["qm"])
    html = client.get(f"/complaints/{c.id}/").content.decode()
    timeline = html[html.index("自动判定为热点/重大投诉") :]
    timeline = timeline[: timeline.index("</li>")]
    assert "原级别：</span>一般" in timeline and "升级为：</span>热点" in timeline, timeline
    assert "判定依据：</span>" in timeline
    assert "normal" not in timeline and "原部门" not in timeline and "协商情况" not in timeline


def test_the_group_report_shows_its_cause_analysis_once_on_the_staff_timeline(org, complaint_factory, client):
    c = complaint_factory(people_count=3)
    s.group_report_record(
        actor=org.users["qm"],
        complaint_id=c.pk,
        content="业主车辆被拦",
        cause="停车费上调未公示",
        handling="已暂停收费",
    )
    client.force_login(org.users["qm"])
    html = client.get(f"/complaints/{c.id}/").content.decode()
    report = html[html.index("<b>向集团报告</b>") :]
    report = report[: report.index("</li>")]
    assert report.count("停车费上调未公示") == 1 and "报告内容：</span>" in report, report
