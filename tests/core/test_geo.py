"""Pure geography: H3 neighbourhoods cover their radius; districts are found by polygon."""

from __future__ import annotations

import math

import h3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hamkke.core.geo import (
    FINE_RESOLUTION,
    DistrictIndex,
    area_km2,
    cell_for,
    cells_within,
    distance_m,
)

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[127, 37], [127.1, 37], [127.1, 37.1], [127, 37.1], [127, 37]]],
}


def test_distance_of_one_degree_of_latitude():
    # One degree of latitude is about 111.2 km on the mean-radius sphere.
    assert distance_m(37.0, 127.0, 38.0, 127.0) == pytest.approx(111_195, rel=0.001)


@settings(max_examples=500, deadline=None)
@given(
    lat=st.floats(37.4, 37.7),
    lon=st.floats(126.8, 127.2),
    radius=st.floats(10, 2000),
    bearing=st.floats(0, 2 * math.pi),
    fraction=st.floats(0, 1),
)
def test_every_point_within_the_radius_lies_in_a_listed_cell(lat, lon, radius, bearing, fraction):
    cells = set(cells_within(lat, lon, radius))
    d = radius * fraction
    # Move d metres from the centre along the bearing (flat approximation, fine at this scale).
    dlat = d * math.cos(bearing) / 111_195
    dlon = d * math.sin(bearing) / (111_195 * math.cos(math.radians(lat)))
    target_lat, target_lon = lat + dlat, lon + dlon
    if distance_m(lat, lon, target_lat, target_lon) <= radius:
        assert cell_for(target_lat, target_lon) in cells


def test_cells_are_at_the_fine_resolution():
    assert h3.get_resolution(cell_for(37.5665, 126.9780)) == FINE_RESOLUTION


def test_district_index_inside_edge_and_outside():
    index = DistrictIndex({"sq": SQUARE})
    assert index.district_of(37.05, 127.05) == "sq"
    assert index.district_of(37.0, 127.05) == "sq"  # on the boundary counts as inside
    assert index.district_of(36.9, 127.05) is None


def test_geodesic_area_of_a_known_square():
    from shapely.geometry import shape

    # 0.1° × 0.1° at 37°N: 11.12 km × (11.12 km × cos 37.05°) ≈ 98.7 km².
    assert area_km2(shape(SQUARE)) == pytest.approx(98.7, rel=0.01)
