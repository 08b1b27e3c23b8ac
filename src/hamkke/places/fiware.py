"""WiFi sites, charger sites and facilities as FIWARE Smart Data Models `PointOfInterest`
entities (dataModel.PointOfInterest), in NGSI-LD: normalized (each attribute a Property or
GeoProperty with its value) or keyValues (the values alone), each entity with its @context.

Attributes, as the model names them: `id` (urn:ngsi-ld:PointOfInterest:<city>:<layer>:<ref>,
the registry's own number percent-encoded), `type`, `name`, `alternateName` (the English name),
`description`, `category` (a Factual taxonomy number, as the model asks, then the city's layer
and kind as extended categories), `location` (a GeoJSON Point), `address` (a PostalAddress:
street address, locality, district), `areaServed` (the district), `openingHoursSpecification`
(schema.org's, one entry per day and span), `contactPoint` (the telephone), `seeAlso` (the
place's own web site), `capacity` (a charger site's chargers: people who can charge at once),
`source` (the public page), `dataProvider` and `dateModified`. NGSI-LD has no null: an
attribute without a value is left out."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote

from hamkke.core.city import selectors as city_selectors
from hamkke.core.models import City
from hamkke.places import geojson
from hamkke.places.hours import DAY_MINUTES
from hamkke.places.models import PLACE_LAYERS, Layer

CONTENT_TYPE = "application/ld+json"
CONTEXT = [
    "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld",
    "https://raw.githubusercontent.com/smart-data-models/dataModel.PointOfInterest/master/"
    "context.jsonld",
]
LAYERS: tuple[str, ...] = tuple(layer.value for layer in PLACE_LAYERS)
NORMALIZED, KEY_VALUES = "normalized", "keyValues"
OPTIONS = (NORMALIZED, KEY_VALUES)

# Factual's taxonomy (github.com/Factual/places, categories/factual_taxonomy.json), which the
# model's `category` names: Telecommunication Services, Public and Social Services, Community
# and Government; per facility kind Libraries, Museums, Tourist Information and Services, Arts.
LAYER_CATEGORY = {Layer.WIFI_SITES: "189", Layer.CHARGERS: "52", Layer.FACILITIES: "20"}
KIND_CATEGORY = {
    "library": "44",
    "museum": "311",
    "toilet": "52",
    "tourist-info": "439",
    "community": "52",
    "workshop": "309",
}
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
COLUMNS = (
    "ref",
    "layer",
    "name",
    "name_en",
    "kind",
    "description",
    "address",
    "district__name",
    "latitude",
    "longitude",
    "hours",
    "phone",
    "url",
    "charger_count",
    "updated_at",
    "id",
)


def entity_id(city: City, layer: str, ref: str) -> str:
    # Percent-encoded (RFC 3986 unreserved characters kept) so any registry number is a URN.
    return f"urn:ngsi-ld:PointOfInterest:{city.slug}:{layer}:{quote(ref, safe='-._~')}"


def _clock(minutes: int) -> str:
    # schema.org's closing time at midnight is the last second of the day.
    if minutes >= DAY_MINUTES:
        return "23:59:59"
    return f"{minutes // 60:02d}:{minutes % 60:02d}:00"


def opening_hours(text: str) -> list[dict]:
    """schema.org OpeningHoursSpecification entries, one per day and span, from the week the
    hours make (a span past midnight is cut at midnight into its two days)."""
    hours = geojson.parsed_hours(text)
    if hours is None:
        return []
    entries = []
    for start, end in hours.week:
        while start < end:
            day, offset = divmod(start, DAY_MINUTES)
            stop = min(end, (day + 1) * DAY_MINUTES)
            entries.append(
                {
                    "dayOfWeek": DAY_NAMES[day],
                    "opens": _clock(offset),
                    "closes": _clock(stop - day * DAY_MINUTES),
                }
            )
            start = stop
    return entries


def _category(layer: str, kind: str) -> list[str]:
    factual = KIND_CATEGORY.get(kind) if layer == Layer.FACILITIES else None
    return [factual or LAYER_CATEGORY[layer], layer, *([kind] if kind else [])]


def key_values(row: dict, city: City, page, absolute) -> dict:
    """One place's entity in keyValues form; `page(id)` is its public page's path, made a URL
    by `absolute`."""
    address = {"addressLocality": city.name}
    if row["address"]:
        address["streetAddress"] = row["address"]
    if row["district__name"]:
        address["district"] = row["district__name"]
    entity = {
        "id": entity_id(city, row["layer"], row["ref"]),
        "type": "PointOfInterest",
        "name": row["name"],
        "category": _category(row["layer"], row["kind"]),
        "location": {
            "type": "Point",
            "coordinates": [round(row["longitude"], 6), round(row["latitude"], 6)],
        },
        "address": address,
        "source": absolute(page(row["id"])),
        "dataProvider": city.name_en or city.name,
        "dateModified": row["updated_at"].isoformat(),
    }
    optional = {
        "alternateName": row["name_en"],
        "description": row["description"],
        "areaServed": row["district__name"],
        "openingHoursSpecification": opening_hours(row["hours"]),
        "contactPoint": {"telephone": row["phone"]} if row["phone"] else None,
        "seeAlso": row["url"],
        "capacity": row["charger_count"] if row["layer"] == Layer.CHARGERS else None,
    }
    entity.update({key: value for key, value in optional.items() if value not in (None, "", [])})
    entity["@context"] = CONTEXT
    return entity


def normalized(entity: dict) -> dict:
    """A keyValues entity in NGSI-LD's normalized form."""
    out = {"id": entity["id"], "type": entity["type"]}
    for key, value in entity.items():
        if key in ("id", "type", "@context"):
            continue
        if key == "location":
            out[key] = {"type": "GeoProperty", "value": value}
        elif key == "dateModified":
            out[key] = {"type": "Property", "value": {"@type": "DateTime", "@value": value}}
        else:
            out[key] = {"type": "Property", "value": value}
    out["@context"] = entity["@context"]
    return out


def entities(
    layer: str,
    filters: geojson.Filters = geojson.NO_FILTERS,
    *,
    options: str = NORMALIZED,
    absolute=lambda path: path,
) -> list[dict]:
    """The layer's public places (a WiFi site, charger or facility layer) as PointOfInterest
    entities, in the layer's order."""
    city = city_selectors.current_city()
    page = geojson.page_path("place")
    rows: Iterable[dict] = geojson.filtered_rows(layer, filters).values(*COLUMNS)
    found = [key_values(row, city, page, absolute) for row in rows]
    return found if options == KEY_VALUES else [normalized(entity) for entity in found]
