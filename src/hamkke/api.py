"""The one NinjaAPI: /api/v1/, OpenAPI at /api/v1/openapi.json. Each app's Routers are the ones
it declares on its ServiceAppConfig (core/service_app.py); this module names no app."""

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError

from hamkke.core.errors import DomainError, TooManyAttempts
from hamkke.core.service_app import api_mounts, resolve

api = NinjaAPI(
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


for mount in api_mounts():
    api.add_router(mount.prefix, resolve(mount.router))
