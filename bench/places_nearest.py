"""The nearest places to a point at 100,000 places: `hamkke.places.selectors.nearest(layer, lat,
lon, n=10, radius_m=2000)` — rings of H3 cells read outward, one indexed query per ring, until
ten found places are nearer than anything the unread rings could hold — against a brute-force
scan of the same rows in the same run: one query reading every row's id, latitude and longitude
of the layer,

    SELECT id, latitude, longitude FROM places_place
    WHERE city_id = %s AND layer = %s AND status <> 'closed'

then the great-circle distance of each (core.geo.distance_m, the selector's own) and a sort in
Python: what "nearest" costs without an index.

The places (WiFi sites) are loaded in bulk (COPY on PostgreSQL, executemany on SQLite) at
points drawn uniformly inside Seoul's district outlines, each with its H3 cell and district as
the services store them. The queries start from other points drawn the same way. 10,000 places
are loaded first and timed, then 90,000 more and timed again, so that growth is visible.

Both figures are queries per second. Each round runs the same points through the selector and
through the scan; rounds alternate, each round with new points, and each figure is the median.
The run fails unless the selector gives the same ids in the same order as the scan for every
query at both sizes. `--quick` loads a tenth (1,000, then 10,000).

SQLite by default, in a temporary folder. With BENCH_DATABASE_URL (or DATABASE_URL) naming a
PostgreSQL server, a scratch database `hamkke_bench_places_nearest` on it, created and
dropped."""

from __future__ import annotations

import random
import statistics
import time

from bench.database import with_database
from bench.ideas_list import database_url
from bench.runner import Result
from bench.server import progress, site_worker

SCRATCH = "hamkke_bench"  # the scratch database is hamkke_bench_places_nearest
LAYER = "wifi-sites"
N, RADIUS_M = 10, 2_000
SCAN_SQL = (
    "SELECT id, latitude, longitude FROM places_place "
    "WHERE city_id = %s AND layer = %s AND status <> 'closed'"
)
_BATCH = 50_000
_FIELDS = (
    "city",
    "layer",
    "ref",
    "name",
    "name_en",
    "kind",
    "address",
    "hours",
    "phone",
    "url",
    "description",
    "operator",
    "network",
    "install_year",
    "indoor",
    "charger_count",
    "charger_kinds",
    "status",
    "updated_at",
    "latitude",
    "longitude",
    "cell",
    "district",
)


# --- inside the worker process (Django set up on the benchmark's database) ---------------------


def _picker(seed: int):
    import numpy as np

    from hamkke.core.city.selectors import current_city
    from hamkke.places.demo import PointPicker

    return PointPicker(current_city(), np.random.default_rng(seed))


def _points(count: int, seed: int) -> list[tuple[str, float, float]]:
    """`count` points uniformly inside the city (each district by its area)."""
    picker = _picker(seed)
    return picker.points(count, picker.weights({}), random.Random(seed))


def _load(first: int, count: int, seed: int) -> dict:
    """WiFi sites `first` … `first + count - 1` at points inside the city, with their cells
    and districts; then ANALYZE."""
    from django.db import connection, transaction
    from django.utils import timezone

    from hamkke.core.ballots import BulkInsert
    from hamkke.core.city.selectors import current_city
    from hamkke.places import nearby
    from hamkke.places.models import Place

    started = time.perf_counter()
    city = current_city()
    picker = _picker(seed)
    points = picker.points(count, picker.weights({}), random.Random(seed))
    rows = BulkInsert(Place, _FIELDS)
    now = rows.adapt("updated_at", timezone.now())
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        for start in range(0, count, _BATCH):
            batch = []
            for offset in range(start, min(start + _BATCH, count)):
                _code, lat, lon = points[offset]
                number = first + offset
                batch.append(
                    (
                        city.pk,
                        LAYER,
                        f"BENCH-{number:07d}",
                        f"벤치마크 와이파이 {number}",
                        "",
                        "street",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "서울특별시",
                        "자가망",
                        2024,
                        False,
                        None,
                        "",
                        "active",
                        now,
                        lat,
                        lon,
                        nearby.cell_of(lat, lon),
                        picker.district_of(lat, lon).pk,
                    )
                )
            with transaction.atomic():
                rows.run(cursor, batch)
    loaded = time.perf_counter() - started
    with connection.cursor() as cursor:
        table = Place._meta.db_table
        cursor.execute(f"VACUUM ANALYZE {table}" if postgres else f"ANALYZE {table}")
    return {
        "places": Place.objects.filter(layer=LAYER).count(),
        "load_seconds": loaded,
        "analyze_seconds": time.perf_counter() - started - loaded,
        "database": "PostgreSQL" if postgres else "SQLite",
    }


def _selector(points: list[tuple[str, float, float]]) -> dict:
    from hamkke.places import selectors

    start = time.perf_counter()
    ids = [
        [near.row.pk for near in selectors.nearest(LAYER, lat, lon, n=N, radius_m=RADIUS_M)]
        for _code, lat, lon in points
    ]
    return {"seconds": time.perf_counter() - start, "ids": ids}


def _scan(points: list[tuple[str, float, float]]) -> dict:
    """The brute force: every row of the layer read (one query per point), measured, sorted."""
    from django.db import connection

    from hamkke.core.city.selectors import current_city
    from hamkke.core.geo import distance_m

    start = time.perf_counter()
    ids = []
    for _code, lat, lon in points:
        with connection.cursor() as cursor:
            cursor.execute(SCAN_SQL, [current_city().pk, LAYER])
            rows = cursor.fetchall()
        found = []
        for pk, row_lat, row_lon in rows:
            metres = distance_m(lat, lon, row_lat, row_lon)
            if metres <= RADIUS_M:
                found.append((metres, pk))
        found.sort()
        ids.append([pk for _metres, pk in found[:N]])
    return {"seconds": time.perf_counter() - start, "ids": ids}


def _queries(points: list[tuple[str, float, float]]) -> dict:
    """The queries each selector call ran (not timed): the rings it read."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from hamkke.places import selectors

    counts, found = [], []
    for _code, lat, lon in points:
        with CaptureQueriesContext(connection) as captured:
            near = selectors.nearest(LAYER, lat, lon, n=N, radius_m=RADIUS_M)
        counts.append(len(captured.captured_queries))
        found.append(len(near))
    return {"queries": counts, "found": found}


# --- the run -----------------------------------------------------------------------------------


def _measure(worker, size: int, rounds: int, points_per_round: int) -> dict:
    """Alternating rounds of the scan and the selector on the same new points each round; the
    medians in queries per second, and every query's ids compared."""
    warm = worker.submit(_points, 5, 99).result(timeout=600)
    worker.submit(_scan, warm).result(timeout=600)
    worker.submit(_selector, warm).result(timeout=600)
    runs: dict[str, list[float]] = {"scan": [], "selector": []}
    compared = 0
    for number in range(rounds):
        points = worker.submit(_points, points_per_round, 1_000 + number).result(timeout=600)
        scan = worker.submit(_scan, points).result(timeout=3600)
        chosen = worker.submit(_selector, points).result(timeout=3600)
        for point, expected, got in zip(points, scan["ids"], chosen["ids"], strict=True):
            if expected != got:
                raise RuntimeError(
                    f"at {size:,} places, from {point[1]:.5f}, {point[2]:.5f}: the selector's "
                    f"ids {got} differ from the scan's {expected}"
                )
        compared += len(points)
        runs["scan"].append(len(points) / scan["seconds"])
        runs["selector"].append(len(points) / chosen["seconds"])
    queries = worker.submit(_queries, points).result(timeout=600)
    return {
        "size": size,
        "compared": compared,
        "selector": statistics.median(runs["selector"]),
        "scan": statistics.median(runs["scan"]),
        "rounds": {kind: [round(q, 1) for q in done] for kind, done in runs.items()},
        "queries": queries,
    }


def run(quick: bool) -> Result:
    large = 10_000 if quick else 100_000
    small = large // 10
    rounds = 3
    points_per_round = 50 if quick else 100
    server = database_url()
    url = with_database(server, SCRATCH) if server else "sqlite"
    measured = []
    with site_worker(url, "places_nearest") as worker:
        loaded_count = 0
        for size, seed in ((small, 1), (large, 2)):
            adding = size - loaded_count
            progress(f"loading {adding:,} places …")
            loaded = worker.submit(_load, loaded_count + 1, adding, seed).result(timeout=3600)
            loaded_count = size
            if loaded["places"] != size:
                raise RuntimeError(f"{loaded['places']:,} places loaded, not {size:,}")
            progress(
                f"  {size:,} places in {loaded['load_seconds']:.1f}s, ANALYZE "
                f"{loaded['analyze_seconds']:.1f}s; timing …"
            )
            measured.append(_measure(worker, size, rounds, points_per_round))
    low, high = measured

    def line(figures: dict) -> str:
        queries = figures["queries"]["queries"]
        found = figures["queries"]["found"]
        return (
            f"at {figures['size']:,} places: selector {figures['selector']:,.1f} queries/s "
            f"{figures['rounds']['selector']}, scan {figures['scan']:,.2f} "
            f"{figures['rounds']['scan']} (selector/scan "
            f"{figures['selector'] / figures['scan']:,.1f}); the selector read "
            f"{statistics.mean(queries):.2f} rings a call on average ({min(queries)}–"
            f"{max(queries)} queries), {statistics.mean(found):.1f} places found within "
            f"{RADIUS_M:,} m on average"
        )

    notes = (
        f"{loaded['database']}, one process; "
        f"{'quick: a tenth of the full sizes; ' if quick else ''}"
        f"{N} nearest WiFi sites within {RADIUS_M:,} m of points drawn uniformly inside Seoul; "
        f"median of {rounds} rounds, each {points_per_round} new points through the scan and "
        f"the selector. {line(high)}; {line(low)}. Time per query at {large:,} over at "
        f"{small:,}: selector x{low['selector'] / high['selector']:.2f}, scan "
        f"x{low['scan'] / high['scan']:.2f}. Every query compared: the selector's ids equal "
        f"the scan's, in order ({low['compared'] + high['compared']:,} queries)"
    )
    return Result(
        name="places_nearest",
        value=high["selector"],
        baseline=high["scan"],
        unit="queries/s",
        notes=notes,
    )
