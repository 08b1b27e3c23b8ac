"""The IoT demo for `hamkke demo`: the Bukchon pilot (pages/bukchon.py) — three parking lots of
60 sensed spots each, 150 street spots, 120 smart bins and 40 no-parking zones watched by
illegal-parking sensors, around Bukchon in Jongno — each sensor a device, with a day of
readings as history (every ten minutes of the day played by the same behaviour the simulator
plays) and each asset's latest state. Skipped when the first lot is there.

Demo data, written in bulk: the devices' secrets are random and told to no one (the hashes of
secrets nobody knows), so no device can send until an official rotates its secret — which is
what `hamkke iot simulate` does for itself at its start."""

from __future__ import annotations

import random
import secrets
import time
from collections.abc import Iterator
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from hamkke.core.city.selectors import current_city, district_index
from hamkke.core.geo import cell_for
from hamkke.core.models import District
from hamkke.iot import mosquitto, services
from hamkke.iot.models import (
    ASSET_OF_KIND,
    Asset,
    AssetKind,
    AssetState,
    Device,
    Kind,
    Reading,
)
from hamkke.iot.pages import bukchon

FIRST_LOT = bukchon.LOTS[0][0]
STEP = timedelta(minutes=10)
SEED = 2019  # the year Seoul chose Bukchon for its IoT pilot


def seed() -> Iterator[str]:
    city = current_city()
    if Asset.objects.filter(city=city, ref=FIRST_LOT).exists():
        yield "IoT: the Bukchon pilot is already there."
        return
    started = time.monotonic()
    rng = random.Random(SEED)
    lots, sites = bukchon.layout(rng)
    with transaction.atomic():
        assets = _assets(city, lots, sites)
        devices = _devices(city, sites, assets)
        readings = _history(devices, sites, rng)
    kinds = {kind: sum(1 for site in sites if site.kind == kind) for kind in Kind.values}
    yield (
        f"IoT: the Bukchon pilot, {len(lots)} parking lots, {kinds[Kind.PARKING]} parking "
        f"sensors, {kinds[Kind.WASTE_CONTAINER]} smart bins, {kinds[Kind.ILLEGAL_PARKING]} "
        f"illegal-parking sensors, {readings:,} readings of the last day in "
        f"{time.monotonic() - started:.1f} s (/iot/; `hamkke iot simulate` moves them)."
    )
    yield from _trucks_and_plan(city)
    yield from _shared_spots(city)


def _point(city, index, districts: dict[str, District], lat: float, lon: float) -> dict:
    code = index.district_of(lat, lon)
    return {
        "latitude": lat,
        "longitude": lon,
        "cell": cell_for(lat, lon),
        "district": districts.get(code),
    }


def _assets(city, lots, sites) -> dict[str, Asset]:
    index = district_index(city)
    districts = {d.code: d for d in District.objects.filter(city=city)}

    def asset(site: bukchon.Site, kind: str, lot: Asset | None = None) -> Asset:
        return Asset(
            city=city,
            kind=kind,
            ref=site.ref,
            name=site.name,
            entity_id=services.entity_id(city, kind, site.ref),
            lot=lot,
            **_point(city, index, districts, site.lat, site.lon),
        )

    made = Asset.objects.bulk_create([asset(lot, AssetKind.OFF_STREET_PARKING) for lot in lots])
    by_ref = {row.ref: row for row in made}
    rows = [
        asset(site, ASSET_OF_KIND[Kind(site.kind)], by_ref.get(site.lot) if site.lot else None)
        for site in sites
    ]
    by_ref.update({row.ref: row for row in Asset.objects.bulk_create(rows, batch_size=500)})
    return by_ref


def _devices(city, sites, assets: dict[str, Asset]) -> list[Device]:
    keeper = services.keeper_of(city)
    now = timezone.now()
    rows = []
    for site in sites:
        asset = assets[site.ref]
        unknown = secrets.token_urlsafe(services.SECRET_BYTES)  # told to no one
        rows.append(
            Device(
                city=city,
                kind=site.kind,
                model_name=site.model,
                asset=asset,
                department=keeper,
                latitude=asset.latitude,
                longitude=asset.longitude,
                cell=asset.cell,
                district=asset.district,
                secret_hash=services.secret_hash(unknown),
                mqtt_hash=mosquitto.password_hash(unknown),
                secret_changed_at=now,
                created_at=now - timedelta(days=30),
            )
        )
    return Device.objects.bulk_create(rows, batch_size=500)


def _history(devices: list[Device], sites, rng: random.Random) -> int:
    """A day of readings, ten minutes at a time, then each asset's state and each device's last
    reading and battery. A few devices fall silent in the last hours."""
    now = timezone.now()
    start = now - timedelta(days=1) + STEP
    by_key = {device.pk: device for device in devices}
    town = bukchon.Town.of(
        [(d.pk, d.kind, not site.lot) for d, site in zip(devices, sites, strict=True)], rng, start
    )
    rows: list[Reading] = []
    latest: dict[int, tuple] = {}
    moment = start
    while moment <= now:
        if now - moment < timedelta(hours=3) and not any(s.silent for s in town.sensors):
            town.silence(0.02)
        for sensor in town.advance(moment, STEP.total_seconds() / 60):
            device = by_key[sensor.key]
            sent = moment - timedelta(seconds=rng.uniform(1, 120))
            attributes = sensor.attributes()
            rows.append(
                Reading(
                    asset_id=device.asset_id,
                    device=device,
                    device_time=sent,
                    received_at=sent + timedelta(seconds=rng.uniform(0.05, 2)),
                    attributes=attributes,
                )
            )
            latest[device.pk] = (sent, attributes)
        moment += STEP
    Reading.objects.bulk_create(rows, batch_size=2000)
    states = []
    for pk, (sent, attributes) in latest.items():
        device = by_key[pk]
        device.last_seen = sent
        device.battery = round(attributes["batteryLevel"] * 100)
        states.append(
            AssetState(
                asset_id=device.asset_id, attributes=attributes, observed_at=sent, updated_at=sent
            )
        )
    AssetState.objects.bulk_create(states, batch_size=500)
    Device.objects.bulk_update(list(by_key.values()), ["last_seen", "battery"], batch_size=500)
    return len(rows)


# Jongno-gu office's yard, where the demo's collection trucks start and end their rounds.
DEPOT = (37.5735, 126.9790)
TRUCKS = (("종로 1호차", 4_000), ("종로 2호차", 4_000), ("종로 3호차 (소형)", 2_500))
# Street spots the demo's resident shares (the polls demo's verified proposer holds them).
SHARED_SPOTS = ("BUKCHON-S-001", "BUKCHON-S-002", "BUKCHON-S-003")


def _trucks_and_plan(city) -> Iterator[str]:
    """Three trucks at the district office and today's collection plan of the bins due now,
    through the bins' services, so the desk's plan page has routes to show."""
    from hamkke.iot.bins import services as bins_services

    _fill_some_bins(city, count=30)
    for name, litres in TRUCKS:
        bins_services.save_truck(
            actor=None,
            name=name,
            capacity_litres=litres,
            latitude=DEPOT[0],
            longitude=DEPOT[1],
            city=city,
        )
    plan = bins_services.make_plan(day=timezone.localdate(), city=city, seconds=2)
    routes = plan.routes.count()
    yield f"IoT: {len(TRUCKS)} collection trucks, today's plan with {routes} routes."


def _fill_some_bins(city, *, count: int) -> None:
    """An afternoon's crowd: `count` bins read nearly full a minute ago (a reading each, and
    their latest state), so today's collection has bins to route."""
    rng = random.Random(SEED + 1)
    now = timezone.now()  # after the history's last reading: the newest, as the state says
    bins = list(
        Device.objects.filter(city=city, kind=Kind.WASTE_CONTAINER)
        .select_related("asset__state")
        .order_by("pk")
    )
    chosen = rng.sample(bins, min(count, len(bins)))
    readings, states = [], []
    for device in chosen:
        state = device.asset.state
        attributes = {**state.attributes, "fillingLevel": round(rng.uniform(0.82, 0.99), 2)}
        readings.append(
            Reading(
                asset=device.asset,
                device=device,
                device_time=now,
                received_at=now,
                attributes=attributes,
            )
        )
        state.attributes, state.observed_at, state.updated_at = attributes, now, now
        states.append(state)
    Reading.objects.bulk_create(readings, ignore_conflicts=True)
    AssetState.objects.bulk_update(states, ["attributes", "observed_at", "updated_at"])


def _shared_spots(city) -> Iterator[str]:
    """A resident (the polls demo's verified proposer, when that demo ran) holds three street
    spots and shares them from the next hour for a day, so the citizen can reserve one."""
    from hamkke.accounts.models import User
    from hamkke.iot.parking import services as parking_services

    holder = User.objects.filter(email="proposer@demo.hamkke.kr").first()
    if holder is None:
        return
    start = timezone.localtime().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    shared = 0
    for ref in SHARED_SPOTS:
        spot = Asset.objects.filter(city=city, ref=ref).first()
        if spot is None:
            continue
        parking_services.register_holder(spot=spot, user=holder)
        parking_services.share_window(
            spot=spot, start=start, end=start + timedelta(hours=24), actor=holder
        )
        shared += 1
    yield f"IoT: {shared} street spots shared by a resident for the next day (/iot/parking/)."
