"""`hamkke iot simulate`: the city's sensors (the Bukchon demo's, or any provisioned) played by
pages/bukchon.py's behaviour, a day compressed into minutes (`speed` simulated seconds per real
second: 144 plays a day in ten minutes), sent as the devices would send them:

- over MQTT when MQTT_URL is set: each device publishes on its own topic
  (`hamkke/<city>/<id>/attrs`) with its own connection, username = its id, password = its
  secret. The demo's devices have secrets nobody knows, so the simulator gives each a new one
  at its start (services.rotate_secret) and keeps them in memory only. A broker that allows
  anonymous clients (this machine's Mosquitto) takes them as they are; a production broker
  checks its password file, so run `hamkke iot mosquitto --passwords … --acl …` and reload
  Mosquitto after the simulator has started (it says so), or simulate on a staging broker;
- over HTTPS to a running site's `POST /api/v1/iot/devices/{id}/readings` (`--http`, `--url`),
  with the same new secrets as Bearer tokens;
- with neither, straight through services.ingest, in this process.

A reading's `time` is the real clock at the moment it is sent, never the simulated one: the
compressed day moves what the sensors report, not when they say they reported it, so no
reading is ever too old or from the future."""

from __future__ import annotations

import json
import random
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.utils import timezone

from hamkke.core.models import City
from hamkke.iot import mosquitto, services
from hamkke.iot.models import Device, DeviceStatus
from hamkke.iot.pages.bukchon import Town

# Of the devices, the share falling silent per simulated hour (about 5 % over a day).
SILENT_PER_HOUR = 0.002


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


# --- senders: each takes [(device id, payload dict)] and answers a Counter of outcomes ---------


class DirectSender:
    """services.ingest in this process, one batch a tick."""

    name = "direct"

    def __init__(self, city: City):
        self.city = city

    def __call__(self, batch: list[tuple[int, dict]]) -> Counter:
        now = timezone.now()
        messages = [services.Message(pk, body, now) for pk, body in batch]
        return Counter(services.ingest(messages, city=self.city).reasons) if messages else Counter()

    def close(self) -> None:
        pass


class HttpSender:
    """POST /api/v1/iot/devices/{id}/readings on a running site, a few at a time."""

    name = "http"

    def __init__(self, url: str, secrets: dict[int, str], workers: int = 8, timeout: float = 10):
        self.url, self.secrets, self.timeout = url.rstrip("/"), secrets, timeout
        self.pool = ThreadPoolExecutor(workers)

    def _post(self, pk: int, body: dict) -> str:
        request = urllib.request.Request(
            f"{self.url}/api/v1/iot/devices/{pk}/readings",
            data=json.dumps(body).encode(),
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {self.secrets[pk]}",
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                answer = json.loads(response.read())
                return "duplicate" if answer.get("duplicate") else "accepted"
        except urllib.error.HTTPError as error:
            try:
                return str(json.loads(error.read()).get("code") or error.code)
            except ValueError:
                return str(error.code)
        except OSError:
            return "unreachable"

    def __call__(self, batch: list[tuple[int, dict]]) -> Counter:
        return Counter(self.pool.map(lambda item: self._post(*item), batch))

    def close(self) -> None:
        self.pool.shutdown(wait=True)


class MqttSender:
    """Each device its own MQTT connection (username = its id, password = its secret),
    publishing QoS 1 on its own topic; connected on its first reading."""

    name = "mqtt"

    def __init__(self, url: str, city: City, secrets: dict[int, str]):
        self.url, self.city, self.secrets = url, city, secrets
        self.clients: dict = {}

    def _client(self, pk: int):
        from urllib.parse import urlparse, urlunparse

        from hamkke.iot.mqtt import client_for, connect

        client = self.clients.get(pk)
        if client is None:
            parts = urlparse(self.url)
            host = f"{parts.hostname}:{parts.port or 1883}"
            as_device = urlunparse(parts._replace(netloc=f"{pk}:{self.secrets[pk]}@{host}"))
            client = client_for(as_device, client_id=f"hamkke-sim-{self.city.slug}-{pk}")
            connect(client, as_device)
            self.clients[pk] = client
        return client

    def __call__(self, batch: list[tuple[int, dict]]) -> Counter:
        outcomes: Counter = Counter()
        sent = []
        for pk, body in batch:
            try:
                topic = mosquitto.device_topic(self.city.slug, pk)
                sent.append(self._client(pk).publish(topic, json.dumps(body), qos=1))
            except (ConnectionError, OSError, ValueError):
                outcomes["unreachable"] += 1
        for info in sent:
            try:
                info.wait_for_publish(5)
                outcomes["published"] += 1
            except (RuntimeError, ValueError):
                outcomes["unreachable"] += 1
        return outcomes

    def close(self) -> None:
        for client in self.clients.values():
            client.disconnect()
            client.loop_stop()


def new_secrets(devices: list[Device]) -> dict[int, str]:
    """A new secret for each device (the demo's are unknown), kept in memory only."""
    return {device.pk: services.rotate_secret(device=device) for device in devices}


# --- the simulation -----------------------------------------------------------------------------


@dataclass
class Totals:
    ticks: int = 0
    sent: int = 0
    outcomes: Counter = field(default_factory=Counter)
    simulated: timedelta = timedelta(0)


class Simulator:
    """The city's active devices in a simulated town; `tick` moves it on and sends what the
    sensors report, `run` ticks in real time."""

    def __init__(
        self,
        *,
        city: City,
        send: Callable[[list[tuple[int, dict]]], Counter],
        speed: float = 144.0,
        rng: random.Random | None = None,
        start: datetime | None = None,
        clock: Callable[[], datetime] = timezone.now,
    ):
        self.city, self.send, self.speed, self.clock = city, send, speed, clock
        self.rng = rng or random.Random()
        self.devices = list(
            Device.objects.filter(city=city, status=DeviceStatus.ACTIVE)
            .select_related("asset")
            .order_by("pk")
        )
        self.simulated = start or clock()
        self.town = Town.of(
            [(d.pk, d.kind, d.asset.lot_id is None) for d in self.devices], self.rng, self.simulated
        )
        self.totals = Totals()

    def tick(self, seconds: float) -> Counter:
        """`seconds` of real time passed: the town moves on `seconds × speed`, and the sensors
        with something to say send it, stamped with the real clock."""
        step = timedelta(seconds=seconds * self.speed)
        self.simulated += step
        self.totals.simulated += step
        minutes = step.total_seconds() / 60
        self.town.silence(SILENT_PER_HOUR * minutes / 60)
        now = self.clock()
        batch = [
            (sensor.key, {"time": _stamp(now), **sensor.attributes()})
            for sensor in self.town.advance(self.simulated, minutes)
        ]
        outcomes = self.send(batch)
        self.totals.ticks += 1
        self.totals.sent += len(batch)
        self.totals.outcomes.update(outcomes)
        return outcomes

    def run(
        self, *, seconds: float, every: float = 1.0, stop: threading.Event | None = None
    ) -> Totals:
        started = last = time.monotonic()
        while time.monotonic() - started < seconds and not (stop and stop.is_set()):
            time.sleep(max(0.0, last + every - time.monotonic()))
            now = time.monotonic()
            self.tick(now - last)
            last = now
        return self.totals
