"""/healthz: ok or error per part with 200 or 503 for everyone; what the error was only for
signed-in staff."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import OperationalError
from django.test import RequestFactory
from django.utils.functional import SimpleLazyObject

from hamkke.core import views
from tests import factories

pytestmark = pytest.mark.django_db

# Nothing listens on port 1; the error names the address it tried.
UNREACHABLE_BROKER = "amqp://guest:guest@127.0.0.1:1//"


@pytest.fixture
def broker_down(settings):
    settings.CELERY_BROKER_URL = UNREACHABLE_BROKER


def test_the_public_answer_says_only_ok_or_error(client, broker_down):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"] == {"database": "ok", "cache": "ok", "broker": "error"}
    assert "127.0.0.1" not in response.content.decode()


def test_a_signed_in_citizen_gets_the_public_answer(client, broker_down):
    client.force_login(factories.make_user())
    assert client.get("/healthz").json()["checks"]["broker"] == "error"


def test_staff_see_what_the_error_was(client, broker_down):
    client.force_login(factories.make_user(is_staff=True))
    response = client.get("/healthz")
    assert response.status_code == 503
    broker = response.json()["checks"]["broker"]
    assert broker.startswith("error: ")
    assert len(broker) > len("error: ") + 10  # the exception's class and message


def test_a_database_error_is_hidden_from_the_public_and_shown_to_staff(
    client, monkeypatch, settings
):
    def broken_check() -> str:
        return "error: OperationalError: could not connect to server at 10.0.0.5:5432"

    monkeypatch.setattr(views, "_check_database", broken_check)
    public = client.get("/healthz")
    assert public.status_code == 503
    assert public.json()["checks"]["database"] == "error"
    assert "10.0.0.5" not in public.content.decode()

    client.force_login(factories.make_user(is_staff=True))
    assert "10.0.0.5" in client.get("/healthz").json()["checks"]["database"]


def test_a_session_that_cannot_be_read_gets_the_public_answer(monkeypatch, broker_down):
    """With the database (or the session cache) down, nobody can be known to be staff."""

    def unreadable_session():
        raise OperationalError("the database is down")

    request = RequestFactory().get("/healthz")
    request.user = SimpleLazyObject(unreadable_session)
    response = views.healthz(request)
    assert response.status_code == 503
    assert b'"broker": "error"' in response.content


def test_everything_up_is_200_for_everyone(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "cache": "ok", "broker": "inline"}
    request = RequestFactory().get("/healthz")
    request.user = AnonymousUser()
    assert views.healthz(request).status_code == 200
