"""Rate limits, through django-ratelimit, on the requests that send codes or test what a person
knows (codes, register entries, passwords): per person and, more loosely, per address.

The services limit codes and wrong tries in the database as well; these limits stop floods
of requests before they reach it. A limited request gets the site's rate-limit answer
(settings.RATELIMIT_VIEW: a page, or JSON under /api/)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.http import HttpRequest
from django.utils.module_loading import import_string
from django_ratelimit import UNSAFE
from django_ratelimit.core import is_ratelimited


@dataclass(frozen=True)
class Limit:
    group: str
    per_person: str
    per_address: str


SEND_CODE = Limit("accounts.send-code", per_person="5/h", per_address="30/h")
CHECK_CODE = Limit("accounts.check-code", per_person="10/m", per_address="60/m")
CENSUS = Limit("accounts.census", per_person="10/m", per_address="60/m")
PASSWORD = Limit("accounts.password", per_person="10/m", per_address="60/m")


def is_limited(request: HttpRequest, limit: Limit) -> bool:
    """Count this request against both limits; True if either is exceeded."""
    by_person = is_ratelimited(
        request,
        group=limit.group,
        key="user_or_ip",
        rate=limit.per_person,
        method=UNSAFE,
        increment=True,
    )
    by_address = is_ratelimited(
        request,
        group=f"{limit.group}:ip",
        key="ip",
        rate=limit.per_address,
        method=UNSAFE,
        increment=True,
    )
    return by_person or by_address


def throttled(limit: Limit) -> Callable:
    """For views and API endpoints (below the @router decorator). Only POST-like requests
    count; reading the page is free."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            if is_limited(request, limit):
                return import_string(settings.RATELIMIT_VIEW)(request, None)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
