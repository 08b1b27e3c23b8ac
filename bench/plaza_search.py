"""The Plaza's search over 1,000,000 documents: queries per second through
`plaza.selectors.search(q, page_size=20, with_facets=False)` (and, reported apart, with facets)
against the raw index query on the same index in the same run — `search_index.matching_sql`
ordered by its score, the first 20 document ids, nothing else (no public filter, no count, no
documents, no snippets) — and the recall and precision of the search against a brute-force
substring scan of the public text, for a fixed set of Korean queries (1 syllable, 2 syllables,
3 and more, several runs, a year with a word). Recall must be 1.0, or the benchmark fails.

The index is built in bulk, as fast as the database takes it: the documents and their
SearchChunk rows are inserted with executemany (SQLite, the FTS5 triggers dropped and the index
rebuilt once at the end) or COPY (PostgreSQL, the GIN index dropped and created at the end).
Each document has a title, a summary and a body of about 200–400 characters of generated Korean:
words of a fixed vocabulary of administration, with particles, drawn about 1/rank, among words
of random syllables, numbers of things, amounts and years; seeded, so every run indexes the same
text. The terms of each vocabulary word are computed once with `search_terms.terms`, and a
text's terms are the words' terms in order (separators carry no terms); a sample of the chunks
is checked to equal `search_index.chunks_for` of its document, so the index is exactly what
publishing writes. 3 % of the documents are closed and 2 % approved but not yet published: they
have no chunks, and neither the search nor the scan may return them.

The scan: the ids of the public documents (published, not withdrawn, not closed) whose
title + summary + body contains every space-separated part of the query (`instr` on SQLite,
`strpos` on PostgreSQL). The search's result set: its matching documents — the rows its count
counts (`public_documents()` with the index match, as `selectors.search` builds them); the
benchmark checks that `search(q).count` equals their number and that its first page lies in
them. Years are written only as "2025년" and amounts in groups of three digits, so the word
prefix the search matches for "2025" and the substring the scan matches are the same here.

Figures: queries per second over the whole query set (each query once per round, rounds
alternating raw, search, search with facets), the median of the rounds. `--quick` indexes
100,000 documents. SQLite by default; `BENCH_DATABASE_URL` (or `DATABASE_URL`) naming a
PostgreSQL server runs it there, in a scratch database `hamkke_bench_plaza_search` created and
dropped on that server."""

from __future__ import annotations

import os
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.budget_tally import _write
from bench.database import scratch_database, with_database
from bench.runner import Result
from bench.server import create_site, django_processes, progress, worker_environment

SCRATCH_NAME = "hamkke_bench_plaza_search"
FULL, QUICK = 1_000_000, 100_000
_BATCH = 20_000
CLOSED_SHARE, UNPUBLISHED_SHARE = 0.03, 0.02
CHECKED_CHUNKS = 300

QUERIES = {
    "1 syllable": ("예", "산", "의", "청", "뷁"),
    "2 syllables": ("예산", "계약", "도로", "회의", "공개"),
    "3+ syllables": ("추경예산", "보수공사", "정보공개", "시민참여예산", "하수관로정비"),
    "several runs": ("도로 보수", "예산 계약", "2025년 예산", "시민 안전 계획"),
}

WORDS = (
    "예산", "추경예산", "추가경정예산안", "예방", "예술", "예비비", "예산안", "세출예산", "계약",
    "수의계약", "계약서",
    "도로", "도로보수", "보수공사", "공사", "하수관로", "하수관로정비", "회의", "회의록",
    "위원회", "정보공개", "공개", "비공개", "시민", "시민참여예산", "참여", "안전", "안전점검",
    "계획", "추진계획", "결과", "보고", "통계", "현황", "서울시", "자치구", "구청", "주민",
    "복지", "어르신", "청년", "주거", "주택", "공원", "녹지", "환경", "미세먼지", "교통",
    "버스", "지하철", "주차장", "자전거", "문화", "축제", "도서관", "체육", "시설", "관리",
    "운영", "지원", "사업", "용역", "입찰", "결산", "감사", "민원", "처리", "개선", "정비",
    "설치", "점검", "조사", "협의", "심의", "의결", "공고", "모집", "선정", "평가", "계약금액",
    "집행", "배정", "편성", "확정", "변경", "승인", "요청", "검토", "기준", "지침", "조례",
    "규칙", "개정", "시행", "홍보", "교육", "훈련", "재난", "침수", "폭염", "한파", "방역",
    "보건소", "어린이집", "학교", "경로당", "주민센터", "청사", "에너지", "탄소중립", "재활용",
    "쓰레기", "상수도", "하천", "교량", "터널", "보행", "횡단보도", "신호등", "가로등", "일자리",
    "창업", "전통시장", "소상공인", "관광", "외국인", "장애인", "여성", "아동", "가족", "디지털",
    "데이터", "공공데이터", "와이파이", "스마트", "정책", "기획", "조직", "인사", "재정", "세입",
)  # fmt: skip
PARTICLES = ("", "", "", "", "을", "를", "이", "가", "은", "는", "의", "에", "에서", "으로", "과")
SEPARATORS = (" ", " ", " ", " ", ", ", ". ", " · ", "\n")


# --- the corpus (pure Python) -------------------------------------------------------------------


class Corpus:
    """Generated Korean text and its terms, word by word: a text's terms are the terms of its
    words in order, since the separators between them hold no letters or digits. Words are
    drawn with numpy (about 1/rank), a batch of documents at a time."""

    def __init__(self, seed: int) -> None:
        import numpy

        from hamkke.plaza import search_terms

        self.rng = random.Random(seed)
        self.numbers = numpy.random.default_rng(seed)
        rng = self.rng
        words = [w + p for w in WORDS for p in PARTICLES]
        # Words of random syllables: rare pairs, as names and terms of art make them.
        words += [
            "".join(chr(0xAC00 + rng.randrange(11172)) for _ in range(rng.randint(1, 4)))
            for _ in range(4000)
        ]
        words += [f"{year}년" for year in range(2019, 2027)]
        words += [f"{n}건" for n in range(1, 200)] + [f"{n}곳" for n in range(1, 100)]
        words += [f"{rng.randrange(1, 999)},{rng.randrange(1000):03d},000원" for _ in range(300)]
        # A token is a word and the separator after it.
        self.tokens = [word + sep for word in words for sep in SEPARATORS]
        word_terms = [" ".join(search_terms.terms(word)) for word in words]
        self.token_terms = [terms for terms in word_terms for _sep in SEPARATORS]
        # Words of the vocabulary about 1/rank (45 %), random words (45 %), numbers (10 %).
        real, made_up = len(WORDS) * len(PARTICLES), 4000
        ranks = numpy.arange(1, real + 1, dtype=float)
        self.numbers.shuffle(ranks)
        shares = [0.45 * (1 / ranks) / (1 / ranks).sum()]
        shares.append(numpy.full(made_up, 0.45 / made_up))
        shares.append(numpy.full(len(words) - real - made_up, 0.1 / (len(words) - real - made_up)))
        self.p = numpy.concatenate(shares)
        self.words = len(words)

    def batch(self, count: int) -> Iterator[tuple[str, str, str, str, str]]:
        """`count` documents: (title, summary, body, title terms, terms of summary and body),
        about 200–400 characters each."""
        numbers = self.numbers
        sizes = numbers.integers((3, 4, 30), (8, 12, 55), size=(count, 3))
        total = int(sizes.sum())
        drawn = numbers.choice(self.words, size=total, p=self.p) * len(SEPARATORS)
        drawn += numbers.integers(0, len(SEPARATORS), size=total)
        tokens = drawn.tolist()
        text, terms = self.tokens.__getitem__, self.token_terms.__getitem__
        at = 0
        for title_n, summary_n, body_n in sizes.tolist():
            title = tokens[at : at + title_n]
            at += title_n
            rest = tokens[at : at + summary_n + body_n]
            at += summary_n + body_n
            yield (
                "".join(map(text, title)).strip(),
                "".join(map(text, rest[:summary_n])).strip(),
                "".join(map(text, rest[summary_n:])).strip(),
                " ".join(filter(None, map(terms, title))),
                " ".join(filter(None, map(terms, rest))),
            )


# --- inside the worker process (Django set up on the benchmark's database) ---------------------


def _document_columns() -> list[str]:
    from hamkke.plaza.models import Document

    return [field.column for field in Document._meta.local_concrete_fields]


def _load(count: int, seed: int) -> dict:
    """Documents and their chunks in bulk, then the index; returns what was loaded."""
    from django.db import connection, transaction

    from hamkke.core.city.selectors import current_city
    from hamkke.core.models import Department
    from hamkke.plaza import search_index
    from hamkke.plaza.models import Category, Document, DocumentType, SearchChunk

    started = time.perf_counter()
    corpus = Corpus(seed)
    rng = corpus.rng
    city = current_city()
    departments = list(Department.objects.filter(city=city).values_list("pk", flat=True))
    categories = [None, *Category.objects.filter(city=city).values_list("pk", flat=True)]
    types = DocumentType.values
    postgres = connection.vendor == "postgresql"
    ops = connection.ops
    now = datetime.now(UTC)
    columns = _document_columns()
    chunk_columns = ("id", "document_id", "part", "title_terms", "terms")
    document_table, chunk_table = Document._meta.db_table, SearchChunk._meta.db_table
    public = closed = unpublished = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor
        _before_load(raw, postgres)
        documents: list[tuple] = []
        chunks: list[tuple] = []
        texts = corpus.batch(0)
        for pk in range(1, count + 1):
            if pk % _BATCH == 1:
                texts = corpus.batch(min(_BATCH, count - pk + 1))
            title, summary, body, title_terms, terms = next(texts)
            roll = rng.random()
            approved = now - timedelta(days=rng.randrange(1, 3650), minutes=rng.randrange(1440))
            disclosure, ground, published = "open", "", approved + timedelta(days=1)
            if roll < CLOSED_SHARE:
                disclosure, ground, published = "closed", "art9-1-5", None
                closed += 1
            elif roll < CLOSED_SHARE + UNPUBLISHED_SHARE:
                approved, published = now - timedelta(hours=2), None
                unpublished += 1
            elif roll < CLOSED_SHARE + UNPUBLISHED_SHARE + 0.05:
                disclosure, ground = "partial", "art9-1-6"
            values = {
                "id": pk,
                "number": f"B{pk:08d}",
                "doc_type": types[pk % len(types)],
                "department_id": departments[pk % len(departments)],
                "approver_level": rng.randint(2, 6),
                "approver_title": "",
                "category_id": categories[pk % len(categories)],
                "title": title,
                "summary": summary,
                "body": body,
                "disclosure": disclosure,
                "legal_ground": ground,
                "produced_on": ops.adapt_datefield_value(approved.date()),
                "approved_at": ops.adapt_datetimefield_value(approved),
                "publish_at": ops.adapt_datetimefield_value(published),
                "published_at": ops.adapt_datetimefield_value(published),
                "withdrawn_at": None,
                "withdrawn_reason": "",
                "masked_count": 0,
                "source_key": None,
                "source_url": "",
                "view_count": 0,
                "download_count": 0,
                "registered_by_id": None,
                "created_at": ops.adapt_datetimefield_value(now),
                "updated_at": ops.adapt_datetimefield_value(now),
            }
            documents.append(tuple(values[column] for column in columns))
            if published is not None:
                public += 1
                chunks.append((pk, pk, 0, title_terms, terms))
            if len(documents) >= _BATCH:
                with transaction.atomic():
                    _write(raw, postgres, document_table, columns, documents)
                    _write(raw, postgres, chunk_table, chunk_columns, chunks)
                documents, chunks = [], []
        with transaction.atomic():
            _write(raw, postgres, document_table, columns, documents)
            _write(raw, postgres, chunk_table, chunk_columns, chunks)
        loaded = time.perf_counter() - started
        _after_load(raw, postgres, search_index)
        indexed = time.perf_counter() - started - loaded
        if postgres:
            raw.execute(
                f"SELECT setval(pg_get_serial_sequence('{document_table}', 'id'), %s)", [count]
            )
            raw.execute(f"VACUUM ANALYZE {document_table}")
            raw.execute(f"VACUUM ANALYZE {chunk_table}")
        else:
            raw.execute("ANALYZE")
    return {
        "documents": count,
        "public": public,
        "closed": closed,
        "unpublished": unpublished,
        "load_seconds": loaded,
        "index_seconds": indexed,
        "analyze_seconds": time.perf_counter() - started - loaded - indexed,
        "database": "PostgreSQL" if postgres else "SQLite",
        "chunks_checked": _check_chunks(),
    }


def _before_load(raw, postgres: bool) -> None:
    from hamkke.plaza import search_index

    if postgres:
        # Bench database only: the rows are consistent by construction.
        raw.execute("SET session_replication_role = replica")
        # The GIN index is built once at the end (the stored vector is computed on COPY).
        raw.execute(f"DROP INDEX IF EXISTS {search_index.PG_INDEX}")
        return
    raw.execute("PRAGMA synchronous = OFF")
    # The FTS5 table is rebuilt once from the chunks at the end, not row by row.
    for statement in search_index.SQLITE_DROP:
        if statement.startswith("DROP TRIGGER"):
            raw.execute(statement)


def _after_load(raw, postgres: bool, search_index) -> None:
    if postgres:
        raw.execute("SET session_replication_role = DEFAULT")
        raw.execute("SET maintenance_work_mem = '1GB'")
        for statement in search_index.PG_CREATE:
            raw.execute(statement)
        return
    raw.execute("INSERT INTO plaza_search_fts(plaza_search_fts) VALUES ('rebuild')")
    for statement in search_index.SQLITE_CREATE:
        raw.execute(statement)  # the triggers again (the table is there)
    raw.execute("PRAGMA synchronous = NORMAL")


def _check_chunks() -> int:
    """A sample of the loaded chunks equals what publishing writes for their documents."""
    from hamkke.plaza import search_index
    from hamkke.plaza.models import Document, SearchChunk

    ids = list(SearchChunk.objects.values_list("document_id", flat=True)[:CHECKED_CHUNKS])
    for document in Document.objects.filter(pk__in=ids):
        stored = list(
            SearchChunk.objects.filter(document=document)
            .order_by("part")
            .values_list("part", "title_terms", "terms")
        )
        written = [(c.part, c.title_terms, c.terms) for c in search_index.chunks_for(document, [])]
        if stored != written:
            raise RuntimeError(f"the chunks of document {document.pk} differ from chunks_for")
    return len(ids)


def _queries() -> list[str]:
    return [query for group in QUERIES.values() for query in group]


def _time_round(kind: str) -> dict[str, float]:
    """Seconds per query of one round of `kind`: raw, search or facets."""
    from django.db import connection

    from hamkke.plaza import search_index, search_terms, selectors

    seconds = {}
    for query in _queries():
        start = time.perf_counter()
        if kind == "raw":
            sql, params = search_index.matching_sql(search_terms.parse(query))
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT document_id FROM ({sql}) h ORDER BY score LIMIT 20", params)
                cursor.fetchall()
        else:
            page = selectors.search(query, page_size=20, with_facets=kind == "facets")
            len(page.hits)
        seconds[query] = time.perf_counter() - start
    return seconds


def _scan_sql(parts: int, postgres: bool) -> str:
    text = "(d.title || ' ' || d.summary || ' ' || d.body)"
    test = f"strpos({text}, %s) > 0" if postgres else f"instr({text}, %s) > 0"
    return (
        "SELECT d.id FROM plaza_document d WHERE d.published_at IS NOT NULL "
        "AND d.withdrawn_at IS NULL AND d.disclosure IN ('open', 'partial') AND "
        + " AND ".join([test] * parts)
    )


def _recall(query: str) -> dict:
    """The search's matches and the scan's for one query."""
    from django.db import connection
    from django.db.models.expressions import RawSQL

    from hamkke.plaza import search_index, search_terms, selectors

    parsed = search_terms.parse(query)
    sql, params = search_index.matching_sql(parsed)
    matched = set(
        selectors.public_documents()
        .filter(pk__in=RawSQL(f"SELECT document_id FROM ({sql}) h", params))
        .values_list("pk", flat=True)
    )
    page = selectors.search(query, page_size=20, with_facets=False)
    parts = query.split()
    with connection.cursor() as cursor:
        cursor.execute(_scan_sql(len(parts), connection.vendor == "postgresql"), parts)
        scanned = {row[0] for row in cursor.fetchall()}
    return {
        "query": query,
        "scan": len(scanned),
        "search": len(matched),
        "both": len(matched & scanned),
        "count_agrees": page.count == len(matched),
        "page_in_scan": all(hit.document.pk in scanned for hit in page.hits),
    }


# --- the run -----------------------------------------------------------------------------------


def database_url() -> str:
    """The PostgreSQL server to run on (empty: SQLite): BENCH_DATABASE_URL, else DATABASE_URL."""
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or ""
    return "" if url.startswith("sqlite") else url


@contextmanager
def site_worker(scratch_name: str) -> Iterator[tuple[ProcessPoolExecutor, Path, str]]:
    """One process with Django set up on a new site (migrated, Seoul loaded): SQLite in a
    temporary folder, or a scratch database `scratch_name` on the PostgreSQL server of
    database_url(), dropped at the end. Yields (the process, the folder, the database's name)."""
    url = database_url()
    data_dir = Path(tempfile.mkdtemp(prefix="hamkke-bench-"))
    try:
        with ExitStack() as stack:
            database = ""
            if url:
                database = stack.enter_context(scratch_database(with_database(url, scratch_name)))
            worker = stack.enter_context(django_processes(worker_environment(data_dir, database)))
            worker.submit(create_site).result(timeout=600)
            yield worker, data_dir, "PostgreSQL" if url else "SQLite"
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def run(quick: bool) -> Result:
    count = QUICK if quick else FULL
    rounds = 3
    with site_worker(SCRATCH_NAME) as (worker, _folder, _database):
        progress(f"indexing {count:,} documents …")
        loaded = worker.submit(_load, count, 7).result(timeout=7200)
        progress(
            f"  {loaded['public']:,} public in {loaded['load_seconds']:.0f}s, index "
            f"{loaded['index_seconds']:.0f}s, analyze {loaded['analyze_seconds']:.0f}s"
        )
        progress("recall against a substring scan …")
        recall = [worker.submit(_recall, q).result(timeout=1800) for q in _queries()]
        for kind in ("raw", "search"):  # warm-up (the facets' queries warm with the search's)
            worker.submit(_time_round, kind).result(timeout=3600)
        timings: dict[str, list[dict[str, float]]] = {"raw": [], "search": [], "facets": []}
        for number in range(rounds):
            progress(f"round {number + 1} of {rounds} …")
            for kind in timings:
                timings[kind].append(worker.submit(_time_round, kind).result(timeout=3600))
    return _result(quick, count, loaded, recall, timings)


def _qps(rounds: list[dict[str, float]], queries=None) -> float:
    per_round = [len(queries or r) / sum(r[q] for q in (queries or r)) for r in rounds]
    return statistics.median(per_round)


def _result(quick, count, loaded, recall, timings) -> Result:
    missed = [r for r in recall if r["both"] < r["scan"]]
    extra = [r for r in recall if r["both"] < r["search"]]
    broken = [r for r in recall if not (r["count_agrees"] and r["page_in_scan"])]
    scan_total = sum(r["scan"] for r in recall)
    found_total = sum(r["search"] for r in recall)
    both_total = sum(r["both"] for r in recall)
    recall_value = both_total / scan_total if scan_total else 1.0
    precision = both_total / found_total if found_total else 1.0
    if missed or broken:
        raise RuntimeError(
            f"recall {recall_value:.6f} (must be 1.0): missed in {[r['query'] for r in missed]}, "
            f"count or page off in {[r['query'] for r in broken]}"
        )
    search_qps, raw_qps, facets_qps = (
        _qps(timings["search"]),
        _qps(timings["raw"]),
        _qps(timings["facets"]),
    )
    by_class = "; ".join(
        f"{name}: search {_qps(timings['search'], group):,.1f} q/s, raw "
        f"{_qps(timings['raw'], group):,.1f}, with facets {_qps(timings['facets'], group):,.1f}"
        for name, group in QUERIES.items()
    )
    matches = ", ".join(f"{r['query']} {r['scan']:,}" for r in recall)
    notes = (
        f"{loaded['database']}, one process; {count:,} documents"
        f"{' (quick: 100,000 instead of 1,000,000)' if quick else ''} ({loaded['public']:,} "
        f"public, {loaded['closed']:,} closed, {loaded['unpublished']:,} not yet published); "
        f"load {loaded['load_seconds']:.0f}s + index {loaded['index_seconds']:.0f}s + analyze "
        f"{loaded['analyze_seconds']:.0f}s; {loaded['chunks_checked']} chunks equal chunks_for. "
        f"Median of {len(timings['raw'])} rounds of {len(_queries())} queries: search "
        f"{search_qps:,.1f} q/s, raw index query {raw_qps:,.1f} q/s, search with facets "
        f"{facets_qps:,.1f} q/s (ratio {facets_qps / raw_qps:.3f}). {by_class}. "
        f"Recall {recall_value:.3f}, precision {precision:.3f} against the substring scan "
        f"({both_total:,} of {scan_total:,} matches; {len(extra)} queries with extra: "
        f"{[r['query'] for r in extra]}). Matches per query: {matches}."
    )
    return Result(
        name="plaza_search", value=search_qps, baseline=raw_qps, unit="queries/s", notes=notes
    )
