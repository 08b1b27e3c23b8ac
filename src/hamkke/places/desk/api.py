"""The places desk's JSON API (/api/v1/places/desk): the registries at a glance; each registry's
rows (out-of-service ones too), filtered and paged; one row by its registry number; adding or
replacing a row by its number with PUT (201 when new, 200 when replaced: a retry changes
nothing more); taking a place or an access point off the map and putting it back; the chargers
lent at city events, and recording one. Session sign-in with CSRF on writes; the role and the
second factor as on the desk pages (official_api), then the keeping department's seat asked of
the same policies, and the same services (through desk/editing.py, as the pages). Refusals are
JSON {detail, code[, field]}: 400 a value the service refuses, naming its field (`swapped`,
`outside_city` for a point); 403 another department's official; 404 an unknown number; 422 a
body that does not fit the schema (a wrong type, a number in other digits than 0-9)."""

# No `from __future__ import annotations`: ninja reads the endpoints' annotations through the
# official_api decorator, which only works with real (not string) annotations.

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.decorators import decorate_view

from hamkke.accounts.models import Role
from hamkke.accounts.permissions import official_api
from hamkke.accounts.seats import Seat
from hamkke.core import idempotency
from hamkke.core.city import selectors as city_selectors
from hamkke.core.errors import InvalidInput
from hamkke.core.web.api import SessionWithCsrf, one_page
from hamkke.places import policies
from hamkke.places import selectors as places_selectors
from hamkke.places.desk import editing, selectors
from hamkke.places.desk.schemas import (
    DeskSummaryOut,
    LendingIn,
    LendingPageOut,
    LendingRecordOut,
    PageQuery,
    PlaceLayer,
    RegistryAccessPointIn,
    RegistryAccessPointOut,
    RegistryAccessPointPageOut,
    RegistryEventIn,
    RegistryEventOut,
    RegistryEventPageOut,
    RegistryPlaceIn,
    RegistryPlaceOut,
    RegistryPlacePageOut,
    RegistryQuery,
    RegistryRouteIn,
    RegistryRouteOut,
    RegistryRoutePageOut,
)
from hamkke.places.models import Layer
from hamkke.places.models import Status as PlaceStatus

router = Router(tags=["places desk"], auth=SessionWithCsrf())

APS, EVENTS, ROUTES = Layer.WIFI_APS.value, Layer.EVENTS.value, Layer.ROUTES.value


# --- the seat and the conversions --------------------------------------------------------------


def _viewing(request: HttpRequest) -> Seat:
    """The caller's seat at the keeping department, where they must hold a role (403 else)."""
    seat = selectors.desk_seat(request.actor)
    policies.may_view_desk(seat).enforce()
    return seat


def _editing(request: HttpRequest) -> Seat:
    """A handler's seat at the keeping department (403 else), asked before any look-up."""
    seat = selectors.desk_seat(request.actor)
    policies.may_edit(seat).enforce()
    return seat


def _filters(layer: str, query: RegistryQuery) -> selectors.RegistryFilters:
    """The list's filters, a status or district that does not exist refused by name."""
    statuses = {
        EVENTS: (selectors.EVENT_CURRENT, selectors.EVENT_OVER),
        ROUTES: (),
    }.get(layer, tuple(PlaceStatus.values))
    if query.status and query.status not in statuses:
        raise InvalidInput(
            _("The status is one of: %(known)s.") % {"known": ", ".join(statuses) or "—"},
            field="status",
        )
    city = city_selectors.current_city()
    if query.district and query.district not in {d.code for d in city.districts.all()}:
        raise InvalidInput(_("Choose one of the city's districts."), field="district")
    return selectors.RegistryFilters(
        query=query.q, district=query.district, status=query.status, kind=query.kind
    )


def _page(request: HttpRequest, layer: str, query: RegistryQuery) -> dict:
    _viewing(request)
    rows = selectors.registry_rows(layer, _filters(layer, query))
    if layer == ROUTES:
        rows = rows.prefetch_related("stops")
    return one_page(rows, query.page, query.page_size)


def _read(request: HttpRequest, layer: str, ref: str):
    _viewing(request)
    return selectors.row_by_ref_or_404(layer, ref)


def _saved(request: HttpRequest, layer: str, ref: str, values: dict[str, Any], stops=None):
    """A row added or replaced by its number through the layer's service."""
    _editing(request)
    row, created = editing.save(
        actor=request.actor, layer=layer, values={**values, "ref": ref}, stops=stops
    )
    return Status(201 if created else 200, selectors.row_by_ref_or_404(layer, row.ref))


def _switched(request: HttpRequest, layer: str, ref: str, service: Callable[..., Any]):
    _editing(request)
    row = selectors.row_by_ref_or_404(layer, ref)
    service(actor=request.actor, layer=layer, row=row)
    return selectors.row_by_ref_or_404(layer, ref)


# --- at a glance -------------------------------------------------------------------------------


@router.get("/", response=DeskSummaryOut, summary="The registries at a glance")
@official_api(role=Role.VIEWER)
def summary(request: HttpRequest):
    """Rows in service per layer, the WiFi coverage as last computed, the lending totals."""
    seat = _viewing(request)
    return {
        "department": seat.department.code,
        "counts": places_selectors.registry_counts(),
        "coverage": places_selectors.coverage_of(),
        "lending": places_selectors.lending_figures(),
    }


# --- WiFi sites, charger sites, facilities ------------------------------------------------------


@router.get(
    "/places/{layer}", response=RegistryPlacePageOut, summary="A registry of places, every row"
)
@official_api(role=Role.VIEWER)
def list_places(request: HttpRequest, layer: PlaceLayer, query: Query[RegistryQuery]):
    """WiFi sites, charger sites or facilities, off-the-map ones too, by name; `q` in the name
    or number, `kind` a facility's kind or an install type, `status`, `district` (400 naming
    the parameter for one that does not exist)."""
    return _page(request, layer.value, query)


@router.get("/places/{layer}/{ref}", response=RegistryPlaceOut, summary="A place by its number")
@official_api(role=Role.VIEWER)
def get_place(request: HttpRequest, layer: PlaceLayer, ref: str):
    return _read(request, layer.value, ref)


@router.put(
    "/places/{layer}/{ref}",
    response={200: RegistryPlaceOut, 201: RegistryPlaceOut},
    summary="Add or replace a place by its number",
)
@official_api(role=Role.HANDLER)
def put_place(request: HttpRequest, layer: PlaceLayer, ref: str, payload: RegistryPlaceIn):
    """The whole row (a field left out is emptied): 201 when the number is new, 200 when its
    row is replaced. A handler of the keeping
    department. 400 naming the field: a point outside the city (`outside_city`) or with
    latitude and longitude swapped (`swapped`), a facility's kind the profile does not list,
    a charger site without chargers, hours that cannot be read, an address not https."""
    values = payload.dict()
    values["url"] = values.pop("website")
    return _saved(request, layer.value, ref, values)


@router.post(
    "/places/{layer}/{ref}/retire", response=RegistryPlaceOut, summary="Take a place off the map"
)
@official_api(role=Role.HANDLER)
def retire_place(request: HttpRequest, layer: PlaceLayer, ref: str):
    """Out of service (`closed`): off the public map and its API, kept in the registry."""
    return _switched(request, layer.value, ref, editing.take_off_map)


@router.post(
    "/places/{layer}/{ref}/reinstate",
    response=RegistryPlaceOut,
    summary="Put a place back in service",
)
@official_api(role=Role.HANDLER)
def reinstate_place(request: HttpRequest, layer: PlaceLayer, ref: str):
    """In service (`active`) again, on the public map."""
    return _switched(request, layer.value, ref, editing.put_back)


# --- access points -----------------------------------------------------------------------------


@router.get(
    "/wifi-aps", response=RegistryAccessPointPageOut, summary="WiFi access points, every one"
)
@official_api(role=Role.VIEWER)
def list_access_points(request: HttpRequest, query: Query[RegistryQuery]):
    """By their site's name; `q` in the number, SSID or the site's name or number; `kind` an
    install type; `status`; `district`."""
    return _page(request, APS, query)


@router.get("/wifi-aps/{ref}", response=RegistryAccessPointOut, summary="An access point")
@official_api(role=Role.VIEWER)
def get_access_point(request: HttpRequest, ref: str):
    return _read(request, APS, ref)


@router.put(
    "/wifi-aps/{ref}",
    response={200: RegistryAccessPointOut, 201: RegistryAccessPointOut},
    summary="Add or replace an access point by its number",
)
@official_api(role=Role.HANDLER)
def put_access_point(request: HttpRequest, ref: str, payload: RegistryAccessPointIn):
    """The whole row: 201 when new, 200 when replaced. Its site by its registry number (400
    `site_ref` for none); its point the site's when both coordinates are null."""
    return _saved(request, APS, ref, payload.dict())


@router.post(
    "/wifi-aps/{ref}/retire",
    response=RegistryAccessPointOut,
    summary="Take an access point off the map",
)
@official_api(role=Role.HANDLER)
def retire_access_point(request: HttpRequest, ref: str):
    return _switched(request, APS, ref, editing.take_off_map)


@router.post(
    "/wifi-aps/{ref}/reinstate",
    response=RegistryAccessPointOut,
    summary="Put an access point back in service",
)
@official_api(role=Role.HANDLER)
def reinstate_access_point(request: HttpRequest, ref: str):
    return _switched(request, APS, ref, editing.put_back)


# --- events and routes -------------------------------------------------------------------------


@router.get("/events", response=RegistryEventPageOut, summary="Events and workshops, every one")
@official_api(role=Role.VIEWER)
def list_events(request: HttpRequest, query: Query[RegistryQuery]):
    """Latest start first; `status` current (not over) or over; `kind`; `district`."""
    return _page(request, EVENTS, query)


@router.get("/events/{ref}", response=RegistryEventOut, summary="An event by its number")
@official_api(role=Role.VIEWER)
def get_event(request: HttpRequest, ref: str):
    return _read(request, EVENTS, ref)


@router.put(
    "/events/{ref}",
    response={200: RegistryEventOut, 201: RegistryEventOut},
    summary="Add or replace an event by its number",
)
@official_api(role=Role.HANDLER)
def put_event(request: HttpRequest, ref: str, payload: RegistryEventIn):
    """The whole row: 201 when new, 200 when replaced. 400 naming the field: a moment before
    1900 or after 2999, an end before the start, a schedule that cannot be read, a booking
    link not https."""
    values = payload.dict()
    values["languages"] = ",".join(payload.languages)
    return _saved(request, EVENTS, ref, values)


@router.get("/routes", response=RegistryRoutePageOut, summary="Visiting routes, every one")
@official_api(role=Role.VIEWER)
def list_routes(request: HttpRequest, query: Query[RegistryQuery]):
    """By name, with their stops; `district` where a route starts."""
    return _page(request, ROUTES, query)


@router.get("/routes/{ref}", response=RegistryRouteOut, summary="A route by its number")
@official_api(role=Role.VIEWER)
def get_route(request: HttpRequest, ref: str):
    return _read(request, ROUTES, ref)


@router.put(
    "/routes/{ref}",
    response={200: RegistryRouteOut, 201: RegistryRouteOut},
    summary="Add or replace a route by its number",
)
@official_api(role=Role.HANDLER)
def put_route(request: HttpRequest, ref: str, payload: RegistryRouteIn):
    """The whole route, its stops in the order walked (2 to 50): each a place in service by
    its id, or a name and a point in the city; its distance and walking time computed. 400
    `stops` naming the stop refused."""
    stops = [
        editing.StopSpec(
            name=stop.name, latitude=stop.latitude, longitude=stop.longitude, place=stop.place
        )
        for stop in payload.stops
    ]
    values = payload.dict(exclude={"stops"})
    return _saved(request, ROUTES, ref, values, stops=stops)


# --- lending -----------------------------------------------------------------------------------


@router.get("/lendings", response=LendingPageOut, summary="Chargers lent at city events")
@official_api(role=Role.VIEWER)
def list_lendings(request: HttpRequest, query: Query[PageQuery]):
    """Latest first, with the totals of every lending."""
    _viewing(request)
    found = one_page(selectors.lendings(), query.page, query.page_size)
    return {**found, "totals": places_selectors.lending_figures()}


def _recorder(request: HttpRequest) -> str:
    return f"user:{request.user.pk}"


@router.post(
    "/lendings",
    response={201: LendingRecordOut},
    summary="Record chargers lent at a city event",
    openapi_extra={"parameters": [idempotency.OPENAPI_PARAMETER]},
)
@decorate_view(idempotency.idempotent("places.desk.lending", client=_recorder))
@official_api(role=Role.HANDLER)
def record_lending(request: HttpRequest, payload: LendingIn):
    """A handler of the keeping department. 400 naming the field: a day before 1900 or after
    2999, a count out of range, a district that does not exist. Send an `Idempotency-Key` to
    retry without recording twice."""
    _editing(request)
    lending = editing.record_lending(actor=request.actor, **payload.dict())
    return Status(201, lending)
