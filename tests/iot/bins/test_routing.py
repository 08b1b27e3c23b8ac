"""The collection routes (iot.bins.routing, pure): every bin on exactly one route or left over
with its reason, no truck over its capacity, each route from its depot back to it, bins only
on trucks serving their district; against the brute-force optimum on small instances; the
search's time limit kept."""

from __future__ import annotations

import itertools
import random
import time

import pytest

from hamkke.iot.bins.routing import (
    NO_ROOM,
    NO_TRUCK,
    TOO_LARGE,
    Bin,
    Truck,
    plan_routes,
    route_length,
)

DEPOT = (37.5826, 126.9831)


def random_bins(rng: random.Random, n: int, *, districts=("a",), low=50, high=240) -> list[Bin]:
    return [
        Bin(
            key=100 + i,
            latitude=DEPOT[0] + rng.uniform(-0.02, 0.02),
            longitude=DEPOT[1] + rng.uniform(-0.02, 0.02),
            load=rng.randint(low, high),
            district=rng.choice(districts),
        )
        for i in range(n)
    ]


def check_feasible(plan, bins, trucks):
    """Each bin on one route or left over (never both), loads within capacity, districts kept."""
    by_key = {item.key: item for item in bins}
    placed = [key for order in plan.routes.values() for key in order]
    assert len(placed) == len(set(placed))
    assert set(placed).isdisjoint(plan.left_over)
    assert set(placed) | set(plan.left_over) == set(by_key)
    for truck in trucks:
        stops = [by_key[key] for key in plan.routes[truck.key]]
        assert sum(item.load for item in stops) <= truck.capacity
        assert all(truck.serves(item) for item in stops)
        # The length is measured from the depot and back to it.
        assert plan.lengths[truck.key] == pytest.approx(route_length(truck, stops))


@pytest.mark.parametrize("seed", range(6))
def test_random_plans_are_feasible(seed):
    rng = random.Random(seed)
    bins = random_bins(rng, rng.randint(5, 40), districts=("a", "b", "c"))
    trucks = [
        Truck(
            key=k,
            capacity=rng.randint(300, 2500),
            latitude=DEPOT[0] + rng.uniform(-0.01, 0.01),
            longitude=DEPOT[1] + rng.uniform(-0.01, 0.01),
            districts=frozenset(rng.sample(["a", "b", "c"], rng.randint(0, 2))),
        )
        for k in range(rng.randint(1, 4))
    ]
    plan = plan_routes(bins, trucks, seconds=0.3)
    check_feasible(plan, bins, trucks)
    # Left over for want of room only when the trucks serving it are really full enough.
    for key, reason in plan.left_over.items():
        item = next(b for b in bins if b.key == key)
        serving = [t for t in trucks if t.serves(item)]
        if reason == NO_TRUCK:
            assert not serving
        elif reason == TOO_LARGE:
            assert all(item.load > t.capacity for t in serving)
        else:
            assert reason == NO_ROOM
            assert all(
                sum(b.load for b in bins if b.key in plan.routes[t.key]) + item.load > t.capacity
                for t in serving
            )


def test_enough_room_means_nothing_left_over():
    rng = random.Random(7)
    bins = random_bins(rng, 30)
    trucks = [
        Truck(key=1, capacity=4000, latitude=DEPOT[0], longitude=DEPOT[1]),
        Truck(key=2, capacity=4000, latitude=DEPOT[0], longitude=DEPOT[1]),
    ]
    plan = plan_routes(bins, trucks, seconds=0.5)
    check_feasible(plan, bins, trucks)
    assert plan.left_over == {}


def test_the_reasons_for_a_left_over():
    small = Truck(
        key=1, capacity=100, latitude=DEPOT[0], longitude=DEPOT[1], districts=frozenset({"a"})
    )
    bins = [
        Bin(1, DEPOT[0] + 0.001, DEPOT[1], 80, "a"),
        Bin(2, DEPOT[0] + 0.002, DEPOT[1], 80, "a"),  # no room once the other is on
        Bin(3, DEPOT[0] + 0.003, DEPOT[1], 150, "a"),  # larger than the truck
        Bin(4, DEPOT[0] + 0.004, DEPOT[1], 10, "b"),  # no truck serves b
    ]
    plan = plan_routes(bins, [small], seconds=0.2)
    check_feasible(plan, bins, [small])
    assert len(plan.routes[1]) == 1 and plan.routes[1][0] in (1, 2)
    assert plan.left_over[3] == TOO_LARGE and plan.left_over[4] == NO_TRUCK
    assert plan.left_over[({1, 2} - set(plan.routes[1])).pop()] == NO_ROOM


def test_no_trucks_leaves_every_bin_over_and_no_bins_makes_empty_routes():
    bins = random_bins(random.Random(1), 3)
    assert plan_routes(bins, [], seconds=0.1).left_over == {b.key: NO_TRUCK for b in bins}
    empty = plan_routes([], [Truck(1, 10, *DEPOT)], seconds=0.1)
    assert empty.routes == {1: []} and empty.length == 0


def brute_force(bins, trucks) -> float:
    """The shortest total length over every split of the bins between the trucks and every
    order of each truck's bins, capacities kept."""
    best = float("inf")
    for assignment in itertools.product(range(len(trucks)), repeat=len(bins)):
        groups = [
            [b for b, t in zip(bins, assignment, strict=True) if t == k] for k in range(len(trucks))
        ]
        if any(sum(b.load for b in g) > trucks[k].capacity for k, g in enumerate(groups)):
            continue
        total = 0.0
        for k, group in enumerate(groups):
            total += min(
                (route_length(trucks[k], order) for order in itertools.permutations(group)),
                default=0.0,
            )
        best = min(best, total)
    return best


@pytest.mark.parametrize("seed", range(4))
def test_small_instances_reach_the_brute_force_optimum(seed):
    rng = random.Random(100 + seed)
    bins = random_bins(rng, 6, low=100, high=200)
    trucks = [
        Truck(1, 700, DEPOT[0], DEPOT[1]),
        Truck(2, 700, DEPOT[0] + 0.01, DEPOT[1] - 0.01),
    ]
    plan = plan_routes(bins, trucks, seconds=1)
    check_feasible(plan, bins, trucks)
    assert plan.left_over == {}
    optimum = brute_force(bins, trucks)
    # The solver works in whole metres: at most half a metre lost per leg.
    assert plan.length <= optimum + 0.5 * (len(bins) + 2 * len(trucks))
    assert plan.length >= optimum - 1e-6


@pytest.mark.parametrize("seconds", [0.5, 1.5])
def test_the_time_limit_is_kept(seconds):
    rng = random.Random(3)
    bins = random_bins(rng, 150, low=20, high=80)
    trucks = [Truck(k, 2000, DEPOT[0], DEPOT[1]) for k in range(4)]
    started = time.monotonic()
    plan = plan_routes(bins, trucks, seconds=seconds)
    elapsed = time.monotonic() - started
    check_feasible(plan, bins, trucks)
    # The matrix and the first solution come on top of the search: a generous margin.
    assert elapsed < seconds + 1.5


def test_a_non_positive_time_limit_is_refused():
    with pytest.raises(ValueError, match="seconds"):
        plan_routes([], [], seconds=0)
