from django.db import models
from django.utils.translation import gettext_lazy as _

from docket.org.models import Company


class Category(models.Model):
    """A node of the company's configurable category tree (安全, 收费, 设施设备 …, R-INT-4).

    `developer_related` marks 地产遗留 categories: complaints in them count as developer-legacy (R-HDL-6).
    """

    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="categories", verbose_name=_("公司")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级"),
    )
    name = models.CharField(_("名称"), max_length=50)
    developer_related = models.BooleanField(_("地产遗留"), default=False)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("投诉分类")
        verbose_name_plural = _("投诉分类")
        ordering = ["sort", "id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "parent", "name"], name="category_unique_name")
        ]

    def __str__(self) -> str:
        parent = self.parent  # None without a query when parent_id is None
        return f"{parent.name} / {self.name}" if parent is not None else self.name
