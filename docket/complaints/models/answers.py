"""The complainant's own answers from the owners' portal (issue 11): their rating of the follow-up on the
seed's three points (5.2.5.3, R-EXP-13) and the second-stage review they may ask for after closure
(R-EXP-10). Written only by `complaints.services.answers`."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from docket.org.models import Company

from .complaint import Complaint

User = settings.AUTH_USER_MODEL


class OwnerRating(models.Model):
    """The owner's OWN rating (1–5 each, with a comment) of the handling process, the measures and the
    result; beside, never instead of, the staff quality-control score of the follow-up visit. One per
    complaint per round (a complaint reopened by a second-stage review is rated again)."""

    complaint = models.ForeignKey(
        Complaint, on_delete=models.PROTECT, related_name="owner_ratings", verbose_name=_("投诉")
    )
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    round = models.PositiveSmallIntegerField(_("轮次"), default=1)
    process = models.PositiveSmallIntegerField(_("受理过程"))
    measures = models.PositiveSmallIntegerField(_("处理措施"))
    result = models.PositiveSmallIntegerField(_("处理结果"))
    comment = models.TextField(_("顾客意见"), blank=True)
    via = models.CharField(_("渠道"), max_length=20)
    rated_at = models.DateTimeField(_("评价时间"))

    class Meta:
        verbose_name = _("业主评价")
        verbose_name_plural = _("业主评价")
        constraints = [
            models.UniqueConstraint(fields=["complaint", "round"], name="owner_rating_one_per_round"),
            models.CheckConstraint(
                condition=models.Q(process__gte=1, process__lte=5)
                & models.Q(measures__gte=1, measures__lte=5)
                & models.Q(result__gte=1, result__lte=5),
                name="owner_rating_range",
            ),
        ]

    @property
    def average(self) -> float:
        return round((self.process + self.measures + self.result) / 3, 1)


class SecondReview(models.Model):
    """A second-stage review the complainant asked for after closure (R-EXP-10): decided in writing by QM
    or a post other than the first handler, with its own deadline (Obligation kind `second_review`)."""

    class Outcome(models.TextChoices):
        UPHELD = "upheld", _("维持原处理结果")
        REOPENED = "reopened", _("重新处理")

    complaint = models.OneToOneField(
        Complaint, on_delete=models.PROTECT, related_name="second_review", verbose_name=_("投诉")
    )
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("申请理由"))
    via = models.CharField(_("渠道"), max_length=20)
    requested_at = models.DateTimeField(_("申请时间"))
    # Who handled it the first time (the holder, the reply's author and sender): they may not decide.
    first_handler_ids = models.JSONField(_("原处理人"), default=list)
    outcome = models.CharField(_("复核结论"), max_length=10, choices=Outcome.choices, blank=True)
    decision = models.TextField(_("复核意见"), blank=True)
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("复核人")
    )
    decided_at = models.DateTimeField(_("复核时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("二次复核")
        verbose_name_plural = _("二次复核")
