"""The owner's answers from the portal, and the steps around them (issue 11):

- `owner_rate`: the owner's own rating of the follow-up on the seed's three points (5.2.5.3, R-EXP-13);
- `owner_add_info`: more information or photos on an open complaint (photos checked and re-encoded like
  every attachment);
- `owner_withdraw`: the owner withdraws with a reason (R-EXP-5), the same change as staff record;
- `owner_review_request` / `second_review_decide`: a second-stage review after closure, decided in writing
  by QM or a post other than the first handler, with its own deadline (R-EXP-10);
- `reply_time_agree`: staff record a reply time agreed with the owner; it replaces the reply deadline
  (seed 5.2.2.3, 5.2.3.2);
- `auto_close_due` / `auto_close_sweep`: a reply the owner has not answered for the company's number of
  days closes itself (R-EXP-3).

The owner's actions run in `system_acting(actor=Actor.complainant(via))`: the portal has checked the
receipt code (or the signed link) before calling them; the workflow rows say which states allow them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q

from docket.core import clock
from docket.core.errors import DomainError
from docket.org.models import Department
from docket.sla import duetimes

from .. import workflow
from ..actors import Actor
from ..models import (
    ClosureKind,
    Complaint,
    ComplaintIssue,
    IssueState,
    Obligation,
    OwnerRating,
    Reply,
    ReplyState,
    SecondReview,
    State,
)
from ._base import Act, acting, system_acting, text_required
from .attachments import attachment_store, attachment_validate
from .closing import issues_moved, withdraw_apply
from .handling import MEASURES_OWED, _lead_department
from .intake import UploadInput
from .obligations import (
    _policy,
    effective_policy,
    obligation_start,
    obligations_cancel,
    obligations_follow_holder,
    obligations_meet,
)
from .procedure import first_contact_due

COMMENT_MAX = 2000
INFO_MAX = 2000
PHOTOS_MAX = 9
IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
# After closure the owner rates what was done: a resolved or on-the-spot ending (not an auto-close).
RATED_ENDINGS = (ClosureKind.RESOLVED, ClosureKind.ON_THE_SPOT)


def _owner(via: str) -> Actor:
    return Actor.complainant(via)


def _score(value, label: str) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise DomainError("validation", detail=f"请为“{label}”打分（1到5分）") from None
    if isinstance(value, bool) or not 1 <= n <= 5 or str(value).strip() != str(n):
        raise DomainError("validation", detail=f"请为“{label}”打分（1到5分）")
    return n


def policy_days(c: Complaint, key: str) -> int:
    """A per-company (or per-office) number of days from the effective SLA policy (`auto_close_days`,
    `review_request_days`)."""
    return int(effective_policy(c)[0][key])


def rating_round(c: Complaint) -> int:
    """1, or 2 once a second-stage review reopened the complaint (it is handled, and rated, again): the
    complaint's handling round, shared with the staff follow-up (`FollowUp.round`)."""
    return c.handling_round()


def _within_period(c: Complaint, now: datetime) -> None:
    days = policy_days(c, "review_request_days")
    if c.closed_at is None or now > c.closed_at + timedelta(days=days):
        raise DomainError("review_period_over", days=days)


def owner_rate(*, complaint_id: int, via: str, process, measures, result, comment: str = "") -> OwnerRating:
    """The owner rates the handling process, the measures and the result, 1–5 each, with a comment. In
    follow-up this is the follow-up itself (seed 5.2.5.3: 网上回帖、调查问卷) and closes the complaint;
    after closure (within the review period) it is recorded beside the staff visit. Once per round."""
    scores = (_score(process, "受理过程"), _score(measures, "处理措施"), _score(result, "处理结果"))
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise DomainError("validation", detail=f"意见不能超过 {COMMENT_MAX} 个字")
    with system_acting(actor=_owner(via), complaint_id=complaint_id, action="owner_rate") as act:
        if act is None:
            raise DomainError("not_found")
        c = act.complaint
        rnd = rating_round(c)
        if OwnerRating.objects.filter(complaint=c, round=rnd).exists():
            raise DomainError("already_rated")
        closing = c.state == State.FOLLOW_UP
        if not closing:
            if c.closure_kind not in RATED_ENDINGS:  # closed without an answer: the review is the way
                raise DomainError("invalid_transition", state=c.get_closure_kind_display(), action="评价处理")
            _within_period(c, act.now)
        rating = OwnerRating.objects.create(
            complaint=c,
            company_id=c.company_id,
            round=rnd,
            process=scores[0],
            measures=scores[1],
            result=scores[2],
            comment=comment,
            via=via,
            rated_at=act.now,
        )
        act.move(State.CLOSED)
        if closing:
            act.set(
                satisfaction=round(sum(scores) / 3),
                closure_kind=ClosureKind.RESOLVED,
                closed_at=act.now,
            )
        act.record(
            "owner_rated",
            {
                "process": scores[0],
                "measures": scores[1],
                "result": scores[2],
                "comment": comment,
                "round": rnd,
                "via": via,
                "closes": closing,
            },
        )
        if closing:
            obligations_meet(act, "follow_up")
            obligations_cancel(act)
    return rating


def owner_add_info(*, complaint_id: int, via: str, text: str, photos: list[UploadInput] | None = None) -> int:
    """The owner adds information or photos to their open complaint; the holder's team hears of it.
    Photos only (no PDF), at most PHOTOS_MAX, each checked by content and re-encoded without its metadata
    (`attachments`). Returns how many photos were stored."""
    photos = list(photos or [])
    text = (text or "").strip()
    if not text and not photos:
        raise DomainError("required", field="补充内容或照片")
    if len(text) > INFO_MAX:
        raise DomainError("validation", detail=f"补充内容不能超过 {INFO_MAX} 个字")
    if len(photos) > PHOTOS_MAX:
        raise DomainError("validation", detail=f"最多上传 {PHOTOS_MAX} 张照片")
    types = []
    for upload in photos:
        content_type = attachment_validate(upload)
        if content_type not in IMAGE_TYPES:
            raise DomainError("photo_only", name=upload.name)
        types.append(content_type)
    with system_acting(actor=_owner(via), complaint_id=complaint_id, action="owner_add_info") as act:
        if act is None:
            raise DomainError("not_found")
        stored = [
            attachment_store(act.complaint, u, t, None, act.now) for u, t in zip(photos, types, strict=True)
        ]
        act.record(
            "complainant_added_info",
            {"text": text, "photos": len(stored), "sha256": [a.sha256 for a in stored], "via": via},
        )
    return len(stored)


def owner_withdraw(*, complaint_id: int, via: str, reason: str) -> Complaint:
    """The owner withdraws their own complaint with a reason (R-EXP-5): the same change as when staff
    record it on their behalf, with the complainant as the actor."""
    reason = text_required(reason, "撤回原因")[:2000]
    with system_acting(actor=_owner(via), complaint_id=complaint_id, action="owner_withdraw") as act:
        if act is None:
            raise DomainError("not_found")
        withdraw_apply(act, reason, via=via)
    return act.complaint


def _first_handlers(c: Complaint) -> list[int]:
    ids = {c.holder_id} if c.holder_id else set()
    for author, sender in Reply.objects.filter(complaint=c).values_list("author_id", "sent_by_id"):
        ids.update(x for x in (author, sender) if x)
    return sorted(ids)


def owner_review_request(*, complaint_id: int, via: str, reason: str) -> SecondReview:
    """Within the company's period after closure the owner asks for a second-stage review (R-EXP-10): a
    new obligation (`second_review`, its own deadline) for QM or a post other than the first handler."""
    reason = text_required(reason, "申请复核的理由")[:2000]
    with system_acting(actor=_owner(via), complaint_id=complaint_id, action="owner_review_request") as act:
        if act is None:
            raise DomainError("not_found")
        c = act.complaint
        if SecondReview.objects.filter(complaint=c).exists():
            raise DomainError("review_already_requested")
        _within_period(c, act.now)
        review = SecondReview.objects.create(
            complaint=c,
            company_id=c.company_id,
            reason=reason,
            via=via,
            requested_at=act.now,
            first_handler_ids=_first_handlers(c),
        )
        act.record("second_review_requested", {"reason": reason, "via": via})
        obligation_start(act, Obligation.Kind.SECOND_REVIEW)
    return review


def second_review_decide(
    *,
    actor,
    complaint_id: int,
    reopen: bool,
    decision: str,
    department_id: int | None = None,
    expected_version: int | None = None,
) -> SecondReview:
    """The written decision on a second-stage review: uphold the outcome (the record stays closed), or
    reopen it for handling again (back to investigation with a new reply deadline). Refused to the first
    handler (`review_first_handler`) and when nothing was asked (`nothing_due`).

    Reopening hands the complaint to a department (seed 5.2.2.3, R-HDL-1: whoever cannot settle it at once
    passes it to the responsible department): `department_id` names it. A complaint no department holds
    (closed on the spot at reception) must be given one (`review_department_required`); one a department
    still holds stays with it unless another is named. Upholding ignores it (nothing is handed over)."""
    decision = text_required(decision, "复核意见")
    with acting(
        actor=actor,
        complaint_id=complaint_id,
        action="second_review_decide",
        expected_version=expected_version,
    ) as act:
        c = act.complaint
        review = SecondReview.objects.select_for_update().filter(complaint=c).first()
        if review is None or review.decided_at is not None:
            raise DomainError("nothing_due", kind=Obligation.Kind.SECOND_REVIEW.label)
        if actor.pk in review.first_handler_ids:
            raise DomainError("review_first_handler")
        dept = _reopen_department(c, department_id) if reopen else None
        review.outcome = SecondReview.Outcome.REOPENED if reopen else SecondReview.Outcome.UPHELD
        review.decision, review.decided_by, review.decided_at = decision, actor, act.now
        review.save(update_fields=["outcome", "decision", "decided_by", "decided_at"])
        obligations_meet(act, Obligation.Kind.SECOND_REVIEW)
        reopened: dict = {}
        handed: dict = {}
        if reopen:
            # Handled again as a whole: every issue whose work had ended (verified; closed with the
            # complaint on the spot, or on its own) is open again, owed by its department, and goes through
            # findings, reply, measures and verification like a new one (docs/decisions.md, "reopen").
            # Issues still in work keep their state; withdrawn ones cannot be here (a withdrawn complaint
            # is not reviewed).
            reopened = issues_moved(act, workflow.issue_sources("second_review_decide"), IssueState.OPEN)
            if dept is not None:
                handed = _reopen_hand_over(act, dept)
            act.move(State.INVESTIGATING)
            act.set(closure_kind="", closure_note="", closed_at=None)
        else:
            act.move(c.state)
        act.record(
            "second_review_decided",
            {
                "outcome": str(review.outcome.label),
                "decision": decision,
                "reopen": bool(reopen),
                **reopened,
                **handed,
            },
        )
        if reopen:
            obligation_start(act, Obligation.Kind.REPLY, c.method)
            # Handed to a department as by 派单 (its supervisors hear of it: the audience `reopen_team`):
            # document 5 §4.3 — the department that receives a complaint contacts the complainant at once,
            # apologising first. Once per complaint: a complainant a department already contacted (a
            # recorded first contact, or the duty met by a reply or an issue answer) is not owed another;
            # one nobody contacted (closed on the spot at reception) is (docs/decisions.md, "reopen2").
            first_contact_due(act)
    return review


def _reopen_department(c: Complaint, department_id: int | None) -> Department | None:
    """The department a reopened complaint goes to: the one named (of the complaint's office or company; a
    company-level one once escalated, R-HDL-5), or None to stay with the department holding it. Nobody holds
    a complaint closed on the spot: it must be named, or the reopened complaint would wait in no queue."""
    if department_id is None:
        if c.holder_department_id is None:
            raise DomainError("review_department_required")
        return None
    dept = _lead_department(c, department_id)
    return None if dept.id == c.holder_department_id else dept


def _reopen_hand_over(act: Act, dept: Department) -> dict:
    """Hand the reopened complaint to `dept` (nobody in it holds it yet: its supervisors name someone or
    take it, as after 派单): the complaint, and every issue no department owes or the old lead department
    owed (as a transfer moves them); issues of other departments stay theirs. What to record."""
    c = act.complaint
    ComplaintIssue.objects.filter(complaint=c).filter(
        Q(department__isnull=True) | Q(department_id=c.holder_department_id)
    ).update(department=dept, responsible=None)
    act.set(holder_department=dept, holder=None, responsible=None)
    obligations_follow_holder(act)
    return {"department": dept.name, "department_id": dept.id}


def reply_time_agree(
    *, actor, complaint_id: int, agreed_at: datetime, note: str = "", expected_version: int | None = None
) -> Obligation:
    """A reply time agreed with the owner replaces the running reply deadline (seed 5.2.2.3 / 5.2.3.2):
    the obligation's due time is set to it, with the old and new times on the record."""
    note = (note or "").strip()
    with acting(
        actor=actor, complaint_id=complaint_id, action="reply_time_agree", expected_version=expected_version
    ) as act:
        c = act.complaint
        if agreed_at <= act.now:
            raise DomainError("validation", detail="约定的答复时间须晚于现在")
        ob = (
            Obligation.objects.select_for_update()
            .filter(
                complaint=c,
                kind=Obligation.Kind.REPLY,
                state=Obligation.State.OPEN,  # a missed deadline stays missed: it is not agreed away
                met_at__isnull=True,
            )
            .first()
        )
        if ob is None:
            raise DomainError("nothing_due", kind=Obligation.Kind.REPLY.label)
        work = duetimes.calendar_for(c.company_id)
        plan = duetimes.schedule(
            {"type": "fixed"}, act.now, work, _policy(act)[0]["warn_ratio"], due_at=agreed_at
        )
        old = ob.due_at
        ob.due_at, ob.provisional, ob.warn_at, ob.next_check_at = (
            agreed_at,
            False,
            plan.warn_at,
            plan.next_check_at,
        )
        ob.rule, ob.step = {"type": "fixed", "agreed": True}, 0
        ob.save(update_fields=["due_at", "provisional", "warn_at", "next_check_at", "rule", "step"])
        act.obligations_changed = True
        act.record(
            "reply_time_agreed",
            {
                "obligation": ob.id,
                "old_due_at": old,
                "due_at": agreed_at,
                "agreed": clock.to_local(agreed_at).strftime("%Y-%m-%d %H:%M"),
                "note": note,
            },
        )
    return ob


# --- auto-close (R-EXP-3) ------------------------------------------------------------------------------------

AUTO_CLOSE_REASON = "答复发出后 {days} 天内未收到您的意见，投诉已自动结案。如有异议，可在结案后申请复核。"
AUTO_ACCEPT_REASON = (
    "答复发出后 {days} 天内未收到您的意见，视为同意答复，我们将按答复落实处理措施并进行验证。"
)


def _quiet_since(c: Complaint) -> datetime | None:
    """Since when the owner has had the reply without answering: the last reply sent, or the last resume
    of the clock after that (a pause stops the count; resuming starts it afresh)."""
    sent = (
        Reply.objects.filter(complaint=c, state=ReplyState.SENT)
        .order_by("-sent_at")
        .values_list("sent_at", flat=True)
        .first()
    )
    if sent is None:
        return None
    resumed = (
        c.events.filter(kind="clock_resumed", at__gt=sent)
        .order_by("-seq")
        .values_list("at", flat=True)
        .first()
    )
    return max(sent, resumed) if resumed else sent


def auto_close_due(*, complaint_id: int, now: datetime | None = None) -> bool:
    """One replied complaint whose owner has not answered for the policy's `auto_close_days` (R-EXP-3): the
    silence is taken as agreement. While the reply's measures are still owed (an issue `measures_done` would
    move) it goes on to implementing, as after the owner's agreement, so they are carried out and verified
    (seed 5.2.3.4, 5.2.3.6: `auto_accepted`); with nothing left to carry out it closes (`auto_closed`,
    ClosureKind.NO_ANSWER). The reason is on the record and the owner is told (the kind's owner text). False,
    and nothing written, when it no longer qualifies (answered, paused, not yet due) or is locked by someone
    else."""
    now = now or clock.now()
    with system_acting(
        actor=Actor.system("auto_close"),
        complaint_id=complaint_id,
        action="auto_close",
        now=now,
        where={"state": State.REPLIED, "paused_at__isnull": True},
        skip_locked=True,
    ) as act:
        if act is None:
            return False
        c = act.complaint
        days = policy_days(c, "auto_close_days")
        since = _quiet_since(c)
        if since is None or now < since + timedelta(days=days):
            return False
        if ComplaintIssue.objects.filter(complaint=c, state__in=MEASURES_OWED).exists():
            # The reply promised measures: silence is agreement, and the measures are carried out and
            # verified as after the owner's own agreement (seed 5.2.3.4, 5.2.3.6; decisions.md "silentowner").
            reason = AUTO_ACCEPT_REASON.format(days=days)
            act.move(State.IMPLEMENTING)
            act.record("auto_accepted", {"reason": reason, "days": days, "since": since})
            return True
        reason = AUTO_CLOSE_REASON.format(days=days)
        act.move(State.CLOSED)
        act.set(closure_kind=ClosureKind.NO_ANSWER, closure_note=reason, closed_at=now)
        act.record("auto_closed", {"reason": reason, "days": days, "since": since})
        obligations_cancel(act)
    return True


def auto_close_sweep(*, now: datetime | None = None) -> int:
    """The periodic job: every replied, running complaint whose reply went out at least a day ago is
    looked at (each company's own number of days is checked under the row lock). Idempotent."""
    now = now or clock.now()
    ids = list(
        Complaint.objects.filter(
            state=State.REPLIED,
            paused_at__isnull=True,
            replies__state=ReplyState.SENT,
            replies__sent_at__lte=now - timedelta(days=1),
        )
        .order_by("id")
        .values_list("id", flat=True)
        .distinct()
    )
    return sum(1 for pk in ids if auto_close_due(complaint_id=pk, now=now))
