"""Back-office screens of the Plaza's disclosure requests (imported by plaza/admin.py): to look
up, read-only. Answers, extensions and withdrawals happen at the desk, through the services."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from hamkke.plaza.models import DisclosureRequest, RequestEvent


class ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # the history of a request is public and kept


class RequestEventInline(ReadOnly, admin.TabularInline):
    model = RequestEvent
    fields = ["status", "note", "at"]
    readonly_fields = fields
    extra = 0


@admin.register(DisclosureRequest)
class DisclosureRequestAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["code", "kind", "subject", "department", "status", "due_on", "desk_link"]
    list_filter = ["status", "kind", "extended", "department"]
    search_fields = ["code"]
    date_hierarchy = "received_at"
    list_select_related = ["department"]
    show_full_result_count = False
    inlines = [RequestEventInline]

    @admin.display(description=_("Desk"))
    def desk_link(self, obj: DisclosureRequest) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("plaza:requests-desk-request", args=[obj.code]),
            _("Open"),
        )
