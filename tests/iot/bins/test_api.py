"""The smart bins' API (/api/v1/iot/bins): the bins' levels with filters (public, 400 for a
district or range that is not one), the desk's trucks and plans behind the keeping department's
role and the second factor, 4xx answered as JSON {detail, code}."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from hamkke.iot.bins.models import CollectionPlan, Truck
from tests import factories
from tests.iot.bins.conftest import bin_at, truck
from tests.iot.conftest import BUKCHON

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("city")]

API = "/api/v1/iot/bins"


def refused(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content[:500]
    body = response.json()
    assert body["detail"] and body["code"]
    if code is not None:
        assert body["code"] == code
    return body


def signed_in(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    factories.log_in_official(client, user)
    return client


def test_the_bins_with_their_levels_and_filters(city):
    full, half = bin_at((0.001, 0), 0.9), bin_at((0.002, 0), 0.4)
    client = Client()
    everything = client.get(f"{API}/bins").json()
    assert [b["id"] for b in everything] == [full.device.asset_id, half.device.asset_id]
    assert everything[0]["level"] == 0.9 and everything[0]["due"] is True
    assert [b["id"] for b in client.get(f"{API}/bins?due=true").json()] == [full.device.asset_id]
    assert [b["id"] for b in client.get(f"{API}/due").json()] == [full.device.asset_id]
    assert [b["id"] for b in client.get(f"{API}/bins?max_level=0.5").json()] == [
        half.device.asset_id
    ]
    district = everything[0]["district"]
    assert len(client.get(f"{API}/bins?district={district}").json()) == 2
    geojson = client.get(f"{API}/bins.geojson").json()
    assert len(geojson["features"]) == 2
    assert geojson["features"][0]["geometry"]["coordinates"][1] == pytest.approx(BUKCHON[0] + 0.001)


@pytest.mark.parametrize(
    "query, status",
    [
        ("district=nowhere", 400),
        ("min_level=0.8&max_level=0.2", 400),
        ("min_level=3.7", 422),
        ("due=maybe", 422),
    ],
)
def test_bad_filters_are_4xx_json(city, query, status):
    refused(Client().get(f"{API}/bins?{query}"), status)


def test_the_desk_needs_the_keeping_departments_role_and_the_second_factor(city, handler, viewer):
    truck()
    refused(Client().get(f"{API}/trucks"), 401)
    no_code = Client(HTTP_ACCEPT_LANGUAGE="en")
    no_code.force_login(handler)  # signed in without the authenticator's code
    refused(no_code.get(f"{API}/trucks"), 403, "second_factor_required")
    from hamkke.accounts.models import Role

    stranger = signed_in(factories.make_official(role=Role.HANDLER))
    refused(stranger.get(f"{API}/trucks"), 403)
    reader = signed_in(viewer)
    assert reader.get(f"{API}/trucks").status_code == 200
    refused(reader.post(f"{API}/plans/2030-01-02", {}, content_type="application/json"), 403)
    assert not CollectionPlan.objects.exists()


def test_trucks_crud(city, handler):
    client = signed_in(handler)
    body = {
        "name": "East 1",
        "capacity_litres": 4000,
        "latitude": BUKCHON[0],
        "longitude": BUKCHON[1],
        "districts": ["11110"],
    }
    made = client.post(f"{API}/trucks", body, content_type="application/json")
    assert made.status_code == 201, made.content
    truck_id = made.json()["id"]
    assert made.json()["districts"] == ["11110"]
    refused(client.post(f"{API}/trucks", body, content_type="application/json"), 409)
    refused(
        client.post(
            f"{API}/trucks",
            {**body, "name": "X", "districts": ["zz"]},
            content_type="application/json",
        ),
        400,
    )
    refused(
        client.post(
            f"{API}/trucks",
            {**body, "name": "X", "latitude": 35.1, "longitude": 129.0},
            content_type="application/json",
        ),
        400,
    )
    refused(
        client.post(
            f"{API}/trucks", {**body, "capacity_litres": "lots"}, content_type="application/json"
        ),
        422,
    )
    changed = client.put(
        f"{API}/trucks/{truck_id}",
        {**body, "capacity_litres": 5000, "active": False},
        content_type="application/json",
    )
    assert changed.status_code == 200 and changed.json()["capacity_litres"] == 5000
    assert changed.json()["active"] is False
    assert client.get(f"{API}/trucks/{truck_id}").json()["name"] == "East 1"
    refused(client.get(f"{API}/trucks/999999"), 404)
    assert client.delete(f"{API}/trucks/{truck_id}").status_code == 204
    assert not Truck.objects.exists()


def test_plans_by_day(city, handler):
    made = bin_at((0.001, 0), 0.9)
    truck()
    client = signed_in(handler)
    day = timezone.localdate().isoformat()
    refused(client.get(f"{API}/plans/{day}"), 404)
    response = client.post(f"{API}/plans/{day}", {"seconds": 0.1}, content_type="application/json")
    assert response.status_code == 201, response.content
    plan = client.get(f"{API}/plans/{day}").json()
    assert plan == response.json()
    assert plan["stops"] == 1 and plan["collected"] == 0
    assert plan["routes"][0]["stops"][0]["bin"] == made.device.asset_id
    refused(client.get(f"{API}/plans/not-a-day"), 422)
    refused(client.post(f"{API}/plans/{day}", {"seconds": 0}, content_type="application/json"), 422)
    # Used in a plan: the truck is kept.
    refused(client.delete(f"{API}/trucks/{plan['routes'][0]['truck']}"), 409, "truck_in_plans")
