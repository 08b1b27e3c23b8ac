"""WiFi coverage on hand-made shapes whose areas are known: squares built in metres in Seoul's
projection (EPSG:5186), turned into longitude/latitude as district outlines, and circles placed
by metres from the square's centre. Expected areas are worked out by hand (π·r², the lens of two
circles, half a circle), never read from the code."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Transformer
from shapely.geometry import Point, box, mapping

from hamkke.places.coverage import (
    Coverage,
    compute_coverage,
    plain_union_area_km2,
    union_area_km2,
)

CRS = "EPSG:5186"
TO_METRES = Transformer.from_crs("EPSG:4326", CRS, always_xy=True)
TO_DEGREES = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True)
# Seoul City Hall, in metres: the origin of every hand-made shape below.
CX, CY = TO_METRES.transform(126.9779, 37.5663)
SEOUL = Path(__file__).resolve().parents[2] / "src/hamkke/cities/seoul/districts.geojson"
# A 64-sided polygon stands for each circle (0.16 % less area): 0.5 % is the tolerance asked.
REL = 0.005


def square(west_m: float, south_m: float, side_m: float = 1000) -> dict:
    """A square `side_m` wide whose south-west corner lies (west_m, south_m) from the origin,
    as a GeoJSON polygon in lon/lat (edges cut every 10 m, so that it stays square)."""
    outline = box(CX + west_m, CY + south_m, CX + west_m + side_m, CY + south_m + side_m)
    outline = shapely.segmentize(outline, 10)
    return mapping(shapely.transform(outline, _to_degrees))


def _to_degrees(coords: np.ndarray) -> np.ndarray:
    lon, lat = TO_DEGREES.transform(coords[:, 0], coords[:, 1])
    return np.column_stack([lon, lat])


def at(dx_m: float, dy_m: float, radius_m: float) -> tuple[float, float, float]:
    """An access point (lon, lat, radius) dx/dy metres from the origin."""
    lon, lat = TO_DEGREES.transform(CX + dx_m, CY + dy_m)
    return lon, lat, radius_m


def circle_km2(radius_m: float) -> float:
    return math.pi * radius_m**2 / 1e6


ONE = {"A": square(-500, -500)}  # one district: 1 km², centred on the origin


def test_one_circle_inside_a_square_kilometre():
    result = compute_coverage([at(0, 0, 100)], ONE, CRS)
    assert result.crs == CRS
    assert result.city.area_km2 == pytest.approx(1.0, rel=1e-4)
    assert result.city.covered_km2 == pytest.approx(circle_km2(100), rel=REL)
    assert result.city.share == pytest.approx(circle_km2(100), rel=REL)
    [district] = result.districts
    assert district.code == "A"
    assert district.covered_km2 == pytest.approx(circle_km2(100), rel=REL)


def test_two_overlapping_circles_count_their_lens_once():
    r, d = 100.0, 120.0
    # The lens shared by two circles of radius r whose centres are d apart.
    lens = 2 * r**2 * math.acos(d / (2 * r)) - d / 2 * math.sqrt(4 * r**2 - d**2)
    expected = (2 * math.pi * r**2 - lens) / 1e6
    result = compute_coverage([at(-60, 0, r), at(60, 0, r)], ONE, CRS)
    assert result.city.covered_km2 == pytest.approx(expected, rel=REL)
    # Not the two circles added up: the lens (about 0.0114 km²) is well beyond the tolerance.
    assert result.city.covered_km2 < 2 * circle_km2(r) * 0.9


def test_a_circle_on_the_boundary_counts_its_inside_half():
    result = compute_coverage([at(500, 0, 100)], ONE, CRS)  # centred on the east edge
    assert result.city.covered_km2 == pytest.approx(circle_km2(100) / 2, rel=REL)


def test_a_circle_outside_the_city_covers_nothing():
    result = compute_coverage([at(2000, 0, 100)], ONE, CRS)
    assert result.city.covered_km2 == 0
    assert result.city.share == 0
    assert result.covered_wgs84.is_empty


def test_a_circle_larger_than_the_district_covers_all_of_it():
    result = compute_coverage([at(0, 0, 1000)], ONE, CRS)  # reaches past every corner (707 m)
    assert result.city.covered_km2 == pytest.approx(1.0, rel=1e-4)
    assert result.city.share == pytest.approx(1.0, rel=1e-6)
    assert result.city.share <= 1.0


def test_two_districts_each_get_their_part():
    districts = {"west": square(-1000, -500), "east": square(0, -500)}
    # One circle astride the shared edge, one wholly in the east.
    points = [at(0, 0, 100), at(500, 0, 50)]
    result = compute_coverage(points, districts, CRS)
    west, east = result.districts
    assert (west.code, east.code) == ("west", "east")
    assert west.area_km2 == pytest.approx(1.0, rel=1e-4)
    assert east.area_km2 == pytest.approx(1.0, rel=1e-4)
    assert west.covered_km2 == pytest.approx(circle_km2(100) / 2, rel=REL)
    assert east.covered_km2 == pytest.approx(circle_km2(100) / 2 + circle_km2(50), rel=REL)
    assert west.share == pytest.approx(west.covered_km2 / west.area_km2)
    assert result.city.area_km2 == pytest.approx(2.0, rel=1e-4)
    assert result.city.covered_km2 == pytest.approx(circle_km2(100) + circle_km2(50), rel=REL)
    assert result.city.share == pytest.approx(result.city.covered_km2 / 2.0, rel=1e-4)


def test_no_points_no_coverage():
    result = compute_coverage([], {"west": square(-1000, -500), "east": square(0, -500)}, CRS)
    assert result.city.covered_km2 == 0
    assert result.city.share == 0
    assert result.city.area_km2 == pytest.approx(2.0, rel=1e-4)
    assert [d.share for d in result.districts] == [0, 0]
    assert result.covered_wgs84.is_empty


def test_circles_from_the_same_point_count_once():
    once = compute_coverage([at(0, 0, 100)], ONE, CRS).city.covered_km2
    thrice = compute_coverage([at(0, 0, 100)] * 3, ONE, CRS).city.covered_km2
    assert thrice == pytest.approx(once, rel=1e-12)
    # The same spot with a smaller radius adds nothing either.
    mixed = compute_coverage([at(0, 0, 100), at(0, 0, 40)], ONE, CRS).city.covered_km2
    assert mixed == pytest.approx(once, rel=1e-12)


def test_the_map_layer_is_in_degrees_and_covers_the_circles():
    result = compute_coverage([at(0, 0, 100), at(300, 300, 50), at(500, 0, 100)], ONE, CRS)
    layer = result.covered_wgs84
    assert layer.is_valid
    west, south, east, north = layer.bounds
    assert 126.9 < west < east < 127.0
    assert 37.5 < south < north < 37.6
    assert layer.contains(Point(126.9779, 37.5663))  # the first circle's centre
    # Back in metres the layer is the covered area drawn by hand, give or take the ~5 m
    # simplification.
    back = shapely.transform(layer, _to_metres)
    circles = [
        Point(CX, CY).buffer(100),
        Point(CX + 300, CY + 300).buffer(50),
        Point(CX + 500, CY).buffer(100),
    ]
    by_hand = shapely.union_all(circles).intersection(box(CX - 500, CY - 500, CX + 500, CY + 500))
    assert shapely.hausdorff_distance(back, by_hand) < 6
    assert back.area == pytest.approx(by_hand.area, rel=0.1)
    # Clipped to the city: the half of the third circle outside the square is not drawn.
    lon, lat, _radius = at(550, 0, 0)
    assert not layer.contains(Point(lon, lat))


def _to_metres(coords: np.ndarray) -> np.ndarray:
    x, y = TO_METRES.transform(coords[:, 0], coords[:, 1])
    return np.column_stack([x, y])


def test_invalid_points_are_refused():
    with pytest.raises(ValueError, match="radius"):
        compute_coverage([at(0, 0, 0)], ONE, CRS)
    with pytest.raises(ValueError, match="finite"):
        compute_coverage([(float("nan"), 37.5, 100)], ONE, CRS)


def _clustered(seed: int, count: int, spread_m: float) -> list[tuple[float, float, float]]:
    rng = np.random.default_rng(seed)
    hubs = rng.uniform(-spread_m, spread_m, (max(1, count // 12), 2))
    near = hubs[rng.integers(0, len(hubs), count)] + rng.normal(0, 150, (count, 2))
    radii = rng.choice([30.0, 50.0, 100.0], count)
    return [at(dx, dy, r) for (dx, dy), r in zip(near, radii, strict=True)]


@pytest.mark.parametrize(
    ("count", "spread_m"), [(600, 6000), (600, 300), (1500, 15000), (5200, 15000)]
)
def test_the_grouped_union_has_the_plain_unions_area(count, spread_m):
    points = _clustered(count, count, spread_m)
    assert union_area_km2(points, CRS) == pytest.approx(plain_union_area_km2(points, CRS), rel=1e-6)


def test_the_city_is_covered_as_much_as_the_plain_union_when_it_holds_every_circle():
    points = _clustered(7, 800, 3000)
    whole = {"all": square(-10_000, -10_000, 20_000)}
    result = compute_coverage(points, whole, CRS)
    assert result.city.covered_km2 == pytest.approx(plain_union_area_km2(points, CRS), rel=1e-6)


offsets = st.floats(-1600, 1600, allow_nan=False)
radii = st.floats(5, 600, allow_nan=False)
# Four districts, 1 km² each, meeting at the origin: they touch but do not overlap.
QUARTERS = {
    "sw": square(-1000, -1000),
    "se": square(0, -1000),
    "nw": square(-1000, 0),
    "ne": square(0, 0),
}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(offsets, offsets, radii), max_size=25))
def test_shares_are_shares_and_the_city_adds_up(spots):
    points = [at(dx, dy, r) for dx, dy, r in spots]
    result = compute_coverage(points, QUARTERS, CRS)
    assert isinstance(result, Coverage)
    for part in (result.city, *result.districts):
        assert 0 <= part.share <= 1
        assert 0 <= part.covered_km2 <= part.area_km2
    added = sum(d.covered_km2 for d in result.districts)
    assert result.city.covered_km2 == pytest.approx(added, rel=1e-9, abs=1e-9)
    assert result.city.covered_km2 <= plain_union_area_km2(points, CRS) * (1 + 1e-9) + 1e-12
    assert result.covered_wgs84.is_valid


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(offsets, offsets, radii), min_size=1, max_size=40))
def test_the_grouped_union_agrees_with_the_plain_union(spots):
    points = [at(dx, dy, r) for dx, dy, r in spots]
    assert union_area_km2(points, CRS) == pytest.approx(plain_union_area_km2(points, CRS), rel=1e-6)


def test_seoul_city_hall_covers_part_of_jung_gu_only():
    features = json.loads(SEOUL.read_text(encoding="utf-8"))["features"]
    districts = {f["properties"]["SIG_CD"]: f["geometry"] for f in features}
    result = compute_coverage([(126.9779, 37.5663, 100)], districts, CRS)
    # Seoul measures 605 km² (the simplified outlines within a percent of it).
    assert result.city.area_km2 == pytest.approx(605.2, rel=0.01)
    assert len(result.districts) == 25
    covered = {d.code: d.covered_km2 for d in result.districts if d.covered_km2 > 0}
    assert list(covered) == ["11140"]  # Jung-gu
    assert covered["11140"] == pytest.approx(circle_km2(100), rel=REL)
