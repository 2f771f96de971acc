"""Records made while handling a complaint; each is part of its file (R-ANA-5)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from docket.org.models import Company, Department, ExternalParty

from .choices import (
    CapaKind,
    CapaState,
    ClaimOutcome,
    ClaimRoute,
    ClaimState,
    Exemption,
    FollowUpMethod,
    FollowUpRating,
    NcrState,
    ProjectPhase,
    ReplyState,
    ReviewStage,
)
from .complaint import Complaint

User = settings.AUTH_USER_MODEL


class Reply(models.Model):
    """A reply to the complainant covering every issue (R-HDL-2, R-HDL-12). Each new draft after a sent one
    is a new row (`number`). `review_stages` is frozen when the draft is submitted (R-HDL-3)."""

    complaint = models.ForeignKey(
        Complaint, on_delete=models.PROTECT, related_name="replies", verbose_name=_("投诉")
    )
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    number = models.PositiveSmallIntegerField(_("第几次答复"))
    body = models.TextField(_("答复内容"))
    state = models.CharField(_("状态"), max_length=12, choices=ReplyState.choices, default=ReplyState.DRAFT)
    review_stages = models.JSONField(_("审核环节"), default=list)
    # Incremented at each submission; only approvals of the current round count.
    review_round = models.PositiveSmallIntegerField(_("审核轮次"), default=0)
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("起草人"))
    created_at = models.DateTimeField(_("起草时间"))
    updated_at = models.DateTimeField(_("修改时间"))
    sent_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("发送人")
    )
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("答复")
        verbose_name_plural = _("答复")
        ordering = ["complaint_id", "number"]
        constraints = [models.UniqueConstraint(fields=["complaint", "number"], name="reply_unique_number")]
        indexes = [
            # The queue's 退回修改 tab and count (selectors._returned_q): the drafts returned now, a handful
            # whatever the history, hashed once per request.
            models.Index(fields=["complaint"], name="reply_returned", condition=models.Q(state="returned")),
        ]


class ReplyReview(models.Model):
    """One review decision on a reply draft: approve, or return with comments (R-HDL-3)."""

    reply = models.ForeignKey(Reply, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("答复"))
    stage = models.CharField(_("审核环节"), max_length=20, choices=ReviewStage.choices)
    round = models.PositiveSmallIntegerField(_("审核轮次"))
    approved = models.BooleanField(_("通过"))
    comment = models.TextField(_("审核意见"), blank=True)
    reviewer = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("审核人"))
    reviewed_at = models.DateTimeField(_("审核时间"))

    class Meta:
        verbose_name = _("答复审核")
        verbose_name_plural = _("答复审核")
        ordering = ["reviewed_at", "id"]


class DeveloperForward(models.Model):
    """A complaint forwarded to the developer's customer-relations centre and followed until it answers
    (R-HDL-6, R-HDL-7 home return/exchange)."""

    complaint = models.ForeignKey(
        Complaint, on_delete=models.PROTECT, related_name="developer_forwards", verbose_name=_("投诉")
    )
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    party = models.ForeignKey(
        ExternalParty, on_delete=models.PROTECT, related_name="+", verbose_name=_("地产客户关系中心")
    )
    reason = models.TextField(_("转交说明"))
    their_ref = models.CharField(_("对方编号"), max_length=64, blank=True)
    # Seed 5.2.6.4 (issue 15): which phase of the project the problem goes back to, for the developer's
    # statistics and the company's own early involvement.
    project_phase = models.CharField(_("项目阶段"), max_length=12, choices=ProjectPhase.choices, blank=True)
    sent_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("转交人"))
    sent_at = models.DateTimeField(_("转交时间"))
    answer = models.TextField(_("地产答复"), blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("记录人")
    )
    # seed3 (issue 15, R-INT-5): one issue forwarded on its own (the complaint's other issues go on), and
    # the developer's answer deadline of this forward.
    issue = models.ForeignKey(
        "complaints.ComplaintIssue",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="developer_forwards",
        verbose_name=_("问题"),
    )
    obligation = models.ForeignKey(
        "complaints.Obligation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("转地产处理")
        verbose_name_plural = _("转地产处理")


class CompensationClaim(models.Model):
    """A compensation claim with its amount and the decision, within the decider's limit (R-HDL-7)."""

    complaint = models.ForeignKey(
        Complaint, on_delete=models.PROTECT, related_name="claims", verbose_name=_("投诉")
    )
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("索赔金额（元）"), max_digits=12, decimal_places=2)
    description = models.TextField(_("索赔内容"))
    involves_construction_or_sales = models.BooleanField(_("涉及工程或销售问题"), default=False)
    state = models.CharField(_("状态"), max_length=12, choices=ClaimState.choices, default=ClaimState.PENDING)
    recorded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("记录人")
    )
    recorded_at = models.DateTimeField(_("记录时间"))
    approved_amount = models.DecimalField(
        _("批准金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("审批人")
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)
    # seed part 2 (issue 15): the home-return/exchange request (5.2.4.2 退(换)房) is a claim of its own, and
    # an escalated claim (费用报批 / 重大业务审批) gets a recorded outcome by a deadline.
    home_return = models.BooleanField(_("退房/换房要求"), default=False)
    route = models.CharField(_("上报至"), max_length=20, choices=ClaimRoute.choices, blank=True)
    outcome_due_at = models.DateTimeField(_("审批结果期限"), null=True, blank=True)
    obligation = models.ForeignKey(
        "complaints.Obligation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(_("审批结果"), max_length=10, choices=ClaimOutcome.choices, blank=True)
    outcome_amount = models.DecimalField(
        _("最终金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    outcome_reasons = models.TextField(_("结果理由"), blank=True)
    outcome_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("结果记录人")
    )
    outcome_at = models.DateTimeField(_("结果记录时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("赔偿申请")
        verbose_name_plural = _("赔偿申请")
        constraints = [
            # A money claim has an amount; a home-return/exchange request may have none (0).
            models.CheckConstraint(
                condition=models.Q(amount__gt=0) | models.Q(home_return=True, amount__gte=0),
                name="claim_amount_positive",
            )
        ]


class FollowUp(models.Model):
    """The follow-up visit (回访) or its recorded exemption (R-HDL-11, R-EXP-13). One per handling round
    (`Complaint.handling_round`): a complaint a second-stage review reopened is followed up again, and the
    latest round is the current one (statistics read it)."""

    complaint = models.ForeignKey(
        Complaint, on_delete=models.PROTECT, related_name="follow_ups", verbose_name=_("投诉")
    )
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    round = models.PositiveSmallIntegerField(_("轮次"), default=1)
    # The complaint's current follow-up (its latest round): statistics join on it, one row per complaint.
    latest = models.BooleanField(_("最新一轮"), default=True)
    method = models.CharField(_("回访方式"), max_length=10, choices=FollowUpMethod.choices, blank=True)
    exemption = models.CharField(_("免回访原因"), max_length=16, choices=Exemption.choices, blank=True)
    satisfaction = models.PositiveSmallIntegerField(_("顾客满意度（1-5）"), null=True, blank=True)
    quality_score = models.PositiveSmallIntegerField(_("质检评分（1-5）"), null=True, blank=True)
    opinion = models.TextField(_("顾客意见"), blank=True)
    # The seed's three points (5.2.5.3, issue 15): the handling process, the measures, the result.
    process_rating = models.CharField(
        _("对受理过程的评价"), max_length=12, choices=FollowUpRating.choices, blank=True
    )
    measures_rating = models.CharField(
        _("对处理措施的评价"), max_length=12, choices=FollowUpRating.choices, blank=True
    )
    result_rating = models.CharField(
        _("对处理结果的评价"), max_length=12, choices=FollowUpRating.choices, blank=True
    )
    # The exemption was decided by the system from the complaint's facts (anonymous, no contact, sensitive).
    automatic = models.BooleanField(_("系统自动免回访"), default=False)
    visited_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("回访人"))
    visited_at = models.DateTimeField(_("回访时间"))

    class Meta:
        verbose_name = _("回访")
        verbose_name_plural = _("回访")
        ordering = ["complaint_id", "round"]
        constraints = [
            models.UniqueConstraint(fields=["complaint", "round"], name="follow_up_one_per_round"),
            models.UniqueConstraint(
                fields=["complaint"], condition=models.Q(latest=True), name="follow_up_one_latest"
            ),
        ]


class NonconformityReport(models.Model):
    """不合格/纠正、预防措施报告, issued by the management representative for what exceeds a
    department (R-HDL-5, seed document 5)."""

    complaint = models.ForeignKey(
        Complaint, on_delete=models.PROTECT, related_name="ncrs", verbose_name=_("投诉")
    )
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    nonconformity = models.TextField(_("不合格事实"))
    cause = models.TextField(_("原因分析"))
    corrective_action = models.TextField(_("纠正措施"))
    preventive_action = models.TextField(_("预防措施"), blank=True)
    # Empty while a department's draft waits for the management representative's signature (seed part 2).
    issued_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("签发人")
    )
    issued_at = models.DateTimeField(_("签发时间"), null=True, blank=True)
    # seed part 2 (issue 15): document 5 §4.3 (a department fills it in) and §4.4 (the management
    # representative signs it before handling); closed when every corrective/preventive action is verified.
    state = models.CharField(_("状态"), max_length=10, choices=NcrState.choices, default=NcrState.SIGNED)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("填写部门"),
    )
    drafted_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("填写人")
    )
    drafted_at = models.DateTimeField(_("填写时间"), null=True, blank=True)
    sign_obligation = models.ForeignKey(
        "complaints.Obligation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("关闭人")
    )
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("不合格/纠正、预防措施报告")
        verbose_name_plural = _("不合格/纠正、预防措施报告")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state=NcrState.DRAFT) | models.Q(issued_by__isnull=False),
                name="ncr_signed_has_signer",
            )
        ]


class CorrectiveAction(models.Model):
    """One corrective or preventive action of a signed report: assigned to a department (and person) with a
    deadline, reported done, verified (failed verification sends it back), on the complaint's record (seed
    document 5 §4.3–4.4; seed part 2, issue 15)."""

    ncr = models.ForeignKey(
        NonconformityReport, on_delete=models.PROTECT, related_name="actions", verbose_name=_("报告")
    )
    complaint = models.ForeignKey(
        Complaint, on_delete=models.PROTECT, related_name="capas", verbose_name=_("投诉")
    )
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类型"), max_length=12, choices=CapaKind.choices)
    description = models.TextField(_("措施内容"))
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("责任部门")
    )
    responsible = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("责任人")
    )
    state = models.CharField(_("状态"), max_length=10, choices=CapaState.choices, default=CapaState.OPEN)
    due_at = models.DateTimeField(_("完成期限"))
    obligation = models.ForeignKey(
        "complaints.Obligation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assigned_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("下达人")
    )
    assigned_at = models.DateTimeField(_("下达时间"))
    done_note = models.TextField(_("落实情况"), blank=True)
    done_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("落实人")
    )
    done_at = models.DateTimeField(_("落实时间"), null=True, blank=True)
    verify_note = models.TextField(_("验证情况"), blank=True)
    verified_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("验证人")
    )
    verified_at = models.DateTimeField(_("验证时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("纠正/预防措施")
        verbose_name_plural = _("纠正/预防措施")
        ordering = ["ncr_id", "id"]


# --- seed3 (issue 15, R-INT-5): per-issue answers ---------------------------------------------------------


class IssueAnswer(models.Model):
    """An answer to one or more named issues of a complaint, sent on its own before the final reply (R-INT-5:
    each issue answered on its own while the letter stays one complaint). It takes the review route of the
    complaint's method (workflow.REVIEW_ROUTES) like a reply; a returned answer stays on the record and a new
    one is submitted. States: in_review → approved → sent, or returned (ReplyState, without draft)."""

    complaint = models.ForeignKey(
        Complaint, on_delete=models.PROTECT, related_name="issue_answers", verbose_name=_("投诉")
    )
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    number = models.PositiveSmallIntegerField(_("第几份单项答复"))
    issues = models.ManyToManyField(
        "complaints.ComplaintIssue", related_name="answers", verbose_name=_("答复的问题")
    )
    body = models.TextField(_("答复内容"))
    state = models.CharField(
        _("状态"), max_length=12, choices=ReplyState.choices, default=ReplyState.IN_REVIEW
    )
    review_stages = models.JSONField(_("审核环节"), default=list)
    # The stage it waits at ("qm", "general_office"), empty once approved, returned or sent.
    pending_stage = models.CharField(_("待审核环节"), max_length=20, blank=True)
    # Each decision: {"stage", "approved", "comment", "reviewer", "at"}.
    reviews = models.JSONField(_("审核记录"), default=list)
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("起草人"))
    created_at = models.DateTimeField(_("起草时间"))
    sent_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("发送人")
    )
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("单项答复")
        verbose_name_plural = _("单项答复")
        ordering = ["complaint_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["complaint", "number"], name="issue_answer_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id}#{self.number}"
