"""Personal data: what each app holds about a person, to hand it over (download) and to erase it
(account deletion). One registry, so a new app adds its part without touching accounts:

    # complaints/apps.py
    def ready(self):
        from hamkke.accounts.personal_data import register_eraser, register_exporter
        from hamkke.complaints import selectors, services

        register_exporter("complaints", selectors.personal_data_of)
        register_eraser("complaints", services.forget_reporter)

An exporter takes the user and returns JSON-ready data about that person only (never another
person's name, email or text). An eraser runs inside the deletion's transaction, before the
account row goes: it removes what only matters to the person and de-personalises what the city
keeps (a complaint stays, its reporter does not). Rows whose foreign key to the user is CASCADE
or SET_NULL need no eraser.

Accounts registers its own parts and core's (core cannot import accounts).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils import timezone

Exporter = Callable[[Any], Any]
Eraser = Callable[[Any], None]

EXPORT_FORMAT_VERSION = 1

_exporters: dict[str, Exporter] = {}
_erasers: dict[str, Eraser] = {}


def register_exporter(name: str, exporter: Exporter) -> None:
    """Add `name` to every download; registering a name again replaces it (reloads, tests)."""
    _exporters[name] = exporter


def register_eraser(name: str, eraser: Eraser) -> None:
    _erasers[name] = eraser


def unregister(name: str) -> None:
    _exporters.pop(name, None)
    _erasers.pop(name, None)


def exporter_names() -> list[str]:
    return sorted(_exporters)


def export_personal_data(user) -> dict[str, Any]:
    """Everything registered about `user`, one key per part, in a stable order."""
    data: dict[str, Any] = {
        "format": EXPORT_FORMAT_VERSION,
        "exported_at": timezone.now().isoformat(),
    }
    for name in sorted(_exporters):
        data[name] = _exporters[name](user)
    return data


def erase_personal_data(user) -> None:
    """Run every eraser; the caller deletes the account in the same transaction."""
    for name in sorted(_erasers):
        _erasers[name](user)
