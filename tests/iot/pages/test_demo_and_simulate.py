"""The Bukchon demo and the simulator: the demo's hundreds of sensors around Bukchon, inside
Jongno, each with a device, a day of history and a state, seeded in seconds and once; a short
simulated run moves states and writes readings; a simulated clock far from the real one never
produces a refused reading; the command runs and says what it sent; the daily prune task."""

from __future__ import annotations

import random
import time
from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from hamkke.core.geo import distance_m
from hamkke.iot import services, tasks
from hamkke.iot.models import (
    Asset,
    AssetKind,
    AssetState,
    Device,
    IngestCounter,
    Kind,
    Reading,
)
from hamkke.iot.pages import bukchon, demo, simulate
from tests.iot.conftest import BUKCHON, CITY_HALL, provision

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("city")]

JONGNO = "11110"


@pytest.fixture
def seeded():
    started = time.monotonic()
    said = list(demo.seed())
    return said, time.monotonic() - started


def test_the_demo_is_bukchons_pilot_inside_jongno(seeded):
    said, seconds = seeded
    assert seconds < 20 and "Bukchon" in said[0]
    devices = Device.objects.select_related("district", "asset")
    by_kind = Counter(device.kind for device in devices)
    assert by_kind[Kind.PARKING] == 3 * 60 + bukchon.STREET_SPOTS
    assert by_kind[Kind.WASTE_CONTAINER] == bukchon.BINS
    assert by_kind[Kind.ILLEGAL_PARKING] == bukchon.ZONES
    lots = Asset.objects.filter(kind=AssetKind.OFF_STREET_PARKING)
    assert lots.count() == 3
    assert all(lot.spots.count() == 60 for lot in lots)
    for device in devices:
        assert device.district.code == JONGNO
        assert device.asset.district_id == device.district_id
        assert distance_m(*BUKCHON, device.latitude, device.longitude) < 1_000
        assert device.last_seen is not None and 0 <= device.battery <= 100
    # Each asset watched by a device has its state, from its newest reading.
    watched = Asset.objects.exclude(kind=AssetKind.OFF_STREET_PARKING)
    assert AssetState.objects.count() == watched.count() == devices.count()
    newest = Reading.objects.order_by("-device_time").first()
    assert AssetState.objects.get(asset_id=newest.asset_id).observed_at == newest.device_time
    # A day of history, with the parking spots changing through it.
    now = timezone.now()
    oldest = Reading.objects.order_by("device_time").first().device_time
    assert timedelta(hours=23) < now - oldest <= timedelta(days=1)
    spot = Asset.objects.filter(kind=AssetKind.PARKING_SPOT, lot__isnull=True).first()
    statuses = {r.attributes["status"] for r in Reading.objects.filter(asset=spot)}
    assert Reading.objects.count() > 10 * len(devices)
    occupied = sum(
        1 for state in AssetState.objects.all() if state.attributes.get("status") == "occupied"
    )
    assert 0 < occupied < by_kind[Kind.PARKING] + by_kind[Kind.ILLEGAL_PARKING]
    assert statuses == {"free", "occupied"}  # a street spot through a day


def test_the_demos_secrets_are_unknown_and_seeding_twice_changes_nothing(seeded):
    device = Device.objects.first()
    assert device.secret_hash and device.mqtt_hash.startswith("$7$")
    assert Device.objects.values("secret_hash").distinct().count() == Device.objects.count()
    count = Reading.objects.count()
    assert list(demo.seed()) == ["IoT: the Bukchon pilot is already there."]
    assert Reading.objects.count() == count


def test_the_behaviour_follows_the_hour_of_the_day():
    assert bukchon.parking_demand(14, True) > 0.85 > 0.4 > bukchon.parking_demand(3, True)
    rng = random.Random(1)
    start = timezone.now()
    town = bukchon.Town.of([(n, bukchon.WASTE_CONTAINER, True) for n in range(50)], rng, start)
    levels = [sensor.level for sensor in town.sensors]
    moment = start
    for _ in range(12):  # two hours
        moment += timedelta(minutes=10)
        list(town.advance(moment, 10))
    assert all(
        after.level >= before or after.level < 0.06
        for after, before in zip(town.sensors, levels, strict=True)
    )
    zones = bukchon.Town.of([(n, bukchon.ILLEGAL_PARKING, True) for n in range(200)], rng, start)
    moment = start.replace(hour=5, minute=0)  # 14:00 in Seoul
    lasted = []
    began: dict[int, object] = {}
    for _ in range(60 * 8):
        moment += timedelta(minutes=1)
        for sensor in zones.advance(moment, 1):
            if sensor.status == "occupied":
                began[sensor.key] = moment
            elif sensor.key in began:
                lasted.append((moment - began.pop(sensor.key)).total_seconds() / 60)
    assert lasted and all(4 <= minutes <= 41 for minutes in lasted)


@pytest.fixture
def few_devices():
    made = [provision("parking", ref=f"S-{n}") for n in range(6)]
    made += [provision("waste-container", point=CITY_HALL, ref=f"B-{n}") for n in range(4)]
    made += [provision("illegal-parking", ref=f"Z-{n}") for n in range(3)]
    return made


def test_a_short_simulated_run_moves_states_and_writes_readings(city, few_devices):
    simulator = simulate.Simulator(
        city=city, send=simulate.DirectSender(city), speed=3600, rng=random.Random(7)
    )
    simulator.tick(1)
    first = dict(AssetState.objects.values_list("asset_id", "attributes"))
    assert len(first) == len(few_devices) and Reading.objects.count() == len(few_devices)
    for _ in range(20):  # twenty simulated hours, a second of real time each
        simulator.tick(1)
    later = dict(AssetState.objects.values_list("asset_id", "attributes"))
    assert later != first
    assert Reading.objects.count() == simulator.totals.sent > len(few_devices)
    assert simulator.totals.outcomes == Counter(accepted=simulator.totals.sent)
    assert Device.objects.filter(last_seen__isnull=True).count() == 0


@pytest.mark.parametrize("offset", [timedelta(days=-3), timedelta(days=2), timedelta(hours=7)])
def test_a_simulated_clock_far_from_the_real_one_never_sends_a_refused_reading(
    city, few_devices, offset
):
    simulator = simulate.Simulator(
        city=city,
        send=simulate.DirectSender(city),
        speed=20_000,
        rng=random.Random(3),
        start=timezone.now() + offset,
    )
    for _ in range(30):
        simulator.tick(0.5)
    assert simulator.totals.sent > 0
    assert set(simulator.totals.outcomes) == {"accepted"}
    assert dict(IngestCounter.objects.values_list("reason", "count")) == {
        "accepted": simulator.totals.sent
    }


def test_the_simulator_gives_its_devices_new_secrets_in_memory(city, few_devices):
    devices = list(Device.objects.all())
    secrets = simulate.new_secrets(devices)
    for made in few_devices:
        device = Device.objects.get(pk=made.device.pk)
        assert services.authenticate(city, device.pk, secrets[device.pk]) == device
        assert device.secret_hash != services.secret_hash(made.secret)


def test_the_command_simulates_straight_into_the_database(few_devices, settings):
    settings.MQTT_URL = ""
    out = StringIO()
    call_command("iot", "simulate", "--minutes", "0.05", "--speed", "3000", stdout=out)
    text = out.getvalue()
    assert "straight into the database" in text and "accepted" in text
    assert Reading.objects.count() > 0
    sent = int(text.split("readings sent")[0].split()[-1])
    assert sent == Reading.objects.count()


def test_the_command_refuses_nonsense(few_devices):
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        call_command("iot", "simulate", "--minutes", "-1")


def test_the_daily_prune_task_rolls_up_old_readings(city, few_devices):
    made = few_devices[0]
    old = timezone.now() - timedelta(days=40)
    Reading.objects.create(
        asset=made.device.asset,
        device=made.device,
        device_time=old,
        received_at=old,
        attributes={"status": "free"},
    )
    assert tasks.prune.apply().get() == [2, 1]  # an hour and a day rolled up, one deleted
    assert not Reading.objects.exists()


@pytest.fixture
def resident():
    """The polls demo's proposer, verified by phone, whom the IoT demo makes a spot holder."""
    from tests.polls.conftest import phone_voter

    return phone_voter(email="proposer@demo.hamkke.kr")


def test_the_demo_has_a_collection_plan_over_every_due_bin_and_shared_spots(resident, seeded):
    from hamkke.iot.bins.models import CollectionPlan, LeftOver, Stop, Truck
    from hamkke.iot.bins.selectors import due_bins
    from hamkke.iot.parking.models import ShareWindow

    assert Truck.objects.count() == len(demo.TRUCKS)
    plan = CollectionPlan.objects.get()
    planned = set(Stop.objects.filter(route__plan=plan).values_list("asset_id", flat=True))
    left = set(LeftOver.objects.filter(plan=plan).values_list("asset_id", flat=True))
    due = {row.asset.pk for row in due_bins(plan.city)}
    assert len(due) >= 20 and planned | left == due and not planned & left
    # The resident's windows are open to reservations, from the next hour on.
    windows = ShareWindow.objects.select_related("spot", "holder")
    assert {w.holder.user_id for w in windows} == {resident.pk}
    assert sorted(w.spot.ref for w in windows) == sorted(demo.SHARED_SPOTS)
    assert all(w.start > timezone.now() for w in windows)
