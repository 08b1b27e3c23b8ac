"""Readings ingested into the database per second from Mosquitto, end to end: the same M
readings (JSON of iot.readings, from the Bukchon demo's 490 devices, each with its own device
time) are published, QoS 1, to the devices' topics `hamkke/seoul/<id>/attrs`, twice in one run:

- the baseline: a plain MQTT v5 subscriber (QoS 1, in a process of its own) on the topics only
  counts what it receives: what the broker carries from one publisher to one subscriber,
  nothing written;
- the figure: W ingest workers (`hamkke iot ingest`'s IngestWorker, each its own process, one
  MQTT v5 shared subscription of a group of this run's own) take the messages and write them
  through services.ingest in batches (`batch_size` B, flushed every 0.2 s at most), acknowledging
  each message after its batch commits; the time runs from the first publish to the last commit.

Both are readings per second; the ratio says how much of the broker's own rate survives the
database. The run fails unless every published reading is in the database exactly once. The
notes give the margin against Seoul's design load: 100 places × 1,000 sensors, a reading per
sensor per minute, is 100,000 / 60 ≈ 1,667 readings/s, under 2,000 readings/s.

Needs a broker: MQTT_URL (default mqtt://127.0.0.1:1883, as in .ci/run); skipped when none
answers. SQLite by default (one worker: SQLite takes one writer), in a temporary folder; with
BENCH_DATABASE_URL (or DATABASE_URL) naming a PostgreSQL server, a scratch database
`hamkke_bench_iot_ingest` on it and two workers. BENCH_IOT_WORKERS and BENCH_IOT_BATCH set W
and B. `--quick` publishes 5,000 readings, the full run 40,000."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta
from multiprocessing import get_context
from pathlib import Path
from urllib.parse import unquote, urlparse

from bench.database import scratch_database, with_database
from bench.ideas_list import database_url
from bench.runner import BenchmarkSkipped, Result
from bench.server import create_site, django_processes, progress, worker_environment

SCRATCH = "hamkke_bench"
SEOUL_DESIGN = 2_000  # readings per second: 100 places × 1,000 sensors, one a minute, is 1,667
CITY = "seoul"
IDLE_SECONDS = 2.0


def broker_url() -> str:
    return os.environ.get("MQTT_URL") or "mqtt://127.0.0.1:1883"


# --- inside the site's processes ----------------------------------------------------------------


def _seed() -> dict[int, str]:
    """The Bukchon demo (490 devices and a day of history); each device's kind by its id."""
    from hamkke.iot.models import Device
    from hamkke.iot.pages import demo

    list(demo.seed())
    return dict(Device.objects.values_list("pk", "kind"))


def _ingest(url: str, group: str, batch: int, ready: str, timeout: float) -> dict:
    """One ingest worker of the shared subscription: subscribes, says so (the file `ready`),
    and writes what comes until nothing has come for IDLE_SECONDS; when it last committed."""
    from hamkke.core.city.selectors import current_city
    from hamkke.iot.mqtt import IngestWorker

    worker = IngestWorker(
        url=url, city=current_city(), batch_size=batch, flush_seconds=0.2, group=group
    )
    worker.start()
    Path(ready).touch()
    started = last_seen = time.monotonic()
    last_commit = 0.0
    try:
        while time.monotonic() - started < timeout:
            before = worker.totals.received
            if worker.step(0.05):
                last_commit = time.time()
            if worker.totals.received != before:
                last_seen = time.monotonic()
            elif (
                worker.totals.received
                and not worker.pending
                and time.monotonic() - last_seen > IDLE_SECONDS
            ):
                break
    finally:
        had_pending = bool(worker.pending)
        worker.stop()
        if had_pending:
            last_commit = time.time()
    totals = worker.totals
    return {
        "received": totals.received,
        "accepted": totals.accepted,
        "refused": totals.refused,
        "batches": totals.batches,
        "last_commit": last_commit,
    }


def _stored(since: str) -> int:
    from hamkke.iot.models import Reading

    return Reading.objects.filter(received_at__gte=datetime.fromisoformat(since)).count()


# --- in this process: the broker --------------------------------------------------------------


def _client(url: str):
    """A connected MQTT v5 client with its loop running (paho itself: this process has no
    Django, so not hamkke.iot.mqtt's)."""
    import paho.mqtt.client as paho
    from paho.mqtt.enums import CallbackAPIVersion
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    parts = urlparse(url)
    client = paho.Client(
        CallbackAPIVersion.VERSION2,
        client_id=f"hamkke-bench-{uuid.uuid4().hex[:10]}",
        protocol=paho.MQTTv5,
    )
    if parts.username:
        client.username_pw_set(unquote(parts.username), unquote(parts.password or ""))
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(0)
    ready = threading.Event()
    client.on_connect = lambda *args: ready.set()
    # As the ingest workers do: the broker may send many unacknowledged messages (its default
    # of 20 in flight, and a queue of 1,000 behind them, would drop a burst).
    properties = Properties(PacketTypes.CONNECT)
    properties.ReceiveMaximum = 65_535
    client.connect(
        parts.hostname or "127.0.0.1", parts.port or 1883, keepalive=30, properties=properties
    )
    client.loop_start()
    if not ready.wait(10):
        client.loop_stop()
        raise ConnectionError("the broker did not answer")
    return client


def _messages(kinds: dict[int, str], count: int) -> list[tuple[str, bytes]]:
    """`count` readings round the devices, each as its kind sends it, each device's times a
    millisecond apart."""
    devices = sorted(kinds)
    now = datetime.now(UTC)
    out = []
    for number in range(count):
        device = devices[number % len(devices)]
        moment = now - timedelta(milliseconds=number // len(devices) + 1)
        body: dict = {"time": moment.isoformat()}
        if kinds[device] == "waste-container":
            body["fillingLevel"] = (number % 100) / 100
        else:
            body["status"] = "occupied" if number % 3 else "free"
        out.append((f"hamkke/{CITY}/{device}/attrs", json.dumps(body).encode()))
    return out


def _publish(url: str, messages: list[tuple[str, bytes]]) -> float:
    """Publish every message (QoS 1) and wait for the broker's acknowledgements; the wall-clock
    moment it started."""
    client = _client(url)
    try:
        started = time.time()
        sent = [client.publish(topic, body, qos=1) for topic, body in messages]
        for info in sent:
            info.wait_for_publish(30)
    finally:
        client.disconnect()
        client.loop_stop()
    return started


def _listen(url: str, count: int, ready: str) -> dict:
    """In a process of its own (as the ingest workers are): a plain subscriber that only counts
    what it receives, until `count` or two minutes; when the last came."""
    from paho.mqtt.subscribeoptions import SubscribeOptions

    done, subscribed = threading.Event(), threading.Event()
    received = {"count": 0, "last": 0.0}

    def on_message(_client, _userdata, _message):
        received["count"] += 1
        received["last"] = time.time()
        if received["count"] >= count:
            done.set()

    listener = _client(url)
    listener.on_message = on_message
    listener.on_subscribe = lambda *args: subscribed.set()
    listener.subscribe(f"hamkke/{CITY}/+/attrs", options=SubscribeOptions(qos=1))
    try:
        if not subscribed.wait(10):
            raise RuntimeError("the broker did not confirm the baseline's subscription")
        Path(ready).touch()
        done.wait(120)
    finally:
        listener.disconnect()
        listener.loop_stop()
    return received


def _wait_for(flags: list[str], jobs: list) -> None:
    deadline = time.monotonic() + 60
    while not all(Path(flag).exists() for flag in flags):
        if time.monotonic() > deadline or any(job.done() for job in jobs):
            raise RuntimeError("the subscribers did not subscribe")
        time.sleep(0.05)


def _carry(url: str, messages: list[tuple[str, bytes]], ready_dir: Path) -> float:
    """The baseline: one subscriber receives what one publisher sends; messages per second
    from the first publish to the last receipt."""
    flag = str(ready_dir / "listener")
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as listener:
        job = listener.submit(_listen, url, len(messages), flag)
        _wait_for([flag], [job])
        started = _publish(url, messages)
        received = job.result(timeout=300)
    if received["count"] != len(messages):
        raise RuntimeError(f"the baseline received {received['count']} of {len(messages)}")
    return len(messages) / (received["last"] - started)


@contextmanager
def _site(url: str, workers: int) -> Iterator[tuple]:
    """A fresh site (migrated, Seoul loaded) and `workers` processes on it besides the one
    that sets it up; removed at the end."""
    data_dir = Path(tempfile.mkdtemp(prefix="hamkke-bench-"))
    try:
        with ExitStack() as stack:
            database = ""
            if url:
                scratch = with_database(url, f"{SCRATCH}_iot_ingest")
                database = stack.enter_context(scratch_database(scratch))
            env = worker_environment(data_dir, database)
            setup = stack.enter_context(django_processes(env))
            setup.submit(create_site).result(timeout=600)
            pool = stack.enter_context(django_processes(env, count=workers))
            yield setup, pool
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def _reachable(url: str) -> None:
    try:
        _client(url).disconnect()
    except (ConnectionError, OSError, ValueError) as error:
        raise BenchmarkSkipped(
            f"no MQTT broker answers at {url} ({error}); start Mosquitto (as .ci/run does) or "
            "set MQTT_URL"
        ) from error


def run(quick: bool) -> Result:
    url = broker_url()
    _reachable(url)
    count = 5_000 if quick else 40_000
    server = database_url()
    workers = int(os.environ.get("BENCH_IOT_WORKERS") or (2 if server else 1))
    batch = int(os.environ.get("BENCH_IOT_BATCH") or 500)
    group = f"bench-{uuid.uuid4().hex[:8]}"
    with _site(server, workers) as (setup, pool):
        progress("seeding the Bukchon demo …")
        kinds = setup.submit(_seed).result(timeout=600)
        messages = _messages(kinds, count)
        ready_dir = Path(tempfile.mkdtemp(prefix="hamkke-bench-ready-"))
        try:
            progress(f"baseline: {count:,} messages through the broker …")
            carried = _carry(url, messages, ready_dir)
            flags = [str(ready_dir / f"w{n}") for n in range(workers)]
            since = datetime.now(UTC).isoformat()
            jobs = [pool.submit(_ingest, url, group, batch, flag, 600) for flag in flags]
            _wait_for(flags, jobs)
            progress(f"end to end: {count:,} readings, {workers} worker(s), batches of {batch} …")
            # Fresh times: the baseline's messages are the same readings, not yet stored.
            started = _publish(url, messages)
            results = [job.result(timeout=900) for job in jobs]
        finally:
            shutil.rmtree(ready_dir, ignore_errors=True)
        stored = setup.submit(_stored, since).result(timeout=60)
    accepted = sum(r["accepted"] for r in results)
    if accepted != count or stored != count:
        raise RuntimeError(f"{count:,} published, {accepted:,} accepted, {stored:,} stored")
    ingested = count / (max(r["last_commit"] for r in results) - started)
    database = "PostgreSQL" if server else "SQLite"
    notes = (
        f"{database}; {count:,} readings of {len(kinds)} devices (the Bukchon demo), QoS 1, "
        f"Mosquitto at {url.split('@')[-1]}; {workers} ingest worker(s) of one shared "
        f"subscription, batches of up to {batch} (flushed at 0.2 s), "
        f"{sum(r['batches'] for r in results)} batches in all, shares "
        f"{[r['accepted'] for r in results]}; every reading stored once. Baseline: the same "
        f"messages published and merely received by one subscriber, {carried:,.0f}/s. "
        f"Seoul's design load (100 places × 1,000 sensors, one reading a minute: 1,667/s, under "
        f"{SEOUL_DESIGN:,}/s): {ingested / SEOUL_DESIGN:.1f}x the 2,000/s mark end to end"
    )
    return Result(
        name="iot_ingest", value=ingested, baseline=carried, unit="readings/s", notes=notes
    )
