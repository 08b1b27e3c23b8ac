"""Reads shared by every service: the city this site serves, its districts and departments."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from hamkke.core.errors import InvalidInput, NotFound, OutsideCity
from hamkke.core.geo import DistrictIndex
from hamkke.core.models import City, Department, District

# Per process: rebuilt when the profile is loaded again (the key carries loaded_at).
_district_indexes: dict[tuple[int, str], DistrictIndex] = {}


def current_city() -> City:
    """The city named by HAMKKE_CITY. Cached briefly: it is read on every page."""
    key = f"hamkke:city:{settings.HAMKKE_CITY}"
    city = cache.get(key)
    if city is None:
        city = City.objects.filter(slug=settings.HAMKKE_CITY).first()
        if city is None:
            raise NotFound(
                f"The city profile {settings.HAMKKE_CITY!r} is not loaded: "
                f"run `hamkke city load {settings.HAMKKE_CITY}`.",
                code="city_not_loaded",
            )
        cache.set(key, city, 60)
    return city


def forget_current_city() -> None:
    cache.delete(f"hamkke:city:{settings.HAMKKE_CITY}")


def district_index(city: City) -> DistrictIndex:
    key = (city.pk, city.loaded_at.isoformat())
    index = _district_indexes.get(key)
    if index is None:
        districts = City.objects.get(pk=city.pk).districts.values_list("code", "geometry")
        index = DistrictIndex(dict(districts))
        _district_indexes.clear()
        _district_indexes[key] = index
    return index


def district_by_code(city: City, code: str) -> District:
    try:
        return city.districts.get(code=code)
    except District.DoesNotExist as exc:
        raise NotFound(f"No district with code {code!r}.") from exc


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
