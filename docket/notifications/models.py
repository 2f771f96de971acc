"""The notification outbox (ARCHITECTURE.md, Tasks). Rows are written in the same transaction as the
change that causes them and delivered by a background task; `dedupe_key` makes writing idempotent."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    company_id = models.BigIntegerField(_("公司"), null=True, blank=True, db_index=True)
    kind = models.CharField(_("类型"), max_length=40)
    channel = models.CharField(_("渠道"), max_length=20)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("接收人")
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"))
    ref = models.CharField(_("关联"), max_length=60, blank=True, db_index=True)
    dedupe_key = models.CharField(max_length=200, unique=True)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"))
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="notification_due")]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient or self.address}"


class DeliveryAttempt(models.Model):
    """Every attempt to deliver, kept for the delivery log."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField()
    ok = models.BooleanField()
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("发送记录")
        verbose_name_plural = _("发送记录")
