from django.contrib import admin

from .models import ReportDuty


@admin.register(ReportDuty)
class ReportDutyAdmin(admin.ModelAdmin):
    list_display = ["kind", "company", "office", "department", "period_start", "due_at", "submitted_at"]
    list_filter = ["kind", "company"]
    readonly_fields = ["submitted_at", "submitted_by", "summary"]
