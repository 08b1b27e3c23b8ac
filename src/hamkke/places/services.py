"""Every write of Places: one checked save per registry (WiFi sites and access points, charger
sites, facilities, events, routes) that inserts or updates by the registry's own number, the
lending record, and the WiFi coverage recomputed after every change. A row's checks are the
importer's too (importing.py), so a file and a form refuse the same things in the same words."""

from __future__ import annotations

import itertools
import logging
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hamkke.accounts.models import User
from hamkke.accounts.seats import seat_at
from hamkke.core.actors import Actor
from hamkke.core.audit.services import record_audit
from hamkke.core.city import selectors as city_selectors
from hamkke.core.errors import Conflict, InvalidInput
from hamkke.core.geo import distance_m
from hamkke.core.models import City, Department, District
from hamkke.core.text import clean_text
from hamkke.core.web.bounds import MOMENTS_TEXT, moment_in_range
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
    RouteStop,
    Status,
)
from hamkke.places.profile import PlacesSection

logger = logging.getLogger(__name__)

MAX_COUNT = 100_000


def places_settings(city: City | None = None) -> PlacesSection:
    city = city or city_selectors.current_city()
    # Read once per City object and profile: an import asks for it on every row.
    cached = getattr(city, "_places_section", None)
    if cached is None or cached[0] is not city.profile:
        cached = (city.profile, PlacesSection.model_validate(city.profile.get("places") or {}))
        city._places_section = cached
    return cached[1]


def keeper_of(city: City) -> Department | None:
    """The department that keeps the registries (`[places] department`)."""
    code = places_settings(city).department
    return Department.objects.filter(city=city, code=code).first() if code else None


def _keeper_or_refuse(city: City) -> Department:
    department = keeper_of(city)
    if department is None:
        raise Conflict(
            _("No department keeps the places: set [places] department in the profile."),
            code="no_department",
        )
    return department


def require_editor(actor: Actor | User | None, city: City) -> None:
    """The keeping department's handler (None: the site's operator, from a command)."""
    if actor is None:
        return
    policies.may_edit(seat_at(Actor.of(actor), _keeper_or_refuse(city))).enforce()


# --- the checks every row passes -------------------------------------------------------------


def text(value: Any, *, field: str, limit: int, required: bool = False) -> str:
    cleaned = clean_text(None if value is None else str(value))
    if required and not cleaned:
        raise InvalidInput(_("This field cannot be empty."), field=field)
    if len(cleaned) > limit:
        raise InvalidInput(
            _("Keep this under %(limit)s characters.") % {"limit": f"{limit:,}"}, field=field
        )
    return cleaned


def whole(value: Any, *, field: str, low: int = 0, high: int = MAX_COUNT) -> int | None:
    """A whole number in [low, high] written with ASCII digits (None when empty)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise InvalidInput(_("Give a whole number."), field=field)
    if isinstance(value, int):
        number = value
    else:
        written = str(value).strip()
        if not written.isascii() or not written.lstrip("-").isdigit():
            raise InvalidInput(_("Give a whole number in ordinary digits."), field=field)
        number = int(written)
    if not low <= number <= high:
        raise InvalidInput(
            _("Give a number from %(low)s to %(high)s.") % {"low": low, "high": f"{high:,}"},
            field=field,
        )
    return number


# ASCII digits only: float() would also read Arabic-Indic or full-width digits.
_DECIMAL = re.compile(r"\s*[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*", re.ASCII)


def _coordinate(value: Any) -> float:
    if isinstance(value, bool):
        raise TypeError(value)
    if isinstance(value, str) and not _DECIMAL.fullmatch(value):
        raise ValueError(value)
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(value)
    return number


def located(city: City, latitude: Any, longitude: Any) -> tuple[float, float, District]:
    """A point inside the city and its district; refused with the field named otherwise (a
    point whose two numbers are the other way round is named as swapped)."""
    try:
        lat, lon = _coordinate(latitude), _coordinate(longitude)
    except (TypeError, ValueError) as error:
        raise InvalidInput(
            _("Give the latitude and longitude as numbers."), field="latitude"
        ) from error
    index = city_selectors.district_index(city)
    in_range = -90 <= lat <= 90 and -180 <= lon <= 180
    code = index.district_of(lat, lon) if in_range else None
    if code is None:
        if -90 <= lon <= 90 and -180 <= lat <= 180 and index.district_of(lon, lat) is not None:
            raise InvalidInput(
                _(
                    "The latitude and longitude are swapped: (%(lat)s, %(lon)s) lies inside the "
                    "city the other way round."
                )
                % {"lat": lat, "lon": lon},
                field="latitude",
                code="swapped",
            )
        if not in_range:
            raise InvalidInput(_("The latitude or longitude is out of range."), field="latitude")
        raise InvalidInput(
            _("This point is outside the city."), field="latitude", code="outside_city"
        )
    return lat, lon, districts_of(city)[code]


def districts_of(city: City) -> dict[str, District]:
    """The city's districts by code, read once per City object (an import locates every
    row)."""
    districts = getattr(city, "_places_districts", None)
    if districts is None:
        districts = {d.code: d for d in District.objects.filter(city=city)}
        city._places_districts = districts
    return districts


def checked_hours(value: Any, *, field: str = "hours") -> str:
    written = text(value, field=field, limit=300)
    if written:
        from hamkke.places.hours import HoursError, parse_hours

        try:
            parse_hours(written)
        except HoursError as error:
            raise InvalidInput(str(error), field=field) from error
    return written


def checked_url(value: Any, *, field: str) -> str:
    url = text(value, field=field, limit=500)
    if url and not url.startswith(("https://", "http://")):
        raise InvalidInput(_("Give a web address starting with https://."), field=field)
    return url


def _status(value: Any) -> str:
    status = str(value or Status.ACTIVE)
    if status not in Status.values:
        raise InvalidInput(_("Choose one of the statuses."), field="status")
    return status


def _indoor(value: Any) -> bool | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in {"indoor", "in", "실내", "true", "1", "yes"}:
        return True
    if word in {"outdoor", "out", "실외", "false", "0", "no"}:
        return False
    raise InvalidInput(_("Say indoor or outdoor."), field="indoor")


def install_type_code(city: City, written: str) -> str:
    """The profile's install type a file's words name ("7-1. 공원(하천)" → "park"), or the
    words themselves when no type claims them."""
    words = written.strip()
    bare = words.split(".", 1)[1].strip() if "." in words[:5] else words
    for kind in places_settings(city).install_types:
        if (
            words == kind.code
            or bare in {kind.name, kind.name_en, *kind.aliases}
            or (words in kind.aliases)
        ):
            return kind.code
    return words[:64]


# --- saving ----------------------------------------------------------------------------------


def _touch_coverage(city: City, layer: str) -> None:
    """WiFi changed: the coverage is recomputed once the change commits."""
    if layer in (Layer.WIFI_SITES, Layer.WIFI_APS):
        transaction.on_commit(lambda: recompute_coverage(city=city))


@transaction.atomic
def save_place(
    *,
    actor: Actor | User | None,
    layer: str,
    values: Mapping[str, Any],
    city: City | None = None,
    recompute: bool = True,
    audit: bool = True,
) -> tuple[Place, bool]:
    """Insert or update (by `ref`) a WiFi site, charger site or facility from `values` (the
    model's field names; latitude and longitude required). Returns the row and whether it was
    new."""
    city = city or city_selectors.current_city()
    require_editor(actor, city)
    if layer not in [x.value for x in PLACE_LAYERS]:
        raise InvalidInput(_("Choose one of the layers."), field="layer")
    ref = text(values.get("ref"), field="ref", limit=64, required=True)
    lat, lon, district = located(city, values.get("latitude"), values.get("longitude"))
    kind = text(values.get("kind"), field="kind", limit=64)
    if layer == Layer.FACILITIES:
        kinds = {k.code for k in places_settings(city).facility_kinds}
        if kind not in kinds:
            raise InvalidInput(_("Choose one of the city's kinds of facility."), field="kind")
    if layer == Layer.WIFI_SITES and kind:
        kind = install_type_code(city, kind)
    fields = {
        "name": text(values.get("name"), field="name", limit=200, required=True),
        "name_en": text(values.get("name_en"), field="name_en", limit=200),
        "kind": kind,
        "address": text(values.get("address"), field="address", limit=300),
        "hours": checked_hours(values.get("hours")),
        "phone": text(values.get("phone"), field="phone", limit=40),
        "url": checked_url(values.get("url"), field="url"),
        "description": text(values.get("description"), field="description", limit=5000),
        "operator": text(values.get("operator"), field="operator", limit=200),
        "network": text(values.get("network"), field="network", limit=64),
        "install_year": whole(
            values.get("install_year"), field="install_year", low=1900, high=2999
        ),
        "indoor": _indoor(values.get("indoor")),
        "charger_count": whole(values.get("charger_count"), field="charger_count"),
        "charger_kinds": text(values.get("charger_kinds"), field="charger_kinds", limit=200),
        "status": _status(values.get("status")),
        "latitude": lat,
        "longitude": lon,
        "cell": nearby.cell_of(lat, lon),
        "district": district,
        "updated_at": timezone.now(),
    }
    if layer == Layer.CHARGERS and not fields["charger_count"]:
        raise InvalidInput(_("Give the number of chargers (at least one)."), field="charger_count")
    place, created = Place.objects.update_or_create(
        city=city, layer=layer, ref=ref, defaults=fields
    )
    if audit:  # an import audits the whole file once (core/imports), not each row
        record_audit(
            actor=Actor.of(actor) if actor else None,
            action="places.created" if created else "places.updated",
            target=place,
        )
    if recompute:
        _touch_coverage(city, layer)
    return place, created


@transaction.atomic
def save_access_point(
    *,
    actor: Actor | User | None,
    values: Mapping[str, Any],
    city: City | None = None,
    recompute: bool = True,
    site: Place | None = None,
) -> tuple[AccessPoint, bool]:
    """Insert or update (by `ref`) an access point of the WiFi site `values["site_ref"]`; its
    point defaults to the site's. `site`: that site already read (an import's)."""
    city = city or city_selectors.current_city()
    require_editor(actor, city)
    ref = text(values.get("ref"), field="ref", limit=64, required=True)
    site_ref = text(values.get("site_ref"), field="site_ref", limit=64, required=True)
    if site is None or site.ref != site_ref or site.layer != Layer.WIFI_SITES:
        site = Place.objects.filter(city=city, layer=Layer.WIFI_SITES, ref=site_ref).first()
    if site is None:
        raise InvalidInput(_("There is no WiFi site with that number."), field="site_ref")
    if values.get("latitude") in (None, "") and values.get("longitude") in (None, ""):
        lat, lon, district = site.latitude, site.longitude, site.district
    else:
        lat, lon, district = located(city, values.get("latitude"), values.get("longitude"))
    install_type = text(values.get("install_type"), field="install_type", limit=64)
    fields = {
        "site": site,
        "ssid": text(values.get("ssid"), field="ssid", limit=64),
        "provider": text(values.get("provider"), field="provider", limit=64),
        "operator": text(values.get("operator"), field="operator", limit=200),
        "install_type": install_type_code(city, install_type) if install_type else site.kind,
        "indoor": _indoor(values.get("indoor")),
        "install_year": whole(
            values.get("install_year"), field="install_year", low=1900, high=2999
        ),
        "status": _status(values.get("status")),
        "latitude": lat,
        "longitude": lon,
        "cell": nearby.cell_of(lat, lon),
        "district": district,
        "updated_at": timezone.now(),
    }
    point, created = AccessPoint.objects.update_or_create(city=city, ref=ref, defaults=fields)
    if recompute:
        _touch_coverage(city, Layer.WIFI_APS)
    return point, created


def _moment(value: Any, *, field: str) -> datetime:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError as error:
            raise InvalidInput(
                _("Give a date and time like 2026-05-01 10:00."), field=field
            ) from error
    if not isinstance(value, datetime):
        raise InvalidInput(_("Give a date and time like 2026-05-01 10:00."), field=field)
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if not moment_in_range(value):
        raise InvalidInput(MOMENTS_TEXT, field=field)
    return value


@transaction.atomic
def save_event(
    *, actor: Actor | User | None, values: Mapping[str, Any], city: City | None = None
) -> tuple[Event, bool]:
    city = city or city_selectors.current_city()
    require_editor(actor, city)
    ref = text(values.get("ref"), field="ref", limit=64, required=True)
    lat, lon, district = located(city, values.get("latitude"), values.get("longitude"))
    starts = _moment(values.get("starts_at"), field="starts_at")
    ends = _moment(values.get("ends_at"), field="ends_at")
    if ends < starts:
        raise InvalidInput(_("An event ends after it starts."), field="ends_at")
    languages = ",".join(
        code.strip().lower()
        for code in text(values.get("languages"), field="languages", limit=100).split(",")
        if code.strip()
    )
    fields = {
        "title": text(values.get("title"), field="title", limit=200, required=True),
        "title_en": text(values.get("title_en"), field="title_en", limit=200),
        "kind": text(values.get("kind"), field="kind", limit=64),
        "description": text(values.get("description"), field="description", limit=5000),
        "venue": text(values.get("venue"), field="venue", limit=200),
        "address": text(values.get("address"), field="address", limit=300),
        "starts_at": starts,
        "ends_at": ends,
        "hours": checked_hours(values.get("hours")),
        "booking_url": checked_url(values.get("booking_url"), field="booking_url"),
        "languages": languages,
        "latitude": lat,
        "longitude": lon,
        "cell": nearby.cell_of(lat, lon),
        "district": district,
        "updated_at": timezone.now(),
    }
    event, created = Event.objects.update_or_create(city=city, ref=ref, defaults=fields)
    return event, created


@dataclass(frozen=True)
class StopDraft:
    name: str
    latitude: float
    longitude: float
    place: Place | None = None


WALKING_KMH = 4.0


@transaction.atomic
def save_route(
    *,
    actor: Actor | User | None,
    values: Mapping[str, Any],
    stops: Sequence[StopDraft],
    city: City | None = None,
) -> tuple[Route, bool]:
    """A visiting route through `stops` in their order (at least two), its walking distance
    (straight lines between stops) and time computed here."""
    city = city or city_selectors.current_city()
    require_editor(actor, city)
    ref = text(values.get("ref"), field="ref", limit=64, required=True)
    if len(stops) < 2:
        raise InvalidInput(_("A route needs at least two stops."), field="stops")
    if len(stops) > 50:
        raise InvalidInput(_("A route has at most 50 stops."), field="stops")
    checked = []
    for stop in stops:
        lat, lon, _district = located(city, stop.latitude, stop.longitude)
        checked.append(
            (text(stop.name, field="stops", limit=200, required=True), lat, lon, stop.place)
        )
    metres = sum(distance_m(a[1], a[2], b[1], b[2]) for a, b in itertools.pairwise(checked))
    route, created = Route.objects.update_or_create(
        city=city,
        ref=ref,
        defaults={
            "name": text(values.get("name"), field="name", limit=200, required=True),
            "name_en": text(values.get("name_en"), field="name_en", limit=200),
            "description": text(values.get("description"), field="description", limit=5000),
            "distance_m": round(metres),
            "minutes": max(1, round(metres / 1000 / WALKING_KMH * 60)),
            "updated_at": timezone.now(),
        },
    )
    RouteStop.objects.filter(route=route).delete()
    RouteStop.objects.bulk_create(
        [
            RouteStop(route=route, order=order, name=name, latitude=lat, longitude=lon, place=place)
            for order, (name, lat, lon, place) in enumerate(checked, start=1)
        ]
    )
    return route, created


@transaction.atomic
def record_lending(
    *,
    actor: Actor | User | None,
    event_name: str,
    held_on: date,
    chargers_lent: Any,
    citizens_served: Any,
    venue: str = "",
    district: District | None = None,
    city: City | None = None,
) -> Lending:
    """Chargers lent at a city event and the citizens served there."""
    city = city or city_selectors.current_city()
    require_editor(actor, city)
    if not isinstance(held_on, date) or not 1900 <= held_on.year <= 2999:
        raise InvalidInput(_("Give a date between the years 1900 and 2999."), field="held_on")
    lent = whole(chargers_lent, field="chargers_lent")
    served = whole(citizens_served, field="citizens_served", high=10_000_000)
    if lent is None or served is None:
        raise InvalidInput(
            _("Give the chargers lent and the citizens served."), field="chargers_lent"
        )
    if district is not None and district.city_id != city.pk:
        raise InvalidInput(_("Choose one of the city's districts."), field="district")
    lending = Lending.objects.create(
        city=city,
        event_name=text(event_name, field="event_name", limit=200, required=True),
        held_on=held_on,
        venue=text(venue, field="venue", limit=200),
        district=district,
        chargers_lent=lent,
        citizens_served=served,
        recorded_by=Actor.of(actor).user if actor else None,
    )
    record_audit(actor=Actor.of(actor) if actor else None, action="places.lending", target=lending)
    return lending


@transaction.atomic
def retire(*, actor: Actor | User | None, place: Place) -> Place:
    """Take a place off the public map (kept in the registry, out of service)."""
    return _set_status(actor, place, Status.CLOSED, "places.retired")


@transaction.atomic
def reinstate(*, actor: Actor | User | None, place: Place) -> Place:
    """Put a place back in service, on the public map (its other fields as they are)."""
    return _set_status(actor, place, Status.ACTIVE, "places.reinstated")


def _set_status(actor: Actor | User | None, place: Place, status: str, action: str) -> Place:
    require_editor(actor, place.city)
    Place.objects.filter(pk=place.pk).update(status=status, updated_at=timezone.now())
    place.refresh_from_db()
    record_audit(actor=Actor.of(actor) if actor else None, action=action, target=place)
    _touch_coverage(place.city, place.layer)
    return place


# --- coverage ------------------------------------------------------------------------------------


def radius_table(city: City) -> dict[str, float]:
    section = places_settings(city)
    table = {kind.code: kind.radius_m for kind in section.install_types}
    table["default"] = section.default_radius_m
    return table


def recompute_coverage(*, city: City | None = None) -> CoverageSnapshot:
    """The WiFi coverage of the access points in service: the union of circles (the radius of
    each one's install type) clipped to the city, in the profile's metric projection, for the
    city and each district (places/coverage.py); kept as the city's one snapshot."""
    from shapely.geometry import mapping

    from hamkke.places.coverage import compute_coverage

    city = city or city_selectors.current_city()
    section = places_settings(city)
    radii = radius_table(city)
    points = [
        (lon, lat, radii.get(kind, section.default_radius_m))
        for lat, lon, kind in AccessPoint.objects.filter(city=city)
        .exclude(status=Status.CLOSED)
        # A retired site's access points leave the map with it (selectors.layer_rows).
        .exclude(site__status=Status.CLOSED)
        .values_list("latitude", "longitude", "install_type")
    ]
    outlines = {
        district.code: geometry for district, geometry in city_selectors.district_outlines(city)
    }
    result = compute_coverage(points, outlines, section.crs)
    snapshot, _created = CoverageSnapshot.objects.update_or_create(
        city=city,
        defaults={
            "computed_at": timezone.now(),
            "crs": result.crs,
            "radius_m": radii,
            "access_points": len(points),
            "area_km2": result.city.area_km2,
            "covered_km2": result.city.covered_km2,
            "share": result.city.share,
            "districts": [
                {
                    "code": d.code,
                    "area_km2": d.area_km2,
                    "covered_km2": d.covered_km2,
                    "share": d.share,
                }
                for d in result.districts
            ],
            "geometry": mapping(result.covered_wgs84),
        },
    )
    return snapshot
