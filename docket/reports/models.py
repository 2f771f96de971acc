"""Periodic reporting duties (R-SLA-4, R-ANA-2): the department's monthly statistics due on the 1st, the
office's monthly analysis, QM's quarterly (or half-yearly) analysis. Each duty is a row with its period,
its stored due time and whether it was submitted on time."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from docket.org.models import Company, Department, Office


class ReportDuty(models.Model):
    class Kind(models.TextChoices):
        DEPT_MONTHLY = "dept_monthly", _("部门月度投诉统计")
        OFFICE_MONTHLY = "office_monthly", _("管理处月度投诉分析")
        QM_PERIODIC = "qm_periodic", _("品质管理部投诉统计分析")

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+", verbose_name=_("公司"))
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("管理处")
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("部门")
    )
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    period_start = models.DateField(_("期间开始"))
    period_end = models.DateField(_("期间结束"))
    due_at = models.DateTimeField(_("到期时间"))
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("提交人"),
    )
    summary = models.TextField(_("分析内容"), blank=True)
    # The sections of the monthly / quarterly analysis (R-ANA-2, seed 5.2.6.2-3), written by staff.
    causes = models.TextField(_("原因分析"), blank=True)
    lessons = models.TextField(_("经验教训"), blank=True)
    measures = models.TextField(_("纠正措施"), blank=True)
    trends = models.TextField(_("趋势分析"), blank=True)
    # The period's figures as they stood when the report was submitted (the report stays what was sent).
    figures = models.JSONField(_("统计数据"), default=dict, blank=True)
    overdue_notified_at = models.DateTimeField(null=True, blank=True)
    # The approval step (reports.approval): who approved the submitted report and when.
    approved_at = models.DateTimeField(_("审核通过时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )

    class Meta:
        verbose_name = _("定期报告")
        verbose_name_plural = _("定期报告")
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "company", "office", "department", "period_start"],
                name="report_duty_unique",
                nulls_distinct=False,
            ),
        ]
        indexes = [models.Index(fields=["company", "submitted_at", "due_at"], name="report_duty_open")]

    def __str__(self) -> str:
        who = self.department or self.office or self.company
        return f"{who} {self.get_kind_display()} {self.period_start:%Y-%m}"

    @property
    def status(self) -> str:
        """draft (not submitted, or returned), submitted (waiting for approval), approved."""
        if self.approved_at is not None:
            return "approved"
        return "submitted" if self.submitted_at is not None else "draft"

    @property
    def on_time(self) -> bool | None:
        return None if self.submitted_at is None else self.submitted_at <= self.due_at


# --- report documents: approval, delivery settings, generated statistics (issue 13, report documents) ------


class ReportReview(models.Model):
    """One decision on a submitted report (R-ANA-2/3): approved, or returned with a comment for the author
    to revise and submit again. Who decides: the office manager for a department's statistics, QM for an
    office's analysis, leadership or the management representative for QM's periodic analysis
    (`reports.approval.may_review`)."""

    duty = models.ForeignKey(ReportDuty, on_delete=models.PROTECT, related_name="reviews")
    approved = models.BooleanField(_("通过"))
    comment = models.TextField(_("审核意见"), blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("审核人")
    )
    reviewed_at = models.DateTimeField(_("审核时间"))
    # When the submission this decision is about was made (a returned report is submitted again).
    submitted_at = models.DateTimeField(_("提交时间"))

    class Meta:
        verbose_name = _("报告审核")
        verbose_name_plural = _("报告审核")
        ordering = ["reviewed_at", "id"]


class ReportDelivery(models.Model):
    """Where a company's finished reports go (R-ANA-2, seed 5.2.6.4): approved analyses to the listed
    mailboxes; the developer-legacy monthly statistics to the developer's customer-relations centre (its
    mailbox, and its webhook endpoints registered for that external party) and to the listed mailboxes."""

    company = models.OneToOneField(
        Company, on_delete=models.CASCADE, related_name="report_delivery", verbose_name=_("公司")
    )
    recipients = models.TextField(_("报告接收邮箱"), blank=True, help_text=_("每行一个邮箱。"))
    developer_party = models.ForeignKey(
        "org.ExternalParty",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("地产客户关系中心"),
    )
    developer_emails = models.TextField(_("地产接收邮箱"), blank=True, help_text=_("每行一个邮箱。"))

    class Meta:
        verbose_name = _("报告发送设置")
        verbose_name_plural = _("报告发送设置")

    def __str__(self) -> str:
        return str(self.company)

    @staticmethod
    def _emails(text: str) -> list[str]:
        return [e.strip() for e in text.replace(",", "\n").splitlines() if "@" in e.strip()]

    @property
    def recipient_emails(self) -> list[str]:
        return self._emails(self.recipients)

    @property
    def developer_email_list(self) -> list[str]:
        return self._emails(self.developer_emails)


class GeneratedReport(models.Model):
    """A report the system generates on schedule (the developer-legacy monthly statistics, seed 5.2.6.4)
    or a finished analysis queued for delivery: its figures as generated, the files written, and when it
    was handed to the outbox. One row per (kind, company, period): generating again changes nothing."""

    class Kind(models.TextChoices):
        DEVELOPER_LEGACY = "developer_legacy", _("地产遗留问题月度统计")
        ANALYSIS = "analysis", _("投诉分析报告")

    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+", verbose_name=_("公司"))
    duty = models.OneToOneField(
        ReportDuty, on_delete=models.PROTECT, null=True, blank=True, related_name="generated"
    )
    period_start = models.DateField(_("期间开始"))
    period_end = models.DateField(_("期间结束"))
    figures = models.JSONField(_("统计数据"), default=dict, blank=True)
    files = models.JSONField(_("文件"), default=list, blank=True)  # [{"name", "path", "sha256"}]
    created_at = models.DateTimeField(_("生成时间"))
    delivered_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("生成的报告")
        verbose_name_plural = _("生成的报告")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "company", "period_start"],
                name="generated_report_unique",
                condition=models.Q(duty__isnull=True),
            ),
        ]


# --- the statistics' summary (docs/decisions.md, "Statistics from a daily summary") ----------------------


class FigureColumns(models.Model):
    """The columns of a summary row (`DailyFigure`, `MonthlyFigure`): one office, one value of one
    dimension (`dim`, `key`), additive counts and sums, the handling minutes."""

    day = models.DateField(_("受理日期"))
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="+")
    dim = models.CharField(max_length=12)
    key = models.CharField(max_length=40, blank=True)  # an id or a choice value; "" for none
    received = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    unclosed = models.PositiveIntegerField(default=0)
    withdrawn = models.PositiveIntegerField(default=0)
    hot = models.PositiveIntegerField(default=0)
    major = models.PositiveIntegerField(default=0)
    reopened = models.PositiveIntegerField(default=0)
    rounds = models.PositiveIntegerField(default=0)
    satisfaction_sum = models.PositiveIntegerField(default=0)
    satisfaction_n = models.PositiveIntegerField(default=0)
    quality_sum = models.PositiveIntegerField(default=0)
    quality_n = models.PositiveIntegerField(default=0)
    # Handling time in working minutes (the company's calendar) of the complaints closed or unclosed:
    # every value, sorted, so medians and 90th percentiles are exact; `handled` = how many.
    handled = models.PositiveIntegerField(default=0)
    handling = models.JSONField(default=list)
    # On-time per obligation kind (Obligation.Kind): decided obligations only (met / missed).
    met_acknowledge = models.PositiveIntegerField(default=0)
    missed_acknowledge = models.PositiveIntegerField(default=0)
    met_reply = models.PositiveIntegerField(default=0)
    missed_reply = models.PositiveIntegerField(default=0)
    met_forwarder_reply = models.PositiveIntegerField(default=0)
    missed_forwarder_reply = models.PositiveIntegerField(default=0)
    met_review = models.PositiveIntegerField(default=0)
    missed_review = models.PositiveIntegerField(default=0)
    met_verify = models.PositiveIntegerField(default=0)
    missed_verify = models.PositiveIntegerField(default=0)
    met_follow_up = models.PositiveIntegerField(default=0)
    missed_follow_up = models.PositiveIntegerField(default=0)
    met_report_group = models.PositiveIntegerField(default=0)
    missed_report_group = models.PositiveIntegerField(default=0)
    # The duties added by escalation, the portal answers and the seed's procedure (issues 11, 12, 15): a
    # pair per Obligation.Kind (test_the_summary_holds_a_column_pair_for_every_obligation_kind).
    met_group_progress = models.PositiveIntegerField(default=0)
    missed_group_progress = models.PositiveIntegerField(default=0)
    met_case_report = models.PositiveIntegerField(default=0)
    missed_case_report = models.PositiveIntegerField(default=0)
    met_special_report = models.PositiveIntegerField(default=0)
    missed_special_report = models.PositiveIntegerField(default=0)
    met_authority_report = models.PositiveIntegerField(default=0)
    missed_authority_report = models.PositiveIntegerField(default=0)
    met_first_contact = models.PositiveIntegerField(default=0)
    missed_first_contact = models.PositiveIntegerField(default=0)
    met_qm_verify = models.PositiveIntegerField(default=0)
    missed_qm_verify = models.PositiveIntegerField(default=0)
    met_progress_update = models.PositiveIntegerField(default=0)
    missed_progress_update = models.PositiveIntegerField(default=0)
    met_leadership_opinion = models.PositiveIntegerField(default=0)
    missed_leadership_opinion = models.PositiveIntegerField(default=0)
    met_developer_answer = models.PositiveIntegerField(default=0)
    missed_developer_answer = models.PositiveIntegerField(default=0)
    met_second_review = models.PositiveIntegerField(default=0)
    missed_second_review = models.PositiveIntegerField(default=0)
    met_claim_outcome = models.PositiveIntegerField(default=0)
    missed_claim_outcome = models.PositiveIntegerField(default=0)
    met_ncr_sign = models.PositiveIntegerField(default=0)
    missed_ncr_sign = models.PositiveIntegerField(default=0)
    met_capa = models.PositiveIntegerField(default=0)
    missed_capa = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class DailyFigure(FigureColumns):
    """One day's figures of one office for one value of one dimension (`dim`, `key`): additive counts and
    sums over the complaints *received* that day, as they stand now (their state, rating, obligations).
    `dim` "total" (key "") holds the office-day itself; the office and month breakdowns group those rows.
    Written only by `reports.figures` (rebuilt from the complaints, never edited), read by the statistics
    pages, the report duties and the committee's page."""

    class Meta:
        verbose_name = _("每日统计汇总")
        verbose_name_plural = _("每日统计汇总")
        constraints = [
            models.UniqueConstraint(fields=["dim", "office", "day", "key"], name="daily_figure_unique"),
        ]
        indexes = [
            models.Index(fields=["dim", "company", "day"], name="daily_figure_company"),
            models.Index(fields=["dim", "day"], name="daily_figure_day"),
            # The rebuild of (office, day) pairs reads and deletes by them (statsperf).
            models.Index(fields=["office", "day"], name="daily_figure_office_day"),
        ]


class MonthlyFigure(FigureColumns):
    """The sum of an office's `DailyFigure` rows of one calendar month (`day` = its first day) for one value
    of one dimension, handling minutes merged: what a period's whole months read (30 times fewer rows).
    Rewritten from the daily rows in the same transaction as they are (`figures._rollup`), never edited."""

    class Meta:
        verbose_name = _("每月统计汇总")
        verbose_name_plural = _("每月统计汇总")
        constraints = [
            models.UniqueConstraint(fields=["dim", "office", "day", "key"], name="monthly_figure_unique"),
        ]
        indexes = [
            models.Index(fields=["dim", "company", "day"], name="monthly_figure_company"),
            models.Index(fields=["dim", "day"], name="monthly_figure_day"),
            models.Index(fields=["office", "day"], name="monthly_figure_office_day"),
        ]


class FigureComplaint(models.Model):
    """What one complaint added to the summary rows when its office-day was last rebuilt (written in the
    same transaction as those rows): its keys per dimension, its non-zero figures and its handling
    minutes. A page subtracts this and adds the complaint as it stands now for the complaints changed
    since the last build (`figures._delta`): the live work is per changed complaint, not per office-day.
    No foreign key: the rows follow the summary's rebuilds, not the complaints' table."""

    complaint_id = models.BigIntegerField(primary_key=True)
    office_id = models.BigIntegerField()
    company_id = models.BigIntegerField()
    day = models.DateField()
    # Compact JSON text (`figures.Contribution.snapshot`): half the size of jsonb, read whole.
    data = models.TextField()

    class Meta:
        verbose_name = _("投诉统计快照")
        verbose_name_plural = _("投诉统计快照")
        indexes = [models.Index(fields=["office_id", "day"], name="figure_complaint_office_day")]


class FigureState(models.Model):
    """One row: the summary holds every change to a complaint whose `updated_at` is before
    `built_to - figures.MARGIN`; later changes are read from the complaints themselves."""

    built_to = models.DateTimeField()
