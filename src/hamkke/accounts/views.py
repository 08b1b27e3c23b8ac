"""Personal pages (My page, identity verification, personal data) and officials' pages
(a department's members, the census upload). Thin: a form parses, a service acts, and a
domain error is shown beside the field it concerns."""

from __future__ import annotations

import json
import math

from allauth.mfa.utils import is_mfa_enabled
from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hamkke.accounts import policies, selectors, services, throttles
from hamkke.accounts.forms import (
    AddMemberForm,
    CensusUploadForm,
    CensusVerifyForm,
    DeleteAccountForm,
    MemberRoleForm,
    PhoneConfirmForm,
    PhoneStartForm,
    ProfileForm,
)
from hamkke.accounts.models import Role, VerificationMethod
from hamkke.accounts.permissions import (
    SECOND_FACTOR_TYPE,
    official_required,
    require_member_manager,
    session_has_second_factor,
)
from hamkke.accounts.personal_data import export_personal_data
from hamkke.core import ratelimit
from hamkke.core.errors import DomainError, NotAllowed, TooManyAttempts
from hamkke.core.web.responses import carry_out, found_or_404


def _show_error(form: forms.Form, exc: DomainError) -> int:
    """Put a service's refusal beside its field (or atop the form); returns the status."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message.splitlines() or [exc.message])
    return exc.status


# --- My page -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = ProfileForm(request.POST or None, initial={"display_name": user.display_name})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.update_profile(user=user, display_name=form.cleaned_data["display_name"])
            except DomainError as exc:
                status = _show_error(form, exc)
            else:
                messages.success(request, _("Your display name is saved."))
                return redirect("accounts:profile")
    official = selectors.is_official(user)
    identities = selectors.identities_of(user)
    verified = {identity.method for identity in identities}
    context = {
        "form": form,
        "identities": identities,
        "phone_verified": VerificationMethod.PHONE.value in verified,
        "census_verified": VerificationMethod.CENSUS.value in verified,
        "memberships": selectors.memberships_of(user),
        "is_official": official,
        "managed_departments": selectors.departments_managed_by(user) if official else [],
        "census_admin": selectors.highest_role(user) == Role.ADMINISTRATOR,
        "has_totp": is_mfa_enabled(user, [SECOND_FACTOR_TYPE]),
        "second_factor": session_has_second_factor(request),
    }
    return render(request, "accounts/profile.html", context, status=status)


# --- identity verification ---------------------------------------------------------------------


def _phone_page(
    request: HttpRequest,
    *,
    start_form: PhoneStartForm | None = None,
    confirm_form: PhoneConfirmForm | None = None,
    status: int = 200,
    retry_after: int | None = None,
) -> HttpResponse:
    user = request.user
    context = {
        "identity": selectors.identity_of(user, VerificationMethod.PHONE),
        "challenge": selectors.open_phone_challenge(user),
        "start_form": start_form or PhoneStartForm(),
        "confirm_form": confirm_form or PhoneConfirmForm(),
        "wait_minutes": _wait_minutes(request, start_form, confirm_form),
    }
    response = render(request, "accounts/verify_phone.html", context, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


@login_required
@require_http_methods(["GET", "POST"])
@ratelimit.throttled(throttles.SEND_CODE)
def verify_phone(request: HttpRequest) -> HttpResponse:
    """Step one: the number, to which a code is texted."""
    if request.method == "GET":
        return _phone_page(request)
    form = PhoneStartForm(request.POST)
    if not form.is_valid():
        return _phone_page(request, start_form=form, status=400)
    try:
        challenge = services.start_phone_verification(
            user=request.user, phone=form.cleaned_data["phone"]
        )
    except DomainError as exc:
        status = _show_error(form, exc)
        return _phone_page(request, start_form=form, status=status, retry_after=_retry_after(exc))
    messages.success(
        request,
        _("We sent a code to the number ending in %(digits)s. Enter it below.")
        % {"digits": challenge.phone_hint},
    )
    return redirect("accounts:verify-phone")


@login_required
@require_POST
@ratelimit.throttled(throttles.CHECK_CODE)
def verify_phone_confirm(request: HttpRequest) -> HttpResponse:
    """Step two: the code from the text message."""
    form = PhoneConfirmForm(request.POST)
    if not form.is_valid():
        return _phone_page(request, confirm_form=form, status=400)
    try:
        services.confirm_phone_verification(user=request.user, code=form.cleaned_data["code"])
    except DomainError as exc:
        status = _show_error(form, exc)
        return _phone_page(request, confirm_form=form, status=status, retry_after=_retry_after(exc))
    messages.success(request, _("Your account is now verified by mobile phone."))
    return redirect("accounts:profile")


def _wait_minutes(request: HttpRequest, *forms_shown: forms.Form | None) -> int:
    """Minutes until the person may try again, for the notice atop the page; 0 when a form
    already says so beside the field."""
    if any(form is not None and form.errors for form in forms_shown):
        return 0
    return math.ceil(selectors.verification_wait_seconds(request.user) / 60)


def _retry_after(exc: DomainError) -> int | None:
    return exc.retry_after if isinstance(exc, TooManyAttempts) else None


@login_required
@require_http_methods(["GET", "POST"])
@ratelimit.throttled(throttles.CENSUS)
def verify_census(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = CensusVerifyForm(request.POST or None)
    status, retry_after = 200, None
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.verify_by_census(user=user, **form.cleaned_data)
            except DomainError as exc:
                status, retry_after = _show_error(form, exc), _retry_after(exc)
            else:
                messages.success(
                    request, _("Your account is now verified by the residents register.")
                )
                return redirect("accounts:profile")
    context = {
        "form": form,
        "identity": selectors.identity_of(user, VerificationMethod.CENSUS),
        "wait_minutes": _wait_minutes(request, form),
    }
    response = render(request, "accounts/verify_census.html", context, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


# --- personal data -----------------------------------------------------------------------------


@login_required
@require_GET
def personal_data(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/personal_data.html", {"form": DeleteAccountForm()})


@login_required
@require_GET
@never_cache
def personal_data_download(request: HttpRequest) -> HttpResponse:
    data = export_personal_data(request.user)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    filename = f"hamkke-personal-data-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_POST
@ratelimit.throttled(throttles.PASSWORD)
def delete_account(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.delete_account(user=request.user, password=form.cleaned_data["password"])
        except DomainError as exc:
            status = _show_error(form, exc)
        else:
            logout(request)
            messages.success(request, _("Your account and personal data have been deleted."))
            return redirect("home")
    return render(request, "accounts/personal_data.html", {"form": form}, status=status)


# --- officials ---------------------------------------------------------------------------------


@login_required
@require_GET
def second_factor(request: HttpRequest) -> HttpResponse:
    """Why an official is asked for their code again, and the way to give it."""
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("accounts:profile")
    context = {
        "next_url": next_url,
        "has_totp": is_mfa_enabled(request.user, [SECOND_FACTOR_TYPE]),
        "second_factor": session_has_second_factor(request),
    }
    return render(request, "accounts/second_factor.html", context)


def _department_or_404(code: str):
    return found_or_404(selectors.department_by_code, code)


def _members_page(code: str) -> HttpResponse:
    return redirect("accounts:department-members", code=code)


@official_required(role=Role.MANAGER)
@require_http_methods(["GET", "POST"])
def department_members(request: HttpRequest, code: str) -> HttpResponse:
    """A department's members and their roles, for its managers and the city administrators.
    POST adds a member. A manager of another department is refused (403)."""
    department = _department_or_404(code)
    acting = require_member_manager(request.user, department=department)
    roles = policies.grantable_roles(acting)
    form = AddMemberForm(request.POST or None, prefix="add")
    form.fields["role"].choices = roles
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                member = services.add_member(
                    actor=request.actor,
                    department=department,
                    **form.cleaned_data,
                )
            except NotAllowed:
                raise
            except DomainError as exc:
                status = _show_error(form, exc)
            else:
                messages.success(request, _("%(email)s was added.") % {"email": member.user.email})
                return _members_page(department.code)
    context = {
        "department": department,
        # Each member with whether the acting official may change them (the same policy the
        # services enforce), so the page offers exactly what would be allowed.
        "members": [
            (member, policies.may_change_member(member.role, acting=acting))
            for member in selectors.department_members(department)
        ],
        "form": form,
        "roles": roles,
    }
    return render(request, "accounts/department_members.html", context, status=status)


@official_required(role=Role.MANAGER)
@require_POST
def department_member_role(request: HttpRequest, code: str, member_id: int) -> HttpResponse:
    department = _department_or_404(code)
    require_member_manager(request.user, department=department)
    membership = _membership_or_404(department, member_id)
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the roles."))
        return _members_page(department.code)
    carry_out(
        request,
        lambda: services.change_member_role(
            actor=request.actor,
            membership=membership,
            role=form.cleaned_data["role"],
        ),
        _("%(email)s's role was changed.") % {"email": membership.user.email},
        reraise=(NotAllowed,),
    )
    return _members_page(department.code)


@official_required(role=Role.MANAGER)
@require_POST
def department_member_remove(request: HttpRequest, code: str, member_id: int) -> HttpResponse:
    department = _department_or_404(code)
    require_member_manager(request.user, department=department)
    membership = _membership_or_404(department, member_id)
    services.remove_member(actor=request.actor, membership=membership)
    messages.success(request, _("%(email)s was removed.") % {"email": membership.user.email})
    return _members_page(department.code)


def _membership_or_404(department, member_id: int):
    return found_or_404(selectors.membership_in, department, member_id)


@official_required(role=Role.ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def census_upload(request: HttpRequest) -> HttpResponse:
    form = CensusUploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                result = services.import_census(actor=request.actor, file=form.cleaned_data["file"])
            except DomainError as exc:
                status = _show_error(form, exc)
            else:
                messages.success(
                    request,
                    _(
                        "The register is stored: %(rows)d residents (%(created)d new, "
                        "%(updated)d updated)."
                    )
                    % {"rows": result.rows, "created": result.created, "updated": result.updated},
                )
                return redirect("accounts:census-upload")
    context = {"form": form, "summary": selectors.census_summary()}
    return render(request, "accounts/census_upload.html", context, status=status)
