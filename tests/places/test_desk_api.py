"""The places desk's JSON API at /api/v1/places/desk: the same role in the keeping department,
second factor, policies and services as the desk pages; PUT by registry number (201 new, 200
replaced, a field left out emptied); every row listed, out-of-service ones too, in a constant
number of queries; off the map and back; lending with an idempotency key; and hostile or
mistyped input (NUL characters, years 1 and 9999, digits other than 0-9, wrong types) refused
4xx as JSON {detail, code}, with nothing written."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from hamkke.accounts.models import Role
from hamkke.places.models import AccessPoint, Event, Lending, Place, Route, RouteStop, Status
from tests import factories
from tests.places.conftest import BUKCHON, CITY_HALL, PALACE, YEOUIDO, charger, site
from tests.places.test_api import access_point, event, facility, route

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("city")]

API = "/api/v1/places/desk"
JONGNO, JUNG = "11110", "11140"


@pytest.fixture(autouse=True)
def _english(client, english):
    """Refusals asserted in English, the source language."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def handler(client, editor):
    """The test client signed in as the keeping department's handler, with the second factor."""
    factories.log_in_official(client, editor)
    return editor


def put(client, path: str, payload):
    return client.put(f"{API}{path}", payload, content_type="application/json")


def post(client, path: str, payload=None, **headers):
    return client.post(f"{API}{path}", payload or {}, content_type="application/json", **headers)


def refused(response, status: int, field: str | None = None, code: str | None = None) -> dict:
    assert response.status_code == status, response.content[:1000]
    body = response.json()
    assert body["detail"] and body["code"]
    if field is not None:
        assert body.get("field") == field, body
    if code is not None:
        assert body["code"] == code, body
    return body


def charger_json(**values) -> dict:
    lat, lon = CITY_HALL
    data = {
        "name": "시청 충전소",
        "charger_count": 8,
        "charger_kinds": "USB-C, Lightning",
        "hours": "Mo-Fr 09:00-18:00",
        "website": "https://www.seoul.go.kr",
        "indoor": True,
        "latitude": lat,
        "longitude": lon,
    }
    data.update(values)
    return data


def event_json(**values) -> dict:
    lat, lon = BUKCHON
    data = {
        "title": "한지 공예 체험",
        "starts_at": "2026-05-01T10:00:00+09:00",
        "ends_at": "2026-05-31T17:00:00+09:00",
        "hours": "Tu-Su 10:00-17:00",
        "booking_url": "https://example.org/book",
        "languages": ["ko", "EN"],
        "latitude": lat,
        "longitude": lon,
    }
    data.update(values)
    return data


def nothing_written() -> bool:
    return not (
        Place.objects.exists()
        or AccessPoint.objects.exists()
        or Event.objects.exists()
        or Route.objects.exists()
        or RouteStop.objects.exists()
        or Lending.objects.exists()
    )


# --- who may -------------------------------------------------------------------------------------


def test_officials_of_the_keeping_department_only_with_their_second_factor(
    client, city, keeper, citizen
):
    from hamkke.core.models import Department

    refused(client.get(f"{API}/"), 401)
    factories.log_in(client, citizen)
    refused(client.get(f"{API}/"), 403)
    refused(put(client, "/places/chargers/CH-1", charger_json()), 403)
    official = factories.make_official(role=Role.HANDLER, department=keeper)
    factories.activate_totp(official)
    client.force_login(official)
    refused(client.get(f"{API}/"), 403, code="second_factor_required")
    transport = Department.objects.get(city=city, code="transport")
    factories.log_in_official(
        client, factories.make_official(role=Role.MANAGER, department=transport)
    )
    refused(client.get(f"{API}/places/chargers"), 403, code="role_required")
    refused(put(client, "/places/chargers/CH-1", charger_json()), 403, code="role_required")
    refused(post(client, "/lendings", {"event_name": "x"}), 422)  # the schema first
    assert nothing_written()


def test_a_viewer_reads_but_may_not_write(client, keeper, editor):
    place = charger(editor, ref="CH-1")
    factories.log_in_official(client, factories.make_official(role=Role.VIEWER, department=keeper))
    assert client.get(f"{API}/places/chargers/CH-1").json()["name"] == place.name
    refused(put(client, "/places/chargers/CH-1", charger_json(name="바뀜")), 403)
    refused(post(client, "/places/chargers/CH-1/retire"), 403, code="role_required")
    lending = {"event_name": "축제", "held_on": "2026-05-01", "chargers_lent": 1}
    refused(post(client, "/lendings", {**lending, "citizens_served": 1}), 403)
    place.refresh_from_db()
    assert (place.name, place.status) == ("충전기 CH-1", Status.ACTIVE)
    assert not Lending.objects.exists()


def test_a_write_needs_the_csrf_token(client, handler):
    checked = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    checked.cookies = client.cookies  # the handler's session, without the token's header
    assert checked.get(f"{API}/").status_code == 200
    refused(put(checked, "/places/chargers/CH-1", charger_json()), 403, code="csrf_failed")
    assert nothing_written()


# --- adding and replacing by number --------------------------------------------------------------


def test_put_adds_a_place_then_replaces_it_whole(client, handler):
    created = put(client, "/places/chargers/CH-1", charger_json(operator="서울시"))
    assert created.status_code == 201, created.json()
    body = created.json()
    place = Place.objects.get(layer="chargers", ref="CH-1")
    assert body["id"] == place.pk and body["public_url"] == f"/places/{place.pk}/"
    assert (body["charger_count"], body["indoor"], body["district"]) == (8, True, JUNG)
    assert (place.url, place.operator) == ("https://www.seoul.go.kr", "서울시")
    # Again with other values: the same row, replaced; a field left out is emptied.
    replaced = put(client, "/places/chargers/CH-1", charger_json(charger_count=20, name="새 이름"))
    assert replaced.status_code == 200
    place.refresh_from_db()
    assert (place.charger_count, place.name, place.operator) == (20, "새 이름", "")
    assert Place.objects.count() == 1
    assert client.get(f"{API}/places/chargers/CH-1").json() == replaced.json()


def test_put_adds_a_wifi_site_its_access_point_and_a_facility(client, handler):
    lat, lon = PALACE
    point = {"latitude": lat, "longitude": lon}
    wifi = put(client, "/places/wifi-sites/WF-1", {"name": "경복궁", "kind": "park", **point})
    assert wifi.status_code == 201 and wifi.json()["kind"] == "park"
    ap = put(client, "/wifi-aps/AP-1", {"site_ref": "WF-1", "ssid": "Seoul_Free"})
    assert ap.status_code == 201, ap.json()
    assert (ap.json()["site_ref"], ap.json()["latitude"], ap.json()["install_type"]) == (
        "WF-1",
        lat,
        "park",
    )
    refused(put(client, "/wifi-aps/AP-2", {"site_ref": "WF-404"}), 400, field="site_ref")
    museum = put(client, "/places/facilities/F-1", {"name": "박물관", "kind": "museum", **point})
    assert museum.status_code == 201
    refused(
        put(client, "/places/facilities/F-2", {"name": "카지노", "kind": "casino", **point}),
        400,
        field="kind",
    )
    assert not Place.objects.filter(ref="F-2").exists()
    assert not AccessPoint.objects.filter(ref="AP-2").exists()


def test_put_adds_an_event_in_its_time_zone(client, handler):
    response = put(client, "/events/EV-1", event_json())
    assert response.status_code == 201, response.json()
    added = Event.objects.get(ref="EV-1")
    assert added.starts_at == datetime(2026, 5, 1, 1, 0, tzinfo=UTC)
    assert response.json()["languages"] == ["ko", "en"]
    again = put(client, "/events/EV-1", event_json(title="한지 체험", languages=[]))
    assert again.status_code == 200
    added.refresh_from_db()
    assert (added.title, added.languages) == ("한지 체험", "")


def test_put_adds_a_route_through_places_and_named_points(client, handler, editor):
    museum = facility("F-1", point=PALACE, name="국립고궁박물관")
    lat, lon = BUKCHON
    stops = [{"place": museum.pk}, {"name": "북촌", "latitude": lat, "longitude": lon}]
    response = put(client, "/routes/R-1", {"name": "궁궐 산책", "stops": stops})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert [(s["order"], s["name"], s["place"]) for s in body["stops"]] == [
        (1, "국립고궁박물관", museum.pk),
        (2, "북촌", None),
    ]
    assert body["distance_m"] == Route.objects.get(ref="R-1").distance_m > 0
    # Replaced whole: the stops sent are the route's.
    three = [*stops, {"name": "시청", "latitude": CITY_HALL[0], "longitude": CITY_HALL[1]}]
    assert put(client, "/routes/R-1", {"name": "궁궐 산책", "stops": three}).status_code == 200
    assert RouteStop.objects.filter(route__ref="R-1").count() == 3


@pytest.mark.parametrize(
    ("stops", "words"),
    [
        ([{"name": "경복궁", "latitude": PALACE[0], "longitude": PALACE[1]}], "at least two"),
        (
            [{"place": 999_999}, {"name": "북촌", "latitude": 37.5826, "longitude": 126.9831}],
            "Stop 1",
        ),
        (
            [{"name": "북촌", "latitude": 37.5826, "longitude": 126.9831}, {"name": "부산"}],
            "Stop 2",
        ),
        (
            [
                {"name": "북촌", "latitude": 37.5826, "longitude": 126.9831},
                {"name": "부산", "latitude": 35.1796, "longitude": 129.0756},
            ],
            "Stop 2: This point is outside the city",
        ),
    ],
)
def test_a_refused_route_names_its_stop_and_writes_nothing(client, handler, stops, words):
    body = refused(put(client, "/routes/R-1", {"name": "길", "stops": stops}), 400, field="stops")
    assert words in body["detail"]
    assert not Route.objects.exists() and not RouteStop.objects.exists()


def test_a_stop_at_a_retired_place_is_refused(client, handler, editor):
    from hamkke.places import services

    museum = facility("F-1")
    services.retire(actor=editor, place=museum)
    stops = [{"place": museum.pk}, {"name": "북촌", "latitude": 37.5826, "longitude": 126.9831}]
    refused(put(client, "/routes/R-1", {"name": "길", "stops": stops}), 400, field="stops")
    assert not Route.objects.exists()


# --- reading -------------------------------------------------------------------------------------


def test_every_row_is_listed_out_of_service_too_and_filtered(client, handler, editor):
    from hamkke.places import services

    site(editor, ref="WF-JUNG", name="시청 앞", point=CITY_HALL)
    site(editor, ref="WF-PALACE", name="경복궁", point=PALACE, kind="7-1. 공원(하천)")
    services.retire(actor=editor, place=site(editor, ref="WF-OLD", name="여의도", point=YEOUIDO))

    def refs(**params) -> list[str]:
        response = client.get(f"{API}/places/wifi-sites", params)
        assert response.status_code == 200, response.json()
        return [item["ref"] for item in response.json()["items"]]

    assert refs() == ["WF-PALACE", "WF-JUNG", "WF-OLD"]
    assert refs(status="closed") == ["WF-OLD"]
    assert refs(district=JONGNO) == ["WF-PALACE"]
    assert refs(q="jung") == ["WF-JUNG"]
    assert refs(kind="park") == ["WF-PALACE"]
    page = client.get(f"{API}/places/wifi-sites", {"page_size": 2, "page": 2}).json()
    assert (page["count"], page["pages"], [i["ref"] for i in page["items"]]) == (3, 2, ["WF-OLD"])
    old = client.get(f"{API}/places/wifi-sites/WF-OLD").json()
    assert (old["status"], old["public_url"]) == ("closed", None)
    refused(client.get(f"{API}/places/wifi-sites", {"status": "gone"}), 400, field="status")
    refused(client.get(f"{API}/places/wifi-sites", {"district": "99999"}), 400, field="district")
    refused(client.get(f"{API}/places/wifi-sites/WF-404"), 404)
    refused(client.get(f"{API}/places/chargers/WF-JUNG"), 404)  # another registry's number
    refused(client.get(f"{API}/places/buses"), 422)


def test_the_other_registries_are_listed_and_read_by_number(client, handler, editor):
    site(editor, ref="WF-1")
    access_point("AP-1", "WF-1", status="closed")
    event("EV-1", starts_at=datetime(2025, 5, 1, 1, tzinfo=UTC))
    route("R-1")
    assert [i["ref"] for i in client.get(f"{API}/wifi-aps").json()["items"]] == ["AP-1"]
    assert client.get(f"{API}/wifi-aps/AP-1").json()["status"] == "closed"
    assert client.get(f"{API}/events", {"status": "over"}).json()["count"] == 1
    assert client.get(f"{API}/events", {"status": "current"}).json()["count"] == 0
    [walk] = client.get(f"{API}/routes").json()["items"]
    assert [s["name"] for s in walk["stops"]] == ["경복궁", "북촌", "시청"]
    assert client.get(f"{API}/routes/R-1").json() == walk
    refused(client.get(f"{API}/routes", {"status": "closed"}), 400, field="status")


def test_the_summary_counts_rows_in_service_and_lending(client, handler, editor):
    from hamkke.places import services

    charger(editor, ref="CH-1", charger_count=3)
    services.retire(actor=editor, place=charger(editor, ref="CH-2"))
    services.record_lending(
        actor=editor,
        event_name="축제",
        held_on=datetime(2026, 5, 1).date(),
        chargers_lent=9,
        citizens_served=70,
    )
    body = client.get(f"{API}/").json()
    assert body["department"] == "information-planning"
    assert (body["counts"]["chargers"], body["counts"]["charger_units"]) == (1, 3)
    assert body["lending"] == {"events": 1, "chargers": 9, "citizens": 70}
    assert body["coverage"] is None  # never computed


def test_a_list_takes_the_same_queries_whatever_its_size(client, handler, editor):
    for number in range(12):
        site(editor, ref=f"WF-{number}")
        access_point(f"AP-{number}", f"WF-{number}")
        route(f"R-{number}")

    def queries(path: str, size: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"{API}{path}", {"page_size": size})
        assert len(response.json()["items"]) == min(size, 12)
        return len(captured)

    for path in ("/places/wifi-sites", "/wifi-aps", "/routes"):
        queries(path, 2)
        assert queries(path, 2) == queries(path, 12), path


# --- off the map and back ------------------------------------------------------------------------


def test_a_place_and_an_access_point_leave_the_map_and_come_back(client, handler, editor):
    place = charger(editor, ref="CH-1")
    site(editor, ref="WF-1")
    access_point("AP-1", "WF-1")
    public = Client()
    retired = post(client, "/places/chargers/CH-1/retire")
    assert retired.status_code == 200 and retired.json()["status"] == "closed"
    assert public.get(f"/api/v1/places/{place.pk}").status_code == 404
    assert post(client, "/places/chargers/CH-1/reinstate").json()["status"] == "active"
    assert public.get(f"/api/v1/places/{place.pk}").status_code == 200
    assert post(client, "/wifi-aps/AP-1/retire").json()["status"] == "closed"
    assert AccessPoint.objects.get(ref="AP-1").status == Status.CLOSED
    assert post(client, "/wifi-aps/AP-1/reinstate").json()["status"] == "active"
    refused(post(client, "/places/chargers/CH-404/retire"), 404)


# --- lending -------------------------------------------------------------------------------------


def lending_json(**values) -> dict:
    data = {
        "event_name": "서울 장미 축제",
        "held_on": "2026-05-16",
        "venue": "중랑천",
        "district": JUNG,
        "chargers_lent": 40,
        "citizens_served": 312,
    }
    data.update(values)
    return data


def test_lending_is_recorded_once_per_idempotency_key_and_listed(client, handler):
    first = post(client, "/lendings", lending_json(), HTTP_IDEMPOTENCY_KEY="lend-1")
    assert first.status_code == 201, first.json()
    again = post(client, "/lendings", lending_json(), HTTP_IDEMPOTENCY_KEY="lend-1")
    assert again.status_code == 201 and again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    post(client, "/lendings", lending_json(chargers_lent=10, citizens_served=8, district=""))
    assert Lending.objects.count() == 2
    listed = client.get(f"{API}/lendings").json()
    assert listed["totals"] == {"events": 2, "chargers": 50, "citizens": 320}
    # Latest first: the same day, the last recorded first.
    assert [(i["chargers_lent"], i["district"]) for i in listed["items"]] == [
        (10, None),
        (40, JUNG),
    ]


# --- hostile and mistyped input ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "payload", "status", "field"),
    [
        # NUL characters, which PostgreSQL cannot store.
        ("/places/chargers/CH-1", charger_json(name="충전\x00기"), 400, None),
        ("/events/EV-1", event_json(title="\x00"), 400, None),
        # Years 1 and 9999.
        ("/events/EV-1", event_json(starts_at="0001-01-01T00:00:00Z"), 400, "starts_at"),
        ("/events/EV-1", event_json(ends_at="9999-12-31T23:59:59-14:00"), 400, "ends_at"),
        ("/events/EV-1", event_json(starts_at="9999-12-31T23:59:59"), 400, "starts_at"),
        ("/places/chargers/CH-1", charger_json(install_year=1), 400, "install_year"),
        ("/places/chargers/CH-1", charger_json(install_year=9999), 400, "install_year"),
        # Digits other than 0-9.
        ("/places/chargers/CH-1", charger_json(charger_count="١٢"), 422, None),
        ("/places/chargers/CH-1", charger_json(latitude="٣٧.٥٦٦٣"), 422, None),
        ("/events/EV-1", event_json(starts_at="２０２６-05-01T10:00:00Z"), 422, None),
        # Wrong types.
        ("/places/chargers/CH-1", charger_json(name=5), 422, None),
        ("/places/chargers/CH-1", charger_json(charger_count=True), 422, None),
        ("/places/chargers/CH-1", charger_json(charger_count=2.5), 422, None),
        ("/places/chargers/CH-1", charger_json(latitude=None), 422, None),
        ("/places/chargers/CH-1", charger_json(indoor="sometimes"), 422, None),
        ("/events/EV-1", event_json(languages="ko"), 422, None),
        ("/routes/R-1", {"name": "길", "stops": "경복궁, 북촌"}, 422, None),
        ("/routes/R-1", {"name": "길", "stops": [{"place": "1"}, {"place": 2}]}, 422, None),
        # Values the service refuses, named.
        ("/places/chargers/CH-1", charger_json(charger_count=-3), 400, "charger_count"),
        ("/places/chargers/CH-1", charger_json(charger_count=0), 400, "charger_count"),
        ("/places/chargers/CH-1", charger_json(status="gone"), 400, "status"),
        ("/places/chargers/CH-1", charger_json(website="javascript:alert(1)"), 400, "url"),
        ("/places/chargers/CH-1", charger_json(latitude=float("nan")), 400, "latitude"),
        ("/places/chargers/CH-1", charger_json(name="x" * 201), 400, "name"),
        ("/events/EV-1", event_json(ends_at="2026-04-01T00:00:00+09:00"), 400, "ends_at"),
        ("/events/EV-1", event_json(hours="now and then"), 400, "hours"),
    ],
)
def test_bad_input_is_refused_4xx_as_json_and_nothing_is_written(
    client, handler, path, payload, status, field
):
    refused(put(client, path, payload), status, field=field)
    assert nothing_written()


def test_swapped_coordinates_are_named_as_swapped(client, handler):
    lat, lon = CITY_HALL
    body = refused(
        put(client, "/places/chargers/CH-1", charger_json(latitude=lon, longitude=lat)),
        400,
        field="latitude",
        code="swapped",
    )
    assert "swapped" in body["detail"]
    refused(
        put(client, "/places/chargers/CH-1", charger_json(latitude=35.1796, longitude=129.0756)),
        400,
        code="outside_city",
    )
    assert nothing_written()


@pytest.mark.parametrize(
    ("values", "status", "field"),
    [
        ({"held_on": "0001-01-01"}, 400, "held_on"),
        ({"held_on": "9999-12-31"}, 400, "held_on"),
        ({"held_on": "٢٠٢٦-05-01"}, 422, None),
        ({"chargers_lent": "٤٠"}, 422, None),
        ({"chargers_lent": "40"}, 422, None),
        ({"chargers_lent": -1}, 400, "chargers_lent"),
        ({"citizens_served": 10_000_001}, 400, "citizens_served"),
        ({"district": "99999"}, 400, "district"),
        ({"event_name": ""}, 400, "event_name"),
        ({"event_name": "축\x00제"}, 400, None),
    ],
)
def test_bad_lending_is_refused_and_nothing_is_written(client, handler, values, status, field):
    refused(post(client, "/lendings", lending_json(**values)), status, field=field)
    assert not Lending.objects.exists()


def test_the_openapi_document_describes_the_desk(client):
    document = Client().get("/api/v1/openapi.json").json()
    paths = document["paths"]
    put_place = paths[f"{API}/places/{{layer}}/{{ref}}"]["put"]
    assert {"200", "201", "400", "403", "404", "422"} <= set(put_place["responses"])
    body = put_place["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert body.endswith("/RegistryPlaceIn")
    [layer] = [p for p in put_place["parameters"] if p["name"] == "layer"]
    assert set(layer_values(document, layer)) == {"wifi-sites", "chargers", "facilities"}
    for path, method in (
        ("/wifi-aps/{ref}", "put"),
        ("/events/{ref}", "put"),
        ("/routes/{ref}", "put"),
        ("/places/{layer}/{ref}/retire", "post"),
        ("/lendings", "post"),
        ("/lendings", "get"),
        ("/", "get"),
    ):
        assert method in paths[f"{API}{path}"], path


def layer_values(document: dict, parameter: dict) -> list[str]:
    schema = parameter["schema"]
    if "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema["enum"]
