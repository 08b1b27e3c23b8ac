"""Back-office screens of the Plaza's meetings (imported by plaza/admin.py): staff look up
committees and meetings with their agenda, attendees and videos. Nothing is changed here: the
meetings desk's services are the only writers, so every change is checked and audited."""

from __future__ import annotations

from django.contrib import admin

from hamkke.core.lookup_admin import LookUpOnly
from hamkke.plaza.models import AgendaItem, Attendee, Committee, Meeting, VideoClip


class _Rows(LookUpOnly, admin.TabularInline):
    extra = 0


class AgendaRows(_Rows):
    model = AgendaItem
    fields = ("order", "number", "title", "result", "video_offset_seconds", "paper")
    readonly_fields = fields


class AttendeeRows(_Rows):
    model = Attendee
    fields = ("role_title", "name", "department", "is_chair")
    readonly_fields = fields


class VideoRows(_Rows):
    model = VideoClip
    fields = ("order", "title", "url", "media", "duration_seconds")
    readonly_fields = fields


@admin.register(Committee)
class CommitteeAdmin(LookUpOnly, admin.ModelAdmin):
    list_display = ("name", "name_en", "kind", "department")
    search_fields = ("name", "name_en")


@admin.register(Meeting)
class MeetingAdmin(LookUpOnly, admin.ModelAdmin):
    list_display = ("title", "committee", "starts_at", "status", "disclosure")
    list_filter = ("status", "disclosure")
    search_fields = ("title",)
    date_hierarchy = "starts_at"
    list_select_related = ("committee",)
    inlines = (AgendaRows, AttendeeRows, VideoRows)
