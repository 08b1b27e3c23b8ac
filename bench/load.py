"""HTTP load: several client processes, each on one keep-alive connection, for a fixed time; the
keep-alive client itself, and a round of writes as the served write benchmarks count it."""

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


@dataclass(frozen=True)
class Round:
    """A round of writes (reports filed, ballots cast, rows inserted): how many, how many
    failed, per second, and the first failure's words."""

    count: int
    errors: int
    rate: float
    first_error: str = ""


class KeepAliveClient:
    """One client's keep-alive connection, opened again after a failure or when the server
    closes it, counting the answers it expected (`ok`) and the others (`errors`, with the first
    one's words in `first_error`)."""

    def __init__(self, host: str, port: int, *, timeout: float = 10) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.ok = self.errors = 0
        self.first_error = ""
        self._conn: http.client.HTTPConnection | None = None

    @property
    def hopeless(self) -> bool:
        """Nothing but errors so far, many of them: the client stops early rather than spin."""
        return self.ok == 0 and self.errors >= _MAX_ERRORS_WITHOUT_SUCCESS

    def send(
        self,
        method: str,
        path: str,
        *,
        body: bytes | str | None = None,
        headers: dict[str, str] | None = None,
        expect: int = 200,
    ) -> bool:
        """One request; True when it answered `expect`."""
        if self._conn is None:
            self._conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            self._conn.request(method, path, body=body, headers=headers or {})
            response = self._conn.getresponse()
            answer = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.errors += 1
            self.first_error = self.first_error or repr(exc)
            self.close()
            return False
        done = response.status == expect
        if done:
            self.ok += 1
        else:
            self.errors += 1
            text = answer[:300].decode("utf-8", "replace")
            self.first_error = self.first_error or f"{response.status} {text}"
        if response.will_close:
            self.close()
        return done

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def _hammer(host: str, port: int, path: str, seconds: float) -> tuple[int, int, float]:
    """GET `path` as fast as one connection allows; returns (ok, errors, elapsed seconds)."""
    client = KeepAliveClient(host, port)
    start = time.perf_counter()
    deadline = start + seconds
    while time.perf_counter() < deadline and not client.hopeless:
        client.send("GET", path)
    client.close()
    return client.ok, client.errors, time.perf_counter() - start


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
