"""Back-office screens for core: the loaded city (read-mostly, the profile is the source),
uploads with previews, comment moderation through the services, and the read-only audit log."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Count, Q
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from hamkke.core.comments import services as comment_services
from hamkke.core.comments.forms import ReasonForm
from hamkke.core.errors import DomainError
from hamkke.core.lookup_admin import ReadOnlyAdmin
from hamkke.core.media import services as media_services
from hamkke.core.models import (
    AuditEntry,
    City,
    Comment,
    CommentReport,
    CommentStatus,
    Department,
    District,
    Media,
    Notification,
)


class FromProfileAdmin(admin.ModelAdmin):
    """Rows written by `hamkke city load`: edits here would be overwritten by the next load,
    so they are shown, not added or deleted."""

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(City)
class CityAdmin(FromProfileAdmin):
    list_display = ["name", "name_en", "slug", "default_language", "time_zone", "loaded_at"]
    exclude = ["boundary", "profile"]  # large GeoJSON and profile: read them from the files
    readonly_fields = [
        "name",
        "name_en",
        "slug",
        "default_language",
        "time_zone",
        "center_lat",
        "center_lon",
        "zoom",
        "area_km2",
        "loaded_at",
    ]


@admin.register(District)
class DistrictAdmin(FromProfileAdmin):
    list_display = ["name", "name_en", "code", "city", "area_km2"]
    list_filter = ["city"]
    search_fields = ["name", "name_en", "code"]
    exclude = ["geometry"]
    readonly_fields = ["city", "name", "name_en", "code", "area_km2"]


@admin.register(Department)
class DepartmentAdmin(FromProfileAdmin):
    """Only the email is editable: district offices have none in the profile."""

    list_display = ["name", "name_en", "code", "city", "district", "email"]
    list_filter = ["city"]
    search_fields = ["name", "name_en", "code", "email"]
    readonly_fields = ["city", "name", "name_en", "code", "district"]
    list_select_related = ["city", "district"]


@admin.register(Media)
class MediaAdmin(admin.ModelAdmin):
    list_display = [
        "preview",
        "kind",
        "original_name",
        "content_type",
        "size",
        "uploaded_by",
        "target_type",
        "target_id",
        "hidden",
        "created_at",
    ]
    list_filter = ["kind", "hidden", "content_type"]
    search_fields = ["original_name", "uploaded_by__email"]
    list_select_related = ["uploaded_by", "target_type"]
    readonly_fields = [
        "preview",
        "kind",
        "file",
        "thumbnail",
        "content_type",
        "size",
        "width",
        "height",
        "duration_seconds",
        "original_name",
        "uploaded_by",
        "target_type",
        "target_id",
        "hidden",
        "created_at",
    ]
    actions = ["hide_media", "show_media"]

    def has_add_permission(self, request):
        return False  # uploads go through the checks in media_services.store_photo / store_video

    @admin.display(description=_("preview"))
    def preview(self, media: Media):
        if media.thumbnail:
            return format_html(
                '<a href="{}"><img src="{}" alt="" style="max-height:80px"></a>',
                media.url,
                media.thumbnail_url,
            )
        if media.file:
            return format_html('<a href="{}">{}</a>', media.url, _("open"))
        return "—"

    @admin.action(description=_("Hide the selected uploads from the public"))
    def hide_media(self, request, queryset):
        self._set_hidden(request, queryset, hidden=True)

    @admin.action(description=_("Show the selected uploads again"))
    def show_media(self, request, queryset):
        self._set_hidden(request, queryset, hidden=False)

    def _set_hidden(self, request, queryset, *, hidden: bool) -> None:
        try:
            for media in queryset:
                media_services.set_media_hidden(
                    media=media,
                    moderator=request.actor,
                    hidden=hidden,
                    reason="back office",
                )
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        self.message_user(request, _("Done."), messages.SUCCESS)


class CommentReportInline(admin.TabularInline):
    model = CommentReport
    extra = 0
    fields = ["reporter", "reason", "created_at", "resolved", "resolved_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ReportedFilter(admin.SimpleListFilter):
    title = _("reports")
    parameter_name = "reported"

    def lookups(self, request, model_admin):
        return [("open", _("with open reports")), ("any", _("ever reported"))]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(reports__resolved=False).distinct()
        if self.value() == "any":
            return queryset.filter(reports__isnull=False).distinct()
        return queryset


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    """Hiding and showing go through the services, so each writes its audit entry."""

    list_display = [
        "id",
        "short_body",
        "author",
        "target_type",
        "target_id",
        "status",
        "open_reports",
        "created_at",
    ]
    list_filter = ["status", ReportedFilter, "target_type", "created_at"]
    search_fields = ["body", "author__email", "author__display_name"]
    list_select_related = ["author", "target_type"]
    readonly_fields = [
        "target_type",
        "target_id",
        "author",
        "body",
        "status",
        "hidden_reason",
        "hidden_at",
        "hidden_by",
        "created_at",
    ]
    inlines = [CommentReportInline]
    actions = ["hide_comments", "unhide_comments"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(pending=Count("reports", filter=Q(reports__resolved=False)))
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # hide instead: the thread keeps its shape and the audit log its object

    @admin.display(description=_("comment"))
    def short_body(self, comment: Comment) -> str:
        return comment.body[:80]

    @admin.display(description=_("open reports"), ordering="pending")
    def open_reports(self, comment: Comment) -> int:
        return comment.pending

    @admin.action(description=_("Hide the selected comments (asks for the reason)"))
    def hide_comments(self, request, queryset):
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            hidden = 0
            for comment in queryset.filter(status=CommentStatus.VISIBLE):
                try:
                    comment_services.hide_comment(
                        comment=comment,
                        moderator=request.actor,
                        reason=form.cleaned_data["reason"],
                    )
                except DomainError as exc:
                    self.message_user(request, exc.message, messages.ERROR)
                    return None
                hidden += 1
            self.message_user(request, _("%(n)d comment(s) hidden.") % {"n": hidden})
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Hide comments"),
            "opts": self.model._meta,
            "comments": queryset,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "core/admin/hide_comments.html", context)

    @admin.action(description=_("Show the selected hidden comments again"))
    def unhide_comments(self, request, queryset):
        shown = 0
        for comment in queryset.filter(status=CommentStatus.HIDDEN):
            try:
                comment_services.unhide_comment(comment=comment, moderator=request.actor)
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)
                return
            shown += 1
        self.message_user(request, _("%(n)d comment(s) shown again.") % {"n": shown})


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "actor_label",
        "action",
        "target_type",
        "target_id",
        "target_label",
        "ip_address",
    ]
    list_filter = ["action", "target_type", "created_at"]
    search_fields = ["actor_label", "action", "target_label", "target_id"]
    date_hierarchy = "created_at"
    list_select_related = ["target_type"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "kind", "title", "in_site", "emailed", "read_at"]
    list_filter = ["kind", "in_site", "emailed", "created_at"]
    search_fields = ["recipient__email", "title"]
    list_select_related = ["recipient"]
