"""Every read of Places: each layer's public rows, one place, the nearest places of a layer to a
point (H3 rings widened until nothing unsearched can be nearer), routes with their stops,
events, the latest coverage and the lending figures."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet, Sum

from hamkke.core.city.selectors import current_city
from hamkke.core.geo import distance_m
from hamkke.places import nearby, policies
from hamkke.places.models import (
    PLACE_LAYERS,
    AccessPoint,
    CoverageSnapshot,
    Event,
    Layer,
    Lending,
    Place,
    Route,
    Status,
)

MAX_NEAREST = 100
MAX_RADIUS_M = 20_000


def layer_rows(layer: str) -> QuerySet:
    """The public rows of a layer (out-of-service places and access points left out)."""
    city = current_city()
    if layer in [x.value for x in PLACE_LAYERS]:
        return Place.objects.filter(city=city, layer=layer).exclude(status=Status.CLOSED)
    if layer == Layer.WIFI_APS:
        # An access point of a retired site leaves the map with its site.
        return (
            AccessPoint.objects.filter(city=city)
            .exclude(status=Status.CLOSED)
            .exclude(site__status=Status.CLOSED)
        )
    if layer == Layer.EVENTS:
        return Event.objects.filter(city=city)
    if layer == Layer.ROUTES:
        return Route.objects.filter(city=city).prefetch_related("stops")
    raise ValueError(f"unknown layer {layer!r}")


def place_by_id(place_id: int) -> Place | None:
    return Place.objects.filter(city=current_city(), pk=place_id).select_related("district").first()


def public_place(place_id: int) -> Place:
    place = place_by_id(place_id)
    policies.place_found(place).enforce()
    return place


@dataclass(frozen=True)
class Near:
    row: Any
    distance_m: float


def nearest(
    layer: str, latitude: float, longitude: float, *, n: int = 10, radius_m: float = 2_000
) -> list[Near]:
    """The `n` rows of `layer` nearest to the point within `radius_m` (straight-line walking
    distance), nearest first. Rings of H3 cells are read outward (one indexed query per ring)
    until `n` found rows are nearer than anything the unread rings could hold, or the rings
    cover the radius. Routes are found by their stops."""
    rows = layer_rows(layer)
    if layer == Layer.ROUTES:
        return _nearest_routes(rows, latitude, longitude, n=n, radius_m=radius_m)
    found: list[Near] = []
    for cells, sure_m in nearby.rings(latitude, longitude):
        for row in rows.filter(cell__in=cells):
            metres = distance_m(latitude, longitude, row.latitude, row.longitude)
            if metres <= radius_m:
                found.append(Near(row, metres))
        found.sort(key=lambda near: (near.distance_m, near.row.pk))
        if sure_m >= radius_m or (len(found) >= n and found[n - 1].distance_m <= sure_m):
            break
    return found[:n]


def _nearest_routes(rows, latitude, longitude, *, n, radius_m) -> list[Near]:
    found = []
    for route in rows:
        stops = list(route.stops.all())
        if not stops:
            continue
        metres = min(distance_m(latitude, longitude, s.latitude, s.longitude) for s in stops)
        if metres <= radius_m:
            found.append(Near(route, metres))
    found.sort(key=lambda near: (near.distance_m, near.row.pk))
    return found[:n]


def coverage_of() -> CoverageSnapshot | None:
    return CoverageSnapshot.objects.filter(city=current_city()).first()


def routes() -> list[Route]:
    return list(layer_rows(Layer.ROUTES).order_by("name"))


def route_by_id(route_id: int) -> Route | None:
    return Route.objects.filter(city=current_city(), pk=route_id).prefetch_related("stops").first()


def event_by_id(event_id: int) -> Event | None:
    return Event.objects.filter(city=current_city(), pk=event_id).select_related("district").first()


def lending_figures() -> dict[str, int]:
    """Events at which chargers were lent, chargers lent and citizens served, in all."""
    totals = Lending.objects.filter(city=current_city()).aggregate(
        events=Count("id"), chargers=Sum("chargers_lent"), citizens=Sum("citizens_served")
    )
    return {key: value or 0 for key, value in totals.items()}


def registry_counts() -> dict[str, int]:
    """Rows in service per layer (WiFi sites, access points, charger sites, chargers, …)."""
    city = current_city()
    places = dict(
        Place.objects.filter(city=city)
        .exclude(status=Status.CLOSED)
        .values("layer")
        .annotate(n=Count("id"))
        .values_list("layer", "n")
    )
    chargers = (
        Place.objects.filter(city=city, layer=Layer.CHARGERS)
        .exclude(status=Status.CLOSED)
        .aggregate(n=Sum("charger_count"))["n"]
        or 0
    )
    return {
        Layer.WIFI_SITES: places.get(Layer.WIFI_SITES, 0),
        Layer.WIFI_APS: layer_rows(Layer.WIFI_APS).count(),
        Layer.CHARGERS: places.get(Layer.CHARGERS, 0),
        # The chargers at those sites ("chargers" is the layer's own key: the sites).
        "charger_units": chargers,
        Layer.FACILITIES: places.get(Layer.FACILITIES, 0),
        Layer.EVENTS: Event.objects.filter(city=city).count(),
        Layer.ROUTES: Route.objects.filter(city=city).count(),
    }
