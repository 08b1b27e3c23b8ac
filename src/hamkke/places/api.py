"""The open API of Places (/api/v1/places): the map's layers as GeoJSON (WiFi sites and access
points, phone chargers, facilities, events, routes) with their filters, the nearest features of
a layer to a point, the WiFi coverage (figures and the covered area), one place, event or
route, the registry's counts, and WiFi sites, chargers and facilities as FIWARE
PointOfInterest entities in NGSI-LD.

Only what the public map shows: retired places and access points are absent (a retired place
answers 404). Refusals answer 4xx JSON {detail, code[, field]}: 400 a parameter out of range,
naming it in `field`; 404 an unknown layer, place, event or route, or a coverage never
computed."""

from __future__ import annotations

import math

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router

from hamkke.core.city.selectors import current_city
from hamkke.core.errors import InvalidInput, NotFound
from hamkke.places import fiware, geojson, selectors
from hamkke.places.schemas import (
    COVERAGE_FEATURE_SCHEMA,
    FEATURE_COLLECTION_SCHEMA,
    LAYER_VALUES,
    NGSI_LD_SCHEMA,
    CoverageOut,
    EventOut,
    PlaceOut,
    RouteOut,
    StatsOut,
    document,
)

router = Router(tags=["places"])

KIND_TEXT = "Only features of this kind: a facility's kind, a WiFi install type, an event's kind"
DISTRICT_TEXT = "Only features in the district with this code (a route: where it starts)"
BBOX_TEXT = (
    "Only features inside west,south,east,north (degrees, e.g. 126.96,37.56,126.99,37.58; a "
    "route: any of its stops)"
)


# --- conversions ---------------------------------------------------------------------------------


def _layer_or_404(layer: str, known: tuple[str, ...]) -> str:
    if layer not in known:
        raise NotFound(
            _("There is no layer %(layer)s; the layers are: %(known)s.")
            % {"layer": layer[:40], "known": ", ".join(known)},
            code="unknown_layer",
        )
    return layer


def _found(row, message: str):
    if row is None:
        raise NotFound(message)
    return row


def _filters(kind: str, district: str, bbox: str) -> geojson.Filters:
    return geojson.filters_from(current_city(), kind=kind, district=district, bbox=bbox)


# --- layers --------------------------------------------------------------------------------------


@router.get(
    "/layers/{layer}.geojson",
    summary="A map layer as a GeoJSON FeatureCollection",
    openapi_extra={
        "responses": document(
            geojson.CONTENT_TYPE,
            FEATURE_COLLECTION_SCHEMA,
            "A FeatureCollection (application/geo+json)",
        )
    },
)
def layer_geojson(
    request: HttpRequest,
    layer: str,
    kind: str = Query("", description=KIND_TEXT),
    district: str = Query("", description=DISTRICT_TEXT),
    bbox: str = Query("", description=BBOX_TEXT),
):
    """`layer` is one of wifi-sites, wifi-aps, chargers, facilities, events, routes (404
    `unknown_layer` otherwise). One feature per public row: its `id`, a Point at [lon, lat]
    (a route: a LineString through its stops in order) and properties `name`, `name_en`,
    `kind`, `district` (code) and `url` (the public page), with per layer:

    - wifi-sites: `network`, `install_type`, `access_points` (in service);
    - wifi-aps: `install_type`, `ssid`, `provider`, `site` (the site's id, whose name and page
      the access point shows), `indoor`;
    - chargers: `charger_count`, `charger_kinds`, `hours`, `open_now`;
    - facilities: `hours`, `open_now` (`hours` in OpenStreetMap's opening_hours style, both
      null when unknown; open now in the city's time zone);
    - events: `starts_at`, `ends_at`, `languages`, `booking_url`;
    - routes: `distance_m`, `minutes`, `stops` (their names, in order).

    Retired places and access points (and a retired site's access points) are absent. A bad
    `bbox` or an unknown `district` answers 400 naming the parameter. The whole layer is
    answered from a cache that any change to the layer, and any opening or closing, renews."""
    _layer_or_404(layer, geojson.LAYERS)
    body = geojson.layer_document(layer, _filters(kind, district, bbox))
    return HttpResponse(body, content_type=geojson.CONTENT_TYPE)


@router.get(
    "/layers/{layer}.jsonld",
    summary="WiFi sites, chargers or facilities as FIWARE PointOfInterest entities (NGSI-LD)",
    openapi_extra={
        "responses": document(
            fiware.CONTENT_TYPE,
            NGSI_LD_SCHEMA,
            "An array of NGSI-LD entities (application/ld+json), each with its @context",
        )
    },
)
def layer_ngsi_ld(
    request: HttpRequest,
    layer: str,
    options: str = Query(
        fiware.NORMALIZED,
        description="normalized (each attribute a Property or GeoProperty) or keyValues",
    ),
    kind: str = Query("", description=KIND_TEXT),
    district: str = Query("", description=DISTRICT_TEXT),
    bbox: str = Query("", description=BBOX_TEXT),
):
    """The FIWARE Smart Data Models' `PointOfInterest` (dataModel.PointOfInterest), for
    `layer` wifi-sites, chargers or facilities (404 `unknown_layer` otherwise): `id`
    urn:ngsi-ld:PointOfInterest:<city>:<layer>:<ref> (the registry's number), `name`,
    `alternateName`, `description`, `category` (a Factual taxonomy number, then the layer and
    kind), `location`, `address`, `areaServed` (the district), `openingHoursSpecification`,
    `contactPoint`, `seeAlso` (the place's web site), `capacity` (a charger site's chargers),
    `source` (its public page), `dataProvider`, `dateModified`. Attributes without a value are
    left out. The same filters as the GeoJSON layer; `options` other than normalized or
    keyValues answers 400."""
    _layer_or_404(layer, fiware.LAYERS)
    if options not in fiware.OPTIONS:
        raise InvalidInput(
            _("options is normalized or keyValues."), field="options", code="invalid"
        )
    found = fiware.entities(
        layer,
        _filters(kind, district, bbox),
        options=options,
        absolute=request.build_absolute_uri,
    )
    return HttpResponse(geojson.encoded(found), content_type=fiware.CONTENT_TYPE)


@router.get(
    "/nearest",
    summary="The features of a layer nearest to a point",
    openapi_extra={
        "responses": document(
            geojson.CONTENT_TYPE,
            FEATURE_COLLECTION_SCHEMA,
            "A FeatureCollection, nearest first, each feature with `distance_m`",
        )
    },
)
def nearest(
    request: HttpRequest,
    layer: str = Query(..., description=f"One of {LAYER_VALUES}"),
    lat: float = Query(..., description="Latitude, -90 to 90"),
    lon: float = Query(..., description="Longitude, -180 to 180"),
    n: int = Query(10, description=f"How many, 1 to {selectors.MAX_NEAREST}"),
    radius_m: float = Query(
        2000, description=f"Only within this many metres, up to {selectors.MAX_RADIUS_M:,}"
    ),
):
    """The layer's features as in /layers/{layer}.geojson, the `n` nearest to (lat, lon)
    within `radius_m` (straight-line), nearest first, each with `distance_m` among its
    properties (a route: to its nearest stop). An unknown layer, a latitude or longitude out
    of range, `n` outside 1 to 100 or `radius_m` outside 0 to 20,000 answers 400 naming the
    parameter."""
    if layer not in geojson.LAYERS:
        raise InvalidInput(
            _("Choose one of the layers: %(known)s.") % {"known": LAYER_VALUES}, field="layer"
        )
    if not (math.isfinite(lat) and -90 <= lat <= 90):
        raise InvalidInput(_("The latitude goes from -90 to 90."), field="lat")
    if not (math.isfinite(lon) and -180 <= lon <= 180):
        raise InvalidInput(_("The longitude goes from -180 to 180."), field="lon")
    if not 1 <= n <= selectors.MAX_NEAREST:
        raise InvalidInput(
            _("n goes from 1 to %(max)s.") % {"max": selectors.MAX_NEAREST}, field="n"
        )
    if not (math.isfinite(radius_m) and 0 < radius_m <= selectors.MAX_RADIUS_M):
        raise InvalidInput(
            _("radius_m is more than 0 and at most %(max)s metres.")
            % {"max": f"{selectors.MAX_RADIUS_M:,}"},
            field="radius_m",
        )
    found = geojson.nearest_features(layer, lat, lon, n=n, radius_m=radius_m)
    return HttpResponse(
        geojson.encoded(geojson.collection(found)), content_type=geojson.CONTENT_TYPE
    )


# --- coverage ------------------------------------------------------------------------------------


def _coverage():
    snapshot = selectors.coverage_of()
    if snapshot is None:
        raise NotFound(_("The WiFi coverage has not been computed yet."), code="no_coverage")
    return snapshot


@router.get("/coverage", response=CoverageOut, summary="The WiFi coverage of the city")
def coverage(request: HttpRequest):
    """The share of the city's area, and of each district's, within reach of an access point
    in service: the union of circles (each install type's radius in metres, `radius_m`)
    measured in the projection `crs`, as last computed (after every change of the WiFi
    registry). 404 `no_coverage` before it was ever computed."""
    snapshot = _coverage()
    names = {d.code: d.display_name for d in current_city().districts.all()}
    return CoverageOut(
        radius_m=snapshot.radius_m,
        crs=snapshot.crs,
        computed_at=snapshot.computed_at,
        access_points=snapshot.access_points,
        city={
            "area_km2": snapshot.area_km2,
            "covered_km2": snapshot.covered_km2,
            "share": snapshot.share,
        },
        districts=[
            {**figures, "name": names.get(figures["code"], figures["code"])}
            for figures in snapshot.districts
        ],
    )


@router.get(
    "/coverage.geojson",
    summary="The area the WiFi covers, as a GeoJSON Feature",
    openapi_extra={
        "responses": document(
            geojson.CONTENT_TYPE,
            COVERAGE_FEATURE_SCHEMA,
            "A Feature (application/geo+json): the covered area in longitude/latitude",
        )
    },
)
def coverage_geojson(request: HttpRequest):
    """The covered area clipped to the city (simplified to about 5 m), for the map's coverage
    layer, with the city's figures as properties. 404 `no_coverage` before it was computed."""
    feature = geojson.coverage_feature(_coverage())
    return HttpResponse(geojson.encoded(feature), content_type=geojson.CONTENT_TYPE)


# --- counts, events, routes, places --------------------------------------------------------------


@router.get("/stats", response=StatsOut, summary="The registries' counts and chargers lent")
def stats(request: HttpRequest):
    """Rows in service per layer (and the chargers at the charger sites), and how many
    chargers were lent at city events to how many citizens."""
    return StatsOut(counts=selectors.registry_counts(), lending=selectors.lending_figures())


@router.get("/events/{event_id}", response=EventOut, summary="One event or workshop")
def get_event(request: HttpRequest, event_id: int):
    """When and where, in which languages, where to book; a workshop's repeating schedule
    described and whether it is open now. 404 for an unknown event."""
    return _found(selectors.event_by_id(event_id), _("There is no such event."))


@router.get("/routes/{route_id}", response=RouteOut, summary="One visiting route")
def get_route(request: HttpRequest, route_id: int):
    """Its stops in order (with the place each visits, while public), walking distance and
    time. 404 for an unknown route."""
    return _found(selectors.route_by_id(route_id), _("There is no such route."))


@router.get("/{place_id}", response=PlaceOut, summary="One WiFi site, charger site or facility")
def get_place(request: HttpRequest, place_id: int):
    """Its registry details, opening hours described and whether it is open now (city time),
    and a WiFi site's access points in service. 404 for an unknown or retired place."""
    return selectors.public_place(place_id)
