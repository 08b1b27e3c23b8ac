"""The fault drill: the site on several processes, under a bounded load, through a killed web
worker and a PostgreSQL restart, then proof that nothing acknowledged was lost or doubled.

Two `hamkke serve` instances (gunicorn, different ports) and a Celery worker run against
PostgreSQL (a scratch database), Redis and RabbitMQ on 127.0.0.1. Client processes file reports
(the JSON API with a photo, anonymous or signed in; Open311 with an API key and a photo) and cast
budget ballots (census-verified voters, signed in), alternating between the instances, at a
steady pace for a fixed time. A third of the way in, one web worker of the first instance gets
SIGKILL; a little past half way, PostgreSQL is restarted. A ballot that got no answer or a 5xx
is sent again, as a voter would; a report is not (without an idempotency key a second filing is
a second report). Then `bench/faults_audit.py` looks every acknowledged write up: every report
answered 201 stored whole, every ballot answered 201 found by its receipt, nothing half-written,
nothing doubled, the tally equal to the count. It prints the figures and fails when anything was
lost or doubled.

Run only when named, `python -m bench faults`: it restarts the machine's PostgreSQL (once,
briefly; it makes sure the server answers again at the end). The figure is the rate of
acknowledged writes from the kill to the end of the load; the baseline, the same rate before it."""

from __future__ import annotations

import heapq
import http.client
import io
import json
import os
import random
import re
import secrets
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, deque
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

from bench import faults_audit
from bench.database import database_name, scratch_database, with_database
from bench.open311_post import CATEGORIES, POINTS
from bench.runner import Result
from bench.server import (
    REPO_ROOT,
    ServedSite,
    django_processes,
    prepared_site,
    start_server,
    stop_process_groups,
    wait_until_serving,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/hamkke_bench_faults"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
DEFAULT_BROKER_URL = "amqp://guest:guest@127.0.0.1:5672//"
# The load must not be stopped by the limits meant for one person or one app.
RAISED_RATES = {
    "HAMKKE_COMPLAINT_RATE": "1000000/m",
    "HAMKKE_OPEN311_APP_RATE": "1000000/m",
    "HAMKKE_OPEN311_IP_RATE": "1000000/m",
}
REPORTS_PATH = "/api/v1/complaints"
OPEN311_PATH = "/open311/v2/requests.json"
# A ballot without an answer (or with a 5xx) is sent again this much later, to the other
# instance, up to MAX_ATTEMPTS times in all, until the load's time and RETRY_GRACE are up.
RETRY_AFTER = 1.5
MAX_ATTEMPTS = 5
RETRY_GRACE = 20.0
REQUEST_TIMEOUT = 20.0


def _log(message: str) -> None:
    print(f"[faults {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Plan:
    """The bounded load and when the faults strike (seconds from the load's start)."""

    seconds: float
    reports: int
    ballots: int
    clients: int
    workers: int
    threads: int
    kill_at: float
    restart_at: float
    drain_seconds: float

    @property
    def writes(self) -> int:
        return self.reports + self.ballots


def plan_for(quick: bool) -> Plan:
    """Full: 540 writes over 45 s (12 a second, below what two shared cores serve, so that the
    faults and not the pace decide what fails); --quick: 360 over 30 s.
    BENCH_WORKERS (default 2: one killed, one left), BENCH_THREADS (4) and BENCH_CLIENTS (4)
    shape each instance and the load."""
    workers = int(os.environ.get("BENCH_WORKERS") or 2)
    threads = int(os.environ.get("BENCH_THREADS") or 4)
    clients = int(os.environ.get("BENCH_CLIENTS") or 4)
    if quick:
        return Plan(30, 160, 200, clients, workers, threads, 9, 17, 20)
    return Plan(45, 240, 300, clients, workers, threads, 12, 25, 30)


@dataclass(frozen=True)
class Services:
    database: str
    redis: str
    broker: str
    restart: tuple[str, ...]


def services_from_environment() -> Services:
    """BENCH_FAULTS_DATABASE_URL (a scratch database named hamkke_bench…, created and dropped),
    BENCH_FAULTS_REDIS_URL, BENCH_FAULTS_BROKER_URL, and BENCH_FAULTS_PG_RESTART, the command
    that restarts PostgreSQL (default: pg_ctlcluster of the machine's one cluster, `main`)."""
    return Services(
        database=os.environ.get("BENCH_FAULTS_DATABASE_URL") or DEFAULT_DATABASE_URL,
        redis=os.environ.get("BENCH_FAULTS_REDIS_URL") or DEFAULT_REDIS_URL,
        broker=os.environ.get("BENCH_FAULTS_BROKER_URL") or DEFAULT_BROKER_URL,
        restart=restart_command(),
    )


def restart_command() -> tuple[str, ...]:
    """BENCH_FAULTS_PG_RESTART split as a shell would, else pg_ctlcluster of the one cluster."""
    named = os.environ.get("BENCH_FAULTS_PG_RESTART", "").strip()
    if named:
        return tuple(shlex.split(named))
    versions = sorted(os.listdir("/etc/postgresql")) if os.path.isdir("/etc/postgresql") else []
    if len(versions) != 1:
        raise RuntimeError(
            f"cannot tell which PostgreSQL to restart (versions in /etc/postgresql: {versions}); "
            "set BENCH_FAULTS_PG_RESTART to the command that restarts it"
        )
    return ("pg_ctlcluster", "--skip-systemctl-redirect", versions[0], "main", "restart")


def _check_services(services: Services) -> None:
    """Say which service is missing before anything is started."""
    import kombu
    import psycopg
    import redis

    missing = []
    try:
        with psycopg.connect(
            _libpq(with_database(services.database, "postgres")), connect_timeout=5
        ):
            pass
    except psycopg.Error as exc:
        missing.append(f"PostgreSQL ({exc.__class__.__name__}: {str(exc).strip()[:120]})")
    try:
        redis.Redis.from_url(services.redis, socket_timeout=5).ping()
    except redis.RedisError as exc:
        missing.append(f"Redis at {services.redis} ({exc})")
    try:
        with kombu.Connection(services.broker, connect_timeout=5) as broker:
            broker.ensure_connection(max_retries=1)
    except Exception as exc:  # kombu raises the transport's own errors
        missing.append(f"RabbitMQ at {services.broker} ({exc.__class__.__name__})")
    if missing:
        raise RuntimeError("the fault drill needs " + "; ".join(missing))


def _libpq(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


# --- the load ---------------------------------------------------------------------------------


def build_operations(plan: Plan, setup: dict, seed: int = 9) -> list[dict]:
    """Every write of the load, shuffled, each with its moment (`at`), its first instance and
    its client. Reports carry a unique marker and a photo of a size of their own; each voter
    casts one ballot."""
    rng = random.Random(seed)
    voters = setup["voters"]
    operations: list[dict] = []
    for n in range(plan.reports):
        lat, lon = rng.choice(POINTS)
        code, extra = rng.choice(CATEGORIES)
        kind = "open311" if n % 3 == 2 else "report"
        # Half the JSON API's reports are filed signed in: their confirmations go by email,
        # through RabbitMQ and the Celery worker.
        voter = voters[n % len(voters)] if kind == "report" and n % 2 == 0 else None
        operations.append(
            {
                "kind": kind,
                "marker": f"FD{n:06d}",
                "category": code,
                "answers": {key[len("attribute[") : -1]: value for key, value in extra.items()},
                "latitude": round(lat + rng.uniform(-0.0005, 0.0005), 6),
                "longitude": round(lon + rng.uniform(-0.0005, 0.0005), 6),
                "width": 160 + n % 97,
                "height": 120 + n % 61,
                "session": voter["session"] if voter else None,
                "user": voter["user"] if voter else None,
            }
        )
    for voter in voters[: plan.ballots]:
        chosen = rng.sample(setup["projects"], rng.randint(1, setup["max_choices"]))
        operations.append(
            {
                "kind": "ballot",
                "identity": voter["identity"],
                "session": voter["session"],
                "choices": sorted(chosen),
            }
        )
    rng.shuffle(operations)
    for number, operation in enumerate(operations):
        operation["id"] = number
        operation["at"] = number * plan.seconds / len(operations)
        operation["instance"] = number % 2
        operation["client"] = number % plan.clients
    return operations


def _photo(width: int, height: int, shade: int) -> bytes:
    from PIL import Image

    image = Image.new("RGB", (width, height), (shade * 37 % 256, shade * 91 % 256, 90))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def _multipart(fields: dict[str, str], files: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    """A multipart/form-data body: form fields, then (field, file name, JPEG bytes)."""
    boundary = "hamkke-drill-" + secrets.token_hex(12)
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts += [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
        f"Content-Type: image/jpeg\r\n\r\n".encode()
        + content
        + b"\r\n"
        for name, filename, content in files
    ]
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _signed_in(session: str | None) -> dict[str, str]:
    if not session:
        return {}
    # A token of the session's browser: the cookie and the header must agree (Django's check).
    token = secrets.token_hex(16)
    return {"Cookie": f"sessionid={session}; csrftoken={token}", "X-CSRFToken": token}


def _request(operation: dict, context: dict) -> tuple[str, bytes, dict[str, str]]:
    """(path, body, headers) of one write."""
    kind = operation["kind"]
    if kind == "ballot":
        path = f"/api/v1/budget/cycles/{context['cycle']}/pools/{context['pool']}/ballots"
        body = json.dumps({"choices": operation["choices"]}).encode()
        headers = {"Content-Type": "application/json", **_signed_in(operation["session"])}
        return path, body, headers
    photo = _photo(operation["width"], operation["height"], operation["id"])
    text = faults_audit.MARKER_TEXT.format(marker=operation["marker"])
    if kind == "report":
        fields = {
            "category": operation["category"],
            "latitude": str(operation["latitude"]),
            "longitude": str(operation["longitude"]),
            "description": text,
        }
        if operation["answers"]:
            fields["answers"] = json.dumps(operation["answers"])
        body, content_type = _multipart(fields, [("photos", "photo.jpg", photo)])
        headers = {"Content-Type": content_type, **_signed_in(operation["session"])}
        return REPORTS_PATH, body, headers
    fields = {
        "api_key": context["api_key"],
        "service_code": operation["category"],
        "lat": str(operation["latitude"]),
        "long": str(operation["longitude"]),
        "description": text,
        **{f"attribute[{key}]": value for key, value in operation["answers"].items()},
    }
    body, content_type = _multipart(fields, [("media", "photo.jpg", photo)])
    return OPEN311_PATH, body, {"Content-Type": content_type}


def _acknowledgement(kind: str, body: bytes) -> str:
    """The tracking number or receipt a 201 carries."""
    data = json.loads(body)
    if kind == "ballot":
        return data["receipt"]
    if kind == "open311":
        return data[0]["service_request_id"]
    return data["tracking_number"]


def _error_kind(status: int, content_type: str, body: bytes) -> tuple[str, str]:
    """("500 HTML page" or "409 already_voted" …, the first words of the answer)."""
    text = body[:2000].decode("utf-8", "replace")
    if "html" in content_type:
        title = re.search(r"<title>(.*?)</title>", text, re.S)
        return f"{status} HTML page", f"<title>{title.group(1).strip() if title else '?'}</title>"
    if "json" not in content_type:
        return f"{status} {content_type.split(';')[0] or 'no body'}", text[:200]
    try:
        data = json.loads(body)
    except ValueError:
        return f"{status} broken JSON", text[:200]
    if isinstance(data, dict) and data.get("code"):
        return f"{status} {data['code']}", str(data.get("detail", ""))[:200]
    if isinstance(data, list) and data and isinstance(data[0], dict):
        return f"{status} Open311 error", str(data[0].get("description", ""))[:200]
    return str(status), text


def _transport_kind(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, http.client.RemoteDisconnected):
        return "closed without an answer"
    if isinstance(exc, ConnectionResetError | BrokenPipeError):
        return "connection reset"
    if isinstance(exc, socket.timeout | TimeoutError):
        return "timed out"
    return exc.__class__.__name__


def _attempt(host: str, port: int, operation: dict, context: dict) -> dict:
    """Send one write on a connection of its own: a failure then says the server failed, not
    that an idle keep-alive connection was closed."""
    path, body, headers = _request(operation, context)
    headers["Connection"] = "close"
    started = time.monotonic()
    attempt = {"port": port, "start": started, "status": None, "kind": "", "detail": "", "ack": ""}
    conn = http.client.HTTPConnection(host, port, timeout=REQUEST_TIMEOUT)
    try:
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        answer = response.read()
    except (OSError, http.client.HTTPException) as exc:
        attempt["kind"], attempt["detail"] = _transport_kind(exc), repr(exc)[:200]
    else:
        attempt["status"] = response.status
        if response.status == 201:
            try:
                attempt["kind"] = "201"
                attempt["ack"] = _acknowledgement(operation["kind"], answer)
            except (ValueError, LookupError, TypeError):
                # Acknowledged, but nobody could look it up: say so rather than count it.
                attempt["kind"], attempt["detail"] = (
                    "201 unreadable",
                    answer[:200].decode("utf-8", "replace"),
                )
        else:
            content_type = response.getheader("Content-Type", "")
            attempt["kind"], attempt["detail"] = _error_kind(response.status, content_type, answer)
    finally:
        conn.close()
    attempt["end"] = time.monotonic()
    return attempt


def _retry(operation: dict, attempt: dict, attempts: int) -> bool:
    """A voter whose ballot got no answer, or a server error, tries again; a report is not
    filed twice (without an idempotency key the second would be a second report)."""
    failed = attempt["status"] is None or attempt["status"] >= 500
    return operation["kind"] == "ballot" and failed and attempts < MAX_ATTEMPTS


def drive(
    host: str, ports: list[int], operations: list[dict], t0: float, deadline: float, context: dict
) -> list[dict]:
    """One client: each write at its moment (or as soon as the previous one is answered),
    retried ballots in between, nothing after `deadline`. Returns one record per write sent."""
    pending = deque(sorted(operations, key=lambda o: o["at"]))
    retries: list[tuple[float, int, dict, dict]] = []
    records: list[dict] = []
    while pending or retries:
        due_first = t0 + pending[0]["at"] if pending else float("inf")
        due_retry = retries[0][0] if retries else float("inf")
        due = min(due_first, due_retry)
        if due >= deadline:
            break
        time.sleep(max(0.0, due - time.monotonic()))
        if due_retry <= due_first:
            _due, _n, operation, record = heapq.heappop(retries)
        else:
            operation = pending.popleft()
            record = {"id": operation["id"], "kind": operation["kind"], "attempts": []}
            records.append(record)
        # Each try goes to the other instance than the last one, as a load balancer would.
        port = ports[(operation["instance"] + len(record["attempts"])) % len(ports)]
        attempt = _attempt(host, port, operation, context)
        if not record["attempts"]:
            # How far behind its moment the write went out: a load the site keeps up with is
            # sent on time, so the faults, not the pace, decide what fails.
            record["late"] = attempt["start"] - (t0 + operation["at"])
        record["attempts"].append(attempt)
        if _retry(operation, attempt, len(record["attempts"])):
            due_again = time.monotonic() + RETRY_AFTER
            heapq.heappush(retries, (due_again, operation["id"], operation, record))
    return records


# --- the processes and the faults ---------------------------------------------------------------


def start_celery_worker(
    env: dict[str, str], data_dir: Path, queue: str, *, concurrency: int = 2
) -> tuple[subprocess.Popen, Path]:
    """Start a Celery worker of the site on the drill's own queue, in a session of its own,
    without waiting for it; returns it and its log. The caller stops it."""
    log = data_dir / "celery.log"
    with log.open("wb") as log_file:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "hamkke",
                "worker",
                "-Q",
                queue,
                "-c",
                str(concurrency),
                "-n",
                f"{queue}@%h",
                "-l",
                "info",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            env=env,
            cwd=REPO_ROOT,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return proc, log


def wait_until_ready(proc: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    """Until the Celery worker logs that it is ready; its log's end in the error otherwise."""
    deadline = time.monotonic() + timeout
    while b" ready." not in log.read_bytes():
        if proc.poll() is not None or time.monotonic() > deadline:
            tail = log.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"the Celery worker did not start:\n{tail}")
        time.sleep(0.3)


@dataclass(frozen=True)
class Processes:
    """What drill_processes started: the two instances, the first one's master, the worker."""

    first: ServedSite
    second: ServedSite
    first_master: subprocess.Popen
    worker: subprocess.Popen


@contextmanager
def drill_processes(
    env: dict[str, str], data_dir: Path, plan: Plan, queue: str
) -> Iterator[Processes]:
    """Two web instances and a Celery worker, started together and stopped together (each
    takes seconds either way) when the `with` block ends, errors included."""
    started: list[subprocess.Popen] = []
    try:
        first, first_master, first_log = start_server(
            env, data_dir, workers=plan.workers, threads=plan.threads
        )
        started.append(first_master)
        second, second_master, second_log = start_server(
            env, data_dir, workers=plan.workers, threads=plan.threads
        )
        started.append(second_master)
        worker, worker_log = start_celery_worker(env, data_dir, queue)
        started.append(worker)
        wait_until_serving(first, first_master, first_log, 90)
        wait_until_serving(second, second_master, second_log, 90)
        wait_until_ready(worker, worker_log)
        yield Processes(first, second, first_master, worker)
    finally:
        stop_process_groups(started)
        remove_queue(env["CELERY_BROKER_URL"], queue)


def remove_queue(broker_url: str, name: str) -> None:
    """The drill's queue and exchange on the shared RabbitMQ go with it."""
    import kombu

    try:
        with kombu.Connection(broker_url, connect_timeout=5) as broker:
            broker.default_channel.queue_delete(name)
            broker.default_channel.exchange_delete(name)
    except Exception as exc:  # kombu raises the transport's own errors; nothing else depends on it
        _log(f"could not remove the queue {name}: {exc!r}")


def children_of(pid: int) -> set[int]:
    """The processes `pid` started (gunicorn's workers, for its master)."""
    try:
        return {
            int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        }
    except OSError:
        return set()


def database_answers(url: str, timeout: float = 2) -> bool:
    """Whether a fresh connection to `url` gets an answer to SELECT 1."""
    import psycopg

    try:
        with psycopg.connect(_libpq(url), connect_timeout=max(1, int(timeout))) as conn:
            conn.execute("SELECT 1")
        return True
    except psycopg.Error:
        return False


@dataclass
class Faults:
    """What was done to the site and how long it took to come back (monotonic seconds)."""

    killed_pid: int = 0
    killed_port: int = 0
    killed_at: float = 0.0
    killed_busy: bool = False
    replaced_after: float | None = None
    restart_began: float = 0.0
    restart_took: float = 0.0
    restart_failed: str = ""
    database_down_after: float | None = None
    database_back_after: float | None = None
    notes: list[str] = field(default_factory=list)


def _sleep_until(moment: float) -> None:
    time.sleep(max(0.0, moment - time.monotonic()))


def _serving_sockets(port: int) -> set[str]:
    """The inodes of the established connections to `port` (from /proc/net/tcp)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "01" and int(local.rsplit(":", 1)[1], 16) == port:
                inodes.add(f"socket:[{inode}]")
    return inodes


def busy_worker(master_pid: int, port: int, wait: float = 3.0) -> tuple[int, bool]:
    """A worker of `master_pid` holding a client's connection (in the middle of a request), if
    one shows up within `wait` seconds; else any worker. Returns (pid, busy)."""
    deadline = time.monotonic() + wait
    while True:
        workers = sorted(children_of(master_pid))
        sockets = _serving_sockets(port)
        for pid in workers:
            try:
                held = {os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")}
            except OSError:
                continue
            if held & sockets:
                return pid, True
        if time.monotonic() > deadline:
            return (workers[0] if workers else 0), False
        time.sleep(0.005)


def kill_a_worker(master: subprocess.Popen, port: int, faults: Faults, workers: int) -> None:
    """SIGKILL one gunicorn worker, one in the middle of a request if possible; the master is
    expected to start another."""
    victim, faults.killed_busy = busy_worker(master.pid, port)
    if not victim:
        faults.notes.append("no gunicorn worker found to kill")
        return
    os.kill(victim, signal.SIGKILL)
    faults.killed_pid, faults.killed_port, faults.killed_at = victim, port, time.monotonic()
    deadline = faults.killed_at + 30
    while time.monotonic() < deadline:
        now = children_of(master.pid)
        if victim not in now and len(now) >= workers:
            faults.replaced_after = time.monotonic() - faults.killed_at
            return
        time.sleep(0.05)


def restart_database(command: tuple[str, ...], url: str, faults: Faults) -> None:
    """Restart PostgreSQL once, watching it meanwhile: when it stopped answering, when it
    answered again (a fresh connection every 50 ms), when the command returned."""
    began = faults.restart_began = time.monotonic()
    with tempfile.TemporaryFile() as output:
        # Output to a file, not a pipe: see _run_restart.
        try:
            proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=output, stderr=output)
        except OSError as exc:
            faults.restart_failed = repr(exc)
            return
        while True:
            up = database_answers(url, timeout=1)
            moment = time.monotonic() - began
            if not up and faults.database_down_after is None:
                faults.database_down_after = moment
            if up and faults.database_down_after is not None and not faults.database_back_after:
                faults.database_back_after = moment
            if proc.poll() is not None and not faults.restart_took:
                faults.restart_took = moment
            if proc.returncode is not None and up:
                break
            if moment > 120:
                proc.kill()
                faults.restart_failed = "the restart did not end within 120 s"
                break
            time.sleep(0.05)
        if proc.returncode:
            output.seek(0)
            text = output.read().decode("utf-8", "replace")
            faults.restart_failed = f"exit {proc.returncode}: {text[-300:]}"
    if faults.database_back_after is None and not faults.restart_failed:
        # Too quick to be seen down: back when the command returned and it answered.
        faults.database_back_after = time.monotonic() - began


def _run_restart(command: tuple[str, ...]) -> tuple[int, str]:
    """Run the restart command; its output goes to a file, not a pipe: the server it starts
    inherits the descriptors, and a pipe it holds open would never reach its end."""
    with tempfile.TemporaryFile() as output:
        done = subprocess.run(
            command,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=output,
            timeout=120,
            check=False,
        )
        output.seek(0)
        return done.returncode, output.read().decode("utf-8", "replace")


def ensure_database_up(command: tuple[str, ...], url: str) -> None:
    """PostgreSQL is shared with others: whatever happened, leave it answering."""
    if database_answers(url, timeout=5):
        return
    _log("PostgreSQL does not answer; restarting it again")
    try:
        _run_restart(command)
    except (OSError, subprocess.TimeoutExpired) as exc:
        _log(f"the restart failed: {exc!r}")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if database_answers(url):
            return
        time.sleep(0.5)
    _log(f"PostgreSQL STILL DOES NOT ANSWER: run {' '.join(command)}")


def _started(_number: int) -> int:
    return os.getpid()


def warm_up(port: int, paths: list[str], rounds: int = 8) -> None:
    """A few reads, so the first writes do not pay for the workers' first imports."""
    for _round in range(rounds):
        for path in paths:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
            try:
                conn.request("GET", path, headers={"Connection": "close"})
                conn.getresponse().read()
            except (OSError, http.client.HTTPException):
                pass  # the load will say it
            finally:
                conn.close()


def load_under_faults(
    plan: Plan,
    operations: list[dict],
    context: dict,
    ports: list[int],
    master: subprocess.Popen,
    services: Services,
    database_url: str,
) -> tuple[list[dict], Faults, float]:
    """Run the load on both instances, kill a worker and restart PostgreSQL on the way; returns
    the clients' records, what the faults did and the load's start (monotonic)."""
    faults = Faults()
    shares = [[o for o in operations if o["client"] == c] for c in range(plan.clients)]
    with ProcessPoolExecutor(max_workers=plan.clients, mp_context=get_context("spawn")) as pool:
        # Start the client processes and warm both instances up before the clock starts.
        list(pool.map(_started, range(plan.clients * 2)))
        for port in ports:
            warm_up(
                port, [f"/api/v1/budget/cycles/{context['cycle']}", "/api/v1/complaints/categories"]
            )
        t0 = time.monotonic() + 1.0
        deadline = t0 + plan.seconds + RETRY_GRACE
        futures = [
            pool.submit(drive, "127.0.0.1", ports, share, t0, deadline, context) for share in shares
        ]
        try:
            _sleep_until(t0 + plan.kill_at)
            _log(f"{plan.kill_at:.0f} s: SIGKILL to a web worker of the first instance")
            kill_a_worker(master, ports[0], faults, plan.workers)
            _sleep_until(t0 + plan.restart_at)
            _log(f"{plan.restart_at:.0f} s: restarting PostgreSQL ({' '.join(services.restart)})")
            restart_database(services.restart, database_url, faults)
        finally:
            ensure_database_up(services.restart, database_url)
        records = [r for f in futures for r in f.result(timeout=plan.seconds + RETRY_GRACE + 120)]
    return records, faults, t0


# What the servers log for a 500: "Internal Server Error: PATH", then the traceback, whose last
# "module.Error: words" line is the exception that answered (the ones above it are its causes).
_RAISED = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception)): ", re.M)
# What the Celery worker logs for a failed task: "Task NAME[ID] raised unexpected: Error(…)".
_TASK_FAILED = re.compile(r"Task ([\w.]+)\[[\w-]+\] raised unexpected: (\w+)\(")


def logged_exceptions(data_dir: Path) -> dict[str, Counter[str]]:
    """What answered 500 on the web servers and what failed in the Celery worker, by exception
    class (and task)."""
    web: Counter[str] = Counter()
    for path in sorted(data_dir.glob("server-*.log")):
        text = path.read_text(encoding="utf-8", errors="replace")
        for record in text.split("Internal Server Error: ")[1:]:
            raised = _RAISED.findall(record)
            web[raised[-1] if raised else "unknown"] += 1
    celery: Counter[str] = Counter()
    log = data_dir / "celery.log"
    if log.is_file():
        text = log.read_text(encoding="utf-8", errors="replace")
        celery.update(f"{task} {error}" for task, error in _TASK_FAILED.findall(text))
    return {"web 500s": web, "Celery tasks failed": celery}


def keep_logs(data_dir: Path) -> None:
    """Copy the servers' and the worker's logs to BENCH_FAULTS_LOGS, when set, before the data
    folder goes: the tracebacks behind the figures."""
    target = os.environ.get("BENCH_FAULTS_LOGS", "").strip()
    if not target:
        return
    folder = Path(target).expanduser()
    folder.mkdir(parents=True, exist_ok=True)
    for path in [*data_dir.glob("server-*.log"), data_dir / "celery.log"]:
        if path.is_file():
            shutil.copy2(path, folder / path.name)
    _log(f"logs kept in {folder}")


def drain_emails(django, seconds: float, patience: float = 5.0) -> int:
    """Wait for the Celery worker to send what is queued: until nothing is left, nothing moved
    for `patience` seconds (what is left then was dropped), or `seconds` passed. Returns what
    is left."""
    deadline = time.monotonic() + seconds
    left = django.submit(faults_audit.unsent_emails).result(timeout=60)
    moved = time.monotonic()
    while left and time.monotonic() < min(deadline, moved + patience):
        time.sleep(0.5)
        now_left = django.submit(faults_audit.unsent_emails).result(timeout=60)
        if now_left != left:
            left, moved = now_left, time.monotonic()
    return left


# --- the figures --------------------------------------------------------------------------------


def _acknowledged(record: dict) -> str:
    return next((a["ack"] for a in record["attempts"] if a["status"] == 201), "")


def audit_inputs(operations: list[dict], records: list[dict]) -> tuple[list[dict], list[dict]]:
    """What the audit needs of every planned write: reports (marker, what was sent, the number
    a 201 gave) and votes (identity, choices, the receipt a 201 gave)."""
    by_id = {r["id"]: r for r in records}
    filings, votes = [], []
    for operation in operations:
        ack = _acknowledged(by_id[operation["id"]]) if operation["id"] in by_id else ""
        if operation["kind"] == "ballot":
            votes.append(
                {
                    "identity": operation["identity"],
                    "choices": operation["choices"],
                    "receipt": ack,
                }
            )
            continue
        filings.append(
            {
                key: operation[key]
                for key in (
                    "marker",
                    "kind",
                    "category",
                    "latitude",
                    "longitude",
                    "width",
                    "height",
                )
            }
            | {
                "user": operation["user"] if operation["kind"] == "report" else None,
                "tracking_number": ack,
            }
        )
    return filings, votes


def summarise(
    *,
    plan: Plan,
    operations: list[dict],
    records: list[dict],
    faults: Faults,
    t0: float,
    audit: dict,
) -> dict:
    """The drill's figures from the clients' records, the faults and the audit."""
    attempts = [a for r in records for a in r["attempts"]]
    planned = Counter(o["kind"] for o in operations)
    sent = Counter(r["kind"] for r in records)
    acknowledged = Counter(r["kind"] for r in records if _acknowledged(r))
    errors = Counter(a["kind"] for a in attempts if a["kind"] != "201")
    first_words = {}
    for attempt in attempts:
        if attempt["kind"] != "201":
            first_words.setdefault(attempt["kind"], attempt["detail"])

    end = t0 + plan.seconds
    calm_end = faults.killed_at or (t0 + plan.kill_at)
    acked_ends = [a["end"] for a in attempts if a["status"] == 201]
    calm = sum(1 for moment in acked_ends if t0 <= moment < calm_end) / max(calm_end - t0, 1e-9)
    faulted = sum(1 for moment in acked_ends if calm_end <= moment < end) / max(
        end - calm_end, 1e-9
    )

    # Recovery: from the restart's beginning to the first 201 answered to a request sent after
    # the last request that failed.
    began = faults.restart_began
    failed_after = sorted(a["end"] for a in attempts if a["kind"] != "201" and a["end"] >= began)
    last_failure = failed_after[-1] if failed_after else began
    recovered = [a["end"] for a in attempts if a["status"] == 201 and a["start"] >= last_failure]
    failed_at_kill = [
        a
        for a in attempts
        if a["kind"] != "201"
        and a["port"] == faults.killed_port
        and faults.killed_at - 1 <= a["end"] <= faults.killed_at + (faults.replaced_after or 0) + 2
    ]
    late = sorted(r["late"] for r in records if "late" in r) or [0.0]
    reports = audit["reports"]
    ballots = audit["ballots"]
    half_written = sum(audit["half_written"].values()) + ballots["half_written"]
    return {
        "planned": dict(planned),
        "sent": dict(sent),
        "acknowledged": dict(acknowledged),
        "requests": len(attempts),
        "retries": len(attempts) - len(records),
        "errors": dict(errors.most_common()),
        "error_words": first_words,
        "late_median": statistics.median(late),
        "late_max": late[-1],
        "calm_rate": calm,
        "fault_rate": faulted,
        "failures_after_restart": (
            (failed_after[0] - began, failed_after[-1] - began) if failed_after else None
        ),
        "recovered_after": min(recovered) - began if recovered else None,
        "errors_at_kill": len(failed_at_kill),
        "lost": reports["lost"] + ballots["lost"],
        "doubled": reports["doubled"] + ballots["doubled"],
        "half_written": half_written,
        "tally_equals_count": ballots["tally_equals_count"],
        "emails_lost": audit["emails"]["unsent"]
        + audit["emails"]["acknowledged_without_notification"],
        "emails_doubled": audit["emails"]["twice"] + audit["emails"]["notified_twice"],
    }


def _or_dash(value: float | None, unit: str = " s") -> str:
    return "-" if value is None else f"{value:.1f}{unit}"


def restart_words(faults: Faults) -> str:
    """How the restart went, in words: the command's time and the database's own outage."""
    if faults.database_down_after is None:
        outage = "was never seen refusing a connection"
    else:
        outage = (
            f"refused connections from {faults.database_down_after:.1f} s to "
            f"{_or_dash(faults.database_back_after)} after it began"
        )
    return f"the command took {faults.restart_took:.1f} s, the database {outage}"


def format_figures(plan: Plan, figures: dict, outcome: Outcome) -> str:
    """The figures as people read them."""
    faults, audit, shape = outcome.faults, outcome.audit, outcome.shape
    reports, ballots, emails = audit["reports"], audit["ballots"], audit["emails"]
    rows = [("", "planned", "sent", "acknowledged", "stored", "lost", "doubled", "stored, no 201")]
    names = {"report": "reports, JSON API", "open311": "reports, Open311"}
    for kind, name in names.items():
        stored = reports["by_kind"].get(kind, {})
        rows.append(
            (
                name,
                figures["planned"].get(kind, 0),
                figures["sent"].get(kind, 0),
                figures["acknowledged"].get(kind, 0),
                stored.get("stored", 0),
                stored.get("lost", 0),
                stored.get("doubled", 0),
                stored.get("stored_unacknowledged", 0),
            )
        )
    rows.append(
        (
            "ballots",
            figures["planned"].get("ballot", 0),
            figures["sent"].get("ballot", 0),
            figures["acknowledged"].get("ballot", 0),
            ballots["stored"],
            ballots["lost"],
            ballots["doubled"],
            ballots["stored_unacknowledged"],
        )
    )
    cells = [[str(cell) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
    table = [
        "  "
        + "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in cells
    ]
    errors = ", ".join(f"{kind} x{n}" for kind, n in figures["errors"].items()) or "none"
    half = {k: v for k, v in audit["half_written"].items() if v}
    window = figures["failures_after_restart"]
    failing = f"from {window[0]:.1f} s to {window[1]:.1f} s after it began" if window else "none"
    lines = [
        f"fault drill: {shape}",
        f"load: {plan.writes:,} writes planned over {plan.seconds:.0f} s by {plan.clients} "
        f"clients, alternating instances; {figures['requests']:,} requests sent "
        f"({figures['retries']} ballot retries); writes went out a median "
        f"{figures['late_median']:.2f} s after their moment (at most {figures['late_max']:.1f} s)",
        *table,
        f"errors by kind: {errors}",
        "logged: "
        + "; ".join(
            f"{source}: "
            + (", ".join(f"{name} x{n}" for name, n in raised.most_common()) or "none")
            for source, raised in figures.get("raised", {}).items()
        ),
        f"SIGKILL of web worker {faults.killed_pid} (port {faults.killed_port}) at "
        f"{plan.kill_at:.0f} s, "
        f"{'in the middle of a request' if faults.killed_busy else 'between requests'}: "
        f"replaced after {_or_dash(faults.replaced_after)}, "
        f"{figures['errors_at_kill']} requests failed with it",
        f"PostgreSQL restart at {plan.restart_at:.0f} s: {restart_words(faults)}; "
        f"requests failed {failing}; recovery (first 201 to a request sent after the last "
        f"failure): {_or_dash(figures['recovered_after'])}",
        f"tally: {ballots['tally_ballots']} ballots tallied, {ballots['stored']} stored, "
        f"{ballots['registered']} in the register; votes of {ballots['projects']} projects: "
        + (
            "tally = choices stored = choices the registered voters sent"
            if ballots["tally_equals_count"]
            else "MISMATCH " + "; ".join(ballots["tally_mismatches"])
        ),
        f"half-written: {figures['half_written']}"
        + (f" ({half})" if half else "")
        + f"; upload files without a record (swept after 6 h): {audit['orphan_files']}",
        f"confirmation emails (Celery): {emails['due']} notifications, {emails['sent']} emails "
        f"sent, {emails['unsent']} never sent, {emails['twice']} sent twice; reports answered 201 "
        f"without their notification: {emails['acknowledged_without_notification']}",
        f"acknowledged writes/s: {figures['calm_rate']:.1f} before the kill, "
        f"{figures['fault_rate']:.1f} from the kill to the end of the load",
        f"LOST {figures['lost']}, DOUBLED {figures['doubled']}; emails lost "
        f"{figures['emails_lost']}, doubled {figures['emails_doubled']}",
    ]
    examples = (
        reports["lost_examples"]
        + ballots["lost_examples"]
        + reports["doubled_examples"]
        + [f"{number}: email never sent" for number in emails["unsent_examples"]]
    )
    if examples:
        lines.append("examples: " + "; ".join(examples))
    for kind, words in figures["error_words"].items():
        lines.append(f"first {kind}: {words}")
    if faults.restart_failed or faults.notes:
        lines.append("fault problems: " + "; ".join([faults.restart_failed, *faults.notes]))
    return "\n".join(lines)


def verdict(figures: dict, faults: Faults) -> list[str]:
    """Why the drill failed; empty when it passed."""
    problems = []
    if figures["lost"]:
        problems.append(f"{figures['lost']} acknowledged writes lost or not stored whole")
    if figures["doubled"]:
        problems.append(f"{figures['doubled']} writes doubled")
    if figures["half_written"]:
        problems.append(f"{figures['half_written']} half-written rows or files")
    if not figures["tally_equals_count"]:
        problems.append("the tally differs from the count")
    if figures["emails_lost"] or figures["emails_doubled"]:
        problems.append(
            f"confirmation emails: {figures['emails_lost']} lost, "
            f"{figures['emails_doubled']} doubled"
        )
    if not sum(figures["acknowledged"].values()):
        problems.append("nothing was acknowledged")
    if not faults.killed_pid or faults.replaced_after is None:
        problems.append("the web worker was not killed and replaced: " + "; ".join(faults.notes))
    if faults.restart_failed or faults.database_back_after is None:
        problems.append(f"PostgreSQL was not restarted and back: {faults.restart_failed}")
    return problems


# --- the run ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What a drill leaves to be summed up: its shape, the writes planned, the clients' records,
    the faults, the load's start, the audit and the exceptions the processes logged."""

    shape: str
    operations: list[dict]
    records: list[dict]
    faults: Faults
    t0: float
    audit: dict
    raised: dict[str, Counter[str]]


def drill(plan: Plan, services: Services) -> Outcome:
    """Set the site up on a scratch database, run the load under faults, audit what is stored;
    everything it started is stopped and the scratch database dropped at the end."""
    name = database_name(services.database)
    environment = {
        "REDIS_URL": services.redis,
        "CELERY_BROKER_URL": services.broker,
        "HAMKKE_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "BENCH_FAULTS_NAME": name,
        **RAISED_RATES,
    }
    started = time.monotonic()
    with (
        scratch_database(services.database) as database_url,
        prepared_site(
            environment={**environment, "DATABASE_URL": database_url},
            settings="bench.faults_settings",
        ) as (env, data_dir),
        django_processes(env) as django,
    ):
        _log(f"site ready in {time.monotonic() - started:.0f} s; creating {plan.ballots} voters")
        setup = django.submit(faults_audit.prepare, plan.ballots).result(timeout=600)
        operations = build_operations(plan, setup)
        context = {"api_key": setup["api_key"], "cycle": setup["cycle"], "pool": setup["pool"]}
        _log("voters ready; starting two web instances and a Celery worker")
        with drill_processes(env, data_dir, plan, name) as processes:
            first, second = processes.first, processes.second
            shape = (
                f"2 instances (ports {first.port}, {second.port}; {plan.workers} workers x "
                f"{plan.threads} threads each), 1 Celery worker (2 processes), PostgreSQL "
                f"{name}, Redis, RabbitMQ, on {os.cpu_count()} cores"
            )
            _log(f"load starts, {time.monotonic() - started:.0f} s after the start: {shape}")
            ports = [first.port, second.port]
            records, faults, t0 = load_under_faults(
                plan, operations, context, ports, processes.first_master, services, database_url
            )
            _log("load done; waiting for the Celery worker's emails")
            drain_emails(django, plan.drain_seconds)
            if processes.worker.poll() is not None:
                faults.notes.append(f"the Celery worker exited ({processes.worker.returncode})")
        raised = logged_exceptions(data_dir)
        keep_logs(data_dir)
        filings, votes = audit_inputs(operations, records)
        audit = django.submit(
            faults_audit.audit,
            filings=filings,
            votes=votes,
            cycle=setup["cycle"],
            pool=setup["pool"],
            mail_dir=str(data_dir / "mail"),
        ).result(timeout=600)
    return Outcome(shape, operations, records, faults, t0, audit, raised)


def summary_notes(figures: dict, outcome: Outcome) -> str:
    """The figures in one line, for the table's notes and the JSON object."""
    faults = outcome.faults
    errors = ", ".join(f"{k} x{n}" for k, n in figures["errors"].items()) or "none"
    return (
        f"{outcome.shape}; {sum(figures['sent'].values()):,} writes sent, "
        f"{sum(figures['acknowledged'].values()):,} acknowledged, lost 0, doubled 0, "
        f"half-written 0, tally = count; errors by kind: {errors}; worker replaced after "
        f"{_or_dash(faults.replaced_after)}; PostgreSQL restart: {restart_words(faults)}, "
        f"recovery {_or_dash(figures['recovered_after'])}"
    )


def run(quick: bool) -> Result:
    """The drill, its figures printed to stderr; RuntimeError saying why when it failed."""
    plan = plan_for(quick)
    services = services_from_environment()
    _check_services(services)
    started = time.monotonic()
    outcome = drill(plan, services)
    figures = summarise(
        plan=plan,
        operations=outcome.operations,
        records=outcome.records,
        faults=outcome.faults,
        t0=outcome.t0,
        audit=outcome.audit,
    )
    figures["raised"] = outcome.raised
    print(format_figures(plan, figures, outcome), file=sys.stderr, flush=True)
    _log(f"done in {time.monotonic() - started:.0f} s")
    problems = verdict(figures, outcome.faults)
    if problems:
        raise RuntimeError("fault drill failed: " + "; ".join(problems))
    return Result(
        name="faults",
        value=figures["fault_rate"],
        baseline=figures["calm_rate"],
        unit="acked writes/s",
        notes=summary_notes(figures, outcome),
    )
