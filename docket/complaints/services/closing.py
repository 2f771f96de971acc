"""Follow-up visit, closure, the 'unclosed' ending and withdrawal (R-HDL-9, R-HDL-11, R-EXP-5, R-EXP-13)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from docket.core.errors import DomainError

from .. import workflow
from ..models import (
    ClosureKind,
    ComplaintIssue,
    Exemption,
    FollowUp,
    FollowUpMethod,
    FollowUpRating,
    IssueState,
    State,
)
from ._base import Act, acting, text_required
from .obligations import obligations_cancel, obligations_meet
from .procedure import follow_up_round, progress_updates_start


def _score(value: int | None, label: str) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or not 1 <= value <= 5:
        raise DomainError("validation", detail=f"{label}须为1到5的整数")
    return value


THREE_POINTS = (
    ("process_rating", "对受理过程的评价"),
    ("measures_rating", "对处理措施的评价"),
    ("result_rating", "对处理结果的评价"),
)


def follow_up_record(
    *,
    actor,
    complaint_id: int,
    method: str,
    satisfaction: int,
    process_rating: str,
    measures_rating: str,
    result_rating: str,
    opinion: str = "",
    quality_score: int | None = None,
    expected_version: int | None = None,
) -> FollowUp:
    """The follow-up visit after verification: how, the complainant's view of the three points the seed
    names (5.2.5.3: the handling process, the measures, the result; 满意/基本满意/不满意), their overall
    satisfaction (1–5) and words, and optionally the staff quality-control score (R-HDL-11, R-EXP-13).
    Closes the complaint."""
    if method not in FollowUpMethod.values:
        raise DomainError("validation", detail="请选择回访方式")
    ratings = {
        "process_rating": process_rating,
        "measures_rating": measures_rating,
        "result_rating": result_rating,
    }
    for name, label in THREE_POINTS:
        if not ratings[name]:
            raise DomainError("required", field=label)
        if ratings[name] not in FollowUpRating.values:
            raise DomainError("validation", detail=f"{label}须为满意、基本满意或不满意")
    rated = _score(satisfaction, "满意度")
    if rated is None:
        raise DomainError("required", field="满意度")
    satisfaction = rated
    quality_score = _score(quality_score, "质检评分")
    with acting(
        actor=actor, complaint_id=complaint_id, action="follow_up_record", expected_version=expected_version
    ) as act:
        c = act.complaint
        rnd = follow_up_round(c)
        fu = FollowUp.objects.create(
            complaint=c,
            company_id=c.company_id,
            round=rnd,
            method=method,
            satisfaction=satisfaction,
            quality_score=quality_score,
            opinion=opinion.strip(),
            visited_by=actor,
            visited_at=act.now,
            **ratings,
        )
        act.move()
        act.set(satisfaction=satisfaction, closure_kind=ClosureKind.RESOLVED, closed_at=act.now)
        act.record(
            "follow_up_recorded",
            {
                "visit_method": method,
                "satisfaction": satisfaction,
                **ratings,
                "opinion": fu.opinion,
                "quality_score": quality_score,
                "round": rnd,
            },
        )
        obligations_meet(act, "follow_up")
        obligations_cancel(act)
    return fu


UNREACHABLE_AFTER_ATTEMPTS = 3


def follow_up_attempt_record(
    *, actor, complaint_id: int, method: str, note: str, expected_version: int | None = None
) -> int:
    """A follow-up attempt that did not reach the complainant (no answer, wrong number …). Returns how
    many attempts are now on record; after UNREACHABLE_AFTER_ATTEMPTS the complaint may be closed as
    unreachable (R-HDL-11 B)."""
    if method not in FollowUpMethod.values:
        raise DomainError("validation", detail="请选择回访方式")
    note = text_required(note, "未接通情况")
    with acting(
        actor=actor, complaint_id=complaint_id, action="follow_up_attempt", expected_version=expected_version
    ) as act:
        attempts = act.complaint.events.filter(kind="follow_up_attempted").count() + 1
        act.record("follow_up_attempted", {"visit_method": method, "note": note, "attempt": attempts})
    return attempts


def follow_up_exempt(
    *, actor, complaint_id: int, exemption: str, note: str = "", expected_version: int | None = None
) -> FollowUp:
    """Close without a visit for one of the seed's reasons (R-HDL-11 B, C). The reason must fit the facts:
    anonymous only for an anonymous complaint, sensitive only for one marked sensitive, unreachable only
    with a note saying what was tried. (On-the-spot closure is its own path at intake.)"""
    if exemption not in Exemption.values or exemption == Exemption.ON_THE_SPOT:
        raise DomainError("validation", detail="请选择免回访原因")
    with acting(
        actor=actor, complaint_id=complaint_id, action="follow_up_exempt", expected_version=expected_version
    ) as act:
        c = act.complaint
        if exemption == Exemption.ANONYMOUS and not c.anonymous:
            raise DomainError("exemption_invalid", reason="该投诉不是匿名投诉")
        if exemption == Exemption.SENSITIVE and not c.sensitive:
            raise DomainError("exemption_invalid", reason="该投诉未标记为敏感投诉")
        attempts = c.events.filter(kind="follow_up_attempted").count()
        if exemption == Exemption.UNREACHABLE and attempts < UNREACHABLE_AFTER_ATTEMPTS and not note.strip():
            raise DomainError(
                "exemption_invalid", reason=f"已记录 {attempts} 次未接通，请说明尝试过的联系方式"
            )
        rnd = follow_up_round(c)
        fu = FollowUp.objects.create(
            complaint=c,
            company_id=c.company_id,
            round=rnd,
            exemption=exemption,
            opinion=note.strip(),
            visited_by=actor,
            visited_at=act.now,
        )
        act.move()
        act.set(closure_kind=ClosureKind.RESOLVED, closed_at=act.now)
        act.record("follow_up_exempted", {"exemption": exemption, "note": fu.opinion, "round": rnd})
        obligations_meet(act, "follow_up")
        obligations_cancel(act)
    return fu


def complaint_close_unclosed(
    *, actor, complaint_id: int, analysis: str, mitigation: str, expected_version: int | None = None
):
    """Beyond the company's capacity: after specific analysis and mitigation the complaint ends as
    'unclosed' and stays in the statistics as such (R-HDL-9)."""
    analysis = text_required(analysis, "专项分析")
    mitigation = text_required(mitigation, "已采取的缓解措施")
    with acting(
        actor=actor, complaint_id=complaint_id, action="close_unclosed", expected_version=expected_version
    ) as act:
        act.move(State.UNCLOSED)
        act.set(
            closure_kind=ClosureKind.UNCLOSED, closure_note=f"{analysis}\n{mitigation}", closed_at=act.now
        )
        act.record("closed_unclosed", {"analysis": analysis, "mitigation": mitigation})
        obligations_cancel(act)
        progress_updates_start(act)  # 5.2.5.2: the complainant keeps hearing of progress (issue 15)
    return act.complaint


def complaint_withdraw(*, actor, complaint_id: int, reason: str, expected_version: int | None = None):
    """The complainant withdraws (recorded by staff on their behalf here; the portal adds self-service)
    (R-EXP-5)."""
    reason = text_required(reason, "撤回原因")
    with acting(
        actor=actor, complaint_id=complaint_id, action="withdraw", expected_version=expected_version
    ) as act:
        withdraw_apply(act, reason)
    return act.complaint


def issues_moved(act: Act, sources: Iterable[str], target: str, *, keep: Q | None = None) -> dict:
    """Move every issue of the complaint in one of `sources` to `target` and name them for the event that
    moves them: `issues` (their numbers) and `issue_names` ("问题1、问题2"), as the issue answers' events do;
    empty when none was in `sources`.

    Closing on the spot ends the issues (open → closed, `closed_at` now). A second-stage review that reopens
    a complaint opens every ended issue again (verified or closed → open, `answers.second_review_decide`):
    handled again from the start, nothing of the last ending stays on the row — no closing, verification
    or own-answer time, no verifier or verification note (the events that set them keep them: `issue_
    verified` / `office_verification_reported`, `issue_answered`, `issue_closed`, `closed_on_spot`). The
    findings and measures stay: the second handling starts from them and records its own.

    QM's verification sends the issues the office verified back (`procedure.qm_verify`, 5.2.3.6): re-assessment
    to open, cleared as a reopening (the measures and the answer are planned again); rework to rework, with the
    office's passed verification and any closing time cleared but the own-answer time kept (the same measures,
    carried out properly: the answer sent still holds, and the next passed verification closes the issue
    again). `keep` leaves the matching issues of `sources` where they are (an issue closed on its own after
    the developer's answer, never verified on site, stays closed)."""
    issues = ComplaintIssue.objects.filter(complaint=act.complaint, state__in=list(sources))
    if keep is not None:
        issues = issues.exclude(keep)
    seqs = sorted(issues.values_list("seq", flat=True))
    if not seqs:
        return {}
    fields: dict = {"closed_at": act.now if target == IssueState.CLOSED else None}
    if target in (IssueState.OPEN, IssueState.REWORK):  # back in work: no passed verification stays on it
        fields |= {"verified_at": None, "verified_by": None, "verification_note": ""}
    if target == IssueState.OPEN:
        fields["answered_at"] = None
    issues.update(state=target, **fields)
    return {"issues": seqs, "issue_names": "、".join(f"问题{n}" for n in seqs)}


def withdraw_apply(act, reason: str, **payload) -> None:
    """The withdrawal itself, the same whoever takes it (staff on the owner's behalf, or the owner in the
    portal: `answers.owner_withdraw`)."""
    act.move(State.WITHDRAWN)
    act.set(closure_kind=ClosureKind.WITHDRAWN, closure_note=reason, closed_at=act.now)
    # Its issues end with it: no department owes work on a withdrawn complaint (its row of
    # workflow.ISSUE_MOVES: every issue not verified or closed).
    ComplaintIssue.objects.filter(
        complaint=act.complaint, state__in=list(workflow.issue_sources("withdraw"))
    ).update(state=IssueState.WITHDRAWN)
    act.record("withdrawn", {"reason": reason, **payload})
    obligations_cancel(act)
