"""Back-office screens for accounts: people (by email), departments' members, and read-only
views of verified identities, the census register and verification locks."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from hamkke.accounts import policies, selectors, services
from hamkke.accounts.models import (
    CensusRecord,
    Membership,
    User,
    VerificationLock,
    VerifiedIdentity,
)
from hamkke.accounts.permissions import require_member_manager
from hamkke.core.errors import DomainError
from hamkke.core.lookup_admin import ReadOnlyAdmin


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

    def clean(self):
        cleaned = super().clean()
        # Staff or administrator status, like a role, only for a confirmed email address.
        promoted = any(
            cleaned.get(flag) and not getattr(self.instance, flag)
            for flag in ("is_staff", "is_superuser")
        )
        if promoted and self.instance.pk:
            decision = policies.may_take_office(
                email=self.instance.email,
                email_verified=selectors.email_verified(self.instance),
            )
            if not decision:
                raise forms.ValidationError(decision.reason)
        return cleaned


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

    # Memberships change through the same service, and rules, as on the members page.
    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        actor, stored = request.actor, obj

        class CheckedMembershipForm(form_class):
            def clean(self):
                cleaned = super().clean()
                department, role = cleaned.get("department"), cleaned.get("role")
                if department is None or role is None:
                    return cleaned
                try:
                    person = cleaned.get("user")
                    if person is not None:
                        policies.may_take_office(
                            email=person.email, email_verified=selectors.email_verified(person)
                        ).enforce()
                    acting = require_member_manager(actor.user, department=department)
                    policies.may_grant(role, acting=acting).enforce()
                    if stored is not None:
                        policies.may_change_member(stored.role, acting=acting).enforce()
                except DomainError as exc:
                    raise forms.ValidationError(exc.message) from exc
                return cleaned

        return CheckedMembershipForm

    def save_model(self, request, obj, form, change):
        saved = services.save_membership_in_back_office(
            actor=request.actor,
            user=obj.user,
            department=obj.department,
            role=obj.role,
            membership=obj if change else None,
            changed=form.changed_data,
        )
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.remove_membership_in_back_office(actor=request.actor, membership=obj)

    def get_actions(self, request):
        # The bulk delete would skip the service (and its audit): one at a time here.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


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
        return admin.ModelAdmin.has_delete_permission(self, request, obj)
