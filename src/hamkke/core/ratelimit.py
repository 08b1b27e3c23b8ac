"""The site's one rate-limit idiom. A `Limit` names a group and its rates — per person (the
account, or the address when signed out), per address, or per a key the caller names (an API
client, a person in a service) — and every limit is counted the same way, by django-ratelimit
in the shared cache, so all web workers count together. Pages and APIs use `throttled`,
`check` or `exceeded`; services, which have no request, use `attempt_by`. A limited request gets one
answer everywhere: 429 with `Retry-After` and a message that names the city's help line
(`[city] help_line` in the profile) for what cannot wait."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.core.cache import caches
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_ratelimit import ALL, UNSAFE
from django_ratelimit.core import is_ratelimited

from hamkke.core.errors import NotFound, TooManyAttempts

# What a refused request is told to wait: the windows of the site's rates are a minute or more.
RETRY_AFTER_SECONDS = 60


Rate = str | Callable[[], str]  # "10/m", or a function reading it from settings when counting


@dataclass(frozen=True)
class Limit:
    group: str
    per_person: Rate | None = None  # by account; by address when signed out
    per_address: Rate | None = None  # by client address (the site's one trust rule for it)
    # Which requests count: writes only by default; ALL for reads that cost (searches, lookups).
    methods: object = tuple(UNSAFE)
    message: Callable[[], str] | None = None  # what the refusal says; the site's by default

    def refusal(self) -> TooManyAttempts:
        text = self.message() if self.message else rate_limit_message()
        return TooManyAttempts(text, retry_after=RETRY_AFTER_SECONDS, code="rate_limited")


def exceeded(request: HttpRequest, limit: Limit) -> bool:
    """Count this request against the limit's rates; True if any is exceeded."""
    by_person = limit.per_person is not None and is_ratelimited(
        request,
        group=limit.group,
        key="user_or_ip",
        rate=_rate(limit.per_person),
        method=limit.methods,
        increment=True,
    )
    by_address = limit.per_address is not None and is_ratelimited(
        request,
        group=f"{limit.group}:ip",
        key="ip",
        rate=_rate(limit.per_address),
        method=limit.methods,
        increment=True,
    )
    return bool(by_person or by_address)


def _rate(rate: Rate) -> str:
    return rate() if callable(rate) else rate


def attempt_by(*, group: str, key: str, rate: Rate) -> int:
    """Count one attempt for `key` (a person's id, an API client's id) in `group` against
    `rate`, in windows aligned to the clock; 0 while allowed, else the seconds until the window
    ends. For services, which have no request, and limits by something other than person or
    address."""
    allowed, period = parse_rate(_rate(rate))
    now = time.time()
    cache = caches["ratelimit"]  # the one all worker processes share (settings.CACHES)
    cache_key = f"hamkke:rl:{group}:{key}:{period}:{int(now // period)}"
    cache.add(cache_key, 0, timeout=period + 10)
    try:
        used = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=period + 10)
        used = 1
    return 0 if used <= allowed else period - int(now % period)


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """ "10/m", "5/h", "10/10m" as (attempts, seconds), the notation django-ratelimit reads."""
    match = re.fullmatch(r"(\d+)/(\d*)([smhd])", rate.strip())
    if match is None:
        raise ValueError(f"not a rate: {rate!r} (like 10/m, 5/h or 10/10m)")
    return int(match[1]), int(match[2] or 1) * _UNITS[match[3]]


def check(request: HttpRequest, limit: Limit) -> None:
    """Raise the limit's TooManyAttempts when this request exceeds it."""
    if exceeded(request, limit):
        raise limit.refusal()


def throttled(limit: Limit) -> Callable:
    """For views and API endpoints (below the @router decorator): a request over the limit
    gets the site's rate-limit answer instead of the view."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            if exceeded(request, limit):
                return rate_limited(request, message=limit.refusal().message)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def rate_limited(
    request: HttpRequest, exception: Exception | None = None, *, message: str | None = None
) -> HttpResponse:
    """The one answer to a limited request (also settings.RATELIMIT_VIEW): 429 with a message,
    JSON under /api/ or when JSON is asked for, a page otherwise."""
    message = message or rate_limit_message()
    if request.path.startswith("/api/") or "json" in request.headers.get("Accept", ""):
        response = JsonResponse({"detail": message, "code": "rate_limited"}, status=429)
    else:
        response = render(request, "core/error.html", {"message": message}, status=429)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def rate_limit_message() -> str:
    return _("Too many requests from you in a short time. Please wait a minute and try again.") + (
        urgent_help()
    )


def urgent_help() -> str:
    """ " If it is urgent, call …", from the city profile's help line; empty without one."""
    from hamkke.core.city.selectors import current_city

    try:
        basics = current_city().profile.get("city", {})
    except NotFound:
        return ""
    english = (get_language() or "").split("-")[0] != "ko"
    line = (basics.get("help_line_en") if english else "") or basics.get("help_line", "")
    if not line:
        return ""
    return " " + _("If it is urgent, call %(help_line)s.") % {"help_line": line}


# Generous for a person trying a few spellings, tight for a script harvesting the gazetteer or,
# with a hosted geocoder, spending the city's allowance there. The API and the report form share
# it.
PLACE_SEARCH = Limit("core.place_search", per_address="60/m", methods=ALL)
