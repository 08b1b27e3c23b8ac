"""The full tally of a participatory budget at 1,000,000 ballots: `budget.selectors.tally(cycle)`
(the votes of every project, the ballots and void ballots of every pool, the survey and committee
channels, the final scores, the ranking and the selection in every pool) against the plainest
count there is over the same table, `SELECT project_id, COUNT(*) FROM budget_ballotchoice GROUP
BY project_id`, in the same run on the same database.

One cycle is loaded in bulk (COPY on PostgreSQL, executemany on SQLite) as Seoul would hold it: a
citywide pool of 40 projects and a pool of 8 projects for each of the 25 districts, every ballot
choosing 1 to 5 (citywide) or 1 to 3 (district) projects with uneven popularity, half the ballots
citywide and half in the districts, a few in a thousand void paper ballots (kept, no choices),
survey scores for every project and five committee members' scores. The register
(Participation) is not loaded: neither side reads it.

Both figures are ballots per second (ballots in the cycle ÷ seconds), so the ratio is plain time
÷ tally time: what fraction of the tally's time the bare count would take. The two alternate round
by round; each figure is the median. The run fails unless the tally's votes equal the plain
counts, project by project, and its ballots the ballots loaded. `--quick` loads 100,000.

BENCH_DATABASE_URL names the server; the database is `<its name>_tally` (default
postgres://postgres@127.0.0.1:5432/hamkke_bench: hamkke_bench_tally), created and dropped.
BENCH_DATABASE_URL=sqlite runs it on a SQLite file instead. BENCH_TALLY_RULE picks the cycle's
selection rule (default greedy; the ballot rules put all the weight on the vote)."""

from __future__ import annotations

import os
import random
import statistics
import time
from datetime import timedelta
from decimal import Decimal

from bench.runner import Result
from bench.server import progress, site_worker, timed_rows

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/hamkke_bench"
PLAIN_SQL = "SELECT project_id, COUNT(*) FROM budget_ballotchoice GROUP BY project_id"
CITY_PROJECTS, DISTRICT_PROJECTS = 40, 8
CITY_MAX, DISTRICT_MAX = 5, 3
VOID_SHARE = 0.003
COMMITTEE_MEMBERS = 5
_BATCH = 50_000


# --- inside the worker process (Django set up on the benchmark's database) ---------------------


def _create_cycle(rule: str, rng: random.Random):
    """The cycle in its results phase, its pools and projects, the survey and the committee."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from hamkke.accounts.models import User
    from hamkke.budget.models import (
        PHASE_STARTS,
        Area,
        CommitteeMember,
        CommitteeScore,
        Cycle,
        Pool,
        Project,
        ProjectStatus,
        SurveyScore,
    )
    from hamkke.budget.scoring import BALLOT_RULES
    from hamkke.core.city.selectors import current_city
    from hamkke.core.models import Department

    city = current_city()
    now = timezone.now()
    # The results phase started a day ago; the other phases ten days apart before it.
    dates = {
        field: now + timedelta(days=10 * (index - 5) - 1)
        for index, (_phase, field) in enumerate(PHASE_STARTS, start=1)
    }
    weights = (100, 0, 0) if rule in BALLOT_RULES else (45, 10, 45)
    department = Department.objects.get(city=city, code="budget")
    cycle = Cycle.objects.create(
        city=city,
        slug="bench-tally",
        title="벤치마크 개표",
        department=department,
        rule=rule,
        weight_vote=weights[0],
        weight_survey=weights[1],
        weight_committee=weights[2],
        **dates,
    )
    areas = list(Area.objects.filter(city=city))
    pools = [
        Pool.objects.create(
            cycle=cycle,
            code="city",
            name="시 전체",
            budget=30_000_000_000,
            ballot_kind="approval",
            max_choices=CITY_MAX,
        )
    ]
    for district in city.districts.order_by("code"):
        pools.append(
            Pool.objects.create(
                cycle=cycle,
                code=f"d{district.code}",
                name=district.name,
                district=district,
                budget=1_500_000_000,
                ballot_kind="approval",
                max_choices=DISTRICT_MAX,
            )
        )
    projects = []
    for pool in pools:
        size = CITY_PROJECTS if pool.district_id is None else DISTRICT_PROJECTS
        for n in range(1, size + 1):
            projects.append(
                Project(
                    cycle=cycle,
                    pool=pool,
                    code=f"{pool.code}-{n}",
                    title=f"사업 {pool.code}-{n}",
                    summary="벤치마크 사업",
                    area=areas[n % len(areas)],
                    district=pool.district,
                    status=ProjectStatus.ACCEPTED,
                    # Costs such that a pool's budget buys roughly a third of its projects.
                    cost=rng.randrange(pool.budget // size, 2 * pool.budget // size),
                    reviewing_department=department,
                    reviewed_at=now,
                )
            )
    Project.objects.bulk_create(projects)
    projects = list(Project.objects.filter(cycle=cycle).order_by("pk"))
    SurveyScore.objects.bulk_create(
        SurveyScore(project=p, score=Decimal(rng.randrange(0, 100_000)) / 1000) for p in projects
    )
    members = User.objects.bulk_create(
        User(email=f"bench-member-{n}@example.invalid", password=make_password(None))
        for n in range(COMMITTEE_MEMBERS)
    )
    seats = CommitteeMember.objects.bulk_create(
        CommitteeMember(cycle=cycle, user=User.objects.get(email=m.email)) for m in members
    )
    CommitteeScore.objects.bulk_create(
        CommitteeScore(member=seat, project=p, score=rng.randrange(0, 101))
        for seat in seats
        for p in projects
    )
    return cycle, pools, projects


def _ballots(count: int, pools, projects, rng: random.Random):
    """(ballot id, pool id, void reasons, void marks, chosen project ids) for `count` ballots:
    half citywide, half spread over the districts; popularity falls with a project's place."""
    by_pool: dict[int, list[int]] = {}
    codes: dict[int, str] = {}
    for project in projects:
        by_pool.setdefault(project.pool_id, []).append(project.pk)
        codes[project.pk] = project.code
    city, districts = pools[0], pools[1:]
    ids: set[int] = set()
    for number in range(count):
        pool = city if number % 2 == 0 else rng.choice(districts)
        choices = by_pool[pool.pk]
        most = CITY_MAX if pool is city else DISTRICT_MAX
        while True:
            ballot_id = rng.getrandbits(62)
            if ballot_id and ballot_id not in ids:
                ids.add(ballot_id)
                break
        if rng.random() < VOID_SHARE:
            # A paper ballot marking too many projects: kept with its marks, counted for none.
            marks = rng.sample(choices, most + 1)
            yield ballot_id, pool.pk, "too_many", ",".join(sorted(codes[pk] for pk in marks)), ()
            continue
        wanted = rng.randint(1, most)
        chosen: set[int] = set()
        while len(chosen) < wanted:
            # About 1/place popularity: the first projects draw many more votes than the last.
            chosen.add(choices[int((len(choices) + 1) ** rng.random()) - 1])
        yield ballot_id, pool.pk, "", "", tuple(chosen)


def _load(count: int, seed: int, rule: str) -> dict:
    """Create the cycle and bulk-load `count` ballots with their choices; then ANALYZE."""
    from django.db import connection, transaction

    from hamkke.budget.models import Ballot, BallotChoice

    started = time.perf_counter()
    rng = random.Random(seed)
    cycle, pools, projects = _create_cycle(rule, rng)
    ballot_table, choice_table = Ballot._meta.db_table, BallotChoice._meta.db_table
    ballot_columns = ("id", "pool_id", "channel", "void_reasons", "void_marks")
    # A choice is keyed by the pair (ballot, project): no id of its own (the ballot pattern).
    choice_columns = ("ballot_id", "project_id")
    postgres = connection.vendor == "postgresql"
    chosen_count = void = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor
        if postgres:
            # Rows are consistent by construction; skipping the foreign-key triggers (bench
            # databases only, as superuser) makes the load minutes faster.
            raw.execute("SET session_replication_role = replica")
        ballots: list[tuple] = []
        choices: list[tuple] = []
        for ballot_id, pool_id, reasons, marks, chosen in _ballots(count, pools, projects, rng):
            channel = "paper" if reasons else "online"
            ballots.append((ballot_id, pool_id, channel, reasons, marks))
            void += bool(reasons)
            for project_id in chosen:
                chosen_count += 1
                choices.append((ballot_id, project_id))
            if len(ballots) >= _BATCH:
                with transaction.atomic():
                    _write(raw, postgres, ballot_table, ballot_columns, ballots)
                    _write(raw, postgres, choice_table, choice_columns, choices)
                ballots, choices = [], []
        with transaction.atomic():
            _write(raw, postgres, ballot_table, ballot_columns, ballots)
            _write(raw, postgres, choice_table, choice_columns, choices)
        if postgres:
            raw.execute("SET session_replication_role = DEFAULT")
    loaded = time.perf_counter() - started
    with connection.cursor() as cursor:
        for table in (ballot_table, choice_table):
            cursor.execute(f"VACUUM ANALYZE {table}" if postgres else f"ANALYZE {table}")
        # The rest (projects, pools, scores) as autovacuum would soon have it: without
        # statistics the planner takes the cycle's 240 projects for one row.
        cursor.execute("ANALYZE")
    return {
        "cycle": cycle.pk,
        "ballots": count,
        "void": void,
        "choices": chosen_count,
        "pools": len(pools),
        "projects": len(projects),
        "load_seconds": loaded,
        "analyze_seconds": time.perf_counter() - started - loaded,
        "database": "PostgreSQL" if postgres else "SQLite",
    }


def _write(raw_cursor, postgres: bool, table: str, columns, rows: list[tuple]) -> None:
    """One batch of rows: COPY on PostgreSQL, one executemany in the caller's transaction on
    SQLite (outside one, each row would be a transaction of its own)."""
    if not rows:
        return
    if postgres:
        with raw_cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" for _ in columns)
    raw_cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


def _time_tally(cycle_pk: int) -> dict:
    """One full tally: seconds, queries, and what it found (to check against the plain count)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from hamkke.budget import selectors
    from hamkke.budget.models import Cycle

    cycle = Cycle.objects.select_related("city").get(pk=cycle_pk)
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        pools = selectors.tally(cycle)
        seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "queries": len(queries.captured_queries),
        "votes": {t.project.pk: t.votes for p in pools for t in p.projects if t.votes},
        "ballots": sum(p.ballots for p in pools),
        "void": sum(p.void for p in pools),
        "selected": sum(t.selected for p in pools for t in p.projects),
        "spent_ok": all(p.spent <= p.pool.budget for p in pools),
    }


# --- the run -----------------------------------------------------------------------------------


def run(quick: bool, database_url: str | None = None) -> Result:
    url = database_url or os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL
    rule = os.environ.get("BENCH_TALLY_RULE") or "greedy"
    count = 100_000 if quick else 1_000_000
    rounds = 3 if quick else 5

    with site_worker(url, "tally") as worker:
        progress(f"loading {count:,} ballots …")
        loaded = worker.submit(_load, count, 11, rule).result(timeout=3600)
        progress(
            f"  {loaded['choices']:,} choices in {loaded['load_seconds']:.0f}s, "
            f"ANALYZE {loaded['analyze_seconds']:.0f}s"
        )
        # Warm-up: caches, the connection, the first query plans.
        worker.submit(timed_rows, PLAIN_SQL).result(timeout=600)
        worker.submit(_time_tally, loaded["cycle"]).result(timeout=1800)
        plain_runs, tally_runs = [], []
        for _ in range(rounds):
            plain_runs.append(worker.submit(timed_rows, PLAIN_SQL).result(timeout=600))
            tally_runs.append(worker.submit(_time_tally, loaded["cycle"]).result(timeout=1800))

    tally, plain = tally_runs[-1], plain_runs[-1]
    if tally["votes"] != plain["votes"]:
        differing = sorted(set(tally["votes"].items()) ^ set(plain["votes"].items()))[:5]
        raise RuntimeError(f"the tally's votes differ from the plain count: {differing}")
    if (tally["ballots"], tally["void"]) != (loaded["ballots"], loaded["void"]):
        raise RuntimeError(
            f"the tally counted {tally['ballots']} ballots ({tally['void']} void), "
            f"{loaded['ballots']} ({loaded['void']} void) were loaded"
        )
    if not tally["spent_ok"]:
        raise RuntimeError("a pool's selection costs more than its budget")
    tally_seconds = statistics.median(r["seconds"] for r in tally_runs)
    plain_seconds = statistics.median(r["seconds"] for r in plain_runs)
    notes = (
        f"{loaded['database']}, one process; {count:,} ballots"
        f"{' (quick: 100,000 instead of 1,000,000)' if quick else ''} ({loaded['void']:,} void) "
        f"with {loaded['choices']:,} choices in {loaded['pools']} pools of "
        f"{loaded['projects']} projects, rule {rule}; median of {rounds} alternating rounds: "
        f"tally {tally_seconds:.3f}s in {tally['queries']} queries "
        f"{[round(r['seconds'], 3) for r in tally_runs]}, plain GROUP BY {plain_seconds:.3f}s "
        f"{[round(r['seconds'], 3) for r in plain_runs]}; {tally['selected']} projects "
        f"selected; votes equal the plain count for all {len(plain['votes'])} projects; load "
        f"{loaded['load_seconds']:.0f}s + ANALYZE {loaded['analyze_seconds']:.0f}s"
    )
    return Result(
        name="budget_tally",
        value=count / tally_seconds,
        baseline=count / plain_seconds,
        unit="ballots/s",
        notes=notes,
    )
