"""Back-office screens for accounts: people (by email), departments' members, and read-only
views of verified identities, the census register and verification locks."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from hamkke.accounts.models import (
    CensusRecord,
    Membership,
    User,
    VerificationLock,
    VerifiedIdentity,
)
from hamkke.core.audit.services import record_audit


class UserCreationForm(auth_forms.AdminUserCreationForm):
    class Meta(auth_forms.AdminUserCreationForm.Meta):
        model = User
        fields = ("email",)
        field_classes = {}


class UserChangeForm(auth_forms.UserChangeForm):
    class Meta(auth_forms.UserChangeForm.Meta):
        model = User
        fields = "__all__"
        field_classes = {}


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            _("Personal info"),
            {"fields": ("display_name", "first_name", "last_name", "home_district")},
        ),
        (_("Moderation"), {"fields": ("banned_at", "ban_reason")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "usable_password", "password1", "password2"),
            },
        ),
    )
    list_display = ("email", "display_name", "is_staff", "is_active", "date_joined")
    list_filter = ("is_staff", "is_superuser", "is_active")
    search_fields = ("email", "display_name", "first_name", "last_name")
    ordering = ("email",)
    readonly_fields = ("last_login", "date_joined")
    raw_id_fields = ("home_district",)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "department", "role", "created_at")
    list_filter = ("role", "department")
    search_fields = ("user__email", "department__name", "department__code")
    autocomplete_fields = ("user",)
    list_select_related = ("user", "department")

    # Role changes made here are official actions like those on the members page.
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        record_audit(
            actor=request.user,
            action="accounts.member_saved_in_admin",
            target=obj,
            data={
                "department": obj.department.code,
                "member": obj.user.email,
                "role": obj.get_role_display(),
                "changed": list(form.changed_data),
            },
            request=request,
        )

    def delete_model(self, request, obj):
        record_audit(
            actor=request.user,
            action="accounts.member_removed_in_admin",
            target=obj,
            data={"department": obj.department.code, "member": obj.user.email},
            request=request,
        )
        super().delete_model(request, obj)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written only by the verification services: looked at, never edited here."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(VerifiedIdentity)
class VerifiedIdentityAdmin(ReadOnlyAdmin):
    list_display = ("user", "method", "district", "verified_at")
    list_filter = ("method", "district")
    search_fields = ("user__email",)
    fields = ("user", "method", "district", "verified_at")
    list_select_related = ("user", "district")


@admin.register(CensusRecord)
class CensusRecordAdmin(ReadOnlyAdmin):
    # The change list template adds a link to the upload page (accounts:census-upload).
    change_list_template = "admin/accounts/censusrecord/change_list.html"
    list_display = ("short_key", "district", "batch", "uploaded_at")
    list_filter = ("district", "batch")
    fields = ("record_key", "district", "batch", "uploaded_at")
    list_select_related = ("district",)

    @admin.display(description=_("record key"))
    def short_key(self, obj: CensusRecord) -> str:
        return f"{obj.record_key[:12]}…"


@admin.register(VerificationLock)
class VerificationLockAdmin(ReadOnlyAdmin):
    """Support staff may lift a lock (delete it) for a person who proved who they are."""

    list_display = ("user", "failures", "until")
    search_fields = ("user__email",)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super(ReadOnlyAdmin, self).has_delete_permission(request, obj)
