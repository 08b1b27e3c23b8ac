"""Fixtures for core's shared parts: an object people may comment on, moderators."""

from __future__ import annotations

import pytest

from hamkke.core.models import District
from hamkke.core.registries import register_commentable, unregister_commentable
from tests import factories

MANAGER, HANDLER = 30, 20  # accounts.Role values


@pytest.fixture
def commentable_districts():
    """Districts take comments for the test (no real service registers them)."""
    register_commentable(District, label="district")
    yield
    unregister_commentable(District)


@pytest.fixture
def commented_district(db, commentable_districts):
    return factories.make_district(name="Jongno-gu")


@pytest.fixture
def author(db):
    return factories.make_user(email="author.private@example.org", display_name="Kim Author")


@pytest.fixture
def staff_moderator(db):
    return factories.make_user(email="staff@example.org", is_staff=True)


@pytest.fixture
def manager(db):
    return factories.make_official(role=MANAGER, email="manager@example.org")


@pytest.fixture
def handler(db):
    return factories.make_official(role=HANDLER, email="handler@example.org")
