"""Every row of a registry (in service or not) as CSV or GeoJSON, in the columns the importer
reads (importing.COLUMNS), so an exported file edited in a spreadsheet imports back as updates.
For officials and the command; the public map's files are geojson.py's."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

from django.utils import timezone

from hamkke.core.city import selectors as city_selectors
from hamkke.core.models import City
from hamkke.places.importing import COLUMNS
from hamkke.places.models import PLACE_LAYERS, AccessPoint, Event, Layer, Place, Route, RouteStop

FORMATS = ("csv", "geojson")
CHUNK = 2_000


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "indoor" if value else "outdoor"
    if hasattr(value, "isoformat"):
        return (
            timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
        )
    return str(value)


def _stops_cell(stops: list[RouteStop]) -> str:
    return " | ".join(f"{s.name} @ {s.latitude}, {s.longitude}" for s in stops)


def rows_of(layer: str, city: City | None = None) -> Iterator[dict[str, str]]:
    """The layer's rows as {column: text}, by number."""
    city = city or city_selectors.current_city()
    columns = COLUMNS[layer]
    if layer in {x.value for x in PLACE_LAYERS}:
        query = Place.objects.filter(city=city, layer=layer).order_by("ref")
    elif layer == Layer.WIFI_APS:
        query = AccessPoint.objects.filter(city=city).select_related("site").order_by("ref")
    elif layer == Layer.EVENTS:
        query = Event.objects.filter(city=city).order_by("ref")
    else:
        yield from _routes(city)
        return
    for row in query.iterator(chunk_size=CHUNK):
        values = {name: _cell(getattr(row, name, None)) for name in columns if name != "site_ref"}
        if layer == Layer.WIFI_APS:
            values["site_ref"] = row.site.ref
        yield {name: values[name] for name in columns}


def _routes(city: City) -> Iterator[dict]:
    """Each route's row, with its stops (as `_stops`, for GeoJSON; left out of CSV)."""
    routes = Route.objects.filter(city=city).order_by("ref").prefetch_related("stops")
    for route in routes:
        stops = list(route.stops.all())
        yield {
            "ref": route.ref,
            "name": route.name,
            "name_en": route.name_en,
            "description": route.description,
            "stops": _stops_cell(stops),
            "_stops": stops,
        }


def as_csv(layer: str, city: City | None = None) -> Iterator[str]:
    """The CSV text in pieces (a byte-order mark first, so Excel reads the Korean)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS[layer], lineterminator="\r\n")
    writer.writeheader()
    yield "\ufeff" + out.getvalue()
    for number, row in enumerate(rows_of(layer, city), start=1):
        if number % 500 == 1:
            out.seek(0)
            out.truncate()
        writer.writerow({name: value for name, value in row.items() if name != "_stops"})
        if number % 500 == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def _feature(layer: str, row: dict) -> dict:
    if layer == Layer.ROUTES:
        stops: list[RouteStop] = row.pop("_stops")
        properties = {**row, "stops": [stop.name for stop in stops]}
        geometry = {
            "type": "LineString",
            "coordinates": [[stop.longitude, stop.latitude] for stop in stops],
        }
    else:
        properties = {k: v for k, v in row.items() if k not in ("latitude", "longitude")}
        geometry = {
            "type": "Point",
            "coordinates": [float(row["longitude"]), float(row["latitude"])],
        }
    return {"type": "Feature", "geometry": geometry, "properties": {"layer": layer, **properties}}


def as_geojson(layer: str, city: City | None = None) -> Iterator[str]:
    """A FeatureCollection, streamed feature by feature."""
    yield '{"type": "FeatureCollection", "features": ['
    for number, row in enumerate(rows_of(layer, city)):
        yield ("," if number else "") + json.dumps(_feature(layer, row), ensure_ascii=False)
    yield "]}"


def file_name(layer: str, file_format: str, city: City | None = None) -> str:
    city = city or city_selectors.current_city()
    return f"{city.slug}-{layer}-{timezone.localdate():%Y%m%d}.{file_format}"
