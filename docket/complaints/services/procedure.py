"""The seed's procedure steps that the first lifecycle left out (issue 15; SPEC R-PRC-4..8):

- first contact (seed document 5 §4.3, R-HDL-1): the department that takes a complaint contacts the
  complainant at once, apologising first; an obligation from the hand-over (`first_contact`).
- two-level verification (5.2.3.6, R-PRC-5): for a company-level or online complaint the office's on-site
  verification is reported to the company and QM verifies again (`qm_verify`): passed, rework (the same
  measures, carried out properly) or re-assessment (the measures were not suitable or sufficient: they are
  planned again).
- the follow-up's automatic exemptions (5.2.5.1 B, C): anonymous, unreachable and sensitive complaints are
  exempted by the system when verification passes, with the reason recorded.
- unclosed complaints keep moving (5.2.5.2, R-PRC-7): an "unclosed" ending starts periodic progress reports
  to the complainant (`progress_update`, each report starts the next) until a final ending concludes them.
- leadership's handling opinion (documents 3/4 §3, R-PRC-8): asked for automatically when the office
  escalates, or by QM / the office manager / the management representative; its own deadline.
- the QM information officer's call (5.2.3.3.1): an online complaint is mailed to the office at intake (the
  `online_alerted` notice) and the officer phones the office manager or the designated post at once; the call
  is recorded (whom, when, what was said) while the office has not yet taken the complaint on.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from docket.core import clock
from docket.core.errors import DomainError

from .. import access, workflow
from ..models import (
    ClosureKind,
    Complaint,
    ComplaintIssue,
    ContactMethod,
    Exemption,
    FirstContact,
    FollowUp,
    IssueState,
    Obligation,
    QmDecision,
    State,
    UnclosedOutcome,
)
from ._base import Act, acting, text_required
from .obligations import obligation_start, obligations_cancel, obligations_meet

# A contact time a few minutes ahead of the server's clock is a typing or clock difference, not the future.
CONTACT_CLOCK_SKEW = timedelta(minutes=5)


def first_contact_due(act: Act) -> None:
    """Start the first-contact obligation when a complaint is handed to a department (assign, or a second
    review reopening it: `answers.second_review_decide`): only for a complainant who can be reached and
    only once — a complaint handed over again after a refusal keeps the deadline it already has (it follows
    the holder), and a complainant already contacted (a recorded first contact, or the duty met by a reply
    or an issue answer sent) is not owed another. A duty cancelled unmet (the complaint ended before anyone
    contacted the complainant) starts again."""
    c = act.complaint
    if not c.contactable or FirstContact.objects.filter(complaint=c).exists():
        return
    started = Obligation.objects.filter(complaint=c, kind=Obligation.Kind.FIRST_CONTACT).exclude(
        state=Obligation.State.CANCELLED, met_at__isnull=True
    )
    if not started.exists():
        obligation_start(act, Obligation.Kind.FIRST_CONTACT)


def first_contact_record(
    *,
    actor,
    complaint_id: int,
    method: str,
    summary: str,
    apologised: bool,
    no_apology_reason: str = "",
    contacted_at: datetime | None = None,
    expected_version: int | None = None,
) -> FirstContact:
    """The department's first contact with the complainant (document 5 §4.3): how and when, what was
    explained, and whether it opened with an apology; without one the reason is required (e.g. an
    unreasonable complaint, thanked instead, 5.2.2.2). Meets the first-contact deadline."""
    if method not in ContactMethod.values:
        raise DomainError("validation", detail="请选择联系方式")
    summary = text_required(summary, "联系情况")
    no_apology_reason = (no_apology_reason or "").strip()
    if not apologised and not no_apology_reason:
        raise DomainError("required", field="未道歉的原因")
    with acting(
        actor=actor,
        complaint_id=complaint_id,
        action="first_contact_record",
        expected_version=expected_version,
    ) as act:
        c = act.complaint
        if not c.contactable:
            raise DomainError("not_contactable")
        if FirstContact.objects.filter(complaint=c).exists():
            raise DomainError("first_contact_done")
        at = contacted_at or act.now
        if at > act.now + CONTACT_CLOCK_SKEW:
            raise DomainError("validation", detail="联系时间不能晚于现在")
        if at < c.received_at:
            raise DomainError("validation", detail="联系时间不能早于受理时间")
        contact = FirstContact.objects.create(
            complaint=c,
            company_id=c.company_id,
            method=method,
            contacted_at=at,
            summary=summary,
            apologised=apologised,
            no_apology_reason="" if apologised else no_apology_reason,
            recorded_by=actor,
            recorded_at=act.now,
        )
        act.record(
            "first_contact_recorded",
            {
                "contact_method": method,
                "contacted_at": at,
                "contact_summary": summary,
                "apologised": apologised,
                "no_apology_reason": contact.no_apology_reason,
            },
        )
        # The deadline is met when the contact happened, not when it was typed in.
        obligations_meet(act, Obligation.Kind.FIRST_CONTACT, at=at)
    return contact


# --- two-level verification (5.2.3.6) ----------------------------------------------------------------------


def office_verification_report(act: Act) -> list[dict]:
    """What the office reports to the company once every issue passed its on-site verification: each
    issue's measures and verification, for QM to verify against."""
    return [
        {"issue": i.seq, "measures": i.measures, "verification": i.verification_note}
        for i in ComplaintIssue.objects.filter(complaint=act.complaint).order_by("seq")
    ]


AUTOMATIC_EXEMPTION_NOTES: dict[str, str] = {
    Exemption.ANONYMOUS: "匿名投诉，无须回访（顾客投诉处理程序 5.2.5.1 B）。",
    Exemption.UNREACHABLE: "无法确定联络方式，无须回访（顾客投诉处理程序 5.2.5.1 B）。",
    Exemption.SENSITIVE: "不便回访的敏感投诉，无须回访（顾客投诉处理程序 5.2.5.1 C）。",
}


def automatic_exemption(complaint) -> str | None:
    """The seed's reason not to visit that the complaint's own facts already give (5.2.5.1 B, C), or None:
    anonymous, no way to reach the complainant, or marked sensitive. (A failed attempt to reach a known
    number is staff's to judge: `follow_up_exempt`.)"""
    if complaint.anonymous:
        return Exemption.ANONYMOUS
    if not complaint.contactable:
        return Exemption.UNREACHABLE
    if complaint.sensitive:
        return Exemption.SENSITIVE
    return None


def follow_up_round(c) -> int:
    """The round a new follow-up belongs to: the complaint's handling round (a second-stage review that
    reopened it starts round 2). One follow-up per round: a second one in the same round is refused."""
    rnd = c.handling_round()
    if FollowUp.objects.filter(complaint=c, round=rnd).exists():
        raise DomainError("follow_up_recorded", round=rnd)
    # the new one (created next, in the same transaction) becomes the current follow-up
    FollowUp.objects.filter(complaint=c, latest=True).update(latest=False)
    return rnd


def follow_up_due(act: Act) -> None:
    """Verification passed (R-HDL-11): the follow-up visit is due, unless the seed exempts the complaint
    (5.2.5.1 B, C, issue 15). Then it is exempted at once, in the same action, with the reason recorded
    (`automatic`), and closes: nobody has to choose the exemption by hand."""
    c = act.complaint
    exemption = automatic_exemption(c)
    if exemption is None:
        obligation_start(act, Obligation.Kind.FOLLOW_UP)
        return
    user = act.actor.user
    assert user is not None, "verification is a staff action"
    note = AUTOMATIC_EXEMPTION_NOTES[exemption]
    rnd = follow_up_round(c)
    FollowUp.objects.create(
        complaint=c,
        company_id=c.company_id,
        round=rnd,
        exemption=exemption,
        automatic=True,
        opinion=note,
        visited_by=user,
        visited_at=act.now,
    )
    workflow.apply_transition(c, "follow_up_exempt", State.CLOSED)
    act.changed.add("state")
    act.set(closure_kind=ClosureKind.RESOLVED, closed_at=act.now)
    act.record("follow_up_exempted", {"exemption": exemption, "note": note, "automatic": True, "round": rnd})
    obligations_cancel(act)


def qm_verify(*, actor, complaint_id: int, decision: str, note: str, expected_version: int | None = None):
    """QM's verification after the office's (5.2.3.6): `passed` moves on to the follow-up; `rework` sends
    every issue back to be carried out properly (implementing); `reassess` re-opens the measures
    themselves as not suitable or not sufficient ("再次评审当时纠正措施的适宜性、充分性"): the issues are
    investigated and planned again, and a new reply goes out before they are carried out."""
    if decision not in QmDecision.values:
        raise DomainError("qm_decision_invalid")
    note = text_required(note, "验证情况")
    with acting(
        actor=actor, complaint_id=complaint_id, action="qm_verify", expected_version=expected_version
    ) as act:
        moved: dict = {}
        if decision == QmDecision.PASSED:
            act.move(State.FOLLOW_UP)
            kind = "qm_verified"
        else:
            from .closing import issues_moved  # closing imports this module

            # The issues the office verified go back, without the office's passed verification (QM's note is
            # on the event); an issue closed on its own after the developer answered it (never verified on
            # site) stays closed (workflow.ISSUE_MOVES, docs/decisions.md "qmrework").
            rework = decision == QmDecision.REWORK
            moved = issues_moved(
                act,
                workflow.issue_sources("qm_verify"),  # verified or closed
                IssueState.REWORK if rework else IssueState.OPEN,
                keep=Q(state=IssueState.CLOSED, verified_at__isnull=True),
            )
            act.move(State.IMPLEMENTING if rework else State.INVESTIGATING)
            kind = "qm_rework" if rework else "qm_reassessed"
        act.record(kind, {"decision": decision, "note": note, **moved})
        obligations_meet(act, Obligation.Kind.QM_VERIFY)
        if act.complaint.state == State.FOLLOW_UP:
            follow_up_due(act)
    return act.complaint


# --- unclosed complaints keep moving (5.2.5.2) ---------------------------------------------------------------


def progress_updates_start(act: Act) -> None:
    """An "unclosed" ending: "对非物业公司能力解决的投诉，应及时跟进，并及时向顾客通报进展状况" — the first
    progress report falls due (when the complainant can be reached at all)."""
    if act.complaint.contactable:
        obligation_start(act, Obligation.Kind.PROGRESS_UPDATE)


def _concluded(complaint) -> bool:
    return complaint.events.filter(kind="unclosed_concluded").exists()


def progress_update_send(
    *, actor, complaint_id: int, method: str, text: str, expected_version: int | None = None
):
    """Tell the complainant of an unclosed complaint how things stand (5.2.5.2); meets the report due and
    starts the next one. Public: the complainant reads it on their timeline and gets it by SMS/email."""
    if method not in ContactMethod.values:
        raise DomainError("validation", detail="请选择通报方式")
    text = text_required(text, "进展情况")
    with acting(
        actor=actor,
        complaint_id=complaint_id,
        action="progress_update_send",
        expected_version=expected_version,
    ) as act:
        c = act.complaint
        if _concluded(c):
            raise DomainError("unclosed_concluded")
        if not c.contactable:
            raise DomainError("not_contactable")
        act.record("progress_updated", {"contact_method": method, "body": text})
        obligations_meet(act, Obligation.Kind.PROGRESS_UPDATE)
        obligation_start(act, Obligation.Kind.PROGRESS_UPDATE)
    return act.complaint


def unclosed_conclude(
    *, actor, complaint_id: int, outcome: str, note: str, expected_version: int | None = None
):
    """The final ending of an unclosed complaint: the responsible party solved it, the complainant accepts
    the final position, or can no longer be reached. No more progress reports are owed; the complaint stays
    counted as unclosed (R-HDL-9), the outcome is on its record and told to the complainant."""
    if outcome not in UnclosedOutcome.values:
        raise DomainError("validation", detail="请选择终结情况")
    note = text_required(note, "终结说明")
    with acting(
        actor=actor,
        complaint_id=complaint_id,
        action="unclosed_conclude",
        expected_version=expected_version,
    ) as act:
        c = act.complaint
        if _concluded(c):
            raise DomainError("unclosed_concluded")
        act.set(closure_note=f"{c.closure_note}\n{UnclosedOutcome(outcome).label}：{note}".strip())
        act.record("unclosed_concluded", {"outcome": outcome, "note": note})
        Obligation.objects.filter(
            complaint=c,
            kind=Obligation.Kind.PROGRESS_UPDATE,
            state__in=[Obligation.State.OPEN, Obligation.State.MISSED],
            met_at__isnull=True,
        ).update(state=Obligation.State.CANCELLED, next_check_at=None)
        act.obligations_changed = True
    return act.complaint


# --- leadership's handling opinion (documents 3/4 §3) --------------------------------------------------------


def _opinion_pending(complaint) -> bool:
    return Obligation.objects.filter(
        complaint=complaint,
        kind=Obligation.Kind.LEADERSHIP_OPINION,
        state__in=[Obligation.State.OPEN, Obligation.State.MISSED, Obligation.State.PAUSED],
        met_at__isnull=True,
    ).exists()


def leadership_opinion_due(act: Act, question: str) -> None:
    """Ask leadership for its handling opinion (it hears of it; its deadline starts): called by the request
    and by the office's escalation — "对未能处理的投诉提出处理意见"."""
    if _opinion_pending(act.complaint):
        raise DomainError("opinion_pending")
    act.record("leadership_opinion_requested", {"question": question})
    obligation_start(act, Obligation.Kind.LEADERSHIP_OPINION)


def leadership_opinion_request(
    *, actor, complaint_id: int, question: str, expected_version: int | None = None
):
    """QM, the office manager or the management representative ask leadership how to handle an unresolved
    complaint (documents 3/4 §3)."""
    question = text_required(question, "提请事项")
    with acting(
        actor=actor,
        complaint_id=complaint_id,
        action="leadership_opinion_request",
        expected_version=expected_version,
    ) as act:
        leadership_opinion_due(act, question)
    return act.complaint


def leadership_opinion_record(*, actor, complaint_id: int, opinion: str, expected_version: int | None = None):
    """Leadership's handling opinion (分管领导/公司管理层的处理意见), on the record and to the handlers;
    meets a pending request. Leadership may also give one unasked (a hot complaint it follows)."""
    opinion = text_required(opinion, "处理意见")
    with acting(
        actor=actor,
        complaint_id=complaint_id,
        action="leadership_opinion_record",
        expected_version=expected_version,
    ) as act:
        requested = obligations_meet(act, Obligation.Kind.LEADERSHIP_OPINION) > 0
        act.record("leadership_opinion_given", {"opinion": opinion, "requested": requested})
    return act.complaint


def office_call_record(
    *,
    actor,
    complaint_id: int,
    callee_id: int,
    note: str = "",
    called_at: datetime | None = None,
    expected_version: int | None = None,
) -> Complaint:
    """The QM information officer phoned the office about an online complaint (seed 5.2.3.3.1: 立即以电话通知
    管理处经理或指定岗位): whom (a person of the complaint's office, `access.office_call_people`), when (now
    unless given: not later than now, not before the complaint was received) and, optionally, what was said.
    Once per complaint, online complaints only (`access.office_call_due`); the workflow row allows it to the
    officer while the complaint is registered or assigned. Keeps the time on the row (`office_called_at`: the
    officer's queue stops asking for the call) and records `office_called`."""
    note = (note or "").strip()
    with acting(
        actor=actor,
        complaint_id=complaint_id,
        action="office_call_record",
        expected_version=expected_version,
    ) as act:
        c = act.complaint
        if c.office_called_at is not None:
            at_text = clock.to_local(c.office_called_at).strftime("%Y-%m-%d %H:%M")
            raise DomainError("office_call_done", at=at_text)
        if not access.office_call_due(c):
            raise DomainError("office_call_not_online")
        callee = next((a for a in access.office_call_people(c) if a.user_id == callee_id), None)
        if callee is None:
            raise DomainError("office_call_callee")
        at = called_at or act.now
        if at > act.now + CONTACT_CLOCK_SKEW:
            raise DomainError("validation", detail=_("通话时间不能晚于现在"))
        if at < c.received_at:
            raise DomainError("validation", detail=_("通话时间不能早于受理时间"))
        act.set(office_called_at=at)
        act.record(
            "office_called",
            {
                "callee": str(callee.user),
                "callee_role": callee.role,
                "callee_id": callee.user_id,
                "called_at": at,
                "note": note,
            },
        )
    return c
