"""/ngsi-ld/v1/: assets as ParkingSpot and WasteContainer entities with observedAt and the
@context Link header; type, q, georel near and paging filters against the states stored;
errors as ProblemDetails."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from hamkke.core.geo import distance_m
from hamkke.iot.services import Message, ingest
from tests.iot.conftest import BUKCHON, CITY_HALL, PALACE, payload, provision

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("city")]


@pytest.fixture
def assets():
    now = timezone.now() - timedelta(minutes=1)
    made = {
        "spot_free": provision("parking", point=BUKCHON),
        "spot_taken": provision("parking", point=PALACE),
        "bin_full": provision("waste-container", point=BUKCHON),
        "bin_low": provision("waste-container", point=CITY_HALL),
    }
    values = {
        "spot_free": {"status": "free"},
        "spot_taken": {"status": "occupied"},
        "bin_full": {"fillingLevel": 0.92},
        "bin_low": {"fillingLevel": 0.1},
    }
    ingest([Message(made[k].device.pk, payload(now, **v), now) for k, v in values.items()])
    return made, now


def get(query: str = "", entity: str = ""):
    return Client().get(f"/ngsi-ld/v1/entities{'/' + entity if entity else ''}{query}")


def ids(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {e["id"] for e in response.json()}


def test_one_entity_in_the_smart_data_model_shape(assets):
    made, now = assets
    response = get(entity=made["bin_full"].entity)
    body = response.json()
    assert response["Content-Type"] == "application/ld+json"
    assert "json-ld#context" in response["Link"]
    assert body["type"] == "WasteContainer" and body["@context"][0].endswith("core-context.jsonld")
    assert body["fillingLevel"]["type"] == "Property" and body["fillingLevel"]["value"] == 0.92
    assert body["fillingLevel"]["observedAt"].startswith(now.strftime("%Y-%m-%dT%H:%M"))
    assert body["location"] == {
        "type": "GeoProperty",
        "value": {"type": "Point", "coordinates": [BUKCHON[1], BUKCHON[0]]},
    }


def test_type_and_q_filters(assets):
    made, _now = assets
    assert ids(get("?type=ParkingSpot")) == {made["spot_free"].entity, made["spot_taken"].entity}
    assert ids(get("?type=ParkingSpot&q=status==free")) == {made["spot_free"].entity}
    assert ids(get("?q=fillingLevel>0.8")) == {made["bin_full"].entity}
    assert ids(get("?q=fillingLevel<=0.1")) == {made["bin_low"].entity}


def test_near_keeps_what_lies_within_the_distance(assets):
    made, _now = assets
    lat, lon = BUKCHON
    within = {
        m.entity
        for m in made.values()
        if distance_m(lat, lon, m.device.latitude, m.device.longitude) <= 800
    }
    found = ids(get(f"?georel=near;maxDistance==800&geometry=Point&coordinates=[{lon},{lat}]"))
    assert found == within and made["bin_low"].entity not in found


def test_limit_and_offset_page_the_entities(assets):
    every = [e["id"] for e in get("?limit=10").json()]
    assert len(every) == 4
    assert [e["id"] for e in get("?limit=2&offset=1").json()] == every[1:3]


@pytest.mark.parametrize(
    "query",
    ["?type=Bicycle", "?q=fillingLevel>lots", "?limit=-1", "?georel=within", "?q=%3D%3D"],
)
def test_bad_queries_answer_problem_details(assets, query):
    response = get(query)
    assert response.status_code == 400
    assert set(response.json()) == {"type", "title", "detail"}
    assert response.json()["type"].endswith("BadRequestData")


def test_an_unknown_entity_is_404_problem_details(assets):
    response = get(entity="urn:ngsi-ld:ParkingSpot:seoul:nope")
    assert response.status_code == 404 and response.json()["type"].endswith("ResourceNotFound")
