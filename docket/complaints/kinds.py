"""The event-kind registry: one entry per kind of event a complaint's record can hold (ARCHITECTURE.md,
"Vocabulary and actors"). A leaf module: it imports nothing of the domain, so events, notices, templates,
the API and webhooks can all read from it without import cycles.

Each kind declares, in one place:

- `label`: what staff and complainants read (translated);
- `public`: whether it is on the complainant's timeline (R-EXP-2), and then `public_fields` (the payload
  fields the complainant may see; everything else stays internal) and `public_text` (the one field that
  is what the complainant is told at that step: a reply, a reason …);
- `staff_text`: the payload field that carries the step's text in staff notices and, for the internal kinds
  integrations receive, in webhooks;
- `notice` and `audience`: the staff notice it raises (a `notifications.NoticeKind` value) and who hears it
  (a name in `complaints.audiences.AUDIENCES`);
- `owner_text`: the complainant's SMS/email for a public step, as (template key, text); `{no}`, `{code}` and
  `{text}` are filled in;
- `webhook`: whether integrations receive it although it is internal (the forwarder's answer, the forward to
  the developer). Public kinds always reach integrations.

Adding a kind is one `_kind(...)` call here. An unknown kind fails loudly (`UnknownEventKind`) wherever it is
written or read, and a test checks that every kind a service can write is registered.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class UnknownEventKind(LookupError):
    """A kind nobody registered: a programming error, never user input."""


@dataclass(frozen=True)
class EventKind:
    code: str
    label: Promise | str
    public: bool = False
    public_fields: tuple[str, ...] = ()
    public_text: str | None = None
    staff_text: str | None = None
    notice: str | None = None
    audience: str | None = None
    owner_text: tuple[str, str] | None = None
    webhook: bool = False
    # How this kind's payload reads on the staff timeline where the shared PAYLOAD_LABELS would mislead:
    # `fields` renames a field for this kind only ("from" is 原级别 on a severity change, 原部门 on a
    # transfer); `values` names the vocabulary a field's codes are shown in (the tag library resolves the
    # name, so this module stays a leaf): ("from", "severity") shows "hot" as 热点.
    fields: tuple[tuple[str, Promise | str], ...] = ()
    values: tuple[tuple[str, str], ...] = ()
    # Payload fields this kind does not show on the staff timeline (another shown field already holds them).
    hidden: tuple[str, ...] = ()

    def field_label(self, key: str, default: Promise | str) -> Promise | str:
        return dict(self.fields).get(key, default)

    def __post_init__(self) -> None:
        if self.public_text and self.public_text not in self.public_fields:
            raise ValueError(f"{self.code}: public_text {self.public_text!r} is not a public field")
        if (self.public_fields or self.owner_text) and not self.public:
            raise ValueError(f"{self.code}: public fields or an owner text on an internal kind")
        if bool(self.notice) != bool(self.audience):
            raise ValueError(f"{self.code}: a notice needs an audience and an audience a notice")


KINDS: dict[str, EventKind] = {}


def _kind(code: str, label, **options) -> EventKind:
    if code in KINDS:
        raise ValueError(f"event kind {code!r} registered twice")
    KINDS[code] = kind = EventKind(code, label, **options)
    return kind


def get(code: str) -> EventKind:
    """The registered kind, or `UnknownEventKind`."""
    try:
        return KINDS[code]
    except KeyError:
        raise UnknownEventKind(code) from None


def label(code: str) -> str:
    return str(get(code).label)


# Notice kinds (values of docket.notifications.models.NoticeKind; kept as text so this module stays a leaf —
# a test checks they exist there).
ASSIGNED, RETURNED, REVIEW = "assigned", "returned", "review_requested"
SEVERITY, CHASED, REPLIED = "severity_raised", "owner_chased", "owner_replied"

GROUP_REPORT, ONLINE_COMPLAINT = "group_report", "online_complaint"  # escalation (issue 12)

PROGRESS, CLOSED = "progress", "closed"  # SMS template keys (settings.DOCKET_SMS_TEMPLATES)

# --- intake ------------------------------------------------------------------------------------------------
_kind(
    "registered",
    _("登记受理"),
    public=True,
    public_fields=("receipt_no", "kind", "channel", "method", "subject", "issues", "people_count"),
    owner_text=("registered", "您的投诉已受理，回执编号{no}，查询码{code}，可凭此查询处理进度。"),
)
_kind(
    "closed_on_spot",
    _("现场处理完毕"),
    public=True,
    public_fields=("note", "issue_names"),
    public_text="note",
    fields=(("issue_names", _("办结的问题")),),  # its issues end with it (not the shared 答复的问题)
    owner_text=(CLOSED, "您的投诉（{no}）已现场处理完毕并结案，感谢您的反馈。"),
)
_kind("attachment_added", _("添加附件"))

# --- hand-over -----------------------------------------------------------------------------------------------
_kind("assigned", _("派单"), notice=ASSIGNED, audience="holder_team")
_kind(
    "accepted",
    _("接单处理"),
    public=True,
    owner_text=(PROGRESS, "您的投诉（{no}）已接单处理。"),
)
_kind("transferred", _("转派"), notice=ASSIGNED, audience="holder_team")
_kind("refused", _("退回"), staff_text="reason", notice=RETURNED, audience="front_desk")
_kind("escalated", _("上报品质管理部"), staff_text="reason", notice=ASSIGNED, audience="holder_team_and_qm")

# Seed 5.2.3.3.1 (officer8): the QM information officer phoned the office manager or the designated post about
# an online complaint (whom, when, what was said); internal.
_kind("office_called", _("已电话通知管理处"), staff_text="note")

# The seed's procedure (issue 15): the department's first contact (document 5 §4.3); the complainant sees
# that and how they were contacted, not the summary.
_kind(
    "first_contact_recorded",
    _("首次联系顾客"),
    public=True,
    public_fields=("contact_method",),
    staff_text="contact_summary",
)

# --- investigation -------------------------------------------------------------------------------------------
_kind("findings_recorded", _("记录调查情况与措施"))
_kind("forwarded_to_developer", _("转地产处理"), staff_text="reason", webhook=True)
_kind("developer_answered", _("地产答复"), staff_text="answer", webhook=True)
_kind("explanation_recorded", _("解释说明"))

# --- the reply and its review --------------------------------------------------------------------------------
_kind("reply_drafted", _("起草答复"))
_kind("reply_submitted", _("提交审核"), notice=REVIEW, audience="reviewers")
# Notified only while another review stage is pending (the audience is empty after the last stage).
_kind("reply_approved", _("审核通过"), notice=REVIEW, audience="reviewers")
_kind("reply_returned", _("审核退回"), staff_text="comment", notice=RETURNED, audience="reply_author")
_kind(
    "reply_sent",
    _("发送答复"),
    public=True,
    public_fields=("body",),
    public_text="body",
    owner_text=(PROGRESS, "您的投诉（{no}）已有答复，请凭回执编号和查询码查看，并告知是否同意。"),
)
_kind(
    "acknowledged",
    _("礼节性回复"),
    public=True,
    public_fields=("body",),
    public_text="body",
    owner_text=(PROGRESS, "您的投诉（{no}）已收到，我们正在处理：{text}"),
)

# --- the complainant's answer --------------------------------------------------------------------------------
# The owner's own answers are not echoed back to them (no owner text).
_kind(
    "complainant_agreed",
    _("顾客同意"),
    public=True,
    public_fields=("note",),
    public_text="note",
    notice=REPLIED,
    audience="holder_team",
)
_kind(
    "complainant_disagreed",
    _("顾客不同意"),
    public=True,
    public_fields=("reason",),
    public_text="reason",
    staff_text="reason",
    notice=REPLIED,
    audience="holder_team",
)
_kind("negotiation_recorded", _("协商"))
_kind("complainant_wrote", _("顾客来信"), staff_text="body", notice=REPLIED, audience="holder_team")
_kind(
    "complainant_chased",
    _("顾客催办"),
    public=True,
    public_fields=("text", "via", "count"),
    public_text="text",
    staff_text="text",
    notice=CHASED,
    audience="chase",
)

# --- measures, verification, follow-up -----------------------------------------------------------------------
_kind(
    "measures_done",
    _("措施已落实"),
    public=True,
    public_fields=("note",),
    public_text="note",
    # the issues it moves to measures done (`issues`, `issue_names`: services.closing.issues_moved), staff only
    # as the reopening's and QM's are (the owner's page shows the issues' states)
    fields=(("issue_names", _("落实措施的问题")),),
    owner_text=(PROGRESS, "您的投诉（{no}）所涉问题的处理措施已落实。"),
)
_kind("issue_verified", _("验证合格"))
_kind("issue_rework", _("验证不合格，返工"))
# Only the complainant's own rating and words are public, never the quality-control score.
_kind(
    "follow_up_recorded",
    _("回访"),
    public=True,
    public_fields=(
        "visit_method",
        "satisfaction",
        "process_rating",
        "measures_rating",
        "result_rating",
        "opinion",
    ),
    public_text="opinion",
    owner_text=(CLOSED, "您的投诉（{no}）已回访结案，感谢您的反馈。"),
)
_kind("follow_up_attempted", _("回访未接通"), staff_text="note", notice=CHASED, audience="office_manager")
_kind(
    "follow_up_exempted",
    _("免回访结案"),
    public=True,
    public_fields=("exemption",),
    owner_text=(CLOSED, "您的投诉（{no}）已结案。"),
)

# The seed's procedure (issue 15), 5.2.3.6: the office reports its on-site verification to the company (the
# last issue's verification, with every issue's measures and result), then QM decides.
_kind("office_verification_reported", _("管理处验证合格，报品质部验证"), notice=REVIEW, audience="qm")
_kind("qm_verified", _("品质部验证合格"))
# Rework and re-assessment name the issues they send back (`issues`, `issue_names`; services.closing.
# issues_moved), as the closing on the spot and the reopening do.
_kind(
    "qm_rework",
    _("品质部验证：责成返工"),
    staff_text="note",
    notice=RETURNED,
    audience="holder_team",
    fields=(("issue_names", _("返工的问题")),),
)
_kind(
    "qm_reassessed",
    _("品质部验证：重新评审措施"),
    staff_text="note",
    notice=RETURNED,
    audience="holder_team",
    fields=(("issue_names", _("重新评审措施的问题")),),
)

# --- other endings -------------------------------------------------------------------------------------------
# Only the mitigation offered is public, never the internal analysis.
_kind(
    "closed_unclosed",
    _("作未关闭处理"),
    public=True,
    public_fields=("mitigation",),
    public_text="mitigation",
    owner_text=(CLOSED, "您的投诉（{no}）已作未关闭处理，我们将持续关注。"),
)
_kind(
    "withdrawn",
    _("撤回"),
    public=True,
    public_fields=("reason",),
    public_text="reason",
    owner_text=(CLOSED, "您的投诉（{no}）已撤回。"),
)

# The seed's procedure (issue 15): progress reports after an unclosed ending (5.2.5.2) and their final
# ending; leadership's handling opinion (documents 3/4 §3).
_kind(
    "progress_updated",
    _("通报进展"),
    public=True,
    public_fields=("body",),
    public_text="body",
    owner_text=(PROGRESS, "您的投诉（{no}）最新进展：{text}"),
)
_kind(
    "unclosed_concluded",
    _("未关闭投诉终结"),
    public=True,
    public_fields=("outcome", "note"),
    public_text="note",
    owner_text=(CLOSED, "您的投诉（{no}）已终结：{text}"),
)
_kind(
    "leadership_opinion_requested",
    _("提请领导处理意见"),
    staff_text="question",
    notice=ASSIGNED,
    audience="leadership",
)
_kind(
    "leadership_opinion_given",
    _("领导处理意见"),
    staff_text="opinion",
    notice=ASSIGNED,
    audience="holder_team_and_qm",
    fields=(("opinion", _("处理意见")),),  # not the shared label (顾客意见)
)

# --- records beside the lifecycle ----------------------------------------------------------------------------
_kind("ncr_issued", _("签发不合格/纠正预防措施报告"))
_kind(
    "compensation_claimed",
    _("记录索赔"),
    staff_text="description",
    notice="compensation_claimed",  # seed 5.2.4.1: reported to the company's leadership
    audience="leadership",
)
_kind("compensation_decided", _("赔偿审批"))
_kind("compensation_escalated", _("赔偿上报"))
_kind("note_added", _("内部备注"))
# Personal data (R-EXP-12): which fields changed or were erased, never their values (they stay erasable).
_kind("complainant_details_corrected", _("更正顾客联系信息"))
_kind("personal_data_anonymised", _("个人信息已匿名化"))

# --- deadlines (R-SLA) ---------------------------------------------------------------------------------------
_kind("deadline_set", _("设定处理时限"))
_kind("deadline_warning", _("即将到期预警"))
_kind("deadline_missed", _("已逾期"))
_kind("overdue_escalated", _("逾期升级催办"))
_kind("deadline_recomputed", _("时限重新计算"))
_kind(
    "clock_paused",
    _("暂停计时"),
    public=True,
    public_fields=("reason", "resume_on"),
    public_text="reason",
    owner_text=(PROGRESS, "您的投诉（{no}）暂停处理：{text}"),
)
_kind(
    "clock_resumed",
    _("恢复计时"),
    public=True,
    owner_text=(PROGRESS, "您的投诉（{no}）已恢复处理。"),
)
_kind("forwarder_replied", _("答复转交单位"), staff_text="body", webhook=True)

# --- severity (R-ESC) ----------------------------------------------------------------------------------------
_kind(
    "severity_raised",
    _("升级为热点/重大投诉"),
    staff_text="reason",
    notice=SEVERITY,
    audience="severity",
    fields=(("from", _("原级别")), ("to", _("升级为"))),
    values=(("from", "severity"), ("to", "severity")),
)
# The report is sent to the group's property-management people (escalation, issue 12).
_kind(
    "group_reported",
    _("向集团报告"),
    staff_text="text",
    notice=GROUP_REPORT,
    audience="group_property",
    # the report's text lists every part of the form, the cause analysis too: shown once, as the report
    fields=(("text", _("报告内容")),),
    hidden=("cause",),
)

# --- portal answers (issue 11) -------------------------------------------------------------------------------
# The owner's own rating on the seed's three points (5.2.5.3); the holder's team hears of it.
_kind(
    "owner_rated",
    _("业主评价"),
    public=True,
    public_fields=("process", "measures", "result", "comment"),
    public_text="comment",
    staff_text="comment",
    notice=REPLIED,
    audience="holder_team",
)
_kind(
    "complainant_added_info",
    _("业主补充信息"),
    public=True,
    public_fields=("text", "photos"),
    public_text="text",
    staff_text="text",
    notice=REPLIED,
    audience="holder_team",
)
# R-EXP-10: QM hears of the request (they decide, or name a post other than the first handler).
_kind(
    "second_review_requested",
    _("申请二次复核"),
    public=True,
    public_fields=("reason",),
    public_text="reason",
    staff_text="reason",
    notice=REPLIED,
    audience="holder_team_and_qm",
)
_kind(
    "second_review_decided",
    _("二次复核决定"),
    public=True,
    public_fields=("outcome", "decision"),
    public_text="decision",
    # a reopening hands the complaint to a department: its supervisors (and holder) get the 派单 notice with
    # the decision; an upheld review tells no staff (audiences.reopen_team)
    staff_text="decision",
    notice=ASSIGNED,
    audience="reopen_team",
    # not the shared 终结情况 / 结论 / 答复的问题; issue_names: the issues a reopening opened again (every
    # verified or closed one, services.answers.second_review_decide); department: where it is handled again
    # when the decision named one (required for a complaint no department held: closed on the spot)
    fields=(
        ("outcome", _("复核结论")),
        ("decision", _("复核意见")),
        ("issue_names", _("重新处理的问题")),
        ("department", _("重新处理的责任部门")),
    ),
    owner_text=(PROGRESS, "您的投诉（{no}）二次复核已有结论：{text}"),
)
_kind(
    "auto_closed",
    _("超期未答复自动结案"),
    public=True,
    public_fields=("reason", "days"),
    public_text="reason",
    owner_text=(CLOSED, "您的投诉（{no}）已结案：{text}"),
)
# R-EXP-3 with seed 5.2.3.4 / 5.2.3.6: no answer from the owner within the company's days is taken as agreement
# with the reply; the measures it promised are carried out and verified as after an agreement (docs/decisions.md
# "silentowner"). The holding department hears of it as of the owner's own answer.
_kind(
    "auto_accepted",
    _("超期未答复视为同意"),
    public=True,
    public_fields=("reason", "days"),
    public_text="reason",
    staff_text="reason",
    notice=REPLIED,
    audience="holder_team",
    owner_text=(PROGRESS, "您的投诉（{no}）：{text}"),
)
# Seed 5.2.2.3 / 5.2.3.2: the old and new due time are on the record; the owner sees the agreed time.
_kind(
    "reply_time_agreed",
    _("约定答复时间"),
    public=True,
    public_fields=("agreed",),
    public_text="agreed",
    owner_text=(PROGRESS, "您的投诉（{no}）答复时间已按与您的约定调整为{text}。"),
)


# --- incidents (issue 12: docket/incidents) ------------------------------------------------------------------
# The complaint was linked to an incident (停水, 停电 …): the owner sees the incident's public description.
_kind(
    "incident_linked",
    _("关联突发事件"),
    public=True,
    public_fields=("incident", "text"),
    public_text="text",
)
_kind("incident_unlinked", _("取消关联突发事件"), staff_text="reason")
# An update of a linked incident: on every linked complaint's record; the complainant is messaged once per
# update (the first of their active complaints gets `incident_update`, the others and ended complaints
# get `incident_update_quiet`, the same public entry without a message).
_kind(
    "incident_update",
    _("事件进展"),
    public=True,
    public_fields=("incident", "text", "final"),
    public_text="text",
    owner_text=(PROGRESS, "您反映的问题所涉事件有新进展（{no}）：{text}"),
)
_kind(
    "incident_update_quiet",
    _("事件进展（未另发通知）"),
    public=True,
    public_fields=("incident", "text", "final"),
    public_text="text",
)

# --- seed part 2 (issue 15) ---------------------------------------------------------------------------------
_kind(
    "compensation_outcome_recorded",
    _("索赔审批结果"),
    staff_text="reasons",
    fields=(("outcome", _("审批结果")),),
    values=(("outcome", "claim_outcome"),),
)
_kind("ncr_drafted", _("部门填写不合格/纠正预防措施报告"), notice=REVIEW, audience="mgmt_rep")
_kind("ncr_signed", _("管理者代表签发报告"))
_kind("capa_assigned", _("下达纠正/预防措施"), staff_text="measures", notice=ASSIGNED, audience="capa_team")
_kind("capa_done", _("纠正/预防措施已落实"), staff_text="note")
_kind("capa_verified", _("验证纠正/预防措施"), staff_text="note")
_kind("ncr_closed", _("关闭不合格/纠正预防措施报告"))

# --- seed3 (issue 15, R-INT-5): per-issue answers, forwards and closing ---------------------------------------
# The answer goes to the complainant; its review is internal. The first stage of every review route is QM.
_kind("issue_answer_submitted", _("提交单项答复"), staff_text="body", notice=REVIEW, audience="qm")
_kind("issue_answer_approved", _("单项答复审核通过"), staff_text="comment")
_kind(
    "issue_answer_returned", _("单项答复审核退回"), staff_text="comment", notice=RETURNED, audience="holder"
)
_kind(
    "issue_answered",
    _("单项答复"),
    public=True,
    public_fields=("issue_names", "body", "text"),
    public_text="text",
    owner_text=(PROGRESS, "您的投诉（{no}）中的部分问题已有答复：{text}"),
)
_kind("issue_forwarded_to_developer", _("单项转地产处理"), staff_text="reason", webhook=True)
_kind("issue_developer_answered", _("地产对单项问题的答复"), staff_text="answer", webhook=True)
_kind("issue_closed", _("问题已办结"), public=True, public_fields=("issue_names",), public_text="issue_names")

PUBLIC_KINDS = frozenset(code for code, k in KINDS.items() if k.public)

# The labels of payload fields a reader wants to see on the staff timeline, in order (one vocabulary for
# every kind's payload; a field not listed here is not shown).
PAYLOAD_LABELS: tuple[tuple[str, Promise | str], ...] = (
    ("department", _("部门")),
    ("from", _("原部门")),
    ("to", _("转至")),
    ("responsible", _("责任人")),
    # officer8: the QM information officer's call to the office (seed 5.2.3.3.1)
    ("callee", _("通知对象")),
    ("callee_role", _("岗位")),
    ("called_at", _("通话时间")),
    ("issue", _("问题")),
    ("findings", _("调查情况")),
    ("measures", _("处理措施")),
    ("reason", _("原因")),
    ("note", _("说明")),
    ("comment", _("意见")),
    ("body", _("内容")),
    ("summary", _("协商情况")),
    ("explanation", _("解释")),
    ("answer", _("答复")),
    ("analysis", _("分析")),
    ("mitigation", _("缓解措施")),
    ("text", _("备注")),
    ("satisfaction", _("满意度")),
    ("amount", _("金额")),
    ("stage", _("审核环节")),
    ("method", _("方式")),
    ("visit_method", _("回访方式")),
    ("opinion", _("顾客意见")),
    ("quality_score", _("质检评分")),
    ("exemption", _("免回访原因")),
    ("receipt_no", _("回执编号")),
    ("incident", _("突发事件")),  # incidents (issue 12)
    # The seed's procedure (issue 15).
    ("contact_method", _("联系方式")),
    ("contact_summary", _("联系情况")),
    ("contacted_at", _("联系时间")),
    ("apologised", _("已道歉")),
    ("no_apology_reason", _("未道歉原因")),
    ("decision", _("结论")),
    ("process_rating", _("对受理过程的评价")),
    ("measures_rating", _("对处理措施的评价")),
    ("result_rating", _("对处理结果的评价")),
    ("automatic", _("系统自动判定")),
    ("outcome", _("终结情况")),
    ("project_phase", _("项目阶段")),
    ("question", _("提请事项")),
    # portal answers (issue 11)
    ("process", _("受理过程")),
    ("result", _("处理结果")),
    ("photos", _("照片")),
    ("agreed", _("约定答复时间")),
    ("old_due", _("原答复时限")),
    ("days", _("天数")),
    # seed part 2 (issue 15)
    ("reasons", _("理由")),
    ("route", _("上报至")),
    ("nonconformity", _("不合格事实")),
    ("cause", _("原因分析")),
    ("corrective_action", _("纠正措施")),
    ("preventive_action", _("预防措施")),
    ("capa_kind", _("措施类型")),
    ("due_at", _("期限")),
    # seed3 (issue 15)
    ("issue_names", _("答复的问题")),
    # qmrework: "measures done" with every issue already closed (after the developer's answers): no
    # verification, straight to the follow-up (services.handling.measures_done)
    ("nothing_to_verify", _("无待验证的问题")),
)


# --- escalation (issue 12): automatic classification, facts, reports -----------------------------------------
_kind(
    "severity_classified",
    _("自动判定为热点/重大投诉"),
    staff_text="summary",
    notice=SEVERITY,
    audience="severity",
    # the levels by their labels, and the rules met (not the shared labels: 原部门/转至/协商情况)
    fields=(("from", _("原级别")), ("to", _("升级为")), ("summary", _("判定依据"))),
    values=(("from", "severity"), ("to", "severity")),
)
_kind(
    "online_alerted",
    _("网上投诉提醒"),
    staff_text="subject",
    notice=ONLINE_COMPLAINT,
    audience="online_watch",
)
_kind("risk_facts_recorded", _("记录诉讼/媒体/集体投诉情况"), staff_text="reason")
_kind("fault_recorded", _("认定是否属我方原因"), staff_text="reason")
_kind(
    "major_incident_recorded",
    _("记录重大事件（安全隐患/群体性事件）"),
    staff_text="note",
    notice=SEVERITY,
    audience="severity",
)
_kind("authority_reported", _("已报告区物业主管部门"), staff_text="text")
_kind("closing_report_due", _("结案报告待提交"))
_kind(
    "closing_report_recorded",
    _("提交热点案例/重大专题报告"),
    staff_text="text",
    notice=GROUP_REPORT,
    audience="group_property",
)
