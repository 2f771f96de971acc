"""QM's verification sends issues back (5.2.3.6, R-PRC-5), and "measures done" with nothing left to verify.

- Rework and re-assessment (`qm_verify`) send back every issue the office verified — verified, or verified and
  then closed as answered on its own — without the office's passed verification (verifier, time, note) or its
  closing time; re-assessment also clears the own-answer time (a new answer is planned), rework keeps it (the
  answer still holds: the next passed verification closes the issue again). An issue closed on its own after
  the developer answered it (never verified on site) stays closed, untouched. `qm_rework` / `qm_reassessed`
  name the issues moved (`issues`, `issue_names`), shown on the staff timeline; both are internal, so the
  owner's tracking page shows the issues' states and not the events.
- "Measures done" when every issue was already closed on its own after the developer's answer used to leave
  the complaint verifying with no issue to verify (nothing offered but withdrawal); it now goes straight to the
  follow-up, past both verifications, and says so on the record.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from docket.complaints import access
from docket.complaints import services as s
from docket.complaints.events import chain_verify
from docket.complaints.models import (
    Channel,
    Complaint,
    ComplaintEvent,
    ComplaintIssue,
    IssueState,
    Obligation,
    State,
)

from . import helpers as h

pytestmark = pytest.mark.django_db


def _rows(c) -> list[tuple]:
    """Each issue's state and the marks an ending leaves on it."""
    return list(
        ComplaintIssue.objects.filter(complaint=c)
        .order_by("seq")
        .values_list(
            "seq", "state", "verified_at", "verified_by", "verification_note", "answered_at", "closed_at"
        )
    )


def _states(c) -> list[str]:
    return list(ComplaintIssue.objects.filter(complaint=c).order_by("seq").values_list("state", flat=True))


def _event(c, kind: str) -> ComplaintEvent:
    return ComplaintEvent.objects.filter(complaint=c, kind=kind).order_by("-seq")[0]


def _state(c) -> str:
    return Complaint.objects.get(pk=c.pk).state


def _to_developer_and_answered(org, c, issue) -> None:
    """The issue is forwarded to the developer, answered by it, and that answer sent to the complainant: it is
    closed on its own (seed3), never verified on site."""
    u = org.a.users
    fwd = s.issue_forward_to_developer(
        actor=u["eng_supervisor"],
        complaint_id=c.id,
        issue_id=issue.id,
        party_id=org.developer.id,
        reason="外墙渗水属地产保修",
    )
    s.issue_developer_answer_record(
        actor=u["reception"], complaint_id=c.id, forward_id=fwd.id, answer="地产将于下周维修外墙"
    )
    _own_answer(org, c, issue, "地产将于下周维修外墙")


def _own_answer(org, c, issue, body: str) -> None:
    u = org.a.users
    a = s.issue_answer_submit(actor=u["eng_supervisor"], complaint_id=c.id, issue_ids=[issue.id], body=body)
    s.issue_answer_send(actor=u["reception"], complaint_id=c.id, answer_id=a.id)


def _findings(org, c, *issues) -> None:
    for issue in issues:
        s.issue_findings_record(
            actor=org.a.users["eng_supervisor"],
            complaint_id=c.id,
            issue_id=issue.id,
            findings="现场查看属实",
            measures="安排维修",
        )


def _reply_agree_measures(org, c) -> None:
    u = org.a.users
    s.reply_draft_save(actor=u["eng_supervisor"], complaint_id=c.id, body="您好，经现场查看，已安排维修。")
    s.reply_send(actor=u["reception"], complaint_id=c.id)
    s.complainant_agree(actor=u["reception"], complaint_id=c.id)
    s.measures_done(actor=u["eng_staff"], complaint_id=c.id, note="已维修")


def _verify_all(org, c, note: str = "复查运行正常") -> None:
    for issue in ComplaintIssue.objects.filter(complaint=c, state=IssueState.MEASURES_DONE).order_by("seq"):
        s.issue_verify(
            actor=org.a.users["office_manager"], complaint_id=c.id, issue_id=issue.id, passed=True, note=note
        )


def _at_qm(org) -> Complaint:
    """A company-level phone complaint (verified twice) with three issues at QM's verification: 1 carried out
    and verified; 2 answered on its own, carried out and verified (so closed); 3 forwarded to the developer and
    closed on its own after the developer's answer (never verified)."""
    c = h.drive_to(org, State.INVESTIGATING, issues=3, channel=Channel.COMPANY)
    one, two, three = c.issues.order_by("seq")
    _findings(org, c, one, two)
    _own_answer(org, c, two, "问题二：已安排维修")
    _to_developer_and_answered(org, c, three)
    _reply_agree_measures(org, c)
    _verify_all(org, c)
    assert _state(c) == State.QM_VERIFYING
    assert _states(c) == [IssueState.VERIFIED, IssueState.CLOSED, IssueState.CLOSED]
    return Complaint.objects.get(pk=c.pk)


def _qm(org, c, decision: str, note: str) -> Complaint:
    s.qm_verify(actor=org.users["qm"], complaint_id=c.id, decision=decision, note=note)
    return Complaint.objects.get(pk=c.pk)


# --- 1. rework and re-assessment clear what they send back ----------------------------------------------------


def test_qm_rework_clears_the_office_verification_and_names_the_issues(org):
    c = _at_qm(org)
    before = _rows(c)
    assert all(r[2] and r[3] and r[4] for r in before[:2])  # 1 and 2 verified by the office
    assert before[1][5] and before[1][6]  # 2 answered on its own and closed
    assert before[2][2] is None and before[2][5] and before[2][6]  # 3: answered, closed, never verified
    c = _qm(org, c, "rework", "现场仍有异响")
    assert c.state == State.IMPLEMENTING
    assert _rows(c) == [
        (1, IssueState.REWORK, None, None, "", None, None),
        # the answer sent still holds for the same measures: its time stays
        (2, IssueState.REWORK, None, None, "", before[1][5], None),
        before[2],  # closed after the developer's answer: stays closed, untouched
    ]
    e = _event(c, "qm_rework")
    assert e.payload == {
        "decision": "rework",
        "note": "现场仍有异响",
        "issues": [1, 2],
        "issue_names": "问题1、问题2",
    }
    # what was cleared is still on the hash-chained record
    assert c.events.filter(kind="issue_verified").count() == 1
    assert _event(c, "office_verification_reported").payload["note"] == "复查运行正常"
    assert chain_verify(c) is None
    # carried out again, verified again: 1 verified, 2 closed again (its own answer stands), 3 as it was
    s.measures_done(actor=org.a.users["eng_staff"], complaint_id=c.id, note="返工完成")
    assert _states(c) == [IssueState.MEASURES_DONE, IssueState.MEASURES_DONE, IssueState.CLOSED]
    _verify_all(org, c, note="返工后复查正常")
    assert _state(c) == State.QM_VERIFYING
    rows = _rows(c)
    assert [r[1] for r in rows] == [IssueState.VERIFIED, IssueState.CLOSED, IssueState.CLOSED]
    assert [r[4] for r in rows] == ["返工后复查正常", "返工后复查正常", ""]
    assert rows[2] == before[2]
    c = _qm(org, c, "passed", "整改到位")
    assert c.state == State.FOLLOW_UP
    assert chain_verify(c) is None


def test_qm_reassessment_opens_the_issues_without_the_ending_marks(org):
    c = _at_qm(org)
    before = _rows(c)
    c = _qm(org, c, "reassess", "仅维修不能根治，应评估更换")
    assert c.state == State.INVESTIGATING
    assert _rows(c) == [
        (1, IssueState.OPEN, None, None, "", None, None),
        (2, IssueState.OPEN, None, None, "", None, None),  # a new answer is planned: no own-answer time
        before[2],
    ]
    e = _event(c, "qm_reassessed")
    assert (e.payload["issues"], e.payload["issue_names"]) == ([1, 2], "问题1、问题2")
    assert (e.payload["decision"], e.payload["note"]) == ("reassess", "仅维修不能根治，应评估更换")
    # planned again and carried out: issue 2 ends verified (no own answer in this round), 3 still closed
    one, two, _three = c.issues.order_by("seq")
    _findings(org, c, one, two)
    _reply_agree_measures(org, c)
    _verify_all(org, c, note="更换后正常")
    assert _state(c) == State.QM_VERIFYING
    assert _states(c) == [IssueState.VERIFIED, IssueState.VERIFIED, IssueState.CLOSED]
    assert chain_verify(c) is None


@pytest.mark.parametrize(
    "decision,label,shown",
    [("rework", "返工的问题", "返工"), ("reassess", "重新评审措施的问题", "待处理")],
)
def test_the_staff_page_names_the_issues_sent_back_and_shows_no_passed_verification(
    client, org, decision, label, shown
):
    c = _qm(org, _at_qm(org), decision, "现场仍有异响")
    client.force_login(org.a.users["office_manager"])
    html = client.get(reverse("complaints:detail", args=[c.id])).content.decode()
    issues = html.split('<ol class="issues">', 1)[1].split("</ol>", 1)[0]
    assert issues.count(shown) == 2 and issues.count("已办结") == 1
    # the office's passed verification is not shown under an issue sent back; it stays on the timeline
    assert "复查运行正常" not in issues
    assert "复查运行正常" in html
    assert label in html and "问题1、问题2" in html  # the QM event on the staff timeline
    # the owner's tracking page: the issues' states, not the internal QM event
    r = client.post("/p/track/", {"receipt_no": c.receipt_no, "code": c.check_code})
    page = client.get(r["Location"]).content.decode()
    assert label not in page and "现场仍有异响" not in page
    public = page.split('<ol class="p-issues">', 1)[1].split("</ol>", 1)[0]
    assert public.count(shown) == 2 and public.count("已办结") == 1 and "验证合格" not in public


# --- 2. "measures done" with no issue left to verify ------------------------------------------------------------


def _all_closed_after_the_developer(org, **register) -> Complaint:
    c = h.drive_to(org, State.INVESTIGATING, issues=2, **register)
    for issue in c.issues.order_by("seq"):
        _to_developer_and_answered(org, c, issue)
    assert _states(c) == [IssueState.CLOSED, IssueState.CLOSED]
    return c


@pytest.mark.parametrize("register", [{}, {"channel": Channel.COMPANY}], ids=["office", "two-level"])
def test_measures_done_with_every_issue_closed_goes_to_the_follow_up(client, org, register):
    """The bug: every issue closed on its own after the developer's answer, "measures done" moved no issue
    and left the complaint verifying with nothing to verify (issue_verify refuses every issue). No measure of
    the company's is left to verify on site (5.2.3.6), neither by the office nor by QM: the follow-up is due."""
    c = _all_closed_after_the_developer(org, **register)
    before = _rows(c)
    _reply_agree_measures(org, c)
    c = Complaint.objects.get(pk=c.pk)
    assert c.state == State.FOLLOW_UP
    assert _rows(c) == before
    e = _event(c, "measures_done")
    assert e.payload["note"] == "已维修" and e.payload["nothing_to_verify"] is True
    assert Obligation.objects.get(complaint=c, kind="follow_up").state == Obligation.State.OPEN
    assert not Obligation.objects.filter(complaint=c, kind__in=["verify", "qm_verify"]).exists()
    assert "follow_up_record" in {a.name for a in access.available_actions(org.a.users["reception"], c)}
    client.force_login(org.a.users["office_manager"])
    html = client.get(reverse("complaints:detail", args=[c.id])).content.decode()
    assert "无待验证的问题" in html
    # the complainant hears the measures are done, not the internal flag
    r = client.post("/p/track/", {"receipt_no": c.receipt_no, "code": c.check_code})
    assert "无待验证的问题" not in client.get(r["Location"]).content.decode()
    s.follow_up_record(
        actor=org.a.users["reception"],
        complaint_id=c.id,
        method="phone",
        satisfaction=5,
        process_rating="satisfied",
        measures_rating="satisfied",
        result_rating="satisfied",
    )
    assert _state(c) == State.CLOSED
    assert chain_verify(c) is None


def test_a_sensitive_complaint_with_nothing_to_verify_is_exempted_and_closed(org):
    """The follow-up's automatic exemptions (5.2.5.1 C) apply on this path as after a verification."""
    c = _all_closed_after_the_developer(org, sensitive=True)
    _reply_agree_measures(org, c)
    c = Complaint.objects.get(pk=c.pk)
    assert c.state == State.CLOSED
    assert _event(c, "follow_up_exempted").payload["automatic"] is True


def test_one_issue_left_to_carry_out_is_verified_as_before(org):
    c = h.drive_to(org, State.INVESTIGATING, issues=2)
    one, two = c.issues.order_by("seq")
    _findings(org, c, one)
    _to_developer_and_answered(org, c, two)
    _reply_agree_measures(org, c)
    assert _state(c) == State.VERIFYING
    assert _states(c) == [IssueState.MEASURES_DONE, IssueState.CLOSED]
    assert "nothing_to_verify" not in _event(c, "measures_done").payload
    _verify_all(org, c)
    assert _state(c) == State.FOLLOW_UP
