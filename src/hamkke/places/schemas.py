"""Schemas of the places' open API (/api/v1/places): one place, event or route, the coverage
figures and the registry's counts; and the documents in other formats (GeoJSON layers, the
covered area, NGSI-LD entities) described for the OpenAPI document as JSON Schema."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema

from hamkke.core.city.selectors import current_city
from hamkke.places import geojson, selectors
from hamkke.places.models import Layer

LAYER_VALUES = ", ".join(Layer.values)


class DistrictOut(Schema):
    code: str
    name: str = Field(description="In the request's language")


def district_of(row) -> DistrictOut | None:
    district = row.district
    return None if district is None else DistrictOut(code=district.code, name=district.display_name)


class HoursLineOut(Schema):
    days: str = Field(description='Days as written, e.g. "Mo-Fr"')
    hours: str = Field(description='"09:00–18:00", several spans separated by ", ", or "closed"')


class Hours(Schema):
    """Opening hours as kept, described, and whether they are open now (in the city's time)."""

    hours: str | None = Field(description="OpenStreetMap-style opening hours; null if unknown")
    hours_described: list[HoursLineOut]
    open_now: bool | None = Field(description="In the city's time zone; null if unknown")

    @staticmethod
    def resolve_hours(obj) -> str | None:
        return obj.hours or None

    @staticmethod
    def resolve_hours_described(obj) -> list[dict]:
        return geojson.hours_described(obj.hours)

    @staticmethod
    def resolve_open_now(obj) -> bool | None:
        return geojson.open_now(obj.hours, geojson.local_now(current_city()))


class AccessPointOut(Schema):
    id: int
    ref: str = Field(description="The registry's management number")
    ssid: str
    provider: str
    install_type: str
    indoor: bool | None
    install_year: int | None
    latitude: float
    longitude: float


class LocatedOut(Hours):
    """A row on the map: its district and point, and its opening hours."""

    district: DistrictOut | None
    latitude: float
    longitude: float

    @staticmethod
    def resolve_district(obj) -> DistrictOut | None:
        return district_of(obj)


class PlaceOut(LocatedOut):
    id: int
    layer: str = Field(description="wifi-sites, chargers or facilities")
    ref: str = Field(description="The registry's own number")
    name: str
    name_en: str
    kind: str = Field(description="A facility's kind or a WiFi site's install type (codes)")
    status: str = Field(description="active or repair (a retired place answers 404)")
    address: str
    description: str
    phone: str
    website: str = Field(description="The place's own web site, if any")
    operator: str = Field(description="Who runs it: an installer, partner or operator")
    network: str
    install_year: int | None
    indoor: bool | None
    charger_count: int | None
    charger_kinds: list[str]
    access_points: list[AccessPointOut] = Field(description="A WiFi site's, in service")
    updated_at: datetime
    url: str = Field(description="The public page")

    @staticmethod
    def resolve_website(obj) -> str:
        return obj.url

    @staticmethod
    def resolve_charger_kinds(obj) -> list[str]:
        return geojson.words(obj.charger_kinds)

    @staticmethod
    def resolve_access_points(obj) -> list:
        if obj.layer != Layer.WIFI_SITES:
            return []
        return list(selectors.layer_rows(Layer.WIFI_APS).filter(site=obj).order_by("ref"))

    @staticmethod
    def resolve_url(obj) -> str:
        return geojson.page_path("place")(obj.pk)


class EventOut(LocatedOut):
    id: int
    ref: str
    title: str
    title_en: str
    kind: str
    description: str
    venue: str
    address: str
    starts_at: datetime
    ends_at: datetime
    languages: list[str] = Field(description='Language codes, e.g. ["ko", "en"]')
    booking_url: str | None
    url: str

    @staticmethod
    def resolve_languages(obj) -> list[str]:
        return geojson.words(obj.languages)

    @staticmethod
    def resolve_booking_url(obj) -> str | None:
        return obj.booking_url or None

    @staticmethod
    def resolve_url(obj) -> str:
        return geojson.page_path("event")(obj.pk)


class StopOut(Schema):
    order: int
    name: str
    latitude: float
    longitude: float
    place: int | None = Field(description="The place it visits, while that place is public")


class RouteOut(Schema):
    id: int
    ref: str
    name: str
    name_en: str
    description: str
    distance_m: int = Field(description="Walking, straight lines between stops")
    minutes: int = Field(description="Walking time at 4 km/h")
    stops: list[StopOut]
    url: str

    @staticmethod
    def resolve_stops(obj) -> list[dict]:
        stops = list(obj.stops.all())
        # A stop keeps its place when that place retires; the API names it only while public.
        public = selectors.public_place_ids({stop.place_id for stop in stops if stop.place_id})
        return [
            {
                "order": stop.order,
                "name": stop.name,
                "latitude": stop.latitude,
                "longitude": stop.longitude,
                "place": stop.place_id if stop.place_id in public else None,
            }
            for stop in stops
        ]

    @staticmethod
    def resolve_url(obj) -> str:
        return geojson.page_path("route")(obj.pk)


class CoverageAreaOut(Schema):
    area_km2: float
    covered_km2: float
    share: float = Field(description="covered / area, from 0 to 1")


class CoverageDistrictOut(CoverageAreaOut):
    code: str
    name: str


class CoverageOut(Schema):
    radius_m: dict[str, float] = Field(
        description="Metres an access point reaches, per install type, and `default`"
    )
    crs: str = Field(description="The projection areas are measured in, e.g. EPSG:5186")
    computed_at: datetime
    access_points: int = Field(description="Access points in service counted")
    city: CoverageAreaOut
    districts: list[CoverageDistrictOut]


class LendingOut(Schema):
    events: int = Field(description="City events at which chargers were lent")
    chargers: int = Field(description="Chargers lent, in all")
    citizens: int = Field(description="Citizens served, in all")


class StatsOut(Schema):
    counts: dict[str, int] = Field(
        description=f"Rows in service per layer ({LAYER_VALUES}) and `charger_units`, the "
        "chargers at the charger sites"
    )
    lending: LendingOut


# --- documents in other formats, as JSON Schema ------------------------------------------------

_POSITION = {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2}
_NULLABLE_TEXT = {"type": ["string", "null"]}
FEATURE_SCHEMA = {
    "type": "object",
    "required": ["type", "id", "geometry", "properties"],
    "properties": {
        "type": {"const": "Feature"},
        "id": {"type": "integer", "description": "The row's id"},
        "geometry": {
            "oneOf": [
                {
                    "type": "object",
                    "required": ["type", "coordinates"],
                    "properties": {"type": {"const": "Point"}, "coordinates": _POSITION},
                },
                {
                    "type": "object",
                    "required": ["type", "coordinates"],
                    "properties": {
                        "type": {"const": "LineString"},
                        "coordinates": {"type": "array", "items": _POSITION},
                    },
                },
            ]
        },
        "properties": {
            "type": "object",
            "required": ["name", "kind", "district", "url"],
            "properties": {
                "name": {"type": "string"},
                "name_en": {"type": "string"},
                "kind": {"type": "string"},
                "district": _NULLABLE_TEXT,
                "url": {"type": "string", "description": "The public page (a path)"},
                "distance_m": {"type": "number", "description": "/nearest only"},
            },
        },
    },
}
FEATURE_COLLECTION_SCHEMA = {
    "type": "object",
    "required": ["type", "features"],
    "properties": {
        "type": {"const": "FeatureCollection"},
        "features": {"type": "array", "items": FEATURE_SCHEMA},
    },
}
COVERAGE_FEATURE_SCHEMA = {
    "type": "object",
    "required": ["type", "geometry", "properties"],
    "properties": {
        "type": {"const": "Feature"},
        "geometry": {"type": "object", "required": ["type"]},
        "properties": {
            "type": "object",
            "required": ["computed_at", "access_points", "area_km2", "covered_km2", "share"],
        },
    },
}
NGSI_LD_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["id", "type", "name", "category", "@context"],
        "properties": {
            "id": {"type": "string", "pattern": "^urn:ngsi-ld:PointOfInterest:"},
            "type": {"const": "PointOfInterest"},
        },
    },
}


def document(content_type: str, schema: dict, description: str) -> dict:
    """The OpenAPI `responses` entry of a 200 answered in `content_type`."""
    return {200: {"description": description, "content": {content_type: {"schema": schema}}}}
