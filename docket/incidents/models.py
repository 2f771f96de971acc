"""Incidents (突发事件, issue 12): a water or power cut, a lift out of service … declared by office staff
for an area (the whole community or some buildings) and a time span. Complaints from that area are linked to
it at intake or later, and every update of the incident reaches each linked complainant once and lands on
each linked complaint's record (services.py)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from docket.org.models import Building, Company, Office


class Incident(models.Model):
    class Kind(models.TextChoices):
        WATER = "water", _("停水")
        POWER = "power", _("停电")
        LIFT = "lift", _("电梯停运")
        GAS = "gas", _("燃气")
        NETWORK = "network", _("网络")
        OTHER = "other", _("其他")

    class State(models.TextChoices):
        ACTIVE = "active", _("进行中")
        RESOLVED = "resolved", _("已解除")

    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="+", verbose_name=_("物业公司")
    )
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="incidents", verbose_name=_("管理处")
    )
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("标题"), max_length=100)
    # The public description: what owners read on the portal and in messages. No personal data.
    description = models.TextField(_("公告内容"), max_length=1000)
    # The area: the whole community, or the buildings listed.
    whole_community = models.BooleanField(_("整个小区"), default=False)
    buildings = models.ManyToManyField(Building, blank=True, related_name="+", verbose_name=_("影响楼栋"))
    starts_at = models.DateTimeField(_("开始时间"))
    expected_end_at = models.DateTimeField(_("预计结束时间"), null=True, blank=True)
    ended_at = models.DateTimeField(_("实际结束时间"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.ACTIVE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("发布人")
    )
    created_at = models.DateTimeField(_("发布时间"))
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("突发事件")
        verbose_name_plural = _("突发事件")
        indexes = [models.Index(fields=["office", "state", "starts_at"], name="incident_office_state")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.title}"

    @property
    def active(self) -> bool:
        return self.state == self.State.ACTIVE


class IncidentUpdate(models.Model):
    """One update posted on an incident (its text is public); `final` is the one posted on resolving."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="updates")
    seq = models.PositiveIntegerField()
    text = models.TextField(_("进展内容"), max_length=500)
    final = models.BooleanField(default=False)
    at = models.DateTimeField(_("发布时间"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # What the fan-out did: records written, complainants messaged (the outbox rows were queued in the same
    # transaction).
    recorded = models.PositiveIntegerField(default=0)
    notified = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("事件进展")
        verbose_name_plural = _("事件进展")
        constraints = [models.UniqueConstraint(fields=["incident", "seq"], name="incident_update_seq")]


class IncidentLink(models.Model):
    """A complaint linked to an incident (at most once per incident). The link is also an event on the
    complaint's record (`incident_linked`)."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="links")
    complaint = models.ForeignKey(
        "complaints.Complaint", on_delete=models.PROTECT, related_name="incident_links"
    )
    linked_at = models.DateTimeField()
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    via = models.CharField(max_length=10)  # "intake" or "staff"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["incident", "complaint"], name="incident_link_unique"),
        ]
