"""Front-desk logs: suggestion-box openings (R-INT-8, 工作信息记录本) and daily reconciliation (R-INT-9)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from docket.org.models import Office


class SuggestionBoxOpening(models.Model):
    """One opening of an office's suggestion box by the designated person: when, how many letters, and —
    through Complaint.box_opening — the complaints it produced."""

    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="box_openings", verbose_name=_("管理处")
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("开箱人")
    )
    opened_at = models.DateTimeField(_("开箱时间"))
    letters = models.PositiveIntegerField(_("信件数"))
    note = models.TextField(_("记录"), blank=True)
    recorded_at = models.DateTimeField(_("记录时间"))

    class Meta:
        verbose_name = _("意见箱开箱记录")
        verbose_name_plural = _("意见箱开箱记录")
        ordering = ["-opened_at"]


class DailyReconciliation(models.Model):
    """A receiver's end-of-day reconciliation of what they took in (日盘点): the counts as they were at
    that moment, and a note on anything not yet handed over."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+", verbose_name=_("管理处"))
    receiver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("受理人")
    )
    day = models.DateField(_("日期"))
    received = models.PositiveIntegerField(_("当日受理"))
    not_handed_over = models.PositiveIntegerField(_("未移交"))
    note = models.TextField(_("说明"), blank=True)
    recorded_at = models.DateTimeField(_("盘点时间"))

    class Meta:
        verbose_name = _("日盘点")
        verbose_name_plural = _("日盘点")
        ordering = ["-day", "office_id"]
        constraints = [
            models.UniqueConstraint(fields=["office", "receiver", "day"], name="reconciliation_unique")
        ]


class SavedFilter(models.Model):
    """A staff member's named list filter (the query string of the complaint list)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters")
    name = models.CharField(_("名称"), max_length=40)
    query = models.CharField(_("筛选条件"), max_length=500)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("常用筛选")
        verbose_name_plural = _("常用筛选")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="saved_filter_unique")]
