"""Finding places by name or address: the gazetteer's matching and ranking, the Nominatim
backend against a fake server on 127.0.0.1 (never the internet), the choice of backend, and
GET /api/v1/geocode with its refusals and rate limit."""

from __future__ import annotations

import json
import logging
import math
import shutil
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from hamkke.core import geocoding
from hamkke.core.city import selectors as city_selectors
from hamkke.core.city.services import load_city
from hamkke.core.geocoding import (
    GazetteerGeocoder,
    NominatimGeocoder,
    Place,
    get_geocoder,
    normalise,
)
from hamkke.core.profiles import read_profile

CITIES = Path(settings.HAMKKE_CITIES_DIR)
GEOCODE = "/api/v1/geocode"


def names(places: list[Place]) -> list[str]:
    return [place.name for place in places]


# --- the gazetteer, on its own -----------------------------------------------------------------


def _place(name: str, name_en: str = "", kind: str = "landmark") -> Place:
    return Place(name=name, name_en=name_en, latitude=37.5, longitude=127.0, kind=kind)


def test_names_are_compared_without_case_width_spaces_or_punctuation():
    assert normalise("N Seoul-Tower!") == "nseoultower"
    assert normalise("ＣＯＥＸ　Ｍａｌｌ") == "coexmall"  # full-width forms, as some keyboards type
    assert normalise("서울 역") == "서울역"
    assert normalise(" ·!? ") == ""


def test_a_prefix_match_ranks_before_a_substring_match():
    gazetteer = GazetteerGeocoder(
        [
            (_place("N Seoul Tower"), ()),
            (_place("Seoul Station"), ()),
            (_place("Seoul Forest"), ()),
            (_place("Busan Station"), ()),
        ]
    )
    # Prefixes first (the shorter name, closer to what was typed, before the longer one),
    # then names that only contain the query; names without it not at all.
    assert names(gazetteer.search("seoul", limit=10)) == [
        "Seoul Forest",
        "Seoul Station",
        "N Seoul Tower",
    ]
    assert names(gazetteer.search("station", limit=10)) == ["Seoul Station", "Busan Station"]


def test_the_first_place_of_a_name_wins_and_aliases_match():
    gazetteer = GazetteerGeocoder(
        [
            (_place("관악구청", "Gwanak-gu Office"), ("Gwanak Office",)),
            (_place("관악구청", "Gwanak-gu Office", kind="office"), ()),
        ]
    )
    assert len(gazetteer) == 1
    assert gazetteer.search("gwanak office", limit=5)[0].kind == "landmark"


def test_an_empty_query_or_limit_finds_nothing():
    gazetteer = GazetteerGeocoder([(_place("Seoul Station"), ())])
    for query in ("", "   ", "!?·"):
        assert gazetteer.search(query, limit=5) == []
    assert gazetteer.search("seoul", limit=0) == []


# --- the gazetteer of a loaded city --------------------------------------------------------------


@pytest.fixture
def seoul_gazetteer(city) -> GazetteerGeocoder:
    return GazetteerGeocoder.for_city(city)


@pytest.mark.parametrize(
    "query",
    ["경복궁", "Gyeongbokgung Palace", "GYEONGBOKGUNG", "gyeongbok palace", "경 복 궁"],
)
def test_korean_english_and_aliases_find_the_same_place(seoul_gazetteer, query):
    found = seoul_gazetteer.search(query, limit=5)
    assert found[0].name == "경복궁"
    assert found[0].name_en == "Gyeongbokgung Palace"
    assert found[0].kind == "palace"
    assert (found[0].latitude, found[0].longitude) == (37.5796, 126.977)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("서울 역", "서울역"),
        ("Seoul   Station!", "서울역"),
        ("n-seoul tower", "남산서울타워"),
        ("Namsan Tower", "남산서울타워"),
        ("홍대", "홍익대학교"),
        ("Lotte World", "롯데월드타워"),
        ("ddp", "동대문디자인플라자"),
    ],
)
def test_spaces_punctuation_and_aliases_do_not_matter(seoul_gazetteer, query, expected):
    assert seoul_gazetteer.search(query, limit=5)[0].name == expected


@pytest.mark.parametrize(
    ("query", "gu"), [("종로구", "종로구"), ("Jongno-gu", "종로구"), ("gangnam gu", "강남구")]
)
def test_a_district_name_finds_its_district(city, seoul_gazetteer, query, gu):
    first = seoul_gazetteer.search(query, limit=5)[0]
    assert (first.name, first.kind) == (gu, "district")
    # Its point is a representative point of the outline: surely inside the district.
    assert city_selectors.district_at(city, first.latitude, first.longitude).name == gu


def test_gu_offices_are_found_at_their_district(city, seoul_gazetteer):
    office = seoul_gazetteer.search("마포구청", limit=5)[0]
    assert (office.name, office.name_en, office.kind) == ("마포구청", "Mapo-gu Office", "office")
    assert city_selectors.district_at(city, office.latitude, office.longitude).name == "마포구"


def test_a_profile_place_replaces_the_derived_office_of_the_same_name(seoul_gazetteer):
    found = seoul_gazetteer.search("관악구청", limit=5)
    assert len(found) == 1
    assert (found[0].latitude, found[0].longitude) == (37.4782, 126.9515)  # the profile's


def test_the_limit_is_kept_and_ties_keep_the_list_order(seoul_gazetteer):
    assert len(seoul_gazetteer.search("서울", limit=3)) == 3
    assert len(seoul_gazetteer.search("서울", limit=20)) > 3
    # The exact name before a longer one; equally close names in the list's order: the
    # profile's places, then the districts, then the offices.
    assert names(seoul_gazetteer.search("종로구", limit=5)) == ["종로구", "종로구청"]
    assert names(seoul_gazetteer.search("강남", limit=5)) == ["강남역", "강남구", "강남구청"]


def test_nothing_found_is_an_empty_list(seoul_gazetteer):
    assert seoul_gazetteer.search("Atlantis", limit=5) == []
    assert seoul_gazetteer.search("", limit=5) == []


@pytest.mark.django_db
def test_mumbai_places_are_found_in_their_wards():
    mumbai = load_city(slug="mumbai")
    found = GazetteerGeocoder.for_city(mumbai).search("csmt", limit=5)
    assert found[0].name == "Chhatrapati Shivaji Maharaj Terminus"
    assert city_selectors.district_at(mumbai, found[0].latitude, found[0].longitude).code == "c"


@pytest.mark.django_db
def test_reloading_the_profile_refreshes_the_gazetteer(tmp_path):
    folder = tmp_path / "seoul"
    shutil.copytree(CITIES / "seoul", folder)
    city = load_city(slug="seoul", folder=folder)
    assert GazetteerGeocoder.for_city(city).search("Deoksugung", limit=5) == []
    with (folder / "profile.toml").open("a", encoding="utf-8") as profile:
        profile.write(
            '\n[[landmarks]]\ncode = "deoksugung"\nname = "덕수궁"\nname_en = "Deoksugung"\n'
            'latitude = 37.5658\nlongitude = 126.9751\nkind = "palace"\n'
        )
    city = load_city(slug="seoul", folder=folder)
    assert names(GazetteerGeocoder.for_city(city).search("Deoksugung", limit=5)) == ["덕수궁"]


def test_the_gazetteer_is_the_default_backend(city, settings):
    assert settings.HAMKKE_GEOCODER == "hamkke.core.geocoding.GazetteerGeocoder"
    assert isinstance(get_geocoder(), GazetteerGeocoder)
    settings.HAMKKE_GEOCODER = "hamkke.core.geocoding.NominatimGeocoder"
    chosen = get_geocoder(city)
    assert isinstance(chosen, NominatimGeocoder)
    assert chosen.timeout == 3.0
    assert chosen.url == settings.HAMKKE_GEOCODER_URL
    assert "Hamkke" in chosen.user_agent


# --- Nominatim, against a fake server ------------------------------------------------------------

GYEONGBOKGUNG = {
    "place_id": 1,
    "lat": "37.5796",
    "lon": "126.9770",
    "category": "tourism",
    "type": "attraction",
    "name": "경복궁",
    "display_name": "경복궁, 사직로, 종로구, 서울, 대한민국",
    "namedetails": {"name": "경복궁", "name:en": "Gyeongbokgung Palace"},
}
# A namesake in Busan: the server ignored `bounded`, as some compatible services do.
IN_BUSAN = {"lat": "35.1796", "lon": "129.0756", "type": "cafe", "display_name": "경복궁, 부산"}
CITY_HALL = {"lat": "37.5663", "lon": "126.9779", "type": "townhall", "display_name": "서울시청"}


class FakeNominatim:
    """What the fake server answers, and what it was asked."""

    def __init__(self):
        self.status = 200
        self.body: bytes = b"[]"
        self.delay = 0.0
        self.requests: list[tuple[dict, dict]] = []
        self.url = ""

    def answer(self, results, status: int = 200) -> None:
        self.status = status
        self.body = json.dumps(results).encode() if not isinstance(results, bytes) else results


@pytest.fixture
def nominatim(monkeypatch):
    # A proxy set in the environment must not carry the request off the machine.
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    fake = FakeNominatim()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            fake.requests.append((parse_qs(urlsplit(self.path).query), dict(self.headers)))
            time.sleep(fake.delay)
            try:
                self.send_response(fake.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(fake.body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting: that is the timeout test

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_port}/search"
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def seoul_boundary() -> dict:
    return read_profile(CITIES / "seoul").boundary


def _nominatim(fake: FakeNominatim, boundary: dict, **kwargs) -> NominatimGeocoder:
    return NominatimGeocoder(
        url=fake.url, area=boundary, user_agent="Hamkke tests", language="ko,en", **kwargs
    )


def test_nominatim_asks_within_the_city_and_keeps_what_is_inside(nominatim, seoul_boundary):
    nominatim.answer([GYEONGBOKGUNG, IN_BUSAN, {"lat": "north", "lon": "?"}, "junk", CITY_HALL])
    found = _nominatim(nominatim, seoul_boundary).search("  경복궁 ", limit=5)
    assert found == [
        Place("경복궁", "Gyeongbokgung Palace", 37.5796, 126.977, "attraction"),
        Place("서울시청", "", 37.5663, 126.9779, "townhall"),
    ]
    params, headers = nominatim.requests[0]
    assert params["q"] == ["경복궁"]
    assert params["format"] == ["jsonv2"]
    assert params["bounded"] == ["1"]
    assert params["limit"] == ["5"]
    west, north, east, south = map(float, params["viewbox"][0].split(","))
    # Seoul's bounding box, roughly (126.76–127.19 E, 37.41–37.72 N).
    assert 126.7 < west < 126.8 and 127.15 < east < 127.2
    assert 37.4 < south < 37.45 and 37.7 < north < 37.75
    assert headers["User-Agent"] == "Hamkke tests"
    assert headers["Accept-Language"] == "ko,en"


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)
ANSWER_ITEM = st.one_of(
    JSON,
    st.fixed_dictionaries(
        {"lat": JSON | st.floats().map(str), "lon": JSON | st.floats().map(str)},
        optional={"name": JSON, "display_name": JSON, "type": JSON, "namedetails": JSON},
    ),
)


# Drawing recursive JSON is slow when the machine is busy (a parallel run): not a failure.
@hypothesis_settings(suppress_health_check=[HealthCheck.too_slow])
@given(ANSWER_ITEM)
def test_any_item_of_an_answer_is_a_place_or_nothing(item):
    place = geocoding._nominatim_place(item)
    if place is not None:
        assert place.name
        assert math.isfinite(place.latitude) and math.isfinite(place.longitude)


def test_nominatim_keeps_the_limit(nominatim, seoul_boundary):
    nominatim.answer([GYEONGBOKGUNG, CITY_HALL, GYEONGBOKGUNG])
    assert len(_nominatim(nominatim, seoul_boundary).search("궁", limit=2)) == 2


def test_nominatim_is_not_asked_for_nothing(nominatim, seoul_boundary):
    assert _nominatim(nominatim, seoul_boundary).search("   ", limit=5) == []
    assert nominatim.requests == []


@pytest.mark.parametrize(
    ("status", "body"),
    [(500, b'{"error": "down"}'), (200, b"<html>not json</html>"), (200, b'{"not": "a list"}')],
)
def test_a_failing_server_answers_nothing_with_a_warning(
    nominatim, seoul_boundary, caplog, status, body
):
    nominatim.answer(body, status=status)
    with caplog.at_level(logging.WARNING, logger="hamkke.core.geocoding"):
        assert _nominatim(nominatim, seoul_boundary).search("경복궁", limit=5) == []
    assert "Geocoder" in caplog.text
    assert "경복궁" not in caplog.text  # what a person typed stays out of the logs


def test_a_slow_server_times_out_to_nothing(nominatim, seoul_boundary, caplog):
    nominatim.answer([GYEONGBOKGUNG])
    nominatim.delay = 1.5
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="hamkke.core.geocoding"):
        assert _nominatim(nominatim, seoul_boundary, timeout=0.2).search("경복궁", limit=5) == []
    assert time.monotonic() - started < 1.2
    assert "timed out" in caplog.text


def test_an_unreachable_server_answers_nothing(seoul_boundary, caplog, monkeypatch):
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    # A port just freed: nothing listens there.
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = server.server_port
    server.server_close()
    geocoder = NominatimGeocoder(
        url=f"http://127.0.0.1:{port}/search", area=seoul_boundary, user_agent="Hamkke tests"
    )
    with caplog.at_level(logging.WARNING, logger="hamkke.core.geocoding"):
        assert geocoder.search("경복궁", limit=5) == []
    assert "Geocoder" in caplog.text


def test_the_api_answers_from_nominatim_when_chosen(client, city, settings, nominatim):
    settings.HAMKKE_GEOCODER = "hamkke.core.geocoding.NominatimGeocoder"
    settings.HAMKKE_GEOCODER_URL = nominatim.url
    nominatim.answer([GYEONGBOKGUNG, IN_BUSAN])
    response = client.get(GEOCODE, {"q": "경복궁"})
    assert response.status_code == 200
    assert [(p["name"], p["district"]["name_en"]) for p in response.json()] == [
        ("경복궁", "Jongno-gu")
    ]
    _params, headers = nominatim.requests[0]
    assert headers["User-Agent"].startswith("Hamkke")


# --- GET /api/v1/geocode -----------------------------------------------------------------------


def test_geocode_answers_places_with_their_district(client, city):
    response = client.get(GEOCODE, {"q": "gyeongbokgung"})
    assert response.status_code == 200
    first = response.json()[0]
    assert first["name"] == "경복궁"
    assert first["name_en"] == "Gyeongbokgung Palace"
    assert first["kind"] == "palace"
    assert (first["latitude"], first["longitude"]) == (37.5796, 126.977)
    assert first["district"]["code"] == "11110"
    assert first["district"]["name"] == "종로구"
    assert first["district"]["name_en"] == "Jongno-gu"


def test_geocode_keeps_to_the_limit(client, city):
    assert len(client.get(GEOCODE, {"q": "서울", "limit": 2}).json()) == 2
    assert len(client.get(GEOCODE, {"q": "서울"}).json()) == 5  # the default
    assert len(client.get(GEOCODE, {"q": "구", "limit": 500}).json()) == 20  # at most 20
    assert client.get(GEOCODE, {"q": "Atlantis"}).json() == []


@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "   "}])
def test_geocode_refuses_an_empty_query(client, city, params):
    response = client.get(GEOCODE, params, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json()["code"] == "empty"
    assert response.json()["detail"] == "Type an address or the name of a place to search for."


def test_geocode_refuses_a_query_over_200_characters(client, city):
    assert client.get(GEOCODE, {"q": "가" * 200}).status_code == 200
    response = client.get(GEOCODE, {"q": "가" * 201}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json()["code"] == "too_long"
    assert "200" in response.json()["detail"] and "201" in response.json()["detail"]


def test_geocode_is_rate_limited_per_address(client, city):
    for _ in range(60):
        assert client.get(GEOCODE, {"q": "서울역"}).status_code == 200
    refused = client.get(GEOCODE, {"q": "서울역"})
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert refused["Retry-After"] == "60"
    # Another address still searches.
    assert client.get(GEOCODE, {"q": "서울역"}, REMOTE_ADDR="10.0.0.9").status_code == 200


def test_places_outside_every_district_are_left_out(city, monkeypatch):
    class Elsewhere:
        def search(self, query, *, limit):
            return [Place("부산역", "Busan Station", 35.1151, 129.0413, "station")]

    monkeypatch.setattr(geocoding, "get_geocoder", lambda city=None: Elsewhere())
    assert city_selectors.find_places(city, "역") == []


def test_geocode_is_described_in_the_openapi_document(client):
    operation = client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/geocode"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"q", "limit"}
