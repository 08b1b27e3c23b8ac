"""The places' open API (/api/v1/places): every layer as GeoJSON with its filters and 400s, the
cache renewed by each change and by the clock, the nearest features against a scan, the
coverage figures and area, one place, event or route, the counts, and the OpenAPI document."""

from __future__ import annotations

import json
import math
import random
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from shapely.geometry import Point, shape

from hamkke.core.geo import distance_m
from tests.places.conftest import BUKCHON, CITY_HALL, PALACE, YEOUIDO, charger, site

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("city")]

API = "/api/v1/places"
JONGNO, JUNG, YEONGDEUNGPO = "11110", "11140", "11560"
# Monday 2 March 2026, 10:00 and 19:00 in Seoul (UTC+9).
MONDAY_10 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
MONDAY_19 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _in_english(english):
    """The refusals are asserted in their English source (tests/conftest.py's `english`)."""


@pytest.fixture
def clock(monkeypatch):
    """Sets the time every `timezone.now()` answers (saves and open-now alike)."""

    def set_to(moment: datetime) -> None:
        monkeypatch.setattr("django.utils.timezone.now", lambda: moment)

    return set_to


def get(path: str, **params):
    return Client().get(f"{API}{path}", params)


def layer(name: str, **params) -> dict:
    response = get(f"/layers/{name}.geojson", **params)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/geo+json"
    body = json.loads(response.content)
    assert body["type"] == "FeatureCollection"
    return body


def by_id(collection: dict) -> dict[int, dict]:
    return {feature["id"]: feature for feature in collection["features"]}


def refused(response, field: str, status: int = 400) -> dict:
    assert response.status_code == status, response.content[:500]
    body = response.json()
    assert body["field"] == field and body["detail"]
    return body


def access_point(ref: str, site_ref: str, **values):
    from hamkke.places.services import save_access_point

    return save_access_point(actor=None, values={"ref": ref, "site_ref": site_ref, **values})[0]


def facility(ref: str, point=PALACE, kind: str = "library", **values):
    from hamkke.places.services import save_place

    lat, lon = point
    fields = {"ref": ref, "name": f"시설 {ref}", "latitude": lat, "longitude": lon, "kind": kind}
    return save_place(actor=None, layer="facilities", values={**fields, **values})[0]


def event(ref: str = "E-1", point=BUKCHON, **values):
    from hamkke.places.services import save_event

    lat, lon = point
    fields = {
        "ref": ref,
        "title": "한지 공예 체험",
        "latitude": lat,
        "longitude": lon,
        "starts_at": datetime(2026, 5, 1, 1, 0, tzinfo=UTC),
        "ends_at": datetime(2026, 5, 1, 3, 0, tzinfo=UTC),
        "languages": "ko, EN,zh",
    }
    return save_event(actor=None, values={**fields, **values})[0]


def route(ref: str = "R-1", stops=None, **values):
    from hamkke.places.services import StopDraft, save_route

    stops = stops or [("경복궁", PALACE, None), ("북촌", BUKCHON, None), ("시청", CITY_HALL, None)]
    drafts = [StopDraft(name, lat, lon, place) for name, (lat, lon), place in stops]
    return save_route(actor=None, values={"ref": ref, "name": "궁궐 산책", **values}, stops=drafts)[
        0
    ]


def retire(place):
    from hamkke.places.services import retire as retire_place

    return retire_place(actor=None, place=place)


# --- layers --------------------------------------------------------------------------------------


def test_wifi_sites_with_their_access_points_in_service(editor):
    wifi = site(editor, ref="WF-1", point=CITY_HALL, network="SKT", name_en="City Hall")
    access_point("AP-1", "WF-1")
    access_point("AP-2", "WF-1")
    access_point("AP-3", "WF-1", status="closed")
    feature = by_id(layer("wifi-sites"))[wifi.pk]
    assert feature["type"] == "Feature"
    assert feature["geometry"] == {"type": "Point", "coordinates": [126.9779, 37.5663]}
    assert feature["properties"] == {
        "name": "와이파이 WF-1",
        "name_en": "City Hall",
        "kind": "street",  # "1. 주요거리" in the file's words
        "install_type": "street",
        "district": JUNG,
        "url": f"/places/{wifi.pk}/",
        "network": "SKT",
        "access_points": 2,
    }


def test_access_points_name_their_site_and_leave_with_it(editor):
    wifi = site(editor, ref="WF-1", point=BUKCHON)
    other = site(editor, ref="WF-2", point=YEOUIDO, kind="공원")
    first = access_point("AP-1", "WF-1", ssid="Seoul_Secure", provider="KT", indoor="실외")
    access_point("AP-2", "WF-1", status="closed")
    far = access_point("AP-9", "WF-2", ssid="Public WiFi Free", indoor="indoor")
    features = by_id(layer("wifi-aps"))
    assert set(features) == {first.pk, far.pk}
    assert features[first.pk]["properties"] == {
        "name": "와이파이 WF-1",
        "name_en": "",
        "kind": "street",
        "install_type": "street",
        "district": JONGNO,
        "url": f"/places/{wifi.pk}/",
        "ssid": "Seoul_Secure",
        "provider": "KT",
        "site": wifi.pk,
        "indoor": False,
    }
    assert features[far.pk]["properties"]["install_type"] == "park"
    assert features[far.pk]["properties"]["indoor"] is True
    # A retired site takes its access points off the map, and its count off the site layer.
    retire(other)
    assert set(by_id(layer("wifi-aps"))) == {first.pk}
    assert set(by_id(layer("wifi-sites"))) == {wifi.pk}


def test_chargers_say_whether_they_are_open_now(editor, clock):
    clock(MONDAY_10)
    weekdays = charger(editor, ref="CH-1", hours="Mo-Fr 09:00-18:00")
    unknown = charger(editor, ref="CH-2", point=PALACE, charger_count=3, charger_kinds="")
    features = by_id(layer("chargers"))
    assert features[weekdays.pk]["properties"] == {
        "name": "충전기 CH-1",
        "name_en": "",
        "kind": "",
        "district": JUNG,
        "url": f"/places/{weekdays.pk}/",
        "charger_count": 12,
        "charger_kinds": ["USB-C", "Lightning"],
        "hours": "Mo-Fr 09:00-18:00",
        "open_now": True,
    }
    assert features[unknown.pk]["properties"]["hours"] is None
    assert features[unknown.pk]["properties"]["open_now"] is None
    assert features[unknown.pk]["properties"]["charger_kinds"] == []
    clock(MONDAY_19)
    assert by_id(layer("chargers"))[weekdays.pk]["properties"]["open_now"] is False
    clock(MONDAY_19 + timedelta(days=6))  # Sunday 19:00
    assert by_id(layer("chargers"))[weekdays.pk]["properties"]["open_now"] is False
    clock(MONDAY_10 + timedelta(days=4))  # Friday 10:00
    assert by_id(layer("chargers"))[weekdays.pk]["properties"]["open_now"] is True


def test_facilities_filtered_by_kind_district_and_box(editor, clock):
    clock(MONDAY_10)
    library = facility("F-1", PALACE, "library", hours="Mo-Su 09:00-22:00")
    museum = facility("F-2", BUKCHON, "museum", hours="Mo off; Tu-Su 10:00-18:00")
    toilet = facility("F-3", YEOUIDO, "toilet", hours="24/7")
    hall = facility("F-4", CITY_HALL, "community")
    everything = by_id(layer("facilities"))
    assert set(everything) == {library.pk, museum.pk, toilet.pk, hall.pk}
    assert everything[museum.pk]["properties"]["open_now"] is False  # closed on Mondays
    assert everything[toilet.pk]["properties"]["open_now"] is True
    assert everything[library.pk]["properties"]["kind"] == "library"
    assert set(by_id(layer("facilities", kind="museum"))) == {museum.pk}
    assert set(by_id(layer("facilities", district=JONGNO))) == {library.pk, museum.pk}
    assert set(by_id(layer("facilities", district=YEONGDEUNGPO))) == {toilet.pk}
    # A box round the palace and Bukchon, not reaching City Hall (37.5663) or Yeouido.
    box = "126.97,37.575,126.99,37.59"
    assert set(by_id(layer("facilities", bbox=box))) == {library.pk, museum.pk}
    assert set(by_id(layer("facilities", bbox=box, kind="library"))) == {library.pk}
    assert not layer("facilities", bbox=box, district=YEONGDEUNGPO)["features"]
    assert not layer("facilities", kind="casino")["features"]


def test_events_with_their_times_languages_and_booking(editor):
    one = event(booking_url="https://bukchon.example.org/book", kind="workshop")
    other = event("E-2", PALACE)
    features = by_id(layer("events"))
    assert features[one.pk]["properties"] == {
        "name": "한지 공예 체험",
        "name_en": "",
        "kind": "workshop",
        "district": JONGNO,
        "url": f"/places/events/{one.pk}/",
        "starts_at": "2026-05-01T01:00:00+00:00",
        "ends_at": "2026-05-01T03:00:00+00:00",
        "languages": ["ko", "en", "zh"],
        "booking_url": "https://bukchon.example.org/book",
    }
    assert features[other.pk]["properties"]["booking_url"] is None
    assert features[one.pk]["geometry"]["coordinates"] == [BUKCHON[1], BUKCHON[0]]


def test_routes_are_lines_through_their_stops_in_order(editor):
    walk = route()
    back = route("R-2", stops=[("여의도", YEOUIDO, None), ("시청", CITY_HALL, None)])
    features = by_id(layer("routes"))
    feature = features[walk.pk]
    assert feature["geometry"] == {
        "type": "LineString",
        "coordinates": [[lon, lat] for lat, lon in (PALACE, BUKCHON, CITY_HALL)],
    }
    walked = distance_m(*PALACE, *BUKCHON) + distance_m(*BUKCHON, *CITY_HALL)
    properties = feature["properties"]
    assert abs(properties["distance_m"] - walked) <= 1
    assert properties["minutes"] == round(walked / 1000 / 4 * 60)
    assert properties["stops"] == ["경복궁", "북촌", "시청"]
    assert properties["district"] == JONGNO  # where it starts
    assert properties["url"] == f"/places/routes/{walk.pk}/"
    # Filters: a route is in the district it starts in, and in a box any stop is in.
    assert set(by_id(layer("routes", district=YEONGDEUNGPO))) == {back.pk}
    assert set(by_id(layer("routes", bbox="126.97,37.575,126.99,37.59"))) == {walk.pk}
    assert set(by_id(layer("routes", bbox="126.90,37.50,126.95,37.54"))) == {back.pk}
    assert not layer("routes", kind="tour")["features"]


def test_retired_places_are_absent_from_every_layer(editor):
    open_one = charger(editor, ref="CH-1")
    gone = charger(editor, ref="CH-2", point=PALACE)
    gone_facility = facility("F-1")
    retire(gone)
    retire(gone_facility)
    assert set(by_id(layer("chargers"))) == {open_one.pk}
    assert not layer("facilities")["features"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"bbox": "126.9,37.5,127.0"}, "bbox"),
        ({"bbox": "126.9,37.5,127.0,37.6,1"}, "bbox"),
        ({"bbox": "127.0,37.5,126.9,37.6"}, "bbox"),  # west of east
        ({"bbox": "126.9,37.6,127.0,37.5"}, "bbox"),  # south of north
        ({"bbox": "126.9,-95,127.0,37.6"}, "bbox"),
        ({"bbox": "126.9,37.5,190,37.6"}, "bbox"),
        ({"bbox": "nan,37.5,127.0,37.6"}, "bbox"),
        ({"bbox": "126.9,37.5,inf,37.6"}, "bbox"),
        ({"bbox": "١٢٦,37.5,127.0,37.6"}, "bbox"),  # Arabic-Indic digits
        ({"bbox": "1_26,37.5,127.0,37.6"}, "bbox"),
        ({"bbox": "a,b,c,d"}, "bbox"),
        ({"district": "99999"}, "district"),
        ({"kind": "k" * 65}, "kind"),
    ],
)
def test_bad_filters_answer_400_naming_the_parameter(city, params, field):
    refused(get("/layers/chargers.geojson", **params), field)


def test_an_unknown_layer_answers_404(city):
    response = get("/layers/parking.geojson")
    assert response.status_code == 404
    assert response.json()["code"] == "unknown_layer"
    assert "wifi-sites" in response.json()["detail"]


def test_a_whole_layer_is_cached_until_it_changes(editor, django_assert_max_num_queries):
    from hamkke.places.models import Place

    first = charger(editor, ref="CH-1")
    assert by_id(layer("chargers"))[first.pk]["properties"]["name"] == "충전기 CH-1"
    # A change made around the services (no updated_at) is not seen: the answer is the cached
    # one, built without reading the rows again (the layer's version and hours only).
    Place.objects.filter(pk=first.pk).update(name="몰래 바뀐 이름")
    with django_assert_max_num_queries(3):
        assert by_id(layer("chargers"))[first.pk]["properties"]["name"] == "충전기 CH-1"
    # Every save, addition, retirement and deletion renews it.
    charger(editor, ref="CH-1", name="서울광장 충전소")
    assert by_id(layer("chargers"))[first.pk]["properties"]["name"] == "서울광장 충전소"
    second = charger(editor, ref="CH-2", point=PALACE)
    assert set(by_id(layer("chargers"))) == {first.pk, second.pk}
    retire(second)
    assert set(by_id(layer("chargers"))) == {first.pk}
    Place.objects.filter(pk=first.pk).delete()
    assert not layer("chargers")["features"]


def test_a_wifi_site_layer_is_renewed_by_its_access_points(editor):
    wifi = site(editor)
    assert by_id(layer("wifi-sites"))[wifi.pk]["properties"]["access_points"] == 0
    access_point("AP-1", "WF-1")
    assert by_id(layer("wifi-sites"))[wifi.pk]["properties"]["access_points"] == 1
    access_point("AP-1", "WF-1", status="closed")
    assert by_id(layer("wifi-sites"))[wifi.pk]["properties"]["access_points"] == 0


def test_a_large_layer_is_read_in_a_few_queries(editor, django_assert_max_num_queries):
    from hamkke.places.services import save_access_point

    site(editor)
    for number in range(200):
        save_access_point(
            actor=None, values={"ref": f"AP-{number}", "site_ref": "WF-1"}, recompute=False
        )
    with django_assert_max_num_queries(5):
        assert len(layer("wifi-aps")["features"]) == 200
    with django_assert_max_num_queries(5):
        assert len(layer("wifi-aps", district=JUNG)["features"]) == 200


# --- nearest -------------------------------------------------------------------------------------


def _scatter(count: int, seed: int = 11) -> list[tuple[str, float, float]]:
    """Charger sites at random points round City Hall (all inside Seoul)."""
    from hamkke.places.services import save_place

    rng = random.Random(seed)
    points = []
    for number in range(count):
        lat = CITY_HALL[0] + (rng.random() - 0.5) * 0.04
        lon = CITY_HALL[1] + (rng.random() - 0.5) * 0.05
        save_place(
            actor=None,
            layer="chargers",
            values={
                "ref": f"C{number}",
                "name": f"c{number}",
                "latitude": lat,
                "longitude": lon,
                "charger_count": 1,
            },
        )
        points.append((f"C{number}", lat, lon))
    return points


def test_nearest_is_ordered_by_distance_as_a_scan_finds(editor):
    from hamkke.places.models import Place

    points = _scatter(80)
    retired = Place.objects.get(ref="C0")
    retire(retired)
    live = [p for p in points if p[0] != "C0"]
    ids = dict(Place.objects.values_list("ref", "pk"))
    for origin in (CITY_HALL, PALACE, (37.57, 126.99)):
        for n, radius in ((5, 20_000), (20, 1_500), (100, 600), (3, 50)):
            scan = sorted(
                (distance_m(*origin, lat, lon), ids[ref])
                for ref, lat, lon in live
                if distance_m(*origin, lat, lon) <= radius
            )[:n]
            response = get(
                "/nearest", layer="chargers", lat=origin[0], lon=origin[1], n=n, radius_m=radius
            )
            assert response.status_code == 200
            assert response["Content-Type"] == "application/geo+json"
            found = response.json()["features"]
            assert [f["id"] for f in found] == [pk for _d, pk in scan]
            for feature, (metres, _pk) in zip(found, scan, strict=True):
                assert abs(feature["properties"]["distance_m"] - metres) <= 0.05
                assert feature["properties"]["charger_count"] == 1
    assert retired.pk not in {
        f["id"]
        for f in get("/nearest", layer="chargers", lat=points[0][1], lon=points[0][2]).json()[
            "features"
        ]
    }


def test_nearest_routes_by_their_nearest_stop(editor):
    walk = route()
    back = route("R-2", stops=[("여의도", YEOUIDO, None), ("시청", CITY_HALL, None)])
    found = get("/nearest", layer="routes", lat=YEOUIDO[0], lon=YEOUIDO[1], radius_m=20_000)
    features = found.json()["features"]
    assert [f["id"] for f in features] == [back.pk, walk.pk]
    assert features[0]["properties"]["distance_m"] == 0
    expected = distance_m(*YEOUIDO, *CITY_HALL)  # the walk's nearest stop is City Hall
    assert abs(features[1]["properties"]["distance_m"] - expected) <= 0.05
    assert features[1]["geometry"]["type"] == "LineString"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"layer": "parking"}, "layer"),
        ({"lat": 91}, "lat"),
        ({"lat": -90.5}, "lat"),
        ({"lat": "nan"}, "lat"),
        ({"lon": 181}, "lon"),
        ({"lon": "-inf"}, "lon"),
        ({"n": 0}, "n"),
        ({"n": 101}, "n"),
        ({"radius_m": 0}, "radius_m"),
        ({"radius_m": 20_001}, "radius_m"),
        ({"radius_m": "inf"}, "radius_m"),
    ],
)
def test_nearest_refuses_what_is_out_of_range_naming_it(city, params, field):
    query = {"layer": "chargers", "lat": CITY_HALL[0], "lon": CITY_HALL[1], **params}
    refused(get("/nearest", **query), field)


def test_nearest_at_the_limits_answers(editor):
    charger(editor)
    found = get("/nearest", layer="chargers", lat=90, lon=-180, n=100, radius_m=20_000)
    assert found.status_code == 200
    assert found.json()["features"] == []  # the pole is far from Seoul
    near = get("/nearest", layer="chargers", lat=CITY_HALL[0], lon=CITY_HALL[1], n=1)
    assert len(near.json()["features"]) == 1


# --- coverage ------------------------------------------------------------------------------------


def test_coverage_answers_404_until_computed(city):
    for path in ("/coverage", "/coverage.geojson"):
        response = get(path)
        assert response.status_code == 404
        assert response.json()["code"] == "no_coverage"


def test_coverage_figures_and_area(editor):
    from hamkke.places.services import recompute_coverage

    site(editor)
    access_point("AP-1", "WF-1")  # a street's access point at City Hall: 100 m
    recompute_coverage()
    body = get("/coverage").json()
    assert body["crs"] == "EPSG:5186"
    assert body["radius_m"]["street"] == 100 and body["radius_m"]["public"] == 30
    assert body["radius_m"]["default"] == 50
    assert body["access_points"] == 1
    circle_km2 = math.pi * 0.1**2
    assert body["city"]["covered_km2"] == pytest.approx(circle_km2, rel=0.01)
    assert body["city"]["area_km2"] == pytest.approx(605, rel=0.02)  # Seoul: about 605 km²
    city_figures = body["city"]
    assert city_figures["share"] == pytest.approx(
        city_figures["covered_km2"] / city_figures["area_km2"], rel=1e-9
    )
    districts = {d["code"]: d for d in body["districts"]}
    assert len(districts) == 25
    assert districts[JUNG]["name"] == "Jung-gu"  # the request's language
    assert districts[JUNG]["covered_km2"] == pytest.approx(circle_km2, rel=0.01)
    assert districts[JONGNO]["covered_km2"] == 0
    feature = get("/coverage.geojson")
    assert feature["Content-Type"] == "application/geo+json"
    area = feature.json()
    assert area["type"] == "Feature"
    covered = shape(area["geometry"])
    assert covered.contains(Point(CITY_HALL[1], CITY_HALL[0]))
    assert not covered.contains(Point(PALACE[1], PALACE[0]))
    assert area["properties"]["share"] == body["city"]["share"]


# --- one place, event, route; the counts ---------------------------------------------------------


def test_a_place_with_its_hours_described_and_access_points(editor, clock):
    clock(MONDAY_10)
    wifi = site(
        editor,
        ref="WF-1",
        point=CITY_HALL,
        hours="Mo-Fr 09:00-18:00; Sa 10:00-14:00",
        address="세종대로 110",
        url="https://wifi.seoul.go.kr",
    )
    kept = access_point("AP-2", "WF-1", ssid="Seoul_Secure", provider="KT", install_year=2024)
    access_point("AP-1", "WF-1", status="closed")
    body = get(f"/{wifi.pk}").json()
    assert body["name"] == "와이파이 WF-1" and body["layer"] == "wifi-sites"
    assert body["district"] == {"code": JUNG, "name": "Jung-gu"}
    assert body["hours_described"] == [
        {"days": "Mo-Fr", "hours": "09:00–18:00"},
        {"days": "Sa", "hours": "10:00–14:00"},
    ]
    assert body["open_now"] is True
    assert body["website"] == "https://wifi.seoul.go.kr"
    assert body["url"] == f"/places/{wifi.pk}/"
    assert [p["id"] for p in body["access_points"]] == [kept.pk]
    assert body["access_points"][0]["ssid"] == "Seoul_Secure"
    assert body["access_points"][0]["install_year"] == 2024
    clock(MONDAY_19)
    assert get(f"/{wifi.pk}").json()["open_now"] is False


def test_a_place_shows_no_official_only_field(editor):
    place = charger(editor, hours="24/7")
    body = get(f"/{place.pk}").json()
    assert set(body) == {
        "id", "layer", "ref", "name", "name_en", "kind", "status", "district", "latitude",
        "longitude", "address", "description", "phone", "website", "operator", "network",
        "install_year", "indoor", "charger_count", "charger_kinds", "hours", "hours_described",
        "open_now", "access_points", "updated_at", "url",
    }  # fmt: skip
    assert body["charger_count"] == 12 and body["charger_kinds"] == ["USB-C", "Lightning"]
    assert body["hours_described"] == [{"days": "Mo-Su", "hours": "00:00–24:00"}]
    assert body["open_now"] is True


def test_a_retired_or_unknown_place_answers_404(editor):
    place = charger(editor)
    retire(place)
    for path in (f"/{place.pk}", "/999999", "/events/999999", "/routes/999999"):
        response = get(path)
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"


def test_an_event_and_a_workshops_schedule(editor, clock):
    clock(MONDAY_10)
    one = event(hours="Mo,We 09:30-12:00", venue="북촌 한옥", title_en="Hanji craft")
    body = get(f"/events/{one.pk}").json()
    assert body["title"] == "한지 공예 체험" and body["title_en"] == "Hanji craft"
    assert body["languages"] == ["ko", "en", "zh"]
    assert body["hours_described"] == [{"days": "Mo,We", "hours": "09:30–12:00"}]
    assert body["open_now"] is True
    assert body["starts_at"] == "2026-05-01T01:00:00Z"
    assert body["district"]["code"] == JONGNO
    assert body["booking_url"] is None
    assert body["url"] == f"/places/events/{one.pk}/"


def test_a_route_names_the_places_it_visits_while_public(editor):
    museum = facility("F-1", PALACE, "museum")
    walk = route(stops=[("고궁박물관", PALACE, museum), ("북촌", BUKCHON, None)])
    body = get(f"/routes/{walk.pk}").json()
    assert [(s["order"], s["name"], s["place"]) for s in body["stops"]] == [
        (1, "고궁박물관", museum.pk),
        (2, "북촌", None),
    ]
    assert body["distance_m"] == walk.distance_m and body["minutes"] == walk.minutes
    retire(museum)
    assert get(f"/routes/{walk.pk}").json()["stops"][0]["place"] is None


def test_stats_count_what_is_in_service_and_what_was_lent(editor):
    from datetime import date

    from hamkke.places.services import record_lending

    charger(editor, ref="CH-1", charger_count=12)
    charger(editor, ref="CH-2", point=PALACE, charger_count=5)
    retire(charger(editor, ref="CH-3", point=BUKCHON, charger_count=40))
    site(editor)
    access_point("AP-1", "WF-1")
    facility("F-1")
    event()
    route()
    record_lending(
        actor=editor, event_name="청계천 등축제", held_on=date(2026, 11, 8), chargers_lent=25,
        citizens_served=190,
    )  # fmt: skip
    body = get("/stats").json()
    assert body["counts"] == {
        "wifi-sites": 1,
        "wifi-aps": 1,
        "chargers": 2,
        "charger_units": 17,
        "facilities": 1,
        "events": 1,
        "routes": 1,
    }
    assert body["lending"] == {"events": 1, "chargers": 25, "citizens": 190}


# --- the OpenAPI document ------------------------------------------------------------------------


def test_every_operation_is_documented_with_its_formats(city):
    document = Client().get("/api/v1/openapi.json").json()
    operations = {
        path.removeprefix(API): operation["get"]
        for path, operation in document["paths"].items()
        if path.startswith(f"{API}/") and not path.startswith(f"{API}/desk")
    }
    assert set(operations) == {
        "/layers/{layer}.geojson",
        "/layers/{layer}.jsonld",
        "/nearest",
        "/coverage",
        "/coverage.geojson",
        "/stats",
        "/events/{event_id}",
        "/routes/{route_id}",
        "/{place_id}",
    }
    for path, operation in operations.items():
        assert operation["summary"] and operation["description"], path
    for path in ("/layers/{layer}.geojson", "/nearest", "/coverage.geojson"):
        assert list(operations[path]["responses"]["200"]["content"]) == ["application/geo+json"]
    assert list(operations["/layers/{layer}.jsonld"]["responses"]["200"]["content"]) == [
        "application/ld+json"
    ]
    assert "400" in operations["/nearest"]["responses"]
