"""DomainError and its stable codes.

Every refusal a user can meet has a code here — the services' and the few only the API layer can produce
(authentication, idempotency, throttling, transport) — so all stable codes are listed in one place: the API
returns the code, pages show the message (translated; Chinese by default). Codes never change meaning once
released.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

# code -> (HTTP status for the API, message template: lazy, translated when the message is built)
ERRORS: dict[str, tuple[int, StrPromise]] = {
    "not_found": (404, _("记录不存在或您无权查看。")),
    "forbidden_action": (403, _("您无权执行此操作。")),
    "invalid_transition": (409, _("当前状态“{state}”下不能执行“{action}”。")),
    "conflict": (409, _("该投诉刚被他人修改过，请刷新后重试。")),
    "validation": (422, _("输入有误：{detail}")),
    "required": (422, _("请填写{field}。")),
    "escalated_no_push_down": (409, _("已上报公司的投诉不能再转回管理处处理。")),
    "issues_incomplete": (409, _("还有问题未记录调查结果和处理措施：{issues}。")),
    # officer8: the QM information officer's call to the office (seed 5.2.3.3.1)
    "office_call_not_online": (409, _("只有网上投诉须由品质管理部信息管理员电话通知管理处。")),
    "office_call_done": (409, _("已于{at}记录电话通知管理处，无需重复记录。")),
    "office_call_callee": (422, _("请选择该投诉所属管理处的管理处经理或指定岗位人员。")),
    # officer8: an issue sent back for rework (seed 5.2.3.6) is investigated again before the final reply.
    "issues_rework": (
        409,
        _("{issues}措施落实不到位（返工），须重新记录调查情况与处理措施后才能提交或发送最终答复。"),
    ),
    "issues_unverified": (409, _("还有问题未验证：{issues}。")),
    "review_not_required": (409, _("该答复无需审核，可直接发送。")),
    "review_required": (409, _("该答复须经{stage}审核后才能发送。")),
    "no_draft": (409, _("尚无答复草稿。")),
    "over_limit": (403, _("赔偿金额 {amount} 元超过您的审批权限（{limit} 元），请上报。")),
    "claim_not_pending": (409, _("该赔偿申请已处理。")),
    "department_mismatch": (422, _("所选部门不属于该投诉的管理处或公司。")),
    "responsible_not_in_department": (422, _("责任人不属于所选责任部门。")),
    "department_cannot_accept": (422, _("“{department}”没有可以接单的人员，不能将投诉交给该部门处理。")),
    "same_department": (422, _("转派的目标部门与当前部门相同。")),
    "exemption_invalid": (422, _("该投诉不符合免回访条件：{reason}。")),
    "attachment_type": (422, _("附件“{name}”的类型不支持，只接受图片（JPG/PNG/GIF/WEBP）和 PDF。")),
    "attachment_size": (422, _("附件“{name}”超过大小上限 {limit_mb} MB。")),
    "attachment_empty": (422, _("附件“{name}”是空文件。")),
    "attachment_pixels": (422, _("附件“{name}”的图片像素过多（上限 {limit_mp} 百万像素），请缩小后再上传。")),
    "attachment_broken": (422, _("附件“{name}”已损坏或不完整，无法读取。")),
    "attachment_active_pdf": (
        422,
        _(
            "附件“{name}”是含有脚本、自动执行动作或内嵌文件的 PDF，出于安全考虑不予接收；请另存为普通 PDF 或打印后扫描再上传。"
        ),
    ),
    "already_paused": (409, _("该投诉已暂停计时。")),
    "not_paused": (409, _("该投诉未暂停计时。")),
    "severity_not_higher": (409, _("该投诉已是“{severity}”级别。")),
    "nothing_due": (409, _("没有待完成的“{kind}”事项。")),
    "filing_limit": (429, _("同一联系方式今天已提交 {limit} 件投诉，已达上限；如情况紧急请致电管理处。")),
    "duplicate_filing": (409, _("相同内容今天已提交 {limit} 次，请勿重复提交；可凭回执查询进度或催办。")),
    "complaint_ended": (409, _("该投诉已结束，不能再催办；如有新的问题请重新投诉。")),
    "chase_too_soon": (409, _("您已催办过，{minutes} 分钟内请勿重复催办，我们会尽快处理。")),
    "received_in_future": (422, _("收到时间不能晚于现在（允许误差 {minutes} 分钟）。")),
    "received_reason_required": (422, _("收到时间早于今天，请填写补录原因。")),
    "chain_broken": (500, _("投诉记录的防篡改链在第 {seq} 条处断开。")),
    "pdf_font_missing": (503, _("无法生成PDF：{detail}")),
    # incidents (issue 12: docket/incidents)
    "incident_conflict": (409, _("该事件刚被他人修改过，请刷新后重试。")),
    "incident_resolved": (409, _("该事件已解除，不能再发布进展或关联投诉。")),
    "incident_area_required": (422, _("请选择事件影响范围：整个小区或至少一栋楼。")),
    "incident_area_mismatch": (422, _("所选楼栋不属于该管理处的小区。")),
    "incident_end_before_start": (422, _("预计结束时间不能早于开始时间。")),
    "incident_office_mismatch": (422, _("该投诉不属于事件所在的管理处。")),
    "incident_already_linked": (409, _("该投诉已关联到此事件。")),
    "incident_not_linked": (409, _("该投诉未关联到此事件。")),
    "incident_complaint_ended": (409, _("该投诉已结束，不能再关联事件。")),
    # The seed's procedure (issue 15).
    "first_contact_done": (409, _("已记录过首次联系顾客。")),
    "not_contactable": (409, _("该投诉为匿名投诉或没有联系方式，无法联系顾客。")),
    "qm_decision_invalid": (422, _("请选择品质部验证结论。")),
    "unclosed_concluded": (409, _("该未关闭投诉已终结，不再通报进展。")),
    "opinion_pending": (409, _("已提请领导处理意见，尚未答复。")),
    # portal answers (issue 11)
    "already_rated": (409, _("您已评价过本次处理，感谢您的反馈。")),
    "review_period_over": (409, _("已超过结案后 {days} 天的复核申请期限。")),
    "review_already_requested": (409, _("该投诉已申请过二次复核。")),
    "review_first_handler": (403, _("原处理人不能复核本投诉，请由品质管理部或其他岗位复核。")),
    # A reopened complaint goes to a department; one closed on the spot at reception has none to go back to.
    "review_department_required": (
        422,
        _("该投诉没有责任部门（如现场处理完毕的投诉），重新处理须选择责任部门。"),
    ),
    "photo_only": (422, _("“{name}”不是照片，只能上传 JPG/PNG/GIF/WEBP 图片。")),
    # Raised by the API layer only (docket/api/errors.py ApiError).
    "bad_request": (400, _("请求格式有误：{detail}")),
    "unauthenticated": (401, _("未登录，或接口密钥无效、已吊销。")),
    "forbidden": (403, _("请求被拒绝：{detail}")),
    "method_not_allowed": (405, _("不支持该请求方法。")),
    "idempotency_mismatch": (409, _("该 Idempotency-Key 已用于内容不同的请求，请换一个新的键。")),
    "too_large": (413, _("请求内容过大。")),
    "throttled": (429, _("请求过于频繁，请稍后再试。")),
    "server_error": (500, _("服务器内部错误，请稍后重试。")),
    # The database cannot be reached or the disk is full (docket/core/middleware.py): pages and the API.
    "unavailable": (503, _("系统暂时无法使用（数据库不可用或磁盘已满），请稍后再试。")),
    # --- portal filing (issue 11): the owner's own filing and phone proof ---
    "phone_invalid": (422, _("手机号码格式不正确，请输入11位手机号码。")),
    "code_wrong": (422, _("验证码不正确或已过期，请核对短信后重新输入，或重新获取验证码。")),
    "phone_locked": (429, _("验证码错误次数过多，该手机号已锁定，请 {minutes} 分钟后再试。")),
    "photos_too_many": (422, _("最多上传 {limit} 张照片。")),
    "photo_not_image": (422, _("“{name}”不是照片，只接受 JPG、PNG、GIF、WEBP 格式的图片。")),
    "text_too_long": (422, _("{field}不能超过 {limit} 字（现有 {length} 字）。")),
    "room_not_found": (422, _("在本小区找不到该房屋，请核对楼栋、单元和房号，或选择“公共区域”。")),
    # --- end portal filing ---
    # seed part 2 (issue 15)
    "claim_not_escalated": (409, _("该索赔未上报或已有审批结果。")),
    "ncr_not_draft": (409, _("该报告不是待签发的部门填写稿。")),
    "ncr_not_signed": (409, _("该报告尚未由管理者代表签发或已关闭。")),
    "ncr_actions_open": (409, _("报告的纠正/预防措施尚未全部验证合格（或尚未下达措施）。")),
    "capa_not_open": (409, _("该措施不在待落实状态。")),
    "capa_not_done": (409, _("该措施尚未报告落实。")),
    # --- follow-up per round (issue 11, portal3) ---
    "follow_up_recorded": (409, _("第 {round} 轮回访已记录，不能重复回访。")),
    # seed3 (issue 15, R-INT-5): per-issue answers and forwards
    "issue_unknown": (422, _("所选问题不属于该投诉。")),
    "issue_not_answerable": (409, _("{issues}已办结、已撤回或已转地产未答复，不能单独答复。")),
    "issue_answer_none": (409, _("没有{what}的单项答复。")),
    "issue_answer_stage": (403, _("该单项答复正在等待{stage}审核。")),
    "issue_answer_pending": (409, _("第 {number} 份单项答复尚在审核或待发送，请先处理后再发送最终答复。")),
    "issue_with_developer": (409, _("{issues}已转地产处理，尚未答复，暂不能提交或发送最终答复。")),
    # answerwait: the whole complaint is not forwarded while an issue of it waits for the developer on its own.
    "forward_issue_with_developer": (
        409,
        _(
            "{issues}已单独转地产处理、尚未答复，不能再将整个投诉转地产处理：其他问题请用“单项转地产处理”，或先记录地产对{issues}的答复。"
        ),
    ),
    # devissues: an issue still waiting for the developer is not carried out or verified by the company.
    "measures_with_developer": (
        409,
        _("{issues}已转地产处理，尚未收到地产答复，暂不能报告措施已落实：请跟进地产并先记录其答复。"),
    ),
}

# The codes only the API layer raises (authentication, transport, idempotency, throttling).
API_CODES = frozenset(
    {
        "bad_request",
        "unauthenticated",
        "forbidden",
        "method_not_allowed",
        "idempotency_mismatch",
        "too_large",
        "throttled",
        "server_error",
        "unavailable",
    }
)


class DomainError(Exception):
    """A refusal from a service. `code` is stable and machine-readable; `params` fill the message."""

    def __init__(self, code: str, **params: object) -> None:
        if code not in ERRORS:
            raise ValueError(f"unknown error code {code!r}")
        self.code = code
        self.params = params
        super().__init__(f"{code}: {params}")

    @property
    def status(self) -> int:
        return ERRORS[self.code][0]

    @property
    def message(self) -> str:
        template = str(ERRORS[self.code][1])
        try:
            return template.format(**{k: str(v) for k, v in self.params.items()})
        except (KeyError, IndexError):
            return template
