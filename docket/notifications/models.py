"""The notification outbox (ARCHITECTURE.md, Tasks), its delivery log, and who hears what.

Rows are written in the same transaction as the change that causes them and delivered by a background
task; `dedupe_key` makes writing idempotent. This app knows nothing of complaints: scopes are plain ids
(`company_id`, `office_id`, `external_party_id`) and roles are plain codes, so domain apps call into it
and never the other way round.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


def _target_clean(field: str, url: str) -> None:
    """Refuse an outbound address that is not allowed (targets.py, docs/webhooks.md) on save in a form."""
    from .targets import TargetRefused, TargetUnresolved, target_check

    if url:
        try:
            target_check(url)
        except TargetUnresolved:
            pass  # no DNS answer now (an intranet without DNS, a name not yet published): checked at delivery
        except TargetRefused as exc:
            raise ValidationError({field: str(exc)}) from exc


class Channel(models.TextChoices):
    """How a message travels. `console` is the in-app/log record every recipient gets at least."""

    CONSOLE = "console", _("站内/日志")
    EMAIL = "email", _("邮件")
    SMS = "sms", _("短信")
    WECOM = "wecom", _("企业微信群机器人")
    WEBHOOK = "webhook", _("接口回调（Webhook）")


class NoticeKind(models.TextChoices):
    """What a notice is about; preferences are set per role and notice kind."""

    ASSIGNED = "assigned", _("新派单")
    DEADLINE_WARNING = "deadline_warning", _("即将到期预警")
    OVERDUE = "overdue", _("逾期未办")
    REVIEW_REQUESTED = "review_requested", _("待审核")
    RETURNED = "returned", _("退回")
    SEVERITY_RAISED = "severity_raised", _("升级为热点/重大投诉")
    OWNER_CHASED = "owner_chased", _("顾客催办/回访未接通")
    OWNER_REPLIED = "owner_replied", _("顾客回复意见")
    OWNER_UPDATE = "owner_update", _("投诉进度（发给投诉人）")
    DELIVERY_FAILED = "delivery_failed", _("通知发送失败")
    # escalation (issue 12)
    GROUP_REPORT = "group_report", _("向集团报告（热点/重大投诉）")
    ONLINE_COMPLAINT = "online_complaint", _("网上投诉提醒")
    # seed part 2 (issue 15): every compensation claim is reported to the company's leadership (5.2.4.1).
    COMPENSATION_CLAIMED = "compensation_claimed", _("顾客索赔报告")


class Notification(models.Model):
    """One message to one address over one channel. `data` carries what a channel needs beyond subject and
    body (SMS template and parameters; for webhooks the event id; `body` is then the exact JSON signed).
    `target_id` names the WeCom robot or webhook endpoint, looked up again at every attempt so a changed
    URL or secret takes effect on retries."""

    class State(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    company_id = models.BigIntegerField(_("公司"), null=True, blank=True, db_index=True)
    kind = models.CharField(_("类型"), max_length=40)
    channel = models.CharField(_("渠道"), max_length=20)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("接收人"),
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    target_id = models.BigIntegerField(_("目标编号"), null=True, blank=True)
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"))
    data = models.JSONField(_("附加数据"), default=dict, blank=True)
    ref = models.CharField(_("关联"), max_length=60, blank=True, db_index=True)
    dedupe_key = models.CharField(max_length=200, unique=True)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"))
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    # When the address, body and data were blanked (service.outbox_purge, DOCKET_OUTBOX_KEEP_DAYS).
    purged_at = models.DateTimeField(_("清除时间"), null=True, blank=True)
    # The in-app notice list (issue 14): one row per notice to a user is its entry in the user's list
    # (the first of its channels, whatever they are), and `read_at` says when the user marked it read.
    inbox = models.BooleanField(_("站内通知"), default=False)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="notification_due"),
            # in-app list (issue 14): the user's notices newest first, and the unread count
            models.Index(fields=["recipient", "inbox", "read_at"], name="notification_inbox"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient or self.address or self.target_id}"


class DeliveryAttempt(models.Model):
    """Every attempt to deliver, kept for the delivery log: outcome, HTTP status (for HTTP channels), how
    long it took and the first part of the answer."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="attempt_log", verbose_name=_("通知")
    )
    at = models.DateTimeField(_("时间"))
    ok = models.BooleanField(_("成功"))
    error = models.TextField(_("错误"), blank=True)
    status_code = models.PositiveSmallIntegerField(_("状态码"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("耗时（毫秒）"), null=True, blank=True)
    response_excerpt = models.TextField(_("响应摘录"), blank=True)

    class Meta:
        verbose_name = _("发送记录")
        verbose_name_plural = _("发送记录")
        ordering = ["notification_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.notification_id} @ {self.at:%Y-%m-%d %H:%M:%S} {'OK' if self.ok else 'ERR'}"


class WebhookEndpoint(models.Model):
    """An integration's HTTPS receiver for complaint events (docs/webhooks.md).

    Which events reach it: those whose kind is in `event_kinds` (empty = every kind offered), of the
    company `company_id` (empty = any company), and — when set — only of complaints the integration's
    service user created (`service_user`, the API key's user) or only those concerning the external party
    `external_party_id` (the developer's centre for forwards, the government body for its cases).
    """

    name = models.CharField(_("名称"), max_length=100)
    company_id = models.BigIntegerField(_("公司"), null=True, blank=True)
    service_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"api_key__isnull": False},
        verbose_name=_("接口服务账号"),
        help_text=_("只接收该接口账号创建的投诉的事件。"),
    )
    external_party_id = models.BigIntegerField(
        _("外部单位"), null=True, blank=True, help_text=_("只接收与该外部单位有关的事件（如转地产处理）。")
    )
    url = models.URLField(_("接收地址"), max_length=500)
    secret = models.CharField(_("签名密钥"), max_length=200)
    event_kinds = models.JSONField(_("订阅事件"), default=list, blank=True, help_text=_("留空表示全部。"))
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("接口回调地址")
        verbose_name_plural = _("接口回调地址")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        _target_clean("url", self.url)

    def wants(
        self, *, event: str, company_id: int | None, created_by_id: int | None, party_ids: frozenset[int]
    ) -> bool:
        return (
            self.active
            and (not self.event_kinds or event in self.event_kinds)
            and (self.company_id is None or self.company_id == company_id)
            and (self.service_user_id is None or self.service_user_id == created_by_id)
            and (self.external_party_id is None or self.external_party_id in party_ids)
        )


class WeComRobot(models.Model):
    """A WeCom (企业微信) group robot: messages for an office (or, with no office, the whole company) go to
    its group chat when a preference names the `wecom` channel."""

    class MsgType(models.TextChoices):
        MARKDOWN = "markdown", "markdown"
        TEXT = "text", "text"

    name = models.CharField(_("名称"), max_length=100)
    company_id = models.BigIntegerField(_("公司"))
    office_id = models.BigIntegerField(_("管理处"), null=True, blank=True, help_text=_("留空表示全公司。"))
    webhook_url = models.URLField(_("机器人地址"), max_length=500)
    msgtype = models.CharField(
        _("消息格式"), max_length=10, choices=MsgType.choices, default=MsgType.MARKDOWN
    )
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("企业微信群机器人")
        verbose_name_plural = _("企业微信群机器人")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        _target_clean("webhook_url", self.webhook_url)


class NoticePreference(models.Model):
    """Who hears what (issue 5): for a company (empty = every company), a role (a role code, or
    `complainant` for the owner) and a notice kind, the channels to use. Resolution: the company's row, else
    the default row, else the built-in default (`preferences.DEFAULTS`). An empty channel list silences."""

    company_id = models.BigIntegerField(_("公司"), null=True, blank=True)
    role = models.CharField(_("角色"), max_length=20)
    notice = models.CharField(_("通知类型"), max_length=30, choices=NoticeKind.choices)
    channels = models.JSONField(_("渠道"), default=list, blank=True)

    class Meta:
        verbose_name = _("通知设置")
        verbose_name_plural = _("通知设置")
        constraints = [
            models.UniqueConstraint(
                fields=["company_id", "role", "notice"], name="notice_pref_unique", nulls_distinct=False
            )
        ]

    def __str__(self) -> str:
        return f"{self.role} · {self.get_notice_display()}"


class ChannelOptOut(models.Model):
    """A user's opt-out of an optional channel (email, SMS), for one notice kind or all (empty)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("用户")
    )
    channel = models.CharField(
        _("渠道"),
        max_length=20,
        choices=[(Channel.EMAIL, Channel.EMAIL.label), (Channel.SMS, Channel.SMS.label)],
    )
    notice = models.CharField(
        _("通知类型"),
        max_length=30,
        choices=NoticeKind.choices,
        blank=True,
        help_text=_("留空表示全部类型。"),
    )

    class Meta:
        verbose_name = _("个人退订")
        verbose_name_plural = _("个人退订")
        constraints = [models.UniqueConstraint(fields=["user", "channel", "notice"], name="optout_unique")]

    def __str__(self) -> str:
        return f"{self.user} × {self.channel} {self.notice}"
