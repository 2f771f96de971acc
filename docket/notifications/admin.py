from django.contrib import admin

from .models import DeliveryAttempt, Notification


class AttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = ["at", "ok", "error"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["kind", "recipient", "channel", "state", "attempts", "created_at", "sent_at"]
    list_filter = ["state", "kind", "channel"]
    readonly_fields = [f.name for f in Notification._meta.fields]
    inlines = [AttemptInline]

    def has_add_permission(self, request):
        return False
