"""Demo data of the Oasis (being built)."""

from collections.abc import Iterator


def seed() -> Iterator[str]:
    yield "ideas: nothing yet"
