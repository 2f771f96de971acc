"""Admin for the complaint mailboxes (configuration) and the messages read from them (read-only)."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import InboundMessage, Mailbox, MailboxRoute
from .services import mailbox_user_ensure, poll_mailbox


class MailboxForm(forms.ModelForm):
    """The password is write-only: never rendered back; left empty on change it stays as it was."""

    password = forms.CharField(
        label=_("密码"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("修改时留空则保持原密码不变。可填写 env:变量名，从服务器环境变量读取密码。"),
    )

    class Meta:
        model = Mailbox
        fields = [
            "name",
            "address",
            "office",
            "channel",
            "active",
            "host",
            "port",
            "security",
            "username",
            "password",
            "folder",
            "processed_folder",
        ]

    def clean_password(self):
        value = self.cleaned_data.get("password") or ""
        if not value and self.instance.pk:
            return self.instance.password
        if not value:
            raise forms.ValidationError(gettext("请填写密码。"))
        return value


class MailboxRouteFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        company_id = self.instance.office.company_id if self.instance.office_id else None
        for form in self.forms:
            office = form.cleaned_data.get("office") if form.cleaned_data else None
            if office is not None and not form.cleaned_data.get("DELETE") and office.company_id != company_id:
                form.add_error("office", gettext("管理处须属于投诉邮箱所在的物业公司。"))


class MailboxRouteInline(admin.TabularInline):
    model = MailboxRoute
    formset = MailboxRouteFormSet
    extra = 0


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    form = MailboxForm
    inlines = [MailboxRouteInline]
    list_display = (
        "name",
        "address",
        "office",
        "host",
        "username",
        "active",
        "last_polled_at",
        "last_error_short",
    )
    list_filter = ("active",)
    readonly_fields = ("user", "last_polled_at", "last_error", "last_error_at")
    actions = ["poll_now"]
    fieldsets = (
        (None, {"fields": ("name", "address", "office", "channel", "active")}),
        (
            _("IMAP连接"),
            {"fields": ("host", "port", "security", "username", "password", "folder", "processed_folder")},
        ),
        (_("状态"), {"fields": ("user", "last_polled_at", "last_error", "last_error_at")}),
    )

    @admin.display(description=_("最近错误"))
    def last_error_short(self, obj):
        return obj.last_error[:60]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        mailbox_user_ensure(form.instance)  # reception in the default and every routed office

    @admin.action(description=_("立即收取所选邮箱"))
    def poll_now(self, request, queryset):
        for mailbox in queryset.select_related("office"):
            result = poll_mailbox(mailbox)
            level = messages.ERROR if result.error else messages.SUCCESS
            self.message_user(request, f"{mailbox.name}：{result}", level)


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    list_display = (
        "received_at",
        "mailbox",
        "from_address",
        "subject",
        "outcome",
        "complaint",
        "attempts",
        "duplicates",
    )
    list_filter = ("outcome", "mailbox")
    search_fields = ("message_id", "from_address", "from_name", "subject", "complaint__receipt_no")
    list_select_related = ("mailbox", "complaint")
    date_hierarchy = "received_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
