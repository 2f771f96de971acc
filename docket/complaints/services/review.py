"""Replies and their review (R-HDL-2, R-HDL-3, R-HDL-12).

One reply covers every issue. Its review route is fixed when it is submitted, from the intake method
(workflow.REVIEW_ROUTES): email → QM; written → QM then the general office; online → QM before it is
published; oral → none (sent directly). A reviewer may approve (on to the next stage, or ready to send)
or return it with comments (back to the handler).
"""

from __future__ import annotations

from docket.core.errors import DomainError

from .. import workflow
from ..models import Reply, ReplyReview, ReplyState, ReviewStage, State
from ._base import acting, text_required
from .issue_answers import final_reply_check
from .obligations import obligation_start, obligations_meet


def _current_reply(complaint, *states) -> Reply | None:
    qs = Reply.objects.select_for_update().filter(complaint=complaint).order_by("-number")
    reply = qs.first()
    if reply is not None and states and reply.state not in states:
        return None
    return reply


def _reply_in(complaint, *states) -> Reply:
    """The complaint's current reply in one of `states`; `no_draft` when there is none (the workflow state
    implies one, so this is a consistency guard, not a user path)."""
    reply = _current_reply(complaint, *states)
    if reply is None:
        raise DomainError("no_draft")
    return reply


def reply_draft_save(*, actor, complaint_id: int, body: str, expected_version: int | None = None) -> Reply:
    """Create or update the working draft (a returned draft is edited in place and keeps its reviews)."""
    body = text_required(body, "答复内容")
    with acting(
        actor=actor, complaint_id=complaint_id, action="reply_draft_save", expected_version=expected_version
    ) as act:
        c = act.complaint
        reply = _current_reply(c)
        if reply is None or reply.state == ReplyState.SENT:
            reply = Reply.objects.create(
                complaint=c,
                company_id=c.company_id,
                number=(reply.number + 1) if reply else 1,
                body=body,
                author=actor,
                created_at=act.now,
                updated_at=act.now,
            )
        else:
            reply.body, reply.updated_at = body, act.now
            reply.save(update_fields=["body", "updated_at"])
        act.record("reply_drafted", {"reply": reply.number, "body": body})
    return reply


def reply_submit(*, actor, complaint_id: int, expected_version: int | None = None) -> Reply:
    """Send the draft into review. Every issue must have its findings first, so the reply covers them all."""
    with acting(
        actor=actor, complaint_id=complaint_id, action="reply_submit", expected_version=expected_version
    ) as act:
        c = act.complaint
        reply = _current_reply(c, ReplyState.DRAFT, ReplyState.RETURNED)
        if reply is None:
            raise DomainError("no_draft")
        final_reply_check(c)  # every issue investigated, none pending elsewhere (seed3, R-INT-5)
        stages = list(workflow.REVIEW_ROUTES[c.method])
        if not stages:
            raise DomainError("review_not_required")
        reply.state, reply.review_stages, reply.updated_at = ReplyState.IN_REVIEW, stages, act.now
        reply.review_round += 1
        reply.save(update_fields=["state", "review_stages", "updated_at", "review_round"])
        act.move()
        act.set(review_stage=stages[0])
        act.record("reply_submitted", {"reply": reply.number, "stages": stages})
        obligation_start(act, "review")
    return reply


def _pending_stage(reply: Reply) -> str:
    done = set(reply.reviews.filter(approved=True, round=reply.review_round).values_list("stage", flat=True))
    for stage in reply.review_stages:
        if stage not in done:
            return stage
    return ""


def reply_review_approve(
    *, actor, complaint_id: int, comment: str = "", expected_version: int | None = None
) -> Reply:
    """Approve at the pending stage; the reviewer must hold that stage's role."""
    with acting(
        actor=actor,
        complaint_id=complaint_id,
        action="reply_review_approve",
        expected_version=expected_version,
    ) as act:
        reply = _reply_in(act.complaint, ReplyState.IN_REVIEW)
        stage = _pending_stage(reply)
        ReplyReview.objects.create(
            reply=reply,
            stage=stage,
            round=reply.review_round,
            approved=True,
            comment=comment.strip(),
            reviewer=actor,
            reviewed_at=act.now,
        )
        remaining = _pending_stage(reply)
        act.set(review_stage=remaining)
        if remaining:
            act.move(State.IN_REVIEW)
        else:
            reply.state = ReplyState.APPROVED
            reply.save(update_fields=["state"])
            act.move(State.REPLY_APPROVED)
            obligations_meet(act, "review")
        act.record(
            "reply_approved",
            {
                "reply": reply.number,
                "stage": stage,
                "comment": comment.strip(),
                "next_stage": remaining or None,
            },
        )
    return reply


def reply_review_return(
    *, actor, complaint_id: int, comment: str, expected_version: int | None = None
) -> Reply:
    """Return the draft for rework with comments; on resubmission review starts again from the first stage."""
    comment = text_required(comment, "退回意见")
    with acting(
        actor=actor,
        complaint_id=complaint_id,
        action="reply_review_return",
        expected_version=expected_version,
    ) as act:
        reply = _reply_in(act.complaint, ReplyState.IN_REVIEW)
        stage = _pending_stage(reply)
        ReplyReview.objects.create(
            reply=reply,
            stage=stage,
            round=reply.review_round,
            approved=False,
            comment=comment,
            reviewer=actor,
            reviewed_at=act.now,
        )
        reply.state = ReplyState.RETURNED
        reply.save(update_fields=["state"])
        act.set(review_stage="")
        act.move()
        act.record("reply_returned", {"reply": reply.number, "stage": stage, "comment": comment})
        obligations_meet(act, "review")
    return reply


def reply_send(*, actor, complaint_id: int, expected_version: int | None = None) -> Reply:
    """Send (or publish, for online complaints) the reply. A reply whose route has review stages must have
    passed them; an oral complaint's reply goes straight out."""
    with acting(
        actor=actor, complaint_id=complaint_id, action="reply_send", expected_version=expected_version
    ) as act:
        c = act.complaint
        stages = workflow.REVIEW_ROUTES[c.method]
        if c.state == State.REPLY_APPROVED:
            reply = _reply_in(c, ReplyState.APPROVED)
        else:
            if stages:
                raise DomainError(
                    "review_required", stage="、".join(str(ReviewStage(s).label) for s in stages)
                )
            reply = _reply_in(c, ReplyState.DRAFT, ReplyState.RETURNED)
            final_reply_check(c)
        reply.state, reply.sent_by, reply.sent_at = ReplyState.SENT, actor, act.now
        reply.save(update_fields=["state", "sent_by", "sent_at"])
        act.move()
        act.record("reply_sent", {"reply": reply.number, "body": reply.body})
        obligations_meet(act, "reply", "acknowledge", "first_contact")
    return reply
