"""Deadline configuration (R-SLA-1, R-SLA-2): the statutory calendar's admin-editable part, office
hours per company, and reply-time policies per company with per-office overrides."""

from datetime import time

from django.db import models
from django.utils.translation import gettext_lazy as _

from docket.org.models import Company, Office


class CalendarDay(models.Model):
    """A date that is a public holiday or an adjusted working day (调休), entered by an administrator or
    imported from the State Council's notice. Overrides the `chinese-calendar` package for that date."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("法定节假日")
        WORKDAY = "workday", _("调休上班")

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=50, blank=True)
    source = models.CharField(_("来源"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("节假日/调休日")
        verbose_name_plural = _("节假日/调休日")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"


class CalendarYear(models.Model):
    """A year whose holiday arrangement has been entered completely. Years neither here nor in the
    package are 'unknown': deadlines reaching them are provisional and administrators are warned."""

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    source = models.CharField(_("来源"), max_length=200, blank=True)
    loaded_at = models.DateTimeField(_("导入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("已录入年份")
        verbose_name_plural = _("已录入年份")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)


class WorkingHours(models.Model):
    """A company's office hours (R-SLA-1), with an optional lunch break."""

    company = models.OneToOneField(
        Company, on_delete=models.CASCADE, related_name="working_hours", verbose_name=_("公司")
    )
    morning_start = models.TimeField(_("上午上班"), default=time(8, 30))
    morning_end = models.TimeField(_("上午下班"), default=time(12, 0))
    afternoon_start = models.TimeField(_("下午上班"), default=time(13, 30))
    afternoon_end = models.TimeField(_("下午下班"), default=time(17, 30))

    class Meta:
        verbose_name = _("办公时间")
        verbose_name_plural = _("办公时间")

    def __str__(self) -> str:
        return f"{self.company}: {self.morning_start:%H:%M}-{self.morning_end:%H:%M}, {self.afternoon_start:%H:%M}-{self.afternoon_end:%H:%M}"


class SlaPolicy(models.Model):
    """Reply-time rules of a company (office empty) or one office's overrides (R-SLA-2). `rules` holds only
    what differs from the defaults (policies.DEFAULT_RULES); `version` grows with every change and is
    stored on each obligation it produced."""

    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="sla_policies", verbose_name=_("公司")
    )
    office = models.ForeignKey(
        Office,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sla_policies",
        verbose_name=_("管理处"),
    )
    rules = models.JSONField(_("规则"), default=dict, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("时限规则")
        verbose_name_plural = _("时限规则")
        constraints = [
            models.UniqueConstraint(
                fields=["company", "office"], name="sla_policy_unique", nulls_distinct=False
            ),
        ]

    def __str__(self) -> str:
        return f"{self.office or self.company} v{self.version}"
