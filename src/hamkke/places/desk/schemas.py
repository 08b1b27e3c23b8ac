"""Schemas of the places desk API (/api/v1/places/desk): a row of each registry as its keepers
see it (out-of-service ones too), what they send to add or replace one by its registry number,
pages of rows, the registries at a glance, and the chargers lent at city events."""

# No `from __future__ import annotations`, as in desk/api.py: ninja reads these through the
# endpoints' real annotations.

from datetime import date, datetime
from enum import StrEnum

from ninja import Field, Schema
from pydantic import StrictBool, StrictInt

from hamkke.places import geojson, policies

STATUS_TEXT = "active (in service), repair (under repair, still on the map) or closed (off the map)"
POINT_TEXT = "Degrees (WGS84); the point must lie in the city (swapped numbers are refused as such)"


class PlaceLayer(StrEnum):
    """The registries kept in the one table of places."""

    WIFI_SITES = "wifi-sites"
    CHARGERS = "chargers"
    FACILITIES = "facilities"


def _district_code(obj) -> str | None:
    return obj.district.code if obj.district_id else None


# --- what officials send -----------------------------------------------------------------------


class RegistryPlaceIn(Schema):
    """A WiFi site, a charger site or a facility, whole: a field left out is emptied."""

    name: str
    name_en: str = ""
    kind: str = Field(
        default="",
        description="facilities: a code of the profile's facility kinds (required); "
        "wifi-sites: an install type's code or the registry's own words for it",
    )
    address: str = ""
    hours: str = Field(
        default="", description='Opening hours, e.g. "Mo-Fr 09:00-18:00; Sa 10:00-14:00", "24/7"'
    )
    phone: str = ""
    website: str = Field(default="", description="The place's own web site, https://…")
    description: str = ""
    operator: str = Field(default="", description="An installer, a partner or an operator")
    network: str = Field(default="", description="wifi-sites: the telecom company or the city")
    install_year: StrictInt | None = Field(default=None, description="1900 to 2999")
    indoor: StrictBool | None = None
    charger_count: StrictInt | None = Field(
        default=None, description="chargers: how many (at least 1, required)"
    )
    charger_kinds: str = Field(default="", description='chargers: e.g. "USB-C, Lightning"')
    status: str = Field(default="active", description=STATUS_TEXT)
    latitude: float = Field(description=POINT_TEXT)
    longitude: float


class RegistryAccessPointIn(Schema):
    """A WiFi access point, whole: a field left out is emptied."""

    site_ref: str = Field(description="The registry number of its WiFi site")
    ssid: str = ""
    provider: str = Field(default="", description="The telecom company or the city's own")
    operator: str = ""
    install_type: str = Field(default="", description="An install type; empty: its site's")
    indoor: StrictBool | None = None
    install_year: StrictInt | None = Field(default=None, description="1900 to 2999")
    status: str = Field(default="active", description=STATUS_TEXT)
    latitude: float | None = Field(default=None, description="Both null: the site's point")
    longitude: float | None = None


class RegistryEventIn(Schema):
    """An event or workshop, whole: a field left out is emptied."""

    title: str
    title_en: str = ""
    kind: str = ""
    description: str = ""
    venue: str = ""
    address: str = ""
    starts_at: datetime = Field(
        description="With its offset (without one: the city's time), 1900 to 2999"
    )
    ends_at: datetime = Field(description="Not before starts_at")
    hours: str = Field(
        default="", description='A workshop\'s days between start and end, e.g. "Tu-Su 10:00-17:00"'
    )
    booking_url: str = Field(default="", description="https://…")
    languages: list[str] = Field(default=[], description='Language codes, e.g. ["ko", "en"]')
    latitude: float = Field(description=POINT_TEXT)
    longitude: float


class RegistryStopIn(Schema):
    """A place of the registry in service by its id, or a name and a point."""

    place: StrictInt | None = Field(default=None, description="A place's id (then no name)")
    name: str = ""
    latitude: float | None = None
    longitude: float | None = None


class RegistryRouteIn(Schema):
    """A visiting route with its stops in the order walked (2 to 50), whole."""

    name: str
    name_en: str = ""
    description: str = ""
    stops: list[RegistryStopIn]


class LendingIn(Schema):
    event_name: str = Field(description="The city event at which chargers were lent")
    held_on: date = Field(description="1900-01-01 to 2999-12-31")
    venue: str = ""
    district: str = Field(default="", description="A district's code; empty for none")
    chargers_lent: StrictInt = Field(description="0 to 100,000")
    citizens_served: StrictInt = Field(description="0 to 10,000,000")


class PageQuery(Schema):
    page: int = Field(default=1, ge=1, le=1_000_000)
    page_size: int = Field(default=50, ge=1, le=100)


class RegistryQuery(PageQuery):
    q: str = Field(default="", max_length=100, description="In the name or registry number")
    district: str = Field(default="", max_length=16, description="A district's code")
    status: str = Field(
        default="",
        max_length=8,
        description="Places and access points: active, repair or closed; events: current or over",
    )
    kind: str = Field(
        default="",
        max_length=64,
        description="A facility's kind, a WiFi install type or an event's kind",
    )


# --- what the desk answers ---------------------------------------------------------------------


class RegistryPlaceOut(Schema):
    id: int
    layer: str
    ref: str
    name: str
    name_en: str
    kind: str
    status: str = Field(description=STATUS_TEXT)
    address: str
    hours: str
    phone: str
    website: str
    description: str
    operator: str
    network: str
    install_year: int | None
    indoor: bool | None
    charger_count: int | None
    charger_kinds: str
    latitude: float
    longitude: float
    district: str | None = Field(description="The district's code")
    updated_at: datetime
    public_url: str | None = Field(description="Its public page; null while off the map")

    @staticmethod
    def resolve_website(obj) -> str:
        return obj.url

    @staticmethod
    def resolve_district(obj) -> str | None:
        return _district_code(obj)

    @staticmethod
    def resolve_public_url(obj) -> str | None:
        return geojson.page_path("place")(obj.pk) if policies.is_public(obj) else None


class RegistryAccessPointOut(Schema):
    id: int
    ref: str
    site_ref: str
    site_name: str
    ssid: str
    provider: str
    operator: str
    install_type: str
    indoor: bool | None
    install_year: int | None
    status: str = Field(description=STATUS_TEXT)
    latitude: float
    longitude: float
    district: str | None
    updated_at: datetime

    @staticmethod
    def resolve_site_ref(obj) -> str:
        return obj.site.ref

    @staticmethod
    def resolve_site_name(obj) -> str:
        return obj.site.name

    @staticmethod
    def resolve_district(obj) -> str | None:
        return _district_code(obj)


class RegistryEventOut(Schema):
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
    hours: str
    booking_url: str
    languages: list[str]
    latitude: float
    longitude: float
    district: str | None
    updated_at: datetime
    public_url: str

    @staticmethod
    def resolve_languages(obj) -> list[str]:
        return geojson.words(obj.languages)

    @staticmethod
    def resolve_district(obj) -> str | None:
        return _district_code(obj)

    @staticmethod
    def resolve_public_url(obj) -> str:
        return geojson.page_path("event")(obj.pk)


class RegistryStopOut(Schema):
    order: int
    name: str
    latitude: float
    longitude: float
    place: int | None = Field(description="The place it visits (kept when that place retires)")

    @staticmethod
    def resolve_place(obj) -> int | None:
        return obj.place_id


class RegistryRouteOut(Schema):
    id: int
    ref: str
    name: str
    name_en: str
    description: str
    distance_m: int
    minutes: int
    stops: list[RegistryStopOut]
    updated_at: datetime
    public_url: str

    @staticmethod
    def resolve_stops(obj) -> list:
        return list(obj.stops.all())

    @staticmethod
    def resolve_public_url(obj) -> str:
        return geojson.page_path("route")(obj.pk)


class _Page(Schema):
    count: int
    page: int
    page_size: int
    pages: int


class RegistryPlacePageOut(_Page):
    items: list[RegistryPlaceOut]


class RegistryAccessPointPageOut(_Page):
    items: list[RegistryAccessPointOut]


class RegistryEventPageOut(_Page):
    items: list[RegistryEventOut]


class RegistryRoutePageOut(_Page):
    items: list[RegistryRouteOut]


class LendingTotalsOut(Schema):
    events: int = Field(description="City events at which chargers were lent")
    chargers: int = Field(description="Chargers lent, in all")
    citizens: int = Field(description="Citizens served, in all")


class LendingRecordOut(Schema):
    id: int
    event_name: str
    held_on: date
    venue: str
    district: str | None
    chargers_lent: int
    citizens_served: int
    created_at: datetime

    @staticmethod
    def resolve_district(obj) -> str | None:
        return _district_code(obj)


class LendingPageOut(_Page):
    totals: LendingTotalsOut
    items: list[LendingRecordOut]


class DeskCoverageOut(Schema):
    share: float = Field(description="Of the city's area covered, from 0 to 1")
    access_points: int = Field(description="Access points in service counted")
    computed_at: datetime


class DeskSummaryOut(Schema):
    department: str = Field(description="The code of the department that keeps the registries")
    counts: dict[str, int] = Field(
        description="Rows in service per layer and `charger_units`, the chargers at the sites"
    )
    coverage: DeskCoverageOut | None = Field(description="Null until first computed")
    lending: LendingTotalsOut
