"""WiFi coverage: the share of a city's area within reach of a public access point.

Each access point covers a circle (its radius depends on where it is installed); the covered area
is the union of the circles clipped to the city, measured in a metric projection (the profile's
`crs`, e.g. EPSG:5186 for Seoul) so that areas come out in square metres. The city is the union
of its districts; each district's share is computed the same way. Imports nothing from Django.

Speed: a plain `shapely.union_all` of 5,000 circles spread over a city spends most of its time
merging pieces that never touch (the cascade keeps overlaying ever larger multipolygons). Here
the circles are first unioned per small square cell (where they crowd, this leaves few pieces),
then the pieces are split into groups that touch one another (connected components of the
"intersects" graph, found with an STRtree), each group is unioned on its own, and the disjoint
results are put side by side. Same circles, same overlay, same area as the plain union (to
1e-12); measured on 5,200 points spread over Seoul about ten times faster, and on points
crowded into one square kilometre as fast as the plain union.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import MultiPolygon, shape
from shapely.geometry.base import BaseGeometry

# 16 segments per quarter circle: the polygon's area is 0.16 % short of π·r², well inside what a
# radius of reach can claim to know.
QUAD_SEGS = 16
# The covered area sent to maps is simplified to about 5 m (the circles' edges need no more).
SIMPLIFY_M = 5.0
_POLYGON = shapely.GeometryType.POLYGON


@dataclass(frozen=True)
class Area:
    code: str
    area_km2: float
    covered_km2: float
    share: float  # covered / area, 0..1 (0 for an area of zero size)


@dataclass(frozen=True)
class Coverage:
    crs: str
    city: Area
    districts: tuple[Area, ...]
    # The covered area clipped to the city, in longitude/latitude (a map layer), simplified.
    covered_wgs84: BaseGeometry


def _transformers(crs: str) -> tuple[Transformer, Transformer]:
    forward = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    backward = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    return forward, backward


def _projected(
    points: Sequence[tuple[float, float, float]], forward: Transformer, *, distinct: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The points' centres in the projected crs and their radii, as arrays (projected all at
    once). With `distinct`, a point listed twice with the same radius is kept once (it would add
    nothing but work)."""
    if len(points) == 0:
        return np.empty(0), np.empty(0), np.empty(0)
    table = np.asarray(points, dtype=float).reshape(-1, 3)
    if not np.isfinite(table).all():
        raise ValueError("coverage: every longitude, latitude and radius must be a finite number")
    if (table[:, 2] <= 0).any():
        raise ValueError("coverage: every radius must be more than 0 metres")
    if distinct:
        table = np.unique(table, axis=0)
    x, y = forward.transform(table[:, 0], table[:, 1])
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise ValueError("coverage: a point lies outside the area the projection can represent")
    return x, y, table[:, 2]


def _circles(x: np.ndarray, y: np.ndarray, radius: np.ndarray) -> np.ndarray:
    return shapely.buffer(shapely.points(x, y), radius, quad_segs=QUAD_SEGS)


def _covered_pieces(x: np.ndarray, y: np.ndarray, radius: np.ndarray) -> np.ndarray:
    """The union of the circles as pairwise disjoint polygons.

    Where access points crowd together, finding every pair of touching circles costs more than
    the union itself; so the circles are first unioned per square cell (two radii wide, by
    centre), which leaves few pieces there and changes nothing where the points are sparse.
    """
    if len(x) == 0:
        return np.empty(0, dtype=object)
    circles = _circles(x, y, radius)
    cell = 2 * float(radius.max())
    column, row = np.floor(x / cell), np.floor(y / cell)
    order = np.lexsort((row, column))
    changes = (np.diff(column[order]) != 0) | (np.diff(row[order]) != 0)
    per_cell = [
        group[0] if len(group) == 1 else shapely.union_all(group)
        for group in np.split(circles[order], np.flatnonzero(changes) + 1)
    ]
    return _disjoint_union(_polygons(np.array(per_cell, dtype=object)))


def _groups(geometries: np.ndarray) -> np.ndarray:
    """A label per geometry, equal for geometries connected by a chain of intersecting ones.

    Union–find done with numpy over the STRtree's pairs: each round hooks every root onto the
    smallest root it meets, then compresses the paths completely; labels only ever decrease, so
    the loop ends, and it ends when no pair joins two different roots.
    """
    count = len(geometries)
    parent = np.arange(count)
    if count < 2:
        return parent
    left, right = shapely.STRtree(geometries).query(geometries, predicate="intersects")
    joined = left != right
    left, right = left[joined], right[joined]
    while True:
        a, b = parent[left], parent[right]
        apart = a != b
        if not apart.any():
            return parent
        a, b = a[apart], b[apart]
        np.minimum.at(parent, np.maximum(a, b), np.minimum(a, b))
        while True:
            grand = parent[parent]
            if np.array_equal(grand, parent):
                break
            parent = grand


def _disjoint_union(geometries: np.ndarray) -> np.ndarray:
    """The union of the geometries as an array of pairwise disjoint polygons."""
    if len(geometries) == 0:
        return np.empty(0, dtype=object)
    labels = _groups(geometries)
    order = np.argsort(labels, kind="stable")
    starts = np.flatnonzero(np.diff(labels[order])) + 1
    pieces = []
    for group in np.split(geometries[order], starts):
        # A lone piece needs no overlay at all.
        pieces.append(group[0] if len(group) == 1 else shapely.union_all(group))
    return _polygons(np.array(pieces, dtype=object))


def _polygons(geometries: np.ndarray) -> np.ndarray:
    """The polygons inside the geometries (an overlay may return multipolygons, or nothing)."""
    parts = shapely.get_parts(geometries)
    return parts[(shapely.get_type_id(parts) == _POLYGON) & ~shapely.is_empty(parts)]


def _clip(pieces: np.ndarray, region: BaseGeometry, tree: shapely.STRtree | None = None):
    """The parts of disjoint polygons inside a region: those wholly inside are kept as they are,
    only those crossing the region's edge are cut."""
    if len(pieces) == 0 or region.is_empty:
        return np.empty(0, dtype=object)
    near = (tree or shapely.STRtree(pieces)).query(region)
    near.sort()
    candidates = pieces[near]
    shapely.prepare(region)
    inside = shapely.contains_properly(region, candidates)
    crossing = candidates[~inside]
    cut = shapely.intersection(crossing, region) if len(crossing) else crossing
    return _polygons(np.concatenate([candidates[inside], cut]))


def _simplified(pieces: np.ndarray) -> np.ndarray:
    """The pieces simplified to SIMPLIFY_M one by one: simplifying a whole multipolygon with
    its topology kept is quadratic, and plain Douglas–Peucker is ten times faster than the
    topology-keeping kind, which is used only where the plain one spoils a piece. Two pieces
    closer than the tolerance may then overlap: the caller merges touching ones again."""
    quick = shapely.simplify(pieces, SIMPLIFY_M, preserve_topology=False)
    spoiled = ~shapely.is_valid(quick) | shapely.is_empty(quick)
    if spoiled.any():
        quick[spoiled] = shapely.simplify(pieces[spoiled], SIMPLIFY_M, preserve_topology=True)
    return quick


def _project_districts(
    districts: Mapping[str, Mapping], forward: Transformer
) -> dict[str, BaseGeometry]:
    def project(coords: np.ndarray) -> np.ndarray:
        x, y = forward.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    projected = {}
    for code, geometry in districts.items():
        outline = shapely.transform(shape(geometry), project)
        # Simplified boundary files sometimes cross themselves; make_valid keeps their area.
        projected[code] = outline if outline.is_valid else shapely.make_valid(outline)
    return projected


def _area(code: str, area_m2: float, covered_m2: float) -> Area:
    # Float noise must not push a share past 1 when a district is covered completely.
    covered_m2 = min(covered_m2, area_m2)
    share = covered_m2 / area_m2 if area_m2 > 0 else 0.0
    return Area(code=code, area_km2=area_m2 / 1e6, covered_km2=covered_m2 / 1e6, share=share)


def compute_coverage(
    points: Sequence[tuple[float, float, float]],
    districts: Mapping[str, Mapping],
    crs: str,
) -> Coverage:
    """The city's and each district's covered area and share.

    `points` are (longitude, latitude, radius in metres); `districts` maps a district code to
    its GeoJSON geometry in longitude/latitude; `crs` is a projection in metres. The city is the
    union of the districts; districts are listed in the order given.
    """
    forward, backward = _transformers(crs)
    pieces = _covered_pieces(*_projected(points, forward))
    outlines = _project_districts(districts, forward)
    city = shapely.union_all(list(outlines.values())) if outlines else shapely.Polygon()
    covered = _clip(pieces, city)
    covered_tree = shapely.STRtree(covered)
    areas = []
    for code, outline in outlines.items():
        inside = _clip(covered, outline, covered_tree)
        areas.append(_area(code, outline.area, float(shapely.area(inside).sum())))
    city_area = _area("city", city.area, float(shapely.area(covered).sum()))

    def unproject(coords: np.ndarray) -> np.ndarray:
        lon, lat = backward.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])

    layer = MultiPolygon(list(_disjoint_union(_simplified(covered))))
    return Coverage(
        crs=crs,
        city=city_area,
        districts=tuple(areas),
        covered_wgs84=shapely.transform(layer, unproject),
    )


def union_area_km2(points: Sequence[tuple[float, float, float]], crs: str) -> float:
    """The area of the union of the points' circles, unclipped (the grouped union above)."""
    forward, _backward = _transformers(crs)
    return float(shapely.area(_covered_pieces(*_projected(points, forward))).sum()) / 1e6


def plain_union_area_km2(points: Sequence[tuple[float, float, float]], crs: str) -> float:
    """The same area the naive way: one `shapely.union_all` of every circle, duplicates and
    all. The reference for the benchmark and the tests."""
    forward, _backward = _transformers(crs)
    circles = _circles(*_projected(points, forward, distinct=False))
    return shapely.union_all(circles).area / 1e6 if len(circles) else 0.0
