from django import forms
from django.contrib import admin

from . import duetimes, policies
from .models import CalendarDay, CalendarYear, SlaPolicy, WorkingHours


class InvalidatingAdmin(admin.ModelAdmin):
    """Calendar changes take effect at once in this process (others refresh within a minute)."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        duetimes.invalidate()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        duetimes.invalidate()

    def delete_queryset(self, request, queryset):  # the list's "delete selected" action
        super().delete_queryset(request, queryset)
        duetimes.invalidate()


@admin.register(CalendarDay)
class CalendarDayAdmin(InvalidatingAdmin):
    list_display = ["date", "kind", "name", "source"]
    list_filter = ["kind"]
    date_hierarchy = "date"


@admin.register(CalendarYear)
class CalendarYearAdmin(InvalidatingAdmin):
    list_display = ["year", "source", "loaded_at"]


@admin.register(WorkingHours)
class WorkingHoursAdmin(InvalidatingAdmin):
    list_display = ["company", "morning_start", "morning_end", "afternoon_start", "afternoon_end"]


class SlaPolicyForm(forms.ModelForm):
    class Meta:
        model = SlaPolicy
        fields = ["company", "office", "rules", "note"]

    def clean_rules(self):
        rules = self.cleaned_data.get("rules") or {}
        if not isinstance(rules, dict):
            raise forms.ValidationError("规则须为 JSON 对象。")
        try:
            policies.validate_rules(policies.merge(policies.DEFAULT_RULES, rules))
        except ValueError as exc:
            raise forms.ValidationError(f"规则有误：{exc}") from exc
        return rules


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    form = SlaPolicyForm
    list_display = ["company", "office", "version", "note", "updated_at"]
    readonly_fields = ["version"]

    def save_model(self, request, obj, form, change):
        if change and "rules" in form.changed_data:
            obj.version += 1  # obligations keep the version that produced them
        super().save_model(request, obj, form, change)
