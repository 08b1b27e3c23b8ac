"""The Places demo, read back from the database: Seoul's registries at their real scale (1,600
WiFi sites with 5,200 access points, 390 charger sites with 5,700 chargers), every point inside
the district it is filed under, readable opening hours (past midnight and round the clock among
them), Bukchon's facilities, events and two routes, the lending at 36 events to 10,770 citizens,
and the WiFi coverage computed once; seeding twice changes nothing."""

from __future__ import annotations

import itertools
import math

import pytest

from hamkke.accounts import demo as accounts_demo
from hamkke.core.city.selectors import district_index
from hamkke.core.geo import distance_m
from hamkke.places import demo, nearby, selectors, services
from hamkke.places.hours import DAY_MINUTES, parse_hours
from hamkke.places.models import AccessPoint, CoverageSnapshot, Event, Layer, Place, Route

pytestmark = pytest.mark.django_db

JONGNO, JUNG, NOWON = "11110", "11140", "11350"
BUKCHON = (37.582, 126.983)
# Seoul's area as the city publishes it (km²); the loaded outlines are simplified.
SEOUL_KM2 = 605.2


@pytest.fixture
def seeded(city):
    list(accounts_demo.seed())
    return list(demo.seed())


def test_the_registries_are_at_seouls_scale(seeded):
    counts = selectors.registry_counts()
    assert counts[Layer.WIFI_SITES] == 1_600
    assert counts[Layer.WIFI_APS] == 5_200
    assert counts[Layer.CHARGERS] == 390
    assert counts["charger_units"] == 5_700
    lending = selectors.lending_figures()
    assert (lending["events"], lending["citizens"]) == (36, 10_770) and lending["chargers"] > 0
    routes = list(Route.objects.prefetch_related("stops"))
    assert len(routes) == 2 and all(route.stops.count() >= 2 for route in routes)
    # Every site has its access points, of the profile's install types, networks and years.
    assert not Place.objects.filter(layer=Layer.WIFI_SITES, access_points__isnull=True).exists()
    aps = AccessPoint.objects.all()
    profile_types = {kind.code for kind in services.places_settings().install_types}
    assert set(aps.values_list("install_type", flat=True)) == profile_types
    assert set(aps.values_list("provider", flat=True)) == {"KT", "SKT", "LGU+", "자가망"}
    assert set(aps.values_list("ssid", flat=True)) == {"Seoul_Free_WiFi", "Seoul_Secure"}
    years = set(aps.values_list("install_year", flat=True))
    assert min(years) >= 2012 and max(years) <= 2025 and len(years) > 10
    assert "places:" in seeded[0].lower()


def test_every_point_lies_in_the_district_it_is_filed_under(seeded, city):
    index = district_index(city)
    rows = [
        *Place.objects.select_related("district"),
        *AccessPoint.objects.select_related("district"),
        *Event.objects.select_related("district"),
    ]
    assert len(rows) > 7_000
    wrong = [
        row
        for row in rows
        if row.district is None
        or index.district_of(row.latitude, row.longitude) != row.district.code
        or row.cell != nearby.cell_of(row.latitude, row.longitude)
    ]
    assert wrong == []
    for route in Route.objects.prefetch_related("stops"):
        assert all(index.district_of(s.latitude, s.longitude) for s in route.stops.all())
    # Weighted toward the centre: Jung-gu holds more sites per km² than the city as a whole,
    # and more than Nowon-gu on the city's edge.
    sites = Place.objects.filter(layer=Layer.WIFI_SITES)
    area = {d.code: d.area_km2 for d in city.districts.all()}

    def density(code: str) -> float:
        return sites.filter(district__code=code).count() / area[code]

    assert density(JUNG) > 1_600 / sum(area.values()) and density(JUNG) > 2 * density(NOWON)


def test_charger_sites_have_partners_and_readable_hours(seeded):
    chargers = list(Place.objects.filter(layer=Layer.CHARGERS))
    parsed = [parse_hours(place.hours) for place in chargers]
    assert all(place.operator and place.charger_count >= 1 for place in chargers)
    assert any(hours.always_open for hours in parsed)
    # Some run past midnight: a span that ends after the day it starts on.
    assert any(
        end > DAY_MINUTES for hours in parsed for rule in hours.rules for _s, end in rule.spans
    )
    assert {"library", "museum"} <= {place.kind for place in chargers}
    assert Place.objects.filter(layer=Layer.CHARGERS, name="세종문화회관").exists()


def test_bukchon_has_its_facilities_events_and_two_routes(seeded):
    facilities = list(Place.objects.filter(layer=Layer.FACILITIES).select_related("district"))
    assert {"tourist-info", "toilet", "museum", "workshop"} <= {f.kind for f in facilities}
    for place in facilities:
        assert place.district.code == JONGNO
        assert distance_m(*BUKCHON, place.latitude, place.longitude) < 1_000
        parse_hours(place.hours)
    assert sum(1 for f in facilities if f.kind == "workshop") >= 5
    events = list(Event.objects.all())
    assert len(events) >= 10
    languages = set()
    for event in events:
        assert event.ends_at >= event.starts_at
        assert event.booking_url.startswith("https://")
        codes = set(event.languages.split(","))
        assert codes <= {"ko", "en", "zh", "ja"} and "ko" in codes
        languages |= codes
        assert distance_m(*BUKCHON, event.latitude, event.longitude) < 1_000
    assert languages == {"ko", "en", "zh", "ja"}
    # Workshops repeat on set days; events happen once.
    assert any(e.hours for e in events) and any(not e.hours for e in events)
    for event in events:
        if event.hours:
            parse_hours(event.hours)
    for route in Route.objects.prefetch_related("stops"):
        stops = list(route.stops.order_by("order"))
        walked = sum(
            distance_m(a.latitude, a.longitude, b.latitude, b.longitude)
            for a, b in itertools.pairwise(stops)
        )
        assert route.distance_m == round(walked) and route.distance_m > 0
    views = Route.objects.get(name_en="The eight views of Bukchon")
    assert [s.name[0] for s in views.stops.order_by("order")] == list("12345678")
    crafts = Route.objects.exclude(pk=views.pk).get()
    assert all(stop.place_id for stop in crafts.stops.all())


def test_the_coverage_is_computed_once_and_plausible(seeded):
    snapshot = CoverageSnapshot.objects.get()
    assert snapshot.access_points == 5_200
    assert 0 < snapshot.share < 1
    assert snapshot.share == pytest.approx(snapshot.covered_km2 / snapshot.area_km2, rel=1e-9)
    assert snapshot.area_km2 == pytest.approx(SEOUL_KM2, rel=0.01)
    # Seoul published 13.69 %: the demo's radii and spread land near it.
    assert 0.08 < snapshot.share < 0.20
    # No more than the circles' own areas (no overlap at all), and the districts add up.
    radii = services.radius_table(snapshot.city)
    circles = sum(
        math.pi * radii.get(kind, radii["default"]) ** 2
        for kind in AccessPoint.objects.values_list("install_type", flat=True)
    )
    assert snapshot.covered_km2 < circles / 1e6
    assert sum(d["covered_km2"] for d in snapshot.districts) == pytest.approx(
        snapshot.covered_km2, rel=1e-6
    )
    assert len(snapshot.districts) == 25
    assert snapshot.geometry["type"] in {"MultiPolygon", "Polygon"}


def test_seeding_twice_changes_nothing(seeded):
    before = (Place.objects.count(), AccessPoint.objects.count(), Event.objects.count())
    again = list(demo.seed())
    assert again == ["Places: demo places already there."]
    assert (Place.objects.count(), AccessPoint.objects.count(), Event.objects.count()) == before
    assert selectors.lending_figures()["events"] == 36
