"""Demo data: `hamkke demo` calls each app's `demo_seeder` (a dotted path on its AppConfig),
in INSTALLED_APPS order. Each seeder is idempotent and yields lines to print."""

from __future__ import annotations

import importlib
from collections.abc import Iterator

from django.apps import apps


def seed_demo() -> Iterator[str]:
    for config in apps.get_app_configs():
        dotted = getattr(config, "demo_seeder", None)
        if not dotted:
            continue
        module_name, _sep, attr = dotted.rpartition(".")
        yield from getattr(importlib.import_module(module_name), attr)()
