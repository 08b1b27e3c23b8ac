"""Demo data of M-Voting."""

from collections.abc import Iterator


def seed() -> Iterator[str]:
    yield "M-Voting: no demo polls yet."
