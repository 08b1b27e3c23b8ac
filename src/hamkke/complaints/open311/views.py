"""Open311 GeoReport v2 at /open311/v2/: an adapter over the complaints services and selectors,
as FixMyStreet keeps its Open311 layer apart from its reporting model.

Default output follows the specification exactly; Hamkke's additions appear only when asked
for (page/page_size, extensions=true, media[] uploads, servicerequestupdates)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from hamkke.complaints import filing, selectors, services
from hamkke.complaints.models import ApiClient, Channel, Complaint
from hamkke.complaints.open311 import formats, params
from hamkke.complaints.open311.params import Open311Error
from hamkke.complaints.open311.representation import (
    request_out,
    service_definition_out,
    service_out,
    update_out,
)
from hamkke.core import idempotency, ratelimit
from hamkke.core.actors import Actor
from hamkke.core.city.selectors import current_city
from hamkke.core.errors import DomainError, InvalidInput
from hamkke.core.web.hostile import answers_errors_with, checks_its_own_body, content_length

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When this endpoint's behaviour last changed, as discovery reports it.
CHANGESET = "2026-11-26T00:00:00+09:00"


def open311(methods: tuple[str, ...] = ("GET",)):
    """Checks the format and the jurisdiction and turns errors into Open311 errors. HEAD is
    answered wherever GET is; a POST's api_key in the query string is checked before its body
    is read. The site's own errors on these paths (413, 500) answer in the same format."""
    allowed = (*methods, "HEAD") if "GET" in methods else methods

    def decorate(view: Callable) -> Callable:
        @answers_errors_with(formats.error_for_request)
        @checks_its_own_body  # the api_key first, then the body and its NUL characters
        @wraps(view)
        @csrf_exempt  # apps authenticate with api_key, not with a session cookie
        def wrapper(request: HttpRequest, *args, fmt: str, **kwargs) -> HttpResponse:
            if fmt not in formats.CONTENT_TYPES:
                return formats.render_error("json", 404, f"unknown format {fmt!r}: use json or xml")
            try:
                if request.method not in allowed:
                    response = formats.render_error(
                        fmt, 405, f"method {request.method} is not allowed here"
                    )
                    response["Allow"] = ", ".join(allowed)
                    return response
                if request.method == "POST":
                    _key_before_body(request)
                data = params.merged(request)
                city = current_city()
                jurisdiction = params.text(data, "jurisdiction_id")
                expected = city.profile["city"]["open311_jurisdiction"]
                if jurisdiction is not None and jurisdiction not in (expected, city.slug):
                    raise Open311Error(404, f"jurisdiction_id {jurisdiction!r} not found")
                response = view(request, *args, fmt=fmt, data=data, city=city, **kwargs)
            except Open311Error as exc:
                response = formats.render_error(fmt, exc.status, exc.description)
            except DomainError as exc:
                status = exc.status if exc.status in (400, 403, 404, 409, 413, 429) else 400
                response = formats.render_error(fmt, status, exc.message)
            return _headers_only(response) if request.method == "HEAD" else response

        return wrapper

    return decorate


def _headers_only(response: HttpResponse) -> HttpResponse:
    """HEAD: the GET's status and headers, its length included, and no body."""
    response["Content-Length"] = str(len(response.content))
    response.content = b""
    return response


def _key_before_body(request: HttpRequest) -> None:
    """An api_key in the query string is checked before the body is read (403 when wrong), so a
    caller without a valid key cannot make the city read a large body. A key sent in the body
    is checked after it, so such a body may only be as large as a form of text fields."""
    key = params.text(request.GET, "api_key")
    if key is not None:
        _api_client(request.GET)
        return
    cap = settings.HAMKKE_OPEN311_KEYLESS_BODY_BYTES
    if content_length(request) > cap:
        raise Open311Error(
            413,
            f"a request body over {cap} bytes (with photos, say) needs api_key in the query "
            "string, where it is checked before the body is read",
        )


@answers_errors_with(formats.error_for_request)
@csrf_exempt
def unknown_path(request: HttpRequest, path: str) -> HttpResponse:
    """Any other path under /open311/v2/: a 404 in the error format of its suffix."""
    return formats.error_for_request(request, 404, f"no such Open311 resource: {path!r}")


@open311()
def discovery(request, *, fmt, data, city):
    base = request.build_absolute_uri("/open311/v2/").rstrip("/")
    return formats.render(
        fmt,
        "discovery",
        {
            "changeset": CHANGESET,
            "contact": f"{city.name_en or city.name}: {settings.DEFAULT_FROM_EMAIL}",
            "key_service": request.build_absolute_uri("/admin/complaints/apiclient/"),
            "endpoints": [
                {
                    "specification": SPECIFICATION,
                    "url": base,
                    "changeset": CHANGESET,
                    "type": "production",
                    "formats": ["text/xml", "application/json"],
                }
            ],
        },
    )


@open311()
def services_list(request, *, fmt, data, city):
    return formats.render(
        fmt, "services", [service_out(c) for c in selectors.active_categories(city)]
    )


@open311()
def service_definition(request, code: str, *, fmt, data, city):
    try:
        category = selectors.category_by_code(city, code)
    except DomainError as exc:
        raise Open311Error(404, f"service_code {code!r} not found") from exc
    return formats.render(fmt, "service_definition", service_definition_out(category))


@open311(methods=("GET", "POST"))
def requests_collection(request, *, fmt, data, city):
    if request.method == "POST":
        return _create_request(request, fmt=fmt, data=data, city=city)
    now = timezone.now()
    extensions = params.text(data, "extensions") == "true"
    ids = params.comma_list(data, "service_request_id")
    complaints = selectors.open311_requests(
        city,
        ids=ids,
        service_codes=params.comma_list(data, "service_code"),
        statuses=_statuses(data),
        window=None if ids else params.window(data, now=now),
    )
    complaints = _page(complaints, data)
    return _render_requests(request, fmt, complaints, extensions=extensions)


@open311()
def request_detail(request, request_id: str, *, fmt, data, city):
    complaints = selectors.open311_requests(city, ids=(request_id,))
    if not complaints:
        raise Open311Error(404, f"service_request_id {request_id!r} not found")
    extensions = params.text(data, "extensions") == "true"
    return _render_requests(request, fmt, complaints, extensions=extensions)


@open311()
def token_detail(request, token: str, *, fmt, data, city):
    complaint = selectors.complaint_by_token(city, token)
    if complaint is None:
        raise Open311Error(404, f"token {token!r} not found")
    return formats.render(
        fmt,
        "service_requests",
        [{"service_request_id": complaint.tracking_number, "token": complaint.token}],
    )


@open311()
def request_updates(request, *, fmt, data, city):
    """FixMyStreet's extension: status changes since a time, so another system can follow."""
    start, end = params.window(data, now=timezone.now())
    events = selectors.open311_updates(city, start=start, end=end)
    events = _page(events, data)
    return formats.render(fmt, "service_request_updates", [update_out(e) for e in events])


def _statuses(data) -> tuple[str, ...]:
    statuses = tuple(s.lower() for s in params.comma_list(data, "status"))
    unknown = [s for s in statuses if s not in ("open", "closed")]
    if unknown:
        raise Open311Error(400, f"status must be open or closed, not {unknown[0]!r}")
    return statuses


def _page(items, data):
    """Without page/page_size: the specification's first 1,000. With them: that page."""
    if params.text(data, "page") is None and params.text(data, "page_size") is None:
        return list(items[: params.DEFAULT_LIMIT])
    size = params.positive_int(data, "page_size", default=100, maximum=params.DEFAULT_LIMIT)
    page = params.positive_int(data, "page", default=1, maximum=10**6)
    return list(items[(page - 1) * size : page * size])


def _render_requests(request, fmt, complaints, *, extensions: bool) -> HttpResponse:
    photos = selectors.first_photos(complaints)
    notes = selectors.public_notes(complaints) if extensions else {}
    body = [
        request_out(
            c,
            photo_url=_absolute(request, photos.get(c.pk)),
            extensions=extensions,
            notes=notes.get(c.pk, []),
        )
        for c in complaints
    ]
    return formats.render(fmt, "service_requests", body)


def _absolute(request, url: str | None) -> str | None:
    if not url:
        return None
    return url if url.startswith("http") else request.build_absolute_uri(url)


def _create_request(request, *, fmt, data, city) -> HttpResponse:
    client = _api_client(data)
    if _too_many(request, client):
        raise Open311Error(429, "too many requests: wait a minute before filing more")
    # Hamkke's extension: a retried POST with the same key files once (core/idempotency.py);
    # the key is the Idempotency-Key header or, for clients that cannot set one, this field.
    return idempotency.respond_once(
        request,
        scope="open311.requests",
        client=f"api_client:{client.pk}",
        key=idempotency.key_of(request, form=data, field="idempotency_key"),
        respond=lambda: _file_request(request, fmt=fmt, data=data, city=city, client=client),
    )


def _file_request(request, *, fmt, data, city, client: ApiClient) -> HttpResponse:
    code = params.text(data, "service_code") or ""
    lat, lon = params.number(data, "lat"), params.number(data, "long")
    names = " ".join(
        filter(None, (params.text(data, "first_name"), params.text(data, "last_name")))
    )
    try:
        complaint = filing.file_report(
            # An app files through its key: a browser session that happens to be signed in is
            # not the reporter, only the address is the caller's.
            actor=Actor(user=None, address=request.actor.address),
            category=code,
            latitude=lat,
            longitude=lon,
            address=params.text(data, "address_string") or "",
            description=params.text(data, "description") or "",
            answers=params.attributes(data),
            photos=request.FILES.getlist("media[]") or request.FILES.getlist("media"),
            contact=services.Contact(
                name=names,
                email=params.text(data, "email") or "",
                phone=params.text(data, "phone") or "",
            ),
            channel=Channel.OPEN311,
            api_client=client,
            device_id=params.text(data, "device_id") or "",
            external_media_url=params.text(data, "media_url") or "",
            city=city,
        )
    except services.RepeatedReport as repeat:
        # The same device, text and point a moment ago: the app retried; answer the first.
        return _filed(fmt, repeat.original, notice=_REPEATED_NOTICE, status=200)
    except InvalidInput as exc:
        located = lat is not None and lon is not None
        worded = _in_open311_terms(exc, data, code=code, located=located)
        if worded is None:
            raise
        raise worded from exc
    return _filed(fmt, complaint, notice=_notice(complaint), status=201)


_REPEATED_NOTICE = "Already received from this device a moment ago; not filed again."


def _filed(fmt, complaint: Complaint, *, notice: str, status: int) -> HttpResponse:
    return formats.render(
        fmt,
        "service_requests",
        [
            {
                "service_request_id": complaint.tracking_number,
                "service_notice": notice,
                "account_id": None,
            }
        ],
        status=status,
    )


def _in_open311_terms(exc: InvalidInput, data, *, code: str, located: bool) -> Open311Error | None:
    """The filing step's refusals of a missing or unknown service and of a missing point, in
    the words of Open311's parameters (service_code, lat and long); None for the others (a
    point outside the city, say), answered as they are."""
    if exc.field == "category":
        if not code:
            return Open311Error(400, "service_code is required")
        # GeoReport v2's errors table: 404 for a service_code that is not found.
        return Open311Error(404, f"service_code {code!r} not found")
    if exc.field == "location" and not located:
        if params.text(data, "address_string") or params.text(data, "address_id"):
            return Open311Error(
                400, "lat and long are required: this endpoint locates requests by coordinates"
            )
        return Open311Error(400, "a location is required: lat and long")
    return None


def _notice(complaint: Complaint) -> str:
    expected = timezone.localtime(complaint.expected_at).strftime("%Y-%m-%d")
    department = complaint.department.name_en or complaint.department.name
    return f"Sent to {department}; expected by {expected}."


def _api_client(data) -> ApiClient:
    key = params.text(data, "api_key")
    if key is None:
        raise Open311Error(403, "api_key is required to file a request")
    client = selectors.api_client_by_key(key)
    if client is None:
        raise Open311Error(403, "api_key is not valid")
    return client


POST_BY_ADDRESS = ratelimit.Limit(
    "open311-post", per_address=lambda: settings.HAMKKE_OPEN311_IP_RATE
)


def _too_many(request, client: ApiClient) -> bool:
    """Per app and per address, so one busy app cannot starve the others."""
    per_app = ratelimit.attempt_by(
        group="open311-post-app", key=str(client.pk), rate=settings.HAMKKE_OPEN311_APP_RATE
    )
    return ratelimit.exceeded(request, POST_BY_ADDRESS) or per_app > 0
