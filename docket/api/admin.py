"""API keys in the admin: list and revoke; never created here (the token would have to be shown) and
never showing the secret (only its digest is stored, and that is not shown either)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from .models import ApiKey
from .services import api_key_revoke

# Shown, and never editable (a key is changed only by revoking it).
_FIELDS = (
    "name",
    "prefix",
    "role",
    "company",
    "office",
    "user",
    "created_at",
    "created_by",
    "last_used_at",
    "revoked_at",
)


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "role", "company", "office", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["role", "company", "revoked_at"]
    search_fields = ["name", "prefix"]
    fields = _FIELDS
    readonly_fields = _FIELDS
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("吊销所选接口密钥"))
    def revoke(self, request, queryset):
        for key in queryset.filter(revoked_at__isnull=True):
            api_key_revoke(actor=request.user, key_id=key.pk)
        messages.success(request, _("已吊销。"))
