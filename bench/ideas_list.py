"""The Oasis's idea list sorted by supports at 100,000 ideas and 1,000,000 supports:
`hamkke.ideas.selectors.idea_page(IdeaFilter(sort="supports"), page=…, page_size=20)` — the
public filter (the city, not hidden), the order of the `ideas_by_supports` index, the theme and
district joined, the text deferred, a row more than the page to tell whether another follows —
against the equivalent single query in the same run on the same database,

    SELECT id, title, state, supports FROM ideas_idea WHERE city_id = %s AND hidden_at IS NULL
    ORDER BY supports DESC, id DESC LIMIT 20 [OFFSET …]

run as many times. The first page is the figure; a deep page (the middle of the list, as a
visitor paging far or a crawler gets it) and the same at a tenth of the size are in the notes,
so that growth is visible, with the page's query count at both sizes (it must not change).

The ideas are loaded in bulk (COPY on PostgreSQL, executemany on SQLite) as the services leave
them: Seoul's themes and districts, states of the pipeline, 1 % hidden by a moderator, supports
from a heavy-tailed draw (a few ideas with thousands, most with a handful) whose Support rows are
loaded too, one per person and idea, so that the counter each idea sorts by equals its rows.
The small size is loaded first and timed, then the rest is added and the large size timed.

Both figures are pages per second. Each round times the plain query `calls` times and then the
selector as many times; rounds alternate and each figure is the median. The run fails unless
the selector's page holds the same ideas in the same order as the plain query's, at both sizes
and both pages, and its query count is the same at both sizes. `--quick` loads a tenth (10,000
ideas and 100,000 supports; 1,000 and 10,000 for the small size).

SQLite by default, in a temporary folder. With BENCH_DATABASE_URL (or DATABASE_URL) naming a
PostgreSQL server, a scratch database `hamkke_bench_ideas_list` on it, created and dropped."""

from __future__ import annotations

import os
import random
import statistics
import time
from datetime import timedelta

from bench.database import with_database
from bench.runner import Result
from bench.server import progress, site_worker

SCRATCH = "hamkke_bench"  # the scratch database is hamkke_bench_ideas_list
PAGE_SIZE = 20
SUPPORTS_PER_IDEA = 10
PLAIN_SQL = (
    "SELECT id, title, state, supports FROM ideas_idea WHERE city_id = %s AND hidden_at IS NULL "
    "ORDER BY supports DESC, id DESC LIMIT %s OFFSET %s"
)
_BATCH = 50_000
# States as a list of a few years holds them: most ideas closed or still open.
_STATES = (
    ("closed", 45),
    ("open", 30),
    ("withdrawn", 5),
    ("forwarded", 6),
    ("answered", 6),
    ("discussion", 2),
    ("review", 2),
    ("adopted", 2),
    ("partly_adopted", 1),
    ("not_adopted", 1),
)


# --- inside the worker process (Django set up on the benchmark's database) ---------------------


def _support_counts(count: int, total: int, rng: random.Random) -> list[int]:
    """`count` ideas' supports adding up to `total`, heavy-tailed (Pareto): a few ideas gather
    thousands, most a handful, many none."""
    weights = [rng.paretovariate(1.2) - 1 for _ in range(count)]
    scale = total / sum(weights)
    counts = [int(w * scale) for w in weights]
    for index in rng.sample(range(count), total - sum(counts)):
        counts[index] += 1
    return counts


def _load(first_id: int, count: int, supports: int, seed: int) -> dict:
    """Ideas `first_id` … `first_id + count - 1` and their `supports` Support rows, in key order
    (each table's indexes grow along one path); then ANALYZE."""
    from django.db import connection, transaction
    from django.utils import timezone

    from hamkke.core.ballots import BulkInsert
    from hamkke.core.city.selectors import current_city
    from hamkke.core.models import District
    from hamkke.ideas.models import Idea, Support, Theme

    started = time.perf_counter()
    rng = random.Random(seed)
    city = current_city()
    themes = list(Theme.objects.filter(city=city).values_list("pk", flat=True))
    districts = [None, *District.objects.filter(city=city).values_list("pk", flat=True)]
    ideas = BulkInsert(
        Idea,
        (
            "id",
            "city",
            "title",
            "body",
            "theme",
            "district",
            "state",
            "state_since",
            "supports",
            "answer",
            "decision_reasons",
            "implementation",
            "progress",
            "hidden_at",
            "created_at",
        ),
    )
    rows = BulkInsert(Support, ("idea", "identity_key", "created_at"))
    now = timezone.now()
    # Moments adapted once each: adapting a million would take longer than inserting them.
    moments = [ideas.adapt("created_at", now - timedelta(minutes=m * 97)) for m in range(5_000)]
    hidden = ideas.adapt("hidden_at", now)
    states = rng.choices([s for s, _w in _STATES], weights=[w for _s, w in _STATES], k=count)
    counts = _support_counts(count, supports, rng)
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgres:
            # Rows are consistent by construction; skipping the foreign-key triggers (bench
            # databases only, as superuser) makes the load minutes faster.
            cursor.execute("SET session_replication_role = replica")
        for start in range(0, count, _BATCH):
            idea_rows, support_rows = [], []
            for offset in range(start, min(start + _BATCH, count)):
                pk = first_id + offset
                at = rng.choice(moments)
                idea_rows.append(
                    (
                        pk,
                        city.pk,
                        f"벤치마크 제안 {pk}: 우리 동네에 필요한 것",
                        "지지 순으로 정렬된 목록에 나오는 제안입니다. " * 6,
                        rng.choice(themes),
                        rng.choice(districts),
                        states[offset],
                        at,
                        counts[offset],
                        "",
                        "",
                        "",
                        0,
                        hidden if rng.random() < 0.01 else None,
                        at,
                    )
                )
                support_rows += [
                    (pk, f"bench-person-{person:07d}", at) for person in range(counts[offset])
                ]
            with transaction.atomic():
                ideas.run(cursor, idea_rows)
                rows.run(cursor, support_rows)
        if postgres:
            cursor.execute("SET session_replication_role = DEFAULT")
    loaded = time.perf_counter() - started
    with connection.cursor() as cursor:
        for model in (Idea, Support):
            table = model._meta.db_table
            cursor.execute(f"VACUUM ANALYZE {table}" if postgres else f"ANALYZE {table}")
    return {
        "ideas": Idea.objects.count(),
        "supports": Support.objects.count(),
        "counters_equal_rows": _counters_equal_rows(),
        "load_seconds": loaded,
        "analyze_seconds": time.perf_counter() - started - loaded,
        "database": "PostgreSQL" if postgres else "SQLite",
    }


def _counters_equal_rows() -> bool:
    """Every idea's counter equals its Support rows (one grouped query over the table)."""
    from django.db.models import Count, F

    from hamkke.ideas.models import Idea

    return (
        not Idea.objects.annotate(rows=Count("support_rows")).exclude(supports=F("rows")).exists()
    )


def _selector_page(page: int) -> list[int]:
    from hamkke.ideas import selectors

    rows, _more = selectors.idea_page(
        selectors.IdeaFilter(sort="supports"), page=page, page_size=PAGE_SIZE
    )
    return [idea.pk for idea in rows]


def _plain_page(page: int) -> list[int]:
    from django.db import connection

    from hamkke.core.city.selectors import current_city

    with connection.cursor() as cursor:
        cursor.execute(PLAIN_SQL, [current_city().pk, PAGE_SIZE, (page - 1) * PAGE_SIZE])
        return [row[0] for row in cursor.fetchall()]


def _selector_sql_page(page: int) -> list[int]:
    """The selector's own SQL (its joins, its columns, its row more) through a cursor: how much
    of the selector's time is the database's, and how much building the ideas in Python."""
    from django.db import connection

    from hamkke.ideas import selectors

    rows = selectors.idea_page_rows(
        selectors.IdeaFilter(sort="supports"), page=page, page_size=PAGE_SIZE
    )
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()][:PAGE_SIZE]


def _time(kind: str, page: int, calls: int) -> dict:
    """`calls` pages by the selector, its SQL alone or the plain query: seconds, and the last
    page's ids."""
    fetch = {"selector": _selector_page, "selector_sql": _selector_sql_page}.get(kind, _plain_page)
    start = time.perf_counter()
    for _ in range(calls):
        ids = fetch(page)
    return {"seconds": time.perf_counter() - start, "ids": ids}


def _queries(page: int) -> list[str]:
    """The SQL the selector's page runs (once, not timed)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        _selector_page(page)
    return [query["sql"] for query in captured.captured_queries]


def _plans(page: int) -> dict[str, str]:
    """The plans of the plain query and of the selector's, each in one line."""
    from django.db import connection

    from hamkke.core.city.selectors import current_city
    from hamkke.ideas import selectors

    start = (page - 1) * PAGE_SIZE
    rows = selectors.idea_page_rows(
        selectors.IdeaFilter(sort="supports"), page=page, page_size=PAGE_SIZE
    )
    queries = {
        "plain": (PLAIN_SQL, [current_city().pk, PAGE_SIZE, start]),
        "selector": rows.query.sql_with_params(),
    }
    explain = "EXPLAIN" if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN"
    plans = {}
    with connection.cursor() as cursor:
        for name, (sql, params) in queries.items():
            cursor.execute(f"{explain} {sql}", params)
            plans[name] = " / ".join(str(row[-1]).strip() for row in cursor.fetchall())
    return plans


# --- the run -----------------------------------------------------------------------------------


def database_url() -> str:
    """The PostgreSQL server to run on (empty: SQLite): BENCH_DATABASE_URL, else DATABASE_URL."""
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or ""
    return "" if url.startswith("sqlite") else url


def _measure(worker, size: int, rounds: int) -> dict:
    """Alternating rounds of the plain query and the selector, the first page and the middle
    one; the medians in pages per second, and the pages compared."""
    deep = max(2, size // PAGE_SIZE // 2)
    figures = {"size": size, "deep_page": deep}
    for name, page, calls in (("first", 1, 200), ("deep", deep, 10)):
        worker.submit(_time, "plain", page, 2).result(timeout=600)  # warm-up
        worker.submit(_time, "selector", page, 2).result(timeout=600)
        runs: dict[str, list[dict]] = {"plain": [], "selector": [], "selector_sql": []}
        for _ in range(rounds):
            for kind, done in runs.items():
                done.append(worker.submit(_time, kind, page, calls).result(timeout=1800))
        expected = runs["plain"][-1]["ids"]
        for kind, done in runs.items():
            if done[-1]["ids"] != expected or len(expected) != PAGE_SIZE:
                raise RuntimeError(
                    f"page {page} at {size:,} ideas: the {kind}'s ideas {done[-1]['ids']} "
                    f"differ from the plain query's {expected}"
                )
        figures[name] = {
            kind: calls / statistics.median(r["seconds"] for r in done)
            for kind, done in runs.items()
        }
        figures[name]["rounds"] = {
            kind: [round(calls / r["seconds"], 1) for r in done] for kind, done in runs.items()
        }
    figures["queries"] = worker.submit(_queries, 1).result(timeout=600)
    figures["plans"] = worker.submit(_plans, deep).result(timeout=600)
    return figures


def run(quick: bool) -> Result:
    large = 10_000 if quick else 100_000
    small = large // 10
    rounds = 3 if quick else 5
    server = database_url()
    url = with_database(server, SCRATCH) if server else "sqlite"
    measured = []
    with site_worker(url, "ideas_list") as worker:
        loaded_ideas = 0
        for size, seed in ((small, 1), (large, 2)):
            adding = size - loaded_ideas
            progress(f"loading {adding:,} ideas and {adding * SUPPORTS_PER_IDEA:,} supports …")
            loaded = worker.submit(
                _load, loaded_ideas + 1, adding, adding * SUPPORTS_PER_IDEA, seed
            ).result(timeout=7200)
            loaded_ideas = size
            progress(
                f"  {loaded['ideas']:,} ideas, {loaded['supports']:,} supports in "
                f"{loaded['load_seconds']:.0f}s, ANALYZE {loaded['analyze_seconds']:.0f}s"
            )
            if not loaded["counters_equal_rows"]:
                raise RuntimeError("an idea's supports counter differs from its Support rows")
            measured.append(_measure(worker, size, rounds))
    low, high = measured
    if len(low["queries"]) != len(high["queries"]):
        raise RuntimeError(
            f"the page runs {len(low['queries'])} queries at {small:,} ideas and "
            f"{len(high['queries'])} at {large:,}: not constant"
        )

    def pages(figures: dict, name: str) -> str:
        part, rounds_of = figures[name], figures[name]["rounds"]
        return (
            f"selector {part['selector']:,.0f} pages/s {rounds_of['selector']}, its SQL alone "
            f"{part['selector_sql']:,.0f} {rounds_of['selector_sql']}, plain "
            f"{part['plain']:,.0f} {rounds_of['plain']} (selector/plain "
            f"{part['selector'] / part['plain']:.3f})"
        )

    def growth(name: str, kind: str) -> str:
        return f"{low[name][kind] / high[name][kind]:.2f}"

    notes = (
        f"{loaded['database']}, one process; "
        f"{'quick: a tenth of the full sizes; ' if quick else ''}"
        f"{large:,} ideas and {loaded['supports']:,} supports (counters equal the rows); median "
        f"of {rounds} rounds alternating the plain query, the selector and its SQL alone, "
        f"200 calls each for the first page, 10 for the deep one. "
        f"First page at {large:,}: {pages(high, 'first')}; at {small:,}: {pages(low, 'first')}. "
        f"Deep page {high['deep_page']:,} (offset {(high['deep_page'] - 1) * PAGE_SIZE:,}) at "
        f"{large:,}: {pages(high, 'deep')}; page {low['deep_page']:,} at {small:,}: "
        f"{pages(low, 'deep')}. Time per page at {large:,} over at {small:,} ideas: first page "
        f"selector x{growth('first', 'selector')}, plain x{growth('first', 'plain')}; deep "
        f"page selector x{growth('deep', 'selector')}, plain x{growth('deep', 'plain')}. "
        f"The page runs "
        f"{len(high['queries'])} queries at {large:,} ideas and {len(low['queries'])} at "
        f"{small:,}: {' | '.join(high['queries'])}. Plans (deep page): plain "
        f"{high['plans']['plain']}; selector {high['plans']['selector']}. Pages compared: the "
        f"selector's ideas equal the plain query's, in order"
    )
    return Result(
        name="ideas_list",
        value=high["first"]["selector"],
        baseline=high["first"]["plain"],
        unit="pages/s",
        notes=notes,
    )
