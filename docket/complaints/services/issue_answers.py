"""Per-issue answers (seed3; issue 15, SPEC R-INT-5): "One letter may raise several issues. Each issue can be
tracked and answered on its own while the letter stays one complaint from the complainant's point of view."

- An **issue answer** names one or more issues of the complaint and goes through the same review route as the
  complaint's replies (workflow.REVIEW_ROUTES, by method): submitted (in review, or approved at once when the
  route has no stage), approved or returned stage by stage, then sent to the complainant (a public event,
  with the complainant's SMS/email). None of this moves the complaint.
- An issue can be **forwarded to the developer on its own** (`DeveloperForward.issue`): the issue waits for the
  developer (IssueState.FORWARDED) with its own answer deadline while the other issues go on.
- An issue is **closed on its own** (IssueState.CLOSED) once an answer naming it has been sent and its work
  is over: verified on site, or answered by the developer before the answer was sent.
- The **final reply** still covers every issue: its draft is pre-filled with each issue's answer (or its
  measures), and it cannot be submitted or sent while an issue is not yet investigated (or, sent back for
  rework, not investigated again), an issue answer waits in review or to be sent, or an issue waits for the
  developer (`final_reply_refusal`: the one rule of the service's refusal and of the page's and the API's offer).
- **Deadlines**: a sent issue answer is a contact (meets `first_contact` and `acknowledge`); it meets the
  reply deadline only when every issue of the complaint has been answered on its own (or is done).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Max

from docket.accounts.access import assignments_of
from docket.core import clock
from docket.core.errors import DomainError

from .. import access, workflow
from ..models import (
    ComplaintIssue,
    DeveloperForward,
    IssueAnswer,
    IssueState,
    Obligation,
    ReplyState,
    ReviewStage,
    issue_names,
)
from ._base import Act, acting, text_required
from .handling import developer_party, forward_inputs, waiting_for_developer
from .obligations import obligation_start, obligations_meet
from .seed2 import obligation_meet_one

# Issues an answer may name: investigated (findings and measures recorded, or the developer's answer), not
# forwarded and still waiting, closed or withdrawn. (While answers may be given — investigating, with the
# developer, negotiating — an issue is open, investigated, forwarded or closed.)
ANSWERABLE = frozenset({IssueState.INVESTIGATED})


def _names(issues) -> str:
    """For the record's payload (stored as written, in Chinese)."""
    return "、".join(f"问题{i.seq}" for i in issues)


def _issues_of(complaint, issue_ids) -> list[ComplaintIssue]:
    """The named issues of this complaint, locked, in order; `issue_unknown` if any is not this complaint's."""
    try:
        ids = sorted({int(i) for i in (issue_ids or [])})
    except (TypeError, ValueError) as exc:
        raise DomainError("issue_unknown") from exc
    if not ids:
        raise DomainError("required", field="答复的问题")
    issues = list(
        ComplaintIssue.objects.select_for_update().filter(complaint=complaint, pk__in=ids).order_by("seq")
    )
    if len(issues) != len(ids):
        raise DomainError("issue_unknown")
    return issues


def record_closed(act: Act, issue: ComplaintIssue) -> None:
    act.record("issue_closed", {"issue": issue.seq, "issue_names": f"问题{issue.seq}：{issue.summary}"})


def _close(act: Act, issue: ComplaintIssue) -> None:
    issue.state, issue.closed_at = IssueState.CLOSED, act.now
    issue.save(update_fields=["state", "closed_at"])
    record_closed(act, issue)


def developer_answered(issue: ComplaintIssue) -> bool:
    return DeveloperForward.objects.filter(issue=issue, answered_at__isnull=False).exists()


# What sending an issue answer closes (its rows of workflow.ISSUE_MOVES): an issue verified on site, or one the
# developer answered (investigated again by its answer).
ANSWER_CLOSES = workflow.issue_sources("issue_answer_send")


def close_if_done(act: Act, issue: ComplaintIssue) -> bool:
    """Close an answered issue whose work is over (verified, or the developer answered it): True if closed."""
    if issue.answered_at is None or issue.state not in ANSWER_CLOSES:
        return False
    if issue.state == IssueState.INVESTIGATED and not developer_answered(issue):
        return False  # the company's own findings: its measures are still to be carried out and verified
    _close(act, issue)
    return True


def issue_answer_submit(
    *, actor, complaint_id: int, issue_ids, body: str, expected_version: int | None = None
) -> IssueAnswer:
    """Submit an answer to the named issues. It takes the complaint's review route; without review stages
    (a phone or visit complaint) it is approved at once and may be sent."""
    body = text_required(body, "答复内容")
    with acting(
        actor=actor,
        complaint_id=complaint_id,
        action="issue_answer_submit",
        expected_version=expected_version,
    ) as act:
        c = act.complaint
        issues = _issues_of(c, issue_ids)
        open_ = incomplete_among(issues)
        if open_:
            raise DomainError("issues_incomplete", issues=issue_names(i.seq for i in open_))
        blocked = [i for i in issues if i.state not in ANSWERABLE]
        if blocked:
            raise DomainError("issue_not_answerable", issues=issue_names(i.seq for i in blocked))
        stages = list(workflow.REVIEW_ROUTES[c.method])
        number = (IssueAnswer.objects.filter(complaint=c).aggregate(n=Max("number"))["n"] or 0) + 1
        answer = IssueAnswer.objects.create(
            complaint=c,
            company_id=c.company_id,
            number=number,
            body=body,
            state=ReplyState.IN_REVIEW if stages else ReplyState.APPROVED,
            review_stages=stages,
            pending_stage=stages[0] if stages else "",
            author=actor,
            created_at=act.now,
        )
        answer.issues.set(issues)
        act.record(
            "issue_answer_submitted",
            {
                "answer": number,
                "issues": [i.seq for i in issues],
                "issue_names": _names(issues),
                "body": body,
                "stages": stages,
            },
        )
    return answer


def _answer_in(complaint, answer_id: int | None, state: str, what: str) -> IssueAnswer:
    answer = None
    if answer_id is not None:
        answer = (
            IssueAnswer.objects.select_for_update()
            .filter(complaint=complaint, pk=answer_id, state=state)
            .first()
        )
    if answer is None:
        raise DomainError("issue_answer_none", what=what)
    return answer


def issue_answer_review(
    *,
    actor,
    complaint_id: int,
    answer_id: int,
    approve: bool,
    comment: str = "",
    expected_version: int | None = None,
) -> IssueAnswer:
    """Approve an issue answer at its pending stage (on to the next, or ready to send), or return it with
    comments (it stays on the record; the handler submits a new one). Each reviewer acts at their own stage."""
    comment = (comment or "").strip()
    if not approve:
        comment = text_required(comment, "退回意见")
    with acting(
        actor=actor,
        complaint_id=complaint_id,
        action="issue_answer_review",
        expected_version=expected_version,
    ) as act:
        answer = _answer_in(act.complaint, answer_id, ReplyState.IN_REVIEW, "待审核")
        stage = answer.pending_stage
        role = access.STAGE_ROLE.get(stage)
        if role not in {a.role for a in assignments_of(actor)}:
            raise DomainError("issue_answer_stage", stage=ReviewStage(stage).label)
        answer.reviews = [
            *answer.reviews,
            {
                "stage": stage,
                "approved": bool(approve),
                "comment": comment,
                "reviewer": actor.pk,
                "at": act.now.isoformat(),
            },
        ]
        if approve:
            rest = answer.review_stages[answer.review_stages.index(stage) + 1 :]
            answer.pending_stage = rest[0] if rest else ""
            if not rest:
                answer.state = ReplyState.APPROVED
        else:
            answer.state, answer.pending_stage = ReplyState.RETURNED, ""
        answer.save(update_fields=["reviews", "pending_stage", "state"])
        seqs = list(answer.issues.order_by("seq").values_list("seq", flat=True))
        act.record(
            "issue_answer_approved" if approve else "issue_answer_returned",
            {
                "answer": answer.number,
                "issues": seqs,
                "issue_names": "、".join(f"问题{n}" for n in seqs),
                "stage": stage,
                "comment": comment,
            },
        )
    return answer


def issue_answer_send(
    *, actor, complaint_id: int, answer_id: int, expected_version: int | None = None
) -> IssueAnswer:
    """Send an approved issue answer to the complainant. Each issue it names is answered; one whose work is
    over is closed. The reply deadline is met only when every issue has been answered."""
    with acting(
        actor=actor, complaint_id=complaint_id, action="issue_answer_send", expected_version=expected_version
    ) as act:
        c = act.complaint
        answer = _answer_in(c, answer_id, ReplyState.APPROVED, "待发送")
        issues = list(answer.issues.select_for_update().order_by("seq"))
        answer.state, answer.sent_by, answer.sent_at = ReplyState.SENT, actor, act.now
        answer.save(update_fields=["state", "sent_by", "sent_at"])
        for issue in issues:
            issue.answered_at = act.now
            issue.save(update_fields=["answered_at"])
        names = "；".join(f"问题{i.seq}：{i.summary}" for i in issues)
        act.record(
            "issue_answered",
            {
                "answer": answer.number,
                "issues": [i.seq for i in issues],
                "issue_names": names,
                "body": answer.body,
                "text": f"{names}\n{answer.body}",
            },
        )
        for issue in issues:
            close_if_done(act, issue)
        kinds = [Obligation.Kind.FIRST_CONTACT, "acknowledge"]
        unanswered = (
            ComplaintIssue.objects.filter(complaint=c, answered_at__isnull=True)
            .exclude(state__in=[IssueState.CLOSED, IssueState.WITHDRAWN])
            .exists()
        )
        if not unanswered:
            kinds.append("reply")
        obligations_meet(act, *kinds)
    return answer


def issue_forward_to_developer(
    *,
    actor,
    complaint_id: int,
    issue_id: int,
    party_id: int,
    reason: str,
    project_phase: str = "",
    expected_version: int | None = None,
) -> DeveloperForward:
    """Forward one issue to the developer's customer-relations centre (R-HDL-6) while the complaint's other
    issues go on; the developer's answer has its own deadline (`developer_answer`)."""
    reason, project_phase = forward_inputs(reason, project_phase)
    with acting(
        actor=actor,
        complaint_id=complaint_id,
        action="issue_forward_to_developer",
        expected_version=expected_version,
    ) as act:
        c = act.complaint
        (issue,) = _issues_of(c, [issue_id])
        (target,) = workflow.issue_check(issue, "issue_forward_to_developer")  # open or investigated
        party = developer_party(c, party_id)
        issue.state = target
        issue.save(update_fields=["state"])
        act.set(developer_related=True)
        act.record(
            "issue_forwarded_to_developer",
            {"issue": issue.seq, "party": party.name, "reason": reason, "project_phase": project_phase},
        )
        ob = obligation_start(act, Obligation.Kind.DEVELOPER_ANSWER)
        fwd = DeveloperForward.objects.create(
            complaint=c,
            company_id=c.company_id,
            party=party,
            reason=reason,
            project_phase=project_phase,
            sent_by=actor,
            sent_at=act.now,
            issue=issue,
            obligation=ob,
        )
    return fwd


DEVELOPER_ANSWERED = workflow.issue_sources("issue_developer_answer_record")  # forwarded


def issue_developer_answer_record(
    *,
    actor,
    complaint_id: int,
    forward_id: int,
    answer: str,
    their_ref: str = "",
    expected_version: int | None = None,
) -> DeveloperForward:
    """The developer answered a forwarded issue: the issue is back with the company, to be answered to the
    complainant (and then closed)."""
    answer = text_required(answer, "地产答复")
    with acting(
        actor=actor,
        complaint_id=complaint_id,
        action="issue_developer_answer_record",
        expected_version=expected_version,
    ) as act:
        c = act.complaint
        fwd = (
            DeveloperForward.objects.select_for_update()
            .filter(pk=forward_id, complaint=c, issue__isnull=False, answered_at__isnull=True)
            .first()
        )
        if fwd is None:
            raise DomainError("nothing_due", kind="地产答复")
        fwd.answer, fwd.their_ref, fwd.answered_at, fwd.recorded_by = (
            answer,
            their_ref.strip(),
            act.now,
            actor,
        )
        fwd.save(update_fields=["answer", "their_ref", "answered_at", "recorded_by"])
        issue = ComplaintIssue.objects.select_for_update().get(developer_forwards=fwd)
        # Its row of workflow.ISSUE_MOVES: a forwarded issue is back with the company. An issue in another
        # state with this forward unanswered (findings recorded over it before "devissues") has its wait
        # ended and keeps its state: the answer never sends a carried-out, verified or closed issue back
        # (docs/decisions.md "issuemoves").
        if issue.state in DEVELOPER_ANSWERED:
            (issue.state,) = workflow.issue_check(issue, "issue_developer_answer_record")
            if not issue.findings:
                issue.findings = f"地产答复：{answer}"
            issue.save(update_fields=["state", "findings"])
        act.record(
            "issue_developer_answered", {"issue": issue.seq, "answer": answer, "their_ref": fwd.their_ref}
        )
        obligation_meet_one(act, fwd.obligation_id)
    return fwd


# An issue answer still on its way to the complainant: in review, or approved and not yet sent.
ANSWER_PENDING = (ReplyState.IN_REVIEW, ReplyState.APPROVED)


def pending_among(answers: Iterable[IssueAnswer]) -> list[IssueAnswer]:
    """The rule: of `answers`, those in review or waiting to be sent (ANSWER_PENDING), by number."""
    return sorted((a for a in answers if a.state in ANSWER_PENDING), key=lambda a: a.number)


def answers_pending(complaint) -> list[IssueAnswer]:
    """The complaint's issue answers in review or waiting to be sent (`pending_among`). The services ask it of
    the row they locked (one query); the queue and the step of what they read (`next_steps._issue_answers`),
    the API of its prefetch (`issue_answers`) and the complaint page of its issues' answers: no query
    (docs/decisions.md "answerwait")."""
    answers = getattr(complaint, "_step_answers", None)  # next_steps: the pending answers, already read
    if answers is None:
        answers = access.prefetched_rows(complaint, "issue_answers")  # the API's; the page's when it has none
    if answers is None:
        answers = access.prefetched_issue_answers(access.prefetched_rows(complaint, "issues"))  # the page's
    if answers is None:
        answers = list(IssueAnswer.objects.filter(complaint=complaint, state__in=ANSWER_PENDING))
    return pending_among(answers)


def incomplete_among(issues: Iterable[ComplaintIssue]) -> list[ComplaintIssue]:
    """The rule: of `issues`, those whose findings and measures are not recorded yet (IssueState.OPEN), by
    number. Neither the final reply nor an answer naming one of them is given (`issues_incomplete`)."""
    return sorted((i for i in issues if i.state == IssueState.OPEN), key=lambda i: i.seq)


def rework_among(issues: Iterable[ComplaintIssue]) -> list[ComplaintIssue]:
    """The rule: of `issues`, those sent back for rework (IssueState.REWORK: the office's or QM's verification
    found the measures not carried out, seed 5.2.3.6), by number. Back in investigating or negotiating (an
    escalation from implementing, a reopening), the final reply waits until their findings and measures are
    recorded again (`issues_rework`; docs/decisions.md "officer8")."""
    return sorted((i for i in issues if i.state == IssueState.REWORK), key=lambda i: i.seq)


# The states `final_reply_refusal` reads of the issues (`incomplete_among`, `rework_among`).
_UNREADY = (IssueState.OPEN, IssueState.REWORK)


def _unready_issues(complaint) -> list[ComplaintIssue]:
    """The issues the final reply waits for by their state: the caller's prefetch (the page, the API, the
    queue: no query), else those of the locked row in an unready state (one query)."""
    issues = access.prefetched_rows(complaint, "issues")
    if issues is None:
        issues = list(
            ComplaintIssue.objects.filter(complaint=complaint, state__in=_UNREADY).only("id", "seq", "state")
        )
    return issues


def issues_incomplete(complaint) -> list[ComplaintIssue]:
    """The complaint's issues not yet investigated (`incomplete_among`). The services ask it of the row they
    locked (one query); the complaint page and the API of their prefetch of the issues, the queue's step of the
    issues it read (`next_steps`): no query (docs/decisions.md "readyissues")."""
    return incomplete_among(_unready_issues(complaint))


def final_reply_refusal(complaint) -> DomainError | None:
    """Why the final reply may not be submitted or sent now, or None. It covers every issue: not while an issue
    is not yet investigated (`issues_incomplete`: the reply could not say what was found and will be done), nor
    while an issue sent back for rework has not been investigated again (`issues_rework`: its measures failed
    verification, so the reply must say what is now found and will be done), nor while an issue answer waits in
    review or to be sent (`issue_answer_pending`: the complainant would get two letters that may disagree), nor
    while an issue waits for the developer (`issue_with_developer`: the reply could not say what is done about
    it). The services raise it (`final_reply_check`); the page and the API do not offer 提交审核 / 发送答复 while
    it answers (`access._ready`), and the page's note says why (`next_steps.waiting_note`)."""
    issues = _unready_issues(complaint)
    incomplete = incomplete_among(issues)
    if incomplete:
        return DomainError("issues_incomplete", issues=issue_names(i.seq for i in incomplete))
    rework = rework_among(issues)
    if rework:
        return DomainError("issues_rework", issues=issue_names(i.seq for i in rework))
    pending = answers_pending(complaint)
    if pending:
        return DomainError("issue_answer_pending", number=pending[0].number)
    forwarded = waiting_for_developer(complaint)  # as `measures_done` refuses (docs/decisions.md "devissues")
    if forwarded:
        return DomainError("issue_with_developer", issues=issue_names(i.seq for i in forwarded))
    return None


def final_reply_check(complaint) -> None:
    """Refuse the final reply while `final_reply_refusal` answers a reason."""
    refusal = final_reply_refusal(complaint)
    if refusal is not None:
        raise refusal


def final_reply_prefill(complaint) -> str:
    """The final reply's first draft: every issue with the answer already sent for it, else its measures."""
    sent: dict[int, IssueAnswer] = {}
    for a in IssueAnswer.objects.filter(complaint=complaint, state=ReplyState.SENT).order_by("number"):
        for issue_id in a.issues.values_list("id", flat=True):
            sent[issue_id] = a
    parts = []
    for issue in complaint.issues.order_by("seq"):
        answer = sent.get(issue.pk)
        if answer is not None:
            when = f"{clock.to_local(answer.sent_at):%Y-%m-%d}" if answer.sent_at else ""
            text = f"（已于{when}单独答复）{answer.body}"
        else:
            text = issue.measures or issue.findings or ""
        parts.append(f"问题{issue.seq}：{issue.summary}\n{text}".rstrip())
    return "\n\n".join(parts)
