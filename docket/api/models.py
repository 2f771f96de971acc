"""API keys for integrations and stored responses for idempotent retries."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from docket.accounts.models import Role
from docket.org.models import Company, Office


class ApiKey(models.Model):
    """One integration's key (`Authorization: Bearer dk_<prefix>_<secret>`).

    Requests made with the key act as `user`, a dedicated service user created with the key and holding
    exactly `role` in the key's scope (`office`, or the whole `company`), so the ordinary permission
    policy (complaints.access) applies unchanged and the record names the integration as the actor.

    Invariants: the secret is never stored, only `secret_hash` = SHA-256 of it; `prefix` is the public
    lookup part. A revoked key (`revoked_at` set) never authenticates again and its user is deactivated.
    Keys are never deleted: past events point at their user.
    """

    name = models.CharField(_("名称"), max_length=100)
    prefix = models.CharField(_("前缀"), max_length=16, unique=True)
    secret_hash = models.CharField(_("密钥摘要"), max_length=64)
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+", verbose_name=_("公司"))
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("管理处")
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_key", verbose_name=_("服务账号")
    )
    created_at = models.DateTimeField(_("创建时间"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("创建人"),
    )
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口密钥")
        verbose_name_plural = _("接口密钥")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} (dk_{self.prefix}_…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class IdempotencyRecord(models.Model):
    """The stored outcome of one POST sent with an `Idempotency-Key` header.

    Unique per (user, key): API-key requests act as the key's service user, so the user identifies the
    caller in both cases (`api_key` is kept for the admin). The row is inserted and completed in the same
    transaction as the action, so a concurrent identical request waits on the unique index and then
    reads the stored response; nothing half-done is ever visible. Rows older than 24 h are expired: the
    key may be used again (`docket.api.services.idempotency_purge` deletes them).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    key = models.CharField(max_length=100)
    request_hash = models.CharField(max_length=64)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=300)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("幂等请求记录")
        verbose_name_plural = _("幂等请求记录")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_unique_user_key")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"
