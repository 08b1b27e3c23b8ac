"""Demo data of the Plaza."""

from __future__ import annotations

from collections.abc import Iterator


def seed() -> Iterator[str]:
    yield "Plaza: no demo documents yet."
