"""The staff follow-up (回访) per handling round (issue 11): a complaint a second-stage review reopened is
handled again — the owner disagrees with the new reply, staff reply once more, the owner agrees, the
measures are verified — and gets a new follow-up duty and a second follow-up record; one follow-up per
round is refused twice; statistics and the daily summary read the latest round only."""

from __future__ import annotations

from datetime import date

import pytest
from django.db.models import Q

from docket.complaints import services as s
from docket.complaints.models import Complaint, ComplaintEvent, FollowUp, Obligation, State
from docket.complaints.tests.helpers import drive_to, refused
from docket.core import clock
from docket.reports import figures
from docket.reports import statistics as st

pytestmark = pytest.mark.django_db

VIA = "portal"
RATED = {"process_rating": "basic", "measures_rating": "satisfied", "result_rating": "basic"}


def _visit(org, c, **kw):
    return s.follow_up_record(
        actor=org.a.users["reception"],
        complaint_id=c.id,
        method="phone",
        **({"satisfaction": 4, "quality_score": 4} | RATED | kw),
    )


def _closed_with_a_visit(org) -> Complaint:
    c = drive_to(org, State.FOLLOW_UP)
    _visit(org, c, satisfaction=2, quality_score=2, result_rating="unsatisfied")
    c.refresh_from_db()
    assert c.state == State.CLOSED
    return c


def _reopen(org, c) -> None:
    s.owner_review_request(complaint_id=c.id, via=VIA, reason="漏水没有根治")
    s.second_review_decide(actor=org.users["qm"], complaint_id=c.id, reopen=True, decision="重新安排维修")


def _handle_again_to_follow_up(org, c) -> None:
    """Round 2 as an office would handle it: findings, a reply the owner disagrees with (from the portal),
    a second reply the owner agrees with, the measures done and verified."""
    u = org.a.users
    for issue in c.issues.all():
        s.issue_findings_record(
            actor=u["eng_supervisor"],
            complaint_id=c.id,
            issue_id=issue.id,
            findings="复查属实",
            measures="返工",
        )
    s.reply_draft_save(actor=u["eng_supervisor"], complaint_id=c.id, body="已安排返工，三日内完成。")
    s.reply_send(actor=u["reception"], complaint_id=c.id)
    s.owner_disagree(complaint_id=c.id, via=VIA, reason="三天太久，请明天就来。")
    assert Complaint.objects.get(pk=c.pk).state == State.NEGOTIATING
    s.reply_draft_save(actor=u["eng_supervisor"], complaint_id=c.id, body="明天上午九点上门返工。")
    s.reply_send(actor=u["reception"], complaint_id=c.id)
    s.owner_agree(complaint_id=c.id, via=VIA)
    s.measures_done(actor=u["eng_staff"], complaint_id=c.id, note="已返工")
    for issue in c.issues.all():
        s.issue_verify(
            actor=u["office_manager"], complaint_id=c.id, issue_id=issue.id, passed=True, note="不再漏水"
        )
    assert Complaint.objects.get(pk=c.pk).state == State.FOLLOW_UP


def test_a_reopened_complaint_gets_a_second_follow_up(org):
    c = _closed_with_a_visit(org)
    first = c.follow_up
    assert first is not None and first.round == 1
    _reopen(org, c)
    c.refresh_from_db()
    assert c.state == State.INVESTIGATING and c.handling_round() == 2
    _handle_again_to_follow_up(org, c)
    # a new follow-up duty in round 2, beside the met one of round 1
    duties = Obligation.objects.filter(complaint=c, kind="follow_up").order_by("id")
    assert [d.state for d in duties] == [Obligation.State.MET, Obligation.State.OPEN]
    second = _visit(org, c, satisfaction=5, quality_score=5, result_rating="satisfied")
    c.refresh_from_db()
    assert (second.round, c.state, c.satisfaction) == (2, State.CLOSED, 5)
    assert [(f.round, f.latest) for f in FollowUp.objects.filter(complaint=c)] == [(1, False), (2, True)]
    assert c.follow_up == second and c.follow_up_or_none == second
    assert Obligation.objects.get(pk=duties[1].pk).state == Obligation.State.MET
    last = ComplaintEvent.objects.filter(complaint=c).order_by("-seq")[0]
    assert last.kind == "follow_up_recorded" and last.payload["round"] == 2
    # the first round's record stays on the file, unchanged
    first.refresh_from_db()
    assert (first.satisfaction, first.quality_score, first.result_rating) == (2, 2, "unsatisfied")


def test_the_second_round_can_be_exempted_too(org):
    c = _closed_with_a_visit(org)
    _reopen(org, c)
    _handle_again_to_follow_up(org, Complaint.objects.get(pk=c.pk))
    for _ in range(3):
        s.follow_up_attempt_record(
            actor=org.a.users["reception"], complaint_id=c.id, method="phone", note="无人接听"
        )
    fu = s.follow_up_exempt(actor=org.a.users["reception"], complaint_id=c.id, exemption="unreachable")
    assert fu.round == 2 and FollowUp.objects.filter(complaint=c).count() == 2


def test_one_follow_up_per_round(org):
    c = _closed_with_a_visit(org)
    # closed: the workflow refuses a second visit, nothing changes
    refused("invalid_transition", c.id, lambda: _visit(org, c))
    # even a complaint put back into follow-up without a new round (a repair by hand) is refused
    Complaint.objects.filter(pk=c.pk).update(state=State.FOLLOW_UP)
    err = refused("follow_up_recorded", c.id, lambda: _visit(org, c))
    assert "第 1 轮" in err.message
    refused(
        "follow_up_recorded",
        c.id,
        lambda: s.follow_up_exempt(
            actor=org.a.users["reception"], complaint_id=c.id, exemption="unreachable", note="x"
        ),
    )
    assert FollowUp.objects.filter(complaint=c).count() == 1


def test_the_owner_rating_in_round_two_closes_without_a_staff_visit(org):
    c = _closed_with_a_visit(org)
    _reopen(org, c)
    _handle_again_to_follow_up(org, Complaint.objects.get(pk=c.pk))
    rating = s.owner_rate(complaint_id=c.id, via=VIA, process=5, measures=5, result=5)
    c.refresh_from_db()
    assert (rating.round, c.state) == (2, State.CLOSED)
    # round 1's visit is still the latest follow-up on record; no staff visit in round 2 is possible now
    assert c.follow_up is not None and c.follow_up.round == 1
    refused("invalid_transition", c.id, lambda: _visit(org, c))


def test_statistics_count_the_latest_round(org):
    c = _closed_with_a_visit(org)
    _reopen(org, c)
    _handle_again_to_follow_up(org, Complaint.objects.get(pk=c.pk))
    _visit(org, c, satisfaction=5, quality_score=5)
    today = clock.to_local(clock.now()).date()
    period = dict(date_from=date(today.year, today.month, 1), date_to=today)
    # the raw GROUP BY (one complaint, not two rows through the follow-ups)
    total = st.breakdown(Complaint.objects.filter(office=org.a.office), **period).total
    assert (total.received, total.quality, total.satisfaction) == (1, 5.0, 5.0)
    # the daily summary agrees
    figures.rebuild_range(period["date_from"], period["date_to"])
    summary = figures.breakdown(figures.Scope(Q(office_id=org.a.office.id)), **period).total
    assert (summary.received, summary.quality, summary.satisfaction) == (1, 5.0, 5.0)


def test_the_staff_page_and_the_record_form_show_both_rounds(client, org):
    c = _closed_with_a_visit(org)
    _reopen(org, c)
    _handle_again_to_follow_up(org, Complaint.objects.get(pk=c.pk))
    _visit(org, c, opinion="第二次返工后满意")
    client.force_login(org.a.users["office_manager"])
    page = client.get(f"/complaints/{c.id}/").content.decode()
    assert "第 2 轮" in page and "第二次返工后满意" in page


def test_the_api_records_the_second_round_and_refuses_a_repeat(client, org):
    c = _closed_with_a_visit(org)
    _reopen(org, c)
    _handle_again_to_follow_up(org, Complaint.objects.get(pk=c.pk))
    c.refresh_from_db()
    client.force_login(org.a.users["reception"])
    body = {"version": c.version, "method": "phone", "satisfaction": 5, "quality_score": 5} | {
        k: "satisfied" for k in RATED
    }
    url = f"/api/v1/complaints/{c.id}/actions/follow_up_record"
    r = client.post(url, body, content_type="application/json")
    assert r.status_code == 200, r.content
    assert r.json()["state"] == State.CLOSED and r.json()["satisfaction"] == 5
    assert FollowUp.objects.get(complaint=c, round=2).quality_score == 5
    again = client.post(url, body | {"version": r.json()["version"]}, content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"
    # put back into follow-up by hand, the same round: the stable code, in Chinese
    Complaint.objects.filter(pk=c.pk).update(state=State.FOLLOW_UP)
    c.refresh_from_db()
    forced = client.post(url, body | {"version": c.version}, content_type="application/json")
    assert forced.status_code == 409 and forced.json()["code"] == "follow_up_recorded"
    assert "第 2 轮回访已记录" in forced.json()["message"]
