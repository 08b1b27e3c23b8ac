"""Open API of the city itself: the city, its districts and departments, locating a point,
finding places by name or address."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema

from hamkke.core import ratelimit
from hamkke.core.city import selectors as city_selectors
from hamkke.core.geo import cell_for

router = Router(tags=["city"])


class CityOut(Schema):
    slug: str
    name: str
    name_en: str
    default_language: str
    time_zone: str
    center: tuple[float, float]
    zoom: int
    area_km2: float


class DistrictOut(Schema):
    code: str
    name: str
    name_en: str
    area_km2: float


class DepartmentOut(Schema):
    code: str
    name: str
    name_en: str
    district: str | None


class LocateIn(Schema):
    latitude: float
    longitude: float


class LocateOut(Schema):
    latitude: float
    longitude: float
    district: DistrictOut
    h3_cell: str


@router.get("/city", response=CityOut, summary="The city this site serves")
def get_city(request: HttpRequest):
    city = city_selectors.current_city()
    return CityOut(
        slug=city.slug,
        name=city.name,
        name_en=city.name_en,
        default_language=city.default_language,
        time_zone=city.time_zone,
        center=(city.center_lat, city.center_lon),
        zoom=city.zoom,
        area_km2=city.area_km2,
    )


@router.get("/districts", response=list[DistrictOut], summary="The city's districts")
def list_districts(request: HttpRequest):
    return city_selectors.districts_of(city_selectors.current_city())


@router.get("/districts.geojson", summary="District boundaries as a GeoJSON FeatureCollection")
def districts_geojson(request: HttpRequest):
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": d.code,
                "properties": {"code": d.code, "name": d.name, "name_en": d.name_en},
                "geometry": geometry,
            }
            for d, geometry in city_selectors.district_outlines(city_selectors.current_city())
        ],
    }


# Pages ask for it with the profile's load time in the URL, so an hour's caching never shows a
# reloaded profile's pages an old outline; an API client sees a reload within the hour.
OUTLINE_CACHE_CONTROL = "public, max-age=3600"


@router.get("/city/outline.geojson", summary="The city's and its districts' outlines, for maps")
def city_outline(request: HttpRequest):
    """A GeoJSON FeatureCollection simplified for drawing (about 10 m): the city's boundary
    (`kind` "city"), then each district (`kind` "district") with `code`, `name`, `name_en`,
    `area_km2` and `label`, the [longitude, latitude] where its name reads best. Every map of
    the site draws it, so that a map is readable without tiles."""
    outline = city_selectors.map_outline(city_selectors.current_city())
    response = HttpResponse(
        json.dumps(outline, ensure_ascii=False, separators=(",", ":")),
        content_type="application/geo+json",
    )
    response["Cache-Control"] = OUTLINE_CACHE_CONTROL
    return response


@router.get("/departments", response=list[DepartmentOut], summary="The city's departments")
def list_departments(request: HttpRequest):
    return [
        DepartmentOut(
            code=d.code,
            name=d.name,
            name_en=d.name_en,
            district=d.district.code if d.district else None,
        )
        for d in city_selectors.departments_of(city_selectors.current_city())
    ]


@router.get("/locate", response=LocateOut, summary="Which district a point is in")
def locate_point(request: HttpRequest, latitude: float, longitude: float):
    """Answers 400 `outside_city` for a point outside the city. Nothing is stored."""
    district = city_selectors.district_at(city_selectors.current_city(), latitude, longitude)
    return LocateOut(
        latitude=latitude,
        longitude=longitude,
        district=district,
        h3_cell=cell_for(latitude, longitude),
    )


class PlaceOut(Schema):
    name: str
    name_en: str
    latitude: float
    longitude: float
    kind: str = Field(..., description="district, office, station, park, landmark, …")
    district: DistrictOut


@router.get("/geocode", response=list[PlaceOut], summary="Find places by name or address")
def geocode(request: HttpRequest, q: str = "", limit: int = 5):
    """Places in the city matching `q` (Korean or English; spaces and punctuation do not
    matter), best first, each with its district; at most `limit` (1 to 20). An empty `q` or
    one over 200 characters answers 400; more than 60 searches a minute from one address, 429.
    Which geocoder answers is the deployment's choice (HAMKKE_GEOCODER)."""
    ratelimit.check(request, ratelimit.PLACE_SEARCH)
    found = city_selectors.find_places(city_selectors.current_city(), q, limit=limit)
    return [
        PlaceOut(
            name=f.place.name,
            name_en=f.place.name_en,
            latitude=f.place.latitude,
            longitude=f.place.longitude,
            kind=f.place.kind,
            district=f.district,
        )
        for f in found
    ]


# --- comments ----------------------------------------------------------------------------------


# --- notifications -----------------------------------------------------------------------------
