"""The complaint lifecycle as a plain data table: (state, action) → next state, and who may.

`ACTIONS[action]` lists the states it may start from, the states it may lead to (one, or a few when the
outcome depends on input, e.g. verification pass/fail), and the roles that may take it. Scope (which
office / department / company) is checked in `complaints.access`; this table only says which role.
`apply_transition()` is the one place a complaint's state is changed. `docs/workflow.md` is rendered
from this table by `manage.py workflow_diagram`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from docket.accounts.models import Role
from docket.core.errors import DomainError

from .models.choices import IssueState, State

S = State
R = Role

ACTIVE = frozenset(
    {
        S.REGISTERED,
        S.ASSIGNED,
        S.INVESTIGATING,
        S.WITH_DEVELOPER,
        S.IN_REVIEW,
        S.REPLY_APPROVED,
        S.REPLIED,
        S.NEGOTIATING,
        S.IMPLEMENTING,
        S.VERIFYING,
        S.QM_VERIFYING,
        S.FOLLOW_UP,
    }
)
ALL_STATES = frozenset(S)

# Role groups, named for what they are in the seed.
HANDLERS = frozenset({R.DEPT_SUPERVISOR, R.DEPT_MANAGER, R.OFFICE_MANAGER, R.QM})
SUPERVISOR_AND_ABOVE = frozenset({R.DEPT_SUPERVISOR, R.DEPT_MANAGER, R.OFFICE_MANAGER, R.QM})  # R-HDL-10
FRONT = frozenset({R.RECEPTION})
STAFF = frozenset(
    {
        R.RECEPTION,
        R.DEPT_STAFF,
        R.DEPT_SUPERVISOR,
        R.DEPT_MANAGER,
        R.OFFICE_MANAGER,
        R.QM,
        R.GENERAL_OFFICE,
        R.MGMT_REP,
        R.LEADERSHIP,
    }
)


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    sources: frozenset[str]
    targets: frozenset[str] | None  # None: the state does not change
    roles: frozenset[str]
    # After escalation to the company (R-HDL-5) office and department roles may no longer handle the
    # complaint; the few actions they still may take (verifying what was done on site, notes) say so.
    office_after_escalation: bool = False
    # Actions that belong to one issue: department roles may take them only for their own issue.
    per_issue: bool = False
    # The handling department's own steps (seed 5.2.2.3, 5.2.3.1–5.2.3.2, document 5 §4.3: the responsible
    # department accepts, contacts the complainant, investigates on site, drafts the reply and carries out the
    # measures), which QM reviews, verifies and follows up. QM takes them only on a complaint it handles
    # itself: held by its own department or escalated to the company (5.2.3.5; `access._acts`).
    handling_step: bool = False
    # The service (a function of `complaints.services`) that takes the action, for actions whose page form
    # and API body need nothing beyond their declared inputs (`services/inputs.py`): such an action needs
    # no form class of its own (`forms.ACTION_FORMS` derives one).
    service: str = ""
    # Who takes it: staff (people, integration keys and mailboxes, holding the roles above) or the
    # complainant themselves (no account, no role: the receipt check or the owners' portal proved who they
    # are; `services._base.system_acting` checks this column). Values of `actors.ActorKind`.
    actors: frozenset[str] = frozenset({"staff"})
    # The person named 责任人 at 派单 or 转派 takes it too, whatever their role in the holder department (seed
    # 5.2.2.4: the complaint goes to 责任部门负责人(或指定岗位), who handles it; the named staff member is that
    # designated post). `access._acts`.
    named_holder: bool = False


def _a(name, label, sources, targets, roles, **kw) -> Action:
    if "actors" in kw:
        kw["actors"] = frozenset(kw["actors"])
    return Action(
        name=name,
        label=label,
        sources=frozenset(sources),
        targets=None if targets is None else frozenset(targets),
        roles=frozenset(roles),
        **kw,
    )


COMPLAINANT = frozenset({"complainant"})


_ACTIONS = [
    # Intake (R-INT-10) ---------------------------------------------------------------------------
    _a(
        "close_on_spot",
        _("现场处理完毕"),
        {S.REGISTERED},
        {S.CLOSED},
        FRONT | {R.DEPT_SUPERVISOR, R.DEPT_MANAGER, R.OFFICE_MANAGER, R.QM},
    ),
    # Seed 5.2.3.3.1: the QM information officer passes an online complaint on at once (the intake's mail to
    # the office, `online_alerted`) and phones the office manager or the designated post: the call on the
    # record, while the office has not yet taken it on (docs/decisions.md "officer8"). Its form is written by
    # hand (forms.OfficeCallForm: the office's people); the service refuses other than online complaints.
    _a(
        "office_call_record",
        _("记录电话通知管理处"),
        {S.REGISTERED, S.ASSIGNED},
        None,
        {R.QM_INFO_OFFICER},
    ),
    # Hand-over (R-HDL-1, R-EXP-6) ----------------------------------------------------------------
    _a("assign", _("派单"), {S.REGISTERED}, {S.ASSIGNED}, FRONT | {R.OFFICE_MANAGER, R.QM, R.MGMT_REP}),
    _a("accept", _("接单"), {S.ASSIGNED}, {S.INVESTIGATING}, HANDLERS, handling_step=True, named_holder=True),
    _a("transfer", _("转派"), {S.ASSIGNED, S.INVESTIGATING}, {S.ASSIGNED}, HANDLERS | {R.MGMT_REP}),
    _a("refuse", _("退回（非本部门）"), {S.ASSIGNED}, {S.REGISTERED}, {R.DEPT_SUPERVISOR, R.DEPT_MANAGER}),
    # The seed's procedure (issue 15): first contact (document 5 §4.3, R-PRC-4) ------------------------
    _a(
        "first_contact_record",
        _("记录首次联系顾客"),
        {S.INVESTIGATING, S.WITH_DEVELOPER, S.IN_REVIEW, S.REPLY_APPROVED},
        None,
        HANDLERS | {R.DEPT_STAFF},
        handling_step=True,
        service="first_contact_record",
    ),
    # Investigation (R-HDL-2) ---------------------------------------------------------------------
    _a(
        "issue_findings_record",
        _("记录调查情况与措施"),
        {S.INVESTIGATING, S.NEGOTIATING},
        None,
        HANDLERS | {R.DEPT_STAFF},
        per_issue=True,
        handling_step=True,
    ),
    _a(
        "forward_to_developer",
        _("转地产处理"),
        {S.INVESTIGATING, S.NEGOTIATING},
        {S.WITH_DEVELOPER},
        HANDLERS,
    ),
    _a("developer_answer_record", _("记录地产答复"), {S.WITH_DEVELOPER}, {S.INVESTIGATING}, HANDLERS | FRONT),
    _a(
        "explanation_record",
        _("记录解释说明（无理投诉）"),
        {S.INVESTIGATING, S.REPLIED, S.NEGOTIATING},
        None,
        HANDLERS,
    ),
    # Reply and review (R-HDL-2, R-HDL-3) ---------------------------------------------------------
    _a(
        "reply_draft_save",
        _("保存答复草稿"),
        {S.INVESTIGATING, S.NEGOTIATING},
        None,
        HANDLERS,
        handling_step=True,
    ),
    _a(
        "reply_submit",
        _("提交审核"),
        {S.INVESTIGATING, S.NEGOTIATING},
        {S.IN_REVIEW},
        HANDLERS,
        handling_step=True,
    ),
    _a(
        "reply_review_approve",
        _("审核通过"),
        {S.IN_REVIEW},
        {S.IN_REVIEW, S.REPLY_APPROVED},
        {R.QM, R.GENERAL_OFFICE},
    ),
    _a("reply_review_return", _("退回修改"), {S.IN_REVIEW}, {S.INVESTIGATING}, {R.QM, R.GENERAL_OFFICE}),
    _a(
        "reply_send",
        _("发送答复"),
        {S.INVESTIGATING, S.NEGOTIATING, S.REPLY_APPROVED},
        {S.REPLIED},
        HANDLERS | FRONT,
    ),
    # The complainant's answer (R-HDL-4) ----------------------------------------------------------
    _a("complainant_agree", _("顾客同意"), {S.REPLIED, S.NEGOTIATING}, {S.IMPLEMENTING}, HANDLERS | FRONT),
    _a("complainant_disagree", _("顾客不同意"), {S.REPLIED}, {S.NEGOTIATING}, HANDLERS | FRONT),
    _a("negotiation_round_record", _("记录协商"), {S.NEGOTIATING}, None, HANDLERS | FRONT),
    # Measures and verification (R-HDL-4, R-HDL-10) -----------------------------------------------
    # Follow-up at once when no issue is left to verify (all closed after the developer's answers; seed3).
    _a(
        "measures_done",
        _("措施已落实"),
        {S.IMPLEMENTING},
        {S.VERIFYING, S.FOLLOW_UP},
        HANDLERS | {R.DEPT_STAFF},
        handling_step=True,
    ),
    _a(
        "issue_verify",
        _("验证"),
        {S.VERIFYING},
        {S.VERIFYING, S.QM_VERIFYING, S.FOLLOW_UP, S.IMPLEMENTING},
        SUPERVISOR_AND_ABOVE,
        office_after_escalation=True,
        per_issue=True,
    ),
    # The seed's procedure (issue 15): QM verifies after the office, and may re-assess the measures (5.2.3.6).
    _a(
        "qm_verify",
        _("品质部验证"),
        {S.QM_VERIFYING},
        {S.FOLLOW_UP, S.IMPLEMENTING, S.INVESTIGATING},
        {R.QM},
        service="qm_verify",
    ),
    # Follow-up (R-HDL-11) ------------------------------------------------------------------------
    _a("follow_up_record", _("回访"), {S.FOLLOW_UP}, {S.CLOSED}, FRONT | {R.OFFICE_MANAGER, R.QM}),
    _a("follow_up_attempt", _("记录回访未接通"), {S.FOLLOW_UP}, None, FRONT | {R.OFFICE_MANAGER, R.QM}),
    _a("follow_up_exempt", _("免回访结案"), {S.FOLLOW_UP}, {S.CLOSED}, FRONT | {R.OFFICE_MANAGER, R.QM}),
    # Escalation and endings (R-HDL-5, R-HDL-9, R-EXP-5) ------------------------------------------
    _a(
        "escalate_to_qm",
        _("上报品质管理部"),
        {
            S.REGISTERED,
            S.ASSIGNED,
            S.INVESTIGATING,
            S.WITH_DEVELOPER,
            S.REPLIED,
            S.NEGOTIATING,
            S.IMPLEMENTING,
        },
        {S.INVESTIGATING},
        {R.OFFICE_MANAGER, R.DEPT_MANAGER},
    ),
    _a(
        "close_unclosed",
        _("作未关闭处理"),
        {S.INVESTIGATING, S.WITH_DEVELOPER, S.REPLIED, S.NEGOTIATING, S.IMPLEMENTING},
        {S.UNCLOSED},
        {R.OFFICE_MANAGER, R.QM, R.LEADERSHIP},
    ),
    _a("withdraw", _("撤回"), ACTIVE, {S.WITHDRAWN}, FRONT | {R.OFFICE_MANAGER, R.QM}),
    # The seed's procedure (issue 15): an unclosed complaint's complainant keeps hearing of progress until a
    # final ending (5.2.5.2); leadership gives its handling opinion on what could not be handled (docs 3/4 §3).
    _a(
        "progress_update_send",
        _("向顾客通报进展"),
        {S.UNCLOSED},
        None,
        FRONT | {R.OFFICE_MANAGER, R.QM, R.LEADERSHIP},
        service="progress_update_send",
    ),
    _a(
        "unclosed_conclude",
        _("终结未关闭投诉"),
        {S.UNCLOSED},
        None,
        {R.OFFICE_MANAGER, R.QM, R.LEADERSHIP},
        service="unclosed_conclude",
    ),
    _a(
        "leadership_opinion_request",
        _("提请领导处理意见"),
        ACTIVE | {S.UNCLOSED},
        None,
        {R.QM, R.OFFICE_MANAGER, R.MGMT_REP},
        office_after_escalation=True,
        service="leadership_opinion_request",
    ),
    _a(
        "leadership_opinion_record",
        _("领导处理意见"),
        ACTIVE | {S.UNCLOSED},
        None,
        {R.LEADERSHIP},
        service="leadership_opinion_record",
    ),
    # Deadlines (R-SLA-2, R-EXP-5, R-EXP-8) --------------------------------------------------------
    _a("acknowledge_send", _("礼节性回复"), ACTIVE, None, HANDLERS | FRONT),
    _a(
        "clock_pause",
        _("暂停计时"),
        {S.INVESTIGATING, S.WITH_DEVELOPER, S.REPLIED, S.NEGOTIATING, S.IMPLEMENTING},
        None,
        HANDLERS | FRONT,
    ),
    _a(
        "clock_resume",
        _("恢复计时"),
        {S.INVESTIGATING, S.WITH_DEVELOPER, S.REPLIED, S.NEGOTIATING, S.IMPLEMENTING},
        None,
        HANDLERS | FRONT,
    ),
    _a(
        "forwarder_reply_record",
        _("记录对转交单位的答复"),
        ACTIVE | {S.CLOSED, S.UNCLOSED, S.WITHDRAWN},
        None,
        {R.QM, R.OFFICE_MANAGER},
        office_after_escalation=True,
    ),
    # Hot and major (R-ESC-3 by hand; reports to the group R-ESC-1/2) ------------------------------
    _a(
        "severity_raise",
        _("升级为热点/重大投诉"),
        ACTIVE,
        None,
        {R.QM, R.OFFICE_MANAGER, R.LEADERSHIP},
        office_after_escalation=True,
    ),
    _a("group_report_record", _("记录向集团报告"), ALL_STATES - {S.WITHDRAWN}, None, {R.QM, R.LEADERSHIP}),
    # --- escalation (issue 12): the facts the rules read, the reports they owe (docket/escalation) ---
    _a(
        "risk_facts_record",
        _("记录诉讼/媒体/集体投诉情况"),
        ACTIVE,
        None,
        HANDLERS | FRONT | {R.LEADERSHIP},
        office_after_escalation=True,
    ),
    _a("fault_record", _("认定是否属我方原因"), ACTIVE, None, {R.QM}),
    _a(
        "major_incident_record",
        _("记录重大事件（安全隐患/群体性事件）"),
        ACTIVE,
        None,
        {R.QM, R.OFFICE_MANAGER, R.LEADERSHIP},
        office_after_escalation=True,
    ),
    _a(
        "authority_report_record",
        _("记录向区物业主管部门报告"),
        ACTIVE,
        None,
        {R.QM, R.OFFICE_MANAGER, R.LEADERSHIP},
        office_after_escalation=True,
    ),
    _a("closing_report_record", _("提交热点案例/重大专题报告"), {S.CLOSED, S.UNCLOSED}, None, {R.QM}),
    # --- end escalation ---
    # Side records (no state change) ----------------------------------------------------------------
    _a(
        "ncr_issue",
        _("签发不合格/纠正预防措施报告"),
        ALL_STATES - {S.WITHDRAWN},
        None,
        {R.MGMT_REP},
        office_after_escalation=True,
    ),
    _a("compensation_claim_record", _("记录索赔"), ACTIVE, None, HANDLERS | FRONT),
    _a(
        "compensation_decide",
        _("审批赔偿"),
        ACTIVE,
        None,
        {R.DEPT_MANAGER, R.OFFICE_MANAGER, R.QM, R.LEADERSHIP},
    ),
    _a(
        "compensation_escalate",
        _("赔偿上报"),
        ACTIVE,
        None,
        {R.DEPT_MANAGER, R.OFFICE_MANAGER, R.QM, R.LEADERSHIP},
    ),
    _a("note_add", _("添加内部备注"), ALL_STATES, None, STAFF, office_after_escalation=True),
    # R-EXP-4: a chase the complainant made by phone or at the desk, recorded by whoever took it (the
    # complainant's own chase through the receipt check is `complainant_chase`, with no staff actor).
    _a("chase_record", _("记录顾客催办"), ACTIVE, None, FRONT | HANDLERS, office_after_escalation=True),
    # Personal data (R-EXP-12, PIPL art. 46): the complainant's contact details corrected at their request.
    _a(
        "complainant_correct",
        _("更正顾客联系信息"),
        ALL_STATES,
        None,
        FRONT | {R.OFFICE_MANAGER, R.QM},
        office_after_escalation=True,
        service="complainant_details_correct",
    ),
    _a(
        "attachment_add",
        _("添加附件"),
        ACTIVE,
        None,
        STAFF - {R.GENERAL_OFFICE, R.LEADERSHIP},
        office_after_escalation=True,
    ),
    # The complainant's own answers (R-HDL-4, R-EXP-3), through the receipt check or the owners' portal:
    # the same moves staff record on their behalf (complainant_agree/disagree), taken by the owner. The owner
    # agrees with a reply waiting for their answer (seed 5.2.3.4); once they disagreed, the office negotiates
    # and either records the agreement reached (complainant_agree) or sends a new reply the owner answers.
    _a("owner_agree", _("同意答复"), {S.REPLIED}, {S.IMPLEMENTING}, (), actors=COMPLAINANT),
    _a("owner_disagree", _("不同意答复"), {S.REPLIED}, {S.NEGOTIATING}, (), actors=COMPLAINANT),
    # --- portal answers (issue 11) ----------------------------------------------------------------------
    # The owner's rating of the follow-up on the seed's three points (5.2.5.3): online it IS the follow-up
    # (网上回帖/调查问卷), so in follow-up it closes the complaint; after closure it stands beside the visit.
    _a("owner_rate", _("评价处理"), {S.FOLLOW_UP, S.CLOSED}, {S.CLOSED}, (), actors=COMPLAINANT),
    _a("owner_add_info", _("补充信息或照片"), ACTIVE, None, (), actors=COMPLAINANT),
    _a("owner_withdraw", _("撤回投诉"), ACTIVE, {S.WITHDRAWN}, (), actors=COMPLAINANT),  # R-EXP-5
    _a("owner_review_request", _("申请二次复核"), {S.CLOSED, S.UNCLOSED}, None, (), actors=COMPLAINANT),
    # R-EXP-10: decided in writing by QM or a post other than the first handler (the service refuses them).
    # Its form is written by hand (forms.SecondReviewDecideForm: the departments a reopening may go to).
    _a(
        "second_review_decide",
        _("二次复核决定"),
        {S.CLOSED, S.UNCLOSED},
        {S.CLOSED, S.UNCLOSED, S.INVESTIGATING},
        {R.QM, R.OFFICE_MANAGER, R.MGMT_REP, R.LEADERSHIP},
        office_after_escalation=True,
    ),
    # Seed 5.2.2.3 / 5.2.3.2: a reply time agreed with the owner replaces the reply deadline.
    _a(
        "reply_time_agree",
        _("记录与业主约定的答复时间"),
        {S.REGISTERED, S.ASSIGNED, S.INVESTIGATING, S.WITH_DEVELOPER, S.IN_REVIEW, S.REPLY_APPROVED},
        None,
        HANDLERS | FRONT,
        service="reply_time_agree",
    ),
    # R-EXP-3: a reply the owner has not answered for the company's number of days closes itself.
    # R-EXP-3 with seed 5.2.3.4 / 5.2.3.6: the owner's silence after the reply is taken as agreement. The
    # measures the reply promised are still carried out and verified (implementing); it closes at once only
    # when nothing is left to carry out (docs/decisions.md "silentowner").
    _a(
        "auto_close",
        _("超期未答复视为同意"),
        {S.REPLIED},
        {S.CLOSED, S.IMPLEMENTING},
        (),
        actors={"system"},
    ),
    # seed part 2 (issue 15) ------------------------------------------------------------------------------
    # 5.2.4.2: the outcome of an escalated claim (费用报批 / 重大业务审批, or the developer's centre).
    _a(
        "compensation_outcome_record",
        _("记录索赔审批结果"),
        ALL_STATES - {S.WITHDRAWN},
        None,
        {R.DEPT_MANAGER, R.OFFICE_MANAGER, R.QM, R.LEADERSHIP},
    ),
    # Document 5 §4.3–4.4: a department fills in the 不合格/纠正、预防措施报告, the management representative
    # signs it, corrective and preventive actions are assigned, carried out, verified, and the report closed.
    _a(
        "ncr_draft",
        _("填写不合格/纠正预防措施报告"),
        ALL_STATES - {S.WITHDRAWN},
        None,
        HANDLERS,
        office_after_escalation=True,
    ),
    _a(
        "ncr_sign",
        _("签发部门报告"),
        ALL_STATES - {S.WITHDRAWN},
        None,
        {R.MGMT_REP},
        office_after_escalation=True,
    ),
    _a(
        "capa_assign",
        _("下达纠正/预防措施"),
        ALL_STATES - {S.WITHDRAWN},
        None,
        {R.MGMT_REP, R.QM},
        office_after_escalation=True,
    ),
    _a(
        "capa_done",
        _("报告纠正/预防措施已落实"),
        ALL_STATES - {S.WITHDRAWN},
        None,
        HANDLERS | {R.DEPT_STAFF},
        office_after_escalation=True,
    ),
    _a(
        "capa_verify",
        _("验证纠正/预防措施"),
        ALL_STATES - {S.WITHDRAWN},
        None,
        {R.MGMT_REP, R.QM},
        office_after_escalation=True,
    ),
    _a(
        "ncr_close",
        _("关闭报告"),
        ALL_STATES - {S.WITHDRAWN},
        None,
        {R.MGMT_REP},
        office_after_escalation=True,
    ),
    # seed3 (issue 15, R-INT-5): one letter's issues answered, forwarded and closed one by one while the
    # letter stays one complaint; the final reply (reply_*) covers them all. None moves the complaint; the
    # issue's own moves are ISSUE_MOVES below.
    _a(
        "issue_answer_submit",
        _("单项答复（提交）"),
        {S.INVESTIGATING, S.WITH_DEVELOPER, S.NEGOTIATING},
        None,
        HANDLERS,
        handling_step=True,
        service="issue_answer_submit",
    ),
    _a(
        "issue_answer_review",
        _("审核单项答复"),
        {S.INVESTIGATING, S.WITH_DEVELOPER, S.NEGOTIATING},
        None,
        {R.QM, R.GENERAL_OFFICE},
        service="issue_answer_review",
    ),
    _a(
        "issue_answer_send",
        _("发送单项答复"),
        {S.INVESTIGATING, S.WITH_DEVELOPER, S.NEGOTIATING},
        None,
        HANDLERS | FRONT,
        service="issue_answer_send",
    ),
    _a(
        "issue_forward_to_developer",
        _("单项转地产处理"),
        {S.INVESTIGATING},
        None,
        HANDLERS,
        service="issue_forward_to_developer",
    ),
    # Also while implementing: measures_done waits for the developer's answers (docs/decisions.md "devissues").
    _a(
        "issue_developer_answer_record",
        _("记录地产对单项问题的答复"),
        {S.INVESTIGATING, S.WITH_DEVELOPER, S.IMPLEMENTING},
        None,
        HANDLERS | FRONT,
        service="issue_developer_answer_record",
    ),
]

ACTIONS: dict[str, Action] = {a.name: a for a in _ACTIONS}

# seed3 (issue 15, R-INT-5): how one issue's state moves, by the action that moves it. The services read their
# rows (`issue_sources`, `issue_check`): an issue in no source state of the action's rows is refused, or —
# for the moves an action makes on every issue of the complaint — left where it is, so the table and the
# services cannot disagree (docs/decisions.md "issuemoves"). An issue is closed on its own when an issue answer
# naming it was sent to the complainant and its work is over: verified on site, or answered by the developer
# it was forwarded to. Issues never answered on their own end verified, covered by the final reply.
_I = IssueState
ISSUE_MOVES: tuple[tuple[str, frozenset[str], str], ...] = (
    # Findings on an issue whose work has ended (measures done, verified, closed, withdrawn) are refused.
    ("issue_findings_record", frozenset({_I.OPEN, _I.REWORK, _I.INVESTIGATED}), _I.INVESTIGATED),
    # A forwarded issue's findings are recorded, but it keeps waiting for the developer (devissues).
    ("issue_findings_record", frozenset({_I.FORWARDED}), _I.FORWARDED),
    ("issue_forward_to_developer", frozenset({_I.OPEN, _I.INVESTIGATED}), _I.FORWARDED),
    # The answer to a forward of an issue in another state (findings written over it before devissues) is
    # recorded and ends the wait, but moves nothing.
    ("issue_developer_answer_record", frozenset({_I.FORWARDED}), _I.INVESTIGATED),
    ("issue_answer_send", frozenset({_I.INVESTIGATED}), _I.CLOSED),  # the developer has answered it
    ("issue_answer_send", frozenset({_I.VERIFIED}), _I.CLOSED),  # verified on site (as issue_verify closes)
    # The service moves exactly these (handling.MEASURES_OWED); an issue still waiting for the developer
    # (forwarded, its forward unanswered) is never moved: the report is refused until the developer answered.
    ("measures_done", frozenset({_I.OPEN, _I.INVESTIGATED, _I.REWORK}), _I.MEASURES_DONE),
    ("issue_verify", frozenset({_I.MEASURES_DONE}), _I.VERIFIED),
    ("issue_verify", frozenset({_I.MEASURES_DONE}), _I.CLOSED),  # already answered
    ("issue_verify", frozenset({_I.MEASURES_DONE}), _I.REWORK),
    # 5.2.3.6: QM sends back what the office verified (a closed issue only if verified: never one closed after
    # the developer's answer), without the office's passed verification (services.closing.issues_moved).
    ("qm_verify", frozenset({_I.VERIFIED, _I.CLOSED}), _I.REWORK),
    ("qm_verify", frozenset({_I.VERIFIED, _I.CLOSED}), _I.OPEN),
    (
        "withdraw",
        frozenset({_I.OPEN, _I.INVESTIGATED, _I.FORWARDED, _I.MEASURES_DONE, _I.REWORK}),
        _I.WITHDRAWN,
    ),
    # R-INT-10: resolved at intake, its issues end with it.
    ("close_on_spot", frozenset({_I.OPEN}), _I.CLOSED),
    # R-EXP-10: a second-stage review that reopens a complaint (closed however, or unclosed) has it handled
    # again as a whole: every issue whose work had ended is open again (issues still in work keep theirs).
    ("second_review_decide", frozenset({_I.VERIFIED, _I.CLOSED}), _I.OPEN),
)


def issue_sources(action: str) -> frozenset[str]:
    """Every issue state `action` takes an issue from: the sources of its rows in ISSUE_MOVES."""
    rows = [sources for name, sources, _target in ISSUE_MOVES if name == action]
    if not rows:
        raise KeyError(f"{action} has no row in ISSUE_MOVES")
    return frozenset().union(*rows)


def issue_check(issue, action: str) -> frozenset[str]:
    """The states `action` may move `issue` to from its state (its rows in ISSUE_MOVES); refused with
    `invalid_transition` (naming the issue and its state) when no row takes it from there."""
    targets = frozenset(t for name, sources, t in ISSUE_MOVES if name == action and issue.state in sources)
    if not targets:
        raise DomainError(
            "invalid_transition",
            state=f"问题{issue.seq}：{IssueState(issue.state).label}",
            action=ACTIONS[action].label,
        )
    return targets


# The rows staff take (and the workbench offers); the others are the complainant's own.
STAFF_ACTIONS: dict[str, Action] = {n: a for n, a in ACTIONS.items() if "staff" in a.actors}

# Which review stages a reply must pass before it goes out, by intake method (R-HDL-3):
# email → QM; written (letter, fax, government forwards) → QM then the general office; online → QM
# approves before it is published; oral (phone, visit) → none.
REVIEW_ROUTES: dict[str, tuple[str, ...]] = {
    "phone": (),
    "visit": (),
    "email": ("qm",),
    "online": ("qm",),
    "letter": ("qm", "general_office"),
    "fax": ("qm", "general_office"),
    "government_forward": ("qm", "general_office"),
    "developer_forward": ("qm",),
}


# The seed's procedure (issue 15), 5.2.3.6: "对于上交到或直接投诉到公司、网上的投诉" the office verifies on
# site and reports to the company, then QM verifies. Company-level: escalated to QM (level), or arrived at
# the company, the group or through government (5.2.2.6: QM records and follows those); online: filed on
# the website/app, by channel or by method.
TWO_LEVEL_CHANNELS = frozenset({"company", "group", "government", "online"})


def needs_qm_verification(complaint) -> bool:
    """Whether the office's verification is followed by QM's (seed 5.2.3.6)."""
    return (
        complaint.level == "company"
        or complaint.channel in TWO_LEVEL_CHANNELS
        or complaint.method == "online"
    )


def check(state: str, action: str) -> Action:
    """The action's row, if it may start from `state`; else DomainError('invalid_transition')."""
    spec = ACTIONS[action]
    if state not in spec.sources:
        raise DomainError("invalid_transition", state=State(state).label, action=spec.label)
    return spec


def apply_transition(complaint, action: str, target: str | None = None) -> str:
    """Move `complaint` by `action`. `target` picks among several allowed outcomes; it must be one of them.

    Returns the old state. Only services call this, inside their transaction, with the row locked.
    """
    spec = check(complaint.state, action)
    old = complaint.state
    if spec.targets is None:
        if target not in (None, old):
            raise ValueError(f"{action} does not change the state")
        return old
    if target is None:
        if len(spec.targets) != 1:
            raise ValueError(f"{action} needs an explicit target among {sorted(spec.targets)}")
        (target,) = spec.targets
    if target not in spec.targets:
        raise ValueError(f"{action} cannot lead to {target}")
    complaint.state = target
    return old
