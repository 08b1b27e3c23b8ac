"""The public map's data (/api/v1/iot/assets.geojson): every asset with its latest state, as a
GeoJSON FeatureCollection, filtered by kind, district and box. Nothing personal: assets and
their measured attributes only (no devices, no secrets)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Query, Router

from hamkke.core.city.selectors import current_city
from hamkke.iot.models import AssetKind
from hamkke.iot.pages import selectors
from hamkke.iot.schemas import ErrorOut
from hamkke.places import geojson as places_geojson
from hamkke.places.schemas import FEATURE_COLLECTION_SCHEMA, document

router = Router(tags=["iot"])


def _moment(value) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def feature(row: dict) -> dict:
    """One asset as a GeoJSON Feature: its id, kind, NGSI-LD entity, name, district, page,
    state attributes and their observedAt; a lot's free and total spots."""
    properties = {
        "id": row["pk"],
        "kind": row["kind"],
        "entity": row["entity_id"],
        "name": row["name"] or row["ref"],
        "district": row["district__code"] or "",
        "url": reverse("iot:asset", args=[row["pk"]]),
        **(row["state__attributes"] or {}),
        "observedAt": _moment(row["state__observed_at"]),
    }
    if row["kind"] == AssetKind.OFF_STREET_PARKING:
        free, total = row["lot"]
        properties.update(availableSpotNumber=free, totalSpotNumber=total)
    return {
        "type": "Feature",
        "id": row["pk"],
        "geometry": {
            "type": "Point",
            "coordinates": [round(row["longitude"], 6), round(row["latitude"], 6)],
        },
        "properties": properties,
    }


@router.get(
    "/assets.geojson",
    response={400: ErrorOut},
    summary="The assets and their latest state, as a GeoJSON FeatureCollection",
    url_name="iot_assets_geojson",
    openapi_extra={
        "responses": document(
            places_geojson.CONTENT_TYPE,
            FEATURE_COLLECTION_SCHEMA,
            "A FeatureCollection (application/geo+json): each asset's id, kind, NGSI-LD "
            "entity, name, district, page, state attributes and observedAt",
        )
    },
)
def assets_geojson(
    request: HttpRequest,
    kind: str = Query(
        "", description="ParkingSpot, OffStreetParking, NoParkingZone or WasteContainer"
    ),
    district: str = Query("", description="Only the assets in the district with this code"),
    bbox: str = Query("", description="Only the assets inside west,south,east,north (degrees)"),
):
    city = current_city()
    filters = selectors.map_filters(city, kind=kind, district=district, bbox=bbox)
    features = [feature(row) for row in selectors.map_rows(city, filters)]
    document_ = {"type": "FeatureCollection", "features": features}
    return HttpResponse(places_geojson.encoded(document_), content_type=places_geojson.CONTENT_TYPE)
