"""The count of an M-Voting poll at 1,000,000 ballots: `hamkke.polls.selectors.count_results(poll)`
(the poll's questions, what waits in its box, the stored ballots counted, every option's votes and
share) for a poll of one single-choice question, against the plainest count there is over the same
table, `SELECT option_id, COUNT(*) FROM polls_answer GROUP BY option_id`, in the same run on the
same database. A ranking question (instant runoff and Borda points, read ballot by ballot) is
timed afterwards over as many ballots, for information: it is not the figure.

The poll's ballots are loaded in bulk (COPY on PostgreSQL, executemany on SQLite) as the ballot
pattern stores them: a Ballot with a random 62-bit id and one Answer per ballot, the five options
drawing uneven shares. While the single-choice poll is timed, its answers are the only rows of the
table, so the plain count counts exactly its ballots; the ranking poll is loaded after the rounds.

Both figures are ballots per second (ballots ÷ seconds), so the ratio is plain time ÷ count time.
The two alternate round by round; each figure is the median. The run fails unless the count's
votes equal the plain count option by option, and its ballots the ballots loaded (and, for the
ranking, its first preferences the answers ranked first). `--quick` loads 100,000.

BENCH_DATABASE_URL names the server; the database is `<its name>_polls_tally` (default
postgres://postgres@127.0.0.1:5432/hamkke_bench: hamkke_bench_polls_tally), created and dropped.
BENCH_DATABASE_URL=sqlite runs it on a SQLite file instead."""

from __future__ import annotations

import os
import random
import statistics
import time
from datetime import timedelta

from bench.runner import Result
from bench.server import progress, site_worker, timed_rows

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/hamkke_bench"
PLAIN_SQL = "SELECT option_id, COUNT(*) FROM polls_answer GROUP BY option_id"
FIRSTS_SQL = "SELECT option_id, COUNT(*) FROM polls_answer WHERE position = 0 GROUP BY option_id"
OPTIONS = 5
SINGLE, RANKING = "bench-single", "bench-ranking"
_BATCH = 50_000


# --- inside the worker process (Django set up on the benchmark's database) ---------------------


def _create_poll(slug: str, kind: str) -> tuple[int, list[int]]:
    """A closed poll of one question of `kind` with five options; (poll id, option ids)."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from hamkke.accounts.models import Membership, Role, User
    from hamkke.core.city.selectors import current_city
    from hamkke.polls import services

    city = current_city()
    department = city.departments.get(code=services.polls_settings(city).department)
    official, _created = User.objects.get_or_create(
        email="bench-official@example.invalid", defaults={"password": make_password(None)}
    )
    Membership.objects.get_or_create(
        user=official, department=department, defaults={"role": Role.MANAGER}
    )
    now = timezone.now()
    poll = services.create_poll(
        actor=official,
        department=department,
        slug=slug,
        draft=services.PollDraft(
            title=f"벤치마크 개표 ({kind})",
            opens_at=now - timedelta(days=10),
            closes_at=now - timedelta(days=1),
            questions=[
                services.QuestionDraft(
                    text="어느 안이 좋습니까?",
                    kind=kind,
                    options=[f"{n}안" for n in range(1, OPTIONS + 1)],
                )
            ],
        ),
    )
    question = poll.questions.get()
    return poll.pk, list(question.options.order_by("order").values_list("pk", flat=True))


def _ballot_ids(count: int, rng: random.Random) -> list[int]:
    """`count` distinct random 62-bit ids, in key order: each table's rows then go in key order
    and its indexes grow along one path (several times faster to load on SQLite)."""
    ids: set[int] = set()
    while len(ids) < count:
        ids.add(rng.getrandbits(62) or 1)
    return sorted(ids)


def _answers(kind: str, options: list[int], rng: random.Random):
    """One ballot's options: about 1/place popularity; a ranking orders one to five of them."""
    if kind == "single":
        return (options[int((len(options) + 1) ** rng.random()) - 1],)
    wanted = rng.randint(1, len(options))
    chosen: list[int] = []
    while len(chosen) < wanted:
        option = options[int((len(options) + 1) ** rng.random()) - 1]
        if option not in chosen:
            chosen.append(option)
    return tuple(chosen)


def _load(count: int, seed: int, slug: str, kind: str) -> dict:
    """Create the poll and bulk-load `count` ballots with their answers; then ANALYZE."""
    from django.db import connection, transaction

    from hamkke.core.ballots import BulkInsert
    from hamkke.polls.models import Answer, Ballot

    started = time.perf_counter()
    rng = random.Random(seed)
    poll, options = _create_poll(slug, kind)
    ballot_rows = BulkInsert(Ballot, ("id", "poll", "chain"))
    answer_rows = BulkInsert(Answer, ("ballot", "option", "position"))
    postgres = connection.vendor == "postgresql"
    answers = 0
    ids = _ballot_ids(count, rng)
    with connection.cursor() as cursor:
        if postgres:
            # Rows are consistent by construction; skipping the foreign-key triggers (bench
            # databases only, as superuser) makes the load minutes faster.
            cursor.execute("SET session_replication_role = replica")
        for start in range(0, count, _BATCH):
            ballots, chosen = [], []
            for ballot_id in ids[start : start + _BATCH]:
                ballots.append((ballot_id, poll, ""))
                for position, option in enumerate(_answers(kind, options, rng)):
                    chosen.append((ballot_id, option, position))
            answers += len(chosen)
            with transaction.atomic():
                ballot_rows.run(cursor, ballots)
                # Keyed by the pair (ballot, option): in key order too.
                answer_rows.run(cursor, sorted(chosen))
        if postgres:
            cursor.execute("SET session_replication_role = DEFAULT")
    loaded = time.perf_counter() - started
    with connection.cursor() as cursor:
        for model in (Ballot, Answer):
            table = model._meta.db_table
            cursor.execute(f"VACUUM ANALYZE {table}" if postgres else f"ANALYZE {table}")
        cursor.execute("ANALYZE")
    return {
        "poll": poll,
        "ballots": count,
        "answers": answers,
        "load_seconds": loaded,
        "analyze_seconds": time.perf_counter() - started - loaded,
        "database": "PostgreSQL" if postgres else "SQLite",
    }


def _time_count(poll_pk: int) -> dict:
    """One count of the poll: seconds, queries, and what it found (to check against the plain
    count)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from hamkke.polls import selectors
    from hamkke.polls.models import Poll

    poll = Poll.objects.select_related("city").get(pk=poll_pk)
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        results = selectors.count_results(poll)
        seconds = time.perf_counter() - start
    question = results.questions[0]
    return {
        "seconds": seconds,
        "queries": len(queries.captured_queries),
        "votes": {o.id: o.votes for o in question.options if o.votes},
        "ballots": results.ballots,
        "rounds": len(question.rounds),
        "winner": question.winner,
    }


# --- the run -----------------------------------------------------------------------------------


def run(quick: bool, database_url: str | None = None) -> Result:
    url = database_url or os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL
    count = 100_000 if quick else 1_000_000
    rounds = 3 if quick else 5

    with site_worker(url, "polls_tally") as worker:
        progress(f"loading {count:,} ballots of one single choice …")
        loaded = worker.submit(_load, count, 11, SINGLE, "single").result(timeout=3600)
        progress(
            f"  {loaded['answers']:,} answers in {loaded['load_seconds']:.0f}s, "
            f"ANALYZE {loaded['analyze_seconds']:.0f}s"
        )
        # Warm-up: caches, the connection, the first query plans.
        worker.submit(timed_rows, PLAIN_SQL).result(timeout=600)
        worker.submit(_time_count, loaded["poll"]).result(timeout=1800)
        plain_runs, count_runs = [], []
        for _ in range(rounds):
            plain_runs.append(worker.submit(timed_rows, PLAIN_SQL).result(timeout=600))
            count_runs.append(worker.submit(_time_count, loaded["poll"]).result(timeout=1800))
        progress(f"loading {count:,} ballots of one ranking (for information) …")
        ranked = worker.submit(_load, count, 12, RANKING, "ranking").result(timeout=3600)
        worker.submit(_time_count, ranked["poll"]).result(timeout=1800)
        ranking = worker.submit(_time_count, ranked["poll"]).result(timeout=1800)
        firsts = worker.submit(timed_rows, FIRSTS_SQL).result(timeout=600)

    counted, plain = count_runs[-1], plain_runs[-1]
    if counted["votes"] != plain["votes"]:
        differing = sorted(set(counted["votes"].items()) ^ set(plain["votes"].items()))[:5]
        raise RuntimeError(f"the count's votes differ from the plain count: {differing}")
    if counted["ballots"] != loaded["ballots"]:
        raise RuntimeError(f"the count found {counted['ballots']} ballots, {count} were loaded")
    ranked_firsts = {o: n for o, n in firsts["votes"].items() if o in ranking["votes"]}
    if ranking["votes"] != ranked_firsts or ranking["ballots"] != count:
        raise RuntimeError(
            f"the ranking's first preferences {ranking['votes']} differ from the answers ranked "
            f"first {ranked_firsts}, or its {ranking['ballots']} ballots from {count}"
        )
    count_seconds = statistics.median(r["seconds"] for r in count_runs)
    plain_seconds = statistics.median(r["seconds"] for r in plain_runs)
    notes = (
        f"{loaded['database']}, one process; {count:,} ballots"
        f"{' (quick: 100,000 instead of 1,000,000)' if quick else ''} of one single-choice "
        f"question of {OPTIONS} options; median of {rounds} alternating rounds: count_results "
        f"{count_seconds:.3f}s in {counted['queries']} queries "
        f"{[round(r['seconds'], 3) for r in count_runs]}, plain GROUP BY {plain_seconds:.3f}s "
        f"{[round(r['seconds'], 3) for r in plain_runs]} (count/plain "
        f"{count_seconds / plain_seconds:.2f}x); votes equal the plain count for all "
        f"{len(plain['votes'])} options; load {loaded['load_seconds']:.0f}s + ANALYZE "
        f"{loaded['analyze_seconds']:.0f}s. For information, a ranking of {OPTIONS} options over "
        f"{count:,} ballots ({ranked['answers']:,} answers): count_results "
        f"{ranking['seconds']:.2f}s in {ranking['queries']} queries, {ranking['rounds']} "
        f"instant-runoff rounds, first preferences equal to the answers ranked first"
    )
    return Result(
        name="polls_tally",
        value=count / count_seconds,
        baseline=count / plain_seconds,
        unit="ballots/s",
        notes=notes,
    )
