"""A throwaway Hamkke site served by gunicorn through `hamkke serve`, for the served benchmarks;
and Django in worker processes, for the work a benchmark does on a site's database itself.

A served site gets its own data folder (SQLite, migrated, a city profile loaded; or the database a
caller names in `environment`) and the bench settings (bench/settings.py: the site plus the bare
baseline view). The server and its workers are stopped when the `with` block ends, errors
included."""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
BARE_PATH = "/_bench/bare"

# The benchmark measures the embedded default; a developer's service URLs must not leak in.
_DEPLOYMENT_VARIABLES = (
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
    "MQTT_URL",
    "HAMKKE_DEBUG",
    "HAMKKE_ACCESS_LOG",
    "HAMKKE_MEDIA_STORAGE",
)


@dataclass(frozen=True)
class ServedSite:
    host: str
    port: int
    workers: int
    threads: int
    data_dir: Path
    # The environment the server runs with, for other processes that work on the same site.
    env: dict[str, str] = field(default_factory=dict, repr=False)

    def hamkke(self, *args: str, timeout: float = 120) -> str:
        """Run one `hamkke` verb against this site; returns what it printed."""
        return _hamkke(self.env, *args, timeout=timeout)

    def get(self, path: str, timeout: float = 10) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()


def default_workers() -> int:
    """The same default as `hamkke serve`."""
    return (os.cpu_count() or 1) * 2 + 1


def _setting(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


def served_shape() -> tuple[int | None, int, int]:
    """(gunicorn workers, threads per worker, load clients) from BENCH_WORKERS (default: as
    `hamkke serve`, None), BENCH_THREADS (4) and BENCH_CLIENTS (4)."""
    workers = _setting("BENCH_WORKERS", 0) or None
    return workers, _setting("BENCH_THREADS", 4), _setting("BENCH_CLIENTS", 4)


def _environment(
    data_dir: Path, extra: Mapping[str, str] | None = None, settings: str = "bench.settings"
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _DEPLOYMENT_VARIABLES}
    # What the benchmark itself asks for (a DATABASE_URL, raised rate limits) goes back in.
    env.update(extra or {})
    env["DJANGO_SETTINGS_MODULE"] = settings
    env["HAMKKE_DATA_DIR"] = str(data_dir)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(REPO_ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    env.setdefault("HAMKKE_LOG_LEVEL", "ERROR")
    return env


def _hamkke(env: dict[str, str], *args: str, timeout: float) -> str:
    """Run one `hamkke` verb; its output is returned, and shown when it fails."""
    command = [sys.executable, "-m", "hamkke.cli", *args]
    done = subprocess.run(
        command,
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"`hamkke {' '.join(args)}` failed ({done.returncode}):\n{done.stdout}{done.stderr}"
        )
    return done.stdout


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _tail(path: Path, chars: int = 3000) -> str:
    try:
        return path.read_text(errors="replace")[-chars:]
    except OSError:
        return ""


def wait_until_serving(site: ServedSite, proc: subprocess.Popen, log: Path, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}:\n{_tail(log)}")
        try:
            status, _body = site.get(BARE_PATH, timeout=2)
        except OSError:
            time.sleep(0.2)
            continue
        if status == 200:
            return
        raise RuntimeError(f"{BARE_PATH} answered {status}:\n{_tail(log)}")
    raise RuntimeError(f"the server did not answer within {timeout:.0f}s:\n{_tail(log)}")


def stop_process_group(proc: subprocess.Popen) -> None:
    """Stop a server started in a session of its own (gunicorn, a Celery worker) and its
    workers: the whole process group, gracefully first (SIGTERM lets in-flight requests finish
    and stops sooner than SIGINT here), then SIGKILL."""
    if proc.poll() is not None:
        return
    for sig, grace in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue


@contextmanager
def served_site(
    *,
    city: str = "seoul",
    workers: int | None = None,
    threads: int = 4,
    start_timeout: float = 60,
    environment: Mapping[str, str] | None = None,
) -> Iterator[ServedSite]:
    with (
        prepared_site(city=city, environment=environment) as (env, data_dir),
        serving(env, data_dir, workers=workers, threads=threads, start_timeout=start_timeout) as (
            site,
            _proc,
        ),
    ):
        yield site


@contextmanager
def prepared_site(
    *,
    city: str = "seoul",
    environment: Mapping[str, str] | None = None,
    settings: str = "bench.settings",
) -> Iterator[tuple[dict[str, str], Path]]:
    """A data folder with the site's database migrated and the city's profile loaded; yields the
    environment of the processes that serve or work on it, and the folder (removed at the end)."""
    data_dir = Path(tempfile.mkdtemp(prefix="hamkke-bench-"))
    try:
        env = _environment(data_dir, environment, settings)
        _hamkke(env, "migrate", "--noinput", "--verbosity", "0", timeout=300)
        _hamkke(env, "city", "load", city, timeout=120)
        yield env, data_dir
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


@contextmanager
def serving(
    env: dict[str, str],
    data_dir: Path,
    *,
    workers: int | None = None,
    threads: int = 4,
    start_timeout: float = 60,
) -> Iterator[tuple[ServedSite, subprocess.Popen]]:
    """`hamkke serve` on a free port of a prepared site, until the `with` block ends; yields the
    site and the gunicorn master (its process group is stopped at the end). Several servers
    can serve one site, each on its own port."""
    site, proc, log = start_server(env, data_dir, workers=workers, threads=threads)
    try:
        wait_until_serving(site, proc, log, start_timeout)
        yield site, proc
    finally:
        stop_process_group(proc)


def start_server(
    env: dict[str, str], data_dir: Path, *, workers: int | None = None, threads: int = 4
) -> tuple[ServedSite, subprocess.Popen, Path]:
    """Start `hamkke serve` on a free port, in a session of its own, without waiting for it;
    returns the site, the gunicorn master and its log. The caller stops it."""
    site = ServedSite(
        "127.0.0.1", _free_port(), workers or default_workers(), threads, data_dir, env
    )
    log = data_dir / f"server-{site.port}.log"
    with log.open("wb") as log_file:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "hamkke.cli",
                "serve",
                "--host",
                site.host,
                "--port",
                str(site.port),
                "--workers",
                str(site.workers),
                "--threads",
                str(site.threads),
            ],
            env=env,
            cwd=REPO_ROOT,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return site, proc, log


def stop_process_groups(procs: list[subprocess.Popen]) -> None:
    """Stop several servers at once: each takes seconds to wind down."""
    with ThreadPoolExecutor(max_workers=max(len(procs), 1)) as pool:
        list(pool.map(stop_process_group, procs))


# --- Django in worker processes ----------------------------------------------------------------


def worker_environment(data_dir: Path, database_url: str = "") -> dict[str, str]:
    """The environment of worker processes on a site of their own: the bench settings, `data_dir`
    and `database_url` (empty: SQLite in `data_dir`). It is laid over the inherited one, so a
    developer's DATABASE_URL cannot leak in."""
    return {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": database_url,
        "HAMKKE_DATA_DIR": str(data_dir),
        "HAMKKE_LOG_LEVEL": "ERROR",
        "HAMKKE_DEBUG": "0",
    }


def _django_start(env: dict[str, str]) -> None:
    os.environ.update(env)
    import django

    django.setup()


def django_processes(env: Mapping[str, str], count: int = 1) -> ProcessPoolExecutor:
    """`count` fresh (spawned) processes with Django set up on the site `env` names (a served
    site's `env`, or a worker_environment), for the work a benchmark does on its database."""
    return ProcessPoolExecutor(
        max_workers=count,
        mp_context=get_context("spawn"),
        initializer=_django_start,
        initargs=(dict(env),),
    )


def create_site(city: str = "seoul") -> None:
    """Inside a Django process: migrate the empty database and load the city's profile (what
    served_site does through `hamkke migrate` and `hamkke city load`)."""
    from django.core.management import call_command

    from hamkke.core.city.services import load_city

    call_command("migrate", verbosity=0, interactive=False)
    load_city(slug=city)


@contextmanager
def site_worker(url: str, suffix: str) -> Iterator[ProcessPoolExecutor]:
    """One Django process on a fresh site of its own, for benchmarks that load rows and time
    queries: migrated and loaded with Seoul, on a scratch PostgreSQL database named
    `<url's name>_<suffix>` (or a SQLite file when `url` starts with "sqlite"), in a temporary
    data folder; all of it removed at the end."""
    from bench.database import database_name, scratch_database, with_database

    data_dir = Path(tempfile.mkdtemp(prefix="hamkke-bench-"))
    try:
        with ExitStack() as stack:
            database = ""
            if not url.startswith("sqlite"):
                name = f"{database_name(url)}_{suffix}"
                database = stack.enter_context(scratch_database(with_database(url, name)))
            worker = stack.enter_context(django_processes(worker_environment(data_dir, database)))
            worker.submit(create_site).result(timeout=600)
            yield worker
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def timed_rows(sql: str) -> dict:
    """Inside a Django process: run `sql` (pairs of key and count) once; its seconds and the
    counts by key. The plain baseline of the tally benchmarks."""
    from django.db import connection

    with connection.cursor() as cursor:
        start = time.perf_counter()
        cursor.execute(sql)
        rows = cursor.fetchall()
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "votes": dict(rows)}


def progress(message: str) -> None:
    """A line of progress for the person running a long benchmark (stderr: not the table)."""
    print(message, file=sys.stderr, flush=True)
