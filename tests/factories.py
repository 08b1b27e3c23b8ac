"""Factories for tests: plain functions that build valid objects with overridable fields."""

from __future__ import annotations

import itertools

from django.contrib.auth import get_user_model

PASSWORD = "correct-horse-battery-staple"
_counter = itertools.count(1)


def load_seoul():
    from hamkke.core.services import load_city

    return load_city(slug="seoul")


def make_user(*, email: str | None = None, password: str = PASSWORD, **fields):
    email = email or f"person{next(_counter)}@example.org"
    return get_user_model().objects.create_user(email=email, password=password, **fields)
