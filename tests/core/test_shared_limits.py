"""Without REDIS_URL, rate limits are counted in a cache on disk that every worker process of
the machine shares: twelve wrong passwords spread over two processes are still twelve."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from django.conf import settings as django_settings

ATTEMPTS = textwrap.dedent(
    """
    import django
    django.setup()
    import types
    from hamkke.core import ratelimit
    # Both processes at the same still moment, so the hour's window cannot roll between them.
    ratelimit.time = types.SimpleNamespace(time=lambda: 1_800_001_830.0)
    print(",".join(
        str(ratelimit.attempt_by(group="accounts.password", key="someone", rate="10/h"))
        for _ in range(6)
    ))
    """
)


def _process_attempts(data_dir) -> list[int]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hamkke.settings",
        "HAMKKE_DATA_DIR": str(data_dir),
    }
    env.pop("REDIS_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", ATTEMPTS], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return [int(wait) for wait in done.stdout.strip().split(",")]


def test_the_embedded_default_counts_limits_on_disk():
    backend = django_settings.CACHES["ratelimit"]["BACKEND"]
    assert backend.endswith("FileBasedCache") or backend.endswith("RedisCache")
    assert django_settings.RATELIMIT_USE_CACHE == "ratelimit"


def test_two_processes_count_together(tmp_path):
    first = _process_attempts(tmp_path)
    second = _process_attempts(tmp_path)
    # Ten allowed in all, then refused with a wait: never allowed again by the second process.
    assert [wait == 0 for wait in first + second] == [True] * 10 + [False] * 2
