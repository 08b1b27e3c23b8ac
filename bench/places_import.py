"""Bulk import throughput of Places: rows per second through `hamkke places import FILE` — the
real command on Seoul's open-data WiFi layout: the file read (CP949), the swap check, every row
checked by saving it in a rolled-back transaction, then imported in committed batches (each row
saves its site and its access point through `services.save_place` and
`services.save_access_point`: district by point-in-polygon, H3 cell, install type from the
profile, upsert by number), the coverage recomputed at the end — against plain ORM bulk inserts
of the same sites and access points in the same run (`bulk_create`, nothing checked, no
district, no cell, no coverage).

The rows are the Places demo's access points (5,200 over 1,600 sites along streets, in parks,
in buildings), written out in Seoul's layout with fresh management numbers and site names each
round, so every round adds (none updates). Rounds alternate with the baseline and each figure is
the median. Every row must be imported, or the benchmark fails.

`--quick`: 2 rounds of 1,000 rows instead of 3 of 5,200 (Seoul's whole registry). SQLite."""

from __future__ import annotations

import csv
import io
import statistics
import time
from pathlib import Path

from bench.runner import Result
from bench.server import progress, site_worker

HEADER = [
    "X_SWIFI_MGR_NO", "X_SWIFI_WRDOFC", "X_SWIFI_MAIN_NM", "X_SWIFI_ADRES1", "X_SWIFI_ADRES2",
    "X_SWIFI_INSTL_FLOOR", "X_SWIFI_INSTL_TY", "X_SWIFI_INSTL_MBY", "X_SWIFI_SVC_SE",
    "X_SWIFI_CMCWR", "X_SWIFI_CNSTC_YEAR", "X_SWIFI_INOUT_DOOR", "X_SWIFI_REMARS3", "LAT", "LNT",
    "WORK_DTTM",
]  # fmt: skip


# --- inside the worker process (Django set up on the benchmark's scratch site) ------------------


def _seed() -> int:
    from hamkke.places import demo
    from hamkke.places.models import AccessPoint

    list(demo.seed())
    return AccessPoint.objects.count()


def _write(folder: str, prefix: str, count: int) -> dict:
    """The demo's first `count` access points in Seoul's layout, numbered and named afresh."""
    from hamkke.places.models import AccessPoint

    points = AccessPoint.objects.select_related("site", "district").order_by("pk")[:count]
    path = Path(folder) / f"{prefix}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    sites = set()
    with path.open("w", encoding="cp949", errors="replace", newline="") as out:
        table = csv.writer(out)
        table.writerow(HEADER)
        for number, point in enumerate(points):
            name = f"{point.site.name} {prefix}"
            sites.add((point.district.name, name, point.site.address))
            table.writerow(
                [
                    f"{prefix}-{number:06d}",
                    point.district.name,
                    name,
                    point.site.address,
                    "",
                    "",
                    point.site.kind,
                    point.operator or "서울시(AP)",
                    "공공WiFi",
                    point.provider or "자가망",
                    point.install_year or "",
                    "실내" if point.indoor else "실외",
                    "",
                    point.latitude,
                    point.longitude,
                    "",
                ]
            )
    return {"csv": str(path), "rows": count, "sites": len(sites), "prefix": prefix}


def _import(batch: dict) -> dict:
    from django.core.management import call_command

    from hamkke.places.models import AccessPoint

    out, err = io.StringIO(), io.StringIO()
    before = AccessPoint.objects.count()
    start = time.perf_counter()
    call_command("places", "import", batch["csv"], stdout=out, stderr=err)
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "imported": AccessPoint.objects.count() - before,
        "out": out.getvalue(),
    }


def _insert(batch: dict) -> dict:
    """The same rows as plain ORM bulk inserts (other numbers): the sites, then the access
    points; nothing checked, no district, no cell, no coverage."""
    from django.db import transaction

    from hamkke.core.city.selectors import current_city
    from hamkke.places.models import AccessPoint, Layer, Place

    start = time.perf_counter()
    city = current_city()
    with open(batch["csv"], encoding="cp949", newline="") as source:
        rows = list(csv.DictReader(source))
    sites: dict[tuple, Place] = {}
    points = []
    with transaction.atomic():
        for row in rows:
            key = (row["X_SWIFI_WRDOFC"], row["X_SWIFI_MAIN_NM"], row["X_SWIFI_ADRES1"])
            lat, lon = float(row["LAT"]), float(row["LNT"])
            site = sites.get(key)
            if site is None:
                site = sites[key] = Place(
                    city=city,
                    layer=Layer.WIFI_SITES,
                    ref=f"ORM-{len(sites)}-{batch['prefix']}",
                    name=row["X_SWIFI_MAIN_NM"],
                    address=row["X_SWIFI_ADRES1"],
                    kind=row["X_SWIFI_INSTL_TY"],
                    latitude=lat,
                    longitude=lon,
                    cell="",
                )
            points.append(
                AccessPoint(
                    city=city,
                    site=site,
                    ref="ORM-" + row["X_SWIFI_MGR_NO"],
                    provider=row["X_SWIFI_CMCWR"],
                    operator=row["X_SWIFI_INSTL_MBY"],
                    install_type=row["X_SWIFI_INSTL_TY"],
                    latitude=lat,
                    longitude=lon,
                    cell="",
                )
            )
        Place.objects.bulk_create(sites.values(), batch_size=500)
        for point in points:
            point.site_id = point.site.pk
        AccessPoint.objects.bulk_create(points, batch_size=500)
    return {"seconds": time.perf_counter() - start, "inserted": len(points)}


# --- the run -----------------------------------------------------------------------------------


def run(quick: bool) -> Result:
    rows, rounds = (1_000, 2) if quick else (5_200, 3)
    progress("seeding the Places demo on a scratch site …")
    with site_worker("sqlite", "places_import") as worker:
        worker.submit(_seed).result(timeout=1800)
        folder = str(Path("/tmp") / f"hamkke-bench-places-import-{time.time_ns()}")
        batches = [
            worker.submit(_write, folder, f"R{n}", 200 if n == 0 else rows).result(timeout=600)
            for n in range(rounds + 1)
        ]
        worker.submit(_import, batches[0]).result(timeout=600)  # warm-up of both
        worker.submit(_insert, batches[0]).result(timeout=600)
        imports, inserts = [], []
        for number, batch in enumerate(batches[1:], start=1):
            progress(f"round {number} of {rounds}: importing {rows:,} rows …")
            imports.append(worker.submit(_import, batch).result(timeout=3600))
            inserts.append(worker.submit(_insert, batch).result(timeout=3600))
    for batch, done in zip(batches[1:], imports, strict=True):
        if done["imported"] != batch["rows"]:
            raise RuntimeError(
                f"{done['imported']} of {batch['rows']} rows imported: {done['out'][-500:]}"
            )
    rate = statistics.median(d["imported"] / d["seconds"] for d in imports)
    plain = statistics.median(d["inserted"] / d["seconds"] for d in inserts)
    notes = (
        f"SQLite, one process; {rounds} rounds of {rows:,} rows of Seoul's WiFi layout "
        f"({batches[1]['sites']:,} sites){' (quick)' if quick else ''}, each checked (saved and "
        f"rolled back) then imported, and the coverage recomputed: "
        f"{[round(d['seconds'], 2) for d in imports]} s per file, "
        f"{[round(d['imported'] / d['seconds']) for d in imports]} rows/s; ORM bulk inserts "
        f"{[round(d['inserted'] / d['seconds']) for d in inserts]} rows/s; the command's "
        f"summary: {imports[-1]['out'].strip().splitlines()[-1]}"
    )
    return Result(name="places_import", value=rate, baseline=plain, unit="rows/s", notes=notes)
