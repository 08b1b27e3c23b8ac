"""Reading Open311 parameters the way real clients send them: an empty parameter is absent,
lists are comma separated, dates are W3C date-times (a date alone means its midnight). What no
client sends on purpose (a NUL character, a date at year 1 or 9999, digits other than 0-9) is
refused by name."""

from __future__ import annotations

import math
from datetime import datetime, time, timedelta

from django.http import HttpRequest, QueryDict
from django.utils import timezone

from hamkke.core.web import bounds
from hamkke.core.web.hostile import nul_field


class Open311Error(Exception):
    """Answered in the Open311 error format with this HTTP status."""

    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status = status
        self.description = description


MAX_WINDOW = timedelta(days=90)
DEFAULT_LIMIT = 1000


def merged(request: HttpRequest) -> QueryDict:
    """Query string and form body together: clients put api_key and jurisdiction_id in either.
    A body's empty field does not hide the query string's value (a form that sends every field
    it has sends `api_key=` when the app put the key in the address)."""
    data = request.GET.copy()
    if request.method == "POST":
        for key, values in request.POST.lists():
            if any(value.strip() for value in values) or key not in data:
                data.setlist(key, values)
        if (name := nul_field(request.POST)) is not None:
            raise Open311Error(400, f"{name} contains a NUL character (%00)")
    return data


def text(data: QueryDict, name: str) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    value = value.strip()
    return value or None


def comma_list(data: QueryDict, name: str) -> tuple[str, ...]:
    values = []
    for raw in data.getlist(name):
        values.extend(part.strip() for part in raw.split(","))
    return tuple(v for v in values if v)


def date_time(data: QueryDict, name: str) -> datetime | None:
    raw = text(data, name)
    if raw is None:
        return None
    try:
        value = datetime.fromisoformat(raw.replace(" ", "+"))  # '+' arrives as a space
    except ValueError as exc:
        raise Open311Error(
            400, f"{name} must be a W3C date-time such as 2026-01-01T00:00:00Z, not {raw!r}"
        ) from exc
    if len(raw) == 10:
        value = datetime.combine(value.date(), time.min)
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if not bounds.moment_in_range(value):
        raise Open311Error(400, f"{name} must lie between {bounds.MOMENTS_TEXT}, not {raw!r}")
    return value


def number(data: QueryDict, name: str) -> float | None:
    raw = text(data, name)
    if raw is None:
        return None
    try:
        # float() reads digits of any script ("١٢") and "nan" or "inf": none is a coordinate.
        value = float(raw) if raw.isascii() else math.nan
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise Open311Error(400, f"{name} must be a number, not {raw!r}")
    return value


def positive_int(data: QueryDict, name: str, *, default: int, maximum: int) -> int:
    raw = text(data, name)
    if raw is None:
        return default
    value = bounds.whole_number(raw)
    if value is None or value < 1:
        raise Open311Error(400, f"{name} must be a whole number of at least 1, not {raw!r}")
    return min(value, maximum)


def window(data: QueryDict, *, now: datetime) -> tuple[datetime, datetime]:
    """start_date/end_date with the specification's default of the most recent 90 days and
    its limit of 90 days in one query."""
    start, end = date_time(data, "start_date"), date_time(data, "end_date")
    if start and end and end < start:
        raise Open311Error(400, "end_date is before start_date")
    if start is None and end is None:
        end, start = now, now - MAX_WINDOW
    elif start is None:
        start = end - MAX_WINDOW
    elif end is None:
        end = min(now, start + MAX_WINDOW)
    if end - start > MAX_WINDOW:
        raise Open311Error(400, "start_date and end_date may not span more than 90 days")
    return start, end


def attributes(data: QueryDict) -> dict[str, object]:
    """attribute[code]=value, and attribute[code][]=value for multi-value lists."""
    found: dict[str, object] = {}
    for key in data:
        if not key.startswith("attribute[") or "]" not in key:
            continue
        code = key[len("attribute[") : key.index("]")]
        values = [v for v in data.getlist(key) if v.strip()]
        if not values:
            continue
        found[code] = values if key.endswith("[]") else values[-1]
    return found
