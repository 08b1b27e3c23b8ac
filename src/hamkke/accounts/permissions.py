"""Who may do what: officials' roles, the second factor their sessions need, and the verified
identity some citizens' actions need. Services call the `require_…` functions; HTML views use
`official_required` and API endpoints `official_api`."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from hamkke.accounts import policies, selectors
from hamkke.accounts.models import Role, User, VerificationMethod, VerifiedIdentity
from hamkke.core.errors import NotAllowed
from hamkke.core.models import Department

SECOND_FACTOR_TYPE = Authenticator.Type.TOTP


def require_role(user: User, *, role: Role, department: Department | None = None) -> Role:
    """Raise NotAllowed unless the user holds `role` (or a higher one) in `department`, or in
    any department when it is None: an administrator of any department is the city-wide
    administrator for identity and the census. Superusers pass. Returns the role they hold."""
    if not user.is_authenticated:
        raise NotAllowed(_("Log in as a city official to do this."), code="not_official")
    held = selectors.highest_role(user, department=department)
    policies.role_suffices(held, role, department=department).enforce()
    return held


def require_member_manager(user: User, *, department: Department) -> Role:
    """Managers manage their own department's members; city administrators every
    department's. Returns the role the user acts with."""
    if selectors.highest_role(user) == Role.ADMINISTRATOR:
        return Role.ADMINISTRATOR
    return require_role(user, role=Role.MANAGER, department=department)


def session_has_second_factor(request: HttpRequest) -> bool:
    """Whether this session was signed in (or confirmed) with the person's authenticator app,
    as allauth records each authentication step in the session."""
    user = request.user
    if not user.is_authenticated:
        return False
    used_totp = any(
        record.get("method") == "mfa" and record.get("type") == SECOND_FACTOR_TYPE
        for record in get_authentication_records(request, user)
    )
    # A session that used an authenticator since removed no longer counts.
    return used_totp and is_mfa_enabled(user, [SECOND_FACTOR_TYPE])


def second_factor_redirect(request: HttpRequest, *, next_url: str | None = None) -> HttpResponse:
    """Where an official without a second factor in this session goes: to set up an
    authenticator app, or to the page that asks for their code."""
    next_url = next_url or request.get_full_path()
    if not is_mfa_enabled(request.user, [SECOND_FACTOR_TYPE]):
        messages.warning(
            request,
            _(
                "City officials log in with a code from an authenticator app as well as their "
                "password. Set up the app now; then confirm with a code to continue."
            ),
        )
        return redirect(reverse("mfa_activate_totp"))
    return redirect(f"{reverse('accounts:second-factor')}?{urlencode({'next': next_url})}")


def forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "core/error.html", {"message": message}, status=403)


def official_required(*, role: Role) -> Callable:
    """For HTML views: log in, have a second factor in this session, hold `role` somewhere.
    A NotAllowed raised by the view itself (a department-level check) also answers 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if selectors.is_official(user) and not request.actor.second_factor:
                return second_factor_redirect(request)
            try:
                require_role(user, role=role)
                return view(request, *args, **kwargs)
            except NotAllowed as exc:
                return forbidden(request, exc.message)

        return wrapper

    return decorator


def official_api(*, role: Role) -> Callable:
    """For django-ninja endpoints (below the @router decorator, with django_auth): the same
    rules as `official_required`, answered as 403 JSON by the API's error handler."""

    def decorator(endpoint: Callable) -> Callable:
        @wraps(endpoint)
        def wrapper(request: HttpRequest, *args, **kwargs):
            if selectors.is_official(request.user) and not request.actor.second_factor:
                raise NotAllowed(
                    _(
                        "City officials must be logged in with their authenticator code: log "
                        "out and log in again with your password and code."
                    ),
                    code="second_factor_required",
                )
            require_role(request.user, role=role)
            return endpoint(request, *args, **kwargs)

        return wrapper

    return decorator


def require_verified(user: User, *, methods: Iterable[VerificationMethod]) -> VerifiedIdentity:
    """The person's verified identity by one of `methods`; NotAllowed, saying how to verify,
    when they have none. Services that need one real person per account (voting) call this."""
    methods = [VerificationMethod(method) for method in methods]
    if not methods:
        raise ValueError("require_verified needs at least one verification method")
    identity = None
    if user.is_authenticated:
        identity = (
            VerifiedIdentity.objects.filter(user=user, method__in=methods)
            .select_related("district")
            .order_by("verified_at")
            .first()
        )
    policies.verified(identity, methods=methods, signed_in=user.is_authenticated).enforce()
    return identity
