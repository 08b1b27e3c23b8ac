"""Personal data: hand over everything the platform holds about a person (download) and erase
it (account deletion). The parts come from each app's `personal_data` declaration on its
ServiceAppConfig (core/service_app.py), kept in core's registries.

An exporter takes the user and returns JSON-ready data about that person only (never another
person's name, email or text). An eraser runs inside the deletion's transaction, before the
account row goes: it removes what only matters to the person and de-personalises what the city
keeps (a complaint stays, its reporter does not)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from hamkke.core import registries

EXPORT_FORMAT_VERSION = 1


def export_personal_data(user) -> dict[str, Any]:
    """Everything registered about `user`, one key per part, in a stable order."""
    data: dict[str, Any] = {
        "format": EXPORT_FORMAT_VERSION,
        "exported_at": timezone.now().isoformat(),
    }
    for name, exporter in registries.exporters():
        data[name] = exporter(user)
    return data


def erase_personal_data(user) -> None:
    """Run every eraser; the caller deletes the account in the same transaction."""
    for _name, eraser in registries.erasers():
        eraser(user)
