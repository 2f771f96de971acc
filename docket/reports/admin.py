from django.contrib import admin

from .models import ReportDuty


@admin.register(ReportDuty)
class ReportDutyAdmin(admin.ModelAdmin):
    list_display = ["kind", "company", "office", "department", "period_start", "due_at", "submitted_at"]
    list_filter = ["kind", "company"]
    readonly_fields = ["submitted_at", "submitted_by", "summary"]


# --- report documents (issue 13) ---------------------------------------------------------------------------
from .models import GeneratedReport, ReportDelivery  # noqa: E402


@admin.register(ReportDelivery)
class ReportDeliveryAdmin(admin.ModelAdmin):
    list_display = ["company", "developer_party"]


@admin.register(GeneratedReport)
class GeneratedReportAdmin(admin.ModelAdmin):
    list_display = ["kind", "company", "period_start", "created_at", "delivered_at"]
    list_filter = ["kind", "company"]
    readonly_fields = ["figures", "files", "created_at", "delivered_at"]
