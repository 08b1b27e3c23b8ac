"""The places desk's pages, driven as an official's browser drives them: who gets in (the role
in the keeping department and the second factor), the registries at a glance, each registry's
list with its filters and a constant number of queries, adding and editing a row of every
registry through its service with the refusals shown beside their fields and nothing written,
taking a place or an access point off the map and putting it back, and the charger lending."""

from __future__ import annotations

import html as html_lib
import re
from datetime import UTC, datetime

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hamkke.accounts.models import Role
from hamkke.places.models import AccessPoint, Event, Lending, Place, Route, RouteStop, Status
from tests import factories
from tests.places.conftest import BUKCHON, CITY_HALL, PALACE, YEOUIDO, charger, site
from tests.places.test_api import access_point, event, facility, route

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("city", "english")]

DESK = "/places/desk"
JONGNO, JUNG, YEONGDEUNGPO = "11110", "11140", "11560"
LAYERS = ("wifi-sites", "wifi-aps", "chargers", "facilities", "events", "routes")


@pytest.fixture(autouse=True)
def _english_pages(client):
    """The pages in English, the source language, whatever the city's default."""
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def signed_in(client):
    """Sign the test client in as `user` does: password, then the authenticator's code."""

    def sign_in(user):
        factories.log_in_official(client, user)
        return user

    return sign_in


def text_of(html: str) -> str:
    body = html.split('<main id="main"', 1)[-1].split("</main>", 1)[0]
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


def errors_of(html: str, field: str, prefix: str = "id_") -> list[str]:
    """The errors shown beside a form's field."""
    found = re.search(rf'<ul class="errorlist" id="{prefix}{field}_error">(.*?)</ul>', html, re.S)
    return [html_lib.unescape(e) for e in re.findall(r"<li>(.*?)</li>", found[1])] if found else []


def top_errors(html: str) -> str:
    found = re.search(r'<div class="form-errors" role="alert">(.*?)</div>', html, re.S)
    return html_lib.unescape(found[1]) if found else ""


def charger_form(**values) -> dict:
    lat, lon = CITY_HALL
    data = {
        "ref": "CH-9",
        "name": "시청 충전소",
        "name_en": "City Hall chargers",
        "charger_count": "8",
        "charger_kinds": "USB-C, Lightning",
        "operator": "서울시",
        "indoor": "indoor",
        "address": "세종대로 110",
        "hours": "Mo-Fr 09:00-18:00",
        "phone": "02-120",
        "url": "https://www.seoul.go.kr",
        "latitude": str(lat),
        "longitude": str(lon),
        "status": "active",
        "description": "",
    }
    data.update(values)
    return data


def event_form(**values) -> dict:
    lat, lon = BUKCHON
    data = {
        "ref": "EV-9",
        "title": "한지 공예 체험",
        "title_en": "Hanji craft",
        "kind": "workshop",
        "venue": "북촌 공방",
        "address": "",
        "latitude": str(lat),
        "longitude": str(lon),
        "starts_at": "2026-05-01T10:00",
        "ends_at": "2026-05-31T17:00",
        "hours": "Tu-Su 10:00-17:00",
        "booking_url": "https://example.org/book",
        "languages": "ko, EN, zh",
        "description": "",
    }
    data.update(values)
    return data


# --- who gets in ---------------------------------------------------------------------------------


DESK_PAGES = [
    f"{DESK}/",
    f"{DESK}/chargers/",
    f"{DESK}/wifi-aps/",
    f"{DESK}/events/new/",
    f"{DESK}/lending/",
]


@pytest.mark.parametrize("url", DESK_PAGES)
def test_the_desk_needs_an_official_with_the_second_factor(client, keeper, citizen, url):
    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert anonymous.url.startswith(reverse("account_login"))
    factories.log_in(client, citizen)
    assert client.get(url).status_code == 403
    handler = factories.make_official(role=Role.HANDLER, department=keeper)
    factories.activate_totp(handler)
    client.force_login(handler)  # a session without the authenticator's code
    response = client.get(url)
    assert response.status_code == 302
    assert "second-factor" in response.url


def test_an_official_of_another_department_is_refused(client, city, editor, signed_in):
    from hamkke.core.models import Department

    wifi = site(editor, ref="WF-1")
    transport = Department.objects.get(city=city, code="transport")
    signed_in(factories.make_official(role=Role.MANAGER, department=transport))
    for url in [f"{DESK}/", f"{DESK}/wifi-sites/", f"{DESK}/wifi-sites/{wifi.pk}/"]:
        response = client.get(url)
        assert response.status_code == 403, url
        assert "information" in text_of(response.content.decode()).lower()
    assert client.post(f"{DESK}/chargers/new/", charger_form()).status_code == 403
    assert client.post(f"{DESK}/wifi-sites/{wifi.pk}/retire/").status_code == 403
    assert not Place.objects.filter(layer="chargers").exists()
    assert Place.objects.get(pk=wifi.pk).status == Status.ACTIVE


def test_a_viewer_reads_and_is_neither_offered_editing_nor_allowed_it(
    client, keeper, editor, signed_in
):
    place = charger(editor, ref="CH-1", name="시청 충전소")
    signed_in(factories.make_official(role=Role.VIEWER, department=keeper))
    overview = client.get(f"{DESK}/").content.decode()
    assert f'href="{DESK}/chargers/new/"' not in overview
    assert "/imports/" not in overview  # importing is a handler's
    page = client.get(f"{DESK}/chargers/{place.pk}/").content.decode()
    assert re.search(r'<input type="text" name="name" value="시청 충전소"[^>]*disabled', page)
    assert "Take off the map" not in page and ">Save<" not in page
    assert "This needs the role “handler”" in text_of(page)  # said once, not at every field
    changed = client.post(f"{DESK}/chargers/{place.pk}/", charger_form(name="바뀜"))
    assert changed.status_code == 403
    assert client.get(f"{DESK}/chargers/new/").status_code == 403
    assert client.post(f"{DESK}/chargers/{place.pk}/retire/").status_code == 403
    assert client.post(f"{DESK}/lending/", {"event_name": "축제"}).status_code == 403
    place.refresh_from_db()
    assert (place.name, place.status) == ("시청 충전소", Status.ACTIVE)
    assert not Lending.objects.exists()


def test_a_city_without_a_keeping_department_has_no_desk(client, keeper, signed_in, monkeypatch):
    signed_in(factories.make_official(role=Role.HANDLER, department=keeper))
    monkeypatch.setattr("hamkke.places.services.keeper_of", lambda city: None)
    response = client.get(f"{DESK}/")
    assert response.status_code == 403
    assert "[places] department" in text_of(response.content.decode())


# --- the registries at a glance ------------------------------------------------------------------


def test_the_overview_counts_the_rows_in_service_coverage_and_lending(
    client, editor, signed_in, django_capture_on_commit_callbacks
):
    from hamkke.places import services

    site(editor, ref="WF-1")
    site(editor, ref="WF-2", point=PALACE)
    access_point("AP-1", "WF-1")
    access_point("AP-2", "WF-2")
    access_point("AP-3", "WF-2", status="closed")
    services.retire(actor=editor, place=charger(editor, ref="CH-0"))
    charger(editor, ref="CH-1", charger_count=7)
    charger(editor, ref="CH-2", charger_count=5)
    facility("F-1")
    snapshot = services.recompute_coverage()
    for name, lent, served in (("봄 축제", 40, 300), ("여름 축제", 25, 120)):
        services.record_lending(
            actor=editor,
            event_name=name,
            held_on=datetime(2026, 5, 1).date(),
            chargers_lent=lent,
            citizens_served=served,
        )
    signed_in(editor)
    html = client.get(f"{DESK}/").content.decode()
    counts = dict(re.findall(r'<tr id="count-([a-z-]+)">.*?class="count">(\d+)<', html, re.S))
    assert counts == {
        "wifi-sites": "2",
        "wifi-aps": "2",  # the third is out of service
        "chargers": "2",  # the retired one left out
        "facilities": "1",
        "events": "0",
        "routes": "0",
    }
    text = text_of(html)
    assert "12 chargers at the charger sites in service" in text
    coverage = re.search(r'<dl class="desk-facts" id="coverage">(.*?)</dl>', html, re.S)[1]
    assert "Access points counted</dt><dd>2<" in coverage
    computed = timezone.localtime(snapshot.computed_at).strftime("%Y-%m-%d %H:%M")
    assert computed in coverage
    lending = text_of(re.search(r'id="lending-figures">(.*?)</ul>', html, re.S)[1])
    assert lending.split() == ["2", "events", "65", "chargers", "lent", "420", "citizens", "served"]
    # The import and export pages are another part of the desk: linked by their paths.
    assert f'href="{DESK}/imports/">Import a file<' in html
    for layer in LAYERS:
        assert f'href="{DESK}/export/{layer}.csv?format=csv"' in html
        assert f'href="{DESK}/export/{layer}.geojson?format=geojson"' in html


# --- a registry's list ---------------------------------------------------------------------------


def refs_listed(html: str) -> list[str]:
    table = re.search(r'<table class="desk-queue" id="rows">(.*?)</table>', html, re.S)
    if table is None:
        return []
    return re.findall(r'<td data-label="Number"><a href="[^"]+">([^<]+)</a>', table[1])


def test_a_list_shows_every_row_out_of_service_too_and_follows_its_filters(
    client, editor, signed_in
):
    from hamkke.places import services

    site(editor, ref="WF-JUNG", name="시청 앞", point=CITY_HALL, kind="1. 주요거리")
    site(editor, ref="WF-PALACE", name="경복궁", point=PALACE, kind="7-1. 공원(하천)")
    retired = site(editor, ref="WF-OLD", name="여의도 옛 와이파이", point=YEOUIDO)
    services.retire(actor=editor, place=retired)
    charger(editor, ref="CH-1")  # another registry
    signed_in(editor)

    def listed(**params) -> list[str]:
        response = client.get(f"{DESK}/wifi-sites/", params)
        assert response.status_code == 200
        return refs_listed(response.content.decode())

    assert listed() == ["WF-PALACE", "WF-JUNG", "WF-OLD"]  # by name, the retired one too
    assert listed(status="closed") == ["WF-OLD"]
    assert listed(status="active") == ["WF-PALACE", "WF-JUNG"]
    assert listed(district=JUNG) == ["WF-JUNG"]
    assert listed(q="palace") == ["WF-PALACE"]  # by number, whatever its case
    assert listed(q="시청") == ["WF-JUNG"]
    assert listed(kind="park") == ["WF-PALACE"]
    # A filter that cannot be read is said beside it; the others still apply.
    response = client.get(f"{DESK}/wifi-sites/", {"district": "nowhere", "q": "경복궁"})
    assert "valid choice" in errors_of(response.content.decode(), "district", "filter-")[0]
    assert refs_listed(response.content.decode()) == ["WF-PALACE"]
    html = client.get(f"{DESK}/wifi-sites/").content.decode()
    assert f'href="{DESK}/wifi-sites/{retired.pk}/">WF-OLD<' in html
    assert "off the map" in text_of(re.search(r'<tr class="is-retired">.*?</tr>', html, re.S)[0])


def test_each_registry_lists_its_rows_with_links_to_edit_them(client, editor, signed_in):
    site(editor, ref="WF-1")
    ap = access_point("AP-1", "WF-1", ssid="Seoul_Free")
    place = charger(editor, ref="CH-1")
    fac = facility("F-1")
    ev = event("EV-1", starts_at=datetime(2025, 5, 1, 1, tzinfo=UTC))
    walk = route("R-1")
    signed_in(editor)
    for layer, row, ref in (
        ("wifi-aps", ap, "AP-1"),
        ("chargers", place, "CH-1"),
        ("facilities", fac, "F-1"),
        ("events", ev, "EV-1"),
        ("routes", walk, "R-1"),
    ):
        html = client.get(f"{DESK}/{layer}/").content.decode()
        assert refs_listed(html) == [ref], layer
        assert f'href="{DESK}/{layer}/{row.pk}/">{ref}<' in html
        assert client.get(f"{DESK}/{layer}/{row.pk}/").status_code == 200
    # Events over are listed too (the public map leaves them out), and can be filtered.
    assert refs_listed(client.get(f"{DESK}/events/", {"status": "over"}).content.decode()) == [
        "EV-1"
    ]
    assert refs_listed(client.get(f"{DESK}/events/", {"status": "current"}).content.decode()) == []
    # A row of one registry is not found under another.
    assert client.get(f"{DESK}/facilities/{place.pk}/").status_code == 404


def fill_every_registry(editor, start: int, count: int) -> None:
    for number in range(start, start + count):
        site(editor, ref=f"WF-{number}")
        access_point(f"AP-{number}", f"WF-{number}")
        charger(editor, ref=f"CH-{number}")
        facility(f"F-{number}")
        event(f"E-{number}")
        route(f"R-{number}")


def test_the_lists_take_the_same_queries_whatever_the_page_size(client, editor, signed_in):
    fill_every_registry(editor, 0, 21)
    signed_in(editor)

    def queries(layer: str, size: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"{DESK}/{layer}/", {"size": size})
        assert response.status_code == 200
        assert len(refs_listed(response.content.decode())) == min(size, 21)
        return len(captured)

    for layer in LAYERS:
        queries(layer, 20)  # what is read once per process
        assert queries(layer, 20) == queries(layer, 100), layer
        # The session and the seat, a count and a page, the filter's districts, the frame.
        assert queries(layer, 100) <= 14, layer


# --- adding and editing --------------------------------------------------------------------------


def test_a_handler_adds_a_charger_site_and_finds_it_on_the_map(client, editor, signed_in):
    signed_in(editor)
    assert client.get(f"{DESK}/chargers/new/").status_code == 200
    response = client.post(f"{DESK}/chargers/new/", charger_form())
    place = Place.objects.get(layer="chargers", ref="CH-9")
    assert response.status_code == 302
    assert response.url == f"{DESK}/chargers/{place.pk}/"
    assert (place.name, place.charger_count, place.indoor) == ("시청 충전소", 8, True)
    assert (place.hours, place.url, place.district.code) == (
        "Mo-Fr 09:00-18:00",
        "https://www.seoul.go.kr",
        JUNG,
    )
    assert "Number CH-9 is added" in text_of(client.get(response.url).content.decode())
    assert client.get(f"/places/{place.pk}/").status_code == 200


def test_a_handler_adds_a_wifi_site_its_access_point_and_a_facility(client, editor, signed_in):
    signed_in(editor)
    lat, lon = PALACE
    point = {"latitude": str(lat), "longitude": str(lon), "status": "active"}
    assert (
        client.post(
            f"{DESK}/wifi-sites/new/",
            {"ref": "WF-9", "name": "경복궁", "kind": "park", "network": "KT", **point},
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"{DESK}/wifi-aps/new/",
            {"ref": "AP-9", "site_ref": "WF-9", "ssid": "Seoul_Free", "status": "active"},
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"{DESK}/facilities/new/",
            {"ref": "F-9", "name": "국립고궁박물관", "kind": "museum", **point},
        ).status_code
        == 302
    )
    wifi = Place.objects.get(layer="wifi-sites", ref="WF-9")
    ap = AccessPoint.objects.get(ref="AP-9")
    assert (wifi.kind, wifi.network, wifi.district.code) == ("park", "KT", JONGNO)
    # The access point's point is its site's when none is given; its type is the site's.
    assert (ap.site, ap.latitude, ap.longitude, ap.install_type) == (wifi, lat, lon, "park")
    assert Place.objects.get(layer="facilities", ref="F-9").kind == "museum"


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"charger_count": "١٢"}, "charger_count", "ordinary digits"),
        ({"charger_count": ""}, "charger_count", "required"),
        ({"charger_count": "0"}, "charger_count", "at least one"),
        ({"name": ""}, "name", "required"),
        ({"url": "javascript:alert(1)"}, "url", "https://"),
        ({"hours": "whenever"}, "hours", ""),
        ({"latitude": str(CITY_HALL[1]), "longitude": str(CITY_HALL[0])}, "latitude", "swapped"),
        ({"latitude": "35.1796", "longitude": "129.0756"}, "latitude", "outside the city"),
        ({"latitude": "north"}, "latitude", "as numbers"),
        ({"status": "gone"}, "status", "valid choice"),
    ],
)
def test_a_refused_charger_site_is_said_beside_its_field_and_nothing_is_written(
    client, editor, signed_in, values, field, words
):
    signed_in(editor)
    response = client.post(f"{DESK}/chargers/new/", charger_form(**values))
    assert response.status_code == 400
    errors = errors_of(response.content.decode(), field)
    assert errors and words in errors[0], (errors, top_errors(response.content.decode()))
    assert not Place.objects.exists()


def test_swapped_coordinates_are_explained(client, editor, signed_in):
    signed_in(editor)
    lat, lon = CITY_HALL
    response = client.post(
        f"{DESK}/chargers/new/", charger_form(latitude=str(lon), longitude=str(lat))
    )
    [error] = errors_of(response.content.decode(), "latitude")
    assert f"({lon}, {lat}) lies inside the city the other way round" in error


def test_a_number_already_in_the_registry_is_not_added_again(client, editor, signed_in):
    existing = charger(editor, ref="CH-9", name="원래 이름")
    signed_in(editor)
    response = client.post(f"{DESK}/chargers/new/", charger_form(name="덮어쓰기"))
    assert response.status_code == 400
    assert "already in this registry" in errors_of(response.content.decode(), "ref")[0]
    existing.refresh_from_db()
    assert existing.name == "원래 이름"
    # The same number in another registry is another row.
    lat, lon = PALACE
    added = client.post(
        f"{DESK}/facilities/new/",
        {"ref": "CH-9", "name": "박물관", "kind": "museum", "latitude": lat, "longitude": lon}
        | {"status": "active"},
    )
    assert added.status_code == 302


def test_a_facility_needs_a_kind_of_the_profile(client, editor, signed_in):
    signed_in(editor)
    lat, lon = PALACE
    data = {"ref": "F-1", "name": "카지노", "latitude": lat, "longitude": lon, "status": "active"}
    for kind in ("", "casino"):
        response = client.post(f"{DESK}/facilities/new/", {**data, "kind": kind})
        assert response.status_code == 400
        assert errors_of(response.content.decode(), "kind")
    assert not Place.objects.exists()


def test_an_access_point_of_a_site_that_does_not_exist_is_refused(client, editor, signed_in):
    signed_in(editor)
    response = client.post(
        f"{DESK}/wifi-aps/new/", {"ref": "AP-1", "site_ref": "WF-404", "status": "active"}
    )
    assert response.status_code == 400
    assert "no WiFi site with that number" in errors_of(response.content.decode(), "site_ref")[0]
    assert not AccessPoint.objects.exists()


def test_editing_keeps_the_number_and_the_fields_the_form_does_not_show(client, editor, signed_in):
    place = charger(editor, ref="CH-1", network="LGU+", install_year=2019)
    signed_in(editor)
    page = client.get(f"{DESK}/chargers/{place.pk}/").content.decode()
    assert 'name="ref"' not in page  # the number names the row; it is not edited
    assert 'value="USB-C, Lightning"' in page
    data = charger_form(ref="CH-OTHER", name="새 이름", charger_count="20", indoor="outdoor")
    response = client.post(f"{DESK}/chargers/{place.pk}/", data)
    assert response.status_code == 302
    place.refresh_from_db()
    assert (place.ref, place.name, place.charger_count, place.indoor) == (
        "CH-1",
        "새 이름",
        20,
        False,
    )
    # A charger's form shows no network or year: what the registry holds stays.
    assert (place.network, place.install_year) == ("LGU+", 2019)
    assert Place.objects.count() == 1


def test_a_refused_edit_changes_nothing(client, editor, signed_in):
    place = charger(editor, ref="CH-1", name="그대로")
    before = Place.objects.values().get(pk=place.pk)
    signed_in(editor)
    response = client.post(
        f"{DESK}/chargers/{place.pk}/", charger_form(name="바뀜", hours="at dawn")
    )
    assert response.status_code == 400
    assert errors_of(response.content.decode(), "hours")
    assert Place.objects.values().get(pk=place.pk) == before


def test_an_event_is_added_with_its_schedule_booking_link_and_languages(client, editor, signed_in):
    signed_in(editor)
    response = client.post(f"{DESK}/events/new/", event_form())
    assert response.status_code == 302
    added = Event.objects.get(ref="EV-9")
    # Typed in the city's time (Seoul, UTC+9).
    assert added.starts_at == datetime(2026, 5, 1, 1, 0, tzinfo=UTC)
    assert added.ends_at == datetime(2026, 5, 31, 8, 0, tzinfo=UTC)
    assert (added.hours, added.booking_url, added.languages) == (
        "Tu-Su 10:00-17:00",
        "https://example.org/book",
        "ko,en,zh",
    )
    page = client.get(response.url).content.decode()
    assert 'value="ko, en, zh"' in page
    assert 'value="2026-05-01T10:00"' in page


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"starts_at": "0001-01-01T00:00"}, "starts_at"),
        ({"ends_at": "9999-12-31T23:59"}, "ends_at"),
        ({"ends_at": "2026-04-30T10:00"}, "ends_at"),
        ({"booking_url": "ftp://example.org"}, "booking_url"),
        ({"hours": "sometimes"}, "hours"),
        ({"title": ""}, "title"),
    ],
)
def test_a_refused_event_is_said_beside_its_field(client, editor, signed_in, values, field):
    signed_in(editor)
    response = client.post(f"{DESK}/events/new/", event_form(**values))
    assert response.status_code == 400
    assert errors_of(response.content.decode(), field), top_errors(response.content.decode())
    assert not Event.objects.exists()


def test_a_route_is_added_from_its_stops_one_a_line(client, editor, signed_in):
    museum = facility("F-1", point=PALACE, name="국립고궁박물관")
    signed_in(editor)
    lat, lon = BUKCHON
    stops = f"place:{museum.pk}\n\n북촌 한옥마을; {lat}; {lon}\n시청;{CITY_HALL[0]};{CITY_HALL[1]}"
    response = client.post(
        f"{DESK}/routes/new/", {"ref": "R-9", "name": "궁궐 산책", "stops": stops}
    )
    assert response.status_code == 302, top_errors(response.content.decode())
    walk = Route.objects.get(ref="R-9")
    assert [(s.order, s.name, s.place_id) for s in walk.stops.all()] == [
        (1, "국립고궁박물관", museum.pk),
        (2, "북촌 한옥마을", None),
        (3, "시청", None),
    ]
    assert walk.distance_m > 0
    # Its page gives the stops back as typed, the place by its number.
    page = html_lib.unescape(client.get(response.url).content.decode())
    assert f"place:{museum.pk}\n북촌 한옥마을; {lat:.6f}; {lon:.6f}\n시청;" in page


@pytest.mark.parametrize(
    ("stops", "words"),
    [
        ("경복궁; 37.5796; 126.9770", "at least two"),
        ("경복궁; 37.5796\n북촌; 37.5826; 126.9831", "Line 1"),
        ("place:abc\n북촌; 37.5826; 126.9831", "Line 1"),
        ("경복궁; 37.5796; 126.9770\n부산; 35.1796; 129.0756", "Stop 2: This point is outside"),
        ("경복궁; 126.9770; 37.5796\n북촌; 37.5826; 126.9831", "Stop 1: The latitude and"),
        ("place:999999\n북촌; 37.5826; 126.9831", "Stop 1: there is no place 999999"),
        ("; 37.5796; 126.9770\n북촌; 37.5826; 126.9831", "Stop 1: give its name"),
    ],
)
def test_a_refused_route_names_its_stop_and_writes_nothing(client, editor, signed_in, stops, words):
    signed_in(editor)
    response = client.post(f"{DESK}/routes/new/", {"ref": "R-9", "name": "길", "stops": stops})
    assert response.status_code == 400
    [error] = errors_of(response.content.decode(), "stops")
    assert words in error
    assert not Route.objects.exists() and not RouteStop.objects.exists()


def test_a_route_through_a_retired_place_is_refused_and_an_edit_keeps_the_old_stops(
    client, editor, signed_in
):
    from hamkke.places import services

    walk = route("R-1")
    before = list(walk.stops.values_list("order", "name", "latitude", "longitude"))
    museum = facility("F-1")
    services.retire(actor=editor, place=museum)
    signed_in(editor)
    response = client.post(
        f"{DESK}/routes/{walk.pk}/",
        {"name": "새 길", "stops": f"place:{museum.pk}\n북촌; {BUKCHON[0]}; {BUKCHON[1]}"},
    )
    assert response.status_code == 400
    assert "no place" in errors_of(response.content.decode(), "stops")[0]
    walk.refresh_from_db()
    assert walk.name == "궁궐 산책"
    assert list(walk.stops.values_list("order", "name", "latitude", "longitude")) == before


def test_an_access_point_moves_to_another_site(client, editor, signed_in):
    site(editor, ref="WF-1", point=CITY_HALL)
    site(editor, ref="WF-2", point=PALACE)
    ap = access_point("AP-1", "WF-1")
    signed_in(editor)
    response = client.post(
        f"{DESK}/wifi-aps/{ap.pk}/",
        {"site_ref": "WF-2", "latitude": "", "longitude": "", "status": "repair"},
    )
    assert response.status_code == 302
    ap.refresh_from_db()
    assert (ap.site.ref, ap.latitude, ap.status, ap.district.code) == (
        "WF-2",
        PALACE[0],
        "repair",
        JONGNO,
    )


# --- off the map and back ------------------------------------------------------------------------


def test_a_place_is_taken_off_the_map_and_put_back(
    client, editor, signed_in, django_capture_on_commit_callbacks
):
    from hamkke.places.models import CoverageSnapshot

    wifi = site(editor, ref="WF-1")
    access_point("AP-1", "WF-1")
    signed_in(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{DESK}/wifi-sites/{wifi.pk}/retire/")
    assert response.status_code == 302 and response.url == f"{DESK}/wifi-sites/{wifi.pk}/"
    wifi.refresh_from_db()
    assert wifi.status == Status.CLOSED
    assert client.get(f"/places/{wifi.pk}/").status_code == 404
    # The coverage was computed again without the retired site's access point.
    assert CoverageSnapshot.objects.get().access_points == 0
    page = client.get(response.url).content.decode()
    assert "Put back in service" in page and "Out of service: off the public map" in text_of(page)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{DESK}/wifi-sites/{wifi.pk}/reinstate/")
    wifi.refresh_from_db()
    assert wifi.status == Status.ACTIVE
    assert client.get(f"/places/{wifi.pk}/").status_code == 200
    assert CoverageSnapshot.objects.get().access_points == 1


def test_an_access_point_is_taken_off_the_map_and_put_back(client, editor, signed_in):
    site(editor, ref="WF-1")
    ap = access_point("AP-1", "WF-1", ssid="Seoul_Free")
    signed_in(editor)
    assert client.post(f"{DESK}/wifi-aps/{ap.pk}/retire/").status_code == 302
    ap.refresh_from_db()
    assert (ap.status, ap.ssid) == (Status.CLOSED, "Seoul_Free")
    assert client.post(f"{DESK}/wifi-aps/{ap.pk}/reinstate/").status_code == 302
    ap.refresh_from_db()
    assert ap.status == Status.ACTIVE


def test_events_and_routes_are_not_taken_off_the_map(client, editor, signed_in):
    ev = event("EV-1")
    signed_in(editor)
    assert "Take off the map" not in client.get(f"{DESK}/events/{ev.pk}/").content.decode()
    assert client.post(f"{DESK}/events/{ev.pk}/retire/").status_code == 404
    assert Event.objects.filter(pk=ev.pk).exists()


# --- lending -------------------------------------------------------------------------------------


def lending_form(**values) -> dict:
    data = {
        "event_name": "서울 장미 축제",
        "held_on": "2026-05-16",
        "venue": "중랑천",
        "district": "",
        "chargers_lent": "40",
        "citizens_served": "312",
    }
    data.update(values)
    return data


def test_lending_is_recorded_and_listed_with_its_totals(client, editor, signed_in):
    signed_in(editor)
    first = client.post(f"{DESK}/lending/", lending_form(district=JUNG))
    assert first.status_code == 302 and first.url == f"{DESK}/lending/"
    client.post(f"{DESK}/lending/", lending_form(event_name="한강 축제", chargers_lent="15"))
    rows = Lending.objects.order_by("id")
    assert [(r.event_name, r.chargers_lent, r.citizens_served) for r in rows] == [
        ("서울 장미 축제", 40, 312),
        ("한강 축제", 15, 312),
    ]
    assert rows[0].district.code == JUNG and rows[0].recorded_by == editor
    html = client.get(f"{DESK}/lending/").content.decode()
    totals = text_of(re.search(r'id="lending-totals">(.*?)</ul>', html, re.S)[1]).split()
    assert totals == ["2", "events", "55", "chargers", "lent", "624", "citizens", "served"]
    table = re.search(r'<table class="desk-queue" id="lendings">(.*?)</table>', html, re.S)[1]
    assert table.count("<tr>") == 4  # the head, two records and the totals
    assert "In all" in table and ">55<" in table and ">624<" in table


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"held_on": "0001-01-01"}, "held_on"),
        ({"held_on": "9999-12-31"}, "held_on"),
        ({"chargers_lent": "٤٠"}, "chargers_lent"),
        ({"chargers_lent": "-1"}, "chargers_lent"),
        ({"citizens_served": ""}, "citizens_served"),
        ({"event_name": ""}, "event_name"),
        ({"district": "99999"}, "district"),
    ],
)
def test_a_refused_lending_is_said_beside_its_field(client, editor, signed_in, values, field):
    signed_in(editor)
    response = client.post(f"{DESK}/lending/", lending_form(**values))
    assert response.status_code == 400
    assert errors_of(response.content.decode(), field), top_errors(response.content.decode())
    assert not Lending.objects.exists()
