from django.contrib import admin

from .models import EscalationPolicy, FaultFinding


@admin.register(EscalationPolicy)
class EscalationPolicyAdmin(admin.ModelAdmin):
    list_display = (
        "company",
        "repeat_people",
        "repeat_window_days",
        "hot_collective_people",
        "major_collective_people",
        "hot_unresolved_days",
        "major_unresolved_days",
        "authority_name",
    )


@admin.register(FaultFinding)
class FaultFindingAdmin(admin.ModelAdmin):
    """Read only: findings are recorded through the `fault_record` action (an event on the record)."""

    list_display = ("complaint", "company_fault", "reason", "recorded_by", "recorded_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
