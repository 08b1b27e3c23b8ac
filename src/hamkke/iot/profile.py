"""The `[iot]` table of a city profile: the department that keeps the devices, how long raw
readings are kept before only their roll-ups remain, which roll-ups are made, and which kinds
of device the city runs. Declared on the app's ServiceAppConfig."""

from __future__ import annotations

from datetime import time

from pydantic import Field, model_validator

from hamkke.core.profiles import CityProfile, Strict, unique
from hamkke.iot.alarms.profile import AlarmsSettings, check_alarms
from hamkke.iot.readings import KINDS


class IotSection(Strict):
    department: str = ""
    # Raw readings older than this many days are rolled up, then deleted.
    retention_days: int = Field(default=30, ge=1, le=3650)
    # The roll-ups made of the history before it is pruned.
    rollup: list[str] = ["hour", "day"]
    allowed_kinds: list[str] = list(KINDS)
    # Messages per minute a device may send over HTTPS.
    device_rate_per_minute: int = Field(default=60, ge=1, le=6000)
    # Parking sharing: a reservation whose car has not come this long after its start is
    # released as a no-show.
    parking_grace_minutes: int = Field(default=15, ge=1, le=240)
    # The rules and alarms (iot/alarms/profile.py).
    alarms: AlarmsSettings = AlarmsSettings()
    # Smart bins (iot/bins): a bin this full joins the next collection (a bin may have its own);
    # a bin in a plan whose sensor then reads below bin_collected_below was emptied. A bin holds
    # bin_litres unless its own size is set; the plan's search stops after routing_seconds; the
    # morning task makes the day's plan from plan_at (the city's time).
    bin_threshold: float = Field(default=0.8, gt=0, le=1)
    bin_collected_below: float = Field(default=0.2, gt=0, lt=1)
    bin_litres: int = Field(default=240, ge=1, le=100_000)
    routing_seconds: float = Field(default=5, gt=0, le=300)
    plan_at: time = time(6, 0)

    @model_validator(mode="after")
    def _known(self) -> IotSection:
        unique("iot.rollup", self.rollup)
        unique("iot.allowed_kinds", self.allowed_kinds)
        for period in self.rollup:
            if period not in ("hour", "day"):
                raise ValueError(f"iot.rollup: {period!r} is not hour or day")
        for kind in self.allowed_kinds:
            if kind not in KINDS:
                raise ValueError(f"iot.allowed_kinds: unknown kind {kind!r}")
        if self.bin_collected_below >= self.bin_threshold:
            raise ValueError("iot.bin_collected_below must be below iot.bin_threshold")
        return self


def check_references(section: IotSection, profile: CityProfile, district_codes: set[str]):
    """The devices' department is one of the profile's."""
    codes = {department.code for department in profile.departments}
    if section.department and section.department not in codes:
        raise ValueError(f"iot.department: unknown department {section.department!r}")
    check_alarms(section.alarms, profile)
