"""What each workflow action takes as input, declared once (issue "One vocabulary for the complaint
domain"). The staff workbench's Django forms (`complaints.forms`) and the API's request bodies
(`api.schemas.actions`) are both derived from these declarations, so a field's name, type, whether it is
required, its length limit and its choices are the same on the page and in the API; a widget or a label
changed on the page cannot change the API's contract.

Also here: the length limits of the intake record (page and API share them; where the model has a
`max_length` it is the same number, a test checks) and the messages every validation problem shows, keyed
by a stable code (Django's own codes: `required`, `max_length`, `invalid_choice` …), used by the forms and
by the API's 422 answers alike.

Pure data: no Django forms and no pydantic here (services import nothing of the interfaces).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from ..models import (
    CapaKind,
    ClaimOutcome,
    ContactMethod,
    Exemption,
    FollowUpMethod,
    FollowUpRating,
    ProjectPhase,
    QmDecision,
    Severity,
    UnclosedOutcome,
)

# --- length limits (one set for the page, the API and the model) -------------------------------------

TEXT_MAX = 20000  # any free text: a description, findings, a reply, a note …
SUBJECT_MAX = 200  # Complaint.subject
NAME_MAX = 50  # Complaint.complainant_name, CoSigner.name, CoSigner.room
PHONE_MAX = 20  # Complaint.complainant_phone, CoSigner.phone
ADDRESS_MAX = 200  # Complaint.complainant_address, Complaint.location
EMAIL_MAX = 200  # Complaint.complainant_email
REF_MAX = 64  # Complaint.forwarder_ref, DeveloperForward.their_ref
ISSUE_MAX = 500  # ComplaintIssue.summary
PAUSE_REASON_MAX = 200  # Complaint.pause_reason
ATTEMPT_NOTE_MAX = 500  # a failed follow-up call, recorded in the event
RECEIVED_REASON_MAX = 200  # why a letter is recorded with an earlier received time
PEOPLE_MAX = 100000  # Complaint.people_count
ISSUES_MAX_COUNT = 50  # issues listed at intake
COSIGNERS_MAX_COUNT = 500
ATTACHMENTS_MAX_COUNT = 20  # files attached at intake

# --- messages per stable code (pages and API) ----------------------------------------------------------
# Templates use Django's %-style parameters, so a form field's `error_messages` can take them as they are.
MESSAGES: dict[str, Any] = {
    "required": _("这个字段是必填项。"),
    "max_length": _("不能超过 %(limit_value)s 个字符（现有 %(show_value)s 个）。"),
    "min_length": _("至少需要 %(limit_value)s 个字符。"),
    "max_items": _("最多 %(limit_value)s 项。"),
    "invalid_choice": _("请选择有效的选项。"),
    "invalid": _("格式不正确。"),
    "invalid_integer": _("请输入整数。"),
    "invalid_number": _("请输入数字。"),
    "invalid_boolean": _("请输入 true 或 false。"),
    "invalid_text": _("请输入文本。"),
    "invalid_datetime": _("请输入有效的时间，例如 2026-12-04T09:30:00+08:00。"),
    "invalid_object": _("格式不正确，应为对象。"),
    "invalid_list": _("格式不正确，应为列表。"),
    "min_value": _("不能小于 %(limit_value)s。"),
    "max_value": _("不能大于 %(limit_value)s。"),
    "max_digits": _("总位数不能超过 %(max)s 位。"),
    "max_decimal_places": _("小数不能超过 %(max)s 位。"),
    "max_whole_digits": _("整数部分不能超过 %(max)s 位。"),
    "unknown_field": _("不认识的字段。"),
    "null_characters_not_allowed": _("不能包含空字符（NUL）。"),
    "unencodable": _("包含无法编码的字符。"),
    "datetime_out_of_range": _("时间须在 2000 年至 2100 年之间。"),
    "invalid_base64": _("不是有效的 base64 编码。"),
}

# The codes a form field's `error_messages` takes from MESSAGES (Django's message is replaced; its zh-Hans
# text for a NUL byte, "不允许是用空字符串", is wrong).
FORM_MESSAGE_CODES = (
    "required",
    "max_length",
    "min_length",
    "invalid_choice",
    "min_value",
    "max_value",
    "max_digits",
    "max_decimal_places",
    "max_whole_digits",
    "null_characters_not_allowed",
)


def message(code: str, **params: object) -> str:
    """The message of a validation code, with its parameters (Chinese by default)."""
    template = str(MESSAGES.get(code, MESSAGES["invalid"]))
    try:
        return template % params
    except (KeyError, TypeError, ValueError):
        return template


# --- field declarations ----------------------------------------------------------------------------

# Kinds of input. `ref` is the id of a row that depends on the complaint and the caller (an issue, a
# department, a claim …): the page offers those rows as choices, the API takes the id; both check it
# against the same list.
# seed3 (issue 15): `refs`, several ids of rows that depend on the complaint (the issues an answer names).
REFS = "refs"
TEXT, LINE, REF, CHOICE, YES_NO, CHECK, DECIMAL, DATETIME, FILE, ISSUE_MAP = (
    "text",  # multi-line text
    "line",  # one line of text
    "ref",
    "choice",  # one of fixed choices (str or int keys)
    "yes_no",  # a decision between two labelled answers (True/False), shown as radio buttons
    "check",  # a checkbox: absent means False
    "decimal",
    "datetime",
    "file",
    "issue_map",  # per-issue overrides {issue id: department id} (assign)
)


@dataclass(frozen=True)
class In:
    """One input field of an action. `rows` is a hint for the page only (never part of the API)."""

    kind: str
    label: Any
    required: bool = True
    max_length: int | None = None
    choices: tuple[tuple[Any, Any], ...] = ()
    help: Any = ""
    rows: int = 4
    initial: Any = None
    min_value: Any = None
    max_digits: int | None = None
    decimal_places: int | None = None
    radio: bool = False  # page only: show the choices as radio buttons

    @property
    def limit(self) -> int | None:
        """The length limit of a text input (free text defaults to TEXT_MAX)."""
        if self.kind in (TEXT, LINE):
            return self.max_length or TEXT_MAX
        return self.max_length


def text(label, *, required=True, rows=4, initial=None, max_length=TEXT_MAX, help="") -> In:
    return In(TEXT, label, required, max_length, rows=rows, initial=initial, help=help)


def line(label, *, max_length: int, required=True, help="") -> In:
    return In(LINE, label, required, max_length, help=help)


def ref(label, *, required=True, help="") -> In:
    return In(REF, label, required, help=help)


def choice(label, choices, *, required=True, initial=None, help="", radio=False) -> In:
    return In(CHOICE, label, required, choices=tuple(choices), initial=initial, help=help, radio=radio)


def yes_no(label, yes, no) -> In:
    return In(YES_NO, label, True, choices=((True, yes), (False, no)), radio=True)


SATISFACTION = (
    (5, _("5 非常满意")),
    (4, _("4 满意")),
    (3, _("3 一般")),
    (2, _("2 不满意")),
    (1, _("1 非常不满意")),
)
_DEPARTMENT = ref(_("责任部门"))
_RESPONSIBLE = ref(_("责任人（可选）"), required=False)
_ISSUE = ref(_("问题"))
_CLAIM = ref(_("赔偿申请"))
_FOLLOW_UP_METHOD = choice(_("回访方式"), FollowUpMethod.choices)

# action -> its fields, in the order the page shows them (and the API documents them). Every action of
# workflow.ACTIONS is here; an action without input has an empty declaration. Each body also carries
# `version` (optimistic concurrency), added by the page and the API alike.
ACTION_INPUTS: dict[str, dict[str, In]] = {
    "close_on_spot": {"note": text(_("现场处理情况（顾客已确认满意）"))},
    "assign": {
        "department_id": _DEPARTMENT,
        "responsible_id": _RESPONSIBLE,
        "issue_departments": In(
            ISSUE_MAP,
            _("为各问题另行指定责任部门"),
            required=False,
            help=_("为各问题另行指定责任部门：{问题 id: 部门 id}；未列出的问题随主责部门"),
        ),
    },
    "accept": {},
    # Seed 5.2.3.3.1 (officer8): whom the QM information officer phoned at the office, when, and what was said.
    "office_call_record": {
        "callee_id": ref(_("接电话的管理处经理或指定岗位")),
        "called_at": In(DATETIME, _("通话时间（不填为现在）"), required=False, help=_("不填则记为现在")),
        "note": text(_("通话情况（可选）"), required=False, rows=2),
    },
    "transfer": {
        "department_id": _DEPARTMENT,
        "responsible_id": _RESPONSIBLE,
        "reason": text(_("转派原因"), rows=2),
    },
    "refuse": {"reason": text(_("退回原因（为何不属本部门）"), rows=2)},
    # The seed's procedure (issue 15).
    "first_contact_record": {
        "method": choice(_("联系方式"), ContactMethod.choices, initial=ContactMethod.PHONE),
        "contacted_at": In(DATETIME, _("联系时间（不填为现在）"), required=False, help=_("不填则记为现在")),
        "apologised": yes_no(_("是否首先向顾客道歉"), _("已道歉"), _("未道歉")),
        "no_apology_reason": text(_("未道歉的原因（未道歉时必填）"), required=False, rows=2),
        "summary": text(_("联系情况（对投诉问题所作的解释、约定的处理或答复时间）"), rows=3),
    },
    "issue_findings_record": {
        "issue_id": _ISSUE,
        "findings": text(_("现场调查情况（如实记录，忌猜测）")),
        "measures": text(_("拟定处理措施")),
    },
    "forward_to_developer": {
        "party_id": ref(_("地产客户关系中心")),
        "reason": text(_("转交说明")),
        # Seed 5.2.6.4 (issue 15).
        "project_phase": choice(_("问题所属项目阶段（可选）"), ProjectPhase.choices, required=False),
    },
    "developer_answer_record": {
        "answer": text(_("地产答复")),
        "their_ref": line(_("对方编号"), required=False, max_length=REF_MAX),
    },
    "explanation_record": {"explanation": text(_("向顾客所作的合理、耐心的解释"))},
    "reply_draft_save": {"body": text(_("答复内容（先致歉或致谢；覆盖全部问题；不推卸责任）"), rows=10)},
    "reply_submit": {},
    "reply_review_approve": {"comment": text(_("审核意见（可选）"), required=False, rows=3)},
    "reply_review_return": {"comment": text(_("退回意见"), rows=4)},
    "reply_send": {},
    "complainant_agree": {"note": text(_("顾客意见（可选）"), required=False, rows=2)},
    "complainant_disagree": {"reason": text(_("顾客不同意的理由"), rows=3)},
    "negotiation_round_record": {"summary": text(_("本轮协商情况"))},
    "measures_done": {"note": text(_("措施落实情况"))},
    "issue_verify": {
        "issue_id": _ISSUE,
        "passed": yes_no(_("验证结果"), _("合格"), _("不合格，返工")),
        "note": text(_("验证情况"), rows=3),
    },
    "qm_verify": {
        "decision": choice(_("品质部验证结论"), QmDecision.choices, radio=True),
        "note": text(_("验证情况（核对管理处的验证记录与现场结果）"), rows=3),
    },
    "follow_up_record": {
        "method": _FOLLOW_UP_METHOD,
        # The seed's three points (5.2.5.3, issue 15).
        "process_rating": choice(_("对投诉受理过程的意见"), FollowUpRating.choices, radio=True),
        "measures_rating": choice(_("对处理措施的意见"), FollowUpRating.choices, radio=True),
        "result_rating": choice(_("对处理结果的意见"), FollowUpRating.choices, radio=True),
        "satisfaction": choice(_("总体满意度"), SATISFACTION, radio=True),
        "opinion": text(_("顾客意见"), required=False, rows=3),
        "quality_score": choice(
            _("质检评分（可选）"), [(n, str(n)) for n in range(5, 0, -1)], required=False
        ),
    },
    "follow_up_attempt": {
        "method": _FOLLOW_UP_METHOD,
        "note": line(_("未接通情况（时间、号码、结果）"), max_length=ATTEMPT_NOTE_MAX),
    },
    "follow_up_exempt": {
        "exemption": choice(_("免回访原因"), [c for c in Exemption.choices if c[0] != Exemption.ON_THE_SPOT]),
        "note": text(_("说明（无法联系时写明尝试过的方式）"), required=False, rows=2),
    },
    "escalate_to_qm": {"reason": text(_("上报原因（管理处努力后仍不能解决的情况）"))},
    "close_unclosed": {
        "analysis": text(_("个案专项分析")),
        "mitigation": text(_("已采取的减缓不满措施")),
    },
    "withdraw": {"reason": text(_("撤回原因"), rows=2)},
    "progress_update_send": {
        "method": choice(_("通报方式"), ContactMethod.choices, initial=ContactMethod.PHONE),
        "text": text(_("向顾客通报的进展情况（顾客可见）"), rows=3),
    },
    "unclosed_conclude": {
        "outcome": choice(_("终结情况"), UnclosedOutcome.choices, radio=True),
        "note": text(_("终结说明（顾客可见）"), rows=3),
    },
    "leadership_opinion_request": {
        "question": text(_("提请事项（未能处理的情况、需领导决定的问题）"), rows=3)
    },
    "leadership_opinion_record": {"opinion": text(_("处理意见"), rows=4)},
    "acknowledge_send": {
        "text": text(
            _("礼节性回复（表明投诉已受理）"),
            rows=3,
            initial="您好，感谢您的反映，您的投诉已受理，我们正在核实处理，将尽快给您具体答复。",
        )
    },
    "clock_pause": {
        "reason": line(_("暂停原因（等待顾客或第三方）"), max_length=PAUSE_REASON_MAX),
        "resume_on": In(DATETIME, _("预计恢复时间")),
    },
    "clock_resume": {},
    "forwarder_reply_record": {"text": text(_("对转交单位的答复"))},
    "severity_raise": {
        "severity": choice(
            _("级别"), [(Severity.HOT, Severity.HOT.label), (Severity.MAJOR, Severity.MAJOR.label)]
        ),
        "reason": text(_("升级原因"), rows=2),
    },
    # --- escalation (issue 12); services in docket/escalation/services.py, forms made in its apps.py ---
    "risk_facts_record": {
        "fact": choice(
            _("新的事实"),
            [
                ("lawsuit_filed", _("已提起诉讼")),
                ("media_exposed", _("已被媒体曝光")),
                ("legal_or_media_risk", _("可能引发诉讼或媒体曝光")),
            ],
            required=False,
            radio=True,
            help=_("不选则只更新人数或联名人"),
        ),
        "people_count": In(
            DECIMAL, _("投诉人数（可选）"), False, min_value=1, max_digits=6, decimal_places=0
        ),
        "cosigners": text(_("新增联名人（可选，每行一人：姓名 房号 电话）"), required=False, rows=3),
        "reason": text(_("说明"), rows=2),
    },
    "fault_record": {
        "company_fault": yes_no(
            _("仍未解决是否属我方原因"), _("属我方原因"), _("非我方原因（等待业主或第三方等）")
        ),
        "reason": text(_("认定理由"), rows=2),
    },
    "major_incident_record": {
        "incident": choice(
            _("事件类型"),
            [
                ("safety_hazard", _("安全隐患8小时内难以排除")),
                ("mass_incident", _("群体性突发事件")),
            ],
            radio=True,
        ),
        "note": text(_("情况说明"), rows=3),
    },
    "authority_report_record": {
        "text": text(_("报告内容"), rows=3),
        "reference": line(_("主管部门受理编号（可选）"), max_length=REF_MAX, required=False),
    },
    "closing_report_record": {
        "content": text(_("投诉内容"), rows=3),
        "causes": text(_("产生原因"), rows=3),
        "process_result": text(_("处理过程和结果"), rows=3),
        "lessons": text(_("经验教训"), rows=3),
        "escalation_reason": text(_("事件恶化的原因（重大投诉必填）"), required=False, rows=2),
        "corrective_measures": text(_("纠正措施（重大投诉必填）"), required=False, rows=2),
    },
    # --- end escalation ---
    "group_report_record": {
        "content": text(_("投诉内容"), rows=3),
        "cause": text(_("投诉产生原因分析"), rows=3),
        "handling": text(_("目前处理情况"), rows=3),
        "difficulties": text(_("处理难点"), required=False, rows=2),
        "help_needed": text(_("需协助事项"), required=False, rows=2),
    },
    "ncr_issue": {
        "nonconformity": text(_("不合格事实"), rows=3),
        "cause": text(_("原因分析"), rows=3),
        "corrective_action": text(_("纠正措施"), rows=3),
        "preventive_action": text(_("预防措施"), required=False, rows=3),
    },
    "compensation_claim_record": {
        "amount": In(
            DECIMAL,
            _("索赔金额（元；退房/换房要求可不填）"),
            required=False,
            min_value="0.01",
            max_digits=12,
            decimal_places=2,
        ),
        "description": text(_("索赔内容"), rows=3),
        "involves_construction_or_sales": In(CHECK, _("涉及工程或销售问题"), required=False),
        # seed part 2 (issue 15): 5.2.4.2 退(换)房, a tracked claim for the developer's centre.
        "home_return": In(CHECK, _("退房/换房要求（反馈地产客户关系中心）"), required=False),
    },
    "compensation_decide": {
        "claim_id": _CLAIM,
        "approve": yes_no(_("审批"), _("批准"), _("驳回")),
        "approved_amount": In(
            DECIMAL, _("批准金额（元，可选）"), required=False, max_digits=12, decimal_places=2
        ),
        "note": text(_("审批意见"), rows=2),
    },
    "compensation_escalate": {
        "claim_id": _CLAIM,
        "to_developer": yes_no(_("上报至"), _("地产客户关系中心"), _("公司重大业务审批流程")),
        "note": text(_("上报说明"), rows=2),
    },
    "note_add": {"text": text(_("内部备注（业主看不到）"), rows=3)},
    # The complainant's own answers (receipt check, portal).
    "owner_agree": {"note": text(_("补充说明（可不填）"), required=False, max_length=500, rows=2)},
    "owner_disagree": {"reason": text(_("不同意的理由"), max_length=2000, rows=3)},
    "complainant_correct": {
        "name": line(_("投诉人姓氏/姓名（不改则留空）"), required=False, max_length=NAME_MAX),
        "phone": line(_("联系电话（不改则留空）"), required=False, max_length=PHONE_MAX),
        "email": line(_("电子邮箱（不改则留空）"), required=False, max_length=EMAIL_MAX),
        "address": line(_("地址/房号（不改则留空）"), required=False, max_length=ADDRESS_MAX),
        "reason": line(_("更正原因（如：业主来电更正号码）"), max_length=200),
    },
    "chase_record": {
        "via": choice(
            _("催办方式"),
            [("phone", _("电话")), ("visit", _("来访")), ("email", _("邮件"))],
            initial="phone",
        ),
        "text": text(_("顾客催办内容"), rows=2),
    },
    "attachment_add": {
        "file": In(FILE, _("照片、扫描件或短视频（JPG/PNG/GIF/WEBP/PDF/MP4/MOV/3GP）")),
        "issue_id": ref(_("相关问题（可选）"), required=False),
    },
    # --- portal answers (issue 11) ---
    "owner_rate": {
        "process": choice(_("受理过程"), SATISFACTION, radio=True),
        "measures": choice(_("处理措施"), SATISFACTION, radio=True),
        "result": choice(_("处理结果"), SATISFACTION, radio=True),
        "comment": text(_("您的意见（可不填）"), required=False, max_length=2000, rows=3),
    },
    "owner_add_info": {"text": text(_("补充说明"), required=False, max_length=2000, rows=3)},
    "owner_withdraw": {"reason": text(_("撤回原因"), max_length=2000, rows=2)},
    "owner_review_request": {"reason": text(_("申请复核的理由"), max_length=2000, rows=3)},
    "second_review_decide": {
        "reopen": yes_no(_("复核结论"), _("重新处理"), _("维持原处理结果")),
        "decision": text(_("复核意见（书面，将告知业主）"), rows=4),
        # Where a reopened complaint is handled: required when no department holds it (closed on the spot),
        # the service's check (`review_department_required`); otherwise it stays with its department.
        "department_id": ref(
            _("重新处理的责任部门"),
            required=False,
            help=_("重新处理时交由该部门；无责任部门的投诉（如现场处理完毕）必选，维持原处理结果时不用选"),
        ),
    },
    "reply_time_agree": {
        "agreed_at": In(DATETIME, _("与业主约定的答复时间")),
        "note": text(_("约定情况（可选）"), required=False, rows=2),
    },
    "auto_close": {},
    # seed part 2 (issue 15) -------------------------------------------------------------------------------
    "compensation_outcome_record": {
        "claim_id": ref(_("已上报的索赔")),
        "outcome": choice(_("审批结果"), ClaimOutcome.choices, radio=True),
        "amount": In(
            DECIMAL,
            _("同意的金额（元；全部同意可不填，不同意不填）"),
            required=False,
            max_digits=12,
            decimal_places=2,
        ),
        "reasons": text(_("结果理由（审批意见、依据）"), rows=3),
    },
    "ncr_draft": {
        "department_id": ref(_("填写部门")),
        "nonconformity": text(_("不合格事实"), rows=3),
        "cause": text(_("原因分析"), rows=3),
        "corrective_action": text(_("纠正措施"), rows=3),
        "preventive_action": text(_("预防措施"), required=False, rows=3),
    },
    "ncr_sign": {
        "ncr_id": ref(_("待签发的报告")),
        "note": text(_("签发意见（可选）"), required=False, rows=2),
    },
    "capa_assign": {
        "ncr_id": ref(_("报告")),
        "kind": choice(_("措施类型"), CapaKind.choices, radio=True),
        "description": text(_("措施内容"), rows=3),
        "department_id": ref(_("责任部门")),
        "responsible_id": ref(_("责任人（可选）"), required=False),
        "due_at": In(DATETIME, _("完成期限（可选，默认按时限规则）"), required=False),
    },
    "capa_done": {
        "capa_id": ref(_("措施")),
        "note": text(_("落实情况"), rows=3),
    },
    "capa_verify": {
        "capa_id": ref(_("措施")),
        "passed": yes_no(_("验证结果"), _("合格"), _("不合格，退回重做")),
        "note": text(_("验证情况"), rows=3),
    },
    "ncr_close": {
        "ncr_id": ref(_("报告")),
        "note": text(_("关闭说明（可选）"), required=False, rows=2),
    },
    # seed3 (issue 15, R-INT-5): per-issue answers and forwards
    "issue_answer_submit": {
        "issue_ids": In(REFS, _("答复的问题（可多选）")),
        "body": text(_("单项答复内容（发给顾客）"), rows=4),
    },
    "issue_answer_review": {
        "answer_id": ref(_("待审核的单项答复")),
        "approve": yes_no(_("审核"), _("通过"), _("退回修改")),
        "comment": text(_("审核意见（退回时必填）"), required=False, rows=2),
    },
    "issue_answer_send": {"answer_id": ref(_("待发送的单项答复"))},
    "issue_forward_to_developer": {
        "issue_id": _ISSUE,
        "party_id": ref(_("地产客户关系中心")),
        "reason": text(_("转交说明")),
        "project_phase": choice(_("问题所属项目阶段（可选）"), ProjectPhase.choices, required=False),
    },
    "issue_developer_answer_record": {
        "forward_id": ref(_("已转地产的问题")),
        "answer": text(_("地产答复")),
        "their_ref": line(_("对方编号"), required=False, max_length=REF_MAX),
    },
}
