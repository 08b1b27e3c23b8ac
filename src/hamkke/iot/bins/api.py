"""The smart bins' API (/api/v1/iot/bins).

Public: `GET /bins` (every bin with its latest fill level, its threshold and whether it is due;
filters `district`, `due`, `min_level`, `max_level`), `GET /bins.geojson` (the same as points,
for the map), `GET /due` (the next collection's bins). The officials' desk (session sign-in,
CSRF on writes, the role and the second factor by official_api, then the sensors' keeping
department asked of bins.policies): `GET/POST /trucks`, `GET/PUT/DELETE /trucks/{id}`,
`GET /plans/{day}` (routes with ordered stops, left-overs with why, progress) and
`POST /plans/{day}` (make the day's plan, again while none of it is collected). Refusals are
JSON {detail, code[, field]}: 400 a value refused (naming its field), 403, 404, 409 a truck with
routes or a plan under way, 422 a body or parameter of the wrong shape."""

# No `from __future__ import annotations`: ninja reads the endpoints' annotations through the
# official_api decorator, which only works with real (not string) annotations.

from datetime import date

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from hamkke.accounts.models import Role
from hamkke.accounts.permissions import official_api
from hamkke.core.city.selectors import current_city
from hamkke.core.errors import InvalidInput, NotFound
from hamkke.core.web.api import SessionWithCsrf
from hamkke.iot.bins import policies, selectors, services
from hamkke.iot.bins.schemas import BinOut, BinQuery, PlanIn, PlanOut, TruckIn, TruckOut

router = Router(tags=["iot bins"])
DESK = SessionWithCsrf()


def _filters(query: BinQuery) -> selectors.BinFilters:
    city = current_city()
    if query.district and not city.districts.filter(code=query.district).exists():
        raise InvalidInput(_("Choose one of the city's districts."), field="district")
    if None not in (query.min_level, query.max_level) and query.min_level > query.max_level:
        raise InvalidInput(_("min_level is above max_level."), field="min_level")
    return selectors.BinFilters(
        district=query.district,
        due=query.due,
        min_level=query.min_level,
        max_level=query.max_level,
    )


@router.get("/bins", response=list[BinOut], summary="Bins with their fill levels")
def list_bins(request: HttpRequest, query: Query[BinQuery]):
    """Fullest first; `level` is null for a bin never read."""
    rows = selectors.bin_levels(current_city(), _filters(query))
    return [selectors.bin_document(row) for row in rows]


@router.get("/bins.geojson", summary="Bins with their fill levels, as GeoJSON points")
def bins_geojson(request: HttpRequest, query: Query[BinQuery]):
    rows = selectors.bin_levels(current_city(), _filters(query))
    features = []
    for row in rows:
        document = selectors.bin_document(row)
        document["observed_at"] = row.observed_at.isoformat() if row.observed_at else None
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [row.asset.longitude, row.asset.latitude],
                },
                "properties": {**document, "title": row.asset.name or row.asset.ref},
            }
        )
    return JsonResponse(
        {"type": "FeatureCollection", "features": features},
        content_type="application/geo+json",
    )


@router.get("/due", response=list[BinOut], summary="The bins due for the next collection")
def list_due(request: HttpRequest):
    return [selectors.bin_document(row) for row in selectors.due_bins(current_city())]


# --- the desk: trucks and plans ---------------------------------------------------------------


def _viewing(request: HttpRequest) -> None:
    policies.may_view_desk(selectors.desk_seat(request.actor), request.actor).enforce()


def _planning(request: HttpRequest) -> None:
    policies.may_plan(selectors.desk_seat(request.actor), request.actor).enforce()


def _truck(truck_id: int):
    truck = selectors.truck_or_none(current_city(), truck_id)
    if truck is None:
        raise NotFound(_("There is no such truck."), code="not_found")
    return truck


@router.get("/trucks", response=list[TruckOut], auth=DESK, summary="The collection trucks")
@official_api(role=Role.VIEWER)
def list_trucks(request: HttpRequest):
    _viewing(request)
    return [selectors.truck_document(truck) for truck in selectors.trucks(current_city())]


@router.post("/trucks", response={201: TruckOut}, auth=DESK, summary="Add a truck")
@official_api(role=Role.HANDLER)
def add_truck(request: HttpRequest, payload: TruckIn):
    """400 naming the field: a point outside the city, an unknown district; 409 a name taken."""
    _planning(request)
    truck = services.save_truck(actor=request.actor, **payload.dict())
    return Status(201, selectors.truck_document(_truck(truck.pk)))


@router.get("/trucks/{truck_id}", response=TruckOut, auth=DESK, summary="A truck")
@official_api(role=Role.VIEWER)
def get_truck(request: HttpRequest, truck_id: int):
    _viewing(request)
    return selectors.truck_document(_truck(truck_id))


@router.put("/trucks/{truck_id}", response=TruckOut, auth=DESK, summary="Change a truck")
@official_api(role=Role.HANDLER)
def put_truck(request: HttpRequest, truck_id: int, payload: TruckIn):
    _planning(request)
    truck = services.save_truck(actor=request.actor, truck=_truck(truck_id), **payload.dict())
    return selectors.truck_document(_truck(truck.pk))


@router.delete("/trucks/{truck_id}", response={204: None}, auth=DESK, summary="Delete a truck")
@official_api(role=Role.HANDLER)
def delete_truck(request: HttpRequest, truck_id: int):
    """409 for a truck that has driven routes: make it inactive instead."""
    _planning(request)
    services.delete_truck(actor=request.actor, truck=_truck(truck_id))
    return Status(204, None)


@router.get("/plans/{day}", response=PlanOut, auth=DESK, summary="A day's collection plan")
@official_api(role=Role.VIEWER)
def get_plan(request: HttpRequest, day: date):
    _viewing(request)
    plan = selectors.plan_of(current_city(), day)
    if plan is None:
        raise NotFound(_("There is no collection plan for this day."), code="not_found")
    return selectors.plan_document(plan)


@router.post(
    "/plans/{day}", response={201: PlanOut}, auth=DESK, summary="Make a day's collection plan"
)
@official_api(role=Role.HANDLER)
def make_plan(request: HttpRequest, day: date, payload: PlanIn | None = None):
    """The bins due now routed to the active trucks; a plan the day has is made again, unless
    a bin of it was collected (409 `plan_started`)."""
    _planning(request)
    seconds = payload.seconds if payload is not None else None
    services.make_plan(day=day, actor=request.actor, seconds=seconds)
    return Status(201, selectors.plan_document(selectors.plan_of(current_city(), day)))
