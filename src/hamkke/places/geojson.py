"""The map's layers as GeoJSON: each layer's public rows as a FeatureCollection (one feature a
row: its id, a Point at [lon, lat] or a route's LineString through its stops in order, and the
properties the map shows), the filters a request may name (kind, district, bounding box), the
nearest rows of a layer with their distances, and the covered area of the WiFi coverage.

Reads only (a selector-like module shared by the API and the pages): functions take the layer
and filters, read the rows as value tuples (no model instance per row: a layer holds up to
100,000 rows) and return dicts. A whole layer's document is kept in the cache under the layer's
version (its rows' count and latest update, WiFi sites' and access points' together) and, for
layers with opening hours, which of their hours are open now: any save, retirement or deletion
changes the key, and so does the clock passing an opening or closing time."""

from __future__ import annotations

import hashlib
import json
import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property, lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db.models import Count, Max, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hamkke.core.city import selectors as city_selectors
from hamkke.core.errors import InvalidInput
from hamkke.core.models import City
from hamkke.places import selectors
from hamkke.places.hours import HoursError, OpeningHours, describe, is_open, parse_hours
from hamkke.places.models import AccessPoint, Event, Layer, Place, Route, RouteStop

CONTENT_TYPE = "application/geo+json"
LAYERS: tuple[str, ...] = tuple(Layer.values)
# Layers whose features say whether the place is open now.
HOURS_LAYERS = (Layer.CHARGERS, Layer.FACILITIES)
# Raised when a feature's shape changes, so documents cached in the old shape are not served.
FORMAT_VERSION = 1
CACHE_SECONDS = 600
MAX_FILTER_TEXT = 64
# Coordinates to 6 decimals: about 0.1 m, more than any registry knows.
PRECISION = 6


# --- the public pages a feature links to -------------------------------------------------------

# The detail pages, by URL name, and their paths until the pages are mounted.
PAGES = {
    "place": ("places:place", "/places/{id}/"),
    "event": ("places:event", "/places/events/{id}/"),
    "route": ("places:route", "/places/routes/{id}/"),
}
_SENTINEL = 987654321


def page_path(page: str) -> Callable[[int], str]:
    """The path of a row's public page from its id ("place", "event" or "route"): one reverse()
    for the whole layer, the id put in its place for each row."""
    name, fallback = PAGES[page]
    try:
        prefix, _middle, suffix = reverse(name, args=[_SENTINEL]).partition(str(_SENTINEL))
    except NoReverseMatch:
        prefix, _middle, suffix = fallback.partition("{id}")
    return lambda row_id: f"{prefix}{row_id}{suffix}"


# --- opening hours -----------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def parsed_hours(text: str) -> OpeningHours | None:
    """The hours a row keeps, parsed once per process; None when unknown (empty) or unreadable
    (saves check them, so only a row written around the services)."""
    if not text:
        return None
    try:
        return parse_hours(text)
    except HoursError:
        return None


def local_now(city: City, moment: datetime | None = None) -> datetime:
    """The moment (now by default) as the naive local time of the city, as places.hours reads."""
    return timezone.localtime(moment or timezone.now(), ZoneInfo(city.time_zone)).replace(
        tzinfo=None
    )


def open_now(text: str, local: datetime) -> bool | None:
    """Whether hours written as `text` are open at the local moment; None when unknown."""
    hours = parsed_hours(text)
    return None if hours is None else is_open(hours, local)


def hours_described(text: str) -> list[dict[str, str]]:
    """The hours for display, rule by rule: [{"days": "Mo-Fr", "hours": "09:00–18:00"}, …];
    empty when unknown."""
    hours = parsed_hours(text)
    return [] if hours is None else [{"days": d, "hours": h} for d, h in describe(hours)]


# --- filters -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """What a request narrows a layer to: a kind (a facility's kind, a WiFi install type, an
    event's kind), a district's code, a bounding box (west, south, east, north)."""

    kind: str = ""
    district: str = ""
    bbox: tuple[float, float, float, float] | None = None

    @property
    def narrowing(self) -> bool:
        return bool(self.kind or self.district or self.bbox)


NO_FILTERS = Filters()


def filters_from(city: City, *, kind: str = "", district: str = "", bbox: str = "") -> Filters:
    """The filters as a request writes them, checked: 400 naming the parameter otherwise."""
    kind, district = kind.strip(), district.strip()
    if len(kind) > MAX_FILTER_TEXT:
        raise InvalidInput(
            _("Keep this under %(limit)s characters.") % {"limit": MAX_FILTER_TEXT}, field="kind"
        )
    if district and not city.districts.filter(code=district).exists():
        raise InvalidInput(
            _("There is no district with the code %(code)s.") % {"code": district[:40]},
            field="district",
        )
    return Filters(kind=kind, district=district, bbox=parse_bbox(bbox) if bbox.strip() else None)


def parse_bbox(text: str) -> tuple[float, float, float, float]:
    """`west,south,east,north` in degrees (longitudes -180..180, latitudes -90..90, west of
    east and south of north; a box across the antimeridian is not a city's)."""
    parts = text.split(",")
    message = _("Give the box as west,south,east,north in degrees, e.g. 126.96,37.56,126.99,37.58.")
    if len(parts) != 4:
        raise InvalidInput(message, field="bbox")
    numbers = []
    for part in parts:
        written = part.strip()
        # float() reads "١٢", "nan" and "1_0" too: only ordinary decimal numbers are taken.
        if not written or not written.isascii() or len(written) > 32:
            raise InvalidInput(message, field="bbox")
        try:
            number = float(written)
        except ValueError:
            raise InvalidInput(message, field="bbox") from None
        if not math.isfinite(number) or "_" in written:
            raise InvalidInput(message, field="bbox")
        numbers.append(number)
    west, south, east, north = numbers
    if not (
        -180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= 90 and -90 <= north <= 90
    ):
        raise InvalidInput(
            _("Longitudes go from -180 to 180 and latitudes from -90 to 90."), field="bbox"
        )
    if west >= east or south >= north:
        raise InvalidInput(
            _("The box's west edge comes before its east edge, and south before north."),
            field="bbox",
        )
    return west, south, east, north


def filtered_rows(layer: str, filters: Filters) -> QuerySet:
    """The layer's public rows narrowed by the filters (routes: their kind never matches, their
    district and box are their stops')."""
    rows = selectors.layer_rows(layer)
    if layer == Layer.ROUTES:
        rows = rows.prefetch_related(None)
        if filters.kind:
            return rows.none()
        if filters.bbox:
            west, south, east, north = filters.bbox
            stops = RouteStop.objects.filter(
                longitude__gte=west, longitude__lte=east, latitude__gte=south, latitude__lte=north
            )
            rows = rows.filter(pk__in=stops.values("route_id"))
        return rows
    if filters.kind:
        rows = rows.filter(**{"install_type" if layer == Layer.WIFI_APS else "kind": filters.kind})
    if filters.district:
        rows = rows.filter(district__code=filters.district)
    if filters.bbox:
        west, south, east, north = filters.bbox
        rows = rows.filter(
            longitude__gte=west, longitude__lte=east, latitude__gte=south, latitude__lte=north
        )
    return rows


# --- features ----------------------------------------------------------------------------------


def _point(latitude: float, longitude: float) -> dict:
    return {
        "type": "Point",
        "coordinates": [round(longitude, PRECISION), round(latitude, PRECISION)],
    }


def _feature(row_id: int, geometry: dict, properties: dict) -> dict:
    return {"type": "Feature", "id": row_id, "geometry": geometry, "properties": properties}


def words(text: str) -> list[str]:
    """A comma-separated list as kept (charger kinds, languages) as a list."""
    return [word.strip() for word in text.split(",") if word.strip()]


class _Context:
    """What a layer's features share: the local moment for open-now, and (read once, only by
    the WiFi sites' layer) each site's access points in service."""

    def __init__(self, local: datetime) -> None:
        self.local = local

    @cached_property
    def access_points(self) -> dict[int, int]:
        return dict(
            selectors.layer_rows(Layer.WIFI_APS)
            .values("site_id")
            .annotate(n=Count("id"))
            .values_list("site_id", "n")
        )


# A row's own columns, as each table names them: id, name, English name, kind, district's
# code, latitude, longitude (an access point shows its site's name and install type).
PLACE_COLUMNS = ("id", "name", "name_en", "kind", "district__code", "latitude", "longitude")
AP_COLUMNS = ("id", "site__name", "site__name_en", "install_type", *PLACE_COLUMNS[4:])
EVENT_COLUMNS = ("id", "title", "title_en", *PLACE_COLUMNS[3:])


@dataclass(frozen=True)
class _PointLayer:
    """How a layer of points reads its rows: the common columns, the layer's own, the
    properties those make (from the row's id, kind, own values and the context), the page
    linked and which id it takes (the row's, or an access point's site)."""

    page: str
    columns: tuple[str, ...]
    own: tuple[str, ...]
    properties: Callable[[int, str, tuple, _Context], dict]
    linked: Callable[[int, tuple], int] = lambda row_id, own: row_id


def _wifi_site(row_id: int, kind: str, own: tuple, context: _Context) -> dict:
    (network,) = own
    return {
        "network": network,
        "install_type": kind,
        "access_points": context.access_points.get(row_id, 0),
    }


def _access_point(row_id: int, kind: str, own: tuple, context: _Context) -> dict:
    ssid, provider, site, indoor = own
    return {
        "install_type": kind,
        "ssid": ssid,
        "provider": provider,
        "site": site,
        "indoor": indoor,
    }


def _charger(row_id: int, kind: str, own: tuple, context: _Context) -> dict:
    count, kinds, hours = own
    return {
        "charger_count": count,
        "charger_kinds": words(kinds),
        "hours": hours or None,
        "open_now": open_now(hours, context.local),
    }


def _facility(row_id: int, kind: str, own: tuple, context: _Context) -> dict:
    (hours,) = own
    return {"hours": hours or None, "open_now": open_now(hours, context.local)}


def _event(row_id: int, kind: str, own: tuple, context: _Context) -> dict:
    starts, ends, languages, booking = own
    return {
        "starts_at": starts.isoformat(),
        "ends_at": ends.isoformat(),
        "languages": words(languages),
        "booking_url": booking or None,
    }


POINT_LAYERS = {
    Layer.WIFI_SITES: _PointLayer("place", PLACE_COLUMNS, ("network",), _wifi_site),
    Layer.WIFI_APS: _PointLayer(
        "place",
        AP_COLUMNS,
        ("ssid", "provider", "site_id", "indoor"),
        _access_point,
        linked=lambda row_id, own: own[2],
    ),
    Layer.CHARGERS: _PointLayer(
        "place", PLACE_COLUMNS, ("charger_count", "charger_kinds", "hours"), _charger
    ),
    Layer.FACILITIES: _PointLayer("place", PLACE_COLUMNS, ("hours",), _facility),
    Layer.EVENTS: _PointLayer(
        "event", EVENT_COLUMNS, ("starts_at", "ends_at", "languages", "booking_url"), _event
    ),
}


def _points(layer: str, rows: QuerySet, local: datetime) -> Iterable[dict]:
    """A layer of points' features, one value tuple per row."""
    spec = POINT_LAYERS[layer]
    url = page_path(spec.page)
    context = _Context(local)
    for row_id, name, name_en, kind, district, lat, lon, *own in rows.values_list(
        *spec.columns, *spec.own
    ):
        properties = {
            "name": name,
            "name_en": name_en,
            "kind": kind,
            "district": district,
            "url": url(spec.linked(row_id, own)),
        }
        properties.update(spec.properties(row_id, kind, own, context))
        yield _feature(row_id, _point(lat, lon), properties)


def _route_stops(route_ids) -> dict[int, list[tuple[str, float, float]]]:
    stops: dict[int, list[tuple[str, float, float]]] = defaultdict(list)
    for route_id, name, lat, lon in (
        RouteStop.objects.filter(route_id__in=route_ids)
        .order_by("route_id", "order")
        .values_list("route_id", "name", "latitude", "longitude")
    ):
        stops[route_id].append((name, lat, lon))
    return stops


def _routes(rows: QuerySet, city: City, district: str = "") -> Iterable[dict]:
    """Routes through their stops in order; a route's district is its first stop's (a route
    without stops has no line to draw and is left out)."""
    url = page_path("route")
    routes = list(rows.values_list("id", "name", "name_en", "distance_m", "minutes"))
    stops = _route_stops([route[0] for route in routes])
    index = city_selectors.district_index(city)
    for row_id, name, name_en, metres, minutes in routes:
        line = stops.get(row_id)
        if not line:
            continue
        start = index.district_of(line[0][1], line[0][2])
        if district and start != district:
            continue
        coordinates = [[round(lon, PRECISION), round(lat, PRECISION)] for _n, lat, lon in line]
        geometry = (
            {"type": "LineString", "coordinates": coordinates}
            if len(coordinates) > 1
            else {"type": "Point", "coordinates": coordinates[0]}
        )
        yield _feature(
            row_id,
            geometry,
            {
                "name": name,
                "name_en": name_en,
                "kind": "",
                "district": start,
                "url": url(row_id),
                "distance_m": metres,
                "minutes": minutes,
                "stops": [stop_name for stop_name, _lat, _lon in line],
            },
        )


def features(
    layer: str, filters: Filters = NO_FILTERS, *, moment: datetime | None = None
) -> list[dict]:
    """The layer's public features narrowed by `filters`, in the layer's order (`open_now` at
    `moment`, now by default)."""
    city = city_selectors.current_city()
    rows = filtered_rows(layer, filters)
    local = local_now(city, moment)
    if layer == Layer.ROUTES:
        return list(_routes(rows, city, filters.district))
    return list(_points(layer, rows, local))


def collection(features_list: list[dict]) -> dict:
    return {"type": "FeatureCollection", "features": features_list}


def encoded(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


# --- whole layers, cached ----------------------------------------------------------------------


def _tables(city: City, layer: str) -> list[QuerySet]:
    """The tables whose rows make the layer's features (WiFi sites count their access points;
    access points show their site's name and leave with a retired site)."""
    wifi = [
        Place.objects.filter(city=city, layer=Layer.WIFI_SITES),
        AccessPoint.objects.filter(city=city),
    ]
    return {
        Layer.WIFI_SITES: wifi,
        Layer.WIFI_APS: wifi,
        Layer.CHARGERS: [Place.objects.filter(city=city, layer=Layer.CHARGERS)],
        Layer.FACILITIES: [Place.objects.filter(city=city, layer=Layer.FACILITIES)],
        Layer.EVENTS: [Event.objects.filter(city=city)],
        Layer.ROUTES: [Route.objects.filter(city=city)],
    }[layer]


def layer_version(city: City, layer: str) -> str:
    """What changes whenever a feature of the layer could: each table's rows counted (a
    deletion) and their latest update (every save and retirement sets it)."""
    parts = [str(FORMAT_VERSION), str(city.pk), layer, city.loaded_at.isoformat()]
    for table in _tables(city, layer):
        totals = table.aggregate(n=Count("id"), last=Max("updated_at"))
        parts += [str(totals["n"]), totals["last"].isoformat() if totals["last"] else "-"]
    parts += [page_path(page)(0) for page in PAGES]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def _open_state(version: str, layer: str, local: datetime) -> str:
    """Which of the layer's distinct opening hours are open at `local`: the part of a cached
    document that changes with the clock alone."""
    if layer not in HOURS_LAYERS:
        return ""
    key = f"places:hours:{version}"
    texts = cache.get(key)
    if texts is None:
        texts = sorted(set(selectors.layer_rows(layer).values_list("hours", flat=True).distinct()))
        cache.set(key, texts, CACHE_SECONDS)
    state = "".join({True: "1", False: "0", None: "-"}[open_now(t, local)] for t in texts)
    return hashlib.sha256(state.encode()).hexdigest()[:16]


def layer_document(
    layer: str, filters: Filters = NO_FILTERS, *, moment: datetime | None = None
) -> bytes:
    """The layer's FeatureCollection as UTF-8 JSON. Unfiltered, it is kept in the cache until
    the layer changes (or its open places do); filtered answers are built each time."""
    if filters.narrowing:
        return encoded(collection(features(layer, filters, moment=moment)))
    city = city_selectors.current_city()
    version = layer_version(city, layer)
    key = f"places:layer:{version}:{_open_state(version, layer, local_now(city, moment))}"
    document = cache.get(key)
    if document is None:
        document = encoded(collection(features(layer, moment=moment)))
        cache.set(key, document, CACHE_SECONDS)
    return document


# --- nearest -----------------------------------------------------------------------------------


def nearest_features(
    layer: str,
    latitude: float,
    longitude: float,
    *,
    n: int,
    radius_m: float,
    moment: datetime | None = None,
) -> list[dict]:
    """The layer's `n` features nearest to the point within `radius_m`, nearest first, each
    with `distance_m` (to a route's nearest stop) among its properties."""
    found = selectors.nearest(layer, latitude, longitude, n=n, radius_m=radius_m)
    if not found:
        return []
    city = city_selectors.current_city()
    rows = selectors.layer_rows(layer).filter(pk__in=[near.row.pk for near in found])
    local = local_now(city, moment)
    if layer == Layer.ROUTES:
        built = _routes(rows.prefetch_related(None), city)
    else:
        built = _points(layer, rows, local)
    by_id = {feature["id"]: feature for feature in built}
    ordered = []
    for near in found:
        feature = by_id.get(near.row.pk)
        if feature is not None:
            feature["properties"]["distance_m"] = round(near.distance_m, 1)
            ordered.append(feature)
    return ordered


# --- coverage ----------------------------------------------------------------------------------


def coverage_feature(snapshot) -> dict:
    """The area within reach of an access point in service (a CoverageSnapshot), as one Feature
    with the city's figures."""
    return {
        "type": "Feature",
        "id": "coverage",
        "geometry": snapshot.geometry or {"type": "GeometryCollection", "geometries": []},
        "properties": {
            "computed_at": snapshot.computed_at.isoformat(),
            "access_points": snapshot.access_points,
            "area_km2": snapshot.area_km2,
            "covered_km2": snapshot.covered_km2,
            "share": snapshot.share,
        },
    }
