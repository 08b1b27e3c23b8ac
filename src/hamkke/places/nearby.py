"""Rings of H3 cells around a point, each with the distance it is sure to cover: the search for
the nearest places widens ring by ring until it holds enough of them closer than what is yet
unsearched. No Django."""

from __future__ import annotations

import math
from collections.abc import Iterator

import h3

# Resolution 8 cells are about 0.74 km² (edge ~0.46 km): a few dozen to a few hundred places of
# a dense city each, so the first ring or two usually holds the nearest ten.
NEAR_RESOLUTION = 8


def cell_of(latitude: float, longitude: float) -> str:
    return h3.latlng_to_cell(latitude, longitude, NEAR_RESOLUTION)


def rings(latitude: float, longitude: float) -> Iterator[tuple[list[str], float]]:
    """(the cells of ring k, the radius in metres within which every point is in rings 0..k),
    for k = 0, 1, 2, … A point in no ring yet is farther than the radius."""
    centre = cell_of(latitude, longitude)
    edges = [h3.edge_length(e, unit="m") for e in h3.origin_to_directed_edges(centre)]
    longest = max(edges)
    # Centre to neighbouring centre is √3 · edge; a k-ring reaches k of those in every direction
    # at worst along the hexagon's flat side (cos 30°), less the point's offset from its own
    # cell's centre (up to one edge) and the far cell's half width (one edge).
    step = min(edges) * math.sqrt(3) * 0.95 * math.cos(math.pi / 6)
    k = 0
    while True:
        cells = list(h3.grid_ring(centre, k)) if k else [centre]
        yield cells, max(0.0, k * step - longest)
        k += 1
