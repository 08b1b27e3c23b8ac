"""The MQTT ingest worker behind `hamkke iot ingest`.

It subscribes with an MQTT v5 shared subscription, `$share/hamkke-ingest/hamkke/<city>/+/attrs`
(QoS 1), so several workers split the city's devices' messages between them, and writes them
in batches through services.ingest: a batch is flushed every `batch_size` messages or
`flush_seconds` seconds, whichever comes first. Messages are acknowledged (manual PUBACK) only
after their batch commits, so a worker that dies loses nothing the broker gave it; a redelivery
is a duplicate, a no-op. A topic that names no device, an unknown or revoked device, and a
payload that is not a reading are counted and dropped; nothing a device sends stops the
worker. The broker's address is settings.MQTT_URL (mqtt://user:password@host:1883)."""

from __future__ import annotations

import logging
import queue
import threading
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import unquote, urlparse

import paho.mqtt.client as paho
from django.db import close_old_connections, connection
from django.utils import timezone
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions

from hamkke.core.models import City
from hamkke.iot import mosquitto, services

logger = logging.getLogger(__name__)
RECEIVE_MAXIMUM = 65_535


def client_for(url: str, *, client_id: str = "", manual_ack: bool = False) -> paho.Client:
    """A connected MQTT v5 client for `url` (mqtt://[user[:password]@]host[:port]); its
    network loop runs in a thread of its own."""
    parts = urlparse(url)
    if parts.scheme not in ("mqtt", "tcp") or not parts.hostname:
        raise ValueError(f"not an MQTT address: {url!r} (like mqtt://127.0.0.1:1883)")
    client = paho.Client(
        CallbackAPIVersion.VERSION2,
        client_id=client_id or f"hamkke-{uuid.uuid4().hex[:12]}",
        protocol=paho.MQTTv5,
        manual_ack=manual_ack,
    )
    if parts.username:
        client.username_pw_set(unquote(parts.username), unquote(parts.password or ""))
    return client


def connect(
    client: paho.Client, url: str, timeout: float = 10, receive_maximum: int | None = None
) -> None:
    """Connect and start the client's loop. `receive_maximum` (MQTT v5) is how many QoS 1
    messages the broker may send before they are acknowledged: Mosquitto's own default is 20,
    which would cap a worker's batches at 20 and, past the broker's queue (max_queued_messages,
    1,000 by default), drop what a burst brings."""
    parts = urlparse(url)
    properties = None
    if receive_maximum:
        properties = Properties(PacketTypes.CONNECT)
        properties.ReceiveMaximum = receive_maximum
    ready = threading.Event()
    failure: list = []

    def on_connect(_client, _userdata, _flags, reason_code, _properties):
        if reason_code.is_failure:
            failure.append(str(reason_code))
        ready.set()

    client.on_connect = on_connect
    client.connect(
        parts.hostname, parts.port or 1883, keepalive=30, clean_start=True, properties=properties
    )
    client.loop_start()
    if not ready.wait(timeout) or failure:
        client.loop_stop()
        raise ConnectionError(f"MQTT broker at {url} refused or did not answer: {failure}")


def device_of(topic: str, city: str) -> int | None:
    """The device id a topic `hamkke/<city>/<id>/attrs` names; None for any other topic."""
    parts = topic.split("/")
    if len(parts) != 4 or parts[0] != "hamkke" or parts[1] != city or parts[3] != "attrs":
        return None
    written = parts[2]
    return int(written) if written.isascii() and written.isdigit() and len(written) < 19 else None


@dataclass
class Totals:
    received: int = 0
    accepted: int = 0
    refused: int = 0
    batches: int = 0
    reasons: dict = field(default_factory=dict)


class IngestWorker:
    """One worker of the shared subscription. `start()` subscribes, `step()` moves what arrived
    into the pending batch and flushes it when due, `stop()` flushes and disconnects; `run()`
    does all three until told to stop, for a time, or for a number of messages."""

    def __init__(
        self,
        *,
        url: str,
        city: City,
        batch_size: int = 500,
        flush_seconds: float = 1.0,
        group: str = mosquitto.SHARE_GROUP,
        client_id: str = "",
    ):
        self.url, self.city = url, city
        self.batch_size, self.flush_seconds = batch_size, flush_seconds
        self.topic = mosquitto.shared_subscription(city.slug, group)
        self.inbox: queue.Queue = queue.Queue()
        self.pending: list[tuple[services.Message, int, int]] = []
        self.oldest = 0.0
        self.totals = Totals()
        self.subscribed = threading.Event()
        self.client = client_for(url, client_id=client_id, manual_ack=True)
        self.client.on_message = self._on_message
        self.client.on_subscribe = lambda *args: self.subscribed.set()

    # paho's network thread only queues: the database is written from the worker's thread.
    def _on_message(self, _client, _userdata, message) -> None:
        self.inbox.put((message.topic, message.payload, message.mid, message.qos, time.monotonic()))

    def start(self, timeout: float = 10) -> None:
        # Messages are acknowledged after their batch commits: let the broker send many more
        # than a batch before that (the most MQTT v5 allows).
        connect(self.client, self.url, timeout, receive_maximum=RECEIVE_MAXIMUM)
        options = SubscribeOptions(qos=1)
        self.client.subscribe(self.topic, options=options)
        if not self.subscribed.wait(timeout):
            raise ConnectionError(f"the broker did not confirm the subscription {self.topic}")

    def step(self, wait: float = 0.05) -> int:
        """Take what arrived (waiting up to `wait` for the first), flush when due; returns the
        number of messages flushed."""
        try:
            item = self.inbox.get(timeout=wait)
        except queue.Empty:
            item = None
        while item is not None:
            self._add(*item)
            if len(self.pending) >= self.batch_size:
                break
            try:
                item = self.inbox.get_nowait()
            except queue.Empty:
                item = None
        due = self.pending and (
            len(self.pending) >= self.batch_size
            or time.monotonic() - self.oldest >= self.flush_seconds
        )
        return self.flush() if due else 0

    def _add(self, topic: str, payload: bytes, mid: int, qos: int, arrived: float) -> None:
        if not self.pending:
            self.oldest = arrived
        self.totals.received += 1
        message = services.Message(device_of(topic, self.city.slug), payload, timezone.now())
        self.pending.append((message, mid, qos))

    def flush(self) -> int:
        if not self.pending:
            return 0
        batch = self.pending
        if not connection.in_atomic_block:  # a long-running worker: drop a stale connection
            close_old_connections()
        # Kept pending until it commits: a failed batch is tried again, never dropped.
        result = services.ingest([message for message, _mid, _qos in batch], city=self.city)
        self.pending = []
        for _message, mid, qos in batch:  # after the commit: the broker may forget them now
            if qos:
                self.client.ack(mid, qos)
        self.totals.batches += 1
        self.totals.accepted += result.accepted
        self.totals.refused += result.refused
        for reason, number in result.reasons.items():
            self.totals.reasons[reason] = self.totals.reasons.get(reason, 0) + number
        return len(batch)

    def stop(self) -> None:
        try:
            while True:
                self._add(*self.inbox.get_nowait())
        except queue.Empty:
            pass
        self.flush()
        self.client.disconnect()
        self.client.loop_stop()

    def run(
        self,
        *,
        seconds: float | None = None,
        messages: int | None = None,
        stop: threading.Event | None = None,
    ) -> Totals:
        self.start()
        deadline = None if seconds is None else time.monotonic() + seconds
        try:
            while not (stop and stop.is_set()):
                try:
                    self.step()
                except Exception:  # a database hiccup: keep the batch, try again
                    logger.exception("iot ingest: a batch failed; retrying")
                    time.sleep(1)
                    continue
                if deadline is not None and time.monotonic() >= deadline:
                    break
                if messages is not None and self.totals.received >= messages and not self.pending:
                    break
        finally:
            self.stop()
        return self.totals
