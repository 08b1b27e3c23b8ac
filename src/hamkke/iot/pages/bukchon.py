"""The Bukchon pilot as the demo and the simulator see it: where its sensors are (three parking
lots, street spots along its lanes, smart bins, no-parking zones) and how they behave through a
day (parking by the hour of the day, bins filling with the visitors and emptied by the morning
and afternoon rounds, illegal parking lasting 5 to 40 minutes now and then, batteries draining,
a few devices falling silent). Pure Python (no Django): the demo seeder writes a day of it as
history, `hamkke iot simulate` plays it, faster than life, to the running site.

Times: the behaviour follows the *simulated* local hour; a reading's `time` is whatever moment
the caller stamps it with (the simulator stamps the real clock, so a compressed day never sends
a reading from the future or the far past)."""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

PARKING, ILLEGAL_PARKING, WASTE_CONTAINER = "parking", "illegal-parking", "waste-container"
CENTRE = (37.582, 126.983)
# (ref, name, metres north and east of the centre, spots)
LOTS = (
    ("BUKCHON-P1", "북촌 공영주차장", (-180.0, -260.0), 60),
    ("BUKCHON-P2", "정독도서관 주차장", (-60.0, -420.0), 60),
    ("BUKCHON-P3", "가회동 공영주차장", (240.0, 120.0), 60),
)
STREET_SPOTS = 150
BINS = 120
ZONES = 40
RADIUS_M = 600.0
_M_PER_DEG_LAT = 111_320.0
# Local hours when the crews empty the bins.
COLLECTIONS = (6, 14)
HEARTBEAT = timedelta(minutes=60)
BIN_REPORT = timedelta(minutes=30)


def offset(point: tuple[float, float], north_m: float, east_m: float) -> tuple[float, float]:
    lat, lon = point
    return (
        lat + north_m / _M_PER_DEG_LAT,
        lon + east_m / (_M_PER_DEG_LAT * math.cos(math.radians(lat))),
    )


@dataclass(frozen=True)
class Site:
    """A sensor's place: its asset's reference and name, its point, its device's kind and
    model, and the lot a spot belongs to."""

    ref: str
    name: str
    kind: str
    lat: float
    lon: float
    model: str
    lot: str = ""


def layout(rng: random.Random) -> tuple[list[Site], list[Site]]:
    """The lots (no device of their own) and every sensor's site, around Bukchon."""
    lots, sites = [], []
    for ref, name, (north, east), spots in LOTS:
        lat, lon = offset(CENTRE, north, east)
        lots.append(Site(ref, name, "", lat, lon, ""))
        columns = 10
        for number in range(spots):
            row, column = divmod(number, columns)
            spot_lat, spot_lon = offset((lat, lon), row * 5.5 - 15, column * 2.6 - 12)
            sites.append(
                Site(
                    f"{ref}-{number + 1:03d}",
                    f"{name} {number + 1}",
                    PARKING,
                    spot_lat,
                    spot_lon,
                    "Nedap SENSIT 3",
                    lot=ref,
                )
            )

    def scattered(count: int, prefix: str, name: str, kind: str, model: str) -> None:
        for number in range(count):
            distance = RADIUS_M * math.sqrt(rng.random())
            angle = rng.uniform(0, 2 * math.pi)
            lat, lon = offset(CENTRE, distance * math.sin(angle), distance * math.cos(angle))
            sites.append(
                Site(f"{prefix}-{number + 1:03d}", f"{name} {number + 1}", kind, lat, lon, model)
            )

    scattered(STREET_SPOTS, "BUKCHON-S", "북촌 거리 주차면", PARKING, "Nedap SENSIT 3")
    scattered(BINS, "BUKCHON-B", "북촌 스마트 쓰레기통", WASTE_CONTAINER, "Ecube CleanCUBE")
    scattered(ZONES, "BUKCHON-Z", "북촌 주정차 금지구역", ILLEGAL_PARKING, "Nedap SENSIT 3")
    return lots, sites


# --- behaviour ------------------------------------------------------------------------------


def parking_demand(hour: float, street: bool) -> float:
    """The share of spots taken at a local hour: residents at night, visitors from late
    morning to the afternoon (Bukchon's tourist peak), the streets fuller than the lots."""
    night = 0.35 if street else 0.25
    peak = 0.92 if street else 0.85
    # A smooth hump from 9:00 to 19:00, highest at 14:00.
    visitors = math.exp(-(((hour - 14.0) / 3.2) ** 2))
    return min(0.97, night + (peak - night) * visitors)


def activity(hour: float) -> float:
    """How many people pass by, 0.1 at night to 1 in the afternoon."""
    return 0.1 + 0.9 * math.exp(-(((hour - 14.5) / 3.5) ** 2))


@dataclass
class Sensor:
    """One device's simulated state; `key` is the caller's (the device's id)."""

    key: int
    kind: str
    street: bool = True
    status: str = "free"
    level: float = 0.0
    battery: float = 1.0
    drain: float = 0.0  # battery per simulated hour
    rate: float = 0.0  # a bin's filling per simulated hour at full activity
    busy_until: datetime | None = None
    silent: bool = False
    last_sent: datetime | None = None
    changed: bool = True

    def attributes(self) -> dict:
        battery = round(max(self.battery, 0.0), 3)
        if self.kind == WASTE_CONTAINER:
            return {"fillingLevel": round(self.level, 3), "batteryLevel": battery}
        return {"status": self.status, "batteryLevel": battery}


@dataclass
class Town:
    """Every sensor, moved through simulated time by `advance`."""

    sensors: list[Sensor]
    rng: random.Random
    utc_offset: timedelta = timedelta(hours=9)
    stays: dict = field(default_factory=lambda: {True: 50.0, False: 110.0})  # minutes

    @classmethod
    def of(cls, devices: list[tuple[int, str, bool]], rng: random.Random, start: datetime) -> Town:
        """A town of (key, kind, street) devices in the state they would be in at `start`."""
        hour = cls.local_hour(start, timedelta(hours=9))
        sensors = []
        for key, kind, street in devices:
            sensor = Sensor(
                key=key,
                kind=kind,
                street=street,
                battery=rng.uniform(0.35, 1.0) if rng.random() > 0.04 else rng.uniform(0.05, 0.2),
                drain=rng.uniform(0.0005, 0.002),
                rate=rng.uniform(0.02, 0.06),
            )
            if kind == PARKING and rng.random() < parking_demand(hour, street):
                sensor.status = "occupied"
            elif kind == WASTE_CONTAINER:
                sensor.level = rng.uniform(0.0, 0.7)
            sensors.append(sensor)
        return cls(sensors=sensors, rng=rng)

    @staticmethod
    def local_hour(moment: datetime, utc_offset: timedelta) -> float:
        local = moment + utc_offset
        return local.hour + local.minute / 60 + local.second / 3600

    def silence(self, share: float) -> list[Sensor]:
        """A few devices stop sending (a flat battery, a broken radio)."""
        quiet = [s for s in self.sensors if not s.silent and self.rng.random() < share]
        for sensor in quiet:
            sensor.silent = True
        return quiet

    def advance(self, simulated: datetime, minutes: float) -> Iterator[Sensor]:
        """Move every sensor by `minutes` of simulated time ending at `simulated` (aware); the
        sensors with something to send (a change, or their heartbeat due), each once."""
        hour = self.local_hour(simulated, self.utc_offset)
        before = self.local_hour(simulated - timedelta(minutes=minutes), self.utc_offset)
        collected = any(_crossed(before, hour, at) for at in COLLECTIONS)
        for sensor in self.sensors:
            sensor.battery -= sensor.drain * minutes / 60
            if sensor.kind == PARKING:
                self._park(sensor, hour, minutes)
            elif sensor.kind == ILLEGAL_PARKING:
                self._trespass(sensor, hour, minutes, simulated)
            else:
                self._fill(sensor, hour, minutes, collected)
            if sensor.silent or sensor.battery <= 0:
                continue
            every = BIN_REPORT if sensor.kind == WASTE_CONTAINER else HEARTBEAT
            due = sensor.last_sent is None or simulated - sensor.last_sent >= every
            if sensor.changed or due:
                sensor.changed = False
                sensor.last_sent = simulated
                yield sensor

    def _park(self, sensor: Sensor, hour: float, minutes: float) -> None:
        demand = parking_demand(hour, sensor.street)
        leave = min(1.0, minutes / self.stays[sensor.street])
        arrive = min(1.0, leave * demand / (1 - demand))
        flip = leave if sensor.status == "occupied" else arrive
        if self.rng.random() < flip:
            sensor.status = "free" if sensor.status == "occupied" else "occupied"
            sensor.changed = True

    def _trespass(self, sensor: Sensor, hour: float, minutes: float, now: datetime) -> None:
        if sensor.status == "occupied":
            if sensor.busy_until is not None and now >= sensor.busy_until:
                sensor.status, sensor.busy_until, sensor.changed = "free", None, True
            return
        # About once in eight hours per zone at the afternoon's peak, rarely at night.
        if self.rng.random() < min(1.0, activity(hour) * minutes / 480):
            sensor.status, sensor.changed = "occupied", True
            sensor.busy_until = now + timedelta(minutes=self.rng.uniform(5, 40))

    def _fill(self, sensor: Sensor, hour: float, minutes: float, collected: bool) -> None:
        if collected and sensor.level > 0.3:
            sensor.level, sensor.changed = self.rng.uniform(0.0, 0.05), True
            return
        was = sensor.level
        sensor.level = min(1.0, was + sensor.rate * activity(hour) * minutes / 60)
        if (was < 0.8 <= sensor.level) or (was < 1.0 <= sensor.level):
            sensor.changed = True


def _crossed(before: float, after: float, at: float) -> bool:
    """Whether the local clock passed `at` (an hour) going from `before` to `after`."""
    if after >= before:
        return before < at <= after
    return at > before or at <= after  # past midnight
