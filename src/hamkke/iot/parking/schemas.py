"""Pydantic schemas of the parking sharing API (/api/v1/iot/parking)."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema


class LotOut(Schema):
    id: int
    entity: str  # the NGSI-LD id (OffStreetParking)
    name: str
    latitude: float
    longitude: float
    availableSpotNumber: int  # the Smart Data Model names
    totalSpotNumber: int


class TakenOut(Schema):
    start: datetime
    end: datetime


class WindowOut(Schema):
    id: int
    spot: str  # the spot's NGSI-LD id (ParkingSpot)
    spot_name: str
    lot: str | None  # its lot's NGSI-LD id
    latitude: float
    longitude: float
    start: datetime
    end: datetime
    taken: list[TakenOut]  # the times reserved already (no one's name)


class ReserveIn(Schema):
    window: int
    start: datetime
    end: datetime


class ShareIn(Schema):
    spot: str  # the spot's reference or NGSI-LD id
    start: datetime
    end: datetime


class ReservationOut(Schema):
    id: int
    code: str
    status: str
    spot: str
    spot_name: str
    start: datetime
    end: datetime
    arrived_at: datetime | None
