"""One row per phone that asked for a one-time code: the code's keyed hash (never the code), when it
expires, the wrong tries counted towards the lock, and the lock."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PhoneCheck(models.Model):
    phone = models.CharField(_("手机号码"), max_length=20, unique=True)
    code_hash = models.CharField(_("验证码摘要"), max_length=64, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    expires_at = models.DateTimeField(_("失效时间"), null=True, blank=True)
    failures = models.PositiveSmallIntegerField(_("连续错误次数"), default=0)
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)

    class Meta:
        verbose_name = _("手机验证")
        verbose_name_plural = _("手机验证")

    def __str__(self) -> str:
        return f"{self.phone[:3]}****{self.phone[-4:]}"
