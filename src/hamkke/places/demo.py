"""Demo data of Places (being built)."""

from collections.abc import Iterator


def seed() -> Iterator[str]:
    yield "places: nothing yet"
