"""Every read of Places: each layer's public rows, one place, the nearest places of a layer to a
point (H3 rings widened until nothing unsearched can be nearer), routes with their stops,
events, the latest coverage and the lending figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from hamkke.core.city import selectors as city_selectors
from hamkke.core.city.selectors import current_city
from hamkke.core.errors import InvalidInput
from hamkke.core.geo import distance_m
from hamkke.places import nearby, policies, routing
from hamkke.places.models import (
    PLACE_LAYERS,
    AccessPoint,
    CoverageSnapshot,
    Event,
    Layer,
    Lending,
    Place,
    Route,
    RouteStop,
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
    # Each ring reads only (id, latitude, longitude); the n found are loaded whole once, at the
    # end (a ring of a dense city holds hundreds of rows; building each one cost most of the time).
    found: list[tuple[float, int]] = []
    for cells, sure_m in nearby.rings(latitude, longitude):
        for pk, lat, lon in rows.filter(cell__in=cells).values_list("pk", "latitude", "longitude"):
            metres = distance_m(latitude, longitude, lat, lon)
            if metres <= radius_m:
                found.append((metres, pk))
        found.sort()
        if sure_m >= radius_m or (len(found) >= n and found[n - 1][0] <= sure_m):
            break
    chosen = found[:n]
    loaded = rows.in_bulk([pk for _metres, pk in chosen])
    return [Near(loaded[pk], metres) for metres, pk in chosen]


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
    """Rows in service per layer (WiFi sites, access points, charger sites, …) and, under
    "charger_count", the chargers at the charger sites (not "chargers": that is the layer's
    own key)."""
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


# --- the map's pages (helper map) ---


def listed(
    layer: str,
    *,
    kind: str = "",
    district: str = "",
    query: str = "",
    now: datetime | None = None,
) -> QuerySet:
    """A layer's public rows as the map page lists them, narrowed by a kind (a facility's kind,
    a WiFi install type, an event's kind), a district's code and words in the name: what each
    row's line needs read in the same query (its district, a site's access points in service,
    an access point's site, a route's stops counted). Events are those not yet over at `now`;
    a route is in the district of its first stop."""
    rows = layer_rows(layer)
    words = query.strip()
    if layer == Layer.ROUTES:
        rows = rows.prefetch_related(None).annotate(stop_count=Count("stops"))
        if district:
            rows = rows.filter(pk__in=routes_starting_in(district))
        if words:
            rows = rows.filter(Q(name__icontains=words) | Q(name_en__icontains=words))
        return rows.order_by("name", "id")
    if layer == Layer.WIFI_APS:
        rows = rows.select_related("site", "district")
        if kind:
            rows = rows.filter(install_type=kind)
        if words:
            rows = rows.filter(
                Q(site__name__icontains=words)
                | Q(site__name_en__icontains=words)
                | Q(ssid__icontains=words)
                | Q(ref__icontains=words)
            )
    elif layer == Layer.EVENTS:
        rows = rows.filter(ends_at__gte=now or timezone.now()).select_related("district")
        if kind:
            rows = rows.filter(kind=kind)
        if words:
            rows = rows.filter(
                Q(title__icontains=words) | Q(title_en__icontains=words) | Q(venue__icontains=words)
            )
    else:
        rows = _narrowed_places(rows, kind=kind, words=words)
        if layer == Layer.WIFI_SITES:
            in_service = Q(access_points__status=Status.CLOSED)
            rows = rows.annotate(access_point_count=Count("access_points", filter=~in_service))
    if district:
        rows = rows.filter(district__code=district)
    # Spelled out: a grouped query (the access points counted) drops the model's ordering.
    ordering = {
        Layer.WIFI_APS: ("site__name", "ref", "id"),
        Layer.EVENTS: ("starts_at", "id"),
    }.get(layer, ("name", "id"))
    return rows.order_by(*ordering)


def _narrowed_places(rows: QuerySet, *, kind: str, words: str) -> QuerySet:
    rows = rows.select_related("district")
    if kind:
        rows = rows.filter(kind=kind)
    if words:
        rows = rows.filter(
            Q(name__icontains=words) | Q(name_en__icontains=words) | Q(address__icontains=words)
        )
    return rows


def places_to_choose(
    *, layer: str = "", kind: str = "", district: str = "", query: str = ""
) -> QuerySet:
    """Places in service a person may add to a walk: of one place layer or all of them, of a
    facility's kind, in a district, with words in the name or address."""
    layers = [layer] if layer else [x.value for x in PLACE_LAYERS]
    rows = Place.objects.filter(city=current_city(), layer__in=layers).exclude(status=Status.CLOSED)
    if kind:
        rows = rows.filter(layer=Layer.FACILITIES)
    rows = _narrowed_places(rows, kind=kind, words=query.strip())
    if district:
        rows = rows.filter(district__code=district)
    return rows.order_by("name", "id")


def routes_starting_in(district: str) -> list[int]:
    """The routes whose first stop lies in the district (stops keep no district of their own)."""
    city = current_city()
    index = city_selectors.district_index(city)
    first: dict[int, tuple[float, float]] = {}
    for route_id, lat, lon in (
        RouteStop.objects.filter(route__city=city)
        .order_by("route_id", "order")
        .values_list("route_id", "latitude", "longitude")
    ):
        first.setdefault(route_id, (lat, lon))
    return [
        route_id
        for route_id, (lat, lon) in first.items()
        if index.district_of(lat, lon) == district
    ]


def public_places(place_ids: list[int]) -> list[Place]:
    """The places in service among `place_ids`, in the order of the ids (unknown, retired and
    repeated ids left out)."""
    found = {
        place.pk: place
        for place in Place.objects.filter(city=current_city(), pk__in=place_ids)
        .exclude(status=Status.CLOSED)
        .select_related("district")
    }
    ordered: list[Place] = []
    for place_id in place_ids:
        place = found.pop(place_id, None)
        if place is not None:
            ordered.append(place)
    return ordered


@dataclass(frozen=True)
class Visit:
    place: Place
    # Straight-line metres from the visit before (0 for the first).
    leg_m: float


@dataclass(frozen=True)
class Plan:
    """The shortest order of visits of the chosen places, the total walk (back to the first
    place too, on a round trip) and its walking time."""

    visits: list[Visit]
    total_m: float
    minutes: int
    round_trip: bool
    # The way back from the last visit to the first, on a round trip (else 0).
    back_m: float = 0.0


MIN_PLAN = 2


def plan_visits(places: list[Place], *, start_first: bool = True, round_trip: bool = False) -> Plan:
    """The order in which to visit `places` (2 to routing.MAX_EXACT of them) for the shortest
    walk on straight lines: starting at the first of them, or wherever is best; with
    `round_trip`, ending back at the start. Refused (InvalidInput on `place`) for fewer or
    more places."""
    if len(places) < MIN_PLAN:
        raise InvalidInput(
            _("Choose at least %(min)s places to plan a walk.") % {"min": MIN_PLAN},
            field="place",
            code="too_few",
        )
    if len(places) > routing.MAX_EXACT:
        raise InvalidInput(
            _(
                "Choose at most %(max)s places: the shortest order is found exactly for up to "
                "%(max)s. You chose %(count)s."
            )
            % {"max": routing.MAX_EXACT, "count": len(places)},
            field="place",
            code="too_many",
        )
    table = [
        [distance_m(a.latitude, a.longitude, b.latitude, b.longitude) for b in places]
        for a in places
    ]
    order, total = routing.best_order(
        table, start=0 if start_first else None, round_trip=round_trip
    )
    visits = [
        Visit(places[index], table[order[step - 1]][index] if step else 0.0)
        for step, index in enumerate(order)
    ]
    back = table[order[-1]][order[0]] if round_trip else 0.0
    return Plan(
        visits=visits,
        total_m=total,
        minutes=routing.walking_minutes(total),
        round_trip=round_trip,
        back_m=back,
    )


# --- the open API and the map (helper api) ---


def public_place_ids(ids) -> set[int]:
    """Which of these place ids are public (a route's stop keeps a place that has retired)."""
    if not ids:
        return set()
    return set(
        Place.objects.filter(city=current_city(), pk__in=list(ids))
        .exclude(status=Status.CLOSED)
        .values_list("pk", flat=True)
    )
