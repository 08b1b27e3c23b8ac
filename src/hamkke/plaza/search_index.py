"""The Plaza's search index on the database the deployment runs: SQLite's FTS5 table or a
PostgreSQL GIN index over a tsvector, both fed the same terms (search_terms.py) from the
`SearchChunk` rows. Only published documents have chunks, so a match is public by construction.

At a scale where the database's own index no longer serves (tens of millions of documents,
many searches a second), the same terms go to OpenSearch (its nori analyzer, or these bigrams
with a whitespace analyzer) behind `matching_sql`; nothing above this module changes."""

from __future__ import annotations

from django.db import connection

from hamkke.plaza import search_terms
from hamkke.plaza.models import Document, SearchChunk

# Title terms weigh ten times body terms in the rank (FTS5's bm25 column weights; PostgreSQL's
# setweight A against D).
TITLE_WEIGHT = 10.0

# The weighted tsvector of a chunk. PostgreSQL stores it in a generated column, GIN-indexed:
# ranking reads it there (computing it again for every match made a common word's search
# take seconds at 100,000 documents; bench/plaza_search.py).
PG_VECTOR = (
    "(setweight(to_tsvector('simple'::regconfig, title_terms), 'A') || "
    "to_tsvector('simple'::regconfig, terms))"
)
PG_COLUMN = "search_vector"
PG_INDEX = "plaza_chunk_tsv"

SQLITE_CREATE = [
    # External content: the terms live once, in plaza_searchchunk; triggers keep FTS in step.
    "CREATE VIRTUAL TABLE IF NOT EXISTS plaza_search_fts USING fts5("
    "title_terms, terms, content='plaza_searchchunk', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER IF NOT EXISTS plaza_searchchunk_ai AFTER INSERT ON plaza_searchchunk BEGIN "
    "INSERT INTO plaza_search_fts(rowid, title_terms, terms) "
    "VALUES (new.id, new.title_terms, new.terms); END",
    "CREATE TRIGGER IF NOT EXISTS plaza_searchchunk_ad AFTER DELETE ON plaza_searchchunk BEGIN "
    "INSERT INTO plaza_search_fts(plaza_search_fts, rowid, title_terms, terms) "
    "VALUES ('delete', old.id, old.title_terms, old.terms); END",
    "CREATE TRIGGER IF NOT EXISTS plaza_searchchunk_au AFTER UPDATE ON plaza_searchchunk BEGIN "
    "INSERT INTO plaza_search_fts(plaza_search_fts, rowid, title_terms, terms) "
    "VALUES ('delete', old.id, old.title_terms, old.terms); "
    "INSERT INTO plaza_search_fts(rowid, title_terms, terms) "
    "VALUES (new.id, new.title_terms, new.terms); END",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS plaza_searchchunk_au",
    "DROP TRIGGER IF EXISTS plaza_searchchunk_ad",
    "DROP TRIGGER IF EXISTS plaza_searchchunk_ai",
    "DROP TABLE IF EXISTS plaza_search_fts",
]
PG_CREATE = [
    f"ALTER TABLE plaza_searchchunk ADD COLUMN IF NOT EXISTS {PG_COLUMN} tsvector "
    f"GENERATED ALWAYS AS ({PG_VECTOR}) STORED",
    f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON plaza_searchchunk USING gin ({PG_COLUMN})",
]
PG_DROP = [
    f"DROP INDEX IF EXISTS {PG_INDEX}",
    f"ALTER TABLE plaza_searchchunk DROP COLUMN IF EXISTS {PG_COLUMN}",
]


def searchable_text(document: Document, attachment_texts: list[str]) -> str:
    """What a search looks in beside the title: the public summary, body and the text of the
    attachments the public may download. Fields are kept apart by blank lines (a phrase never
    spans two)."""
    return "\n\n".join([document.summary, document.body, *attachment_texts])


def chunks_for(document: Document, attachment_texts: list[str]) -> list[SearchChunk]:
    title_terms = " ".join(search_terms.terms(document.title))
    body_chunks = search_terms.chunks(searchable_text(document, attachment_texts))
    return [
        SearchChunk(
            document_id=document.pk,
            part=part,
            title_terms=title_terms if part == 0 else "",
            terms=terms,
        )
        for part, terms in enumerate(body_chunks)
    ]


def matching_sql(query: search_terms.Query) -> tuple[str, list]:
    """SQL selecting `document_id` and `score` (lower is better) of every document matching
    the query, one row per document; and its parameters."""
    if connection.vendor == "postgresql":
        sql = (
            f"SELECT c.document_id, -MAX(ts_rank(c.{PG_COLUMN}, q.q)) AS score "
            "FROM plaza_searchchunk c, to_tsquery('simple'::regconfig, %s) AS q(q) "
            f"WHERE c.{PG_COLUMN} @@ q.q GROUP BY c.document_id"
        )
        return sql, [search_terms.tsquery(query)]
    # bm25() may only be called where FTS5 drives the query: in a subquery that SQLite cannot
    # flatten into the aggregate (LIMIT -1 prevents it).
    sql = (
        "SELECT c.document_id, MIN(s.score) AS score FROM ("
        "SELECT rowid AS chunk_id, bm25(plaza_search_fts, %s, 1.0) AS score "
        "FROM plaza_search_fts WHERE plaza_search_fts MATCH %s LIMIT -1) s "
        "JOIN plaza_searchchunk c ON c.id = s.chunk_id GROUP BY c.document_id"
    )
    return sql, [TITLE_WEIGHT, search_terms.fts5_match(query)]


def raw_match_count(query: search_terms.Query) -> int:
    """The bare index query, without the Plaza's filters and pages: the benchmark's baseline."""
    sql, params = matching_sql(query)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({sql}) h", params)
        return cursor.fetchone()[0]
