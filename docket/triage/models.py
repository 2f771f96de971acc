"""Triage records: the company's versioned classifier, what staff did with each suggestion, and the
same-issue groups staff confirm (R-INT-4, R-ESC-1)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from docket.complaints.models import Category, Complaint
from docket.org.models import Company, Department, Office


class TriageModel(models.Model):
    """One fitted classifier of a company. The newest row of a company is the one in use; older rows stay
    so that every recorded suggestion names the model that made it. The fitted pipeline is stored in the
    row (`blob`: joblib, zlib-compressed; a few MB), so it travels with the database backup and every
    worker reads the same bytes — no file under MEDIA_ROOT to keep in step (docs/decisions.md)."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+", verbose_name=_("公司"))
    version = models.PositiveIntegerField(_("版本"))
    trained_at = models.DateTimeField(_("训练时间"))
    samples = models.PositiveIntegerField(_("样本数"))
    # {"category_top1": …, "category_top3": …, "department": …, "holdout": n, "labels": n}
    metrics = models.JSONField(_("评估指标"), default=dict)
    blob = models.BinaryField(_("模型"))

    class Meta:
        verbose_name = _("分类模型")
        verbose_name_plural = _("分类模型")
        constraints = [
            models.UniqueConstraint(fields=["company", "version"], name="triage_model_unique_version")
        ]

    def __str__(self) -> str:
        return f"v{self.version}"

    @property
    def label(self) -> str:
        return f"model-{self.version}"


class TriageFeedback(models.Model):
    """What the suggestion was when a complaint was filed and what staff chose (R-INT-4: staff decide).
    `model_version` is "rules-1" for the cold-start rules or "model-N" for a TriageModel."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+", verbose_name=_("公司"))
    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="+", verbose_name=_("管理处"))
    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="+", verbose_name=_("投诉")
    )
    model_version = models.CharField(_("建议来源"), max_length=32)
    suggested_category = models.ForeignKey(
        Category,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("建议分类"),
    )
    suggested_department = models.ForeignKey(
        Department,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("建议部门"),
    )
    chosen_category = models.ForeignKey(
        Category,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("选定分类"),
    )
    chosen_department = models.ForeignKey(
        Department,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("选定部门"),
    )
    category_accepted = models.BooleanField(_("采纳分类"))
    department_accepted = models.BooleanField(_("采纳部门"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("记录人"),
    )
    recorded_at = models.DateTimeField(_("记录时间"))

    class Meta:
        verbose_name = _("分诊建议采纳记录")
        verbose_name_plural = _("分诊建议采纳记录")
        constraints = [
            models.UniqueConstraint(fields=["complaint"], name="triage_feedback_one_per_complaint")
        ]
        indexes = [models.Index(fields=["company", "recorded_at"], name="triage_feedback_company")]


class SameIssueGroup(models.Model):
    """Complaints about the same problem at the same place (R-ESC-1). Created when staff confirm what the
    detector proposed; its members are the staff's decision from then on."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+", verbose_name=_("公司"))
    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="+", verbose_name=_("管理处"))
    category = models.ForeignKey(
        Category, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("分类")
    )
    title = models.CharField(_("问题"), max_length=200)
    created_at = models.DateTimeField(_("创建时间"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("创建人"),
    )
    # Set when merged into another group (its members moved there); a merged group has no members.
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("并入")
    )

    class Meta:
        verbose_name = _("同一问题组")
        verbose_name_plural = _("同一问题组")
        indexes = [models.Index(fields=["office", "created_at"], name="same_issue_group_office")]

    def __str__(self) -> str:
        return self.title


class SameIssueMember(models.Model):
    """A complaint's place in a group. `decided_by` is the staff member who put it there (confirm, split,
    merge); the detector never moves a complaint a person decided on. One row per complaint: a complaint
    belongs to at most one group."""

    group = models.ForeignKey(
        SameIssueGroup, on_delete=models.CASCADE, related_name="members", verbose_name=_("问题组")
    )
    complaint = models.OneToOneField(
        Complaint, on_delete=models.CASCADE, related_name="+", verbose_name=_("投诉")
    )
    score = models.FloatField(_("相似度"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("决定人"),
    )
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("同一问题组成员")
        verbose_name_plural = _("同一问题组成员")
