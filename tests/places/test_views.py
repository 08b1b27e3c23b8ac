"""The places' public pages: the map page's lists per layer (filters, paging, what the map is
fed), near me by coordinates and by a landmark (nearest first, distance and walking time), a
place with its hours open or closed across midnight at a frozen time, an event, a route, the
walk planner against every order, its limits, the coverage and figures, 404s and bounded
query counts."""

from __future__ import annotations

import itertools
import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hamkke.core.geo import distance_m
from tests.places import test_api as api_tests
from tests.places.conftest import BUKCHON, CITY_HALL, PALACE, YEOUIDO, charger, site
from tests.places.test_api import access_point, event, facility, retire, route

# Pages are asserted in their English source (tests/conftest.py's `english`).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("city", "english")]
# The API tests' fixture that sets what `timezone.now()` answers (saves and pages alike).
clock = api_tests.clock

# Friday 6 March 2026 in Seoul (UTC+9): 21:00, and Saturday 01:00 and 03:00.
FRIDAY_21 = datetime(2026, 3, 6, 12, 0, tzinfo=UTC)
SATURDAY_01 = datetime(2026, 3, 6, 16, 0, tzinfo=UTC)
SATURDAY_03 = datetime(2026, 3, 6, 18, 0, tzinfo=UTC)
# Inside Jung-gu, east of City Hall (Euljiro 3-ga) and south (Namdaemun market).
EULJIRO = (37.5662, 126.9910)
NAMDAEMUN = (37.5593, 126.9776)


def page(path: str, status: int = 200, **params) -> str:
    response = Client().get(path, params)
    assert response.status_code == status, response.content[:2000]
    return response.content.decode()


def text_of(html: str) -> str:
    """The visible words of the page's main part (or of a part of a page) on one line, tags
    and runs of spaces out."""
    body = html.split('<main id="main"', 1)[-1].split("</main>", 1)[0]
    body = re.sub(r"<script.*?</script>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).strip()


def section(html: str, layer: str) -> str:
    """One layer's list on the map page (empty when the layer is not listed)."""
    match = re.search(rf'<section class="place-section" id="{layer}".*?</section>', html, re.S)
    return match[0] if match else ""


def island(html: str, element_id: str):
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html)
    assert match, element_id
    return json.loads(match[1])


def linked_names(html: str) -> list[str]:
    """The names of the lines of a list, in order."""
    return re.findall(
        r'<p class="place-title">(?:<label[^>]*>[^<]*</label>)?<a href="[^"]+">([^<]+)</a>', html
    )


# --- the map page ----------------------------------------------------------------------------


def test_the_map_page_lists_every_layer_in_service_and_feeds_the_map(editor, clock):
    clock(datetime(2026, 4, 1, 3, 0, tzinfo=UTC))
    site(editor, ref="WF-1", name="광장 와이파이")
    access_point("AP-1", "WF-1")
    access_point("AP-2", "WF-1")
    access_point("AP-3", "WF-1", status="closed")
    charger(editor, ref="CH-1", name="시청 충전소", charger_count=12)
    retire(charger(editor, ref="CH-2", name="철거된 충전소", point=PALACE))
    facility("F-1", name="국립고궁박물관", kind="museum")
    event("E-1", title="한지 공예 체험")
    event(
        "E-0",
        title="지난 행사",
        starts_at=datetime(2026, 3, 1, 1, 0, tzinfo=UTC),
        ends_at=datetime(2026, 3, 1, 3, 0, tzinfo=UTC),
    )
    route("R-1", name="궁궐 산책")

    html = page("/places/")
    assert linked_names(section(html, "wifi-sites")) == ["광장 와이파이"]
    assert "2 access points" in text_of(section(html, "wifi-sites"))
    assert linked_names(section(html, "chargers")) == ["시청 충전소"]
    assert "12 chargers" in text_of(section(html, "chargers"))
    assert linked_names(section(html, "facilities")) == ["국립고궁박물관"]
    assert "Museum" in text_of(section(html, "facilities"))
    # Upcoming events only: the one over in March is not listed.
    assert linked_names(section(html, "events")) == ["한지 공예 체험"]
    assert linked_names(section(html, "routes")) == ["궁궐 산책"]
    assert "3 stops" in text_of(section(html, "routes"))
    # The access points are many: listed and drawn only when asked for.
    assert section(html, "wifi-aps") == ""
    assert "철거된 충전소" not in html

    layers = {entry["layer"]: entry for entry in island(html, "places-layers")}
    assert set(layers) == {"wifi-sites", "wifi-aps", "chargers", "facilities", "events", "routes"}
    assert layers["chargers"]["url"] == "/api/v1/places/layers/chargers.geojson"
    assert layers["chargers"]["shown"] and not layers["wifi-aps"]["shown"]
    assert layers["wifi-aps"]["cluster"]
    # The map element is the platform's component, and its layers are this page's script's.
    assert 'data-map="view"' in html and 'data-places-layers="places-layers"' in html
    assert "<script>" not in html  # no inline script (CSP)


def test_the_lists_follow_the_filters(editor):
    facility("F-1", name="국립고궁박물관", kind="museum")
    facility("F-2", name="정독도서관", kind="library", point=BUKCHON)
    facility("F-3", name="여의도 도서관", kind="library", point=YEOUIDO)
    charger(editor, ref="CH-1", name="시청 충전소")

    html = page("/places/", shown="1", layers="facilities", kind="library")
    assert linked_names(section(html, "facilities")) == ["여의도 도서관", "정독도서관"]
    assert section(html, "chargers") == ""  # the layer was not ticked
    # The map draws the same kind: the API's filter is in the layer's address.
    layers = {entry["layer"]: entry for entry in island(html, "places-layers")}
    assert layers["facilities"]["url"].endswith("facilities.geojson?kind=library")
    assert layers["facilities"]["shown"] and not layers["chargers"]["shown"]

    jongno = page("/places/", shown="1", layers="facilities", kind="library", district="11110")
    assert linked_names(section(jongno, "facilities")) == ["정독도서관"]
    named = page("/places/", shown="1", layers=["facilities", "chargers"], q="시청")
    assert linked_names(section(named, "facilities")) == []
    assert linked_names(section(named, "chargers")) == ["시청 충전소"]
    # Every layer unticked: nothing listed, nothing drawn.
    empty = page("/places/", shown="1")
    assert "Choose what to show above." in text_of(empty)
    assert not any(entry["shown"] for entry in island(empty, "places-layers"))
    # An unknown kind is left out and said; the other filters still apply.
    odd = page("/places/", shown="1", layers="facilities", kind="casino", district="11110")
    assert "could not be read" in text_of(odd)
    assert linked_names(section(odd, "facilities")) == ["국립고궁박물관", "정독도서관"]


def test_each_list_pages_on_its_own(editor):
    for number in range(12):
        charger(editor, ref=f"CH-{number:02d}", name=f"충전소 {number:02d}")
    for number in range(3):
        facility(f"F-{number}", name=f"시설 {number}")

    first = page("/places/")
    assert linked_names(section(first, "chargers")) == [f"충전소 {n:02d}" for n in range(10)]
    assert "Page 1 of 2" in text_of(section(first, "chargers"))
    second = page("/places/", **{"chargers-page": "2"})
    assert linked_names(section(second, "chargers")) == ["충전소 10", "충전소 11"]
    # The other lists stay on their first page, and the link keeps the other parameters.
    assert linked_names(section(second, "facilities")) == ["시설 0", "시설 1", "시설 2"]
    assert 'href="?shown=1&amp;layers=chargers&amp;chargers-page=2#chargers"' in page(
        "/places/", shown="1", layers="chargers"
    )


def test_the_lists_take_the_same_queries_for_few_rows_and_many(editor):
    def fill(start: int, count: int) -> None:
        for number in range(start, start + count):
            site(editor, ref=f"WF-{number}")
            access_point(f"AP-{number}", f"WF-{number}")
            charger(editor, ref=f"CH-{number}", hours="Mo-Fr 09:00-18:00")
            facility(f"F-{number}", hours="24/7")
            event(f"E-{number}", starts_at=timezone.now(), ends_at=timezone.now() + timedelta(1))
            route(f"R-{number}")

    every_layer = {
        "shown": "1",
        "layers": ["wifi-sites", "wifi-aps", "chargers", "facilities", "events", "routes"],
    }
    fill(0, 2)
    page("/places/", **every_layer)  # the city and the profile, read once per process
    with CaptureQueriesContext(connection) as few:
        page("/places/", **every_layer)
    fill(2, 13)
    with CaptureQueriesContext(connection) as many:
        html = page("/places/", **every_layer)
    assert len(linked_names(section(html, "routes"))) == 10
    assert len(many) == len(few)
    # A count and a page for each of the six lists, and little else.
    assert len(many) <= 2 * 6 + 2


# --- near me ---------------------------------------------------------------------------------


def four_chargers(editor):
    charger(editor, ref="CH-Y", name="여의도 충전소", point=YEOUIDO)
    charger(editor, ref="CH-B", name="북촌 충전소", point=BUKCHON)
    charger(editor, ref="CH-C", name="시청 충전소", point=CITY_HALL, hours="Mo-Fr 09:00-18:00")
    charger(editor, ref="CH-P", name="경복궁 충전소", point=PALACE)


def test_near_me_by_coordinates_lists_the_nearest_first_with_distance_and_walking_time(
    editor, clock
):
    clock(datetime(2026, 3, 2, 1, 0, tzinfo=UTC))  # Monday 10:00 in Seoul
    four_chargers(editor)
    lat, lon = CITY_HALL
    html = page(
        "/places/near/", layer="chargers", latitude=lat, longitude=lon, n="3", radius="5000"
    )
    # Nearest first; Yeouido, 6 km away, is beyond the 5 km asked for.
    assert linked_names(html) == ["시청 충전소", "경복궁 충전소", "북촌 충전소"]
    words = text_of(html)
    # City Hall to Gyeongbokgung is about 1,480 m: 23 minutes at 4 km/h; to Bukchon about
    # 1,870 m: 29 minutes.
    assert "1.5 km · 23 minutes on foot" in words
    assert "1.9 km · 29 minutes on foot" in words
    assert "0 m · 0 minutes on foot" in words
    assert "Phone chargers: 3 found within 5 km" in words
    # Open on a Monday morning; the others' hours are unknown and say nothing.
    assert words.count("Open now") == 1
    # Registry places can be ticked for a walk.
    assert html.count('name="place"') == 3 and 'action="/places/plan/"' in html


def test_near_me_by_a_landmark_and_the_form_s_refusals(editor):
    four_chargers(editor)
    html = page("/places/near/", layer="chargers", address="경복궁", n="3", radius="1000")
    assert linked_names(html) == ["경복궁 충전소", "북촌 충전소"]
    assert "Near Gyeongbokgung Palace, in Jongno-gu." in text_of(html)

    nothing = page("/places/near/", 400, layer="chargers")
    assert "Use your location, or type an address" in text_of(nothing)
    half = page("/places/near/", 400, layer="chargers", latitude="37.5")
    assert "Give both the latitude and the longitude." in text_of(half)
    unknown = page("/places/near/", 400, layer="chargers", address="없는곳이름xyz")
    assert "was found" in text_of(unknown)
    far = page("/places/near/", 400, layer="chargers", latitude="137.5", longitude="126.9")
    assert "The latitude goes from -90 to 90." in text_of(far)


def test_near_me_finds_events_routes_and_access_points_too(editor):
    site(editor, ref="WF-1", name="광장 와이파이")
    access_point("AP-1", "WF-1", ssid="Seoul_Free")
    route("R-1", name="궁궐 산책")
    lat, lon = CITY_HALL
    aps = page("/places/near/", layer="wifi-aps", latitude=lat, longitude=lon)
    # An access point shows its site's name and links to the site's page.
    assert linked_names(aps) == ["광장 와이파이"] and "Seoul_Free" in text_of(aps)
    assert 'name="place"' not in aps  # only registry places go into a walk
    routes = page("/places/near/", layer="routes", latitude=lat, longitude=lon)
    assert linked_names(routes) == ["궁궐 산책"]
    assert "3 stops" in text_of(routes)


def test_near_me_takes_no_query_per_place_found(editor):
    def near_city_hall() -> int:
        lat, lon = CITY_HALL
        params = {"layer": "wifi-aps", "latitude": lat, "longitude": lon, "n": "20"}
        with CaptureQueriesContext(connection) as queries:
            html = page("/places/near/", **params, radius="500")
        assert "Seoul_Free" in html
        return len(queries)

    def add(start: int, count: int) -> None:
        for number in range(start, start + count):
            # A few metres apart, all a short walk from City Hall.
            point = (CITY_HALL[0] + number * 0.0001, CITY_HALL[1])
            site(editor, ref=f"WF-{number}", point=point)
            access_point(f"AP-{number}", f"WF-{number}", ssid="Seoul_Free")

    add(0, 3)
    near_city_hall()  # the city and the profile, read once per process
    few = near_city_hall()
    add(3, 17)
    assert near_city_hall() <= few


# --- one place, event, route -----------------------------------------------------------------


def test_a_place_open_across_midnight_in_the_city_s_time(editor, clock):
    bar = facility("F-1", name="심야 도서관", hours="Fr 22:00-02:00")
    clock(FRIDAY_21)
    before = text_of(page(f"/places/{bar.pk}/"))
    assert "Closed now Opens Fri 22:00" in before
    clock(SATURDAY_01)
    during = text_of(page(f"/places/{bar.pk}/"))
    assert "Open now Closes Sat 02:00" in during
    assert "Fri 22:00–02:00" in during  # the rule as written
    # The map page's list says the same at the same moment.
    assert "Open now" in text_of(section(page("/places/"), "facilities"))
    clock(SATURDAY_03)
    after = text_of(page(f"/places/{bar.pk}/"))
    assert "Closed now Opens Fri 22:00" in after
    assert "Closed now" in text_of(section(page("/places/"), "facilities"))


def test_a_wifi_site_s_page_with_its_access_points_in_service(editor):
    wifi = site(editor, ref="WF-1", name="서울광장", network="SKT", operator="서울시")
    access_point("AP-1", "WF-1", ssid="Seoul_Free_1", provider="SKT", install_type="park")
    access_point("AP-2", "WF-1", status="closed")
    words = text_of(page(f"/places/{wifi.pk}/"))
    assert "서울광장" in words and "Jung-gu" in words and "SKT" in words and "서울시" in words
    assert "1 access point" in words and "AP-1" in words and "Seoul_Free_1" in words
    assert "Parks and rivers" in words
    assert "AP-2" not in words


def test_a_charger_site_s_page(editor):
    chargers = charger(editor, name="시청 충전소", charger_count=8, charger_kinds="USB-C,Lightning")
    html = page(f"/places/{chargers.pk}/")
    words = text_of(html)
    assert "Chargers 8" in words and "Plugs USB-C, Lightning" in words
    assert 'data-point="37.566300,126.977900"' in html  # the small map


def test_a_retired_place_and_unknown_rows_answer_404(editor):
    gone = retire(charger(editor, name="철거된 충전소"))
    page(f"/places/{gone.pk}/", 404)
    page("/places/999999/", 404)
    page("/places/events/999999/", 404)
    page("/places/routes/999999/", 404)


def test_an_event_s_page(editor, clock):
    clock(datetime(2026, 4, 1, 3, 0, tzinfo=UTC))
    workshop = event(
        "E-1",
        title="한지 공예 체험",
        title_en="Hanji craft",
        venue="북촌 공방",
        booking_url="https://example.org/book",
    )
    words = text_of(page(f"/places/events/{workshop.pk}/"))
    assert "Hanji craft" in words and "북촌 공방" in words and "Coming up" in words
    # 1 May 2026, 01:00 to 03:00 UTC is 10:00 to 12:00 in Seoul.
    assert "From 2026-05-01 10:00 to 2026-05-01 12:00" in words
    assert "Korean, English, Simplified Chinese" in words
    assert "Book a place" in words
    clock(datetime(2026, 6, 1, 3, 0, tzinfo=UTC))
    over = text_of(page(f"/places/events/{workshop.pk}/"))
    assert "Over" in over and "Book a place" not in over


def test_a_route_s_page_with_its_stops_in_order(editor):
    palace = facility("F-1", name="경복궁", point=PALACE)
    hall = facility("F-2", name="시청", point=CITY_HALL)
    walk = route(
        "R-1",
        name="궁궐 산책",
        stops=[
            ("경복궁 정문", PALACE, palace),
            ("북촌", BUKCHON, None),
            ("시청 앞", CITY_HALL, hall),
        ],
    )
    retire(hall)
    html = page(f"/places/routes/{walk.pk}/")
    stops = re.search(r'<ol class="stops">(.*?)</ol>', html, re.S)[1]
    assert re.findall(r"<li>(?:<a [^>]+>)?([^<]+)", stops) == ["경복궁 정문", "북촌", "시청 앞"]
    # Linked to its place while in service only.
    assert f'href="/places/{palace.pk}/"' in stops and f"/places/{hall.pk}/" not in stops
    line = island(html, "route-line")["stops"]
    assert [(s["lat"], s["lon"]) for s in line] == [PALACE, BUKCHON, CITY_HALL]
    words = text_of(html)
    assert f"3 stops · {walk.distance_m / 1000:.1f} km · about {walk.minutes} minutes" in words


# --- the walk planner ------------------------------------------------------------------------


FIVE = [
    ("시청", CITY_HALL),
    ("여의도", YEOUIDO),
    ("경복궁", PALACE),
    ("을지로", EULJIRO),
    ("북촌", BUKCHON),
]


def _planned(html: str) -> list[str]:
    visits = re.search(r'<ol class="place-list visits">(.*?)</ol>', html, re.S)
    assert visits, text_of(html)[:2000]
    return linked_names(visits[1])


def _walk_length(points, round_trip: bool) -> float:
    legs = list(itertools.pairwise(points))
    if round_trip:
        legs.append((points[-1], points[0]))
    return sum(distance_m(*a, *b) for a, b in legs)


@pytest.mark.parametrize(
    ("start", "round_trip"), [("first", False), ("free", False), ("first", True)]
)
def test_the_planner_s_order_is_the_shortest_of_every_order(start, round_trip):
    places = {name: facility(f"F-{n}", name=name, point=p) for n, (name, p) in enumerate(FIVE)}
    points = dict(FIVE)
    params = {"place": [places[name].pk for name, _point in FIVE], "plan": "1", "start": start}
    if round_trip:
        params["round_trip"] = "on"
    order = _planned(page("/places/plan/", **params))
    assert sorted(order) == sorted(points)
    # Brute force: every order (starting at the first chosen when asked).
    names = [name for name, _point in FIVE]
    orders = [
        order_
        for order_ in itertools.permutations(names)
        if start == "free" or order_[0] == names[0]
    ]
    best = min(_walk_length([points[n] for n in o], round_trip) for o in orders)
    assert _walk_length([points[n] for n in order], round_trip) == pytest.approx(best, abs=0.01)
    if start == "first":
        assert order[0] == "시청"


def test_the_planner_says_the_total_and_draws_the_walk():
    a = facility("F-1", name="시청", point=CITY_HALL)
    b = facility("F-2", name="남대문", point=NAMDAEMUN)
    html = page("/places/plan/", place=[a.pk, b.pk], plan="1")
    metres = distance_m(*CITY_HALL, *NAMDAEMUN)  # about 780 m
    minutes = -(-metres * 60 // 4000)  # whole minutes at 4 km/h, rounded up
    assert f"{round(metres)} m in all, about {int(minutes)} minutes on foot." in text_of(html)
    line = island(html, "plan-line")["stops"]
    assert [s["lat"] for s in line] == [CITY_HALL[0], NAMDAEMUN[0]]


def test_the_planner_refuses_more_than_twelve_places_and_fewer_than_two():
    ids = [facility(f"F-{n}", name=f"시설 {n:02d}").pk for n in range(13)]
    html = page("/places/plan/", 400, place=ids, plan="1")
    assert "Choose at most 12 places" in text_of(html) and "You chose 13" in text_of(html)
    assert '<ol class="place-list visits">' not in html
    # The chosen places stay ticked, to untick one.
    assert html.count(" checked>") >= 13
    one = page("/places/plan/", 400, place=ids[:1], plan="1")
    assert "Choose at least 2 places" in text_of(one)
    twelve = page("/places/plan/", place=ids[:12], plan="1")
    assert len(_planned(twelve)) == 12


def test_the_planner_finds_places_to_add_and_keeps_the_chosen_in_order(editor):
    hall = facility("F-1", name="시청 민원실", point=CITY_HALL)
    palace = facility("F-2", name="고궁박물관", point=PALACE, kind="museum")
    charger(editor, ref="CH-1", name="시청 충전소")
    gone = retire(charger(editor, ref="CH-2", name="시청 옛 충전소"))
    html = page("/places/plan/", place=[palace.pk, gone.pk, hall.pk], q="시청")
    chosen = re.search(r'<ol class="place-list chosen">(.*?)</ol>', html, re.S)[1]
    assert linked_names(chosen) == ["고궁박물관", "시청 민원실"]  # the retired one left out
    choices = re.search(r'<ul class="place-list choices">(.*?)</ul>', html, re.S)[1]
    assert linked_names(choices) == ["시청 충전소"]  # found, the chosen ones not again


def test_the_planner_takes_the_same_queries_for_few_places_and_many():
    ids = [facility(f"F-{n:02d}", name=f"시설 {n:02d}").pk for n in range(40)]

    def plan_of(chosen: list[int]) -> int:
        with CaptureQueriesContext(connection) as queries:
            html = page("/places/plan/", place=chosen, plan="1")
        assert len(_planned(html)) == len(chosen)
        return len(queries)

    plan_of(ids[:2])  # the city and the profile, read once per process
    assert plan_of(ids[:12]) == plan_of(ids[:2])


# --- coverage --------------------------------------------------------------------------------


def test_the_coverage_page_with_its_figures(editor):
    from hamkke.places.services import recompute_coverage, record_lending

    assert "has not been computed yet" in text_of(page("/places/coverage/"))
    # One access point on a main street (100 m): π·0.1² ≈ 0.0314 km², all inside Jung-gu.
    site(editor, ref="WF-1", point=CITY_HALL)
    access_point("AP-1", "WF-1", install_type="street")
    recompute_coverage()
    for name, held_on, lent, served in (("시민의 날", 5, 30, 120), ("한강 축제", 6, 12, 45)):
        record_lending(
            actor=None,
            event_name=name,
            held_on=datetime(2026, held_on, 1).date(),
            chargers_lent=lent,
            citizens_served=served,
        )
    html = page("/places/coverage/")
    words = text_of(html)
    assert "0.03 km² covered of" in words
    # Jung-gu is about 10 km²: some 0.31 % of it is covered.
    jung = re.search(r'<th scope="row">Jung-gu</th>(.*?)</tr>', html, re.S)[1]
    cells = re.findall(r'<td class="number">([^<]+)</td>', jung)
    assert cells[0] == "0.03" and 9.5 < float(cells[1]) < 10.5
    assert cells[2] in {"0.31%", "0.32%"}
    assert "EPSG:5186" in words and "Main streets 100" in words
    assert "Events 2 Chargers lent 42 Citizens served 165" in words
    assert "WiFi sites 1 WiFi access points 1 Phone chargers 0" in words
    assert 'data-places-coverage="/api/v1/places/coverage.geojson"' in html
