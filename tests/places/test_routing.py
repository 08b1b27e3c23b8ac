"""The shortest order of visits: Held–Karp checked against trying every permutation, with the
start fixed or free, one way or round; and walking minutes."""

from __future__ import annotations

import math
from itertools import pairwise, permutations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hamkke.places.routing import MAX_EXACT, best_order, walking_minutes


def _table(points: list[tuple[float, float]]) -> list[list[float]]:
    return [[math.dist(a, b) for b in points] for a in points]


def _length(distances, order, round_trip: bool) -> float:
    legs = sum(distances[a][b] for a, b in pairwise(order))
    return legs + (distances[order[-1]][order[0]] if round_trip and order else 0.0)


def _brute(distances, start, round_trip) -> float:
    size = len(distances)
    orders = (
        permutations(range(size))
        if start is None
        else ((start, *rest) for rest in permutations(i for i in range(size) if i != start))
    )
    return min(_length(distances, order, round_trip) for order in orders)


points = st.lists(
    st.tuples(st.floats(0, 5000, allow_nan=False), st.floats(0, 5000, allow_nan=False)),
    min_size=1,
    max_size=7,
)


@settings(max_examples=200, deadline=None)
@given(points, st.data(), st.booleans())
def test_best_order_is_as_short_as_any_permutation(spots, data, round_trip):
    distances = _table(spots)
    start = data.draw(st.one_of(st.none(), st.integers(0, len(spots) - 1)))
    order, total = best_order(distances, start=start, round_trip=round_trip)
    assert sorted(order) == list(range(len(spots)))  # every place once
    if start is not None:
        assert order[0] == start
    # The total is the length of the order given, and no permutation is shorter.
    assert total == pytest.approx(_length(distances, order, round_trip), abs=1e-6)
    assert total == pytest.approx(_brute(distances, start, round_trip), abs=1e-6)


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 6), st.data())
def test_asymmetric_distances_are_followed_in_their_direction(size, data):
    distances = [
        [0.0 if a == b else data.draw(st.floats(1, 100)) for b in range(size)] for a in range(size)
    ]
    order, total = best_order(distances, start=None)
    assert total == pytest.approx(_brute(distances, None, False), abs=1e-6)
    assert total == pytest.approx(_length(distances, order, False), abs=1e-6)


# Four places on a line: 0 at 0 m, 1 at 300 m, 2 at 100 m, 3 at 1000 m.
LINE = _table([(0, 0), (300, 0), (100, 0), (1000, 0)])


def test_a_fixed_start_versus_a_free_one():
    assert best_order(LINE, start=0) == ([0, 2, 1, 3], 1000.0)
    # From place 1 the walk must double back: 1 → 2 → 0 → 3 is 200 + 100 + 1000.
    assert best_order(LINE, start=1) == ([1, 2, 0, 3], 1300.0)
    order, total = best_order(LINE, start=None)
    assert total == 1000.0
    assert order in ([0, 2, 1, 3], [3, 1, 2, 0])


def test_a_round_trip_comes_back():
    order, total = best_order(LINE, start=1, round_trip=True)
    assert total == 2000.0  # out to 1000 m and back, whatever the order
    assert order[0] == 1
    assert sorted(order) == [0, 1, 2, 3]
    # Round trips ignore a free start: the loop is the same from anywhere.
    assert best_order(LINE, start=None, round_trip=True)[1] == 2000.0


def test_one_and_two_places():
    assert best_order([[0]]) == ([0], 0.0)
    assert best_order([[0]], round_trip=True) == ([0], 0.0)
    assert best_order([[0, 250], [250, 0]]) == ([0, 1], 250.0)
    assert best_order([[0, 250], [250, 0]], start=1) == ([1, 0], 250.0)
    assert best_order([[0, 250], [250, 0]], round_trip=True) == ([0, 1], 500.0)
    assert best_order([], start=None) == ([], 0.0)


def test_twelve_places_are_solved_and_thirteen_refused():
    ring = [(math.cos(k), math.sin(k)) for k in (2 * math.pi * i / 12 for i in range(12))]
    shuffled = [ring[i] for i in (0, 5, 10, 3, 8, 1, 6, 11, 4, 9, 2, 7)]
    order, total = best_order(_table(shuffled), round_trip=True)
    # Round the ring: twelve sides of a regular 12-gon of radius 1, each 2·sin(π/12).
    assert total == pytest.approx(12 * 2 * math.sin(math.pi / 12))
    assert len(order) == MAX_EXACT == 12
    with pytest.raises(ValueError, match="at most 12 places; 13 were given"):
        best_order(_table([(i, 0) for i in range(13)]))


def test_bad_tables_are_refused():
    with pytest.raises(ValueError, match="square"):
        best_order([[0, 1], [1]])
    with pytest.raises(ValueError, match="not negative"):
        best_order([[0, -1], [-1, 0]])
    with pytest.raises(ValueError, match="finite"):
        best_order([[0, math.nan], [1, 0]])
    with pytest.raises(ValueError, match="start"):
        best_order([[0, 1], [1, 0]], start=2)


def test_walking_minutes():
    assert walking_minutes(1000) == 15  # 4 km/h: 15 minutes a kilometre, exactly
    assert walking_minutes(1001) == 16  # part of a minute counts
    assert walking_minutes(0) == 0
    assert walking_minutes(1) == 1
    assert walking_minutes(1000, speed_kmh=5) == 12
    assert walking_minutes(4000) == 60
    with pytest.raises(ValueError):
        walking_minutes(-5)
    with pytest.raises(ValueError):
        walking_minutes(100, speed_kmh=0)
