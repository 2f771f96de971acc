from django.contrib import admin

from .models import (
    Building,
    Community,
    Company,
    Department,
    ExternalParty,
    Group,
    Office,
    OwnersCommittee,
    PublicArea,
    Resident,
    Room,
    Unit,
)


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "group"]


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "company", "phone"]
    list_filter = ["company"]


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ["name", "office", "address"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "office", "company"]
    list_filter = ["company", "kind"]


@admin.register(Building)
class BuildingAdmin(admin.ModelAdmin):
    list_display = ["name", "community"]
    list_filter = ["community"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "building"]


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["number", "unit"]
    search_fields = ["number"]


@admin.register(Resident)
class ResidentAdmin(admin.ModelAdmin):
    list_display = ["name", "room", "kind"]
    search_fields = ["name", "phone"]


@admin.register(OwnersCommittee)
class OwnersCommitteeAdmin(admin.ModelAdmin):
    list_display = ["name", "community"]


@admin.register(ExternalParty)
class ExternalPartyAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "group"]


# seed part 2 (issue 15, R-ORG-2)
@admin.register(PublicArea)
class PublicAreaAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "community", "building"]
    list_filter = ["kind"]
