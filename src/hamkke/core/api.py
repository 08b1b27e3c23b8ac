"""Open API of core: the city, its districts and departments, and locating a point."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from hamkke.core import selectors
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
    city = selectors.current_city()
    return CityOut(
        slug=city.slug, name=city.name, name_en=city.name_en,
        default_language=city.default_language, time_zone=city.time_zone,
        center=(city.center_lat, city.center_lon), zoom=city.zoom, area_km2=city.area_km2,
    )


@router.get("/districts", response=list[DistrictOut], summary="The city's districts")
def list_districts(request: HttpRequest):
    return selectors.districts_of(selectors.current_city())


@router.get("/districts.geojson", summary="District boundaries as a GeoJSON FeatureCollection")
def districts_geojson(request: HttpRequest):
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": d.code,
                "properties": {"code": d.code, "name": d.name, "name_en": d.name_en},
                "geometry": d.geometry,
            }
            for d in selectors.districts_of(selectors.current_city())
        ],
    }


@router.get("/departments", response=list[DepartmentOut], summary="The city's departments")
def list_departments(request: HttpRequest):
    return [
        DepartmentOut(code=d.code, name=d.name, name_en=d.name_en,
                      district=d.district.code if d.district else None)
        for d in selectors.departments_of(selectors.current_city())
    ]


@router.get("/locate", response=LocateOut, summary="Which district a point is in")
def locate_point(request: HttpRequest, latitude: float, longitude: float):
    """Answers 400 `outside_city` for a point outside the city. Nothing is stored."""
    district = selectors.district_at(selectors.current_city(), latitude, longitude)
    return LocateOut(
        latitude=latitude, longitude=longitude, district=district,
        h3_cell=cell_for(latitude, longitude),
    )
