"""The back office for staff whose session was signed in with their authenticator code.

hamkke.accounts.apps.OfficialAdminConfig installs it in place of django.contrib.admin's site, so
`admin.site` everywhere is this one. Log-in goes through allauth, where the second factor is
asked; the admin's own password-only log-in form is never shown."""

from __future__ import annotations

from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from hamkke.accounts.permissions import second_factor_redirect, session_has_second_factor


class OfficialAdminSite(AdminSite):
    site_header = _("Hamkke back office")
    site_title = _("Hamkke back office")

    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and session_has_second_factor(request)

    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
        if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
            next_url = reverse("admin:index", current_app=self.name)
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(next_url, resolve_url(settings.LOGIN_URL))
        if not (user.is_active and user.is_staff):
            raise PermissionDenied(_("The back office is for city staff."))
        if not session_has_second_factor(request):
            return second_factor_redirect(request, next_url=next_url)
        return redirect(next_url)
