"""The next step waiting for one user on one complaint (the workbench's queue rows and primary button).

`next_action_for(user, complaint)` answers the first of the state's candidate steps (`CANDIDATES`) that the
permission policy (`access.allowed_role`, i.e. the workflow rows and the scopes) lets this user take now,
or None when nothing waits for them. It reads the complaint's issues and replies from the prefetch cache
when present (`prefetch_for_steps` loads them for a page of rows in two queries), so a queue page costs a
constant number of queries.

`reasons_for(complaint, …)` says why the item is urgent: returned (a reply draft came back from review),
overdue (its nearest deadline has passed), chased (the complainant chased it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from docket.accounts.access import assignments_of
from docket.accounts.models import Role
from docket.core import clock
from docket.core.compiled import Compiled

from . import workflow
from .access import allowed_role, issues_with_developer, office_call_due, prefetched_rows, qm_handles
from .models import (
    ComplaintIssue,
    DeveloperForward,
    IssueAnswer,
    IssueState,
    Obligation,
    Reply,
    ReplyState,
    State,
    issue_names,
)
from .scopes import COMPANY_ROLES
from .selectors import ONLINE_WATCH_STATES, is_online
from .services.issue_answers import ANSWER_PENDING, incomplete_among, pending_among, rework_among

StrOrPromise = str | Promise  # a label: translated when shown


@dataclass(frozen=True)
class NextStep:
    action: str  # a row of workflow.ACTIONS; "" for a note of whom the row waits for (`waiting`)
    label: StrOrPromise  # the short verb the queue shows (接单, 调查, 起草答复 …), or the note
    issue_id: int | None = None  # for per-issue steps: the first issue it applies to

    @property
    def waiting(self) -> bool:
        """A note, not an action: the row is in the user's work to be watched, someone else acts."""
        return not self.action


def _issues(c) -> list[ComplaintIssue]:
    issues = getattr(c, "_step_issues", None)
    if issues is None:
        cache = getattr(c, "_prefetched_objects_cache", {})
        issues = (
            list(cache["issues"]) if "issues" in cache else list(ComplaintIssue.objects.filter(complaint=c))
        )
    # the policy's "which departments own an issue" read from the same rows (scopes._issue_department_ids)
    c._issue_department_ids = {i.department_id for i in issues if i.department_id}
    return issues


def _replies(c) -> list[Reply]:
    replies = getattr(c, "_step_replies", None)
    if replies is not None:
        return replies
    cache = getattr(c, "_prefetched_objects_cache", {})
    return list(cache["replies"]) if "replies" in cache else list(Reply.objects.filter(complaint=c))


# The states in which an issue's own answer (seed3, R-INT-5) is reviewed and sent: the workflow's rows. The
# answers pending (in review or to be sent) are the service's (`services.issue_answers.ANSWER_PENDING`).
ANSWER_STATES = (
    workflow.ACTIONS["issue_answer_review"].sources | workflow.ACTIONS["issue_answer_send"].sources
)


def _issue_answers(c) -> list[IssueAnswer]:
    """The complaint's issue answers waiting for a review or for sending (none outside ANSWER_STATES):
    from the queue's prefetch (`prefetch_for_steps`), else from the complaint page's (`issues__answers`),
    else one query. Kept on the row as `_step_answers`, which the policy's stage check reads too."""
    if c.state not in ANSWER_STATES:
        return []
    answers = getattr(c, "_step_answers", None)
    if answers is None:
        cache = getattr(c, "_prefetched_objects_cache", {})
        issues = list(cache["issues"]) if "issues" in cache else []
        if issues and all("answers" in getattr(i, "_prefetched_objects_cache", {}) for i in issues):
            found = {a.pk: a for i in issues for a in i.answers.all() if a.state in ANSWER_PENDING}
            answers = sorted(found.values(), key=lambda a: a.number)
        else:
            answers = list(
                IssueAnswer.objects.filter(complaint_id=c.pk, state__in=ANSWER_PENDING).only(
                    "id", "complaint_id", "number", "state", "pending_stage"
                )
            )
        c._step_answers = answers
    return answers


def _answer_step(user, c) -> NextStep | None:
    """An issue answer to review at the user's stage, or an approved one to send (seed3): before the
    complaint's own steps, since the complainant waits for it."""
    answers = _issue_answers(c)
    if any(a.state == ReplyState.IN_REVIEW for a in answers) and allowed_role(user, c, "issue_answer_review"):
        return NextStep("issue_answer_review", _("审核单项答复"))
    if any(a.state == ReplyState.APPROVED for a in answers) and allowed_role(user, c, "issue_answer_send"):
        return NextStep("issue_answer_send", _("发送单项答复"))
    return None


def _open_draft(replies: list[Reply]) -> Reply | None:
    return next((r for r in replies if r.state in (ReplyState.DRAFT, ReplyState.RETURNED)), None)


def _per_issue(user, c, action: str, issues: list[ComplaintIssue], states: Iterable[str]) -> int | None:
    for issue in issues:
        if issue.state in states and allowed_role(user, c, action, issue=issue):
            return issue.id
    return None


# The states whose step depends on whether an issue waits for the developer (`_waiting`): the final reply's and
# the measures' (`final_reply_refusal`, `measures_done`).
DEVELOPER_WAIT_STATES = frozenset({State.INVESTIGATING, State.NEGOTIATING, State.IMPLEMENTING})


def _forwards(c) -> list[DeveloperForward]:
    """The complaint's forwards the developer wait reads: from the queue's prefetch (`prefetch_for_steps`: the
    unanswered forwards of single issues), else the complaint page's (`developer_forwards`), else one query.
    Kept on the row as `_step_forwards`."""
    forwards = getattr(c, "_step_forwards", None)
    if forwards is None:
        forwards = prefetched_rows(c, "developer_forwards")
        if forwards is None:
            forwards = list(_page_forwards(c.pk))
        c._step_forwards = forwards
    return forwards


def _waiting(c, issues: list[ComplaintIssue]) -> bool:
    """Whether an issue waits for the developer, by the rule that refuses the final reply and the measures
    and hides their buttons (`services.handling.waiting_among`): forwarded, or with an unanswered forward of its
    own — read from the queue's or the complaint page's prefetch (`_forwards`), so queue and page agree."""
    from .services.handling import waiting_among

    if any(i.state == IssueState.FORWARDED for i in issues):
        return True  # whatever the forwards say
    return bool(waiting_among(issues, _forwards(c)))


def _developer_step(user, c) -> NextStep | None:
    """An issue waits for the developer: recording its answer is the step (for who may record it)."""
    if allowed_role(user, c, "issue_developer_answer_record"):
        return NextStep("issue_developer_answer_record", _("记录地产答复"))
    return None


def _handling_steps(user, c, issues, replies) -> NextStep | None:
    """Investigating or negotiating: record findings on an open issue, then draft, submit or send."""
    issue_id = _per_issue(user, c, "issue_findings_record", issues, (IssueState.OPEN, IssueState.REWORK))
    if issue_id is not None:
        return NextStep("issue_findings_record", _("调查"), issue_id)
    if _waiting(c, issues):
        # The final reply waits for the developer's answer (`final_reply_check`; docs/decisions.md "devissues").
        # Negotiating, where that answer is not recorded (its row), the negotiation goes on (docs/decisions.md
        # "offers8"); the page's note says what the reply waits for.
        if c.state == State.NEGOTIATING:
            step = NextStep("negotiation_round_record", _("协商"))
            return step if allowed_role(user, c, step.action) else None
        return _developer_step(user, c)
    draft = _open_draft(replies)
    if draft is not None and draft.state == ReplyState.RETURNED:
        step = NextStep("reply_draft_save", _("修改答复"))
    elif draft is not None and (incomplete_among(issues) or rework_among(issues)):
        # An issue is not yet investigated, or sent back for rework and not investigated again, and this user
        # may not investigate it (`final_reply_refusal`: issues_incomplete, issues_rework): its department's
        # 调查 comes first, none of the drafter's; the page's note names the issue (docs/decisions.md
        # "readyissues", "officer8").
        return None
    elif draft is not None and pending_among(_issue_answers(c)):
        # The final reply waits for the issue answer's review or sending (`final_reply_refusal`:
        # issue_answer_pending): that is the step of who may take it (`_answer_step`), none of the drafter's;
        # the page's note says which answer and whom it waits for (docs/decisions.md "answerwait").
        return None
    elif draft is not None and workflow.REVIEW_ROUTES.get(c.method):
        step = NextStep("reply_submit", _("提交审核"))
    elif draft is not None:
        step = NextStep("reply_send", _("发送答复"))
    elif c.state == State.NEGOTIATING:
        step = NextStep("negotiation_round_record", _("协商"))
    else:
        step = NextStep("reply_draft_save", _("起草答复"))
    return step if allowed_role(user, c, step.action) else None


# State → the steps that move it on, in the order they are due. A string is a plain action; the handling
# states compute theirs (`_handling_steps`).
CANDIDATES: dict[str, tuple[tuple[str, StrOrPromise], ...]] = {
    State.REGISTERED: (("assign", _("派单")),),
    State.ASSIGNED: (("accept", _("接单")),),
    State.WITH_DEVELOPER: (("developer_answer_record", _("记录地产答复")),),
    State.IN_REVIEW: (("reply_review_approve", _("审核")),),
    State.REPLY_APPROVED: (("reply_send", _("发送")),),
    State.REPLIED: (("complainant_agree", _("记录顾客意见")),),
    State.IMPLEMENTING: (("measures_done", _("落实措施")),),
    State.VERIFYING: (("issue_verify", _("验证")),),
    State.QM_VERIFYING: (
        ("qm_verify", _("品质部验证")),
    ),  # in QM's work (seed 5.2.3.6); named since infoofficer
    State.FOLLOW_UP: (("follow_up_record", _("回访")),),
}


# What an online complaint the QM information officer watches waits for (seed 5.2.3.3) once the officer's own
# step, the call to the office (5.2.3.3.1, `CALL_STEP`), is on the record: by state, and in review by the
# stage. While the office handles it, the 4-hour courtesy reply (5.2.3.3.3) comes first as long as it is owed
# (`ACK_NOTE`, ACK_FIRST_STATES); once the reply is in review or approved, publishing it is what meets both.
CALL_STEP = NextStep("office_call_record", _("电话通知管理处"))
CALL_STATES = workflow.ACTIONS["office_call_record"].sources
WATCH_NOTES: dict[str, StrOrPromise] = {
    State.REGISTERED: _("待管理处派单"),
    State.ASSIGNED: _("待责任部门接单"),
    State.INVESTIGATING: _("待管理处反馈事实及拟处理措施"),
    State.WITH_DEVELOPER: _("待地产答复后反馈措施"),
    State.REPLY_APPROVED: _("待网上公布答复"),
}
WATCH_REVIEW_NOTES: dict[str, StrOrPromise] = {
    "qm": _("待品质管理部审批答复"),
    "general_office": _("待办公室审核答复"),
}
ACK_NOTE: StrOrPromise = _("待管理处4小时内礼节性回复")
ACK_FIRST_STATES = frozenset({State.ASSIGNED, State.INVESTIGATING, State.WITH_DEVELOPER})
# An acknowledgement still owed: not met, not cancelled (a paused one is owed when the clock runs again).
ACK_OWED_STATES = (Obligation.State.OPEN, Obligation.State.MISSED, Obligation.State.PAUSED)


def _ack_owed(c) -> bool:
    """Whether the online complaint still owes its courtesy reply (the `acknowledge` obligation, met by the
    courtesy reply, any sent reply or issue answer): from the page's prefetch (`prefetch_for_steps` with the
    user), else one query. Kept on the row as `_step_ack_owed`."""
    owed = getattr(c, "_step_ack_owed", None)
    if owed is None:
        owed = c.pk in set(_page_acks(c.pk))
        c._step_ack_owed = owed
    return owed


def _watches(user, c) -> bool:
    """Whether `c` is in the user's work only as an online complaint the QM information officer watches
    (selectors.ONLINE_WATCH_STATES): the user holds that role in its company and every role they hold is a
    company role, and QM does not handle the complaint itself (`access.qm_handles`: escalated, or held by
    the company's QM department — QM's own work, whose handling steps stand). The office's steps (接单, 调查,
    起草答复 …) are not theirs."""
    if c.state not in ONLINE_WATCH_STATES or not is_online(c) or qm_handles(c):
        return False
    held = assignments_of(user)
    return all(a.role in COMPANY_ROLES for a in held) and any(
        a.role == Role.QM_INFO_OFFICER and a.company_id == c.company_id for a in held
    )


def _watch_step(user, c) -> NextStep:
    """The officer's row (`_watches`): the officer's own call to the office while it is not on the record
    (seed 5.2.3.3.1: 立即以电话通知, so first), what of it is the user's own under another company role — hand it
    to a department (QM's 派单) or approve its reply or an issue's answer at the user's stage — else whom it
    waits for: the dispatch, the courtesy reply while it is owed (ACK_NOTE), then WATCH_NOTES by state."""
    if c.state in CALL_STATES and office_call_due(c) and allowed_role(user, c, "office_call_record"):
        return CALL_STEP
    if c.state == State.REGISTERED and allowed_role(user, c, "assign"):
        return NextStep("assign", _("派单"))
    if c.state == State.IN_REVIEW and allowed_role(user, c, "reply_review_approve"):
        return NextStep("reply_review_approve", _("审核"))
    answers = _issue_answers(c)
    if any(a.state == ReplyState.IN_REVIEW for a in answers) and allowed_role(user, c, "issue_answer_review"):
        return NextStep("issue_answer_review", _("审核单项答复"))
    if c.state in ACK_FIRST_STATES and _ack_owed(c):
        return NextStep("", ACK_NOTE)
    if c.state == State.IN_REVIEW:
        return NextStep("", WATCH_REVIEW_NOTES.get(c.review_stage, WATCH_REVIEW_NOTES["qm"]))
    return NextStep("", WATCH_NOTES[c.state])


def next_action_for(user, complaint) -> NextStep | None:
    """The one step waiting for `user` on `complaint` now, or None (see the module docstring); for an
    online complaint the QM information officer watches, their step or whom it waits for (`_watch_step`)."""
    c = complaint
    issues = _issues(c)
    if _watches(user, c):
        return _watch_step(user, c)
    answer = _answer_step(user, c)
    if answer is not None:
        return answer
    if c.state in (State.INVESTIGATING, State.NEGOTIATING):
        return _handling_steps(user, c, issues, _replies(c))
    if c.state == State.IMPLEMENTING and _waiting(c, issues):
        # An issue waits for the developer: its answer is due before the measures can be reported done
        # (`measures_done` refuses; docs/decisions.md "devissues").
        return _developer_step(user, c)
    for action, label in CANDIDATES.get(c.state, ()):
        if action == "issue_verify":
            issue_id = _per_issue(user, c, action, issues, (IssueState.MEASURES_DONE,))
            if issue_id is not None:
                return NextStep(action, label, issue_id)
        elif allowed_role(user, c, action):
            return NextStep(action, label)
    return None


class StepDecider:
    """`next_action_for(user, c)` for a page of rows, decided once per kind of row (issue 14, "Speed of the
    daily paths"): the answer depends only on the user's role assignments (fixed for the page) and on what
    the policy reads of the row (`_signature`: state, stage, level, method, company, office, holder
    department, whether the user recorded it, channel, sensitivity, severity, its issues' departments and
    states, its replies' states, its pending issue answers' states and stages, whether an issue waits for the
    developer; for a row the QM information officer watches, whether its courtesy reply is owed and its call
    to the office recorded), so rows with the same
    signature share one evaluation. A per-issue step is remembered by the issue's position and answered with this row's issue id. Identical answers to the
    per-row path (test_views_queue: test_step_decider_matches_the_per_row_policy)."""

    def __init__(self, user):
        self.user = user
        self.uid = getattr(user, "pk", None)
        self._memo: dict[tuple, tuple[NextStep, int | None] | None] = {}

    def _signature(self, c, issues: list[ComplaintIssue]) -> tuple:
        handling = c.state in (State.INVESTIGATING, State.NEGOTIATING)
        watched = _watches(self.user, c)
        return (
            watched and c.state in ACK_FIRST_STATES and _ack_owed(c),
            watched and c.state in CALL_STATES and c.office_called_at is None,
            c.state,
            c.review_stage,
            c.level,
            c.method,
            c.company_id,
            c.office_id,
            c.holder_department_id,
            c.received_by_id is not None and c.received_by_id == self.uid,
            c.channel,
            c.sensitive,
            c.severity,
            tuple((i.department_id, i.state) for i in issues),
            tuple(r.state for r in _replies(c)) if handling else (),
            tuple((a.state, a.pending_stage) for a in _issue_answers(c)),
            c.state in DEVELOPER_WAIT_STATES and _waiting(c, issues),
        )

    def __call__(self, c) -> NextStep | None:
        issues = _issues(c)
        key = self._signature(c, issues)
        if key not in self._memo:
            step = next_action_for(self.user, c)
            if step is None:
                self._memo[key] = None
            else:
                at = next((n for n, i in enumerate(issues) if i.id == step.issue_id), None)
                self._memo[key] = (step, at)
        hit = self._memo[key]
        if hit is None:
            return None
        step, at = hit
        if at is None:
            return step
        return NextStep(step.action, step.label, issues[at].id)


REASONS = {
    "returned": _("退回修改"),
    "overdue": _("已超期"),
    "chased": _("顾客催办"),
}


def reasons_for(
    c, *, now=None, chased: set[int] | frozenset[int] = frozenset()
) -> list[tuple[str, StrOrPromise]]:
    """Why this item is urgent: [(code, label)] among returned, overdue, chased."""
    now = now or clock.now()
    out = []
    if any(r.state == ReplyState.RETURNED for r in _replies(c)):
        out.append("returned")
    if c.next_due_at is not None and c.next_due_at < now:
        out.append("overdue")
    if c.id in chased:
        out.append("chased")
    return [(code, REASONS[code]) for code in out]


# What `prefetch_for_steps` reads for a page of rows, compiled once per number of rows (core/compiled.py;
# Django compiled the four statements on every queue request).
_page_issues = Compiled(
    lambda *ids: (
        ComplaintIssue.objects.filter(complaint_id__in=ids)
        .only("id", "complaint_id", "department_id", "state", "responsible_id", "seq")
        .order_by("complaint_id", "seq")
    )
)
_page_replies = Compiled(
    lambda *ids: (
        Reply.objects.filter(complaint_id__in=ids)
        .only("id", "complaint_id", "state", "number")
        .order_by("complaint_id", "number")
    )
)
_page_acks = Compiled(
    lambda *ids: Obligation.objects.filter(
        complaint_id__in=ids, kind=Obligation.Kind.ACKNOWLEDGE, state__in=ACK_OWED_STATES, met_at__isnull=True
    ).values_list("complaint_id", flat=True)
)
_page_answers = Compiled(
    lambda *ids: IssueAnswer.objects.filter(complaint_id__in=ids, state__in=ANSWER_PENDING).only(
        "id", "complaint_id", "number", "state", "pending_stage"
    )
)
_page_forwards = Compiled(
    lambda *ids: DeveloperForward.objects.filter(
        complaint_id__in=ids, issue__isnull=False, answered_at__isnull=True
    ).only("id", "complaint_id", "issue_id", "answered_at")
)


def prefetch_for_steps(rows: list, user=None) -> set[int]:
    """Load what `next_action_for` and `reasons_for` read for a page of complaints: their issues, replies
    and pending issue answers (three queries, in the models' order), the unanswered forwards of single issues
    (one more, only for rows whose step could depend on them), and with `user` whether the rows the QM
    information officer watches owe their courtesy reply (one more, only for such rows). Returns the ids of those the
    complainant chased (their `chased_at`, among the queue's row fields). The rows keep them as `_step_issues` / `_step_replies` (plain lists:
    Django's prefetch builds a related manager and a queryset per row, a third of the queue's CPU)."""
    if not rows:
        return set()
    ids = [c.id for c in rows]
    issues: dict[int, list] = {i: [] for i in ids}
    for issue in _page_issues(*ids):
        issues[issue.complaint_id].append(issue)
    replies: dict[int, list] = {i: [] for i in ids}
    for reply in _page_replies(*ids):
        replies[reply.complaint_id].append(reply)
    answers: dict[int, list] = {i: [] for i in ids}
    forwards: dict[int, list] = {}
    for answer in _page_answers(*ids):
        answers[answer.complaint_id].append(answer)
    for c in rows:
        c._step_issues = issues[c.id]
        c._step_replies = replies[c.id]
        c._step_answers = answers[c.id]
        c._step_forwards = []
    # The unanswered forwards of single issues (one query, only when the page has rows whose step they could
    # change: in a state where the step asks whether an issue waits for the developer, with issues and none
    # forwarded — an issue forwarded already answers it —, not a row the QM information officer watches, whose
    # note reads no forwards): an issue whose findings were written over its forward before "devissues" still
    # waits, as on the complaint page (docs/decisions.md, "offers8").
    unsure = [
        c
        for c in rows
        if c.state in DEVELOPER_WAIT_STATES
        and c._step_issues
        and not any(i.state == IssueState.FORWARDED for i in c._step_issues)
        and not (user is not None and _watches(user, c))
    ]
    if unsure:
        for forward in _page_forwards(*(c.id for c in unsure)):
            forwards.setdefault(forward.complaint_id, []).append(forward)
        for c in unsure:
            c._step_forwards = forwards.get(c.id, [])
    # With the user: whether the online complaints the QM information officer watches still owe their courtesy
    # reply (one query, only when the page has such rows).
    watched = [c for c in rows if user is not None and c.state in ACK_FIRST_STATES and _watches(user, c)]
    if watched:
        owed = set(_page_acks(*(c.id for c in watched)))
        for c in watched:
            c._step_ack_owed = c.id in owed
    return {c.id for c in rows if c.chased_at is not None}


STAGE_LABELS = {"qm": _("品质管理部"), "general_office": _("办公室")}


def waiting_note(c) -> str:
    """Who the complaint waits for now, when that is not obvious from its state (the review and send)."""
    if c.state == State.IN_REVIEW and c.review_stage == "general_office":
        return str(_("品质管理部已审核通过，答复现等待办公室审核，通过后发送给顾客。"))
    if c.state == State.IN_REVIEW and c.review_stage == "qm":
        return str(_("答复等待品质管理部审核。"))
    if c.state == State.REPLY_APPROVED:
        return str(_("答复已审核通过，现等待发送给顾客（接待/客服或处理部门）。"))
    if c.state == State.REPLIED:
        return str(_("答复已发送，等待顾客确认是否同意。"))
    notes = []
    if c.state in (State.INVESTIGATING, State.NEGOTIATING):
        notes.extend(_incomplete_notes(c))
        notes.extend(_answer_notes(c))
    if c.state in DEVELOPER_WAIT_STATES:
        waiting = issues_with_developer(c)
        if waiting:
            names = {"issues": issue_names(i.seq for i in waiting)}
            if c.state == State.IMPLEMENTING:
                notes.append(
                    str(_("%(issues)s已转地产处理，等待地产答复；记录地产答复后才能报告措施已落实。")) % names
                )
            elif c.state == State.NEGOTIATING:
                # `final_reply_refusal` (issue_with_developer) refuses the reply; the developer's answer is not
                # recorded while negotiating (its workflow row), so the note names no step, only what it waits
                # for (data of before "devissues"; docs/decisions.md "readyissues", "offers8")
                notes.append(
                    str(_("%(issues)s已转地产处理，尚未收到地产答复；在此之前不能提交或发送答复。")) % names
                )
            else:
                notes.append(
                    str(_("%(issues)s已转地产处理，等待地产答复；记录地产答复后才能提交或发送最终答复。"))
                    % names
                )
                # `developer_forward` refuses the whole complaint then (forward_issue_with_developer); an issue
                # is forwarded on its own while investigating
                notes.append(str(_("整个投诉不能再转地产处理，其他问题可单项转地产处理。")))
    return _sentences(notes)


def _sentences(notes: list[str]) -> str:
    """The notes as one text: Chinese runs sentences together, English separates them by a space — the joining
    pattern is itself translated (as `complaint_tags`' countdown joins its units)."""
    text = ""
    for note in notes:
        text = str(_("%(first)s%(second)s")) % {"first": text, "second": note} if text else note
    return text


def _incomplete_notes(c) -> list[str]:
    """Why the draft may not be submitted or sent while an issue is not yet investigated, or sent back for
    rework and not investigated again (`final_reply_refusal`: issues_incomplete, issues_rework), and what comes
    first: investigating those issues. Only with a draft to submit or send (before, 调查 is the step anyway);
    from the page's prefetch of issues and replies: no query."""
    if _open_draft(_replies(c)) is None:
        return []
    issues = _issues(c)
    notes = []
    incomplete = incomplete_among(issues)
    if incomplete:
        names = {"issues": issue_names(i.seq for i in incomplete)}
        notes.append(
            str(_("%(issues)s尚未调查（记录调查情况与措施）；调查后才能提交或发送最终答复。")) % names
        )
    rework = rework_among(issues)
    if rework:
        names = {"issues": issue_names(i.seq for i in rework)}
        text = _(
            "%(issues)s措施落实不到位（返工），尚未重新调查（记录调查情况与措施）；重新调查后才能提交或发送最终答复。"
        )
        notes.append(str(text) % names)
    return notes


def _answer_notes(c) -> list[str]:
    """Why the final reply may not be submitted or sent while an issue answer is pending (`final_reply_refusal`:
    issue_answer_pending) and what comes first: the first pending answer's review at its stage, or its sending.
    From the page's prefetch (`_issue_answers`): no query."""
    pending = pending_among(_issue_answers(c))
    if not pending:
        return []
    first = pending[0]
    if first.state == ReplyState.IN_REVIEW:
        stage = STAGE_LABELS.get(first.pending_stage, STAGE_LABELS["qm"])
        text = _("第 %(number)s 份单项答复等待%(stage)s审核；审核通过并发送后才能提交或发送最终答复。")
        return [str(text) % {"number": first.number, "stage": stage}]
    text = _("第 %(number)s 份单项答复已审核通过，等待发送给顾客；发送后才能提交或发送最终答复。")
    return [str(text) % {"number": first.number}]


def review_route_text(c) -> str:
    """The review a draft will pass after it is submitted (R-HDL-3), for the reply panel."""
    route = workflow.REVIEW_ROUTES.get(c.method, ())
    if not route:
        return str(_("口头受理（电话、来访）的答复无需审核，可直接发送。"))
    stages = " → ".join(str(STAGE_LABELS[s]) for s in route)
    return str(_("提交后须经审核：%(stages)s。")) % {"stages": stages}


def reply_in_hand(c) -> Reply | None:
    """The reply not yet sent (the draft being written, reviewed or waiting to be sent), newest first."""
    return Reply.objects.filter(complaint=c).exclude(state=ReplyState.SENT).order_by("-number").first()
