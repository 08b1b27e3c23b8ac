"""OParl 1.1 at /oparl/v1/: an adapter over the meetings' selectors, as council information
tools expect it. The entry point is the System (/oparl/v1/system); the city is the one Body;
lists are paged ({data, pagination, links}) and take the spec's filters (created_since,
created_until, modified_since, modified_until, limit, omit_internal). Every answer carries
`Access-Control-Allow-Origin: *`; every error, the site's own 404 and 405 included, is the
spec's error object with its HTTP status. A closed meeting, and a paper or file the public may
not read, is not found here."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import wraps

from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from hamkke.core.city.selectors import current_city
from hamkke.core.errors import DomainError, InvalidInput, NotFound
from hamkke.core.models import City
from hamkke.core.web.bounds import MOMENTS_TEXT, moment_in_range, whole_number
from hamkke.core.web.hostile import answers_errors_with
from hamkke.plaza import files
from hamkke.plaza import selectors as document_selectors
from hamkke.plaza import services as document_services
from hamkke.plaza.meetings import oparl, selectors
from hamkke.plaza.meetings.oparl import Addresses
from hamkke.plaza.models import Attachment, Committee

ERROR_TYPE = "https://schema.oparl.org/1.1/Error"
PER_PAGE = 50
MAX_PER_PAGE = 100
FILTERS = {
    "created_since": ("created_at", "gte"),
    "created_until": ("created_at", "lte"),
    "modified_since": ("updated_at", "gte"),
    "modified_until": ("updated_at", "lte"),
}
ALLOWED = ("GET", "HEAD")


# --- answers -----------------------------------------------------------------------------------


def _json(body: dict, status: int = 200) -> HttpResponse:
    response = JsonResponse(
        body, status=status, json_dumps_params={"ensure_ascii": False, "indent": None}
    )
    response["Content-Type"] = "application/json; charset=utf-8"
    response["Access-Control-Allow-Origin"] = "*"
    return response


def render_error(request: HttpRequest, status: int, message: str) -> HttpResponse:
    """The spec's error object (type, message, debug) with the HTTP status."""
    response = _json(
        {"type": ERROR_TYPE, "message": message, "debug": f"{request.method} {request.path}"},
        status=status,
    )
    if status == 405:
        response["Allow"] = ", ".join(ALLOWED)
    return response


def oparl_view(view: Callable) -> Callable:
    """GET and HEAD only; the view returns an object (answered as JSON) or a response (a file);
    a domain error is answered as the spec's error object."""

    @answers_errors_with(render_error)
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method not in ALLOWED:
            return render_error(request, 405, _("Only GET is answered here."))
        try:
            answer = view(request, Addresses(request), *args, **kwargs)
        except DomainError as exc:
            status = exc.status if 400 <= exc.status < 500 else 400
            return render_error(request, status, exc.message)
        return answer if isinstance(answer, HttpResponseBase) else _json(answer)

    return wrapper


@answers_errors_with(render_error)
def unknown(request: HttpRequest, path: str) -> HttpResponse:
    return render_error(request, 404, _("There is no OParl object at this address."))


# --- lists -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListParams:
    page: int
    limit: int
    filters: dict[str, datetime]
    omit_internal: bool

    def apply(self, rows: QuerySet) -> QuerySet:
        for name, value in self.filters.items():
            field, lookup = FILTERS[name]
            rows = rows.filter(**{f"{field}__{lookup}": value})
        return rows


def _count(request: HttpRequest, name: str, default: int) -> int:
    raw = request.GET.get(name)
    if raw is None or raw == "":
        return default
    number = whole_number(raw)
    if number is None or number < 1:
        raise InvalidInput(
            _("%(name)s must be a whole number from 1, in digits 0-9.") % {"name": name},
            field=name,
        )
    return number


def _moment(request: HttpRequest, name: str) -> datetime | None:
    raw = request.GET.get(name)
    if not raw:
        return None
    # A "+" left unencoded in a query string arrives as a space.
    text = raw.strip().replace(" ", "+")
    try:
        value = parse_datetime(text)
    except ValueError:
        value = None
    if value is None or value.tzinfo is None or not moment_in_range(value):
        raise InvalidInput(
            _(
                "%(name)s must be a date-time with its offset (2026-11-01T00:00:00+09:00) "
                "between %(range)s."
            )
            % {"name": name, "range": MOMENTS_TEXT},
            field=name,
        )
    return value


def list_params(request: HttpRequest) -> ListParams:
    omit = request.GET.get("omit_internal", "")
    if omit not in ("", "true", "false"):
        raise InvalidInput(_("omit_internal is true or false."), field="omit_internal")
    filters = {name: value for name in FILTERS if (value := _moment(request, name)) is not None}
    return ListParams(
        page=_count(request, "page", 1),
        limit=min(_count(request, "limit", PER_PAGE), MAX_PER_PAGE),
        filters=filters,
        omit_internal=omit == "true",
    )


def _page_address(request: HttpRequest, page: int) -> str:
    """This list's address at another page, with the client's filters kept."""
    query = request.GET.copy()
    query["page"] = str(page)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def paged(
    request: HttpRequest, rows: QuerySet | list, params: ListParams, shape: Callable[[list], list]
) -> dict:
    """One page of a list in the spec's shape; a page past the last holds no data. `shape`
    turns the page's rows into OParl objects."""
    total = len(rows) if isinstance(rows, list) else rows.count()
    pages = max(1, math.ceil(total / params.limit))
    start = (params.page - 1) * params.limit
    found = list(rows[start : start + params.limit]) if params.page <= pages else []
    links = {
        "first": _page_address(request, 1),
        "self": _page_address(request, params.page),
        "last": _page_address(request, pages),
    }
    if 1 < params.page <= pages + 1:
        links["prev"] = _page_address(request, params.page - 1)
    if params.page < pages:
        links["next"] = _page_address(request, params.page + 1)
    return {
        "data": shape(found),
        "pagination": {
            "totalElements": total,
            "elementsPerPage": params.limit,
            "currentPage": params.page,
            "totalPages": pages,
        },
        "links": links,
    }


def _city(slug: str) -> City:
    city = current_city()
    if slug != city.slug:
        raise NotFound(_("This system serves one body: %(slug)s.") % {"slug": city.slug})
    return city


def _meetings(request: HttpRequest, links: Addresses, meetings: QuerySet) -> dict:
    params = list_params(request)
    rows = selectors.with_parts(params.apply(meetings)).order_by("id")

    def shape(found: list) -> list:
        return [
            oparl.meeting(links, shown, omit_internal=params.omit_internal)
            for shown in selectors.meeting_pages(found, public=True)
        ]

    return paged(request, rows, params, shape)


# --- the endpoints -----------------------------------------------------------------------------


@oparl_view
def system(request: HttpRequest, links: Addresses) -> dict:
    return oparl.system(links, current_city())


@oparl_view
def bodies(request: HttpRequest, links: Addresses) -> dict:
    params = list_params(request)
    city = current_city()
    return paged(request, [city], params, lambda found: [oparl.body(links, c) for c in found])


@oparl_view
def body(request: HttpRequest, links: Addresses, slug: str) -> dict:
    return oparl.body(links, _city(slug))


@oparl_view
def organizations(request: HttpRequest, links: Addresses, slug: str) -> dict:
    city = _city(slug)
    params = list_params(request)
    rows = params.apply(Committee.objects.filter(city=city)).order_by("id")
    return paged(
        request, rows, params, lambda found: [oparl.organization(links, c, city) for c in found]
    )


@oparl_view
def organization(request: HttpRequest, links: Addresses, pk: int) -> dict:
    return oparl.organization(links, selectors.committee(pk), current_city())


@oparl_view
def organization_meetings(request: HttpRequest, links: Addresses, pk: int) -> dict:
    committee = selectors.committee(pk)
    return _meetings(request, links, selectors.public_meetings().filter(committee=committee))


@oparl_view
def meetings(request: HttpRequest, links: Addresses, slug: str) -> dict:
    _city(slug)
    return _meetings(request, links, selectors.public_meetings())


@oparl_view
def meeting(request: HttpRequest, links: Addresses, pk: int) -> dict:
    return oparl.meeting(links, selectors.public_meeting(pk))


@oparl_view
def agenda_item(request: HttpRequest, links: Addresses, pk: int) -> dict:
    row = selectors.public_agenda_item(pk)
    return oparl.agenda_item(links, row.item, row.paper, meeting=row.item.meeting)


@oparl_view
def location(request: HttpRequest, links: Addresses, pk: int) -> dict:
    shown = selectors.public_meeting(pk)
    if not shown.meeting.place:
        raise NotFound(_("This meeting names no place."))
    return oparl.location(links, shown.meeting)


@oparl_view
def papers(request: HttpRequest, links: Addresses, slug: str) -> dict:
    city = _city(slug)
    params = list_params(request)
    rows = params.apply(selectors.public_papers()).prefetch_related("attachments").order_by("id")
    return paged(request, rows, params, lambda found: [oparl.paper(links, d, city) for d in found])


@oparl_view
def paper(request: HttpRequest, links: Addresses, pk: int) -> dict:
    return oparl.paper(links, selectors.public_paper(pk), current_city())


@oparl_view
def people(request: HttpRequest, links: Addresses, slug: str) -> dict:
    """Attendees are listed by the office they hold, not as persons: the list is empty."""
    _city(slug)
    return paged(request, [], list_params(request), lambda found: [])


def _public_attachment(pk: int) -> Attachment:
    if not 0 < pk <= selectors.MAX_ID:
        raise NotFound(_("There is no public file here."))
    return document_selectors.public_attachment(pk)


@oparl_view
def file(request: HttpRequest, links: Addresses, pk: int) -> dict:
    attachment = _public_attachment(pk)
    is_paper = selectors.public_papers().filter(pk=attachment.document_id).exists()
    return oparl.file(links, attachment, paper_ids={attachment.document_id} if is_paper else set())


def _file_response(attachment: Attachment, *, download: bool) -> FileResponse:
    return files.stored_file_response(attachment, download=download)


@oparl_view
def file_access(request: HttpRequest, links: Addresses, pk: int) -> HttpResponse:
    """The file itself, to be shown in the browser (no Content-Disposition: attachment)."""
    return _file_response(_public_attachment(pk), download=False)


@oparl_view
def file_download(request: HttpRequest, links: Addresses, pk: int) -> HttpResponse:
    """The file to save, named by its original name; counted as a download."""
    attachment = _public_attachment(pk)
    response = _file_response(attachment, download=True)
    if request.method == "GET":
        document_services.record_download(attachment)
    return response
