"""Pydantic schemas of the alarms API (/api/v1/iot/alarms)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema


class AlarmQuery(Schema):
    device: int | None = Field(default=None, ge=1, le=2**63 - 1, description="A device's id")
    asset: int | None = Field(default=None, ge=1, le=2**63 - 1, description="An asset's id")
    state: str = Field(default="", max_length=16, description="active, acknowledged or cleared")
    type: str = Field(default="", max_length=40, description="offline, battery-low, …")
    since: datetime | None = Field(default=None, description="Raised at or after (ISO 8601)")
    page: int = Field(default=1, ge=1, le=1_000_000)
    page_size: int = Field(default=50, ge=1, le=100)


class AssetRef(Schema):
    id: int
    entity: str  # the NGSI-LD id
    kind: str
    name: str
    latitude: float
    longitude: float


class ComplaintRef(Schema):
    tracking_number: str
    status: str
    status_label: str
    channel: str
    url: str  # the complaint's public page


class AlarmOut(Schema):
    id: int
    type: str
    name: str
    severity: str
    state: str
    device: int | None
    asset: AssetRef
    started_at: datetime | None
    raised_at: datetime
    observed: dict[str, Any]
    acknowledged_at: datetime | None
    acknowledged_by: str | None  # the official's name
    cleared_at: datetime | None
    clear_note: str
    complaint: ComplaintRef | None
    complaint_error: str


class AlarmPageOut(Schema):
    count: int
    page: int
    page_size: int
    pages: int
    items: list[AlarmOut]
