"""The simulator over the wire: over HTTPS to a running site (each device with the new secret
it was given, every reading 202), and over MQTT to the real Mosquitto (MQTT_URL; each device
its own connection) with an ingest worker writing what it published."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from django.db import connection

from hamkke.iot.models import AssetState, Device, Reading
from hamkke.iot.mqtt import IngestWorker
from hamkke.iot.pages import simulate
from tests.iot.conftest import CITY_HALL, provision
from tests.iot.test_mqtt import drain, listening, mqtt_url  # noqa: F401 (fixtures)


def _town():
    made = [provision("parking", ref=f"S-{n}") for n in range(4)]
    made += [provision("waste-container", point=CITY_HALL, ref=f"B-{n}") for n in range(3)]
    return made


def _play(city, sender, *, ticks: int) -> simulate.Totals:
    """`ticks` simulated hours, a second of real time each, through `sender`."""
    simulator = simulate.Simulator(city=city, send=sender, speed=3600, rng=random.Random(5))
    try:
        for _ in range(ticks):
            simulator.tick(1)
    finally:
        sender.close()
    return simulator.totals


@pytest.mark.django_db(transaction=True)
def test_the_simulator_sends_over_https_as_each_device(live_server):
    from tests import factories

    factories.load_seoul()
    _town()
    from hamkke.core.city.selectors import current_city

    city = current_city()
    devices = list(Device.objects.filter(city=city))
    # One at a time: the live server's in-memory SQLite (shared cache) refuses a second writer
    # at once instead of waiting for it.
    workers = 4 if connection.vendor == "postgresql" else 1
    sender = simulate.HttpSender(live_server.url, simulate.new_secrets(devices), workers=workers)
    totals = _play(city, sender, ticks=4)
    assert totals.sent >= len(devices)
    assert totals.outcomes == Counter(accepted=totals.sent)
    assert Reading.objects.count() == totals.sent
    assert AssetState.objects.count() == len(devices)


@pytest.mark.django_db
@pytest.mark.usefixtures("city")
def test_the_simulator_publishes_over_mqtt_and_the_worker_writes_it(mqtt_url, listening):  # noqa: F811
    _town()
    devices = list(Device.objects.all())
    worker = IngestWorker(url=mqtt_url, city=listening, batch_size=20, flush_seconds=0.2)
    worker.start()
    sender = simulate.MqttSender(mqtt_url, listening, simulate.new_secrets(devices))
    totals = _play(listening, sender, ticks=3)
    drain([worker], totals.sent)
    assert totals.outcomes == Counter(published=totals.sent)
    assert worker.totals.accepted == totals.sent == Reading.objects.count()
    assert AssetState.objects.count() == len(devices)
