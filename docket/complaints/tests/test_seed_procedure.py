"""The seed's procedure steps (issue 15) through the real services: first contact (document 5 §4.3),
two-level verification (5.2.3.6), the three-point follow-up and its automatic exemptions (5.2.5.1,
5.2.5.3), progress updates after an "unclosed" ending (5.2.5.2) and leadership's handling opinion
(documents 3/4 §3). Each: the happy path, refusals that leave the whole file unchanged, the deadline."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine

from docket.complaints import access
from docket.complaints import services as s
from docket.complaints.models import FirstContact, Obligation, State
from docket.complaints.services.overdue import overdue_sweep
from docket.sla import duetimes
from docket.sla.calendar import SHANGHAI
from docket.sla.models import SlaPolicy

from . import helpers as h


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _fresh_calendar():
    duetimes.invalidate()
    yield
    duetimes.invalidate()


def _ob(c, kind: str) -> Obligation:
    return Obligation.objects.get(complaint_id=c.id if hasattr(c, "id") else c, kind=kind)


def _offered(user, cid: int) -> set[str]:
    from docket.complaints.models import Complaint

    return {a.name for a in access.available_actions(user, Complaint.objects.get(pk=cid))}


# --- 1. acceptance and first contact (document 5 §4.3, R-HDL-1, R-PRC-4) -------------------------------------


def test_hand_over_starts_first_contact_due_within_one_working_hour(org):
    with time_machine.travel(at("2026-11-24 10:00"), tick=False):  # a Tuesday
        c = h.drive_to(org, State.ASSIGNED)
    ob = _ob(c, "first_contact")
    assert ob.due_at.astimezone(SHANGHAI) == at("2026-11-24 11:00")
    assert ob.holder_department_id == org.a.depts["engineering"].id
    assert ob.state == Obligation.State.OPEN


def test_first_contact_deadline_is_configurable_per_company(org):
    SlaPolicy.objects.create(
        company=org.company, rules={"first_contact": {"type": "working_minutes", "n": 30}}
    )
    with time_machine.travel(at("2026-11-24 10:00"), tick=False):
        c = h.drive_to(org, State.ASSIGNED)
    assert _ob(c, "first_contact").due_at.astimezone(SHANGHAI) == at("2026-11-24 10:30")


def test_first_contact_recorded_meets_the_deadline_at_the_contact_time(org):
    sup = org.a.users["eng_supervisor"]
    with time_machine.travel(at("2026-11-24 10:00"), tick=False):
        c = h.drive_to(org, State.INVESTIGATING)
        assert "first_contact_record" in _offered(sup, c.id)
    # typed in at 11:30, but the call was made at 10:40: on time
    with time_machine.travel(at("2026-11-24 11:30"), tick=False):
        contact = s.first_contact_record(
            actor=sup,
            complaint_id=c.id,
            method="phone",
            summary="致电业主致歉，说明明早安排电梯维保单位上门",
            apologised=True,
            contacted_at=at("2026-11-24 10:40"),
        )
    ob = _ob(c, "first_contact")
    assert ob.state == Obligation.State.MET and ob.met_at == at("2026-11-24 10:40")
    assert contact.apologised and contact.recorded_by == sup
    ev = c.events.get(kind="first_contact_recorded")
    assert ev.payload["contact_method"] == "phone" and ev.payload["apologised"] is True
    assert "first_contact_record" not in _offered(sup, c.id)  # once only


def test_first_contact_goes_overdue_like_the_others(org):
    with time_machine.travel(at("2026-11-24 10:00"), tick=False):
        c = h.drive_to(org, State.INVESTIGATING)
    r = overdue_sweep(now=at("2026-11-24 11:01"))
    ob = _ob(c, "first_contact")
    assert ob.state == Obligation.State.MISSED and (ob.id, 2) in r.steps or ob.step >= 2
    with time_machine.travel(at("2026-11-24 11:20"), tick=False):
        s.first_contact_record(
            actor=org.a.users["eng_staff"],
            complaint_id=c.id,
            method="visit",
            summary="上门致歉",
            apologised=True,
        )
    ob.refresh_from_db()
    assert ob.state == Obligation.State.MISSED and ob.met_at == at("2026-11-24 11:20")


def test_no_first_contact_duty_for_an_anonymous_complaint(org):
    c = h.drive_to(org, State.INVESTIGATING, anonymous=True, complainant_name="", complainant_phone="")
    assert not Obligation.objects.filter(complaint=c, kind="first_contact").exists()
    assert "first_contact_record" not in _offered(org.a.users["eng_supervisor"], c.id)
    h.refused(
        "not_contactable",
        c.id,
        lambda: s.first_contact_record(
            actor=org.a.users["eng_supervisor"],
            complaint_id=c.id,
            method="phone",
            summary="x",
            apologised=True,
        ),
    )


def test_a_reply_sent_meets_an_open_first_contact(org):
    c = h.drive_to(org, State.REPLIED)
    assert _ob(c, "first_contact").met_at is not None


def test_refused_and_handed_over_again_keeps_one_first_contact_deadline(org):
    with time_machine.travel(at("2026-11-24 10:00"), tick=False):
        c = h.drive_to(org, State.ASSIGNED)
        s.complaint_refuse(actor=org.a.users["eng_supervisor"], complaint_id=c.id, reason="非本部门")
        s.complaint_assign(
            actor=org.a.users["reception"], complaint_id=c.id, department_id=org.a.depts["security"].id
        )
    ob = _ob(c, "first_contact")  # exactly one
    assert ob.holder_department_id == org.a.depts["security"].id
    assert ob.due_at.astimezone(SHANGHAI) == at("2026-11-24 11:00")


@pytest.mark.parametrize(
    "kwargs,code",
    [
        ({"method": "phone", "summary": "  ", "apologised": True}, "required"),
        ({"method": "fax", "summary": "已联系", "apologised": True}, "validation"),
        ({"method": "phone", "summary": "已联系", "apologised": False}, "required"),
        (
            {"method": "phone", "summary": "已联系", "apologised": True, "contacted_at": "future"},
            "validation",
        ),
        ({"method": "phone", "summary": "已联系", "apologised": True, "contacted_at": "past"}, "validation"),
    ],
)
def test_first_contact_refusals_change_nothing(org, kwargs, code):
    c = h.drive_to(org, State.INVESTIGATING)
    kwargs = dict(kwargs)
    if kwargs.get("contacted_at") == "future":
        kwargs["contacted_at"] = datetime.now(SHANGHAI) + timedelta(hours=1)
    elif kwargs.get("contacted_at") == "past":
        kwargs["contacted_at"] = c.received_at - timedelta(minutes=1)
    h.refused(
        code,
        c.id,
        lambda: s.first_contact_record(actor=org.a.users["eng_supervisor"], complaint_id=c.id, **kwargs),
    )


def test_second_first_contact_and_wrong_state_and_wrong_role_are_refused(org):
    sup = org.a.users["eng_supervisor"]
    c = h.drive_to(org, State.INVESTIGATING)
    s.first_contact_record(actor=sup, complaint_id=c.id, method="phone", summary="已联系", apologised=True)
    h.refused(
        "first_contact_done",
        c.id,
        lambda: s.first_contact_record(
            actor=sup, complaint_id=c.id, method="phone", summary="再", apologised=True
        ),
    )
    assigned = h.drive_to(org, State.ASSIGNED)
    h.refused(
        "invalid_transition",
        assigned.id,
        lambda: s.first_contact_record(
            actor=sup, complaint_id=assigned.id, method="phone", summary="已联系", apologised=True
        ),
    )
    other = h.drive_to(org, State.INVESTIGATING)
    h.refused(
        "forbidden_action",
        other.id,
        lambda: s.first_contact_record(
            actor=org.a.users["reception"],
            complaint_id=other.id,
            method="phone",
            summary="x",
            apologised=True,
        ),
    )


def test_no_apology_needs_its_reason_and_keeps_it(org):
    c = h.drive_to(org, State.INVESTIGATING)
    contact = s.first_contact_record(
        actor=org.a.users["eng_supervisor"],
        complaint_id=c.id,
        method="message",
        summary="已耐心解释该设施不属物业服务范围",
        apologised=False,
        no_apology_reason="无理投诉，已感谢业主对工作的支持",
    )
    assert FirstContact.objects.get(pk=contact.pk).no_apology_reason.startswith("无理投诉")


def test_first_contact_through_the_page_and_the_api(org, client):
    from django.urls import reverse

    c = h.drive_to(org, State.INVESTIGATING)
    sup = org.a.users["eng_supervisor"]
    client.force_login(sup)
    page = client.get(reverse("complaints:detail", args=[c.id]))
    assert reverse("complaints:action", args=[c.id, "first_contact_record"]) in page.content.decode()
    r = client.post(
        reverse("complaints:action", args=[c.id, "first_contact_record"]),
        {"version": c.version, "method": "phone", "apologised": "1", "summary": "已电话致歉并说明处理安排"},
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    assert FirstContact.objects.get(complaint=c).method == "phone"
    assert "first_contact_record" in {op for op in _api_operations()}


def _api_operations() -> set[str]:
    from django.test import Client

    schema = Client().get("/api/v1/openapi.json").json()
    return {path.rsplit("/", 1)[-1] for path in schema["paths"] if "/actions/" in path}


# --- 2. two-level verification (5.2.3.6, R-PRC-5) --------------------------------------------------------------


def _office_verify_all(org, c, passed=True):
    from docket.complaints.models import ComplaintIssue

    for issue in ComplaintIssue.objects.filter(complaint_id=c.id, state="measures_done"):
        s.issue_verify(
            actor=org.a.users["office_manager"],
            complaint_id=c.id,
            issue_id=issue.id,
            passed=passed,
            note="现场复查",
        )


@pytest.mark.parametrize(
    "register",
    [
        {"channel": "company"},
        {"channel": "online", "method": "online"},
        {"method": "online"},
        {"channel": "government"},
    ],
)
def test_company_level_and_online_complaints_go_to_qm_after_the_office(org, register):
    method = register.pop("method", "phone")
    with time_machine.travel(at("2026-11-24 09:00"), tick=True):
        c = h.drive_to(org, State.VERIFYING, method=method, **register)
        _office_verify_all(org, c)
    c.refresh_from_db()
    assert c.state == State.QM_VERIFYING
    ev = c.events.order_by("-seq").first()
    assert ev.kind == "office_verification_reported"
    assert ev.payload["report"][0]["verification"] == "现场复查"
    assert _ob(c, "verify").met_at is not None
    assert _ob(c, "qm_verify").state == Obligation.State.OPEN
    assert not Obligation.objects.filter(complaint=c, kind="follow_up").exists()
    assert "qm_verify" in _offered(org.users["qm"], c.id)
    assert "qm_verify" not in _offered(org.a.users["office_manager"], c.id)


def test_an_office_phone_complaint_is_verified_once(org):
    c = h.drive_to(org, State.VERIFYING)
    _office_verify_all(org, c)
    c.refresh_from_db()
    assert c.state == State.FOLLOW_UP
    assert not Obligation.objects.filter(complaint=c, kind="qm_verify").exists()


def test_an_escalated_complaint_is_verified_by_the_office_then_qm(org):
    c = h.drive_to(org, State.INVESTIGATING)
    s.complaint_escalate(actor=org.a.users["office_manager"], complaint_id=c.id, reason="管理处无法解决")
    qm = org.users["qm"]
    from docket.complaints.models import ComplaintIssue

    issue = ComplaintIssue.objects.get(complaint=c)
    s.issue_findings_record(
        actor=qm, complaint_id=c.id, issue_id=issue.id, findings="属实", measures="更换主板"
    )
    s.reply_draft_save(actor=qm, complaint_id=c.id, body="您好，已安排更换主板。")
    s.reply_send(actor=qm, complaint_id=c.id)
    s.complainant_agree(actor=qm, complaint_id=c.id)
    s.measures_done(actor=qm, complaint_id=c.id, note="已更换")
    _office_verify_all(org, c)  # the office still verifies on site after escalation (R-HDL-5)
    c.refresh_from_db()
    assert c.state == State.QM_VERIFYING


def test_qm_passes_and_the_follow_up_is_due(org):
    with time_machine.travel(at("2026-11-24 09:00"), tick=False):
        c = h.drive_to(org, State.QM_VERIFYING)
    assert _ob(c, "qm_verify").due_at.astimezone(SHANGHAI) == at("2026-11-25 17:30")
    with time_machine.travel(at("2026-11-24 15:00"), tick=False):
        s.qm_verify(actor=org.users["qm"], complaint_id=c.id, decision="passed", note="复核整改到位")
    c.refresh_from_db()
    assert c.state == State.FOLLOW_UP
    assert _ob(c, "qm_verify").state == Obligation.State.MET
    assert _ob(c, "follow_up").state == Obligation.State.OPEN


def test_qm_rework_sends_the_same_measures_back(org):
    c = h.drive_to(org, State.QM_VERIFYING)
    s.qm_verify(actor=org.users["qm"], complaint_id=c.id, decision="rework", note="现场仍有异响")
    c.refresh_from_db()
    assert c.state == State.IMPLEMENTING
    assert set(c.issues.values_list("state", flat=True)) == {"rework"}
    assert c.events.order_by("-seq").first().kind == "qm_rework"
    # carried out again, verified again by the office, and back to QM
    s.measures_done(actor=org.a.users["eng_staff"], complaint_id=c.id, note="返工完成")
    _office_verify_all(org, c)
    c.refresh_from_db()
    assert c.state == State.QM_VERIFYING
    assert Obligation.objects.filter(complaint=c, kind="qm_verify").count() == 2


def test_qm_reassessment_reopens_the_measures_not_only_the_work(org):
    c = h.drive_to(org, State.QM_VERIFYING)
    s.qm_verify(
        actor=org.users["qm"],
        complaint_id=c.id,
        decision="reassess",
        note="仅维修不能根治，应评估更换电梯主机",
    )
    c.refresh_from_db()
    assert c.state == State.INVESTIGATING
    assert set(c.issues.values_list("state", flat=True)) == {"open"}
    ev = c.events.order_by("-seq").first()
    assert ev.kind == "qm_reassessed" and ev.payload["decision"] == "reassess"
    # a new reply needs the measures planned again first
    s.reply_draft_save(actor=org.a.users["eng_supervisor"], complaint_id=c.id, body="新方案")
    h.refused(
        "issues_incomplete",
        c.id,
        lambda: s.reply_send(actor=org.a.users["eng_supervisor"], complaint_id=c.id),
    )


def test_qm_verification_goes_overdue(org):
    with time_machine.travel(at("2026-11-24 09:00"), tick=False):
        c = h.drive_to(org, State.QM_VERIFYING)
    overdue_sweep(now=at("2026-11-25 17:31"))
    assert _ob(c, "qm_verify").state == Obligation.State.MISSED


@pytest.mark.parametrize(
    "who,kwargs,code",
    [
        ("qm", {"decision": "maybe", "note": "x"}, "qm_decision_invalid"),
        ("qm", {"decision": "passed", "note": " "}, "required"),
        ("office_manager", {"decision": "passed", "note": "合格"}, "forbidden_action"),
        ("eng_supervisor", {"decision": "passed", "note": "合格"}, "forbidden_action"),
    ],
)
def test_qm_verify_refusals_change_nothing(org, who, kwargs, code):
    c = h.drive_to(org, State.QM_VERIFYING)
    user = org.users["qm"] if who == "qm" else org.a.users[who]
    h.refused(code, c.id, lambda: s.qm_verify(actor=user, complaint_id=c.id, **kwargs))


def test_qm_verify_only_after_the_office(org):
    c = h.drive_to(org, State.VERIFYING, channel="company")
    h.refused(
        "invalid_transition",
        c.id,
        lambda: s.qm_verify(actor=org.users["qm"], complaint_id=c.id, decision="passed", note="合格"),
    )


# --- 3. the follow-up on three points and its automatic exemptions (5.2.5.1, 5.2.5.3, R-PRC-6) ---------------

THREE = {"process_rating": "satisfied", "measures_rating": "basic", "result_rating": "unsatisfied"}


def test_follow_up_records_the_three_points(org):
    from docket.complaints.models import FollowUp

    c = h.drive_to(org, State.FOLLOW_UP)
    s.follow_up_record(
        actor=org.a.users["reception"],
        complaint_id=c.id,
        method="visit",
        satisfaction=3,
        opinion="结果一般",
        **THREE,
    )
    fu = FollowUp.objects.get(complaint=c)
    assert (fu.process_rating, fu.measures_rating, fu.result_rating) == ("satisfied", "basic", "unsatisfied")
    assert not fu.automatic
    c.refresh_from_db()
    assert c.state == State.CLOSED and _ob(c, "follow_up").state == Obligation.State.MET
    ev = c.events.get(kind="follow_up_recorded")
    assert ev.payload["measures_rating"] == "basic"


@pytest.mark.parametrize(
    "bad,code",
    [
        ({"process_rating": ""}, "required"),
        ({"measures_rating": "great"}, "validation"),
        ({"result_rating": None}, "required"),
    ],
)
def test_follow_up_needs_each_of_the_three_points(org, bad, code):
    c = h.drive_to(org, State.FOLLOW_UP)
    h.refused(
        code,
        c.id,
        lambda: s.follow_up_record(
            actor=org.a.users["reception"], complaint_id=c.id, method="phone", satisfaction=4, **(THREE | bad)
        ),
    )


@pytest.mark.parametrize(
    "register,exemption",
    [
        ({"anonymous": True, "complainant_name": "", "complainant_phone": ""}, "anonymous"),
        ({"no_contact": True}, "unreachable"),
        ({"sensitive": True}, "sensitive"),
    ],
)
def test_seed_exemptions_are_applied_when_verification_passes(org, register, exemption):
    from docket.complaints.models import FollowUp

    no_contact = register.pop("no_contact", False)
    c = h.drive_to(org, State.VERIFYING, **register)
    if no_contact:  # intake requires a contact; a record can lose it later (erased personal data)
        from docket.complaints.models import Complaint

        Complaint.objects.filter(pk=c.id).update(complainant_phone="", complainant_email="")
    n_events = c.events.count()
    _office_verify_all(org, c)
    c.refresh_from_db()
    assert c.state == State.CLOSED and c.closure_kind == "resolved"
    fu = FollowUp.objects.get(complaint=c)
    assert fu.exemption == exemption and fu.automatic and "5.2.5.1" in fu.opinion
    new = list(c.events.filter(seq__gt=n_events).order_by("seq").values_list("kind", flat=True))
    assert new == ["issue_verified", "follow_up_exempted"]
    assert c.events.get(kind="follow_up_exempted").payload["automatic"] is True
    assert not Obligation.objects.filter(complaint=c, kind="follow_up").exists()
    assert c.next_due_at is None


def test_a_two_level_anonymous_complaint_is_exempted_after_qm(org):
    c = h.drive_to(org, State.QM_VERIFYING, anonymous=True, complainant_name="", complainant_phone="")
    s.qm_verify(actor=org.users["qm"], complaint_id=c.id, decision="passed", note="合格")
    c.refresh_from_db()
    assert c.state == State.CLOSED
    assert c.follow_up.exemption == "anonymous" and c.follow_up.automatic


def test_follow_up_form_on_the_page_offers_the_three_points(org, client):
    from django.urls import reverse

    c = h.drive_to(org, State.FOLLOW_UP)
    client.force_login(org.a.users["reception"])
    page = client.get(reverse("complaints:action", args=[c.id, "follow_up_record"])).content.decode()
    for name in ("process_rating", "measures_rating", "result_rating"):
        assert f'name="{name}"' in page
    r = client.post(
        reverse("complaints:action", args=[c.id, "follow_up_record"]),
        {"version": c.version, "method": "phone", "satisfaction": "5", **THREE},
    )
    assert r.status_code == 302
    c.refresh_from_db()
    assert c.state == State.CLOSED and c.follow_up.result_rating == "unsatisfied"


# --- 4. unclosed complaints keep moving (5.2.5.2, R-PRC-7) ----------------------------------------------------


def test_an_unclosed_ending_schedules_progress_reports(org):
    with time_machine.travel(at("2026-11-24 10:00"), tick=False):
        c = h.drive_to(org, State.UNCLOSED)
    ob = _ob(c, "progress_update")
    assert ob.state == Obligation.State.OPEN
    assert ob.due_at.astimezone(SHANGHAI) == at("2026-12-08 17:30")  # ten working days
    c.refresh_from_db()
    assert c.next_due_at == ob.due_at  # it still has something due although it has ended
    assert "progress_update_send" in _offered(org.a.users["office_manager"], c.id)


def test_each_progress_report_starts_the_next(org):
    om = org.a.users["office_manager"]
    with time_machine.travel(at("2026-11-24 10:00"), tick=False):
        c = h.drive_to(org, State.UNCLOSED)
    with time_machine.travel(at("2026-12-01 10:00"), tick=False):
        s.progress_update_send(actor=om, complaint_id=c.id, method="phone", text="地产已出具维修方案")
    obs = list(Obligation.objects.filter(complaint=c, kind="progress_update").order_by("id"))
    assert [o.state for o in obs] == ["met", "open"]
    assert obs[1].due_at.astimezone(SHANGHAI) == at("2026-12-15 17:30")
    ev = c.events.get(kind="progress_updated")
    assert ev.payload["body"] == "地产已出具维修方案"
    from docket.complaints.kinds import PUBLIC_KINDS

    assert "progress_updated" in PUBLIC_KINDS
    c.refresh_from_db()
    assert c.state == State.UNCLOSED and c.next_due_at == obs[1].due_at


def test_a_missed_progress_report_goes_overdue(org):
    with time_machine.travel(at("2026-11-24 10:00"), tick=False):
        c = h.drive_to(org, State.UNCLOSED)
    overdue_sweep(now=at("2026-12-08 17:31"))
    assert _ob(c, "progress_update").state == Obligation.State.MISSED
    assert c.events.filter(kind="deadline_missed").exists()


def test_the_final_ending_stops_the_reports(org):
    om = org.a.users["office_manager"]
    c = h.drive_to(org, State.UNCLOSED)
    s.unclosed_conclude(actor=om, complaint_id=c.id, outcome="resolved", note="地产已完成外墙维修")
    c.refresh_from_db()
    assert c.state == State.UNCLOSED and c.closure_kind == "unclosed"  # still counted as unclosed
    assert "地产已完成外墙维修" in c.closure_note
    assert _ob(c, "progress_update").state == Obligation.State.CANCELLED
    assert c.next_due_at is None
    assert not {"progress_update_send", "unclosed_conclude"} & _offered(om, c.id)
    h.refused(
        "unclosed_concluded",
        c.id,
        lambda: s.progress_update_send(actor=om, complaint_id=c.id, method="phone", text="再通报"),
    )
    h.refused(
        "unclosed_concluded",
        c.id,
        lambda: s.unclosed_conclude(actor=om, complaint_id=c.id, outcome="accepted", note="再终结"),
    )


@pytest.mark.parametrize(
    "call,code",
    [
        (
            lambda org, c: s.progress_update_send(
                actor=org.a.users["office_manager"], complaint_id=c.id, method="fax", text="x"
            ),
            "validation",
        ),
        (
            lambda org, c: s.progress_update_send(
                actor=org.a.users["office_manager"], complaint_id=c.id, method="phone", text=" "
            ),
            "required",
        ),
        (
            lambda org, c: s.progress_update_send(
                actor=org.a.users["eng_supervisor"], complaint_id=c.id, method="phone", text="x"
            ),
            "forbidden_action",
        ),
        (
            lambda org, c: s.unclosed_conclude(
                actor=org.a.users["office_manager"], complaint_id=c.id, outcome="gone", note="x"
            ),
            "validation",
        ),
        (
            lambda org, c: s.unclosed_conclude(
                actor=org.a.users["reception"], complaint_id=c.id, outcome="resolved", note="x"
            ),
            "forbidden_action",
        ),
    ],
)
def test_progress_refusals_change_nothing(org, call, code):
    c = h.drive_to(org, State.UNCLOSED)
    h.refused(code, c.id, lambda: call(org, c))


def test_progress_reports_only_for_unclosed_complaints(org):
    c = h.drive_to(org, State.INVESTIGATING)
    h.refused(
        "invalid_transition",
        c.id,
        lambda: s.progress_update_send(
            actor=org.a.users["office_manager"], complaint_id=c.id, method="phone", text="x"
        ),
    )


def test_an_anonymous_unclosed_complaint_owes_no_reports(org):
    c = h.drive_to(org, State.UNCLOSED, anonymous=True, complainant_name="", complainant_phone="")
    assert not Obligation.objects.filter(complaint=c, kind="progress_update").exists()
    assert "progress_update_send" not in _offered(org.a.users["office_manager"], c.id)
    assert "unclosed_conclude" in _offered(org.a.users["office_manager"], c.id)


# --- 5. leadership's handling opinion (documents 3/4 §3, R-PRC-8) ---------------------------------------------


def test_escalation_asks_leadership_for_its_opinion_with_a_deadline(org):
    with time_machine.travel(at("2026-11-24 10:00"), tick=False):
        c = h.drive_to(org, State.INVESTIGATING)
        s.complaint_escalate(
            actor=org.a.users["office_manager"], complaint_id=c.id, reason="业主要求赔偿超出权限"
        )
    ob = _ob(c, "leadership_opinion")
    assert ob.state == Obligation.State.OPEN and ob.due_at.astimezone(SHANGHAI) == at("2026-11-25 17:30")
    kinds = list(c.events.order_by("-seq").values_list("kind", flat=True)[:2])
    assert kinds == ["escalated", "leadership_opinion_requested"]
    from docket.notifications.models import Notification

    assert Notification.objects.filter(recipient=org.users["leadership"], kind="assigned").exists()
    leader = org.users["leadership"]
    assert "leadership_opinion_record" in _offered(leader, c.id)
    assert "leadership_opinion_request" not in _offered(org.users["qm"], c.id)  # already asked
    with time_machine.travel(at("2026-11-25 09:00"), tick=False):
        s.leadership_opinion_record(actor=leader, complaint_id=c.id, opinion="同意公司先行垫付，再向地产追偿")
    ob.refresh_from_db()
    assert ob.state == Obligation.State.MET
    ev = c.events.get(kind="leadership_opinion_given")
    assert ev.payload == {"opinion": "同意公司先行垫付，再向地产追偿", "requested": True}


def test_a_request_by_qm_for_an_unclosed_complaint_and_its_overdue(org):
    with time_machine.travel(at("2026-11-24 10:00"), tick=False):
        c = h.drive_to(org, State.UNCLOSED)
        s.leadership_opinion_request(actor=org.users["qm"], complaint_id=c.id, question="是否启动专项资金")
    h.refused(
        "opinion_pending",
        c.id,
        lambda: s.leadership_opinion_request(actor=org.users["qm"], complaint_id=c.id, question="再次提请"),
    )
    overdue_sweep(now=at("2026-11-25 17:31"))
    assert _ob(c, "leadership_opinion").state == Obligation.State.MISSED


@pytest.mark.parametrize(
    "call,code",
    [
        (
            lambda org, c: s.leadership_opinion_request(
                actor=org.users["qm"], complaint_id=c.id, question=" "
            ),
            "required",
        ),
        (
            lambda org, c: s.leadership_opinion_request(
                actor=org.a.users["eng_manager"], complaint_id=c.id, question="x"
            ),
            "forbidden_action",
        ),
        (
            lambda org, c: s.leadership_opinion_record(actor=org.users["qm"], complaint_id=c.id, opinion="x"),
            "forbidden_action",
        ),
        (
            lambda org, c: s.leadership_opinion_record(
                actor=org.users["leadership"], complaint_id=c.id, opinion=""
            ),
            "required",
        ),
    ],
)
def test_leadership_opinion_refusals_change_nothing(org, call, code):
    c = h.drive_to(org, State.INVESTIGATING)
    h.refused(code, c.id, lambda: call(org, c))


def test_no_opinion_on_an_ended_complaint(org):
    c = h.drive_to(org, State.CLOSED)
    h.refused(
        "invalid_transition",
        c.id,
        lambda: s.leadership_opinion_record(actor=org.users["leadership"], complaint_id=c.id, opinion="x"),
    )


def test_the_new_vocabulary_is_translated():
    from django.utils import translation

    from docket.complaints import kinds, workflow

    new_kinds = [
        "first_contact_recorded",
        "office_verification_reported",
        "qm_verified",
        "qm_rework",
        "qm_reassessed",
        "progress_updated",
        "unclosed_concluded",
        "leadership_opinion_requested",
        "leadership_opinion_given",
    ]
    new_actions = [
        "first_contact_record",
        "qm_verify",
        "progress_update_send",
        "unclosed_conclude",
        "leadership_opinion_request",
        "leadership_opinion_record",
    ]
    with translation.override("en"):
        labels = [kinds.label(k) for k in new_kinds] + [str(workflow.ACTIONS[a].label) for a in new_actions]
        labels.append(str(State.QM_VERIFYING.label))
    assert all(label.isascii() for label in labels), labels


# --- 7. the developer's answer: deadline, reminders, project phase (5.2.3.9, 5.2.6.4, R-HDL-6) -----------------


def test_a_forward_to_the_developer_has_a_deadline_and_records_the_phase(org):
    from docket.complaints.models import DeveloperForward

    sup = org.a.users["eng_supervisor"]
    with time_machine.travel(at("2026-11-24 10:00"), tick=False):
        c = h.drive_to(org, State.INVESTIGATING)
        s.developer_forward(
            actor=sup,
            complaint_id=c.id,
            party_id=org.developer.id,
            reason="外墙渗水属保修",
            project_phase="construction",
        )
    assert DeveloperForward.objects.get(complaint=c).project_phase == "construction"
    ob = _ob(c, "developer_answer")
    assert ob.due_at.astimezone(SHANGHAI) == at("2026-12-01 17:30")  # five working days
    r = overdue_sweep(now=at("2026-11-30 17:00"))  # the reminder before it falls due
    assert (ob.id, 1) in r.steps
    with time_machine.travel(at("2026-11-30 18:00"), tick=False):
        s.developer_answer_record(actor=sup, complaint_id=c.id, answer="地产同意保修")
    ob.refresh_from_db()
    assert ob.state == Obligation.State.MET


def test_a_wrong_project_phase_is_refused_and_changes_nothing(org):
    c = h.drive_to(org, State.INVESTIGATING)
    h.refused(
        "validation",
        c.id,
        lambda: s.developer_forward(
            actor=org.a.users["eng_supervisor"],
            complaint_id=c.id,
            party_id=org.developer.id,
            reason="x",
            project_phase="sales",
        ),
    )


def test_an_unanswered_forward_goes_overdue(org):
    with time_machine.travel(at("2026-11-24 10:00"), tick=False):
        c = h.drive_to(org, State.WITH_DEVELOPER)
    overdue_sweep(now=at("2026-12-01 17:31"))
    assert _ob(c, "developer_answer").state == Obligation.State.MISSED
