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
    def on_time(self) -> bool | None:
        return None if self.submitted_at is None else self.submitted_at <= self.due_at
