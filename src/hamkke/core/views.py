"""Site-wide pages: the city home page, service pages not built yet, health, rate-limit answer,
comments and their moderation, and a person's notifications."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db import connection, models
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited

from hamkke.core import selectors, services
from hamkke.core.errors import DomainError, NotFound, TooManyAttempts
from hamkke.core.forms import CommentForm, NotificationPreferencesForm, ReasonForm
from hamkke.core.navigation import service_by_slug
from hamkke.core.registries import resolve_comment_target

T = TypeVar("T")


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html")


def service_not_built(request: HttpRequest, slug: str) -> HttpResponse:
    service = service_by_slug(slug)
    if service is None:
        raise Http404(_("No such service."))
    return render(request, "core/not_built.html", {"service": service})


def rate_limited(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """django-ratelimit sends blocked requests here: 429 with a message, JSON for the API."""
    message = rate_limit_message()
    if request.path.startswith("/api/") or "json" in request.headers.get("Accept", ""):
        response = JsonResponse({"detail": message, "code": "rate_limited"}, status=429)
    else:
        response = render(request, "core/error.html", {"message": message}, status=429)
    response["Retry-After"] = "60"
    return response


# Generous for a person trying a few spellings, tight for a script harvesting the gazetteer or,
# with a hosted geocoder, spending the city's allowance there.
PLACE_SEARCH_RATE = "60/m"


def place_search_rate_exceeded(request: HttpRequest) -> bool:
    """Count a search for places by this address (the API and the report form share it)."""
    return is_ratelimited(
        request, group="core.place_search", key="ip", rate=PLACE_SEARCH_RATE, increment=True
    )


def rate_limit_message() -> str:
    return _("Too many requests from you in a short time. Please wait a minute and try again.")


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Database, cache and broker, each "ok" or the error; 503 when any is down."""
    checks = {"database": _check_database(), "cache": _check_cache(), "broker": _check_broker()}
    healthy = all(value in ("ok", "inline") for value in checks.values())
    return JsonResponse(
        {
            "status": "ok" if healthy else "unavailable",
            "checks": checks,
            "city": settings.HAMKKE_CITY,
        },
        status=200 if healthy else 503,
    )


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure is a report, not a crash
        return f"error: {exc.__class__.__name__}: {exc}"[:300]
    return "ok"


def _check_cache() -> str:
    try:
        cache.set("hamkke:healthz", "1", 10)
        if cache.get("hamkke:healthz") != "1":
            return "error: value not read back"
    except Exception as exc:
        return f"error: {exc.__class__.__name__}: {exc}"[:300]
    return "ok"


def _check_broker() -> str:
    if not settings.CELERY_BROKER_URL:
        return "inline"
    from hamkke.celery import app

    try:
        with app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:
        return f"error: {exc.__class__.__name__}: {exc}"[:300]
    return "ok"


# --- shared ------------------------------------------------------------------------------------


def render_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    """A refusal that belongs to no form, as a page with the error's status."""
    response = render(request, "core/error.html", {"message": exc.message}, status=exc.status)
    _add_retry_after(response, exc)
    return response


def _add_retry_after(response: HttpResponse, exc: DomainError | None) -> None:
    if isinstance(exc, TooManyAttempts) and exc.retry_after:
        response["Retry-After"] = str(exc.retry_after)


def _safe_next(request: HttpRequest, fallback: str) -> str:
    """Where to go back to: the page's own `next` if it is on this site, else the fallback."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


def _without_fragment(url: str) -> str:
    return url.split("#", 1)[0]


def _thread_url(target_type: str, target_id: str) -> str:
    return reverse("core:comment-thread", args=[target_type, target_id])


def _target_page(target: models.Model, target_type: str, target_id: str) -> str:
    get_url = getattr(target, "get_absolute_url", None)
    return get_url() if get_url else _thread_url(target_type, target_id)


def found_or_404(lookup: Callable[..., T], *args, **kwargs) -> T:
    """What a selector finds by an address's key; its NotFound is the 404 page, with its
    message."""
    try:
        return lookup(*args, **kwargs)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def page_of(request: HttpRequest, items, per_page: int) -> tuple[Page, str]:
    """The page of `items` the address asks for (?page=; the last for a number past it), and the
    address's other parameters (the filters) for the links to the other pages."""
    page = Paginator(items, per_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


def carry_out(
    request: HttpRequest,
    service: Callable[[], object],
    success: str,
    *,
    reraise: tuple[type[DomainError], ...] = (),
) -> bool:
    """A button with no form to fill: call `service` and say how it went on the next page, with
    `success` or the refusal's reason. The refusals in `reraise` go on to their error page (at
    the desk, a missing role is 403). True when it was done."""
    try:
        service()
    except reraise:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
        return False
    messages.success(request, success)
    return True


def _comment_or_404(comment_id: int):
    return found_or_404(selectors.comment_by_id, comment_id)


# --- comments ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def comment_thread(request: HttpRequest, target_type: str, target_id: str) -> HttpResponse:
    """A target's comments on their own page; posting a comment lands here too, and a refused
    comment is shown again with the reason beside the text, so nothing typed is lost."""
    target = found_or_404(resolve_comment_target, target_type, target_id)
    thread_url = _thread_url(target_type, target_id)
    form = CommentForm(request.POST or None)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(thread_url)
        published = form.submit(
            lambda: services.add_comment(
                author=request.user, target=target, body=form.cleaned_data["body"]
            )
        )
        if published:
            messages.success(request, _("Your comment is published."))
            back = _safe_next(request, _target_page(target, target_type, target_id))
            return redirect(f"{_without_fragment(back)}#comment-{form.result.pk}")
    context = {
        "target": target,
        "thread": selectors.comment_thread(target, viewer=request.user),
        "comment_form": form,
        "next": _safe_next(request, _target_page(target, target_type, target_id)),
    }
    response = render(request, "core/comment_thread.html", context, status=form.status_code)
    _add_retry_after(response, form.refusal)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def comment_report(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = _comment_or_404(comment_id)
    back = _safe_next(request, _thread_url(_type_key(comment), comment.target_id))
    form = ReasonForm(request.POST or None)
    if request.method == "POST":
        reported = form.submit(
            lambda: services.report_comment(
                comment=comment, reporter=request.user, reason=form.cleaned_data["reason"]
            )
        )
        if reported:
            messages.success(request, _("Thank you: the moderators will look at it."))
            return redirect(f"{_without_fragment(back)}#comment-{comment.pk}")
    context = {"comment": comment, "form": form, "next": back, "action": "report"}
    response = render(request, "core/comment_action.html", context, status=form.status_code)
    _add_retry_after(response, form.refusal)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def comment_hide(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = _comment_or_404(comment_id)
    if not selectors.can_moderate(request.user):
        raise PermissionDenied(_("Only moderators may hide comments."))
    back = _safe_next(request, _thread_url(_type_key(comment), comment.target_id))
    form = ReasonForm(request.POST or None)
    if request.method == "POST":
        hidden = form.submit(
            lambda: services.hide_comment(
                comment=comment,
                moderator=request.user,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        )
        if hidden:
            messages.success(request, _("The comment is hidden; its author was told why."))
            return redirect(f"{_without_fragment(back)}#comment-{comment.pk}")
    context = {"comment": comment, "form": form, "next": back, "action": "hide"}
    return render(request, "core/comment_action.html", context, status=form.status_code)


@login_required
@require_POST
def comment_unhide(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = _comment_or_404(comment_id)
    back = _safe_next(request, _thread_url(_type_key(comment), comment.target_id))
    try:
        services.unhide_comment(comment=comment, moderator=request.user, request=request)
    except DomainError as exc:
        return render_domain_error(request, exc)
    messages.success(request, _("The comment is shown again."))
    return redirect(f"{_without_fragment(back)}#comment-{comment.pk}")


@login_required
@require_POST
def comment_dismiss_reports(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = _comment_or_404(comment_id)
    back = _safe_next(request, reverse("core:moderation-queue"))
    try:
        services.dismiss_comment_reports(comment=comment, moderator=request.user, request=request)
    except DomainError as exc:
        return render_domain_error(request, exc)
    messages.success(request, _("The reports are dismissed; the comment stays."))
    return redirect(back)


@login_required
def moderation_queue(request: HttpRequest) -> HttpResponse:
    if not selectors.can_moderate(request.user):
        raise PermissionDenied(_("Only moderators may see the moderation queue."))
    page = Paginator(selectors.moderation_queue(), 50).get_page(request.GET.get("page"))
    return render(request, "core/moderation_queue.html", {"page": page})


def _type_key(comment) -> str:
    return f"{comment.target_type.app_label}.{comment.target_type.model}"


# --- notifications -----------------------------------------------------------------------------


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    context = {
        "notifications": selectors.notifications_for(request.user),
        "unread": selectors.unread_notification_count(request.user),
    }
    return render(request, "core/notifications.html", context)


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    services.mark_all_notifications_read(user=request.user)
    messages.success(request, _("All notifications are marked as read."))
    return redirect("core:notifications")


@login_required
@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark one read; with `open`, then go to what it is about."""
    notification = found_or_404(selectors.notification_by_id, request.user, notification_id)
    services.mark_notification_read(notification=notification, user=request.user)
    if (
        request.POST.get("open")
        and notification.url
        and url_has_allowed_host_and_scheme(
            notification.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return redirect(notification.url)
    return redirect("core:notifications")


@login_required
@require_http_methods(["GET", "POST"])
def notification_preferences(request: HttpRequest) -> HttpResponse:
    rows = selectors.notification_preferences_of(request.user)
    form = NotificationPreferencesForm(request.POST or None, rows=rows)
    if request.method == "POST":
        saved = form.submit(
            lambda: services.set_notification_preferences(
                user=request.user, preferences=form.preferences()
            )
        )
        if saved:
            messages.success(request, _("Your choices are saved."))
            return redirect("core:notification-preferences")
    return render(
        request, "core/notification_preferences.html", {"form": form}, status=form.status_code
    )
