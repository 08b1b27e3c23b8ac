"""Scratch PostgreSQL databases for the benchmarks: created empty, dropped when done.

Only databases whose name starts with `hamkke_bench` are ever dropped, so a URL pointing at
data someone keeps makes the benchmark stop instead of deleting it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

SCRATCH_PREFIX = "hamkke_bench"


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def with_database(url: str, name: str) -> str:
    """The same server and credentials, another database."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def _admin_connection(url: str):
    import psycopg

    # The maintenance database of the same server: one cannot drop the database one is in.
    return psycopg.connect(
        with_database(url, "postgres").replace("postgres://", "postgresql://", 1),
        autocommit=True,
        connect_timeout=10,
    )


def _quoted(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"unusual database name {name!r}: use letters, digits and _")
    return f'"{name}"'


def drop_database(url: str) -> None:
    name = database_name(url)
    if not name.startswith(SCRATCH_PREFIX):
        raise ValueError(f"refusing to drop {name!r}: bench databases start with {SCRATCH_PREFIX}")
    with _admin_connection(url) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {_quoted(name)} WITH (FORCE)")


@contextmanager
def served_database(url: str | None = None) -> Iterator[tuple[dict[str, str], str]]:
    """The database of a served benchmark's site: with `url` (else BENCH_DATABASE_URL) a scratch
    PostgreSQL database for the `with` block, else the site's own SQLite file. Yields the
    environment that gives it to the site and the database's name for the notes."""
    url = url or os.environ.get("BENCH_DATABASE_URL") or None
    if not url:
        yield {}, "SQLite"
        return
    with scratch_database(url) as scratch:
        yield {"DATABASE_URL": scratch}, "PostgreSQL"


@contextmanager
def scratch_database(url: str) -> Iterator[str]:
    """Create the database named in `url` (a leftover of an interrupted run is dropped first),
    yield the URL, and drop the database at the end, errors included."""
    name = database_name(url)
    if not name.startswith(SCRATCH_PREFIX):
        raise ValueError(
            f"the benchmark creates and drops its database; name it {SCRATCH_PREFIX}…, not {name!r}"
        )
    drop_database(url)
    with _admin_connection(url) as admin:
        admin.execute(f"CREATE DATABASE {_quoted(name)}")
    try:
        yield url
    finally:
        drop_database(url)
