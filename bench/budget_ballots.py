"""Ballots cast per second through `POST /api/v1/budget/cycles/…/pools/…/ballots` by concurrent
keep-alive clients, each ballot from a different census-verified voter with a signed-in session,
against inserting the same rows (Participation, Ballot, BallotChoice) through the ORM with the
same concurrency, in the same run.

The figure is the whole ballot as a voter's browser sends it: HTTP, the session and its CSRF
token, the verified identity, the pool, the phase, the district, the ballot rule, and the ballot
pattern (ARCHITECTURE.md): the register row and the sealed ballot in one transaction, and every
`HAMKKE_BALLOT_BATCH` (100) ballots a full box written out as one shuffled batch, in the request
that fills it. The baseline inserts the plain rows — register row, ballot, choices — straight
through the ORM in one transaction per ballot (the project ids looked up beforehand), as casting
did before the pattern, for the same voters in a second pool of the same cycle, by as many
processes as there are clients. Rounds alternate (HTTP, ORM, HTTP, ORM, …) with the same number
of ballots each. At the end the ballots — stored, or still sealed in the box — must equal the
voters who got a 201 (no ballot lost, none twice), with their choices, or the run fails.

Voters are made in bulk beforehand: an account, a residents-register row, a verified identity and
a session per voter, spread over Seoul's districts. `python -m bench budget_ballots` runs it on
SQLite, as the site runs embedded; with BENCH_DATABASE_URL=postgres://…/hamkke_bench_ballots it
runs on a PostgreSQL database it creates and drops."""

from __future__ import annotations

import json
import os
import random
import secrets
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import timedelta
from multiprocessing import get_context

from bench.database import served_database
from bench.load import KeepAliveClient, Round
from bench.runner import Result
from bench.server import django_processes, served_shape, served_site

CYCLE = "bench-2026"
API_POOL, ORM_POOL = "api", "orm"
PROJECTS_PER_POOL = 12
MAX_CHOICES = 3
_BATCH = 2_000


# --- inside the Django processes (the site's settings and database) ----------------------------


def _create_cycle() -> None:
    """A cycle in its voting phase with two citywide approval pools of the same shape: one for
    the API, one for the ORM baseline (so the same voters can be registered in both)."""
    from django.utils import timezone

    from hamkke.budget.models import PHASE_STARTS, Area, Cycle, Pool, Project, ProjectStatus
    from hamkke.core.city.selectors import current_city
    from hamkke.core.models import Department

    city = current_city()
    now = timezone.now()
    # Voting started a day ago; the other phases ten days apart around it.
    dates = {
        field: now + timedelta(days=10 * (index - 3) - 1)
        for index, (_phase, field) in enumerate(PHASE_STARTS, start=1)
    }
    department = Department.objects.get(city=city, code="budget")
    cycle = Cycle.objects.create(
        city=city, slug=CYCLE, title="벤치마크 시민참여예산", department=department, **dates
    )
    areas = list(Area.objects.filter(city=city))
    for code in (API_POOL, ORM_POOL):
        pool = Pool.objects.create(
            cycle=cycle,
            code=code,
            name=f"시 전체 ({code})",
            budget=1_000_000_000,
            ballot_kind="approval",
            max_choices=MAX_CHOICES,
        )
        Project.objects.bulk_create(
            Project(
                cycle=cycle,
                pool=pool,
                code=f"{code}{n}",
                title=f"사업 {code}{n}",
                summary="벤치마크 사업",
                area=areas[n % len(areas)],
                status=ProjectStatus.ACCEPTED,
                cost=50_000_000 + n * 1_000_000,
                reviewing_department=department,
                reviewed_at=now,
            )
            for n in range(1, PROJECTS_PER_POOL + 1)
        )


def _create_voters(first: int, count: int) -> list[dict]:
    """`count` census-verified voters, each with a signed-in session; returns, per voter, what
    the two sides need: the session key, the user id, the identity key and the district."""
    import hashlib

    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.db import transaction
    from django.utils import timezone

    from hamkke.accounts.models import CensusRecord, User, VerificationMethod, VerifiedIdentity
    from hamkke.core.city.selectors import current_city

    districts = list(current_city().districts.all())
    rng = random.Random(first)
    store = SessionStore()
    expires = timezone.now() + timedelta(days=1)
    voters: list[dict] = []
    for start in range(first, first + count, _BATCH):
        numbers = range(start, min(start + _BATCH, first + count))
        with transaction.atomic():
            users = User.objects.bulk_create(
                User(
                    email=f"bench-voter-{n}@example.invalid",
                    display_name=f"투표자 {n}",
                    # Unusable, and cheap: the benchmark logs voters in through their sessions.
                    password=make_password(None),
                )
                for n in numbers
            )
            if users[0].pk is None:  # a database that does not return ids from bulk inserts
                by_email = dict(
                    User.objects.filter(email__in=[u.email for u in users]).values_list(
                        "email", "pk"
                    )
                )
                for user in users:
                    user.pk = by_email[user.email]
            keys = {
                u.pk: hashlib.sha256(f"bench-resident-{u.email}".encode()).hexdigest()
                for u in users
            }
            homes = {u.pk: rng.choice(districts) for u in users}
            CensusRecord.objects.bulk_create(
                CensusRecord(
                    record_key=keys[u.pk], match_key=keys[u.pk], district=homes[u.pk], batch="bench"
                )
                for u in users
            )
            VerifiedIdentity.objects.bulk_create(
                VerifiedIdentity(
                    user=u,
                    method=VerificationMethod.CENSUS,
                    identity_key=keys[u.pk],
                    district=homes[u.pk],
                )
                for u in users
            )
            sessions = []
            for user in users:
                session_key = secrets.token_hex(16)
                data = {
                    "_auth_user_id": str(user.pk),
                    "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
                    "_auth_user_hash": user.get_session_auth_hash(),
                }
                sessions.append(
                    Session(
                        session_key=session_key,
                        session_data=store.encode(data),
                        expire_date=expires,
                    )
                )
                voters.append(
                    {
                        "session": session_key,
                        "user": user.pk,
                        "identity": keys[user.pk],
                        "district": homes[user.pk].pk,
                    }
                )
            Session.objects.bulk_create(sessions)
    return voters


_prepared: dict = {}


def _orm_prepare() -> dict:
    """What the ORM baseline looks up once: the pool and its project ids."""
    if not _prepared:
        from hamkke.budget.models import Pool

        pool = Pool.objects.get(cycle__slug=CYCLE, code=ORM_POOL)
        ids = list(pool.projects.order_by("code").values_list("pk", flat=True))
        _prepared.update(pool=pool, projects=ids)
    return _prepared


def _orm_insert(voters: list[dict], seed: int) -> tuple[int, float]:
    """Register each voter and store their ballot as plain rows, one transaction per ballot (as
    cast_ballot wrote it before the ballot pattern). Returns (ballots, seconds)."""
    from django.db import transaction

    from hamkke.budget.models import Ballot, BallotChoice, Channel, Participation

    data = _orm_prepare()
    pool, projects = data["pool"], data["projects"]
    rng = random.Random(seed)
    start = time.perf_counter()
    for voter in voters:
        chosen = rng.sample(projects, rng.randint(1, MAX_CHOICES))
        with transaction.atomic():
            Participation.objects.create(
                pool=pool,
                identity_key=voter["identity"],
                user_id=voter["user"],
                district_id=voter["district"],
                channel=Channel.ONLINE,
            )
            ballot = Ballot.objects.create(pool=pool, channel=Channel.ONLINE)
            BallotChoice.objects.bulk_create(
                BallotChoice(ballot=ballot, project_id=pk) for pk in chosen
            )
    return len(voters), time.perf_counter() - start


def _stored() -> dict[str, dict[str, int]]:
    """Per pool: ballots (stored, and still sealed in the box), register rows, distinct people
    in the register, choices."""
    from django.db.models import Count

    from hamkke.budget import selectors
    from hamkke.budget.models import Ballot, BallotChoice, Participation, Pool

    counts = {}
    for code in (API_POOL, ORM_POOL):
        pool = Pool.objects.get(cycle__slug=CYCLE, code=code)
        register = Participation.objects.filter(pool=pool)
        waiting = selectors.waiting_ballots([pool])
        counts[code] = {
            "ballots": Ballot.objects.filter(pool=pool).count() + len(waiting),
            "waiting": len(waiting),
            "register": register.count(),
            "people": register.aggregate(n=Count("identity_key", distinct=True))["n"],
            "choices": BallotChoice.objects.filter(ballot__pool=pool).count()
            + sum(len(ballot.choices) for ballot in waiting),
        }
    return counts


# --- the HTTP side -----------------------------------------------------------------------------


def _cast_for(host: str, port: int, path: str, sessions: list[str], seed: int):
    """Cast one ballot per session on one keep-alive connection; (cast, errors, elapsed, first
    error, choices stored)."""
    rng = random.Random(seed)
    codes = [f"{API_POOL}{n}" for n in range(1, PROJECTS_PER_POOL + 1)]
    # A token of the session's browser: the cookie and the header must agree (Django's check).
    token = secrets.token_hex(16)
    client = KeepAliveClient(host, port, timeout=30)
    choices = 0
    start = time.perf_counter()
    for session in sessions:
        if client.hopeless:
            break
        chosen = rng.sample(codes, rng.randint(1, MAX_CHOICES))
        headers = {
            "Content-Type": "application/json",
            "Cookie": f"sessionid={session}; csrftoken={token}",
            "X-CSRFToken": token,
        }
        body = json.dumps({"choices": chosen})
        if client.send("POST", path, body=body, headers=headers, expect=201):
            choices += len(chosen)
    client.close()
    return client.ok, client.errors, time.perf_counter() - start, client.first_error, choices


def _split(items: list, parts: int) -> list[list]:
    return [items[i::parts] for i in range(parts) if items[i::parts]]


def _http_round(pool, site, path: str, voters: list[dict], clients: int, seed: int):
    shares = _split([v["session"] for v in voters], clients)
    started = time.perf_counter()
    futures = [
        pool.submit(_cast_for, site.host, site.port, path, share, seed * 1000 + i)
        for i, share in enumerate(shares)
    ]
    outcomes = [f.result(timeout=900) for f in futures]
    wall = time.perf_counter() - started
    errors = [o[3] for o in outcomes if o[3]]
    cast = sum(o[0] for o in outcomes)
    round_ = Round(
        count=cast,
        errors=sum(o[1] for o in outcomes),
        rate=cast / max(o[2] for o in outcomes) if cast else 0.0,
        first_error=errors[0] if errors else "",
    )
    return round_, sum(o[4] for o in outcomes), wall


def _orm_round(pool, voters: list[dict], clients: int, seed: int) -> Round:
    futures = [
        pool.submit(_orm_insert, share, seed * 1000 + i)
        for i, share in enumerate(_split(voters, clients))
    ]
    outcomes = [f.result(timeout=900) for f in futures]
    count = sum(o[0] for o in outcomes)
    return Round(count=count, errors=0, rate=count / max(o[1] for o in outcomes))


# --- the run -----------------------------------------------------------------------------------


def run(quick: bool, database_url: str | None = None) -> Result:
    with served_database(database_url) as (environment, database):
        return _measure(quick, environment=environment, database=database)


def _measure(quick: bool, *, environment: dict[str, str], database: str) -> Result:
    workers, threads, clients = served_shape()
    warmup, per_round, rounds = (200, 1_500, 2) if quick else (500, 5_000, 3)
    path = f"/api/v1/budget/cycles/{CYCLE}/pools/{API_POOL}/ballots"

    with (
        served_site(workers=workers, threads=threads, environment=environment) as site,
        ProcessPoolExecutor(max_workers=clients, mp_context=get_context("spawn")) as http_pool,
        django_processes(site.env, clients) as orm_pool,
    ):
        orm_pool.submit(_create_cycle).result(timeout=300)
        total = warmup + per_round * rounds
        made = time.perf_counter()
        voters: list[dict] = []
        chunk = -(-total // clients)
        for part in [
            orm_pool.submit(_create_voters, first, min(chunk, total - first))
            for first in range(0, total, chunk)
        ]:
            voters += part.result(timeout=900)
        made = time.perf_counter() - made
        random.Random(1).shuffle(voters)
        batches = [voters[:warmup]] + [
            voters[warmup + n * per_round : warmup + (n + 1) * per_round] for n in range(rounds)
        ]

        first, sent_choices, _wall = _http_round(http_pool, site, path, batches[0], clients, seed=1)
        if first.count == 0:
            raise RuntimeError(f"no ballot was cast: {first.first_error}")
        _orm_round(orm_pool, batches[0], clients, seed=1)
        http_rounds: list[Round] = [first]
        orm_rounds: list[Round] = []
        for number, batch in enumerate(batches[1:], start=2):
            timed, chosen, _wall = _http_round(http_pool, site, path, batch, clients, number)
            http_rounds.append(timed)
            sent_choices += chosen
            orm_rounds.append(_orm_round(orm_pool, batch, clients, number))
        stored = orm_pool.submit(_stored).result(timeout=300)

    cast = sum(r.count for r in http_rounds)
    errors = sum(r.errors for r in http_rounds)
    api = stored[API_POOL]
    if not (api["ballots"] == api["register"] == api["people"] == cast) or (
        api["choices"] != sent_choices
    ):
        raise RuntimeError(
            f"ballots lost or doubled: {cast} answered 201 with {sent_choices} choices, but the "
            f"API pool stores {api}"
        )
    orm = stored[ORM_POOL]
    if not orm["ballots"] == orm["register"] == orm["people"] == len(voters):
        raise RuntimeError(f"the ORM baseline stored {orm} for {len(voters)} voters")

    timed_http, timed_orm = http_rounds[1:], orm_rounds
    ballots = statistics.median(r.rate for r in timed_http)
    inserts = statistics.median(r.rate for r in timed_orm)
    notes = (
        f"gunicorn {site.workers} workers x {site.threads} threads, {clients} keep-alive "
        f"clients and {clients} ORM processes on the same {os.cpu_count()} cores, {database}; "
        f"{len(voters):,} census-verified voters with sessions made in bulk in {made:.1f}s; "
        f"median of {rounds} alternating rounds of {per_round:,} ballots (one per voter): API "
        f"{[round(r.rate, 1) for r in timed_http]}/s, ORM "
        f"{[round(r.rate, 1) for r in timed_orm]}/s; stored = cast = {cast:,} ballots "
        f"({sent_choices:,} choices; {api['waiting']} still sealed in the box, under a batch), "
        f"each voter once in each pool"
    )
    if errors:
        first_error = next(r.first_error for r in http_rounds if r.first_error)
        notes += f"; {errors} refused ballots (first: {first_error})"
    return Result(
        name="budget_ballots", value=ballots, baseline=inserts, unit="ballots/s", notes=notes
    )
