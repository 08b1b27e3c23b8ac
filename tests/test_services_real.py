"""The real Redis, RabbitMQ and Mosquitto on 127.0.0.1, reached through the app's own settings.

Each test reads its service's address from HAMKKE_TEST_REDIS_URL, HAMKKE_TEST_BROKER_URL or
HAMKKE_TEST_MQTT_URL and skips when it is unset. `make test` (tests/run.py) sets each to the
service's standard local address when something answers there, and says in its summary which
ran; with HAMKKE_REQUIRE_SERVICES=1 (as in CI) an unset address fails the test instead, so a CI
run cannot pass by skipping them."""

from __future__ import annotations

import os
import socket
import threading
import uuid
from urllib.parse import urlparse

import pytest

from tests import factories

pytestmark = pytest.mark.services


def _service_url(variable: str) -> str:
    url = os.environ.get(variable, "")
    if url:
        return url
    message = f"{variable} is not set (the address of a real service to test against)"
    if os.environ.get("HAMKKE_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{message}, and HAMKKE_REQUIRE_SERVICES=1")
    pytest.skip(message)


def _closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _redis_cache(location: str) -> dict:
    # A key prefix of its own, so the test neither sees nor clears anybody else's keys.
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": location,
            "KEY_PREFIX": f"hamkke-test-{uuid.uuid4().hex[:8]}",
        }
    }


def _sign_in_staff(client) -> None:
    client.force_login(factories.make_user(is_staff=True))


@pytest.fixture
def redis_url() -> str:
    return _service_url("HAMKKE_TEST_REDIS_URL")


@pytest.fixture
def broker_url() -> str:
    return _service_url("HAMKKE_TEST_BROKER_URL")


@pytest.fixture
def mqtt_url() -> str:
    return _service_url("HAMKKE_TEST_MQTT_URL")


def test_redis_cache_round_trips(settings, redis_url):
    settings.CACHES = _redis_cache(redis_url)
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    cache = caches["default"]
    assert isinstance(cache, RedisCache)
    value = {"city": "seoul", "districts": 25, "name": "서울특별시"}
    try:
        cache.set("round-trip", value, 30)
        assert cache.get("round-trip") == value
        assert cache.add("counter", 0, 30)
        assert cache.incr("counter") == 1
    finally:
        cache.delete_many(["round-trip", "counter"])
    assert cache.get("round-trip") is None


def test_healthz_reports_redis_cache_ok(client, db, settings, redis_url):
    settings.CACHES = _redis_cache(redis_url)

    response = client.get("/healthz")

    assert response.status_code == 200, response.content
    assert response.json()["checks"]["cache"] == "ok"


def test_healthz_reports_an_unreachable_redis(client, db, settings):
    settings.CACHES = _redis_cache(f"redis://127.0.0.1:{_closed_port()}/15")
    _sign_in_staff(client)  # what the error was is shown to staff only

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["cache"].startswith("error:")


def test_healthz_reports_rabbitmq_broker_ok(client, db, settings, broker_url):
    settings.CELERY_BROKER_URL = broker_url

    response = client.get("/healthz")

    assert response.status_code == 200, response.content
    assert response.json()["checks"] == {"database": "ok", "cache": "ok", "broker": "ok"}


def test_healthz_reports_a_broker_on_the_wrong_port(client, db, settings, broker_url):
    wrong = urlparse(broker_url)._replace(netloc=f"guest:guest@127.0.0.1:{_closed_port()}")
    settings.CELERY_BROKER_URL = wrong.geturl()
    _sign_in_staff(client)  # what the error was is shown to staff only

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["broker"].startswith("error:")
    assert body["checks"]["database"] == "ok"


def test_mosquitto_delivers_a_published_message(mqtt_url):
    """The broker the IoT ingest will use accepts a subscription and delivers to it."""
    import paho.mqtt.client as mqtt

    address = urlparse(mqtt_url)
    topic = f"hamkke/test/{uuid.uuid4().hex}"
    received: list[bytes] = []
    subscribed = threading.Event()
    arrived = threading.Event()

    def on_subscribe(client, userdata, mid, reason_codes, properties):
        subscribed.set()

    def on_message(client, userdata, message):
        received.append(message.payload)
        arrived.set()

    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    client.on_subscribe = on_subscribe
    client.on_message = on_message
    client.connect(address.hostname or "127.0.0.1", address.port or 1883, keepalive=10)
    client.loop_start()
    try:
        client.subscribe(topic, qos=1)
        assert subscribed.wait(5), "no SUBACK from the broker within 5 s"
        client.publish(topic, "주차 1".encode(), qos=1).wait_for_publish(5)
        assert arrived.wait(5), "the published message did not arrive within 5 s"
    finally:
        client.loop_stop()
        client.disconnect()
    assert received == ["주차 1".encode()]
