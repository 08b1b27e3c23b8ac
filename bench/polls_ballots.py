"""Ballots cast per second in an M-Voting poll by concurrent clients, each ballot from a different
phone-verified voter, against inserting the same rows (the register row, the ballot and its
answers) as plain ORM inserts with the same concurrency, in the same run.

Two paths to the figure, chosen by BENCH_POLLS_VIA (default: SERVICE, below):

- `service`: each client is a process with Django set up on the site's database, calling
  `hamkke.polls.services.cast_ballot(actor=user, poll=…, answers=…)` for its voters — the voter
  under the poll's rule (the phone identity, the residents register for the breakdown groups,
  the register's check), the answer rules, and the ballot pattern (ARCHITECTURE.md): the register
  row and the sealed ballot in one transaction, and every `HAMKKE_BALLOT_BATCH` (100) ballots a
  full box written out as one shuffled batch with the breakdown counts, in the call that fills it.
  No HTTP, no session.
- `http`: the site served by gunicorn (`hamkke serve`) as for `budget_ballots`, each client one
  keep-alive connection posting `POST /api/v1/polls/{slug}/ballots` with the voter's session
  cookie and CSRF token: the same call behind HTTP, the session and the API's parsing.

The baseline inserts the plain rows — register row, ballot with a random id, one answer per
chosen option — through the ORM in one transaction per ballot, as casting would without the
ballot pattern, for the same voters in a second poll of the same shape, by as many processes
as there are clients. Rounds alternate (cast, insert, cast, insert, …) with the same number of
ballots each; each round's rate is its ballots over its slowest client's time; each figure is
the median. At the end the cast poll must count exactly as many ballots (stored or still sealed
in its box) as there are register rows and successful casts, with the answers sent, or the run
fails.

Voters are made in bulk beforehand, as budget_ballots makes them (an account, a
residents-register entry in a district, for the breakdowns, and a database session each), with a
phone identity added. SQLite by default;
BENCH_DATABASE_URL=postgres://…/hamkke_bench_polls runs it on a PostgreSQL database it creates
and drops."""

from __future__ import annotations

import json
import os
import random
import secrets
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from datetime import timedelta
from multiprocessing import get_context

from bench.budget_ballots import _create_voters as census_voters
from bench.budget_ballots import _split
from bench.database import served_database
from bench.load import KeepAliveClient, Round
from bench.runner import Result
from bench.server import django_processes, prepared_site, served_shape, serving

# THE SWITCH: "service" measures services.cast_ballot in-process; "http" measures the API
# endpoint POST /api/v1/polls/{slug}/ballots through a served site. The endpoint was being
# written on another branch when this benchmark was; set DEFAULT_VIA = "http" (or
# BENCH_POLLS_VIA=http) once it is on the branch measured.
SERVICE, HTTP = "service", "http"
DEFAULT_VIA = HTTP

CAST_POLL, ORM_POLL = "bench-cast", "bench-orm"
SINGLE_OPTIONS, RANKING_OPTIONS = 3, 4
_BATCH = 2_000


def _via() -> str:
    via = (os.environ.get("BENCH_POLLS_VIA") or DEFAULT_VIA).strip().lower()
    if via not in (SERVICE, HTTP):
        raise ValueError(f"BENCH_POLLS_VIA is {SERVICE!r} or {HTTP!r}, not {via!r}")
    return via


# --- inside the Django processes (the site's settings and database) ----------------------------


def _create_polls() -> dict[str, list[list[int]]]:
    """Two polls of the same shape open now to people verified by phone — one to cast in, one
    for the ORM baseline — each a single choice of three and a ranking of four. Returns each
    poll's [question id, option ids…] per question."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from hamkke.accounts.models import Membership, Role, User
    from hamkke.core.city.selectors import current_city
    from hamkke.polls import services
    from hamkke.polls.models import Poll

    city = current_city()
    department = city.departments.get(code=services.polls_settings(city).department)
    official = User.objects.create(
        email="bench-official@example.invalid", password=make_password(None)
    )
    Membership.objects.create(user=official, department=department, role=Role.MANAGER)
    now = timezone.now()
    draft = services.PollDraft(
        title="벤치마크 투표",
        description="벤치마크",
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=1),
        questions=[
            services.QuestionDraft(
                text="찬성하십니까?", options=[f"선택 {n}" for n in range(SINGLE_OPTIONS)]
            ),
            services.QuestionDraft(
                text="순서를 매겨 주세요",
                kind="ranking",
                options=[f"순위 {n}" for n in range(RANKING_OPTIONS)],
            ),
        ],
    )
    shapes = {}
    for slug in (CAST_POLL, ORM_POLL):
        services.create_poll(actor=official, department=department, draft=draft, slug=slug)
        poll = Poll.objects.get(city=city, slug=slug)
        shapes[slug] = [
            [q.pk, *q.options.order_by("order").values_list("pk", flat=True)]
            for q in poll.questions.order_by("order")
        ]
    return shapes


def _create_voters(first: int, count: int) -> list[dict]:
    """`count` voters verified by phone, each with a signed-in session: budget_ballots' voters
    (an account, a residents-register entry in a district, for the breakdowns, and a session)
    with a phone identity added. Per voter the session key, the user id and the register key
    the poll gives them."""
    from hamkke.accounts.identity import phone_key
    from hamkke.accounts.models import VerificationMethod, VerifiedIdentity

    voters = census_voters(first, count)
    phones = {v["user"]: phone_key(f"+8210{first + n:08d}") for n, v in enumerate(voters)}
    for start in range(0, len(voters), _BATCH):
        VerifiedIdentity.objects.bulk_create(
            VerifiedIdentity(user_id=v["user"], method=VerificationMethod.PHONE, identity_key=key)
            for v in voters[start : start + _BATCH]
            for key in [phones[v["user"]]]
        )
    return [
        {"session": v["session"], "user": v["user"], "key": f"p:{phones[v['user']]}"}
        for v in voters
    ]


def _answers(shape: list[list[int]], rng: random.Random) -> dict[int, list[int]]:
    """One ballot: an option of the single choice, and a ranking of one to four options."""
    (single, *singles), (ranking, *ranked) = shape
    order = rng.sample(ranked, rng.randint(1, len(ranked)))
    return {single: [rng.choice(singles)], ranking: order}


_polls: dict = {}


def _poll(slug: str):
    if slug not in _polls:
        from hamkke.polls.models import Poll

        _polls[slug] = Poll.objects.select_related("city").get(slug=slug)
    return _polls[slug]


def _cast(voters: list[dict], shape: list[list[int]], seed: int):
    """Cast one ballot per voter through the service; (cast, errors, seconds, first error,
    answers sent)."""
    from hamkke.accounts.models import User
    from hamkke.core.errors import DomainError
    from hamkke.polls import services

    poll = _poll(CAST_POLL)
    users = User.objects.in_bulk([v["user"] for v in voters])
    rng = random.Random(seed)
    cast = errors = sent = 0
    first_error = ""
    start = time.perf_counter()
    for voter in voters:
        answers = _answers(shape, rng)
        try:
            services.cast_ballot(actor=users[voter["user"]], poll=poll, answers=answers)
        except DomainError as exc:
            errors += 1
            first_error = first_error or f"{exc.__class__.__name__}: {exc}"
            continue
        cast += 1
        sent += sum(len(options) for options in answers.values())
    return cast, errors, time.perf_counter() - start, first_error, sent


def _orm_insert(voters: list[dict], shape: list[list[int]], seed: int) -> tuple[int, float]:
    """Register each voter and store their ballot as plain rows, one transaction per ballot.
    Returns (ballots, seconds)."""
    from django.db import transaction

    from hamkke.core.ballots import new_ballot_id
    from hamkke.polls.models import Answer, Ballot, Participation

    poll = _poll(ORM_POLL)
    rng = random.Random(seed)
    start = time.perf_counter()
    for voter in voters:
        answers = _answers(shape, rng)
        with transaction.atomic():
            Participation.objects.create(
                poll=poll, identity_key=voter["key"], user_id=voter["user"]
            )
            ballot = Ballot.objects.create(id=new_ballot_id(), poll=poll)
            Answer.objects.bulk_create(
                Answer(ballot=ballot, option_id=option, position=position)
                for options in answers.values()
                for position, option in enumerate(options)
            )
    return len(voters), time.perf_counter() - start


def _stored() -> dict[str, dict[str, int]]:
    """Per poll: ballots counted (stored and still sealed in the box), ballots waiting in the
    box, register rows, distinct people in the register, answers counted."""
    from django.db.models import Count

    from hamkke.polls import selectors
    from hamkke.polls.models import Participation, PendingBallot, Poll

    counts = {}
    for slug in (CAST_POLL, ORM_POLL):
        poll = Poll.objects.get(slug=slug)
        register = Participation.objects.filter(poll=poll)
        results = selectors.count_results(poll)
        ranking = results.questions[1]
        counts[slug] = {
            "ballots": results.ballots,
            "waiting": PendingBallot.objects.filter(poll=poll).count(),
            "register": register.count(),
            "people": register.aggregate(n=Count("identity_key", distinct=True))["n"],
            # Every option of the single choice, and the ranking's first preferences.
            "single": sum(o.votes for o in results.questions[0].options),
            "first": sum(o.votes for o in ranking.options),
        }
    return counts


# --- the HTTP side -----------------------------------------------------------------------------


def _post_for(host: str, port: int, path: str, sessions: list[str], shape, seed: int):
    """Cast one ballot per session on one keep-alive connection; (cast, errors, elapsed, first
    error, answers sent)."""
    rng = random.Random(seed)
    token = secrets.token_hex(16)
    client = KeepAliveClient(host, port, timeout=30)
    sent = 0
    start = time.perf_counter()
    for session in sessions:
        if client.hopeless:
            break
        answers = _answers(shape, rng)
        body = json.dumps(
            {"answers": [{"question": q, "options": options} for q, options in answers.items()]}
        )
        headers = {
            "Content-Type": "application/json",
            "Cookie": f"sessionid={session}; csrftoken={token}",
            "X-CSRFToken": token,
        }
        if client.send("POST", path, body=body, headers=headers, expect=201):
            sent += sum(len(options) for options in answers.values())
    client.close()
    return client.ok, client.errors, time.perf_counter() - start, client.first_error, sent


def _cast_round(pool, site, voters: list[dict], shape, clients: int, seed: int):
    """One round of casting, by the service in the Django processes or by HTTP clients."""
    if site is None:
        futures = [
            pool.submit(_cast, share, shape, seed * 1000 + i)
            for i, share in enumerate(_split(voters, clients))
        ]
    else:
        path = f"/api/v1/polls/{CAST_POLL}/ballots"
        futures = [
            pool.submit(_post_for, site.host, site.port, path, share, shape, seed * 1000 + i)
            for i, share in enumerate(_split([v["session"] for v in voters], clients))
        ]
    outcomes = [f.result(timeout=900) for f in futures]
    errors = [o[3] for o in outcomes if o[3]]
    cast = sum(o[0] for o in outcomes)
    timed = Round(
        count=cast,
        errors=sum(o[1] for o in outcomes),
        rate=cast / max(o[2] for o in outcomes) if cast else 0.0,
        first_error=errors[0] if errors else "",
    )
    return timed, sum(o[4] for o in outcomes)


def _orm_round(pool, voters: list[dict], shape, clients: int, seed: int) -> Round:
    futures = [
        pool.submit(_orm_insert, share, shape, seed * 1000 + i)
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
    via = _via()
    workers, threads, clients = served_shape()
    warmup, per_round, rounds = (200, 1_500, 2) if quick else (500, 5_000, 3)

    with ExitStack() as stack:
        env, data_dir = stack.enter_context(prepared_site(environment=environment))
        site = None
        if via == HTTP:
            site, _proc = stack.enter_context(
                serving(env, data_dir, workers=workers, threads=threads)
            )
            cast_pool = stack.enter_context(
                ProcessPoolExecutor(max_workers=clients, mp_context=get_context("spawn"))
            )
        orm_pool = stack.enter_context(django_processes(env, clients))
        if via == SERVICE:
            cast_pool = orm_pool  # the same processes cast through the service, then insert
        shapes = orm_pool.submit(_create_polls).result(timeout=300)
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
        cast_shape, orm_shape = shapes[CAST_POLL], shapes[ORM_POLL]

        first, sent = _cast_round(cast_pool, site, batches[0], cast_shape, clients, seed=1)
        if first.count == 0:
            raise RuntimeError(f"no ballot was cast: {first.first_error}")
        _orm_round(orm_pool, batches[0], orm_shape, clients, seed=1)
        cast_rounds: list[Round] = [first]
        orm_rounds: list[Round] = []
        for number, batch in enumerate(batches[1:], start=2):
            timed, answers = _cast_round(cast_pool, site, batch, cast_shape, clients, number)
            cast_rounds.append(timed)
            sent += answers
            orm_rounds.append(_orm_round(orm_pool, batch, orm_shape, clients, number))
        stored = orm_pool.submit(_stored).result(timeout=300)
        shape_note = (
            f"gunicorn {site.workers} workers x {site.threads} threads, {clients} keep-alive "
            f"HTTP clients"
            if site is not None
            else f"{clients} client processes calling services.cast_ballot (no HTTP)"
        )

    cast = sum(r.count for r in cast_rounds)
    errors = sum(r.errors for r in cast_rounds)
    polled = stored[CAST_POLL]
    if not (polled["ballots"] == polled["register"] == polled["people"] == cast) or (
        polled["single"] != cast
    ):
        raise RuntimeError(f"ballots lost or doubled: {cast} cast, but the poll counts {polled}")
    if polled["first"] != cast:
        raise RuntimeError(f"{cast} ballots cast, the ranking counts {polled['first']} firsts")
    orm = stored[ORM_POLL]
    if not orm["ballots"] == orm["register"] == orm["people"] == len(voters):
        raise RuntimeError(f"the ORM baseline stored {orm} for {len(voters)} voters")

    timed_cast = cast_rounds[1:]
    ballots = statistics.median(r.rate for r in timed_cast)
    inserts = statistics.median(r.rate for r in orm_rounds)
    notes = (
        f"via {via}: {shape_note}, {clients} ORM processes, on the same {os.cpu_count()} cores, "
        f"{database}; {len(voters):,} phone-verified voters (with residents-register entries "
        f"and sessions) made in bulk in {made:.1f}s; median of {rounds} alternating rounds of "
        f"{per_round:,} ballots (one per voter): cast {[round(r.rate, 1) for r in timed_cast]}/s, "
        f"ORM {[round(r.rate, 1) for r in orm_rounds]}/s; counted = registered = cast = "
        f"{cast:,} ballots ({sent:,} answers sent; {polled['waiting']} still sealed in the box, "
        f"under a batch), each voter once in each poll"
    )
    if errors:
        first_error = next(r.first_error for r in cast_rounds if r.first_error)
        notes += f"; {errors} refused ballots (first: {first_error})"
    return Result(
        name="polls_ballots", value=ballots, baseline=inserts, unit="ballots/s", notes=notes
    )
