"""The README's test command (`make test` runs `python -m tests.run`): the whole suite on the
embedded default (SQLite) with the browser tests, then — when PostgreSQL answers, or
DATABASE_URL names one — every test that touches the database again on PostgreSQL, where the
databases differ (constraints, concurrency, full-text search, data errors). Both passes run on
all cores (pytest-xdist). The real Redis, RabbitMQ and Mosquitto tests run when those answer on
their standard local ports and are skipped otherwise; the summary says which ran.

    python -m tests.run [pytest arguments…]     # e.g. -k ballot, or tests/budget
    HAMKKE_TEST_PASSES=sqlite python -m tests.run    # one pass only (sqlite | postgres)
    HAMKKE_TEST_WORKERS=1 python -m tests.run        # no parallel workers

With HAMKKE_REQUIRE_SERVICES=1 (as in CI) an absent PostgreSQL or service fails the run instead
of being skipped, so a run cannot pass by skipping them."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from urllib.parse import urlparse

LOCAL_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
# What the real-service tests use when their variable is unset and the service answers.
LOCAL_SERVICES = {
    "HAMKKE_TEST_REDIS_URL": "redis://127.0.0.1:6379/15",
    "HAMKKE_TEST_BROKER_URL": "amqp://guest:guest@127.0.0.1:5672//",
    "HAMKKE_TEST_MQTT_URL": "mqtt://127.0.0.1:1883",
}
SERVICE_NAMES = {
    "HAMKKE_TEST_REDIS_URL": "Redis",
    "HAMKKE_TEST_BROKER_URL": "RabbitMQ",
    "HAMKKE_TEST_MQTT_URL": "Mosquitto",
}
DEFAULT_PORTS = {"postgres": 5432, "redis": 6379, "amqp": 5672, "mqtt": 1883}
COUNTS = re.compile(r"(\d+) (passed|failed|skipped|errors?|xfailed|xpassed|deselected)")


def answers(url: str, timeout: float = 0.5) -> bool:
    """Whether something listens at the URL's host and port."""
    parts = urlparse(url)
    port = parts.port or DEFAULT_PORTS.get(parts.scheme.split("+")[0], 0)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", port), timeout=timeout):
            return True
    except OSError:
        return False


@dataclass
class Pass:
    label: str
    env: dict[str, str]
    args: list[str]
    counts: dict[str, int] = field(default_factory=dict)
    status: int = 0


def _workers() -> list[str]:
    workers = os.environ.get("HAMKKE_TEST_WORKERS", "auto")
    return [] if workers in ("0", "1") else ["-n", workers, "--dist", "loadfile"]


def _run(test_pass: Pass, extra: list[str]) -> Pass:
    print(f"\n==== tests — {test_pass.label} ====", flush=True)
    command = [sys.executable, "-m", "pytest", *_workers(), *test_pass.args, *extra]
    process = subprocess.Popen(
        command,
        env={**os.environ, **test_pass.env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    last = ""
    for line in process.stdout:
        print(line, end="", flush=True)
        if line.strip():
            last = line
    test_pass.status = process.wait()
    for number, kind in COUNTS.findall(last):
        key = "errors" if kind.startswith("error") else kind
        test_pass.counts[key] = test_pass.counts.get(key, 0) + int(number)
    return test_pass


def main(extra: list[str]) -> int:
    required = os.environ.get("HAMKKE_REQUIRE_SERVICES") == "1"
    services = {}
    for variable, default in LOCAL_SERVICES.items():
        url = os.environ.get(variable) or default
        services[variable] = url if answers(url) else ""
    service_env = {variable: url for variable, url in services.items() if url}

    chosen = os.environ.get("HAMKKE_TEST_PASSES", "sqlite,postgres").split(",")
    explicit = os.environ.get("DATABASE_URL", "")
    passes: list[Pass] = []
    if explicit:
        # A database named by the caller: the whole suite once, there.
        passes.append(Pass(f"whole suite on {urlparse(explicit).scheme}", service_env, []))
    else:
        if "sqlite" in chosen:
            sqlite_env = {**service_env, "DATABASE_URL": ""}
            passes.append(Pass("SQLite (embedded default), whole suite", sqlite_env, []))
        if "postgres" in chosen:
            if answers(LOCAL_POSTGRES):
                postgres_env = {
                    **service_env,
                    "DATABASE_URL": LOCAL_POSTGRES,
                    "HAMKKE_ONLY_DATABASE_TESTS": "1",
                }
                passes.append(Pass("PostgreSQL, the tests that use the database", postgres_env, []))
            elif required:
                print("PostgreSQL does not answer on 127.0.0.1:5432 (HAMKKE_REQUIRE_SERVICES=1)")
                return 1
            else:
                print("PostgreSQL does not answer on 127.0.0.1:5432: its pass is skipped.")

    for test_pass in passes:
        _run(test_pass, extra)

    print("\n==== summary ====")
    for test_pass in passes:
        counts = ", ".join(f"{n} {kind}" for kind, n in test_pass.counts.items()) or "no result"
        print(f"{test_pass.label}: {counts} (exit {test_pass.status})")
    used = [SERVICE_NAMES[name] for name, url in services.items() if url]
    absent = [SERVICE_NAMES[name] for name, url in services.items() if not url]
    print(
        "real services: "
        + (", ".join(used) if used else "none")
        + (f" (absent, their tests skipped: {', '.join(absent)})" if absent else "")
    )
    total = {
        kind: sum(p.counts.get(kind, 0) for p in passes)
        for kind in ("passed", "failed", "errors", "skipped")
    }
    failed = total["failed"] + total["errors"]
    print(f"total: {total['passed']} passed, {failed} failed, {total['skipped']} skipped")
    if not passes or total["passed"] == 0:
        print("no test ran")
        return 5
    return 1 if any(p.status not in (0,) for p in passes) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
