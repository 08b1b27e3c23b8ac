"""Pydantic schemas of the smart bins' API (/api/v1/iot/bins)."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Schema


class BinQuery(Schema):
    district: str = Field(default="", max_length=32, description="A district's code")
    due: bool | None = Field(default=None, description="Only bins at or over their threshold")
    min_level: float | None = Field(default=None, ge=0, le=1)
    max_level: float | None = Field(default=None, ge=0, le=1)


class BinOut(Schema):
    id: int
    ref: str
    name: str
    entity: str
    latitude: float
    longitude: float
    district: str
    level: float | None  # fillingLevel 0–1; null before the first reading
    observed_at: datetime | None
    threshold: float
    litres: int
    due: bool


class TruckIn(Schema):
    name: str = Field(max_length=100)
    capacity_litres: int = Field(ge=1, le=1_000_000)
    latitude: float  # the depot
    longitude: float
    districts: list[str] = Field(default=[], max_length=100, description="Districts' codes")
    active: bool = True


class TruckOut(Schema):
    id: int
    name: str
    capacity_litres: int
    latitude: float
    longitude: float
    districts: list[str]
    active: bool


class StopOut(Schema):
    position: int
    bin: int
    ref: str
    name: str
    latitude: float
    longitude: float
    level: float  # as planned
    load_litres: int
    collected_at: datetime | None


class RouteOut(Schema):
    id: int
    number: int
    truck: int
    truck_name: str
    depot_latitude: float
    depot_longitude: float
    capacity_litres: int
    load_litres: int
    length_m: float
    stops: list[StopOut]


class LeftOverOut(Schema):
    bin: int
    ref: str
    level: float
    load_litres: int
    reason: str
    why: str


class PlanOut(Schema):
    day: date
    made_at: datetime
    seconds: float
    length_m: float
    stops: int
    collected: int
    routes: list[RouteOut]
    left_over: list[LeftOverOut]


class PlanIn(Schema):
    seconds: float | None = Field(default=None, gt=0, le=60, description="The search's limit")
