"""The owner's answers from the portal and the steps around them (issue 11): the rating on the seed's three
points (5.2.5.3), added information and photos, withdrawal (R-EXP-5), the second-stage review (R-EXP-10),
the agreed reply time (seed 5.2.2.3 / 5.2.3.2) and auto-close (R-EXP-3). Each happy path, each refusal
leaving the complaint's whole file unchanged (`helpers.refused`), deadlines and who may act."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from docket.complaints import access, workflow
from docket.complaints import services as s
from docket.complaints.actors import Actor
from docket.complaints.events import chain_verify
from docket.complaints.models import (
    Attachment,
    ClosureKind,
    Complaint,
    ComplaintEvent,
    ComplaintIssue,
    IssueState,
    Obligation,
    OwnerRating,
    SecondReview,
    State,
)
from docket.complaints.services._base import system_acting
from docket.complaints.services.handling import MEASURES_OWED
from docket.complaints.services.intake import UploadInput
from docket.complaints.tests.helpers import drive_to, refused
from docket.core import clock
from docket.core.errors import DomainError
from docket.core.testing import images
from docket.notifications.models import Notification
from docket.sla.models import SlaPolicy

pytestmark = pytest.mark.django_db

VIA = "portal"


def _last(c) -> ComplaintEvent:
    return ComplaintEvent.objects.filter(complaint=c).order_by("-seq")[0]


def _rate(c, **kw):
    return s.owner_rate(
        complaint_id=c.id, via=VIA, **({"process": 4, "measures": 5, "result": 3, "comment": "维修及时"} | kw)
    )


def test_the_owner_rows_are_the_complainants_only_and_auto_close_the_systems():
    for name in ("owner_rate", "owner_add_info", "owner_withdraw", "owner_review_request"):
        spec = workflow.ACTIONS[name]
        assert spec.actors == {"complainant"} and not spec.roles and name not in workflow.STAFF_ACTIONS
    assert workflow.ACTIONS["auto_close"].actors == {"system"}


# --- the rating on three points -------------------------------------------------------------------------


def test_rating_in_follow_up_is_the_follow_up_and_closes(org):
    c = drive_to(org, State.FOLLOW_UP)
    rating = _rate(c)
    c.refresh_from_db()
    assert (c.state, c.closure_kind, c.satisfaction) == (State.CLOSED, ClosureKind.RESOLVED, 4)
    assert (rating.process, rating.measures, rating.result, rating.round) == (4, 5, 3, 1)
    ev = _last(c)
    assert ev.kind == "owner_rated" and ev.actor_id is None and ev.actor_name == "顾客" and ev.public
    follow_up = Obligation.objects.get(complaint=c, kind="follow_up")
    assert follow_up.met_at is not None
    assert Notification.objects.filter(kind="owner_replied", ref=f"complaint:{c.id}").exists()
    assert chain_verify(Complaint.objects.get(pk=c.pk)) is None


def test_rating_after_the_staff_visit_stands_beside_it(org):
    c = drive_to(org, State.CLOSED)  # closed by the front desk's follow-up visit (satisfaction 5)
    _rate(c, result=2)
    c.refresh_from_db()
    assert c.state == State.CLOSED and c.satisfaction == 5  # the staff visit's figure is kept
    assert c.follow_up.quality_score is None and OwnerRating.objects.get(complaint=c).result == 2


@pytest.mark.parametrize(
    "bad",
    [
        {"process": 0},
        {"measures": 6},
        {"result": "abc"},
        {"process": None},
        {"result": "4.5"},
        {"comment": "长" * 2001},
    ],
)
def test_rating_refuses_bad_scores(org, bad):
    c = drive_to(org, State.FOLLOW_UP)
    refused("validation", c.id, lambda: _rate(c, **bad))


def test_rating_refusals(org):
    c = drive_to(org, State.FOLLOW_UP)
    _rate(c)
    refused("already_rated", c.id, lambda: _rate(c))
    open_one = drive_to(org, State.INVESTIGATING)
    refused("invalid_transition", open_one.id, lambda: _rate(open_one))
    withdrawn = drive_to(org, State.WITHDRAWN)
    refused("invalid_transition", withdrawn.id, lambda: _rate(withdrawn))
    auto = drive_to(org, State.REPLIED)
    assert s.auto_close_due(complaint_id=auto.id, now=clock.now() + timedelta(days=8))
    refused("invalid_transition", auto.id, lambda: _rate(auto))  # no answer, nothing to rate: ask for review
    late = drive_to(org, State.CLOSED)
    with time_machine.travel(clock.now() + timedelta(days=31), tick=False):
        refused("review_period_over", late.id, lambda: _rate(late))


def test_staff_and_the_system_cannot_take_the_owners_rows(org):
    c = drive_to(org, State.FOLLOW_UP)
    for actor in (Actor.system("sweep"),):
        with (
            pytest.raises(DomainError) as exc,
            system_acting(actor=actor, complaint_id=c.id, action="owner_rate"),
        ):
            pass
        assert exc.value.code == "forbidden_action"


# --- more information and photos -----------------------------------------------------------------------------


def test_add_information_and_photos(org):
    c = drive_to(org, State.INVESTIGATING)
    gps_jpeg = images.image_bytes("JPEG", exif=b"Exif\x00\x00MM\x00*\x00\x00\x00\x08\x00\x00")
    n = s.owner_add_info(
        complaint_id=c.id,
        via=VIA,
        text="漏水位置在卫生间吊顶",
        photos=[UploadInput("a.jpg", gps_jpeg), UploadInput("b.png", images.PNG)],
    )
    assert n == 2
    stored = list(Attachment.objects.filter(complaint=c))
    assert len(stored) == 2 and all(a.uploaded_by_id is None for a in stored)
    assert all(b"Exif" not in a.file.read() for a in stored)  # metadata stripped
    ev = _last(c)
    assert (ev.kind, ev.public, ev.payload["photos"]) == ("complainant_added_info", True, 2)
    assert Notification.objects.filter(kind="owner_replied", ref=f"complaint:{c.id}").exists()


def test_add_information_refusals(org):
    c = drive_to(org, State.INVESTIGATING)
    refused("required", c.id, lambda: s.owner_add_info(complaint_id=c.id, via=VIA, text="  "))
    fake = UploadInput("photo.jpg", b"MZ\x90\x00 not an image at all")
    refused(
        "attachment_type", c.id, lambda: s.owner_add_info(complaint_id=c.id, via=VIA, text="x", photos=[fake])
    )
    pdf = UploadInput("scan.jpg", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF")
    refused("photo_only", c.id, lambda: s.owner_add_info(complaint_id=c.id, via=VIA, text="x", photos=[pdf]))
    ten = [UploadInput(f"{i}.png", images.PNG) for i in range(10)]
    refused("validation", c.id, lambda: s.owner_add_info(complaint_id=c.id, via=VIA, text="x", photos=ten))
    refused("validation", c.id, lambda: s.owner_add_info(complaint_id=c.id, via=VIA, text="长" * 2001))
    closed = drive_to(org, State.CLOSED)
    refused(
        "invalid_transition", closed.id, lambda: s.owner_add_info(complaint_id=closed.id, via=VIA, text="x")
    )


# --- withdrawal -----------------------------------------------------------------------------------------------


def test_the_owner_withdraws(org):
    c = drive_to(org, State.INVESTIGATING)
    s.owner_withdraw(complaint_id=c.id, via=VIA, reason="问题已自行解决")
    c.refresh_from_db()
    assert (c.state, c.closure_kind, c.closure_note) == (
        State.WITHDRAWN,
        ClosureKind.WITHDRAWN,
        "问题已自行解决",
    )
    ev = _last(c)
    assert (ev.kind, ev.actor_name, ev.payload["via"]) == ("withdrawn", "顾客", VIA)
    assert not Obligation.objects.filter(complaint=c, state="open").exists()


def test_withdrawal_refusals(org):
    c = drive_to(org, State.INVESTIGATING)
    refused("required", c.id, lambda: s.owner_withdraw(complaint_id=c.id, via=VIA, reason=" "))
    closed = drive_to(org, State.CLOSED)
    refused(
        "invalid_transition", closed.id, lambda: s.owner_withdraw(complaint_id=closed.id, via=VIA, reason="x")
    )


# --- the second-stage review ----------------------------------------------------------------------------------


def test_review_request_opens_its_own_deadline_and_qm_decides(org):
    c = drive_to(org, State.CLOSED)
    review = s.owner_review_request(complaint_id=c.id, via=VIA, reason="漏水没有根治")
    c.refresh_from_db()
    ob = Obligation.objects.get(complaint=c, kind="second_review")
    assert ob.state == "open" and ob.due_at > clock.now() and c.next_due_at == ob.due_at
    assert c.state == State.CLOSED
    holder = org.a.users["eng_supervisor"]
    assert holder.id in review.first_handler_ids
    assert _last(c).kind == "second_review_requested"
    assert Notification.objects.filter(kind="owner_replied", ref=f"complaint:{c.id}").exists()
    # QM reopens it: back to investigation, with a new reply deadline
    s.second_review_decide(actor=org.users["qm"], complaint_id=c.id, reopen=True, decision="重新安排维修")
    c.refresh_from_db()
    review.refresh_from_db()
    assert (c.state, c.closed_at, review.outcome) == (State.INVESTIGATING, None, "reopened")
    ob.refresh_from_db()
    assert ob.met_at is not None
    assert Obligation.objects.filter(complaint=c, kind="reply", state="open").exists()
    assert _last(c).payload["decision"] == "重新安排维修"


def test_review_upheld_keeps_the_ending(org):
    c = drive_to(org, State.CLOSED)
    s.owner_review_request(complaint_id=c.id, via=VIA, reason="不满意")
    s.second_review_decide(
        actor=org.users["mgmt_rep"], complaint_id=c.id, reopen=False, decision="原处理合理"
    )
    c.refresh_from_db()
    assert c.state == State.CLOSED and c.closed_at is not None and c.next_due_at is None
    refused(
        "nothing_due",
        c.id,
        lambda: s.second_review_decide(
            actor=org.users["qm"], complaint_id=c.id, reopen=True, decision="再议"
        ),
    )


def test_review_request_refusals(org):
    c = drive_to(org, State.CLOSED)
    with time_machine.travel(clock.now() + timedelta(days=31), tick=False):
        refused(
            "review_period_over",
            c.id,
            lambda: s.owner_review_request(complaint_id=c.id, via=VIA, reason="不满意"),
        )
    s.owner_review_request(complaint_id=c.id, via=VIA, reason="不满意")
    refused(
        "review_already_requested",
        c.id,
        lambda: s.owner_review_request(complaint_id=c.id, via=VIA, reason="再次申请"),
    )
    refused("required", c.id, lambda: s.owner_review_request(complaint_id=c.id, via=VIA, reason=""))
    active = drive_to(org, State.INVESTIGATING)
    refused(
        "invalid_transition",
        active.id,
        lambda: s.owner_review_request(complaint_id=active.id, via=VIA, reason="不满意"),
    )


def test_the_period_is_per_company(org):
    SlaPolicy.objects.create(company=org.company, rules={"review_request_days": 60})
    c = drive_to(org, State.CLOSED)
    with time_machine.travel(clock.now() + timedelta(days=45), tick=False):
        s.owner_review_request(complaint_id=c.id, via=VIA, reason="不满意")
    assert SecondReview.objects.filter(complaint=c).exists()


def test_the_first_handler_may_not_decide(org):
    u = org.a.users
    c = drive_to(org, State.INVESTIGATING)
    for issue in c.issues.all():
        s.issue_findings_record(
            actor=u["eng_supervisor"], complaint_id=c.id, issue_id=issue.id, findings="属实", measures="维修"
        )
    s.reply_draft_save(actor=u["eng_supervisor"], complaint_id=c.id, body="您好，已维修。")
    s.reply_send(actor=u["office_manager"], complaint_id=c.id)  # the office manager sent the reply
    s.complainant_agree(actor=u["reception"], complaint_id=c.id)
    s.measures_done(actor=u["eng_staff"], complaint_id=c.id, note="已更换")
    for issue in c.issues.all():
        s.issue_verify(
            actor=u["office_manager"], complaint_id=c.id, issue_id=issue.id, passed=True, note="正常"
        )
    s.follow_up_record(
        actor=u["reception"],
        complaint_id=c.id,
        method="phone",
        satisfaction=3,
        process_rating="basic",
        measures_rating="basic",
        result_rating="basic",
    )
    s.owner_review_request(complaint_id=c.id, via=VIA, reason="不满意")
    refused(
        "review_first_handler",
        c.id,
        lambda: s.second_review_decide(
            actor=u["office_manager"], complaint_id=c.id, reopen=False, decision="维持"
        ),
    )
    # a role the row does not allow (the department supervisor) is refused before that
    refused(
        "forbidden_action",
        c.id,
        lambda: s.second_review_decide(
            actor=u["eng_supervisor"], complaint_id=c.id, reopen=False, decision="维持"
        ),
    )
    # and another office's QM-less staff do not even see it
    refused(
        "not_found",
        c.id,
        lambda: s.second_review_decide(
            actor=org.b.users["office_manager"], complaint_id=c.id, reopen=False, decision="维持"
        ),
    )
    s.second_review_decide(actor=org.users["qm"], complaint_id=c.id, reopen=False, decision="维持")


def test_a_reopened_complaint_is_rated_again_in_its_second_round(org):
    c = drive_to(org, State.CLOSED)
    _rate(c, result=1)
    s.owner_review_request(complaint_id=c.id, via=VIA, reason="结果不满意")
    s.second_review_decide(actor=org.users["qm"], complaint_id=c.id, reopen=True, decision="重新处理")
    Complaint.objects.filter(pk=c.pk).update(state=State.FOLLOW_UP)  # handled again up to the follow-up
    rating = _rate(c, result=5)
    assert rating.round == 2 and OwnerRating.objects.filter(complaint=c).count() == 2


# --- agreed reply time ---------------------------------------------------------------------------------------


def test_agreed_reply_time_replaces_the_reply_deadline(org):
    c = drive_to(org, State.INVESTIGATING)
    ob = Obligation.objects.get(complaint=c, kind="reply")
    old = ob.due_at
    agreed = clock.now() + timedelta(days=3)
    s.reply_time_agree(actor=org.a.users["reception"], complaint_id=c.id, agreed_at=agreed, note="业主同意")
    ob.refresh_from_db()
    c.refresh_from_db()
    assert ob.due_at == agreed and ob.rule["agreed"] is True
    # the complaint's next due time is the earliest running duty (the first contact, issue 15, may be sooner)
    running = Obligation.objects.filter(complaint=c, state="open").order_by("due_at")
    assert c.next_due_at == running.first().due_at and agreed in {o.due_at for o in running}
    ev = _last(c)
    assert ev.kind == "reply_time_agreed" and ev.public
    assert ev.payload["old_due_at"] and ev.payload["old_due_at"] != ev.payload["due_at"]
    assert old != agreed
    assert ev.payload["agreed"] == clock.to_local(agreed).strftime("%Y-%m-%d %H:%M")
    sms = Notification.objects.filter(kind="owner:reply_time_agreed").first()
    assert sms is not None and ev.payload["agreed"] in sms.body


def test_agreed_reply_time_refusals(org):
    c = drive_to(org, State.INVESTIGATING)
    rec = org.a.users["reception"]
    refused(
        "validation",
        c.id,
        lambda: s.reply_time_agree(actor=rec, complaint_id=c.id, agreed_at=clock.now() - timedelta(hours=1)),
    )
    refused(
        "forbidden_action",
        c.id,
        lambda: s.reply_time_agree(
            actor=org.a.users["eng_staff"], complaint_id=c.id, agreed_at=clock.now() + timedelta(days=1)
        ),
    )
    refused(
        "not_found",
        c.id,
        lambda: s.reply_time_agree(
            actor=org.b.users["reception"], complaint_id=c.id, agreed_at=clock.now() + timedelta(days=1)
        ),
    )
    Obligation.objects.filter(complaint=c, kind="reply").update(state="missed")
    refused(
        "nothing_due",
        c.id,
        lambda: s.reply_time_agree(actor=rec, complaint_id=c.id, agreed_at=clock.now() + timedelta(days=1)),
    )
    replied = drive_to(org, State.REPLIED)
    refused(
        "invalid_transition",
        replied.id,
        lambda: s.reply_time_agree(
            actor=rec, complaint_id=replied.id, agreed_at=clock.now() + timedelta(days=1)
        ),
    )


# --- auto-close ------------------------------------------------------------------------------------------------


def _nothing_owed(c) -> None:
    """Every issue of the replied complaint already ended on its own (answered and closed, seed3), so the
    reply promised nothing more to carry out."""
    ComplaintIssue.objects.filter(complaint=c).update(state=IssueState.CLOSED)


def test_silence_is_agreement_and_the_measures_go_on(org):
    """R-EXP-3 read with seed 5.2.3.4 / 5.2.3.6 (decisions.md "silentowner"): seven days without an answer take
    the reply as agreed; the measures it promised are carried out and verified as after an agreement."""
    c = drive_to(org, State.REPLIED)
    owed = set(ComplaintIssue.objects.filter(complaint=c).values_list("state", flat=True))
    assert owed and owed <= set(MEASURES_OWED)
    start = clock.now()
    with time_machine.travel(start + timedelta(days=6, hours=23), tick=False):
        assert s.auto_close_sweep() == 0
    c.refresh_from_db()
    assert c.state == State.REPLIED
    with time_machine.travel(start + timedelta(days=7, minutes=1), tick=False):
        assert s.auto_close_sweep() == 1
        assert s.auto_close_sweep() == 0  # idempotent: runs once
    c.refresh_from_db()
    assert (c.state, c.closure_kind, c.closed_at) == (State.IMPLEMENTING, "", None)
    ev = _last(c)
    assert (ev.kind, ev.actor_name, ev.payload["days"], ev.public) == ("auto_accepted", "系统", 7, True)
    assert "视为同意答复" in ev.payload["reason"]
    assert not ComplaintEvent.objects.filter(complaint=c, kind="auto_closed").exists()
    sms = Notification.objects.filter(kind="owner:auto_accepted", ref=f"complaint:{c.id}")
    assert sms.count() >= 1 and "视为同意答复" in sms.first().body
    # the department carries the measures out next, as after the owner's agreement
    supervisor = org.a.users["eng_supervisor"]
    assert "measures_done" in {a.name for a in access.available_actions(supervisor, c)}


def test_auto_close_after_seven_days_once_when_nothing_is_owed(org):
    c = drive_to(org, State.REPLIED)
    _nothing_owed(c)
    start = clock.now()
    with time_machine.travel(start + timedelta(days=6, hours=23), tick=False):
        assert s.auto_close_sweep() == 0
    c.refresh_from_db()
    assert c.state == State.REPLIED
    with time_machine.travel(start + timedelta(days=7, minutes=1), tick=False):
        assert s.auto_close_sweep() == 1
        assert s.auto_close_sweep() == 0  # idempotent: runs once
    c.refresh_from_db()
    assert (c.state, c.closure_kind) == (State.CLOSED, ClosureKind.NO_ANSWER)
    ev = _last(c)
    assert (ev.kind, ev.actor_name, ev.payload["days"]) == ("auto_closed", "系统", 7)
    assert ComplaintEvent.objects.filter(complaint=c, kind="auto_closed").count() == 1
    sms = Notification.objects.filter(kind="owner:auto_closed", ref=f"complaint:{c.id}")
    assert sms.count() >= 1 and "自动结案" in sms.first().body
    assert not Obligation.objects.filter(complaint=c, state="open").exists()


def test_disagree_or_a_pause_stops_auto_close(org):
    disagreed = drive_to(org, State.REPLIED)
    paused = drive_to(org, State.REPLIED)
    start = clock.now()
    s.owner_disagree(complaint_id=disagreed.id, via=VIA, reason="仍然漏水")
    s.clock_pause(
        actor=org.a.users["reception"],
        complaint_id=paused.id,
        reason="等待业主出差回来",
        resume_on=start + timedelta(days=30),
    )
    with time_machine.travel(start + timedelta(days=8), tick=False):
        assert s.auto_close_sweep() == 0
    disagreed.refresh_from_db()
    paused.refresh_from_db()
    assert disagreed.state == State.NEGOTIATING and paused.state == State.REPLIED
    # resumed on day 8: the owner has seven days again from then
    with time_machine.travel(start + timedelta(days=8), tick=False):
        s.clock_resume(actor=org.a.users["reception"], complaint_id=paused.id)
    with time_machine.travel(start + timedelta(days=14), tick=False):
        assert s.auto_close_due(complaint_id=paused.id) is False
    with time_machine.travel(start + timedelta(days=15, minutes=1), tick=False):
        assert s.auto_close_due(complaint_id=paused.id) is True


def test_auto_close_days_per_company(org):
    SlaPolicy.objects.create(company=org.company, rules={"auto_close_days": 3})
    c = drive_to(org, State.REPLIED)
    _nothing_owed(c)
    owed = drive_to(org, State.REPLIED)
    with time_machine.travel(clock.now() + timedelta(days=3, minutes=1), tick=False):
        assert s.auto_close_sweep() == 2
    c.refresh_from_db()
    assert c.state == State.CLOSED and "3 天" in c.closure_note
    owed.refresh_from_db()
    assert owed.state == State.IMPLEMENTING and _last(owed).payload["days"] == 3


def test_the_job_is_registered():
    from config import jobs

    assert callable(jobs.auto_close_unanswered)


# --- the staff pages and the API offer the two staff actions from their workflow rows -------------------------


def test_staff_decide_the_review_and_agree_a_time_through_the_pages(client, org):
    from django.urls import reverse

    closed = drive_to(org, State.CLOSED)
    s.owner_review_request(complaint_id=closed.id, via=VIA, reason="不满意")
    client.force_login(org.users["qm"])
    detail = client.get(reverse("complaints:detail", args=[closed.id])).content.decode()
    assert "二次复核决定" in detail and "待复核" in detail and "不满意" in detail
    url = reverse("complaints:action", args=[closed.id, "second_review_decide"])
    assert client.get(url).status_code == 200
    closed.refresh_from_db()
    r = client.post(url, {"version": closed.version, "reopen": "1", "decision": "重新安排维修"})
    assert r.status_code == 302
    closed.refresh_from_db()
    assert closed.state == State.INVESTIGATING

    c = drive_to(org, State.INVESTIGATING)
    client.force_login(org.a.users["reception"])
    url = reverse("complaints:action", args=[c.id, "reply_time_agree"])
    agreed = clock.to_local(clock.now() + timedelta(days=2)).replace(second=0, microsecond=0)
    r = client.post(
        url, {"version": c.version, "agreed_at": agreed.strftime("%Y-%m-%dT%H:%M"), "note": "电话约定"}
    )
    assert r.status_code == 302, r.content.decode()[:500]
    assert Obligation.objects.get(complaint=c, kind="reply").due_at == agreed


def test_the_owner_rating_shows_on_the_staff_page(client, org):
    from django.urls import reverse

    c = drive_to(org, State.CLOSED)
    _rate(c, comment="保洁及时")
    client.force_login(org.a.users["reception"])
    html = client.get(reverse("complaints:detail", args=[c.id])).content.decode()
    assert "业主自评" in html and "保洁及时" in html and "质检评分" in html


def test_the_api_offers_the_staff_actions(client, org):
    c = drive_to(org, State.INVESTIGATING)
    client.force_login(org.a.users["reception"])
    agreed = (clock.now() + timedelta(days=2)).isoformat()
    r = client.post(
        f"/api/v1/complaints/{c.id}/actions/reply_time_agree",
        {"version": c.version, "agreed_at": agreed},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    refused_answer = client.post(
        f"/api/v1/complaints/{c.id}/actions/reply_time_agree",
        {"version": c.version + 1, "agreed_at": (clock.now() - timedelta(days=1)).isoformat()},
        content_type="application/json",
    )
    assert refused_answer.status_code == 422 and refused_answer.json()["code"] == "validation"
