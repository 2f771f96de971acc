"""Admin for configuration only. Complaints and their records are read-only here: every change goes
through the services (ARCHITECTURE.md), so the admin can never bypass the record."""

from django.contrib import admin

from .models import Category, Complaint, ComplaintEvent


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "parent", "company", "developer_related", "sort", "active"]
    list_filter = ["company", "developer_related", "active"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    list_display = ["receipt_no", "subject", "office", "state", "received_at"]
    list_filter = ["state", "kind", "channel", "company"]
    search_fields = ["receipt_no", "subject"]


@admin.register(ComplaintEvent)
class ComplaintEventAdmin(ReadOnlyAdmin):
    list_display = ["complaint", "seq", "kind", "actor_name", "at"]
    list_filter = ["kind"]
