"""The places' pages in a real browser: the map draws the layers the API serves (and a ticked
layer at once), "near me" takes the browser's position and lists the nearest places, a route
and a planned walk are drawn as lines, the coverage as an area; nothing breaks the Content
Security Policy. No tile server: the map's base is the city's own outline."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.test_content_policy import _violations as _watch
from tests.places.conftest import BUKCHON, CITY_HALL, PALACE, YEOUIDO

pytestmark = pytest.mark.e2e


@pytest.fixture
def offline_map(settings):
    """No tiles: the maps draw on the city's outline alone, and ask no outside server."""
    settings.HAMKKE_MAP_TILES = ""


def _in_english(page, site: str) -> None:
    """The site speaks the city's language first; these tests read its English words."""
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": site}])


def _save(layer: str, ref: str, name: str, point, **values):
    from hamkke.places.services import save_place

    lat, lon = point
    fields = {"ref": ref, "name": name, "latitude": lat, "longitude": lon, **values}
    return save_place(actor=None, layer=layer, values=fields, recompute=False)[0]


@pytest.fixture
def registry(site):
    """Three chargers, two facilities, a WiFi site with two access points, an event under way
    and one over, and a route of three stops."""
    from hamkke.places.services import StopDraft, save_access_point, save_event, save_route

    _save("chargers", "CH-P", "경복궁 충전소", PALACE, charger_count=4)
    _save("chargers", "CH-B", "북촌 충전소", BUKCHON, charger_count=6)
    _save("chargers", "CH-Y", "여의도 충전소", YEOUIDO, charger_count=2)
    _save("facilities", "F-1", "시청 민원실", CITY_HALL, kind="community", hours="24/7")
    _save("facilities", "F-2", "정독도서관", BUKCHON, kind="library")
    _save("wifi-sites", "WF-1", "서울광장 와이파이", CITY_HALL, kind="street")
    for ref in ("AP-1", "AP-2"):
        save_access_point(actor=None, values={"ref": ref, "site_ref": "WF-1"}, recompute=False)
    now = timezone.now()
    for ref, title, starts in (
        ("E-1", "한지 공예", now - timedelta(hours=1)),
        ("E-0", "지난", now - timedelta(days=9)),
    ):
        lat, lon = BUKCHON
        values = {
            "ref": ref,
            "title": title,
            "latitude": lat,
            "longitude": lon,
            "starts_at": starts,
            "ends_at": starts + timedelta(hours=3),
        }
        save_event(actor=None, values=values)
    stops = [
        StopDraft("경복궁", *PALACE),
        StopDraft("북촌", *BUKCHON),
        StopDraft("시청", *CITY_HALL),
    ]
    return save_route(actor=None, values={"ref": "R-1", "name": "궁궐 산책"}, stops=stops)[0]


def test_the_map_draws_the_layers_and_a_ticked_one_at_once(
    site, registry, phone_page, offline_map, screenshot
):
    page = phone_page
    violations = _watch(page)
    _in_english(page, site)
    page.goto(f"{site}/places/")
    places_map = page.locator("#places-map")
    expect(places_map).to_be_visible()
    # The API's features, drawn: three chargers, two facilities, one site, the event still on
    # (the one over is left out) and the route's line.
    expect(places_map).to_have_attribute("data-drawn-chargers", "3")
    expect(places_map).to_have_attribute("data-drawn-facilities", "2")
    expect(places_map).to_have_attribute("data-drawn-wifi-sites", "1")
    expect(places_map).to_have_attribute("data-drawn-events", "1")
    expect(places_map).to_have_attribute("data-drawn-routes", "1")
    overlay = places_map.locator(".leaflet-overlay-pane")
    expect(overlay.locator("path.places-chargers")).to_have_count(3)
    expect(overlay.locator("path.places-routes")).to_have_count(1)
    # The access points are drawn once ticked, and leave when unticked.
    assert places_map.get_attribute("data-drawn-wifi-aps") is None
    page.get_by_role("checkbox", name="WiFi access points").check()
    expect(places_map).to_have_attribute("data-drawn-wifi-aps", "2")
    page.get_by_role("checkbox", name="Phone chargers").uncheck()
    expect(overlay.locator("path.places-chargers")).to_have_count(0)
    page.get_by_role("checkbox", name="Phone chargers").check()
    expect(overlay.locator("path.places-chargers")).to_have_count(3)
    # A point's popup names it and links to its page.
    # (Dispatched to the marker itself: a cluster of access points may lie on top of it.)
    overlay.locator("path.places-facilities").first.dispatch_event("click")
    popup = places_map.locator(".leaflet-popup-content a")
    expect(popup).to_have_count(1)
    assert popup.get_attribute("href").startswith("/places/")
    screenshot(page, "places-map-phone")
    assert violations == []


def test_near_me_takes_the_browser_s_position(site, registry, browser, offline_map, screenshot):
    lat, lon = CITY_HALL
    context = browser.new_context(
        locale="en-US",
        viewport={"width": 375, "height": 812},
        geolocation={"latitude": lat, "longitude": lon},
        permissions=["geolocation"],
    )
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        context.grant_permissions(["geolocation"], origin=site)
        context.set_geolocation({"latitude": lat, "longitude": lon})
        violations = _watch(page)
        _in_english(page, site)
        page.goto(f"{site}/places/")
        page.get_by_label("Look for").select_option("chargers")
        page.get_by_label("Within").select_option("5000")
        locate = page.get_by_role("button", name="Use my location")
        expect(locate).to_be_visible()  # shown only with a script and a browser that locates
        locate.click()
        page.wait_for_url("**/places/near/**")
        found = page.locator("ol.near-list .place-title a")
        # From City Hall: Gyeongbokgung (about 1.5 km), Bukchon (1.9 km); Yeouido is beyond 5 km.
        expect(found).to_have_text(["경복궁 충전소", "북촌 충전소"])
        expect(page.locator("ol.near-list .place-distance").first).to_contain_text("1.5 km")
        assert page.get_by_label("Latitude").input_value().startswith("37.5663")
        screenshot(page, "places-near-me-phone")

        # Ticking both plans the walk through them, drawn as a line.
        page.get_by_label("Add 경복궁 충전소 to the walk").check()
        page.get_by_label("Add 북촌 충전소 to the walk").check()
        page.get_by_role("button", name="Plan a walk through the ticked places").click()
        walk = page.locator("[data-places-line]")
        expect(walk).to_have_attribute("data-drawn-line", "2")
        expect(page.locator("ol.visits .place-title a")).to_have_text(
            ["경복궁 충전소", "북촌 충전소"]
        )
        assert violations == []
    finally:
        context.close()


def test_a_route_and_the_coverage_are_drawn(site, registry, page, offline_map):
    from hamkke.places.services import recompute_coverage

    recompute_coverage()
    violations = _watch(page)
    page.goto(f"{site}/places/routes/{registry.pk}/")
    line = page.locator("[data-places-line]")
    expect(line).to_have_attribute("data-drawn-line", "3")
    expect(line.locator("path.places-line")).to_have_count(1)
    page.goto(f"{site}/places/coverage/")
    area = page.locator("[data-places-coverage]")
    expect(area).to_have_attribute("data-drawn-coverage", "1")
    expect(area.locator("path.places-coverage")).to_have_count(1)
    assert violations == []
