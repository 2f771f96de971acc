"""Reads of personal data that must leave a trace (R-EXP-12, PIPL): the front desk's resident lookup, and
every later reveal of a masked value. QM reads the log; nobody edits it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from docket.org.models import Company, Office


class PersonalDataAccess(models.Model):
    """One read of personal data: who, when, what was asked (masked), why, and how much it answered."""

    class Purpose(models.TextChoices):
        LOOKUP = "lookup", _("来电/来访住户查询")
        REVEAL = "reveal", _("查看完整个人信息")
        EXPORT = "export", _("导出个人信息")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("查询人")
    )
    at = models.DateTimeField(_("时间"), db_index=True)
    purpose = models.CharField(_("用途"), max_length=10, choices=Purpose.choices)
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+", verbose_name=_("公司"))
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("管理处")
    )
    complaint = models.ForeignKey(
        "complaints.Complaint",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("投诉"),
    )
    query = models.CharField(_("查询内容"), max_length=100, help_text=_("已脱敏"))
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    results = models.PositiveIntegerField(_("返回条数"), default=0)

    class Meta:
        verbose_name = _("个人信息查询记录")
        verbose_name_plural = _("个人信息查询记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["company", "at"], name="pdaccess_company_at")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_purpose_display()} · {self.query}"
