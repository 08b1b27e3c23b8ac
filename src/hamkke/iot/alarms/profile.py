"""The `[iot.alarms]` table of a city profile: the built-in rules' numbers (offline after N
minutes without data, battery low, illegal parking after N minutes and the complaint category
it files in) and the threshold rules per asset kind. Part of iot/profile.py's IotSection."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from hamkke.core.profiles import CityProfile, Strict, unique

# The built-in rules' codes (the alarms' types), which a threshold rule may not take.
OFFLINE, BATTERY_LOW, ILLEGAL_PARKING = "offline", "battery-low", "illegal-parking"
BUILT_IN_RULES = (OFFLINE, BATTERY_LOW, ILLEGAL_PARKING)
Severity = Literal["info", "warning", "critical"]


class ThresholdRule(Strict):
    """An alarm when a numeric attribute of an asset kind's latest state compares to `value`
    by `op` and has done so for at least `minutes`, judged by the readings' device times."""

    code: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=40)
    name: str = Field(min_length=1, max_length=200)
    name_en: str = Field(default="", max_length=200)
    asset_kind: Literal["ParkingSpot", "OffStreetParking", "NoParkingZone", "WasteContainer"]
    attribute: Literal["fillingLevel", "temperature", "batteryLevel"]
    op: Literal[">=", ">", "<=", "<"]
    value: float
    minutes: int = Field(default=0, ge=0, le=24 * 60)
    severity: Severity = "warning"


class AlarmsSettings(Strict):
    # No reading from any of an asset's active devices for this long: the asset is offline.
    offline_minutes: int = Field(default=30, ge=1, le=7 * 24 * 60)
    # The latest batteryLevel (0-1) below this: battery low.
    battery_low: float = Field(default=0.15, ge=0, le=1)
    # A no-parking zone occupied for longer than this raises an alarm that files a complaint.
    illegal_parking_minutes: int = Field(default=10, ge=1, le=24 * 60)
    # The complaint category those complaints are filed in (one of [[complaints.categories]]).
    illegal_parking_category: str = "illegal-parking"
    rules: list[ThresholdRule] = []

    @model_validator(mode="after")
    def _codes(self) -> AlarmsSettings:
        codes = [rule.code for rule in self.rules]
        unique("iot.alarms.rules", codes)
        for code in codes:
            if code in BUILT_IN_RULES:
                raise ValueError(f"iot.alarms.rules: {code!r} is a built-in rule's code")
        return self


def _category_codes(profile: CityProfile) -> set[str]:
    complaints = profile.section("complaints")
    if complaints is None:
        return set()
    if isinstance(complaints, dict):
        return {item.get("code") for item in complaints.get("categories", [])}
    return {category.code for category in complaints.categories}


def check_alarms(settings: AlarmsSettings, profile: CityProfile) -> None:
    """The illegal-parking complaints' category is one of the profile's complaint categories."""
    category = settings.illegal_parking_category
    if category and category not in _category_codes(profile):
        raise ValueError(
            f"iot.alarms.illegal_parking_category: unknown complaint category {category!r}"
        )
