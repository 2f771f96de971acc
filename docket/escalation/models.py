"""Hot and major complaints (R-ESC): the per-company thresholds and the company-fault fact.

The classification itself is not stored here: it is the complaint's `severity` plus the
`severity_classified` events (rule code, evidence, time) on its hash-chained record."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from docket.complaints.models import Complaint
from docket.org.models import Company

# The seed's thresholds (5.4.1, 5.4.2): used when a company has no policy row.
DEFAULTS = {
    "repeat_people": 3,
    "repeat_window_days": 30,
    "hot_collective_people": 3,
    "major_collective_people": 10,
    "hot_unresolved_days": 7,
    "major_unresolved_days": 30,
}


def _positive(upper: int) -> list:
    return [MinValueValidator(1), MaxValueValidator(upper)]


def _at_least(lower: int, upper: int) -> list:
    """People thresholds start at 2: one person is not a collective (and intake relies on it, needs_now)."""
    return [MinValueValidator(lower), MaxValueValidator(upper)]


class EscalationPolicy(models.Model):
    """A company's hot/major thresholds (R-ESC-1/2) and its district property authority (物业服务重大事件
    报告制度). Missing row: the seed's defaults (`DEFAULTS`) and no authority named."""

    company = models.OneToOneField(
        Company, on_delete=models.PROTECT, related_name="escalation_policy", verbose_name=_("公司")
    )
    repeat_people = models.PositiveSmallIntegerField(
        _("相同投诉不同投诉人数（热点）"), default=DEFAULTS["repeat_people"], validators=_at_least(2, 100)
    )
    repeat_window_days = models.PositiveSmallIntegerField(
        _("相同投诉统计天数"), default=DEFAULTS["repeat_window_days"], validators=_positive(365)
    )
    hot_collective_people = models.PositiveSmallIntegerField(
        _("集体投诉人数（热点）"), default=DEFAULTS["hot_collective_people"], validators=_at_least(2, 10000)
    )
    major_collective_people = models.PositiveSmallIntegerField(
        _("集体投诉人数（重大）"), default=DEFAULTS["major_collective_people"], validators=_at_least(2, 10000)
    )
    hot_unresolved_days = models.PositiveSmallIntegerField(
        _("因我方原因未解决天数（热点）"), default=DEFAULTS["hot_unresolved_days"], validators=_positive(365)
    )
    major_unresolved_days = models.PositiveSmallIntegerField(
        _("因我方原因未解决天数（重大）"),
        default=DEFAULTS["major_unresolved_days"],
        validators=_positive(365),
    )
    authority_name = models.CharField(_("区物业管理行政主管部门"), max_length=100, blank=True)
    authority_contact = models.CharField(_("主管部门联系方式"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("热点/重大投诉判定标准")
        verbose_name_plural = _("热点/重大投诉判定标准")

    def __str__(self) -> str:
        return str(self.company)

    def clean(self) -> None:
        """A major threshold below the hot one would skip hot: refused."""
        errors = {}
        if self.major_collective_people < self.hot_collective_people:
            errors["major_collective_people"] = _("重大标准的人数不能少于热点标准。")
        if self.major_unresolved_days < self.hot_unresolved_days:
            errors["major_unresolved_days"] = _("重大标准的天数不能少于热点标准。")
        if errors:
            raise ValidationError(errors)

    @classmethod
    def for_company(cls, company_id: int) -> EscalationPolicy:
        found = cls.objects.filter(company_id=company_id).first()
        return found if found is not None else cls(company_id=company_id)


class FaultFinding(models.Model):
    """QM's finding on whether a complaint is still unresolved through the company's own fault (R-ESC-1/2,
    "由于我方原因"). No row: presumed the company's fault (time paused waiting on the owner or a third
    party never counts either way). The latest finding wins; each one is an event on the record."""

    complaint = models.OneToOneField(
        Complaint, on_delete=models.PROTECT, related_name="fault_finding", verbose_name=_("投诉")
    )
    company_fault = models.BooleanField(_("属我方原因"))
    reason = models.CharField(_("认定理由"), max_length=500)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("认定人")
    )
    recorded_at = models.DateTimeField(_("认定时间"))

    class Meta:
        verbose_name = _("责任认定")
        verbose_name_plural = _("责任认定")


class ClassifyPending(models.Model):
    """A new complaint whose hot/major classification (the same-issue count, R-ESC-1) waits for the
    background worker: written in the intake's own transaction, so it commits with the complaint and is never
    lost with a queued task (Redis keeps nothing on disk); deleted once classified. The worker takes the
    rows in batches (`services.classify_pending`; docs/decisions.md, "classifybatch")."""

    complaint = models.OneToOneField(
        Complaint, on_delete=models.CASCADE, primary_key=True, related_name="+", verbose_name=_("投诉")
    )
    queued_at = models.DateTimeField(_("排队时间"))

    class Meta:
        verbose_name = _("待分级投诉")
        verbose_name_plural = _("待分级投诉")
