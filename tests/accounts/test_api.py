"""The accounts API: who am I, with session authentication and CSRF as django-ninja does it."""

from __future__ import annotations

import pytest
from django.test import Client

from hamkke.accounts.models import Role
from tests import factories

pytestmark = pytest.mark.django_db


def test_me_is_401_for_anonymous_people(client):
    response = client.get("/api/v1/accounts/me")
    assert response.status_code == 401
    assert response.json() == {"detail": "Log in first.", "code": "not_authenticated"}


def test_me_describes_the_signed_in_person(client, citizen):
    client.force_login(citizen)
    body = client.get("/api/v1/accounts/me").json()
    assert body["email"] == "citizen@example.org"
    assert body["display_name"] == "김시민"
    assert body["public_name"] == "김시민"
    assert body["identities"] == [] and body["memberships"] == []
    assert body["is_official"] is False
    assert body["second_factor"] is False


def test_me_shows_an_officials_roles_and_second_factor(client, official_client, transport):
    official_client(Role.HANDLER, transport)
    body = client.get("/api/v1/accounts/me").json()
    assert body["is_official"] is True
    assert body["second_factor"] is True
    assert body["memberships"] == [
        {
            "department": "transport",
            "department_name": "Urban Transportation Bureau",
            "role": 20,
            "role_label": "handler",
        }
    ]


def test_display_name_changes_through_the_api(client, citizen):
    client.force_login(citizen)
    response = client.patch(
        "/api/v1/accounts/me", {"display_name": "시민 김"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["public_name"] == "시민 김"
    citizen.refresh_from_db()
    assert citizen.display_name == "시민 김"


def test_writes_need_the_csrf_token(citizen):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(citizen)
    refused = browser.post(
        "/api/v1/accounts/verification/phone/start",
        {"phone": "010-1234-5678"},
        content_type="application/json",
    )
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    browser.get("/me/")  # the page sets the CSRF cookie, as a browser would receive it
    token = browser.cookies["csrftoken"].value
    accepted = browser.post(
        "/api/v1/accounts/verification/phone/start",
        {"phone": "010-1234-5678"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert accepted.status_code == 202


def test_the_openapi_document_lists_the_accounts_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/accounts/me",
        "/api/v1/accounts/verification/phone/start",
        "/api/v1/accounts/verification/phone/confirm",
        "/api/v1/accounts/verification/census",
        "/api/v1/accounts/me/personal-data",
        "/api/v1/accounts/census",
    ):
        assert path in paths


def test_a_staff_member_is_an_official_too(client):
    staff = factories.make_user(is_staff=True)
    client.force_login(staff)
    assert client.get("/api/v1/accounts/me").json()["is_official"] is True
