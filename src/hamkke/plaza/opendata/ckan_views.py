"""CKAN's action API at /api/3/action/<action>: each action read by GET (query parameters) or
POST (a JSON body, or form fields), as CKAN takes them, and answered in CKAN's envelope
{"help", "success", "result"} or {"help", "success": false, "error": {"__type", "message"}}.
Every action here only reads, so a harvester's POST needs no CSRF token; the site's own
errors on these paths (an unknown path, a body over its cap, a NUL character) answer in the
same envelope."""

from __future__ import annotations

import json
import logging

from django.http import HttpRequest, HttpResponse, QueryDict
from django.views.decorators.csrf import csrf_exempt

from hamkke.core.web.hostile import answers_errors_with
from hamkke.plaza.opendata import ckan

logger = logging.getLogger(__name__)

JSON_TYPE = "application/json;charset=utf-8"
METHODS = ("GET", "HEAD", "POST")


def _site(request: HttpRequest) -> ckan.Site:
    return ckan.Site(url=request.build_absolute_uri("/").rstrip("/"))


def _answer(body: dict, status: int) -> HttpResponse:
    return HttpResponse(json.dumps(body, ensure_ascii=False), status=status, content_type=JSON_TYPE)


def error_for_request(request: HttpRequest, status: int, detail: str) -> HttpResponse:
    """The site's own errors under /api/3/action/ in CKAN's envelope."""
    action = request.path.rstrip("/").rsplit("/", 1)[-1]
    kind = ckan.KINDS_BY_STATUS.get(status, "Bad Request")
    error = ckan.CkanError(status, kind, detail)
    help_url = ckan.help_url(request.build_absolute_uri("/").rstrip("/"), action)
    return _answer(ckan.envelope(help_url, error=error), status)


def _request_data(request: HttpRequest) -> dict:
    """The action's parameters: a POST's body (a JSON object, or form fields), else the query
    string; a parameter given several times is a list, as CKAN reads it."""
    if request.method == "POST" and request.body:
        if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            return _flat(request.POST)
        try:
            data = json.loads(request.body)
        except ValueError as exc:
            raise ckan.CkanError(400, "Integrity Error", f"Bad request: JSON Error: {exc}") from exc
        if not isinstance(data, dict):
            raise ckan.CkanError(
                400, "Integrity Error", "Bad request: the JSON body must be an object"
            )
        return data
    return _flat(request.GET)


def _flat(data: QueryDict) -> dict:
    return {key: values[0] if len(values) == 1 else values for key, values in data.lists()}


@answers_errors_with(error_for_request)
@csrf_exempt  # read-only actions called by harvesters, never with a session's authority
def action(request: HttpRequest, name: str) -> HttpResponse:
    site = _site(request)
    help_url = site.help_url(name)
    if request.method not in METHODS:
        response = _answer(
            ckan.envelope(
                help_url,
                error=ckan.CkanError(405, "Bad Request", f"Method {request.method} not allowed"),
            ),
            405,
        )
        response["Allow"] = ", ".join(METHODS)
        return response
    function = ckan.ACTIONS.get(name)
    if function is None:
        error = ckan.CkanError(400, "Bad Request", f"Bad request: Action name not known: {name}")
        return _answer(ckan.envelope(help_url, error=error), 400)
    try:
        data = _request_data(request)
        data.pop("callback", None)  # JSONP is not answered
        result = function(data, site)
    except ckan.CkanError as exc:
        return _answer(ckan.envelope(help_url, error=exc), exc.status)
    response = _answer(ckan.envelope(help_url, result=result), 200)
    response["Access-Control-Allow-Origin"] = "*"  # public data, read from any page
    if request.method == "HEAD":
        response["Content-Length"] = str(len(response.content))
        response.content = b""
    return response


@answers_errors_with(error_for_request)
@csrf_exempt
def unknown_path(request: HttpRequest, path: str) -> HttpResponse:
    """Anything else under /api/3/action/: 404 in CKAN's envelope."""
    return error_for_request(request, 404, f"Not found: no action at {path!r}")
