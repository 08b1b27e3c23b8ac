"""Open311 reads at scale: the latency of `GET /open311/v2/requests.json` with filters on
PostgreSQL holding 1,000,000 reports, against the same request on 10,000 reports.

Two scratch databases are made side by side, migrated, given Seoul's profile and bulk-loaded
with synthetic reports (COPY): spread over the last 80 days, six categories (litter the most
common), open and closed (older ones more often closed), all over the city's districts, with
tracking numbers and tokens of the real shape. After VACUUM ANALYZE, two requests are timed
through Django's test client (the whole view: parameters, query, JSON; no network):

- filtered: `service_code=litter&status=open&start_date=…&end_date=…` over the last 60 days. It
  matches more than 1,000 reports in both databases, so both answers hold the same 1,000 (the
  specification's default limit): only the database's work grows with the table.
- ids: `service_request_id=` with a comma list of 20 tracking numbers.

The figure is the median latency of the filtered request at 1,000,000 reports, the baseline the
same at 10,000; the ratio shows how the cost grows with the table (near 1: it does not). The
databases alternate round by round. `--quick` loads 100,000 instead of 1,000,000.

BENCH_DATABASE_URL names the server and the database name the two are
derived from (default postgres://postgres@127.0.0.1:5432/hamkke_bench: hamkke_bench_small and
hamkke_bench_large); both are dropped at the end."""

from __future__ import annotations

import json
import os
import random
import secrets
import shutil
import statistics
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.database import database_name, scratch_database, with_database
from bench.runner import Result
from bench.server import create_site, django_processes, progress, worker_environment

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/hamkke_bench"
PATH = "/open311/v2/requests.json"
SPREAD_DAYS = 80
WINDOW_DAYS = 60
ID_LIST_LENGTH = 20
# Shares of the reports by category: litter and parking dominate, as in real 311 data.
CATEGORY_SHARES = {
    "litter": 0.40,
    "illegal-parking": 0.20,
    "streetlight": 0.10,
    "road-damage": 0.10,
    "bin-full": 0.10,
    "air-noise": 0.10,
}
OPEN_STATUSES = ("received", "accepted", "in_progress")
CLOSED_STATUSES = ("resolved", "resolved", "resolved", "rejected", "closed")
_TRACKING_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_BATCH = 50_000
_SEOUL = ZoneInfo("Asia/Seoul")
# Seoul's bounding box; points are drawn in it and kept when they fall in a district.
_BOX = ((37.43, 37.70), (126.77, 127.18))


# --- inside the worker processes (Django set up on one database) -------------------------------


def _places(city, rng: random.Random, count: int = 3000) -> list[tuple]:
    """Random points of the city with their district and H3 cells, found as `locate` finds
    them (the district index), without a query per point."""
    from hamkke.core.city.selectors import district_index
    from hamkke.core.geo import cell_for, coarse_cell_for

    index = district_index(city)
    districts = {d.code: d for d in city.districts.all()}
    places = []
    while len(places) < count:
        lat, lon = rng.uniform(*_BOX[0]), rng.uniform(*_BOX[1])
        code = index.district_of(lat, lon)
        if code is None:
            continue  # outside every district
        places.append((lat, lon, cell_for(lat, lon), coarse_cell_for(lat, lon), districts[code]))
    return places


class _SyntheticReports:
    """Rows of reports as the service would have written them, drawn from a seeded generator:
    a Location row and a Complaint row (all its columns, defaults included) per report."""

    LOCATION_COLUMNS = (
        "id",
        "latitude",
        "longitude",
        "h3_cell",
        "h3_area",
        "district_id",
        "address",
    )

    def __init__(self, rng: random.Random) -> None:
        from hamkke.complaints.models import Category, Complaint
        from hamkke.complaints.services import route_for
        from hamkke.core.city.selectors import current_city

        self.rng = rng
        self.city = current_city()
        self.categories = {c.code: c for c in Category.objects.filter(city=self.city)}
        self.places = _places(self.city, rng)
        districts = {place[4].pk: place[4] for place in self.places}
        self.routes = {
            (code, district.pk): route_for(self.categories[code], district).pk
            for code in CATEGORY_SHARES
            for district in districts.values()
        }
        self.fields = list(Complaint._meta.concrete_fields)
        self.complaint_columns = tuple(f.column for f in self.fields)
        self.now = datetime.now(UTC)
        self.numbers: set[str] = set()

    def rows(self, pk: int) -> tuple[tuple, tuple, str]:
        """(location row, complaint row, tracking number) of report `pk`."""
        rng = self.rng
        lat, lon, cell, area, district = rng.choice(self.places)
        code = rng.choices(list(CATEGORY_SHARES), list(CATEGORY_SHARES.values()))[0]
        category = self.categories[code]
        age = timedelta(seconds=rng.uniform(0, SPREAD_DAYS * 86400))
        created = self.now - age
        # Older reports are more often closed: three in four open today, one in four at 80 days.
        is_open = rng.random() < 0.75 - 0.5 * age / timedelta(days=SPREAD_DAYS)
        resolved = None if is_open else created + timedelta(hours=rng.uniform(1, 96))
        number = _tracking_number(created, rng, self.numbers)
        values = {
            "id": pk,
            "city_id": self.city.pk,
            "tracking_number": number,
            "token": secrets.token_hex(16),
            "category_id": category.pk,
            "location_id": pk,
            "district_id": district.pk,
            "h3_area": area,
            "description": f"{category.name} 신고 {pk}",
            "answers": '{"pothole_size": "small"}' if code == "road-damage" else "{}",
            "status": rng.choice(OPEN_STATUSES if is_open else CLOSED_STATUSES),
            "is_open": is_open,
            "department_id": self.routes[(code, district.pk)],
            "channel": rng.choice(("web", "web", "open311", "open311", "official")),
            "public_answer": "" if is_open else "처리했습니다.",
            "hidden": rng.random() < 0.001,
            "created_at": created,
            "updated_at": resolved or created,
            "expected_at": created + timedelta(days=category.sla_days),
            "resolved_at": resolved,
        }
        location = (pk, lat, lon, cell, area, district.pk, "")
        return location, tuple(_value(f, values) for f in self.fields), number


def _load(count: int, seed: int) -> dict:
    """Bulk-load `count` reports (and their locations) with COPY, then VACUUM ANALYZE; returns
    timings and a sample of tracking numbers for the id-list request."""
    from django.db import connection

    from hamkke.complaints.models import Complaint
    from hamkke.core.models import Location

    started = time.perf_counter()
    rng = random.Random(seed)
    reports = _SyntheticReports(rng)
    tables = (Location._meta.db_table, Complaint._meta.db_table)
    sample: list[str] = []
    with connection.cursor() as cursor:
        raw = cursor.cursor
        # Rows are consistent by construction; skipping the foreign-key triggers (bench
        # databases only, as superuser) makes a million-row load minutes faster.
        raw.execute("SET session_replication_role = replica")
        for first in range(1, count + 1, _BATCH):
            locations, complaints = [], []
            for pk in range(first, min(first + _BATCH, count + 1)):
                location, complaint, number = reports.rows(pk)
                locations.append(location)
                complaints.append(complaint)
                if len(sample) < 1000 and rng.random() < 0.01:
                    sample.append(number)
            _copy(raw, tables[0], reports.LOCATION_COLUMNS, locations)
            _copy(raw, tables[1], reports.complaint_columns, complaints)
        raw.execute("SET session_replication_role = DEFAULT")
        for table in tables:
            raw.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
    loaded = time.perf_counter() - started
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM ANALYZE {table}")
    rng.shuffle(sample)
    return {
        "count": count,
        "load_seconds": loaded,
        "vacuum_seconds": time.perf_counter() - started - loaded,
        "ids": sample[:ID_LIST_LENGTH],
    }


def _value(field, values: dict):
    if field.column in values:
        return values[field.column]
    if field.null:
        return None
    default = field.get_default()
    return default if default is not None else ""


def _copy(raw_cursor, table: str, columns, rows: list[tuple]) -> None:
    with raw_cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _tracking_number(created: datetime, rng: random.Random, seen: set[str]) -> str:
    day = created.astimezone(_SEOUL).strftime("%y%m%d")
    while True:
        number = f"{day}-" + "".join(rng.choices(_TRACKING_ALPHABET, k=5))
        if number not in seen:
            seen.add(number)
            return number


def _queries(ids: list[str]) -> dict[str, dict[str, str]]:
    now = datetime.now(UTC)
    return {
        "filtered": {
            "service_code": "litter",
            "status": "open",
            "start_date": (now - timedelta(days=WINDOW_DAYS)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "end_date": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        },
        "ids": {"service_request_id": ",".join(ids)},
    }


def _time_requests(ids: list[str], repeats: int) -> dict:
    """Median-ready latencies (seconds) of each request, and the number of items answered."""
    from django.test import Client

    client = Client()
    latencies: dict[str, list[float]] = {}
    items: dict[str, int] = {}
    for name, query in _queries(ids).items():
        for _ in range(repeats):
            start = time.perf_counter()
            response = client.get(PATH, query)
            latencies.setdefault(name, []).append(time.perf_counter() - start)
            if response.status_code != 200:
                raise RuntimeError(f"{name}: {response.status_code} {response.content[:300]!r}")
        items[name] = len(json.loads(response.content))
    return {"latencies": latencies, "items": items}


def _explain(ids: list[str]) -> str:
    """The plan PostgreSQL runs for the filtered request's main query, with real timings."""
    from django.http import QueryDict
    from django.utils import timezone

    from hamkke.complaints import selectors
    from hamkke.complaints.open311 import params
    from hamkke.core.city.selectors import current_city

    query = _queries(ids)["filtered"]
    data = QueryDict(mutable=True)
    data.update(query)
    window = params.window(data, now=timezone.now())
    complaints = selectors.open311_requests(
        current_city(), service_codes=("litter",), statuses=("open",), window=window
    )
    return complaints[: params.DEFAULT_LIMIT].explain(analyze=True, buffers=True)


# --- the run -----------------------------------------------------------------------------------


def run(quick: bool, database_url: str | None = None) -> Result:
    url = database_url or os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL
    name = database_name(url)
    large_count = 100_000 if quick else 1_000_000
    small_count = 10_000
    repeats, rounds = (5, 3) if quick else (10, 5)

    data_dir = Path(tempfile.mkdtemp(prefix="hamkke-bench-"))
    try:
        with ExitStack() as stack:
            workers, loaded = {}, {}
            for size, count in (("small", small_count), ("large", large_count)):
                db_url = stack.enter_context(scratch_database(with_database(url, f"{name}_{size}")))
                env = worker_environment(data_dir / size, db_url)
                workers[size] = stack.enter_context(django_processes(env))
                workers[size].submit(create_site).result(timeout=600)
                progress(f"loading {count:,} reports into {database_name(db_url)} …")
                loaded[size] = workers[size].submit(_load, count, 7).result(timeout=3600)
                progress(
                    f"  loaded in {loaded[size]['load_seconds']:.0f}s, "
                    f"VACUUM ANALYZE {loaded[size]['vacuum_seconds']:.0f}s"
                )
            # Warm-up: caches, connections, the first query plans.
            for size in workers:
                workers[size].submit(_time_requests, loaded[size]["ids"], 3).result(timeout=600)
            samples = {size: {"filtered": [], "ids": []} for size in workers}
            items = {}
            for _ in range(rounds):
                for size in workers:
                    timed = workers[size].submit(_time_requests, loaded[size]["ids"], repeats)
                    outcome = timed.result(timeout=600)
                    for query, values in outcome["latencies"].items():
                        samples[size][query].extend(values)
                    items[size] = outcome["items"]
            plans = {
                size: workers[size].submit(_explain, loaded[size]["ids"]).result(timeout=600)
                for size in workers
            }
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)

    for size, plan in plans.items():
        progress(f"EXPLAIN ANALYZE, filtered request, {size}:\n{plan}")
    median_ms = {
        size: {query: statistics.median(v) * 1000 for query, v in by_query.items()}
        for size, by_query in samples.items()
    }
    for size in items:
        if items[size]["filtered"] != 1000:
            progress(f"note: the filtered request answered {items[size]['filtered']} at {size}")
    notes = (
        f"PostgreSQL, Django test client in one process per database; {large_count:,} vs "
        f"{small_count:,} reports over {SPREAD_DAYS} days"
        f"{' (quick: 100,000 instead of 1,000,000)' if quick else ''}; median of "
        f"{rounds} alternating rounds x {repeats} requests; filtered (litter, open, "
        f"{WINDOW_DAYS} days) answered {items['large']['filtered']} / "
        f"{items['small']['filtered']} items; id list of {ID_LIST_LENGTH}: "
        f"{median_ms['large']['ids']:.1f} ms vs {median_ms['small']['ids']:.1f} ms "
        f"(ratio {median_ms['large']['ids'] / median_ms['small']['ids']:.2f}); load "
        f"{loaded['large']['load_seconds']:.0f}s + VACUUM ANALYZE "
        f"{loaded['large']['vacuum_seconds']:.0f}s; plans: "
        + "; ".join(f"{size}: {_plan_summary(plan)}" for size, plan in plans.items())
    )
    return Result(
        name="open311_get",
        value=median_ms["large"]["filtered"],
        baseline=median_ms["small"]["filtered"],
        unit="ms",
        notes=notes,
    )


def _plan_summary(plan: str) -> str:
    """The plan's node types and the execution time, on one line."""
    nodes = []
    for line in plan.splitlines():
        text = line.strip().removeprefix("->").strip()
        if text.startswith(("Execution Time", "Planning Time")):
            nodes.append(text)
        elif "(cost=" in text:
            nodes.append(text.split("  (cost=")[0])
    return " / ".join(nodes)
