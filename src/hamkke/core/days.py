"""Days as ranges of moments in the city's time zone: the first and last moment of a day, for
filters "from this day" and "to that day"."""

from __future__ import annotations

from datetime import date, datetime, time, tzinfo

from django.utils import timezone


def day_start(day: date | None, tz: tzinfo | None = None) -> datetime | None:
    """The first moment of `day` in `tz` (the site's time zone by default); None for no day."""
    return timezone.make_aware(datetime.combine(day, time.min), tz) if day else None


def day_end(day: date | None, tz: tzinfo | None = None) -> datetime | None:
    """The last moment of `day` in `tz` (the site's time zone by default); None for no day."""
    return timezone.make_aware(datetime.combine(day, time.max), tz) if day else None
