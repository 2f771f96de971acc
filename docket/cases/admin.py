from django.contrib import admin

from .models import TypicalCase


@admin.register(TypicalCase)
class TypicalCaseAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "company", "place", "created_at"]
    list_filter = ["kind", "company"]
    search_fields = ["title"]
    raw_id_fields = ["complaint"]
