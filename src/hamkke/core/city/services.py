"""Writes about the city itself: loading (or reloading) its profile, placing a point in it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from hamkke.core.city import selectors as city_selectors
from hamkke.core.geo import cell_for, coarse_cell_for
from hamkke.core.models import (
    City,
    Department,
    District,
    DistrictBoundary,
    Location,
)
from hamkke.core.profiles import LoadedProfile, ProfileError, read_profile
from hamkke.core.service_app import profile_sections, resolve

if TYPE_CHECKING:
    pass


def profile_folder(slug: str) -> Path:
    folder = Path(settings.HAMKKE_CITIES_DIR) / slug
    if not folder.is_dir():
        known = sorted(p.name for p in Path(settings.HAMKKE_CITIES_DIR).iterdir() if p.is_dir())
        raise ProfileError(f"{folder}: no such city profile (known: {', '.join(known)})")
    return folder


@transaction.atomic
def load_city(*, slug: str, folder: Path | None = None) -> City:
    """Load (or reload) a city profile. Idempotent: districts and departments are matched by
    code; each installed service then reads its own lists from the profile."""
    loaded = read_profile(folder or profile_folder(slug))
    basics = loaded.profile.city
    city, _created = City.objects.update_or_create(
        slug=basics.slug,
        defaults={
            "name": basics.name,
            "name_en": basics.name_en,
            "default_language": basics.default_language,
            "time_zone": basics.time_zone,
            "center_lat": basics.map.center[0],
            "center_lon": basics.map.center[1],
            "zoom": basics.map.zoom,
            "boundary": loaded.boundary,
            "area_km2": loaded.area_km2,
            "profile": loaded.profile.model_dump(mode="json"),
            "loaded_at": timezone.now(),
        },
    )
    _sync_districts(city, loaded)
    _sync_departments(city, loaded)
    for loader in _profile_loaders():
        loader(city=city)
    city_selectors.forget_current_city()
    return city


def _sync_districts(city: City, loaded: LoadedProfile) -> None:
    for district in loaded.districts:
        row, _created = District.objects.update_or_create(
            city=city,
            code=district.code,
            defaults={
                "name": district.name,
                "name_en": district.name_en,
                "area_km2": district.area_km2,
            },
        )
        DistrictBoundary.objects.update_or_create(
            district=row, defaults={"geometry": district.geometry}
        )


def _sync_departments(city: City, loaded: LoadedProfile) -> None:
    for department in loaded.profile.departments:
        Department.objects.update_or_create(
            city=city,
            code=department.code,
            defaults={
                "name": department.name,
                "name_en": department.name_en,
                "email": department.email,
                "district": None,
            },
        )
    offices = loaded.profile.district_offices
    if offices is None:
        return
    for district in city.districts.all():
        Department.objects.update_or_create(
            city=city,
            code=f"office-{district.code}".lower(),
            defaults={
                "name": offices.name.format(district=district.name),
                "name_en": offices.name_en.format(district_en=district.name_en or district.name),
                "district": district,
            },
        )


def _profile_loaders():
    """Each service's `ProfileSection.loader`: the function that turns its table of the profile
    into its own rows (categories, areas, …)."""
    for section in profile_sections():
        if section.loader:
            yield resolve(section.loader)


def locate(
    *, latitude: float, longitude: float, address: str = "", city: City | None = None
) -> Location:
    """Store a point in the city with its district and H3 cells; a point outside the city is
    refused with a message a person understands."""
    city = city or city_selectors.current_city()
    district = city_selectors.district_at(city, latitude, longitude)
    latitude, longitude = float(latitude), float(longitude)
    return Location.objects.create(
        latitude=latitude,
        longitude=longitude,
        h3_cell=cell_for(latitude, longitude),
        h3_area=coarse_cell_for(latitude, longitude),
        district=district,
        address=address.strip()[:300],
    )
