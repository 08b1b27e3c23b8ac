"""WiFi sites, chargers and facilities as FIWARE Smart Data Models `PointOfInterest` entities
(/api/v1/places/layers/{layer}.jsonld), keyValues and normalized NGSI-LD, held to the model.

The schema below is written here from the model's published definition
(smart-data-models/dataModel.PointOfInterest, PointOfInterest/schema.json 0.3.x, and the
GSMA-Commons, Location-Commons and DateTime-Commons definitions of data-models'
common-schema.json it builds on): the same required attributes, types and GeoJSON location,
and `additionalProperties: false` so that every attribute we send is one the model (or its
commons) names. The official file is not copied in: it refers to the commons by URL, which a
test run without the network could not fetch. Opening times are checked by pattern: the
commons' `format: time` asks for a UTC offset that a weekly schedule in local time has not."""

from __future__ import annotations

import json
from datetime import datetime

import jsonschema_rs
import pytest
from django.test import Client

from tests.places.conftest import BUKCHON, CITY_HALL, PALACE, YEOUIDO, charger, site
from tests.places.test_api import facility, retire

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("city")]

API = "/api/v1/places/layers"
CORE_CONTEXT = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld"
POI_CONTEXT = (
    "https://raw.githubusercontent.com/smart-data-models/dataModel.PointOfInterest/master/"
    "context.jsonld"
)
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
TIME = {"type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$"}
TEXT = {"type": "string"}
POINT_OF_INTEREST = {
    "type": "object",
    "required": ["id", "type", "category", "name"],
    "additionalProperties": False,
    "properties": {
        # EntityIdentifierType: a URI (or a plain identifier), at most 256 characters.
        "id": {"type": "string", "format": "uri", "minLength": 1, "maxLength": 256},
        "type": {"enum": ["PointOfInterest"]},
        "category": {"type": "array", "items": TEXT, "minItems": 1},
        "name": TEXT,
        "alternateName": TEXT,
        "description": TEXT,
        "source": TEXT,
        "dataProvider": TEXT,
        "dateCreated": {"type": "string", "format": "date-time"},
        "dateModified": {"type": "string", "format": "date-time"},
        "seeAlso": {
            "oneOf": [
                {"type": "array", "minItems": 1, "items": {"type": "string", "format": "uri"}},
                {"type": "string", "format": "uri"},
            ]
        },
        "location": {
            "type": "object",
            "required": ["type", "coordinates"],
            "properties": {
                "type": {"enum": ["Point"]},
                "coordinates": {"type": "array", "minItems": 2, "items": {"type": "number"}},
            },
        },
        "address": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                name: TEXT
                for name in (
                    "streetAddress",
                    "addressLocality",
                    "addressRegion",
                    "addressCountry",
                    "postalCode",
                    "postOfficeBoxNumber",
                    "streetNr",
                    "district",
                )
            },
        },
        "areaServed": TEXT,
        "openingHoursSpecification": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["dayOfWeek", "opens", "closes"],
                "properties": {"dayOfWeek": {"enum": DAYS}, "opens": TIME, "closes": TIME},
            },
        },
        "contactPoint": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "contactType": TEXT,
                "email": {"type": "string", "format": "idn-email"},
                "name": TEXT,
                "telephone": TEXT,
                "url": {"type": "string", "format": "uri"},
            },
        },
        "capacity": {"type": "number"},
        "@context": {
            "type": "array",
            "minItems": 1,
            "items": {"type": "string", "format": "uri"},
        },
    },
}
VALIDATOR = jsonschema_rs.validator_for(POINT_OF_INTEREST, validate_formats=True)


def assert_point_of_interest(entity: dict) -> None:
    problems = [f"{e.instance_path}: {e.message}" for e in VALIDATOR.iter_errors(entity)]
    assert not problems, problems


def entities(layer: str, **params) -> list[dict]:
    response = Client().get(f"{API}/{layer}.jsonld", params)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/ld+json"
    return json.loads(response.content)


def key_values_of(entity: dict) -> dict:
    """A normalized entity's values, checking each attribute's NGSI-LD form on the way."""
    plain = {"id": entity["id"], "type": entity["type"], "@context": entity["@context"]}
    for name, attribute in entity.items():
        if name in plain:
            continue
        assert set(attribute) == {"type", "value"}, name
        assert attribute["type"] == ("GeoProperty" if name == "location" else "Property"), name
        value = attribute["value"]
        if name == "dateModified":
            assert value["@type"] == "DateTime"
            value = value["@value"]
        plain[name] = value
    return plain


@pytest.fixture
def registry(editor, city):
    """A WiFi site with everything filled in, a charger site, and a museum with hours."""
    return {
        "site": site(
            editor,
            ref="WF-1",
            name_en="Seoul Plaza",
            description="시청 앞 서울광장",
            address="세종대로 110",
            hours="Mo-Fr 09:00-18:00; Sa 22:00-02:00; Su off",
            phone="02-120",
            url="https://wifi.seoul.go.kr",
        ),
        "charger": charger(editor, ref="CH-1", point=PALACE, hours="24/7"),
        "museum": facility("F-1", BUKCHON, "museum"),
    }


def test_each_layer_fits_the_model_in_key_values(registry):
    wifi, plug, museum = registry["site"], registry["charger"], registry["museum"]
    [site_entity] = entities("wifi-sites", options="keyValues")
    [charger_entity] = entities("chargers", options="keyValues")
    [museum_entity] = entities("facilities", options="keyValues")
    for entity in (site_entity, charger_entity, museum_entity):
        assert_point_of_interest(entity)
        assert entity["@context"] == [CORE_CONTEXT, POI_CONTEXT]
        assert entity["dataProvider"] == "Seoul"
    assert site_entity["id"] == "urn:ngsi-ld:PointOfInterest:seoul:wifi-sites:WF-1"
    assert site_entity["name"] == "와이파이 WF-1"
    assert site_entity["alternateName"] == "Seoul Plaza"
    assert site_entity["description"] == "시청 앞 서울광장"
    # Factual's Telecommunication Services, then the layer and install type.
    assert site_entity["category"] == ["189", "wifi-sites", "street"]
    assert site_entity["location"] == {"type": "Point", "coordinates": [CITY_HALL[1], CITY_HALL[0]]}
    assert site_entity["address"] == {
        "streetAddress": "세종대로 110",
        "addressLocality": "서울특별시",
        "district": "중구",
    }
    assert site_entity["areaServed"] == "중구"
    assert site_entity["contactPoint"] == {"telephone": "02-120"}
    assert site_entity["seeAlso"] == "https://wifi.seoul.go.kr"
    assert site_entity["source"] == f"http://testserver/places/{wifi.pk}/"
    assert datetime.fromisoformat(site_entity["dateModified"]) == wifi.updated_at
    assert charger_entity["capacity"] == 12
    assert charger_entity["category"] == ["52", "chargers"]
    assert charger_entity["source"] == f"http://testserver/places/{plug.pk}/"
    assert museum_entity["category"] == ["311", "facilities", "museum"]  # Factual's Museums
    assert museum_entity["source"] == f"http://testserver/places/{museum.pk}/"


def test_attributes_without_a_value_are_left_out(registry):
    [museum] = entities("facilities", options="keyValues")
    for absent in (
        "alternateName",
        "description",
        "openingHoursSpecification",
        "contactPoint",
        "seeAlso",
        "capacity",
    ):
        assert absent not in museum
    assert museum["address"] == {"addressLocality": "서울특별시", "district": "종로구"}
    assert None not in museum.values()


def test_opening_hours_become_schema_org_specifications(registry):
    [site_entity] = entities("wifi-sites", options="keyValues")
    weekdays = [{"dayOfWeek": day, "opens": "09:00:00", "closes": "18:00:00"} for day in DAYS[:5]]
    # Saturday 22:00 to Sunday 02:00 is cut at midnight; Sunday is otherwise closed.
    assert site_entity["openingHoursSpecification"] == [
        *weekdays,
        {"dayOfWeek": "Saturday", "opens": "22:00:00", "closes": "23:59:59"},
        {"dayOfWeek": "Sunday", "opens": "00:00:00", "closes": "02:00:00"},
    ]
    [charger_entity] = entities("chargers", options="keyValues")
    assert charger_entity["openingHoursSpecification"] == [
        {"dayOfWeek": day, "opens": "00:00:00", "closes": "23:59:59"} for day in DAYS
    ]


def test_normalized_is_the_default_and_wraps_every_attribute(registry):
    normalized = entities("wifi-sites")
    assert entities("wifi-sites", options="normalized") == normalized
    [plain] = entities("wifi-sites", options="keyValues")
    [entity] = normalized
    assert entity["name"] == {"type": "Property", "value": "와이파이 WF-1"}
    assert entity["location"]["type"] == "GeoProperty"
    unwrapped = key_values_of(entity)
    assert unwrapped == plain
    assert_point_of_interest(unwrapped)


def test_a_registry_number_of_any_characters_makes_a_valid_urn(editor, city):
    site(editor, ref="WF 1/가#?", point=CITY_HALL)
    site(editor, ref="WF-2", point=YEOUIDO)
    found = entities("wifi-sites", options="keyValues")
    ids = {entity["id"] for entity in found}
    assert ids == {
        "urn:ngsi-ld:PointOfInterest:seoul:wifi-sites:WF%201%2F%EA%B0%80%23%3F",
        "urn:ngsi-ld:PointOfInterest:seoul:wifi-sites:WF-2",
    }
    for entity in found:
        assert_point_of_interest(entity)


def test_filters_and_retired_places(registry, editor):
    other = facility("F-2", YEOUIDO, "toilet")
    assert {e["name"] for e in entities("facilities", options="keyValues")} == {
        "시설 F-1",
        "시설 F-2",
    }
    [toilet] = entities("facilities", options="keyValues", district="11560")
    assert toilet["category"] == ["52", "facilities", "toilet"]
    assert entities("facilities", kind="library") == []
    retire(other)
    assert [e["name"] for e in entities("facilities", options="keyValues")] == ["시설 F-1"]


@pytest.mark.parametrize("layer", ["events", "routes", "wifi-aps", "parking"])
def test_only_places_have_an_ngsi_ld_layer(city, layer):
    response = Client().get(f"{API}/{layer}.jsonld")
    assert response.status_code == 404
    assert response.json()["code"] == "unknown_layer"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"options": "sysAttrs"}, "options"),
        ({"bbox": "1,2"}, "bbox"),
        ({"district": "x"}, "district"),
    ],
)
def test_bad_parameters_answer_400_naming_them(city, params, field):
    response = Client().get(f"{API}/chargers.jsonld", params)
    assert response.status_code == 400
    assert response.json()["field"] == field
