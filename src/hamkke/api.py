"""The one NinjaAPI: /api/v1/, OpenAPI at /api/v1/openapi.json. Each app's Routers are the ones
it declares on its ServiceAppConfig (core/service_app.py); this module names no app."""

from django.http import Http404, HttpRequest
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from hamkke.core.errors import DomainError, TooManyAttempts
from hamkke.core.service_app import api_mounts, resolve
from hamkke.core.web.hostile import CODES
from hamkke.core.web.openapi import DocumentedApi

# Its OpenAPI document lists every error status an operation may answer (core/web/openapi.py).
api = DocumentedApi(
    title="Hamkke API",
    version="1",
    description=(
        "The open API of a Hamkke city: its districts, departments and services. "
        "Errors answer as JSON {detail, code} with a 4xx status."
    ),
    urls_namespace="api",
)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError):
    response = api.create_response(request, exc.as_dict(), status=exc.status)
    if isinstance(exc, TooManyAttempts) and exc.retry_after:
        response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(NinjaValidationError)
def invalid_request(request: HttpRequest, exc: NinjaValidationError):
    problems = []
    for error in exc.errors:
        where = ".".join(str(part) for part in error.get("loc", ()) if part not in ("body",))
        problems.append(f"{where}: {error.get('msg', 'invalid')}" if where else error.get("msg"))
    return api.create_response(
        request,
        {
            "detail": "; ".join(problems) or "invalid request",
            "code": "invalid",
            "errors": exc.errors,
        },
        status=422,
    )


@api.exception_handler(AuthenticationError)
def not_authenticated(request: HttpRequest, exc: AuthenticationError):
    return api.create_response(
        request, {"detail": "Log in first.", "code": "not_authenticated"}, status=401
    )


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404):
    message = exc.args[0] if exc.args and isinstance(exc.args[0], str) else "Not found."
    return api.create_response(request, {"detail": message, "code": "not_found"}, status=404)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError):
    """ninja's own refusals (403 for a missing CSRF token, say), with a code like the others."""
    csrf = exc.status_code == 403 and "CSRF" in str(exc)
    code = "csrf_failed" if csrf else CODES.get(exc.status_code, "error")
    return api.create_response(request, {"detail": str(exc), "code": code}, status=exc.status_code)


for mount in api_mounts():
    api.add_router(mount.prefix, resolve(mount.router))
