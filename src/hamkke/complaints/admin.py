"""Back-office screens of the Smart Complaint Report: categories (from the profile, shown not
edited but for switching them off), response templates (edited here), apps' API keys (issued
through the service, the key shown once) and reports (read-only: officials act on them at the
desk). Every save goes through a service, which writes the audit log."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from hamkke.complaints import services
from hamkke.complaints.models import ApiClient, Category, Complaint, ResponseTemplate
from hamkke.core.errors import DomainError


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    """Written by `hamkke city load` from the profile: a change here would be overwritten by
    the next load, so only `active` may be switched (to stop new reports in a category)."""

    list_display = ["code", "name", "name_en", "group", "route", "department", "sla_days", "active"]
    list_filter = ["group", "active", "route"]
    search_fields = ["code", "name", "name_en"]
    list_select_related = ["group", "department"]
    readonly_fields = [
        "city",
        "group",
        "code",
        "name",
        "name_en",
        "description",
        "description_en",
        "route",
        "department",
        "sla_days",
        "duplicate_radius_m",
        "questions",
        "order",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # reports keep their category

    def save_model(self, request: HttpRequest, obj: Category, form, change: bool) -> None:
        services.set_category_active(category=obj, active=obj.active, actor=request.actor)


@admin.register(ResponseTemplate)
class ResponseTemplateAdmin(admin.ModelAdmin):
    list_display = ["title", "category", "status", "city"]
    list_filter = ["category", "status"]
    search_fields = ["title", "body"]
    list_select_related = ["category", "city"]

    def save_model(self, request: HttpRequest, obj: ResponseTemplate, form, change: bool) -> None:
        services.save_response_template(template=obj, actor=request.actor)

    def delete_model(self, request: HttpRequest, obj: ResponseTemplate) -> None:
        services.delete_response_template(template=obj, actor=request.actor)

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        for template in queryset:
            services.delete_response_template(template=template, actor=request.actor)


class ApiKeyForm(forms.Form):
    name = forms.CharField(label=_("The app's name"), max_length=100)


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    """A key is issued by services.create_api_client and shown once; only its hash is kept."""

    list_display = ["name", "key_prefix", "active", "created_at", "created_by"]
    list_filter = ["active"]
    search_fields = ["name", "key_prefix"]
    readonly_fields = ["name", "key_prefix", "created_at", "created_by"]
    exclude = ["key_hash"]
    actions = ["revoke_keys", "restore_keys"]

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # revoke instead: reports keep the app that filed them

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context=None):
        if not self.has_add_permission(request):
            return super().add_view(request, form_url, extra_context)  # answers 403
        form = ApiKeyForm(request.POST or None)
        key = client = None
        if request.method == "POST" and form.is_valid():
            try:
                client, key = services.create_api_client(
                    name=form.cleaned_data["name"], actor=request.actor
                )
            except DomainError as exc:
                form.add_error("name", exc.message)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Issue an API key"),
            "opts": self.model._meta,
            "form": form,
            "client": client,
            "key": key,
            "changelist_url": reverse("admin:complaints_apiclient_changelist"),
        }
        # The admin site marks its pages never_cache, so no browser or proxy keeps the key.
        return TemplateResponse(request, "complaints/desk/admin_api_key.html", context)

    @admin.action(description=_("Revoke the selected apps' keys"))
    def revoke_keys(self, request: HttpRequest, queryset) -> None:
        self._set_active(request, queryset, active=False)

    @admin.action(description=_("Restore the selected apps' keys"))
    def restore_keys(self, request: HttpRequest, queryset) -> None:
        self._set_active(request, queryset, active=True)

    def _set_active(self, request: HttpRequest, queryset, *, active: bool) -> None:
        for client in queryset:
            services.set_api_client_active(client=client, active=active, actor=request.actor)
        self.message_user(request, _("Done."), messages.SUCCESS)

    def save_model(self, request: HttpRequest, obj: ApiClient, form, change: bool) -> None:
        # Only `active` can be changed here; a new key is issued by add_view.
        if "active" in form.changed_data:
            services.set_api_client_active(client=obj, active=obj.active, actor=request.actor)


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    """Reports, to look up; status changes and moderation happen at the desk."""

    list_display = [
        "tracking_number",
        "category",
        "district",
        "department",
        "status",
        "created_at",
        "expected_at",
        "hidden",
        "desk_link",
    ]
    list_filter = ["status", "is_open", "hidden", "channel", "category", "department"]
    search_fields = ["tracking_number"]
    date_hierarchy = "created_at"
    list_select_related = ["category", "district", "department"]
    show_full_result_count = False  # counting a million rows on every page is slow
    exclude = ["token"]

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return [field.name for field in self.model._meta.fields if field.name != "token"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=_("desk"))
    def desk_link(self, complaint: Complaint) -> str:
        url = reverse("complaints:desk-report", args=[complaint.tracking_number])
        return format_html('<a href="{}">{}</a>', url, _("open at the desk"))
