"""Reads of the smart bins: every bin with its latest fill level, its threshold and whether it
is due for collection; the trucks; a day's plan with its routes, stops and left-overs."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Prefetch, Q
from django.utils.translation import gettext as _

from hamkke.accounts.seats import Seat, seat_at
from hamkke.core.actors import Actor
from hamkke.core.city.selectors import current_city
from hamkke.core.errors import NotAllowed
from hamkke.core.models import City, District
from hamkke.iot.bins.models import CollectionPlan, LeftOverReason, Route, Stop, Truck
from hamkke.iot.models import Asset, AssetKind
from hamkke.iot.services import iot_settings, keeper_of


@dataclass(frozen=True)
class BinLevel:
    """A bin as the map and the table show it. `level` is None before its first reading."""

    asset: Asset
    level: float | None
    observed_at: datetime | None
    threshold: float
    litres: int

    @property
    def due(self) -> bool:
        return self.level is not None and self.level >= self.threshold

    @property
    def load_litres(self) -> int:
        """What emptying it puts on a truck."""
        return max(1, math.ceil((self.level or 0) * self.litres - 1e-9))

    @property
    def district(self) -> District | None:
        return self.asset.district


@dataclass(frozen=True)
class BinFilters:
    district: str = ""
    due: bool | None = None
    min_level: float | None = None
    max_level: float | None = None


def _level(attributes: dict) -> float | None:
    value = attributes.get("fillingLevel")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def bin_levels(city: City, filters: BinFilters = BinFilters()) -> list[BinLevel]:
    """The city's bins with their levels, fullest first (those never read last)."""
    section = iot_settings(city)
    assets = (
        Asset.objects.filter(city=city, kind=AssetKind.WASTE_CONTAINER)
        .select_related("state", "bin_setting", "district")
        .order_by("ref")
    )
    if filters.district:
        assets = assets.filter(district__code=filters.district)
    found = []
    for asset in assets:
        state = getattr(asset, "state", None)
        setting = getattr(asset, "bin_setting", None)
        row = BinLevel(
            asset=asset,
            level=_level(state.attributes) if state is not None else None,
            observed_at=state.observed_at if state is not None else None,
            threshold=(setting.threshold if setting and setting.threshold else None)
            or section.bin_threshold,
            litres=(setting.litres if setting and setting.litres else None) or section.bin_litres,
        )
        if filters.due is not None and row.due != filters.due:
            continue
        if filters.min_level is not None and (row.level is None or row.level < filters.min_level):
            continue
        if filters.max_level is not None and (row.level is None or row.level > filters.max_level):
            continue
        found.append(row)
    found.sort(key=lambda row: (row.level is None, -(row.level or 0), row.asset.ref))
    return found


def due_bins(city: City) -> list[BinLevel]:
    """The bins at or over their threshold: the next collection's."""
    return bin_levels(city, BinFilters(due=True))


def trucks(city: City, *, active: bool | None = None):
    rows = Truck.objects.filter(city=city).select_related("district").prefetch_related("districts")
    return rows if active is None else rows.filter(active=active)


def truck_or_none(city: City, truck_id: int) -> Truck | None:
    if not 0 < truck_id < 2**63:
        return None
    return trucks(city).filter(pk=truck_id).first()


def plan_of(city: City, day: date) -> CollectionPlan | None:
    """The day's plan with its routes (trucks, stops in order with their bins) and left-overs."""
    stops = Stop.objects.select_related("asset", "asset__district").order_by("position")
    routes = (
        Route.objects.select_related("truck")
        .prefetch_related(Prefetch("stops", queryset=stops))
        .annotate(
            collected=Count("stops", filter=Q(stops__collected_at__isnull=False)),
            stop_count=Count("stops"),
        )
        .order_by("number")
    )
    return (
        CollectionPlan.objects.filter(city=city, day=day)
        .prefetch_related(
            Prefetch("routes", queryset=routes),
            "left_over__asset__district",
        )
        .first()
    )


def route_or_none(city: City, route_id: int) -> Route | None:
    if not 0 < route_id < 2**63:
        return None
    stops = Stop.objects.select_related("asset", "asset__district").order_by("position")
    return (
        Route.objects.filter(plan__city=city, pk=route_id)
        .select_related("plan", "truck")
        .prefetch_related(Prefetch("stops", queryset=stops))
        .first()
    )


@dataclass(frozen=True)
class Progress:
    collected: int
    stops: int

    @property
    def percent(self) -> int:
        return round(100 * self.collected / self.stops) if self.stops else 0


def progress_of(plan: CollectionPlan) -> Progress:
    """Stops collected out of all, from the routes plan_of annotated."""
    routes = list(plan.routes.all())
    return Progress(
        collected=sum(route.collected for route in routes),
        stops=sum(route.stop_count for route in routes),
    )


# --- the desk's seat and the documents the API and the pages share -------------------------------


def desk_seat(actor: Actor) -> Seat:
    """The actor's seat at the sensors' keeping department (`[iot] department`)."""
    keeper = keeper_of(current_city())
    if keeper is None:
        raise NotAllowed(
            _("No department keeps the sensors: set [iot] department in the profile."),
            code="no_department",
        )
    return seat_at(actor, keeper)


def bin_document(row: BinLevel) -> dict:
    asset = row.asset
    return {
        "id": asset.pk,
        "ref": asset.ref,
        "name": asset.name,
        "entity": asset.entity_id,
        "latitude": asset.latitude,
        "longitude": asset.longitude,
        "district": asset.district.code if asset.district else "",
        "level": row.level,
        "observed_at": row.observed_at,
        "threshold": row.threshold,
        "litres": row.litres,
        "due": row.due,
    }


def truck_document(truck: Truck) -> dict:
    return {
        "id": truck.pk,
        "name": truck.name,
        "capacity_litres": truck.capacity_litres,
        "latitude": truck.latitude,
        "longitude": truck.longitude,
        "districts": sorted(d.code for d in truck.districts.all()),
        "active": truck.active,
    }


def stop_document(stop: Stop) -> dict:
    return {
        "position": stop.position,
        "bin": stop.asset_id,
        "ref": stop.asset.ref,
        "name": stop.asset.name,
        "latitude": stop.asset.latitude,
        "longitude": stop.asset.longitude,
        "level": stop.level,
        "load_litres": stop.load_litres,
        "collected_at": stop.collected_at,
    }


def route_document(route: Route) -> dict:
    return {
        "id": route.pk,
        "number": route.number,
        "truck": route.truck_id,
        "truck_name": route.truck.name,
        "depot_latitude": route.depot_latitude,
        "depot_longitude": route.depot_longitude,
        "capacity_litres": route.capacity_litres,
        "load_litres": route.load_litres,
        "length_m": route.length_m,
        "stops": [stop_document(stop) for stop in route.stops.all()],
    }


def plan_document(plan: CollectionPlan) -> dict:
    """The plan as plan_of loaded it: routes with stops in order, left-overs with why."""
    progress = progress_of(plan)
    return {
        "day": plan.day,
        "made_at": plan.made_at,
        "seconds": plan.seconds,
        "length_m": plan.length_m,
        "stops": progress.stops,
        "collected": progress.collected,
        "routes": [route_document(route) for route in plan.routes.all()],
        "left_over": [
            {
                "bin": item.asset_id,
                "ref": item.asset.ref,
                "level": item.level,
                "load_litres": item.load_litres,
                "reason": item.reason,
                "why": str(LeftOverReason(item.reason).label),
            }
            for item in plan.left_over.all()
        ],
    }
