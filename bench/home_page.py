"""Home page: requests per second of `/` against a bare Django view on the same gunicorn server.

Both are served by one `hamkke serve` (same workers, threads and middleware) in one run; the
targets alternate (bare, home, bare, home, …) so drift of the machine hits both alike."""

from __future__ import annotations

import os
import statistics

from bench.load import LoadGenerator, LoadRound
from bench.runner import Result
from bench.server import BARE_PATH, served_shape, served_site

HOME_PATH = "/"


def run(quick: bool) -> Result:
    workers, threads, clients = served_shape()
    warmup, seconds, rounds = (2, 4, 2) if quick else (5, 10, 4)

    with served_site(workers=workers, threads=threads) as site:
        status, body = site.get(HOME_PATH)
        if status != 200 or b"<html lang=" not in body:
            raise RuntimeError(f"the home page answered {status}: {body[:300]!r}")
        with LoadGenerator(site.host, site.port, clients) as load:
            load.measure(BARE_PATH, warmup)
            load.measure(HOME_PATH, warmup)
            bare_rounds: list[LoadRound] = []
            home_rounds: list[LoadRound] = []
            for _ in range(rounds):
                bare_rounds.append(load.measure(BARE_PATH, seconds))
                home_rounds.append(load.measure(HOME_PATH, seconds))

    for measured in (*bare_rounds, *home_rounds):
        if measured.ok == 0:
            raise RuntimeError(f"{measured.path}: no successful request ({measured.errors} errors)")
    bare = statistics.median(r.rps for r in bare_rounds)
    home = statistics.median(r.rps for r in home_rounds)
    errors = sum(r.errors for r in (*bare_rounds, *home_rounds))
    notes = (
        f"gunicorn {site.workers} workers x {site.threads} threads, {clients} keep-alive clients "
        f"on the same {os.cpu_count()} cores, SQLite; median of {rounds} alternating "
        f"{seconds}s rounds per target; home page {len(body):,} bytes; "
        f"bare rounds {[round(r.rps) for r in bare_rounds]}, "
        f"home rounds {[round(r.rps) for r in home_rounds]}"
    )
    if errors:
        notes += f"; {errors} failed requests"
    return Result(name="home_page", value=home, baseline=bare, unit="req/s", notes=notes)
