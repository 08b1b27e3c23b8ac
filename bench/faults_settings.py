"""The bench settings for the fault drill (bench/faults.py): its Celery queue, its cache keys and
its mail folder are its own, so the machine's shared RabbitMQ and Redis never mix the drill's work
with anyone else's, and every email the worker sends can be counted afterwards."""

import os

from bench.settings import *  # noqa: F403
from bench.settings import CACHES, DATA_DIR

# One name for the drill's queue and cache keys (bench/faults.py sets it from its database).
DRILL_NAME = os.environ.get("BENCH_FAULTS_NAME", "hamkke_bench_faults")

CELERY_TASK_DEFAULT_QUEUE = DRILL_NAME
CACHES["default"]["KEY_PREFIX"] = DRILL_NAME
# With HAMKKE_EMAIL_BACKEND=…filebased.EmailBackend each sent message lands here, to be counted.
EMAIL_FILE_PATH = DATA_DIR / "mail"
