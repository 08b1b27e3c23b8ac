"""Hostile input stopped at the door, and every error answered in the format of the path asked.

Before a view runs, a body over its cap is refused (413) unread, and a NUL character, which
PostgreSQL cannot store and nobody types, is refused (400) in the path, the query string, a
cookie or a text field of the body. Around the view, a value the database cannot hold (a date
off the calendar once converted, a number past 64 bits) is a 400, not a 500. After it, an error
under /api/ is JSON `{"detail", "code"}` and a view that declares its own error format (Open311
does) answers its errors in it: 400, 404, 405, 413 and 500 alike, never an HTML page."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.core.exceptions import (
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.db import DataError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from django.views import defaults

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
NUL = "\x00"
# The methods whose body a view reads.
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
JSON_CONTENT_TYPE = "application/json; charset=utf-8"
# A response of one of these types is already in a machine format; any other error is rewritten.
MACHINE_TYPES = ("application/json", "application/geo+json", "text/xml", "application/xml")
# Headers an error keeps when it is rewritten in the path's format.
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")
CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "body_too_large",
    429: "too_many_attempts",
    500: "server_error",
}

# A view's own error format: (request, status, detail) -> the response.
ErrorRenderer = Callable[[HttpRequest, int, str], HttpResponse]


# --- what a view declares -----------------------------------------------------------------------


def answers_errors_with(renderer: ErrorRenderer) -> Callable[[Callable], Callable]:
    """Mark a view whose errors (the site's 404, 405, 413 and 500 as well as its own) answer in
    `renderer`'s format, as a standard's adapter must."""

    def mark(view: Callable) -> Callable:
        view.error_renderer = renderer
        return view

    return mark


def checks_its_own_body(view: Callable) -> Callable:
    """Mark a view that reads its body only after a check of its own (Open311 checks the api_key
    first), and looks for NUL characters in it itself (with `nul_field`)."""
    view.checks_its_own_body = True
    return view


# --- answers --------------------------------------------------------------------------------------


def json_error(status: int, detail: str, code: str | None = None) -> HttpResponse:
    body = {"detail": detail, "code": code or CODES.get(status, "error")}
    return HttpResponse(json.dumps(body), status=status, content_type=JSON_CONTENT_TYPE)


def error_response(
    request: HttpRequest, status: int, detail: str, code: str | None = None
) -> HttpResponse:
    """An error in the format of the path: the view's own, JSON under /api/, else a page."""
    renderer = _error_renderer(request)
    if renderer is not None:
        return renderer(request, status, detail)
    if request.path.startswith(API_PREFIX):
        return json_error(status, detail, code)
    return render(request, "core/error.html", {"message": detail}, status=status)


def _error_renderer(request: HttpRequest) -> ErrorRenderer | None:
    match = getattr(request, "resolver_match", None)
    if match is None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
    return getattr(match.func, "error_renderer", None)


def _machine_errors(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX) or _error_renderer(request) is not None


# --- the site's error handlers (handler400 … handler500 in urls.py) -------------------------------


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent):
        return _too_large(request, exception)
    if not _machine_errors(request):
        return defaults.bad_request(request, exception)
    return error_response(request, 400, _("The request could not be read: %s") % exception)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if not _machine_errors(request):
        return defaults.permission_denied(request, exception)
    detail = str(exception) if exception and str(exception) else _("Not allowed.")
    return error_response(request, 403, detail)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if not _machine_errors(request):
        return defaults.page_not_found(request, exception)
    message = exception.args[0] if exception and exception.args else None
    # The resolver's own 404 carries a dict (the patterns tried): not for clients.
    detail = message if isinstance(message, str) and message else _("Nothing is at this address.")
    return error_response(request, 404, detail)


def server_error(request: HttpRequest) -> HttpResponse:
    if not _machine_errors(request):
        return defaults.server_error(request)
    return error_response(
        request, 500, _("Something went wrong on our side. It is logged; please try again later.")
    )


# --- the middleware -------------------------------------------------------------------------------


class HostileInputMiddleware:
    """Caps and NUL checks before the view, the database's refusals as 400 around it, and errors
    rewritten in the path's format after it. Sits high in MIDDLEWARE, before anything reads the
    body or the session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refusal = _oversized(request) or _nul_in_address(request)
        if refusal is not None:
            return refusal
        return _in_the_paths_format(request, self.get_response(request))

    def process_view(self, request: HttpRequest, view, args, kwargs) -> HttpResponse | None:
        if request.method not in BODY_METHODS or getattr(view, "checks_its_own_body", False):
            return None
        return _nul_in_body(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent):
            return _too_large(request, exception)
        if isinstance(exception, DataError | OverflowError):
            # Input the checks before it let through (a number past 64 bits in a path, a date
            # the database cannot convert): the client's to fix, logged for us to check earlier.
            logger.warning(
                "Refused as out of range: %s %s", request.method, request.path, exc_info=exception
            )
            return error_response(
                request,
                400,
                _(
                    "A value in the request is out of range (a date, a number or a text the "
                    "city cannot store)."
                ),
                "out_of_range",
            )
        return None


def content_length(request: HttpRequest) -> int:
    """The body's declared length; 0 for none or a malformed one, as Django then reads none."""
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


def body_cap(request: HttpRequest) -> int | None:
    """The most bytes this request's body may have: a form with files the largest upload a
    report takes, any other body what Django holds in memory."""
    if request.content_type == "multipart/form-data":
        return settings.HAMKKE_MAX_UPLOAD_BODY_BYTES
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def _oversized(request: HttpRequest) -> HttpResponse | None:
    cap = body_cap(request)
    length = content_length(request)
    if cap is None or length <= cap:
        return None
    return error_response(
        request,
        413,
        _("The request body has %(length)s bytes; at most %(cap)s are accepted here.")
        % {"length": length, "cap": cap},
        "body_too_large",
    )


def _too_large(request: HttpRequest, exception: Exception) -> HttpResponse:
    if isinstance(exception, TooManyFieldsSent | TooManyFilesSent):
        detail = _("The request has too many fields or files.")
    else:
        detail = _("The request body is larger than is accepted here.")
    return error_response(request, 413, detail, "body_too_large")


def _nul_refusal(request: HttpRequest, where: str) -> HttpResponse:
    return error_response(
        request,
        400,
        _("%(where)s contains a NUL character (%%00), which no text here may hold.")
        % {"where": where},
        "nul_character",
    )


def _shown(name: str) -> str:
    return name.replace(NUL, "%00")


def nul_field(data: QueryDict) -> str | None:
    """The first parameter of `data` whose name or a value holds a NUL character, as shown to
    the client (the NUL written %00); None when there is none."""
    for key, values in data.lists():
        if NUL in key or any(NUL in value for value in values if isinstance(value, str)):
            return _shown(key)
    return None


def _nul_in_address(request: HttpRequest) -> HttpResponse | None:
    if NUL in request.path:
        return _nul_refusal(request, _("The address"))
    if (name := nul_field(request.GET)) is not None:
        return _nul_refusal(request, _("The parameter “%s”") % name)
    for name, value in request.COOKIES.items():
        if NUL in name or NUL in value:
            return _nul_refusal(request, _("The cookie “%s”") % _shown(name))
    return None


def _nul_in_body(request: HttpRequest) -> HttpResponse | None:
    content_type = request.content_type or ""
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        try:
            name = nul_field(request.POST)
        except (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent) as exc:
            return _too_large(request, exc)
        except MultiPartParserError as exc:
            return error_response(request, 400, _("The form could not be read: %s") % exc)
        if name is not None:
            return _nul_refusal(request, _("The field “%s”") % name)
        return None
    if content_type == "application/json" or content_type.endswith("+json"):
        try:
            document = json.loads(request.body)
        except RequestDataTooBig as exc:
            return _too_large(request, exc)
        except ValueError:
            return None  # not JSON: the view's parser says so in its own words
        for where in _nul_strings(document, "body"):
            return _nul_refusal(request, _("The field “%s”") % where)
    return None


def _nul_strings(value: Any, where: str) -> Iterator[str]:
    """Where in a JSON document a key or a text holds a NUL character (its path, dotted)."""
    if isinstance(value, str):
        if NUL in value:
            yield where
    elif isinstance(value, dict):
        for key, child in value.items():
            if NUL in key:
                yield f"{where}.{_shown(key)}"
            else:
                yield from _nul_strings(child, f"{where}.{key}")
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _nul_strings(child, f"{where}[{index}]")


def _in_the_paths_format(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """An error page (HTML or plain text: ninja's 405, Django's 404 or CSRF page) under a path
    that answers errors in a machine format, rewritten in that format with its headers."""
    if response.status_code < 400 or response.get("Content-Type", "").startswith(MACHINE_TYPES):
        return response
    if not _machine_errors(request):
        return response
    status = response.status_code
    if status == 405:
        # ninja lists the methods from a set: in a stable order, for people and caches alike.
        allowed = ", ".join(sorted(m.strip() for m in response.get("Allow", "").split(",") if m))
        response["Allow"] = allowed
        detail = _("The method %(method)s is not allowed here; use %(allowed)s.") % {
            "method": request.method,
            "allowed": allowed,
        }
    else:
        detail = response.reason_phrase
    rewritten = error_response(request, status, detail)
    for header in KEPT_HEADERS:
        if header in response:
            rewritten[header] = response[header]
    return rewritten
