"""A device's reading checked before anything stores it: the JSON object a sensor sends (over
MQTT or HTTPS) with its `time` and the FIWARE Smart Data Model attributes of its kind. Pure
Python (no Django), so the worker and the API refuse the same things in the same words, and
hypothesis can throw anything at it.

A payload is a JSON object:
- `time`: the device's ISO 8601 time with its UTC offset ("2025-05-01T09:30:00+09:00"),
  refused when older than a day or more than five minutes ahead of the server's clock;
- parking and illegal-parking: `status`, one of free, occupied, closed, unknown (ParkingSpot);
- waste-container: `fillingLevel`, a number from 0 to 1, and optional `temperature` in °C
  (WasteContainer);
- every kind: optional `batteryLevel`, a number from 0 to 1.
At least one attribute besides `time`. Unknown keys, NUL characters, wrong types (a boolean is
not a number, "0.5" is not a number), non-ASCII digits and non-finite numbers are refused."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

PARKING, ILLEGAL_PARKING, WASTE_CONTAINER = "parking", "illegal-parking", "waste-container"
KINDS = (PARKING, ILLEGAL_PARKING, WASTE_CONTAINER)
PARKING_STATUSES = ("free", "occupied", "closed", "unknown")

MAX_AGE = timedelta(days=1)
MAX_AHEAD = timedelta(minutes=5)
# A sensor's message is small: a few attributes. Anything longer is not a reading.
MAX_BYTES = 4096

# Why a reading was refused: the ingest counters' reasons (besides accepted, duplicate,
# unknown_device and revoked, which only the database can tell).
MALFORMED, INVALID_VALUE, TOO_OLD, FUTURE = "malformed", "invalid_value", "too_old", "future"

# ISO 8601 with an offset, ASCII digits only (datetime.fromisoformat reads other digits too).
_TIME = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:\d{2})", re.ASCII
)
_ATTRIBUTES = {
    PARKING: {"status", "batteryLevel"},
    ILLEGAL_PARKING: {"status", "batteryLevel"},
    WASTE_CONTAINER: {"fillingLevel", "temperature", "batteryLevel"},
}


class Refused(ValueError):
    """A payload that is not a reading: `reason` is the counter it goes to, the message says
    what is wrong in words a device's maker understands."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class Reading:
    time: datetime  # aware, UTC
    attributes: dict[str, Any]


def parse(kind: str, payload: bytes | str | dict, now: datetime) -> Reading:
    """The reading in `payload` (raw JSON or an already decoded object) from a device of `kind`,
    checked against `now` (aware); raises Refused."""
    if kind not in KINDS:
        raise ValueError(f"unknown device kind {kind!r}")
    body = _decoded(payload)
    unknown = sorted(set(body) - _ATTRIBUTES[kind] - {"time"})
    if unknown:
        raise Refused(
            MALFORMED,
            f"Unknown attribute {unknown[0][:40]!r} for a {kind} sensor; it may send: "
            + ", ".join(sorted(_ATTRIBUTES[kind])),
        )
    time = _time(body.get("time"), now)
    attributes: dict[str, Any] = {}
    if "status" in body:
        attributes["status"] = _status(body["status"])
    if "fillingLevel" in body:
        attributes["fillingLevel"] = _number(body["fillingLevel"], "fillingLevel", 0, 1)
    if "temperature" in body:
        attributes["temperature"] = _number(body["temperature"], "temperature", -60, 120)
    if "batteryLevel" in body:
        attributes["batteryLevel"] = _number(body["batteryLevel"], "batteryLevel", 0, 1)
    if not attributes:
        raise Refused(MALFORMED, "The reading has a time but no attribute.")
    return Reading(time=time, attributes=attributes)


def _decoded(payload: bytes | str | dict) -> dict:
    if isinstance(payload, dict):
        body = payload
    else:
        if len(payload) > MAX_BYTES:
            raise Refused(MALFORMED, f"The message is longer than {MAX_BYTES} bytes.")
        if isinstance(payload, bytes):
            try:
                payload = payload.decode("utf-8")
            except UnicodeDecodeError as error:
                raise Refused(MALFORMED, "The message is not UTF-8 text.") from error
        if "\x00" in payload:
            raise Refused(MALFORMED, "The message contains a NUL character.")
        try:
            body = json.loads(payload, parse_constant=_no_constant)
        except (ValueError, RecursionError) as error:
            raise Refused(MALFORMED, "The message is not valid JSON.") from error
    if not isinstance(body, dict):
        raise Refused(MALFORMED, "The message must be a JSON object.")
    for key, value in body.items():
        if "\x00" in key or (isinstance(value, str) and "\x00" in value):
            raise Refused(MALFORMED, "The message contains a NUL character.")
    return body


def _no_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def _time(value: Any, now: datetime) -> datetime:
    if value is None:
        raise Refused(MALFORMED, "The reading has no time: send `time` in ISO 8601.")
    if not isinstance(value, str) or not _TIME.fullmatch(value):
        raise Refused(
            MALFORMED,
            "`time` must be an ISO 8601 time with its offset, like 2025-05-01T09:30:00+09:00.",
        )
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    except (ValueError, OverflowError) as error:
        raise Refused(MALFORMED, "`time` is not a date on the calendar.") from error
    if moment < now - MAX_AGE:
        raise Refused(TOO_OLD, "The reading is more than a day old.")
    if moment > now + MAX_AHEAD:
        raise Refused(FUTURE, "The reading's time is more than five minutes ahead of ours.")
    return moment


def _status(value: Any) -> str:
    if not isinstance(value, str):
        raise Refused(INVALID_VALUE, "`status` must be a string.")
    if value not in PARKING_STATUSES:
        raise Refused(
            INVALID_VALUE, "`status` must be one of: " + ", ".join(PARKING_STATUSES) + "."
        )
    return value


def _number(value: Any, name: str, low: float, high: float) -> float:
    # bool is an int in Python; a sensor sending true for a level is wrong, not 1.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Refused(INVALID_VALUE, f"`{name}` must be a number.")
    try:
        number = float(value)
    except OverflowError as error:
        raise Refused(INVALID_VALUE, f"`{name}` is out of range.") from error
    if not math.isfinite(number) or not low <= number <= high:
        raise Refused(INVALID_VALUE, f"`{name}` must be a number from {low:g} to {high:g}.")
    return number
