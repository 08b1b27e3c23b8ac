"""Geography without GeoDjango: H3 cells for "what is near", shapely for "which district",
pyproj for areas in metres. Imports nothing from Django."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import h3
from pyproj import Geod
from shapely import STRtree
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import polylabel

# Resolution 10 cells are about 66 m across the edge (0.015 km²): fine enough for "same spot";
# resolution 7 (about 1.2 km) groups a neighbourhood for coarse filters and map clusters.
FINE_RESOLUTION = 10
COARSE_RESOLUTION = 7
_GEOD = Geod(ellps="WGS84")


def cell_for(latitude: float, longitude: float, resolution: int = FINE_RESOLUTION) -> str:
    return h3.latlng_to_cell(latitude, longitude, resolution)


def coarse_cell_for(latitude: float, longitude: float) -> str:
    return h3.latlng_to_cell(latitude, longitude, COARSE_RESOLUTION)


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine; accurate to well under 1% at city scale)."""
    r = 6_371_008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def cells_within(latitude: float, longitude: float, radius_m: float) -> list[str]:
    """The fine cells that together cover a circle: a superset, to be refined by distance_m."""
    centre = cell_for(latitude, longitude)
    # Cells vary in size across the globe: measure the ones here, with a margin for the
    # neighbours being a little smaller still.
    edges = [h3.edge_length(e, unit="m") for e in h3.origin_to_directed_edges(centre)]
    spacing = min(edges) * math.sqrt(3) * 0.95  # centre to neighbouring centre, at least
    # The point sits up to one edge from its cell's centre, and a k-ring's centres reach at
    # least k·spacing·cos 30° in every direction.
    rings = max(1, math.ceil((radius_m + max(edges)) / (spacing * math.cos(math.pi / 6))))
    return list(h3.grid_disk(centre, rings))


def area_km2(geometry: BaseGeometry) -> float:
    """Geodesic area, whatever the shape's position on the globe."""
    area, _perimeter = _GEOD.geometry_area_perimeter(geometry)
    return abs(area) / 1_000_000


@dataclass(frozen=True)
class DistrictShape:
    code: str
    geometry: BaseGeometry


class DistrictIndex:
    """Finds the district of a point among a city's districts (point-in-polygon)."""

    def __init__(self, districts: Mapping[str, Mapping]):
        self._codes = list(districts)
        self._shapes = [shape(districts[code]) for code in self._codes]
        self._tree = STRtree(self._shapes)

    def district_of(self, latitude: float, longitude: float) -> str | None:
        point = Point(longitude, latitude)
        for index in self._tree.query(point):
            if self._shapes[index].covers(point):
                return self._codes[index]
        return None

    def bounds(self) -> tuple[float, float, float, float]:
        """(south, west, north, east) around every district."""
        boxes = [geometry.bounds for geometry in self._shapes]  # (minx, miny, maxx, maxy)
        return (
            min(b[1] for b in boxes),
            min(b[0] for b in boxes),
            max(b[3] for b in boxes),
            max(b[2] for b in boxes),
        )

    def shapes(self) -> Iterable[DistrictShape]:
        return (DistrictShape(c, g) for c, g in zip(self._codes, self._shapes, strict=True))


# --- maps (helper maps) ---

# About 10 m: a few pixels at street zoom, nothing at city zoom; with the shorter numbers it
# makes the outlines a browser downloads about a third of the profile's file.
MAP_TOLERANCE_DEGREES = 0.0001
# Five decimals are about a metre; more digits only lengthen the answer.
MAP_DECIMALS = 5


def _rounded(coordinates, decimals: int):
    if isinstance(coordinates, (int, float)):
        return round(float(coordinates), decimals)
    return [_rounded(part, decimals) for part in coordinates]


def map_shape(
    geometry: Mapping,
    tolerance: float = MAP_TOLERANCE_DEGREES,
    decimals: int = MAP_DECIMALS,
) -> dict:
    """A GeoJSON (Multi)Polygon simplified for drawing: fewer vertices, shorter numbers, never
    an invalid or empty shape (a part too small to keep its shape keeps the original's)."""
    original = shape(geometry)
    simple = original.simplify(tolerance, preserve_topology=True)
    if simple.is_empty or not simple.is_valid:
        simple = original
    outline = simple.__geo_interface__
    return {"type": outline["type"], "coordinates": _rounded(outline["coordinates"], decimals)}


def label_point(geometry: Mapping, decimals: int = MAP_DECIMALS) -> tuple[float, float]:
    """Where a name reads best inside a shape, as (longitude, latitude): the point of its
    largest part farthest from the edges, which a centroid of a crescent or of islands is not."""
    whole = shape(geometry)
    largest = max(getattr(whole, "geoms", [whole]), key=lambda part: part.area)
    point = polylabel(largest, tolerance=MAP_TOLERANCE_DEGREES / 2)
    return (round(point.x, decimals), round(point.y, decimals))
