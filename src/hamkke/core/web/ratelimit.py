"""The site's rate limits: one idiom (a Limit counted per person and per address through
django-ratelimit), and the one answer a limited request gets."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django_ratelimit.core import is_ratelimited


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
