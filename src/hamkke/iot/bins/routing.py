"""The collection routes of a day: which truck empties which full bins, in which order.

Capacitated vehicle routing with OR-Tools (each truck leaves its depot and comes back to it;
a truck carries at most its capacity; it serves only bins of its districts, any when it names
none), searched for at most a given time. Distances are straight lines in metres
(core.geo.distance_m). A bin that cannot be placed is left over with its reason: larger than
any truck, in a district no truck serves, or no room left on the trucks that serve it.
Imports nothing from Django."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from hamkke.core.geo import distance_m

TOO_LARGE = "too_large"
NO_TRUCK = "no_truck"
NO_ROOM = "no_room"

# What dropping a bin costs the search: more than any route could ever be longer by taking it,
# so a bin is left over only when no truck has room for it.
DROP_PENALTY = 10**9


@dataclass(frozen=True)
class Bin:
    key: int
    latitude: float
    longitude: float
    load: int  # litres to carry
    district: str = ""


@dataclass(frozen=True)
class Truck:
    key: int
    capacity: int  # litres
    latitude: float  # the depot
    longitude: float
    districts: frozenset[str] = frozenset()  # none: the whole city

    def serves(self, item: Bin) -> bool:
        return not self.districts or item.district in self.districts


@dataclass
class Plan:
    routes: dict[int, list[int]] = field(default_factory=dict)  # truck → bins in order
    lengths: dict[int, float] = field(default_factory=dict)  # truck → metres, depot to depot
    left_over: dict[int, str] = field(default_factory=dict)  # bin → reason

    @property
    def length(self) -> float:
        return sum(self.lengths.values())


def route_length(truck: Truck, stops: Sequence[Bin]) -> float:
    """Metres from the depot through the stops in order and back."""
    points = [(truck.latitude, truck.longitude)]
    points += [(item.latitude, item.longitude) for item in stops]
    points.append((truck.latitude, truck.longitude))
    return sum(distance_m(*a, *b) for a, b in pairwise(points))


def plan_routes(bins: Sequence[Bin], trucks: Sequence[Truck], *, seconds: float) -> Plan:
    """Routes for `trucks` through `bins`, every bin on exactly one route or left over, none
    over capacity; the search stops after `seconds`."""
    if seconds <= 0:
        raise ValueError("seconds must be positive")
    plan = Plan(routes={truck.key: [] for truck in trucks})
    placeable = []
    for item in bins:
        serving = [truck for truck in trucks if truck.serves(item)]
        if not serving:
            plan.left_over[item.key] = NO_TRUCK
        elif all(item.load > truck.capacity for truck in serving):
            plan.left_over[item.key] = TOO_LARGE
        else:
            placeable.append(item)
    if placeable:
        _solve(placeable, list(trucks), seconds, plan)
    for truck in trucks:
        by_key = {item.key: item for item in bins}
        plan.lengths[truck.key] = (
            route_length(truck, [by_key[key] for key in plan.routes[truck.key]])
            if plan.routes[truck.key]
            else 0.0
        )
    return plan


def _solve(bins: list[Bin], trucks: list[Truck], seconds: float, plan: Plan) -> None:
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    # Nodes: one per truck's depot (so every truck starts and ends at its own), then the bins.
    depots = [(truck.latitude, truck.longitude) for truck in trucks]
    points = depots + [(item.latitude, item.longitude) for item in bins]
    size = len(points)
    matrix = [[round(distance_m(*a, *b)) for b in points] for a in points]
    depot_nodes = list(range(len(trucks)))
    manager = pywrapcp.RoutingIndexManager(size, len(trucks), depot_nodes, depot_nodes)
    routing = pywrapcp.RoutingModel(manager)

    def distance(from_index: int, to_index: int) -> int:
        return matrix[manager.IndexToNode(from_index)][manager.IndexToNode(to_index)]

    transit = routing.RegisterTransitCallback(distance)
    routing.SetArcCostEvaluatorOfAllVehicles(transit)
    loads = [0] * len(trucks) + [item.load for item in bins]

    def demand(from_index: int) -> int:
        return loads[manager.IndexToNode(from_index)]

    demand_index = routing.RegisterUnaryTransitCallback(demand)
    routing.AddDimensionWithVehicleCapacity(
        demand_index, 0, [truck.capacity for truck in trucks], True, "load"
    )
    for offset, item in enumerate(bins):
        index = manager.NodeToIndex(len(trucks) + offset)
        barred = [v for v, truck in enumerate(trucks) if not truck.serves(item)]
        if barred:
            routing.VehicleVar(index).RemoveValues(barred)
        routing.AddDisjunction([index], DROP_PENALTY)
    parameters = pywrapcp.DefaultRoutingSearchParameters()
    parameters.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    parameters.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    parameters.time_limit.FromMilliseconds(max(1, math.floor(seconds * 1000)))
    solution = routing.SolveWithParameters(parameters)
    placed: set[int] = set()
    if solution is not None:
        for v, truck in enumerate(trucks):
            index = routing.Start(v)
            order = []
            while not routing.IsEnd(index):
                node = manager.IndexToNode(index)
                if node >= len(trucks):
                    order.append(bins[node - len(trucks)].key)
                index = solution.Value(routing.NextVar(index))
            plan.routes[truck.key] = order
            placed.update(order)
    for item in bins:
        if item.key not in placed:
            plan.left_over[item.key] = NO_ROOM
