"""HTTP load: several client processes, each on one keep-alive connection, for a fixed time."""

from __future__ import annotations

import http.client
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

# A client that sees nothing but errors stops early rather than spinning for the whole round.
_MAX_ERRORS_WITHOUT_SUCCESS = 200


@dataclass(frozen=True)
class LoadRound:
    path: str
    seconds: float
    ok: int
    errors: int
    rps: float


def _hammer(host: str, port: int, path: str, seconds: float) -> tuple[int, int, float]:
    """GET `path` as fast as one connection allows; returns (ok, errors, elapsed seconds)."""
    ok = errors = 0
    conn: http.client.HTTPConnection | None = None
    start = time.perf_counter()
    deadline = start + seconds
    while time.perf_counter() < deadline:
        if ok == 0 and errors >= _MAX_ERRORS_WITHOUT_SUCCESS:
            break
        if conn is None:
            conn = http.client.HTTPConnection(host, port, timeout=10)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
        except (OSError, http.client.HTTPException):
            errors += 1
            conn.close()
            conn = None
            continue
        if response.status == 200:
            ok += 1
        else:
            errors += 1
        if response.will_close:
            conn.close()
            conn = None
    if conn is not None:
        conn.close()
    return ok, errors, time.perf_counter() - start


class LoadGenerator:
    """A pool of client processes kept for several rounds, so each round starts at once."""

    def __init__(self, host: str, port: int, clients: int):
        self.host, self.port, self.clients = host, port, clients
        self._pool = ProcessPoolExecutor(max_workers=clients)

    def __enter__(self) -> LoadGenerator:
        return self

    def __exit__(self, *exc_info) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def measure(self, path: str, seconds: float) -> LoadRound:
        futures = [
            self._pool.submit(_hammer, self.host, self.port, path, seconds)
            for _ in range(self.clients)
        ]
        # Bounded: each client stops at its deadline; the margin covers one slow last request.
        outcomes = [future.result(timeout=seconds + 30) for future in futures]
        ok = sum(o[0] for o in outcomes)
        errors = sum(o[1] for o in outcomes)
        rps = sum(o[0] / o[2] for o in outcomes if o[2] > 0)
        return LoadRound(path=path, seconds=seconds, ok=ok, errors=errors, rps=rps)
