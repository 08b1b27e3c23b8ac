"""Reads about the city this site serves: the city row, its districts and departments, and
places found by name."""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from hamkke.core import geo, geocoding
from hamkke.core.errors import InvalidInput, NotFound, OutsideCity
from hamkke.core.geo import DistrictIndex
from hamkke.core.models import (
    City,
    Department,
    District,
    DistrictBoundary,
)

# An official of this role or higher in any department moderates (accounts.Role.MANAGER).


# Per process: rebuilt when the profile is loaded again (the key carries loaded_at).
_district_indexes: dict[tuple[int, str], DistrictIndex] = {}


# The city row is read on every page. Each process keeps it for a short while: a profile
# reloaded by `hamkke city load` reaches the other processes within CITY_MEMO_SECONDS, and
# the process that loaded it forgets at once.
CITY_MEMO_SECONDS = 30.0


_city_memo: dict[str, tuple[float, City]] = {}


def current_city() -> City:
    """The city named by HAMKKE_CITY."""
    slug = settings.HAMKKE_CITY
    memo = _city_memo.get(slug)
    now = time.monotonic()
    if memo is not None and now - memo[0] < CITY_MEMO_SECONDS:
        return memo[1]
    city = City.objects.filter(slug=slug).first()
    if city is None:
        raise NotFound(
            f"The city profile {slug!r} is not loaded: run `hamkke city load {slug}`.",
            code="city_not_loaded",
        )
    _city_memo[slug] = (now, city)
    return city


def forget_current_city() -> None:
    _city_memo.clear()


def district_index(city: City) -> DistrictIndex:
    key = (city.pk, city.loaded_at.isoformat())
    index = _district_indexes.get(key)
    if index is None:
        outlines = DistrictBoundary.objects.filter(district__city_id=city.pk).values_list(
            "district__code", "geometry"
        )
        index = DistrictIndex(dict(outlines))
        _district_indexes.clear()
        _district_indexes[key] = index
    return index


def district_by_code(city: City, code: str) -> District:
    try:
        return city.districts.get(code=code)
    except District.DoesNotExist as exc:
        raise NotFound(f"No district with code {code!r}.") from exc


def district_outlines(city: City) -> list[tuple[District, dict]]:
    """Each district with its GeoJSON outline, for maps."""
    outlines = DistrictBoundary.objects.filter(district__city=city).select_related("district")
    return [(o.district, o.geometry) for o in outlines.order_by("district__name")]


def districts_of(city: City) -> list[District]:
    return list(city.districts.order_by("name"))


def departments_of(city: City) -> list[Department]:
    return list(city.departments.select_related("district").order_by("name"))


def district_at(city: City, latitude: float, longitude: float) -> District:
    """The district a point is in. Raises InvalidInput for a malformed point and OutsideCity
    for a point outside every district."""
    try:
        latitude, longitude = float(latitude), float(longitude)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(_("Latitude and longitude must be numbers."), field="location") from exc
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise InvalidInput(
            _("Latitude must be between -90 and 90 and longitude between -180 and 180."),
            field="location",
        )
    code = district_index(city).district_of(latitude, longitude)
    if code is None:
        raise OutsideCity(
            _("That place (%(lat).5f, %(lon).5f) is outside %(city)s. Choose a point in the city.")
            % {"lat": latitude, "lon": longitude, "city": city.display_name},
            field="location",
        )
    return city.districts.get(code=code)


MAX_PLACE_QUERY = 200


MAX_PLACES = 20


@dataclass(frozen=True)
class FoundPlace:
    """A place the geocoder found, with the district it lies in."""

    place: geocoding.Place
    district: District

    @property
    def display_name(self) -> str:
        if (get_language() or "").startswith("en") and self.place.name_en:
            return self.place.name_en
        return self.place.name


def find_places(city: City, query: str, *, limit: int = 5) -> list[FoundPlace]:
    """Places matching a name or an address, best first, each with its district, through the
    backend HAMKKE_GEOCODER names. Raises InvalidInput for an empty or over-long query; a
    place outside every district is left out, since no report could be filed there."""
    text = (query or "").strip()
    if not text:
        raise InvalidInput(
            _("Type an address or the name of a place to search for."), field="q", code="empty"
        )
    if len(text) > MAX_PLACE_QUERY:
        raise InvalidInput(
            _("Search for at most %(max)s characters (this has %(count)s).")
            % {"max": MAX_PLACE_QUERY, "count": len(text)},
            field="q",
            code="too_long",
        )
    limit = max(1, min(limit, MAX_PLACES))
    places = geocoding.get_geocoder(city).search(text, limit=limit)
    # district_at for each place, with one query for all the districts instead of one each.
    index = district_index(city)
    codes = [index.district_of(place.latitude, place.longitude) for place in places]
    districts = {d.code: d for d in city.districts.filter(code__in=[c for c in codes if c])}
    return [
        FoundPlace(place, districts[code])
        for place, code in zip(places, codes, strict=True)
        if code in districts
    ]


# --- maps (helper maps) ---

# Per process, like the district index: rebuilt when the profile is loaded again.
_map_outlines: dict[tuple[int, str], dict] = {}


def map_outline(city: City) -> dict:
    """The city's boundary and its districts' outlines, simplified for drawing, as one GeoJSON
    FeatureCollection: the city first (`kind` "city"), then each district (`kind` "district")
    with its code, names, area and the point where its name reads best (`label`, as
    [longitude, latitude]). Every map of the site draws it as its base layer."""
    key = (city.pk, city.loaded_at.isoformat())
    outline = _map_outlines.get(key)
    if outline is not None:
        return outline
    features = [
        {
            "type": "Feature",
            "id": city.slug,
            "properties": {"kind": "city", "name": city.name, "name_en": city.name_en},
            "geometry": geo.map_shape(city.boundary),
        }
    ]
    for district, geometry in district_outlines(city):
        features.append(
            {
                "type": "Feature",
                "id": district.code,
                "properties": {
                    "kind": "district",
                    "code": district.code,
                    "name": district.name,
                    "name_en": district.name_en,
                    "area_km2": district.area_km2,
                    "label": list(geo.label_point(geometry)),
                },
                "geometry": geo.map_shape(geometry),
            }
        )
    outline = {"type": "FeatureCollection", "features": features}
    _map_outlines.clear()
    _map_outlines[key] = outline
    return outline
