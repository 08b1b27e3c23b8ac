"""Writes shared by every service: loading a city profile and placing a point in the city."""

from __future__ import annotations

import importlib
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from hamkke.core import selectors
from hamkke.core.geo import cell_for, coarse_cell_for
from hamkke.core.models import City, Department, District, Location
from hamkke.core.profiles import LoadedProfile, ProfileError, read_profile


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
    selectors.forget_current_city()
    return city


def _sync_districts(city: City, loaded: LoadedProfile) -> None:
    for district in loaded.districts:
        District.objects.update_or_create(
            city=city,
            code=district.code,
            defaults={
                "name": district.name,
                "name_en": district.name_en,
                "geometry": district.geometry,
                "area_km2": district.area_km2,
            },
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
    """Each service app may name a `city_profile_loader` (dotted path) on its AppConfig: the
    function that turns its part of the profile into its own rows (categories, themes, …)."""
    for config in apps.get_app_configs():
        dotted = getattr(config, "city_profile_loader", None)
        if dotted:
            module_name, _sep, attr = dotted.rpartition(".")
            yield getattr(importlib.import_module(module_name), attr)


def locate(
    *, latitude: float, longitude: float, address: str = "", city: City | None = None
) -> Location:
    """Store a point in the city with its district and H3 cells; a point outside the city is
    refused with a message a person understands."""
    city = city or selectors.current_city()
    district = selectors.district_at(city, latitude, longitude)
    latitude, longitude = float(latitude), float(longitude)
    return Location.objects.create(
        latitude=latitude,
        longitude=longitude,
        h3_cell=cell_for(latitude, longitude),
        h3_area=coarse_cell_for(latitude, longitude),
        district=district,
        address=address.strip()[:300],
    )
