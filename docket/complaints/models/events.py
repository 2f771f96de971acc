"""The append-only, hash-chained record of a complaint (R-ANA-6; ARCHITECTURE.md, The record)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from docket.org.models import Company

from .complaint import Complaint


class AppendOnlyError(Exception):
    pass


class ComplaintEvent(models.Model):
    """One thing that happened to a complaint. Written only by `complaints.events.event_append`; never
    updated or deleted (refused here and by a database trigger). `hash` = SHA-256 over `prev_hash` and
    the canonical form of this row, so changing any past row breaks every later link.

    `public` events are what the complainant's timeline shows (R-EXP-2).
    """

    complaint = models.ForeignKey(
        Complaint, on_delete=models.PROTECT, related_name="events", verbose_name=_("投诉")
    )
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    seq = models.PositiveIntegerField(_("序号"))
    kind = models.CharField(_("事件"), max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    actor_name = models.CharField(_("操作人姓名"), max_length=50)
    actor_role = models.CharField(_("操作人角色"), max_length=50)
    at = models.DateTimeField(_("时间"))
    public = models.BooleanField(_("业主可见"), default=False)
    payload = models.JSONField(_("内容"), default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("处理记录")
        verbose_name_plural = _("处理记录")
        ordering = ["complaint_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["complaint", "seq"], name="event_unique_seq")]
        indexes = [
            # The work queue's 催办 tab and count (selectors._chased_q): one probe per open complaint, where
            # the complaint's index read all its events (13 on average) to find none (60 ms a queue at 1 M).
            models.Index(
                fields=["complaint"], name="event_chased", condition=models.Q(kind="complainant_chased")
            ),
        ]

    def save(self, *args, **kwargs):
        if self.pk is not None or not kwargs.get("force_insert", False):
            raise AppendOnlyError("ComplaintEvent rows are inserted once by event_append and never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("ComplaintEvent rows are never deleted")
