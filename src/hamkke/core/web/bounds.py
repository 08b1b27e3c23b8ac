"""The range of days, moments and numbers the site takes from outside input. A day or a moment
outside it is refused by name before it reaches a query: at year 1 or 9999 a conversion to UTC
(or a 90-day window around it) falls off the calendar, which SQLite answers with an
OverflowError and PostgreSQL with a DataError."""

from __future__ import annotations

from datetime import UTC, date, datetime

EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2999, 12, 31)
# Moments are compared in UTC, so any offset (-14:00 to +14:00) keeps clear of the calendar's ends.
EARLIEST_MOMENT = datetime(1900, 1, 1, tzinfo=UTC)
END_OF_LATEST_DAY = datetime(3000, 1, 1, tzinfo=UTC)
DAYS_TEXT = f"{EARLIEST_DAY.isoformat()} and {LATEST_DAY.isoformat()}"
MOMENTS_TEXT = "1900-01-01T00:00:00Z and 2999-12-31T23:59:59Z"

# Longer whole numbers are refused before int() reads them: no page, size or id has as many.
MAX_DIGITS = 18


def day_in_range(day: date) -> bool:
    return EARLIEST_DAY <= day <= LATEST_DAY


def moment_in_range(moment: datetime) -> bool:
    """An aware moment; comparing aware datetimes subtracts their offsets without building a
    datetime, so even 9999-12-31T23:59:59-14:00 compares without overflowing."""
    return EARLIEST_MOMENT <= moment < END_OF_LATEST_DAY


def whole_number(raw: str) -> int | None:
    """`raw` as a whole number written in ASCII digits (0-9 only: int() would take "١٢" and
    str.isdigit() "²", which int() then refuses), or None."""
    if not raw or len(raw) > MAX_DIGITS or not (raw.isascii() and raw.isdigit()):
        return None
    return int(raw)
