"""Back-office screens of the Plaza: documents here (to look up; approving, publishing,
withdrawing and closing go through the services as admin actions, which check the role and
write the audit log), the category taxonomy (written from the profile) and tags; meetings, open
data and requests in their packages' admin modules, imported below so that Django's admin
discovery finds them."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hamkke.core.errors import DomainError
from hamkke.plaza import services
from hamkke.plaza.desk import selectors as desk_selectors
from hamkke.plaza.disclosure import admin as disclosure_admin  # noqa: F401
from hamkke.plaza.meetings import admin as meetings_admin  # noqa: F401
from hamkke.plaza.models import Attachment, Category, Disclosure, Document, Tag, WithheldPassage
from hamkke.plaza.opendata import admin as opendata_admin  # noqa: F401


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class WithheldInline(_ReadOnlyInline):
    model = WithheldPassage
    fields = ["order", "legal_ground", "text"]


class AttachmentInline(_ReadOnlyInline):
    model = Attachment
    fields = ["order", "original_name", "content_type", "size", "text_status", "withheld"]
    readonly_fields = fields


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why they are withdrawn"), max_length=300)


class GroundForm(forms.Form):
    legal_ground = forms.ChoiceField(label=gettext_lazy("Legal ground"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        grounds = services.plaza_settings().legal_grounds
        self.fields["legal_ground"].choices = [(g.code, g.display_name) for g in grounds]


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    """Documents, to look up. Nothing is saved here: each action calls the service an official
    would at the desk, for each document chosen, and says which were done and which refused."""

    list_display = [
        "number",
        "title",
        "doc_type",
        "department",
        "disclosure",
        "state",
        "published_at",
        "desk_link",
    ]
    list_filter = ["doc_type", "disclosure", "approver_level", "department", "category"]
    search_fields = ["number", "title"]
    date_hierarchy = "produced_on"
    list_select_related = ["department", "category"]
    show_full_result_count = False  # counting millions of rows on every page is slow
    inlines = [WithheldInline, AttachmentInline]
    exclude = ["related"]
    actions = ["approve", "publish", "withdraw", "close"]

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return [field.name for field in self.model._meta.fields] + ["tags"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # registered at the desk, by the import or by the other services

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # withdraw or close instead: the record stays

    @admin.display(description=gettext_lazy("state"))
    def state(self, document: Document) -> str:
        return str(desk_selectors.STATE_LABELS[desk_selectors.state_of(document)])

    @admin.display(description=gettext_lazy("desk"))
    def desk_link(self, document: Document) -> str:
        url = reverse("plaza:desk-document", args=[document.pk])
        return format_html('<a href="{}">{}</a>', url, _("open at the desk"))

    @admin.action(description=gettext_lazy("Approve the selected documents now"))
    def approve(self, request: HttpRequest, queryset) -> None:
        self._each(
            request,
            queryset,
            lambda d: services.approve_document(actor=request.actor, document=d),
        )

    @admin.action(description=gettext_lazy("Publish the selected documents now"))
    def publish(self, request: HttpRequest, queryset) -> None:
        self._each(
            request,
            queryset,
            lambda d: services.publish_document(actor=request.actor, document=d),
        )

    @admin.action(description=gettext_lazy("Withdraw the selected documents from the public"))
    def withdraw(self, request: HttpRequest, queryset):
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return self._ask(request, queryset, form, _("Withdraw documents"))
        reason = form.cleaned_data["reason"]
        self._each(
            request,
            queryset,
            lambda d: services.withdraw_document(actor=request.actor, document=d, reason=reason),
        )
        return None

    @admin.action(description=gettext_lazy("Close the selected documents (never public)"))
    def close(self, request: HttpRequest, queryset):
        form = GroundForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return self._ask(request, queryset, form, _("Close documents"))
        ground = form.cleaned_data["legal_ground"]
        self._each(
            request,
            queryset,
            lambda d: services.change_disclosure(
                actor=request.actor,
                document=d,
                disclosure=Disclosure.CLOSED,
                legal_ground=ground,
            ),
        )
        return None

    def _ask(self, request: HttpRequest, queryset, form: forms.Form, title: str):
        """The page that asks what the action needs (a reason, a ground) before it is done."""
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "form": form,
            "documents": queryset,
            "action": request.POST.get("action", ""),
            "changelist_url": reverse("admin:plaza_document_changelist"),
        }
        return TemplateResponse(request, "plaza/desk/admin_action.html", context)

    def _each(self, request: HttpRequest, queryset, act: Callable[[Document], object]) -> None:
        done, refused = [], []
        for document in queryset:
            try:
                act(document)
            except DomainError as exc:
                refused.append(f"{document.number}: {exc.message}")
            else:
                done.append(document.number)
        if done:
            self.message_user(
                request, _("Done for %(numbers)s.") % {"numbers": ", ".join(done)}, messages.SUCCESS
            )
        for refusal in refused:
            self.message_user(
                request, _("Not done for %(refusal)s") % {"refusal": refusal}, messages.ERROR
            )


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    """Written by `hamkke city load` from the profile's [[plaza.categories]]: a change here
    would be overwritten by the next load."""

    list_display = ["code", "name", "name_en", "parent", "order"]
    list_filter = ["parent"]
    search_fields = ["code", "name", "name_en"]
    list_select_related = ["parent"]

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # documents keep their category


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    """Tags hold no state: staff may tidy their names (a merge is a rename and a delete)."""

    list_display = ["name"]
    search_fields = ["name"]
