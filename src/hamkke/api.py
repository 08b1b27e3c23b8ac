"""The one NinjaAPI: /api/v1/, OpenAPI at /api/v1/openapi.json. Each app's Routers are the ones
it declares on its ServiceAppConfig (core/service_app.py); this module names no app."""

from django.http import Http404, HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from hamkke.core.errors import DomainError, TooManyAttempts
from hamkke.core.service_app import api_mounts, resolve
from hamkke.core.web.hostile import CODES

# Every operation may answer these, whatever its router declares: the site refuses bad input
# (400: a NUL character, a date off the calendar), an unknown object (404), a body over its cap
# (413), a request its schema refuses (422) and too many attempts (429) alike; an operation that
# signs in or writes may also answer 401 and 403, and a write 409.
EVERY_OPERATION_ERRORS = (400, 404, 413, 422, 429)
SIGNED_IN_ERRORS = (401, 403)
WRITE_ERRORS = (401, 403, 409)
WRITE_METHODS = {"post", "put", "patch", "delete"}
ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "properties": {
        "detail": {"type": "string", "description": "For people; may be translated"},
        "code": {"type": "string", "description": "Stable, for programs"},
        "field": {"type": "string", "description": "The parameter or field refused, if one"},
    },
    "required": ["detail", "code"],
}


class HamkkeApi(NinjaAPI):
    """The NinjaAPI whose OpenAPI document lists the error answers every operation may give, in
    the one error format, so clients (and the schemathesis fuzz test) know every status."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        for operations in schema["paths"].values():
            for method, operation in operations.items():
                statuses = set(EVERY_OPERATION_ERRORS)
                if operation.get("security"):
                    statuses.update(SIGNED_IN_ERRORS)
                if method in WRITE_METHODS:
                    statuses.update(WRITE_ERRORS)
                for status in sorted(statuses):
                    operation["responses"].setdefault(
                        status, {"description": _ERROR_DESCRIPTIONS[status], "content": error}
                    )
        return schema


_ERROR_DESCRIPTIONS = {
    400: "Bad input: refused with a reason (a NUL character, a date off the calendar, …)",
    401: "Not signed in",
    403: "Not allowed (a role, a verification, the CSRF token)",
    404: "No such object",
    409: "Clashes with the current state",
    413: "The request body is over its cap",
    422: "The request does not fit the operation's schema",
    429: "Too many attempts: wait (Retry-After)",
}

api = HamkkeApi(
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
    """ninja's own refusals (403 for a missing CSRF cookie, say), with a code like the others."""
    code = CODES.get(exc.status_code, "error")
    return api.create_response(request, {"detail": str(exc), "code": code}, status=exc.status_code)


for mount in api_mounts():
    api.add_router(mount.prefix, resolve(mount.router))
