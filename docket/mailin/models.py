"""The email inbox channel (R-INT-1/2, method 邮件): company mailboxes read over IMAP, and a record of every
message read from them.

A `Mailbox` files into one office (`office`), or into the office whose address a message was sent to
(`MailboxRoute`). It acts as its own service user (`user`, created by `services.mailbox_user_ensure`),
holding the reception role in each of those offices, so intake and the permission policy apply
unchanged and the record names the mailbox (`邮件·NAME`) as the one who registered the complaint.

`InboundMessage` is the ledger that makes processing exactly-once: one row per (mailbox, Message-ID),
written in the same transaction as the complaint or note it produced, and the message is marked on the
server only after that commit (docket/mailin/services/).
"""

import os

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from docket.complaints.models import Channel
from docket.org.models import Office


class Mailbox(models.Model):
    """One IMAP mailbox a company receives complaints in (e.g. kefu@wuye.example). Configured by an
    administrator. The password is needed in clear to log in, so it is stored as given and never shown
    back by the admin."""

    class Security(models.TextChoices):
        SSL = "ssl", _("SSL/TLS（993端口）")
        STARTTLS = "starttls", _("STARTTLS")
        NONE = "none", _("不加密（仅限本机或内网）")

    name = models.CharField(_("名称"), max_length=100, unique=True)
    address = models.EmailField(
        _("邮箱地址"), blank=True, help_text=_("本邮箱的地址；来自该地址的邮件不会登记（防止循环）。")
    )
    office = models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("默认管理处"),
        help_text=_("未按收件地址分配的邮件登记到此管理处。"),
    )
    channel = models.CharField(
        _("渠道"),
        max_length=20,
        choices=Channel.choices,
        default=Channel.COMPANY,
        help_text=_("公司投诉邮箱为“物业公司”，管理处自己的邮箱为“管理处”。"),
    )
    host = models.CharField(_("IMAP服务器"), max_length=200)
    port = models.PositiveIntegerField(_("端口"), default=993)
    security = models.CharField(_("加密方式"), max_length=10, choices=Security.choices, default=Security.SSL)
    username = models.CharField(_("用户名"), max_length=200)
    password = models.CharField(
        _("密码"),
        max_length=200,
        blank=True,
        help_text=_("可填写 env:变量名，从服务器环境变量读取密码，数据库中不保存密码本身。"),
    )
    folder = models.CharField(_("收件文件夹"), max_length=200, default="INBOX")
    processed_folder = models.CharField(
        _("已处理文件夹"),
        max_length=200,
        blank=True,
        help_text=_("留空则处理后仅标记为已读；填写则处理后移入该文件夹。"),
    )
    active = models.BooleanField(_("启用"), default=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="mailbox",
        verbose_name=_("服务账号"),
    )
    last_polled_at = models.DateTimeField(_("最近收取时间"), null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    last_error_at = models.DateTimeField(_("最近出错时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("投诉邮箱")
        verbose_name_plural = _("投诉邮箱")

    def __str__(self) -> str:
        return self.name

    def login_password(self) -> str:
        """The IMAP password: as stored, or read from the environment when stored as `env:NAME`."""
        if self.password.startswith("env:"):
            return os.environ.get(self.password[4:].strip(), "")
        return self.password


class MailboxRoute(models.Model):
    """Mail sent to `address` (To, Cc, Delivered-To) is filed into `office` instead of the mailbox's
    default office: one company mailbox with an alias per office."""

    mailbox = models.ForeignKey(
        Mailbox, on_delete=models.CASCADE, related_name="routes", verbose_name=_("投诉邮箱")
    )
    address = models.EmailField(_("收件地址"))
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+", verbose_name=_("管理处"))

    class Meta:
        verbose_name = _("收件地址分配")
        verbose_name_plural = _("收件地址分配")
        constraints = [models.UniqueConstraint(fields=["mailbox", "address"], name="mailbox_route_unique")]

    def __str__(self) -> str:
        return f"{self.address} → {self.office}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        self.address = (self.address or "").strip().lower()
        if (
            self.mailbox_id
            and self.mailbox.office_id
            and self.office_id
            and self.mailbox.office.company_id != self.office.company_id
        ):
            raise ValidationError({"office": _("管理处须属于投诉邮箱所在的物业公司。")})


class InboundMessage(models.Model):
    """One message read from a mailbox and what became of it. Unique per (mailbox, Message-ID); a message
    without a Message-ID is keyed by the SHA-256 of its bytes. Written in the same transaction as the
    complaint or note it produced, so a message is filed exactly once however many pollers run and
    wherever one crashes. `error` rows are retried (`attempts`) up to services.poll.MAX_ATTEMPTS."""

    class Outcome(models.TextChoices):
        CREATED = "created", _("已登记新投诉")
        APPENDED = "appended", _("已追加到原投诉")
        REJECTED = "rejected", _("未登记")
        ERROR = "error", _("处理出错")

    mailbox = models.ForeignKey(
        Mailbox, on_delete=models.PROTECT, related_name="messages", verbose_name=_("投诉邮箱")
    )
    message_id = models.CharField(_("邮件标识（Message-ID）"), max_length=998)
    uidvalidity = models.BigIntegerField(_("UIDVALIDITY"))
    uid = models.BigIntegerField(_("UID"))
    from_name = models.CharField(_("发件人"), max_length=200, blank=True)
    from_address = models.CharField(_("发件地址"), max_length=254, blank=True, db_index=True)
    subject = models.CharField(_("主题"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("发信时间"), null=True, blank=True)
    received_at = models.DateTimeField(_("到达时间"))
    processed_at = models.DateTimeField(_("处理时间"))
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("管理处")
    )
    complaint = models.ForeignKey(
        "complaints.Complaint",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inbound_messages",
        verbose_name=_("投诉"),
    )
    related_complaint = models.ForeignKey(
        "complaints.Complaint",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("关联的已结束投诉"),
        help_text=_("回复已结束的投诉时另立新投诉，此处为原投诉。"),
    )
    outcome = models.CharField(_("处理结果"), max_length=10, choices=Outcome.choices)
    reason = models.TextField(_("说明"), blank=True)
    skipped_attachments = models.JSONField(_("未保存的附件"), default=list, blank=True)
    attempts = models.PositiveSmallIntegerField(_("处理次数"), default=0)
    duplicates = models.PositiveIntegerField(_("重复投递次数"), default=0)

    class Meta:
        verbose_name = _("收到的邮件")
        verbose_name_plural = _("收到的邮件")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["mailbox", "message_id"], name="inbound_message_unique"),
        ]
        indexes = [models.Index(fields=["mailbox", "uidvalidity", "uid"], name="inbound_message_uid")]

    def __str__(self) -> str:
        return f"{self.from_address} · {self.subject}"
