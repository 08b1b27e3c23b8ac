"""The WiFi coverage of 5,200 access points spread over Seoul as the demo spreads them:
`hamkke.places.coverage.compute_coverage(points, districts, crs)` — circles unioned per small
cell, then per group of touching pieces, clipped to the city and to each of its 25 districts,
plus the simplified map layer in longitude/latitude — against shapely's own way in the same run:
one `shapely.union_all` of the same circles (the same buffers in the same projection), then that
union intersected with the city and with each district.

The points are the Places demo's: a scratch site (SQLite in a temporary folder) is migrated,
given Seoul's profile and seeded with `hamkke.places.demo.seed` (1,600 WiFi sites, 5,200 access
points along streets, over parks and in buildings, more of them in the central districts); the
access points in service are read with the radius of their install type and the district
outlines, as `services.recompute_coverage` reads them. The small size is 1,000 of them, drawn at
random.

Both figures are seconds per computation, each the median of its rounds; the rounds alternate.
The run fails unless both ways find the same covered area, for the city and for every district
(relative difference below 1e-6). `--quick` runs fewer rounds."""

from __future__ import annotations

import random
import statistics
import time

from bench.runner import Result
from bench.server import progress, site_worker

SIZES = (1_000, 5_200)
AGREE = 1e-6


# --- inside the worker process (Django set up on the benchmark's scratch site) ------------------


def _demo_points() -> dict:
    """Seed the Places demo; its access points (longitude, latitude, radius), the district
    outlines and the projection, read as services.recompute_coverage reads them."""
    from hamkke.core.city import selectors as city_selectors
    from hamkke.places import demo, services
    from hamkke.places.models import AccessPoint, Status

    list(demo.seed())
    city = city_selectors.current_city()
    section = services.places_settings(city)
    radii = services.radius_table(city)
    points = [
        (lon, lat, radii.get(kind, section.default_radius_m))
        for lat, lon, kind in AccessPoint.objects.filter(city=city)
        .exclude(status=Status.CLOSED)
        .order_by("pk")
        .values_list("latitude", "longitude", "install_type")
    ]
    outlines = {d.code: geometry for d, geometry in city_selectors.district_outlines(city)}
    return {"points": points, "districts": outlines, "crs": section.crs}


# --- the two ways (in this process: both are pure Python) ---------------------------------------


def _with_coverage(points, districts, crs) -> tuple[float, dict[str, float], float]:
    from hamkke.places.coverage import compute_coverage

    start = time.perf_counter()
    result = compute_coverage(points, districts, crs)
    seconds = time.perf_counter() - start
    return (
        result.city.covered_km2,
        {area.code: area.covered_km2 for area in result.districts},
        seconds,
    )


def _plain(points, districts, crs) -> tuple[float, dict[str, float], float]:
    """shapely's own way: every circle in one union_all, then clipped to the city and to each
    district. The same projection and the same circles (QUAD_SEGS) as coverage.py."""
    import numpy as np
    import shapely
    from pyproj import Transformer
    from shapely.geometry import shape

    from hamkke.places.coverage import QUAD_SEGS

    start = time.perf_counter()
    forward = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    table = np.asarray(points, dtype=float)
    x, y = forward.transform(table[:, 0], table[:, 1])
    union = shapely.union_all(
        shapely.buffer(shapely.points(x, y), table[:, 2], quad_segs=QUAD_SEGS)
    )

    def project(coords):
        px, py = forward.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([px, py])

    outlines = {}
    for code, geometry in districts.items():
        outline = shapely.transform(shape(geometry), project)
        outlines[code] = outline if outline.is_valid else shapely.make_valid(outline)
    city = shapely.union_all(list(outlines.values()))
    covered = shapely.intersection(union, city).area / 1e6
    by_district = {
        code: shapely.intersection(union, outline).area / 1e6 for code, outline in outlines.items()
    }
    return covered, by_district, time.perf_counter() - start


def _unions(points, crs) -> dict:
    """The union alone, unclipped, both ways (coverage.py's own pair): seconds and areas."""
    from hamkke.places.coverage import plain_union_area_km2, union_area_km2

    start = time.perf_counter()
    grouped = union_area_km2(points, crs)
    middle = time.perf_counter()
    plain = plain_union_area_km2(points, crs)
    return {
        "grouped": middle - start,
        "plain": time.perf_counter() - middle,
        "agree": _agree(grouped, plain),
    }


def _agree(a: float, b: float) -> bool:
    return abs(a - b) <= AGREE * max(abs(a), abs(b), 1e-9)


def _measure(points, districts, crs, rounds: int) -> dict:
    runs: dict[str, list[float]] = {"coverage": [], "plain": []}
    for _ in range(rounds):
        covered, by_district, seconds = _with_coverage(points, districts, crs)
        runs["coverage"].append(seconds)
        plain, plain_by_district, plain_seconds = _plain(points, districts, crs)
        runs["plain"].append(plain_seconds)
        if not _agree(covered, plain):
            raise RuntimeError(
                f"{len(points):,} points: coverage found {covered!r} km² covered, the plain "
                f"union {plain!r} km²"
            )
        for code, area in plain_by_district.items():
            if not _agree(by_district[code], area):
                raise RuntimeError(
                    f"{len(points):,} points, district {code}: coverage found "
                    f"{by_district[code]!r} km², the plain union {area!r} km²"
                )
    unions = [_unions(points, crs) for _ in range(rounds)]
    if not all(u["agree"] for u in unions):
        raise RuntimeError(f"{len(points):,} points: the unclipped unions' areas differ")
    worst = max(
        [abs(covered - plain) / plain]
        + [abs(by_district[c] - a) / a for c, a in plain_by_district.items() if a]
    )
    return {
        "size": len(points),
        "coverage": statistics.median(runs["coverage"]),
        "plain": statistics.median(runs["plain"]),
        "rounds": {kind: [round(s, 3) for s in done] for kind, done in runs.items()},
        "covered_km2": covered,
        "union": {k: statistics.median(u[k] for u in unions) for k in ("grouped", "plain")},
        "worst": worst,
    }


def run(quick: bool) -> Result:
    rounds = 3 if quick else 5
    progress("seeding the Places demo on a scratch site …")
    with site_worker("sqlite", "places_coverage") as worker:
        data = worker.submit(_demo_points).result(timeout=1800)
    points, districts, crs = data["points"], data["districts"], data["crs"]
    if len(points) != SIZES[-1]:
        raise RuntimeError(f"the demo has {len(points):,} access points, not {SIZES[-1]:,}")
    measured = []
    for size in SIZES:
        chosen = points if size == len(points) else random.Random(size).sample(points, size)
        progress(f"timing {size:,} points …")
        # A warm-up of each way (imports, the projection's tables).
        _with_coverage(chosen, districts, crs)
        _plain(chosen, districts, crs)
        measured.append(_measure(chosen, districts, crs, rounds))
    small, large = measured

    def line(figures: dict) -> str:
        speed_up = figures["plain"] / figures["coverage"]
        return (
            f"{figures['size']:,} points: coverage {figures['coverage']:.3f} s "
            f"{figures['rounds']['coverage']}, plain union {figures['plain']:.3f} s "
            f"{figures['rounds']['plain']} (coverage/plain "
            f"{figures['coverage'] / figures['plain']:.3f}, {speed_up:.1f}x faster); "
            f"covered {figures['covered_km2']:.3f} km², largest relative difference "
            f"{figures['worst']:.1e}; the union alone (unclipped, no layer) "
            f"{figures['union']['grouped']:.3f} s against {figures['union']['plain']:.3f} s"
        )

    notes = (
        f"one process; the Places demo's access points (radii 30–100 m by install type) in "
        f"{crs}; median of {rounds} alternating rounds. {line(large)}; {line(small)}. "
        f"coverage also clips to each of the {len(districts)} districts (as the plain way does) "
        f"and builds the simplified map layer (the plain way does not). The areas agree for the "
        f"city and every district (relative difference < {AGREE:g})"
    )
    return Result(
        name="places_coverage",
        value=large["coverage"],
        baseline=large["plain"],
        unit="s",
        notes=notes,
    )
