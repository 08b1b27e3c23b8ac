"""Back-office screens of the Plaza's open data (imported by plaza/admin.py): datasets and
their resources, read-only. Officials create and change them at the desk
(/plaza/data/desk/), whose services check the role and write the audit log."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from hamkke.core.lookup_admin import ReadOnlyAdmin
from hamkke.plaza.models import Dataset, Resource


class ResourceInline(admin.TabularInline):
    model = Resource
    fields = ["name", "format", "media_type", "url", "file", "size", "modified_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Dataset)
class DatasetAdmin(ReadOnlyAdmin):
    list_display = ["name", "title", "department", "category", "license_id", "is_public"]
    list_filter = ["is_public", "license_id", "department"]
    search_fields = ["name", "title", "notes"]
    list_select_related = ["department", "category"]
    inlines = [ResourceInline]


@admin.register(Resource)
class ResourceAdmin(ReadOnlyAdmin):
    list_display = ["name", "dataset", "format", "size", "modified_at"]
    list_filter = ["format"]
    search_fields = ["name", "dataset__name", "dataset__title"]
    list_select_related = ["dataset"]
