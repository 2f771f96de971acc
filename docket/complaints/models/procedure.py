"""Records of the seed's procedure steps (issue 15): the department's first contact with the complainant
(seed document 5 §4.3, R-PRC-4). Each is part of the complaint's file (R-ANA-5)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from docket.org.models import Company

from .choices import ContactMethod
from .complaint import Complaint

User = settings.AUTH_USER_MODEL


class FirstContact(models.Model):
    """The responsible department's first contact with the complainant: how, when, what was said, and
    whether it began with an apology ("首先向用户道歉", document 5 §4.3) — or why not."""

    complaint = models.OneToOneField(
        Complaint, on_delete=models.PROTECT, related_name="first_contact", verbose_name=_("投诉")
    )
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(_("联系方式"), max_length=10, choices=ContactMethod.choices)
    contacted_at = models.DateTimeField(_("联系时间"))
    summary = models.TextField(_("联系情况（解释说明）"))
    apologised = models.BooleanField(_("已向顾客道歉"))
    no_apology_reason = models.TextField(_("未道歉的原因"), blank=True)
    recorded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("记录人")
    )
    recorded_at = models.DateTimeField(_("记录时间"))

    class Meta:
        verbose_name = _("首次联系顾客")
        verbose_name_plural = _("首次联系顾客")
