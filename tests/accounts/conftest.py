"""Fixtures for the accounts tests: English pages, a phone outbox, officials who log in with
their authenticator code through allauth's real log-in flow."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.utils import translation

from hamkke.accounts.models import Role
from hamkke.accounts.sms import MemorySMSBackend
from tests import factories
from tests.factories import log_in


@pytest.fixture(autouse=True)
def _english(client):
    """Messages are asserted in English, the source language, whatever the city speaks."""
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def sms_outbox(settings):
    settings.HAMKKE_SMS_BACKEND = "hamkke.accounts.sms.MemorySMSBackend"
    MemorySMSBackend.outbox.clear()
    yield MemorySMSBackend.outbox
    MemorySMSBackend.outbox.clear()


@pytest.fixture
def transport(city):
    return city.departments.get(code="transport")


@pytest.fixture
def parks(city):
    return city.departments.get(code="parks")


@pytest.fixture
def official_client(client, city):
    """Make an official with `role` in `department`, with an authenticator app, and log the
    test client in as them with password and code."""

    def make(role: Role, department=None, *, email: str | None = None):
        department = department or city.departments.get(code="transport")
        user = factories.make_official(role=role, department=department, email=email)
        secret = factories.activate_totp(user)
        log_in(client, user, secret=secret)
        return user

    return make
