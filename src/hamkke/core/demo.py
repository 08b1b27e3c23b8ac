"""Demo data: `hamkke demo` runs each app's declared `demo_seeder` (core/service_app.py), in
INSTALLED_APPS order. Each seeder is idempotent and yields lines to print."""

from __future__ import annotations

from collections.abc import Iterator

from hamkke.core.service_app import demo_seeders


def seed_demo() -> Iterator[str]:
    for seeder in demo_seeders():
        yield from seeder()
