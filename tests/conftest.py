"""Shared fixtures: a loaded city profile and the people who use it."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from tests import factories

# Property tests run beside browsers, PostgreSQL and helpers on two cores: a slow example is
# the machine, not the code. What they check is unchanged; only the timing checks are off.
hypothesis_settings.register_profile(
    "hamkke", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("hamkke")


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    """Every test writes uploads to its own folder and starts with an empty cache."""
    settings.MEDIA_ROOT = tmp_path / "media"
    # Rate limits count on disk, shared by processes (settings.CACHES): each test its own.
    settings.CACHES = {
        **settings.CACHES,
        "ratelimit": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "ratelimit"),
        },
    }
    # Argon2 is slow by design; tests make hundreds of accounts (one test checks Argon2 itself).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from django.core.cache import cache

    from hamkke.core.city.selectors import forget_current_city

    cache.clear()
    forget_current_city()  # a city remembered from another test's (rolled back) database


@pytest.fixture(autouse=True)
def _frozen_rate_limit_clock(monkeypatch):
    """django-ratelimit counts per fixed window of time.time(): a burst that straddles two
    windows would pass in part and a test would fail now and then. Each test's clock stands
    still in the middle of a window (the windows of every rate it uses: 60 s, 1 h)."""
    import django_ratelimit.core as ratelimit_core

    monkeypatch.setattr(ratelimit_core, "time", SimpleNamespace(time=lambda: 1_800_001_830.0))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Seoul's real profile is loaded once per test run into the test database (loading it
    takes about half a second; it used to be done for every test that asked for the city)."""
    with django_db_blocker.unblock():
        factories.load_seoul()


@pytest.fixture
def city(db):
    """Seoul, loaded from its real profile (once per run; again only after a transactional
    test emptied the database)."""
    from hamkke.core.models import City

    return City.objects.filter(slug="seoul").first() or factories.load_seoul()


@pytest.fixture
def citizen(db):
    return factories.make_user(email="citizen@example.org", display_name="김시민")


@pytest.fixture
def password():
    return factories.PASSWORD


@pytest.fixture
def english(settings):
    """Messages are asserted in their English source, whatever the city's language is."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def _uses_database(item: pytest.Item) -> bool:
    fixtures = set(getattr(item, "fixturenames", ()))
    return item.get_closest_marker("django_db") is not None or bool(
        fixtures & {"db", "transactional_db", "live_server", "django_db_setup"}
    )


def pytest_collection_modifyitems(config, items):
    """With HAMKKE_ONLY_DATABASE_TESTS=1 (the PostgreSQL pass of `python -m tests.run`): only the
    tests that touch the database, where the two databases differ; pure computation, parsing and
    the browser (run once, on the embedded default) are left out."""
    import os

    if os.environ.get("HAMKKE_ONLY_DATABASE_TESTS") != "1":
        return
    keep, drop = [], []
    for item in items:
        wanted = _uses_database(item) and item.get_closest_marker("e2e") is None
        (keep if wanted else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
