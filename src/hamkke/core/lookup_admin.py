"""Back-office screens that look rows up and never change them: where the services are the only
writers of a table, its admin shows it and offers no add, change or delete."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest


class LookUpOnly:
    """Mixed into a ModelAdmin or an inline: nothing may be added, changed or deleted here."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class ReadOnlyAdmin(LookUpOnly, admin.ModelAdmin):
    """A model's screen to look its rows up."""
