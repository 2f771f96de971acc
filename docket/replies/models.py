"""Reply templates (常用答复, issue 14): texts QM keeps per company and category, inserted into a reply
draft with the complaint's placeholders filled (fill.py)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from docket.complaints.models import Category
from docket.org.models import Company


class ReplyTemplate(models.Model):
    """One template. `category` empty = offered for every category; a parent category's template is
    offered for its children too."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+", verbose_name=_("公司"))
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("投诉分类"),
        help_text=_("留空表示适用于全部分类；选上级分类时也适用于其下级分类。"),
    )
    title = models.CharField(_("标题"), max_length=100)
    body = models.TextField(
        _("答复内容"),
        help_text=_("可用占位符：{称呼} {小区} {管理处} {回执编号} {主题} {受理日期}，插入时按投诉填写。"),
    )
    active = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("更新人"),
    )

    class Meta:
        verbose_name = _("常用答复")
        verbose_name_plural = _("常用答复")
        ordering = ["company_id", "title", "id"]
        indexes = [models.Index(fields=["company", "active"], name="replytemplate_company")]

    def __str__(self) -> str:
        return self.title
