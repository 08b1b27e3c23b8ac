"""Shared fixtures: a loaded city profile and the people who use it."""

from __future__ import annotations

import pytest

from tests import factories


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    """Every test writes uploads to its own folder and starts with an empty cache."""
    settings.MEDIA_ROOT = tmp_path / "media"
    # Argon2 is slow by design; tests make hundreds of accounts (one test checks Argon2 itself).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from django.core.cache import cache

    from hamkke.core.city.selectors import forget_current_city

    cache.clear()
    forget_current_city()  # a city remembered from another test's (rolled back) database


@pytest.fixture
def city(db):
    """Seoul, loaded from its real profile."""
    return factories.load_seoul()


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
