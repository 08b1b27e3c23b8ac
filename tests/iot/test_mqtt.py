"""The MQTT ingest worker against the real Mosquitto (MQTT_URL, e.g. mqtt://127.0.0.1:1883):
published readings end up as rows, bad messages are counted and never stop the worker, and two
workers of one shared subscription split the messages (each gets some, the total is exact).
Skipped with a message when MQTT_URL is unset, failed instead under HAMKKE_REQUIRE_SERVICES=1.

Each test listens on a city slug of its own, so tests running at once never read each other's
messages (the broker is shared; the topic names the city)."""

from __future__ import annotations

import os
import time
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from hamkke.iot import mosquitto
from hamkke.iot.models import AssetState, Reading
from hamkke.iot.mqtt import IngestWorker, client_for, connect, device_of
from tests.iot.conftest import PALACE, counters, payload, provision

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("city")]


@pytest.fixture
def mqtt_url() -> str:
    # `make test` (tests/run.py) names the Mosquitto it found as HAMKKE_TEST_MQTT_URL.
    url = os.environ.get("MQTT_URL") or os.environ.get("HAMKKE_TEST_MQTT_URL", "")
    if url:
        return url
    message = (
        "Neither MQTT_URL nor HAMKKE_TEST_MQTT_URL is set (the address of a real Mosquitto to "
        "test against)"
    )
    if os.environ.get("HAMKKE_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{message}, and HAMKKE_REQUIRE_SERVICES=1")
    pytest.skip(message)


@pytest.fixture
def listening(city):
    """The city as the workers see it, under a slug no other test publishes to."""
    city.slug = f"t{uuid.uuid4().hex[:10]}"
    return city


def publish(url: str, messages: list[tuple[str, bytes]]) -> None:
    client = client_for(url)
    connect(client, url)
    try:
        for topic, body in messages:
            client.publish(topic, body, qos=1).wait_for_publish(5)
    finally:
        client.disconnect()
        client.loop_stop()


def drain(workers: list[IngestWorker], expected: int, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for worker in workers:
            worker.step(0.02)
        if sum(w.totals.received for w in workers) >= expected:
            break
    for worker in workers:
        worker.stop()


def test_device_of_reads_only_the_scheme():
    assert device_of("hamkke/seoul/42/attrs", "seoul") == 42
    for topic in ("hamkke/seoul/x/attrs", "hamkke/mumbai/42/attrs", "hamkke/seoul/42", "a/b/c/d"):
        assert device_of(topic, "seoul") is None


def test_readings_published_to_the_broker_become_rows(mqtt_url, listening):
    spot = provision().device
    bin_ = provision("waste-container", point=PALACE).device
    now = timezone.now()
    good = [
        (mosquitto.device_topic(listening.slug, spot.pk), payload(now, status="occupied")),
        (mosquitto.device_topic(listening.slug, bin_.pk), payload(now, fillingLevel=0.9)),
    ]
    bad = [
        (mosquitto.device_topic(listening.slug, bin_.pk), payload(now, fillingLevel=3.7)),
        (mosquitto.device_topic(listening.slug, 987654), payload(now, status="free")),
        (f"hamkke/{listening.slug}/not-a-device/attrs", b"{}"),
        (mosquitto.device_topic(listening.slug, spot.pk), b"\x00\xff"),
        good[0],  # a replay
    ]
    worker = IngestWorker(url=mqtt_url, city=listening, batch_size=3, flush_seconds=0.2)
    worker.start()
    publish(mqtt_url, good + bad)
    drain([worker], len(good + bad))
    assert Reading.objects.count() == 2
    assert AssetState.objects.get(asset=spot.asset).attributes == {"status": "occupied"}
    assert AssetState.objects.get(asset=bin_.asset).attributes == {"fillingLevel": 0.9}
    assert counters(listening) == {
        "accepted": 2,
        "invalid_value": 1,
        "unknown_device": 2,
        "malformed": 1,
        "duplicate": 1,
    }
    assert worker.totals.batches >= 2  # batches of three


def test_two_workers_of_the_shared_subscription_split_the_messages(mqtt_url, listening):
    devices = [provision().device for _ in range(4)]
    now = timezone.now()
    messages = [
        (
            mosquitto.device_topic(listening.slug, devices[n % 4].pk),
            payload(now - timedelta(seconds=n), status="free" if n % 2 else "occupied"),
        )
        for n in range(60)
    ]
    group = f"g{uuid.uuid4().hex[:8]}"
    workers = [
        IngestWorker(url=mqtt_url, city=listening, batch_size=10, flush_seconds=0.2, group=group)
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    publish(mqtt_url, messages)
    drain(workers, len(messages))
    shares = [worker.totals.accepted for worker in workers]
    assert all(share > 0 for share in shares), shares
    assert sum(shares) == len(messages) == Reading.objects.count()
    assert counters(listening) == {"accepted": 60}
