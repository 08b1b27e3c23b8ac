"""The latest-state query of one district's map at Seoul's scale: 100 places × 1,000 sensors
(100,000 assets with their latest state), against the same query when the city has 10 places
(10,000 assets), in the same run: how the map of one district grows with the city around it.

The query is the public map's (`/api/v1/iot/assets.geojson?district=…`): pages.selectors.
map_rows (the district's assets and their states, and its lots' free spots) and each turned
into a GeoJSON Feature (pages.api.feature), everything the endpoint does but HTTP. The measured
district is Jongno, which holds one place (the pilot: 1,000 sensors) in both runs; the other
places are spread over the other 24 districts, so the 100-place city has ten times the rows
around the same map. The figure is milliseconds per map (median of the rounds); the ratio to
the 10-place run says how much the rest of the city costs one district's map (1.0: nothing).

Each place is 1,000 sensors within 400 m of a point drawn inside its district: half parking
spots (a sixth of them in a lot), a third bins, the rest no-parking zones, each with a state.
Rows are written in bulk. SQLite by default, in a temporary folder; with BENCH_DATABASE_URL (or
DATABASE_URL) naming a PostgreSQL server, a scratch database `hamkke_bench_iot_state` on it.
`--quick`: 200 sensors a place."""

from __future__ import annotations

import math
import random
import statistics
import time

from bench.database import with_database
from bench.ideas_list import database_url
from bench.runner import Result
from bench.server import progress, site_worker

SCRATCH = "hamkke_bench"
MEASURED = "11110"  # Jongno
ROUNDS = 15


# --- inside the worker process ------------------------------------------------------------------


def _load(first_place: int, places: int, sensors: int, seed: int) -> dict:
    """Places `first_place` … `first_place + places - 1`: the first of all in Jongno, the others
    round the other districts; each with its sensors' assets and states; then ANALYZE."""
    import numpy as np
    from django.db import connection, transaction
    from django.utils import timezone

    from hamkke.core.city.selectors import current_city
    from hamkke.core.geo import cell_for
    from hamkke.iot.models import Asset, AssetKind, AssetState
    from hamkke.iot.pages.bukchon import offset
    from hamkke.iot.services import entity_id
    from hamkke.places.demo import PointPicker

    started = time.perf_counter()
    city = current_city()
    rng = random.Random(seed)
    picker = PointPicker(city, np.random.default_rng(seed))
    others = [code for code in picker.codes if code != MEASURED]
    now = timezone.now()
    for place in range(first_place, first_place + places):
        code = MEASURED if place == 0 else others[(place - 1) % len(others)]
        district = picker.districts[code]
        centre = picker.inside(code, 1)[0]

        def asset(ref: str, kind: str, point, lot=None, district=district) -> Asset:
            lat, lon = point
            return Asset(
                city=city,
                kind=kind,
                ref=ref,
                name=ref,
                entity_id=entity_id(city, kind, ref),
                lot=lot,
                latitude=lat,
                longitude=lon,
                cell=cell_for(lat, lon),
                district=district,
            )

        lot = asset(f"P{place}-LOT", AssetKind.OFF_STREET_PARKING, centre)
        lot.save()
        rows, states = [], []
        for number in range(sensors):
            distance, angle = 400 * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi)
            point = offset(centre, distance * math.sin(angle), distance * math.cos(angle))
            share = number / sensors
            if share < 0.5:
                kind, attributes = (
                    AssetKind.PARKING_SPOT,
                    {"status": rng.choice(["free", "occupied"])},
                )
            elif share < 0.85:
                kind, attributes = AssetKind.WASTE_CONTAINER, {"fillingLevel": rng.random()}
            else:
                kind, attributes = AssetKind.NO_PARKING_ZONE, {"status": "free"}
            attributes["batteryLevel"] = round(rng.uniform(0.1, 1), 2)
            in_lot = lot if kind == AssetKind.PARKING_SPOT and number % 6 == 0 else None
            rows.append(asset(f"P{place}-{number}", kind, point, in_lot))
            states.append(attributes)
        with transaction.atomic():
            made = Asset.objects.bulk_create(rows, batch_size=2000)
            AssetState.objects.bulk_create(
                [
                    AssetState(asset=row, attributes=attributes, observed_at=now, updated_at=now)
                    for row, attributes in zip(made, states, strict=True)
                ],
                batch_size=2000,
            )
    loaded = time.perf_counter() - started
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        for table in (Asset._meta.db_table, AssetState._meta.db_table):
            cursor.execute(f"VACUUM ANALYZE {table}" if postgres else f"ANALYZE {table}")
    return {
        "assets": Asset.objects.count(),
        "load_seconds": loaded,
        "database": "PostgreSQL" if postgres else "SQLite",
    }


def _map(rounds: int) -> dict:
    """Jongno's map `rounds` times: milliseconds each, the features, the queries of one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from hamkke.core.city.selectors import current_city
    from hamkke.iot.pages import selectors
    from hamkke.iot.pages.api import feature

    city = current_city()
    filters = selectors.map_filters(city, district=MEASURED)
    with CaptureQueriesContext(connection) as captured:
        features = [feature(row) for row in selectors.map_rows(city, filters)]
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        features = [feature(row) for row in selectors.map_rows(city, filters)]
        times.append((time.perf_counter() - start) * 1000)
    return {
        "ms": statistics.median(times),
        "features": len(features),
        "queries": len(captured.captured_queries),
        "lots": sum(1 for f in features if f["properties"]["kind"] == "OffStreetParking"),
    }


# --- the run -----------------------------------------------------------------------------------


def run(quick: bool) -> Result:
    sensors = 200 if quick else 1_000
    server = database_url()
    url = with_database(server, SCRATCH) if server else "sqlite"
    measured = {}
    with site_worker(url, "iot_state") as worker:
        loaded = 0
        for places in (10, 100):
            progress(f"loading {places - loaded} places of {sensors:,} sensors …")
            figures = worker.submit(_load, loaded, places - loaded, sensors, places).result(
                timeout=3600
            )
            loaded = places
            progress(f"  {figures['assets']:,} assets in {figures['load_seconds']:.1f}s; timing …")
            measured[places] = {**worker.submit(_map, ROUNDS).result(timeout=600), **figures}
    small, large = measured[10], measured[100]
    if small["features"] != large["features"] or small["features"] != sensors + 1:
        raise RuntimeError(
            f"Jongno's map had {small['features']} features at 10 places and "
            f"{large['features']} at 100, not {sensors + 1}"
        )
    notes = (
        f"{large['database']}, one process; {'quick: ' if quick else ''}{sensors:,} sensors a "
        f"place; Jongno's map (one place: {large['features']:,} features with their state, "
        f"{large['lots']} lot with its free spots, {large['queries']} queries) among "
        f"{large['assets']:,} assets at 100 places: {large['ms']:.1f} ms; among "
        f"{small['assets']:,} at 10 places: {small['ms']:.1f} ms (median of {ROUNDS}). "
        f"Ratio 100/10 places: {large['ms'] / small['ms']:.2f} (1.0: the rest of the city "
        "costs one district's map nothing)"
    )
    return Result(name="iot_state", value=large["ms"], baseline=small["ms"], unit="ms", notes=notes)
