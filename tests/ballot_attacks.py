"""What an attacker holding the raw database does to pair the register of who voted with the
ballots (the ballot pattern's secrecy tests in tests/budget and tests/polls): read columns in
the orders the database keeps, line the two lists up, and count the pairs that come out right."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection

# Of N voters paired with N ballots by an attack no better than a random guess, about one pair
# is right (a random permutation fixes one point on average); 7 or more right happens by chance
# less than once in 10,000 runs. Before the ballot pattern, every attack paired all of them.
CHANCE_AT_MOST = 6


def physical_order() -> str:
    """The column that gives a table's physical order: ctid (PostgreSQL), rowid (SQLite)."""
    return "ctid" if connection.vendor == "postgresql" else "rowid"


def column(sql: str, params: Sequence = ()) -> list:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def right_pairs(registered: list[str], ballots: list[int], truth: dict[str, int]) -> int:
    """How many pairs an attack that lines up the two lists gets right."""
    return sum(truth[key] == ballot for key, ballot in zip(registered, ballots, strict=True))


def first_seen(ballot_ids: list[int]) -> list[int]:
    return list(dict.fromkeys(ballot_ids))
