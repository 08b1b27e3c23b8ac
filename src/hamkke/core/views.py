"""Site-wide pages: the city home page, service pages not built yet, health, rate-limit answer,
comments and their moderation, and a person's notifications."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from hamkke.core import service_app
from hamkke.core.navigation import service_by_slug


def home(request: HttpRequest) -> HttpResponse:
    """The services, and the panels the apps declare (open polls, …), each from its own data."""
    panels = []
    for panel in service_app.home_panels():
        context = service_app.resolve(panel.context)(request)
        if context is not None:
            panels.append({"template": panel.template, "context": context})
    return render(request, "core/home.html", {"panels": panels})


def service_not_built(request: HttpRequest, slug: str) -> HttpResponse:
    service = service_by_slug(slug)
    if service is None:
        raise Http404(_("No such service."))
    return render(request, "core/not_built.html", {"service": service})


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Database, cache and broker, each "ok" (the broker "inline" in the embedded default) or
    "error"; 503 when any is down. What the error was (hosts, ports, drivers' messages) is
    shown only to signed-in staff."""
    checks = {"database": _check_database(), "cache": _check_cache(), "broker": _check_broker()}
    healthy = all(value in ("ok", "inline") for value in checks.values())
    if not _is_staff(request):
        checks = {part: value.split(":", 1)[0] for part, value in checks.items()}
    return JsonResponse(
        {
            "status": "ok" if healthy else "unavailable",
            "checks": checks,
            "city": settings.HAMKKE_CITY,
        },
        status=200 if healthy else 503,
    )


def _is_staff(request: HttpRequest) -> bool:
    # The session lives in the database or the cache, either of which may be what is down:
    # then nobody is known to be staff.
    try:
        user = request.user
        return bool(user.is_authenticated and user.is_active and user.is_staff)
    except Exception:
        return False


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


# --- comments ----------------------------------------------------------------------------------


# --- notifications -----------------------------------------------------------------------------
