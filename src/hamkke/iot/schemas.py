"""Pydantic schemas of the IoT API (/api/v1/iot)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema


class AcceptedOut(Schema):
    accepted: int  # 1 when stored, 0 for a replay of a time already received
    duplicate: bool
    device: int
    entity: str  # the NGSI-LD id of the asset the device watches
    time: datetime  # the reading's device time, in UTC
    attributes: dict[str, Any]


class ErrorOut(Schema):
    detail: str
    code: str


class CounterOut(Schema):
    reason: str
    count: int
