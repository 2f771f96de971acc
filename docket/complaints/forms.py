"""One form per workflow action (the staff workbench). A form only parses input; `call()` hands the
cleaned values to the action's one service (ARCHITECTURE.md: interfaces call services). Field names
are the service's keyword arguments, so most forms need nothing but fields."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from docket.org.models import Department, ExternalParty

from . import access, services
from .models import ClaimState, Exemption, FollowUpMethod, IssueState, Reply, Severity

TEXTAREA = forms.Textarea(attrs={"rows": 4})


class ActionForm(forms.Form):
    """Base: carries the version the user saw (optimistic concurrency) and calls the service."""

    service = None  # set by subclasses
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, complaint, user, **kwargs):
        self.complaint, self.user = complaint, user
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("version", complaint.version)
        super().__init__(*args, **kwargs)
        self.setup()

    def setup(self) -> None:
        """Fill choices that depend on the complaint or the user."""

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data

    def call(self):
        return type(self).service(
            actor=self.user,
            complaint_id=self.complaint.id,
            expected_version=self.cleaned_data["version"],
            **self.service_kwargs(),
        )


def _text(label, required=True, rows=4, initial=None):
    return forms.CharField(
        label=label, required=required, widget=forms.Textarea(attrs={"rows": rows}), initial=initial
    )


def _departments(complaint):
    return Department.objects.filter(company_id=complaint.company_id).filter(
        office_id__in=[complaint.office_id]
    ) | Department.objects.filter(company_id=complaint.company_id, office__isnull=True)


class IssueChoiceMixin:
    """Per-issue actions: the issues this user may act on now, in the right state."""

    issue_states: tuple[str, ...] = ()
    action_name = ""

    def setup(self):
        issues = [
            i
            for i in self.complaint.issues.select_related("department").order_by("seq")
            if (not self.issue_states or i.state in self.issue_states)
            and access.allowed_role(self.user, self.complaint, self.action_name, issue=i)
        ]
        self.fields["issue_id"].choices = [(i.id, f"{i.seq}. {i.summary}") for i in issues]


class CloseOnSpotForm(ActionForm):
    service = services.complaint_close_on_spot
    note = _text(_("现场处理情况（顾客已确认满意）"))


class AssignForm(ActionForm):
    service = services.complaint_assign
    department_id = forms.TypedChoiceField(label=_("责任部门"), coerce=int)
    responsible_id = forms.TypedChoiceField(
        label=_("责任人（可选）"), coerce=int, required=False, empty_value=None
    )

    def setup(self):
        from docket.accounts.models import RoleAssignment

        depts = list(_departments(self.complaint).order_by("office_id", "id"))
        self.fields["department_id"].choices = [(d.id, str(d)) for d in depts]
        people = (
            RoleAssignment.objects.filter(department__in=depts)
            .select_related("user", "department")
            .order_by("department_id", "user__display_name")
        )
        self.fields["responsible_id"].choices = [("", "—")] + [
            (a.user_id, f"{a.user}（{a.department.name}·{a.get_role_display()}）") for a in people
        ]
        for issue in self.complaint.issues.order_by("seq"):
            self.fields[f"issue_{issue.id}"] = forms.TypedChoiceField(
                label=_("问题 %(n)s 的责任部门") % {"n": issue.seq} + f"：{issue.summary[:30]}",
                coerce=int,
                required=False,
                empty_value=None,
                choices=[("", _("同上"))] + [(d.id, str(d)) for d in depts],
            )

    def service_kwargs(self):
        data = self.cleaned_data
        mapping = {int(k.split("_")[1]): v for k, v in data.items() if k.startswith("issue_") and v}
        return {
            "department_id": data["department_id"],
            "responsible_id": data["responsible_id"],
            "issue_departments": mapping,
        }


class AcceptForm(ActionForm):
    service = services.complaint_accept


class TransferForm(AssignForm):
    service = services.complaint_transfer
    reason = _text(_("转派原因"), rows=2)

    def setup(self):
        super().setup()
        for name in [n for n in self.fields if n.startswith("issue_")]:
            del self.fields[name]

    def service_kwargs(self):
        d = self.cleaned_data
        return {
            "department_id": d["department_id"],
            "responsible_id": d["responsible_id"],
            "reason": d["reason"],
        }


class RefuseForm(ActionForm):
    service = services.complaint_refuse
    reason = _text(_("退回原因（为何不属本部门）"), rows=2)


class FindingsForm(IssueChoiceMixin, ActionForm):
    service = services.issue_findings_record
    action_name = "issue_findings_record"
    issue_id = forms.TypedChoiceField(label=_("问题"), coerce=int)
    findings = _text(_("现场调查情况（如实记录，忌猜测）"))
    measures = _text(_("拟定处理措施"))


class DeveloperForwardForm(ActionForm):
    service = services.developer_forward
    party_id = forms.TypedChoiceField(label=_("地产客户关系中心"), coerce=int)
    reason = _text(_("转交说明"))

    def setup(self):
        self.fields["party_id"].choices = [
            (p.id, p.name)
            for p in ExternalParty.objects.filter(
                kind=ExternalParty.Kind.DEVELOPER, group_id=self.complaint.company.group_id
            )
        ]


class DeveloperAnswerForm(ActionForm):
    service = services.developer_answer_record
    answer = _text(_("地产答复"))
    their_ref = forms.CharField(label=_("对方编号"), required=False, max_length=64)


class ExplanationForm(ActionForm):
    service = services.explanation_record
    explanation = _text(_("向顾客所作的合理、耐心的解释"))


class ReplyDraftForm(ActionForm):
    service = services.reply_draft_save
    body = _text(_("答复内容（先致歉或致谢；覆盖全部问题；不推卸责任）"), rows=10)

    def setup(self):
        reply = Reply.objects.filter(complaint=self.complaint).order_by("-number").first()
        if reply is not None and reply.state != "sent" and not self.is_bound:
            self.fields["body"].initial = reply.body


class NoInputForm(ActionForm):
    pass


class ReplySubmitForm(NoInputForm):
    service = services.reply_submit


class ReplySendForm(NoInputForm):
    service = services.reply_send


class ReviewApproveForm(ActionForm):
    service = services.reply_review_approve
    comment = _text(_("审核意见（可选）"), required=False, rows=3)


class ReviewReturnForm(ActionForm):
    service = services.reply_review_return
    comment = _text(_("退回意见"), rows=4)


class AgreeForm(ActionForm):
    service = services.complainant_agree
    note = _text(_("顾客意见（可选）"), required=False, rows=2)


class DisagreeForm(ActionForm):
    service = services.complainant_disagree
    reason = _text(_("顾客不同意的理由"), rows=3)


class NegotiationForm(ActionForm):
    service = services.negotiation_round_record
    summary = _text(_("本轮协商情况"))


class MeasuresDoneForm(ActionForm):
    service = services.measures_done
    note = _text(_("措施落实情况"))


class VerifyForm(IssueChoiceMixin, ActionForm):
    service = services.issue_verify
    action_name = "issue_verify"
    issue_states = (IssueState.MEASURES_DONE,)
    issue_id = forms.TypedChoiceField(label=_("问题"), coerce=int)
    passed = forms.TypedChoiceField(
        label=_("验证结果"),
        coerce=lambda v: v == "1",
        choices=[("1", _("合格")), ("0", _("不合格，返工"))],
        widget=forms.RadioSelect,
    )
    note = _text(_("验证情况"), rows=3)


class FollowUpForm(ActionForm):
    service = services.follow_up_record
    method = forms.ChoiceField(label=_("回访方式"), choices=FollowUpMethod.choices)
    satisfaction = forms.TypedChoiceField(
        label=_("顾客满意度"),
        coerce=int,
        widget=forms.RadioSelect,
        choices=[
            (5, _("5 非常满意")),
            (4, _("4 满意")),
            (3, _("3 一般")),
            (2, _("2 不满意")),
            (1, _("1 非常不满意")),
        ],
    )
    opinion = _text(_("顾客意见"), required=False, rows=3)
    quality_score = forms.TypedChoiceField(
        label=_("质检评分（可选）"),
        coerce=int,
        required=False,
        empty_value=None,
        choices=[("", "—")] + [(n, str(n)) for n in range(5, 0, -1)],
    )


class FollowUpAttemptForm(ActionForm):
    service = services.follow_up_attempt_record
    method = forms.ChoiceField(label=_("回访方式"), choices=FollowUpMethod.choices)
    note = forms.CharField(label=_("未接通情况（时间、号码、结果）"), max_length=500)


class FollowUpExemptForm(ActionForm):
    service = services.follow_up_exempt
    exemption = forms.ChoiceField(
        label=_("免回访原因"), choices=[c for c in Exemption.choices if c[0] != Exemption.ON_THE_SPOT]
    )
    note = _text(_("说明（无法联系时写明尝试过的方式）"), required=False, rows=2)


class EscalateForm(ActionForm):
    service = services.complaint_escalate
    reason = _text(_("上报原因（管理处努力后仍不能解决的情况）"))


class UnclosedForm(ActionForm):
    service = services.complaint_close_unclosed
    analysis = _text(_("个案专项分析"))
    mitigation = _text(_("已采取的减缓不满措施"))


class WithdrawForm(ActionForm):
    service = services.complaint_withdraw
    reason = _text(_("撤回原因"), rows=2)


class AcknowledgeForm(ActionForm):
    service = services.acknowledge_send
    text = _text(
        _("礼节性回复（表明投诉已受理）"),
        rows=3,
        initial="您好，感谢您的反映，您的投诉已受理，我们正在核实处理，将尽快给您具体答复。",
    )


class PauseForm(ActionForm):
    service = services.clock_pause
    reason = forms.CharField(label=_("暂停原因（等待顾客或第三方）"), max_length=200)
    resume_on = forms.DateTimeField(
        label=_("预计恢复时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


class ResumeForm(NoInputForm):
    service = services.clock_resume


class ForwarderReplyForm(ActionForm):
    service = services.forwarder_reply_record
    text = _text(_("对转交单位的答复"))


class SeverityForm(ActionForm):
    service = services.severity_raise
    severity = forms.ChoiceField(
        label=_("级别"), choices=[(Severity.HOT, Severity.HOT.label), (Severity.MAJOR, Severity.MAJOR.label)]
    )
    reason = _text(_("升级原因"), rows=2)


class GroupReportForm(ActionForm):
    service = services.group_report_record
    content = _text(_("投诉内容"), rows=3)
    cause = _text(_("投诉产生原因分析"), rows=3)
    handling = _text(_("目前处理情况"), rows=3)
    difficulties = _text(_("处理难点"), required=False, rows=2)
    help_needed = _text(_("需协助事项"), required=False, rows=2)


class NcrForm(ActionForm):
    service = services.ncr_issue
    nonconformity = _text(_("不合格事实"), rows=3)
    cause = _text(_("原因分析"), rows=3)
    corrective_action = _text(_("纠正措施"), rows=3)
    preventive_action = _text(_("预防措施"), required=False, rows=3)


class ClaimForm(ActionForm):
    service = services.compensation_claim_record
    amount = forms.DecimalField(label=_("索赔金额（元）"), min_value=0.01, max_digits=12, decimal_places=2)
    description = _text(_("索赔内容"), rows=3)
    involves_construction_or_sales = forms.BooleanField(label=_("涉及工程或销售问题"), required=False)


class ClaimChoiceMixin:
    def setup(self):
        claims = self.complaint.claims.filter(state=ClaimState.PENDING).order_by("id")
        self.fields["claim_id"].choices = [(c.id, f"¥{c.amount} {c.description[:30]}") for c in claims]


class ClaimDecideForm(ClaimChoiceMixin, ActionForm):
    service = services.compensation_decide
    claim_id = forms.TypedChoiceField(label=_("赔偿申请"), coerce=int)
    approve = forms.TypedChoiceField(
        label=_("审批"),
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        choices=[("1", _("批准")), ("0", _("驳回"))],
    )
    approved_amount = forms.DecimalField(
        label=_("批准金额（元，可选）"), required=False, max_digits=12, decimal_places=2
    )
    note = _text(_("审批意见"), rows=2)


class ClaimEscalateForm(ClaimChoiceMixin, ActionForm):
    service = services.compensation_escalate
    claim_id = forms.TypedChoiceField(label=_("赔偿申请"), coerce=int)
    to_developer = forms.TypedChoiceField(
        label=_("上报至"),
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        choices=[("1", _("地产客户关系中心")), ("0", _("公司重大业务审批流程"))],
    )
    note = _text(_("上报说明"), rows=2)


class ChaseForm(ActionForm):
    service = services.chase_record
    via = forms.ChoiceField(
        label=_("催办方式"),
        choices=[("phone", _("电话")), ("visit", _("来访")), ("email", _("邮件"))],
        initial="phone",
    )
    text = _text(_("顾客催办内容"), rows=2)


class NoteForm(ActionForm):
    service = services.note_add
    text = _text(_("内部备注（业主看不到）"), rows=3)


class AttachmentForm(ActionForm):
    service = services.attachment_add
    file = forms.FileField(label=_("照片或扫描件（JPG/PNG/GIF/WEBP/PDF）"))
    issue_id = forms.TypedChoiceField(
        label=_("相关问题（可选）"), coerce=int, required=False, empty_value=None
    )

    def setup(self):
        self.fields["issue_id"].choices = [("", "—")] + [
            (i.id, f"{i.seq}. {i.summary[:40]}") for i in self.complaint.issues.order_by("seq")
        ]

    def service_kwargs(self):
        f = self.cleaned_data["file"]
        return {
            "upload": services.UploadInput(name=f.name, content=f.read()),
            "issue_id": self.cleaned_data["issue_id"],
        }


ACTION_FORMS: dict[str, type[ActionForm]] = {
    "close_on_spot": CloseOnSpotForm,
    "assign": AssignForm,
    "accept": AcceptForm,
    "transfer": TransferForm,
    "refuse": RefuseForm,
    "issue_findings_record": FindingsForm,
    "forward_to_developer": DeveloperForwardForm,
    "developer_answer_record": DeveloperAnswerForm,
    "explanation_record": ExplanationForm,
    "reply_draft_save": ReplyDraftForm,
    "reply_submit": ReplySubmitForm,
    "reply_review_approve": ReviewApproveForm,
    "reply_review_return": ReviewReturnForm,
    "reply_send": ReplySendForm,
    "complainant_agree": AgreeForm,
    "complainant_disagree": DisagreeForm,
    "negotiation_round_record": NegotiationForm,
    "measures_done": MeasuresDoneForm,
    "issue_verify": VerifyForm,
    "follow_up_record": FollowUpForm,
    "follow_up_attempt": FollowUpAttemptForm,
    "follow_up_exempt": FollowUpExemptForm,
    "escalate_to_qm": EscalateForm,
    "close_unclosed": UnclosedForm,
    "withdraw": WithdrawForm,
    "acknowledge_send": AcknowledgeForm,
    "clock_pause": PauseForm,
    "clock_resume": ResumeForm,
    "forwarder_reply_record": ForwarderReplyForm,
    "severity_raise": SeverityForm,
    "group_report_record": GroupReportForm,
    "ncr_issue": NcrForm,
    "compensation_claim_record": ClaimForm,
    "compensation_decide": ClaimDecideForm,
    "compensation_escalate": ClaimEscalateForm,
    "note_add": NoteForm,
    "chase_record": ChaseForm,
    "attachment_add": AttachmentForm,
}
