"""The complaint case library (顾客投诉案例库, R-ANA-4, seed 5.2.6.1): typical complaints — major, hot and
important ones — written up by QM, leadership or an office manager and shared with every member of staff
of the company, with the personal data removed (`scrub.py`): no names, phones, rooms; the place is named
by community and building only."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from docket.org.models import Company


class TypicalCase(models.Model):
    class Kind(models.TextChoices):
        MAJOR = "major", _("重大投诉")
        HOT = "hot", _("热点投诉")
        IMPORTANT = "important", _("重要投诉")

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+", verbose_name=_("公司"))
    complaint = models.OneToOneField(
        "complaints.Complaint", on_delete=models.PROTECT, related_name="typical_case", verbose_name=_("投诉")
    )
    kind = models.CharField(_("案例类型"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("案例标题"), max_length=200)
    # The place as the library shows it: community and building, never the unit or room.
    place = models.CharField(_("小区/楼栋"), max_length=200, blank=True)
    category = models.ForeignKey(
        "complaints.Category",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("投诉类别"),
    )
    # Tags stored as ",停车,噪音," so that one tag is one `contains` filter on every database.
    tags = models.CharField(_("标签"), max_length=300, blank=True)
    background = models.TextField(_("事件背景"))
    causes = models.TextField(_("原因分析"))
    handling = models.TextField(_("处理过程"))
    result = models.TextField(_("处理结果"))
    lessons = models.TextField(_("经验教训"))
    measures = models.TextField(_("纠正预防措施"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("整理人")
    )
    created_at = models.DateTimeField(_("整理时间"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("修改人")
    )
    updated_at = models.DateTimeField(_("修改时间"))

    TEXT_FIELDS = ("title", "background", "causes", "handling", "result", "lessons", "measures")

    class Meta:
        verbose_name = _("典型案例")
        verbose_name_plural = _("典型案例")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["company", "-created_at"], name="case_company_recent")]

    def __str__(self) -> str:
        return self.title

    @property
    def tag_list(self) -> list[str]:
        return [t for t in self.tags.split(",") if t]
