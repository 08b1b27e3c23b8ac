"""Hamkke's own settings plus a bare baseline view (bench/urls.py), for the served benchmarks."""

from hamkke.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
