"""The platform's map in a real browser when the tile server cannot be reached (as offline): the
city's boundary, its districts and their names are still drawn, the names do not overlap, the
tiles can be turned off, and nothing breaks the Content Security Policy."""

from __future__ import annotations

import copy
import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from hamkke.core.models import District
from tests.core.test_maps import litter_in_jongno

pytestmark = pytest.mark.e2e

# Port 9 (discard) on this machine: nothing listens, the connection is refused at once.
UNREACHABLE_ORIGIN = "http://127.0.0.1:9"
UNREACHABLE_TILES = UNREACHABLE_ORIGIN + "/tiles/{z}/{x}/{y}.png"
SEOUL_DISTRICTS = 25


@pytest.fixture
def unreachable_tiles(settings):
    """The tile setting points at a server that does not answer; its origin is in the policy,
    as settings.py puts the configured one, so that a refused tile is not a policy violation."""
    settings.HAMKKE_MAP_TILES = UNREACHABLE_TILES
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["img-src"] = [*policy["DIRECTIVES"]["img-src"], UNREACHABLE_ORIGIN]
    settings.CONTENT_SECURITY_POLICY = policy


def _watch(page) -> tuple[list[str], list[str]]:
    violations: list[str] = []
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.on(
        "requestfailed",
        lambda request: refused.append(request.url) if UNREACHABLE_ORIGIN in request.url else None,
    )
    return violations, refused


def _label_boxes(page) -> list[dict]:
    return page.locator(".map-district-label:not(.map-label-hidden)").evaluate_all(
        "nodes => nodes.map(n => { const b = n.getBoundingClientRect();"
        " return {text: n.textContent, left: b.left, right: b.right, top: b.top,"
        " bottom: b.bottom}; })"
    )


def _overlap(a: dict, b: dict) -> bool:
    return not (
        a["right"] < b["left"]
        or a["left"] > b["right"]
        or a["bottom"] < b["top"]
        or a["top"] > b["bottom"]
    )


def test_the_reports_map_shows_the_city_without_its_tiles(
    site, phone_page, unreachable_tiles, screenshot
):
    page = phone_page
    violations, refused = _watch(page)
    page.goto(f"{site}/complaints/")
    reports_map = page.locator("#complaints-map")
    expect(reports_map).to_be_visible()
    expect(reports_map).to_have_attribute("data-outline", str(SEOUL_DISTRICTS))

    # The districts and the city's boundary are vector paths of the map's outline pane.
    outline = reports_map.locator(".leaflet-outline-pane svg")
    expect(outline.locator("path.map-district")).to_have_count(SEOUL_DISTRICTS)
    expect(outline.locator("path.map-city")).to_have_count(1)
    drawn = outline.locator("path.map-district").first.get_attribute("d")
    assert drawn and len(drawn) > 20

    # The tiles were asked of the unreachable server and refused: the districts become the land.
    expect(reports_map).to_have_class(re.compile(r"\bmap-no-tiles\b"))
    assert refused, "no tile was requested from the configured server"

    # District names in the city's language; those shown do not overlap.
    names = set(District.objects.values_list("name", flat=True))
    boxes = _label_boxes(page)
    assert boxes, "no district name is shown"
    assert {box["text"] for box in boxes} <= names
    for i, box in enumerate(boxes):
        for other in boxes[i + 1 :]:
            assert not _overlap(box, other), (box["text"], other["text"])
    screenshot(page, "maps-offline-phone")
    assert violations == []


def _hidden_names(page) -> int:
    return page.locator(".map-district-label.map-label-hidden").count()


def test_in_english_on_a_phone_names_wait_for_room_and_the_tiles_can_be_turned_off(
    site, phone_page, unreachable_tiles, screenshot
):
    page = phone_page
    violations, _refused = _watch(page)
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": site}])
    page.goto(f"{site}/complaints/")
    reports_map = page.locator("#complaints-map")
    expect(reports_map).to_have_attribute("data-outline", str(SEOUL_DISTRICTS))
    names = set(District.objects.values_list("name_en", flat=True))
    boxes = _label_boxes(page)
    assert boxes and {box["text"] for box in boxes} <= names
    # English names are long: on a phone at city zoom some wait for a closer zoom.
    hidden = _hidden_names(page)
    assert hidden > 0
    for i, box in enumerate(boxes):
        for other in boxes[i + 1 :]:
            assert not _overlap(box, other), (box["text"], other["text"])
    reports_map.locator(".leaflet-control-zoom-in").click()
    reports_map.locator(".leaflet-control-zoom-in").click()
    page.wait_for_function(
        "n => document.querySelectorAll('.map-district-label.map-label-hidden').length < n",
        arg=hidden,
    )
    screenshot(page, "maps-offline-closer-phone")

    # The layer control lists the tiles by name; unticked, they are gone and the city stays.
    expect(reports_map.locator(".leaflet-tile-pane .leaflet-layer")).to_have_count(1)
    reports_map.locator(".leaflet-control-layers").hover()
    tiles = reports_map.get_by_role("checkbox", name="Street map")
    expect(tiles).to_be_checked()
    tiles.uncheck()
    expect(reports_map.locator(".leaflet-tile-pane .leaflet-layer")).to_have_count(0)
    expect(reports_map.locator("path.map-district")).to_have_count(SEOUL_DISTRICTS)
    expect(reports_map).to_have_class(re.compile(r"\bmap-no-tiles\b"))
    assert violations == []


def test_a_reports_point_without_tiles_is_shown_among_its_districts_names(
    site, phone_page, unreachable_tiles, screenshot
):
    page = phone_page
    violations, _refused = _watch(page)
    complaint = litter_in_jongno()
    page.goto(f"{site}/complaints/{complaint.tracking_number}/")
    point_map = page.locator("#report-point")
    expect(point_map).to_have_attribute("data-outline", str(SEOUL_DISTRICTS))
    expect(point_map).to_have_class(re.compile(r"\bmap-no-tiles\b"))
    # At street zoom there would be nothing but land around the point: the map steps back to
    # show the point's district, Jongno-gu, whole: its name and the point inside the map.
    page.wait_for_function(
        """() => {
          const frame = document.getElementById('report-point').getBoundingClientRect();
          return Array.from(document.querySelectorAll(
            '#report-point .map-district-label:not(.map-label-hidden)'
          )).some(n => {
            const b = n.getBoundingClientRect();
            return n.textContent === '종로구' && b.left >= frame.left && b.right <= frame.right
              && b.top >= frame.top && b.bottom <= frame.bottom;
          });
        }"""
    )
    marker = point_map.locator(".leaflet-overlay-pane path.leaflet-interactive").bounding_box()
    frame = point_map.bounding_box()
    assert (
        frame["x"] <= marker["x"] and marker["x"] + marker["width"] <= frame["x"] + frame["width"]
    )
    screenshot(page, "maps-offline-point-phone")
    assert violations == []
