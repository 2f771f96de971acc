"""Admin pages: the outbox and its delivery log (read-only), webhook endpoints, WeCom robots, who hears
what, and personal opt-outs. Companies, offices and external parties are chosen from lists looked up
through the app registry, so this app still imports no domain app."""

from django import forms
from django.apps import apps
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import preferences
from .inbox import notices_delete
from .models import (
    Channel,
    ChannelOptOut,
    DeliveryAttempt,
    NoticePreference,
    Notification,
    WebhookEndpoint,
    WeComRobot,
)

PREF_CHANNELS = [(c.value, c.label) for c in Channel if c != Channel.WEBHOOK]


def _choices(model_label: str, **filters):
    """(id, name) pairs of a model of another app, for a plain id field; empty when the app is absent."""

    def load():
        try:
            model = apps.get_model(model_label)
        except LookupError:
            return []
        return [("", "---------")] + [(o.pk, str(o)) for o in model.objects.filter(**filters)]

    return load


class _ScopedForm(forms.ModelForm):
    company_id = forms.TypedChoiceField(
        label=_("公司"), choices=_choices("org.Company"), coerce=int, empty_value=None, required=False
    )


class AttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = ("at", "ok", "status_code", "duration_ms", "error", "response_excerpt")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["kind", "recipient", "address", "channel", "state", "attempts", "created_at", "sent_at"]
    list_filter = ["state", "channel", "kind"]
    search_fields = ["ref", "address", "dedupe_key", "subject"]
    readonly_fields = [f.name for f in Notification._meta.fields]
    inlines = [AttemptInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    # Deleting moves the recipients' unread badges (the inbox's stamps), one or many rows alike.
    def delete_model(self, request, obj):
        notices_delete(Notification.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        notices_delete(queryset)


@admin.register(DeliveryAttempt)
class DeliveryAttemptAdmin(admin.ModelAdmin):
    """The delivery log: every attempt, read-only."""

    list_display = ["at", "notification", "channel", "ok", "status_code", "duration_ms", "error"]
    list_filter = ["ok", "notification__channel"]
    search_fields = ["notification__ref", "notification__address", "error"]
    list_select_related = ["notification"]
    readonly_fields = ["notification", "at", "ok", "status_code", "duration_ms", "error", "response_excerpt"]

    @admin.display(description=_("渠道"))
    def channel(self, obj):
        return obj.notification.channel

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class WebhookEndpointForm(_ScopedForm):
    external_party_id = forms.TypedChoiceField(
        label=_("外部单位"),
        choices=_choices("org.ExternalParty"),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("只接收与该外部单位有关的事件（如转地产处理）。"),
    )
    url = forms.URLField(label=_("接收地址"), max_length=500, assume_scheme="https")
    event_kinds = forms.CharField(
        label=_("订阅事件"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一个事件类型，如 complaint.reply_sent；留空表示全部。"),
    )

    class Meta:
        model = WebhookEndpoint
        fields = [
            "name",
            "company_id",
            "service_user",
            "external_party_id",
            "url",
            "secret",
            "event_kinds",
            "active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["event_kinds"] = "\n".join(self.instance.event_kinds or [])

    def clean_event_kinds(self):
        return [
            k.strip()
            for k in (self.cleaned_data["event_kinds"] or "").replace(",", "\n").splitlines()
            if k.strip()
        ]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ["name", "url", "company_id", "service_user", "external_party_id", "active", "created_at"]
    list_filter = ["active"]


class WeComRobotForm(_ScopedForm):
    company_id = forms.TypedChoiceField(label=_("公司"), choices=_choices("org.Company"), coerce=int)
    office_id = forms.TypedChoiceField(
        label=_("管理处"),
        choices=_choices("org.Office"),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("留空表示全公司。"),
    )
    webhook_url = forms.URLField(label=_("机器人地址"), max_length=500, assume_scheme="https")

    class Meta:
        model = WeComRobot
        fields = ["name", "company_id", "office_id", "webhook_url", "msgtype", "active"]


@admin.register(WeComRobot)
class WeComRobotAdmin(admin.ModelAdmin):
    form = WeComRobotForm
    list_display = ["name", "company_id", "office_id", "msgtype", "active"]


class NoticePreferenceForm(_ScopedForm):
    role = forms.ChoiceField(label=_("角色"), choices=preferences.audience_choices)
    channels = forms.MultipleChoiceField(
        label=_("渠道"),
        choices=PREF_CHANNELS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选表示不通知。"),
    )

    class Meta:
        model = NoticePreference
        fields = ["company_id", "role", "notice", "channels"]


@admin.register(NoticePreference)
class NoticePreferenceAdmin(admin.ModelAdmin):
    form = NoticePreferenceForm
    list_display = ["notice", "role_label", "company_id", "channels"]
    list_filter = ["notice", "role"]

    @admin.display(description=_("角色"), ordering="role")
    def role_label(self, obj):
        return preferences.AUDIENCES.get(obj.role, obj.role)


@admin.register(ChannelOptOut)
class ChannelOptOutAdmin(admin.ModelAdmin):
    list_display = ["user", "channel", "notice"]
    raw_id_fields = ["user"]
