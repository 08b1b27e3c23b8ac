"""Open311 filings: reports filed per second through `POST /open311/v2/requests.json` by
concurrent app clients, against inserting the same rows through the ORM in the same run.

The figure is the whole filing as an app sees it: HTTP, the api_key check, the rate limits, the
category and its questions, locating the point in its district, routing, the SLA clock and three
rows (Location, Complaint, ComplaintEvent) in one transaction. The baseline inserts those same
three rows per report straight through the ORM, with everything it needs looked up beforehand,
by as many processes as there are clients. Rounds alternate (HTTP, ORM, HTTP, ORM, …), each ORM
round inserting as many reports as the HTTP round before it filed.

`python -m bench open311_post` runs it on SQLite, as the site runs embedded.
With BENCH_DATABASE_URL=postgres://…/hamkke_bench_post it runs on a PostgreSQL database it
creates and drops."""

from __future__ import annotations

import itertools
import os
import random
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from urllib.parse import urlencode

from bench.database import served_database
from bench.load import KeepAliveClient, Round
from bench.runner import Result
from bench.server import django_processes, served_shape, served_site

PATH = "/open311/v2/requests.json"
# Places inside Seoul, spread over a dozen districts (public landmarks).
POINTS = (
    (37.5665, 126.9780),  # City Hall, Jung-gu
    (37.5704, 126.9920),  # Jongno 3-ga, Jongno-gu
    (37.5826, 126.9831),  # Bukchon, Jongno-gu
    (37.5509, 126.9250),  # Hongik University, Mapo-gu
    (37.4979, 127.0276),  # Gangnam Station, Gangnam-gu
    (37.5133, 127.1000),  # Jamsil, Songpa-gu
    (37.5219, 126.9245),  # Yeouido, Yeongdeungpo-gu
    (37.6542, 127.0568),  # Nowon Station, Nowon-gu
    (37.4954, 126.8874),  # Guro-gu Office, Guro-gu
    (37.5444, 127.0374),  # Seoul Forest, Seongdong-gu
    (37.5796, 126.9770),  # Gyeongbokgung, Jongno-gu
    (37.5172, 127.0473),  # Samseong, Gangnam-gu
)
# A few categories; road damage carries its required question as an Open311 attribute.
CATEGORIES = (
    ("litter", {}),
    ("streetlight", {}),
    ("bin-full", {}),
    ("air-noise", {}),
    ("road-damage", {"attribute[pothole_size]": "medium"}),
)
# Open311's per-app and per-address limits would otherwise stop the load within a second.
RAISED_RATES = {"HAMKKE_OPEN311_APP_RATE": "1000000/m", "HAMKKE_OPEN311_IP_RATE": "1000000/m"}


# --- the HTTP side -----------------------------------------------------------------------------


def _report_form(rng: random.Random) -> bytes:
    lat, lon = rng.choice(POINTS)
    code, extra = rng.choice(CATEGORIES)
    fields = {
        "service_code": code,
        # A few metres of jitter, as phones' fixes wander.
        "lat": f"{lat + rng.uniform(-0.0005, 0.0005):.6f}",
        "long": f"{lon + rng.uniform(-0.0005, 0.0005):.6f}",
        "description": f"벤치마크 신고 {rng.randrange(10**6)}",
        **extra,
    }
    return urlencode(fields).encode()


def _post_for(host: str, port: int, path: str, seconds: float, seed: int):
    """POST reports on one keep-alive connection until the deadline; (filed, errors, elapsed,
    first error)."""
    rng = random.Random(seed)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    client = KeepAliveClient(host, port, timeout=30)
    start = time.perf_counter()
    deadline = start + seconds
    while time.perf_counter() < deadline and not client.hopeless:
        client.send("POST", path, body=_report_form(rng), headers=headers, expect=201)
    client.close()
    return client.ok, client.errors, time.perf_counter() - start, client.first_error


def _http_round(pool, site, path: str, clients: int, seconds: float, seed: int) -> Round:
    futures = [
        pool.submit(_post_for, site.host, site.port, path, seconds, seed * 1000 + i)
        for i in range(clients)
    ]
    outcomes = [f.result(timeout=seconds + 60) for f in futures]
    errors = [o[3] for o in outcomes if o[3]]
    return Round(
        count=sum(o[0] for o in outcomes),
        errors=sum(o[1] for o in outcomes),
        rate=sum(o[0] / o[2] for o in outcomes if o[2] > 0),
        first_error=errors[0] if errors else "",
    )


# --- the ORM baseline (runs in processes with Django set up on the same database) -------------

_prepared: dict = {}
# Tracking numbers of this process: its id and a running count, unique across rounds.
_inserted = itertools.count()


def _prepare() -> dict:
    """Everything a filing looks up, looked up once: the baseline times the inserts alone."""
    if _prepared:
        return _prepared
    from django.utils import timezone

    from hamkke.complaints import workflow
    from hamkke.complaints.models import Category
    from hamkke.complaints.services import route_for
    from hamkke.core.city.selectors import current_city, district_at
    from hamkke.core.geo import cell_for, coarse_cell_for

    city = current_city()
    now = timezone.now()
    categories = {c.code: c for c in Category.objects.filter(city=city)}
    places = []
    for lat, lon in POINTS:
        district = district_at(city, lat, lon)
        places.append((lat, lon, cell_for(lat, lon), coarse_cell_for(lat, lon), district))
    routes = {
        (code, place[4].pk): route_for(categories[code], place[4])
        for code, _extra in CATEGORIES
        for place in places
    }
    expected = {
        code: workflow.expected_by(now, categories[code].sla_days) for code, _extra in CATEGORIES
    }
    _prepared.update(city=city, categories=categories, places=places, routes=routes)
    _prepared.update(expected=expected)
    return _prepared


def _orm_insert(count: int, seed: int) -> tuple[int, float]:
    """Insert `count` reports as file_complaint writes them: Location, Complaint and its first
    ComplaintEvent, one transaction each. Returns (count, seconds)."""
    import secrets

    from django.db import transaction
    from django.utils import timezone

    from hamkke.complaints.models import Channel, Complaint, ComplaintEvent, Status
    from hamkke.core.models import Location

    data = _prepare()
    rng = random.Random(seed)
    prefix = f"ORM{os.getpid() % 10**7:07d}"
    start = time.perf_counter()
    for _ in range(count):
        number = next(_inserted)
        lat, lon, cell, area, district = rng.choice(data["places"])
        code, extra = rng.choice(CATEGORIES)
        category = data["categories"][code]
        department = data["routes"][(code, district.pk)]
        now = timezone.now()
        with transaction.atomic():
            location = Location.objects.create(
                latitude=lat, longitude=lon, h3_cell=cell, h3_area=area, district=district
            )
            complaint = Complaint.objects.create(
                city=data["city"],
                category=category,
                location=location,
                district=district,
                h3_area=area,
                department=department,
                tracking_number=f"{prefix}-{number:07d}",
                token=secrets.token_hex(16),
                description=f"벤치마크 신고 {number}",
                answers={"pothole_size": "medium"} if extra else {},
                channel=Channel.OPEN311,
                created_at=now,
                updated_at=now,
                expected_at=data["expected"][code],
            )
            ComplaintEvent.objects.create(
                complaint=complaint,
                status=Status.RECEIVED,
                department=department,
                public_note=f"Received and sent to {department.name}.",
                created_at=now,
            )
    return count, time.perf_counter() - start


def _orm_round(pool, clients: int, total: int, seed: int) -> Round:
    shares = [total // clients + (1 if i < total % clients else 0) for i in range(clients)]
    futures = [
        pool.submit(_orm_insert, share, seed * 1000 + i) for i, share in enumerate(shares) if share
    ]
    outcomes = [f.result(timeout=600) for f in futures]
    return Round(
        count=sum(o[0] for o in outcomes),
        errors=0,
        rate=sum(o[0] / o[1] for o in outcomes if o[1] > 0),
    )


# --- the run -----------------------------------------------------------------------------------


def run(quick: bool, database_url: str | None = None) -> Result:
    with served_database(database_url) as (environment, database):
        return _measure(quick, environment={**environment, **RAISED_RATES}, database=database)


def _measure(quick: bool, *, environment: dict[str, str], database: str) -> Result:
    workers, threads, clients = served_shape()
    warmup, seconds, rounds = (2, 4, 2) if quick else (5, 10, 3)

    with served_site(workers=workers, threads=threads, environment=environment) as site:
        printed = site.hamkke("complaints", "apikey", "create", "Bench app")
        key = printed.strip().splitlines()[-1].strip()
        path = f"{PATH}?{urlencode({'api_key': key})}"
        with (
            ProcessPoolExecutor(max_workers=clients, mp_context=get_context("spawn")) as http_pool,
            django_processes(site.env, clients) as orm_pool,
        ):
            first = _http_round(http_pool, site, path, clients, warmup, seed=1)
            if first.count == 0:
                raise RuntimeError(f"no report was filed: {first.first_error}")
            _orm_round(orm_pool, clients, max(first.count // 4, clients), seed=1)
            http_rounds: list[Round] = []
            orm_rounds: list[Round] = []
            for number in range(rounds):
                http_rounds.append(_http_round(http_pool, site, path, clients, seconds, number + 2))
                orm_rounds.append(_orm_round(orm_pool, clients, http_rounds[-1].count, number + 2))

    filings = statistics.median(r.rate for r in http_rounds)
    inserts = statistics.median(r.rate for r in orm_rounds)
    errors = sum(r.errors for r in http_rounds)
    notes = (
        f"gunicorn {site.workers} workers x {site.threads} threads, {clients} keep-alive "
        f"clients and {clients} ORM processes on the same {os.cpu_count()} cores, {database}; "
        f"median of {rounds} alternating rounds: HTTP {seconds}s, then the ORM inserting as many "
        f"reports; filed {[r.count for r in http_rounds]} at "
        f"{[round(r.rate, 1) for r in http_rounds]}/s, ORM "
        f"{[round(r.rate, 1) for r in orm_rounds]}/s"
    )
    if errors:
        notes += f"; {errors} failed filings (first: {http_rounds[0].first_error or '?'})"
    return Result(
        name="open311_post", value=filings, baseline=inserts, unit="reports/s", notes=notes
    )
