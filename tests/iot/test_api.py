"""POST /api/v1/iot/devices/{id}/readings: 202 with what was accepted (a replay too, as a
no-op), 401 for a wrong secret, an unknown or revoked device, 400 with the reason for a bad
reading, 429 past the per-device rate; every answer counted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from hamkke.iot.models import AssetState, Reading
from hamkke.iot.services import revoke
from tests.iot.conftest import counters, payload, provision

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("city")]


def post(device_id, body, secret):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"} if secret is not None else {}
    return Client().post(
        f"/api/v1/iot/devices/{device_id}/readings",
        body,
        content_type="application/json",
        **headers,
    )


def test_a_reading_is_accepted_with_202_and_a_replay_is_a_no_op(city):
    made = provision("waste-container")
    moment = timezone.now() - timedelta(seconds=30)
    body = payload(moment, fillingLevel=0.85)
    first, again = post(made.device.pk, body, made.secret), post(made.device.pk, body, made.secret)
    assert first.status_code == again.status_code == 202
    assert first.json()["accepted"] == 1 and not first.json()["duplicate"]
    assert again.json()["accepted"] == 0 and again.json()["duplicate"]
    assert first.json()["entity"] == made.entity
    assert first.json()["attributes"] == {"fillingLevel": 0.85}
    assert Reading.objects.count() == 1
    assert AssetState.objects.get().attributes == {"fillingLevel": 0.85}
    assert counters(city) == {"accepted": 1, "duplicate": 1}


@pytest.mark.parametrize("secret", [None, "", "wrong-secret"])
def test_a_wrong_or_missing_secret_is_401_and_counted(city, secret):
    made = provision()
    response = post(made.device.pk, payload(timezone.now(), status="free"), secret)
    assert response.status_code == 401
    assert "Bearer" in response.json()["detail"]
    assert counters(city) == {"unknown_device": 1}
    assert not Reading.objects.exists()


def test_an_unknown_device_and_a_revoked_one_are_401(city):
    made = provision()
    assert (
        post(made.device.pk + 1000, payload(timezone.now(), status="free"), "x").status_code == 401
    )
    revoke(device=made.device)
    response = post(made.device.pk, payload(timezone.now(), status="free"), made.secret)
    assert response.status_code == 401 and response.json()["code"] == "revoked"
    assert counters(city) == {"unknown_device": 1, "revoked": 1}


@pytest.mark.parametrize(
    ("body", "code", "words"),
    [
        (b'{"time": "2026-01-01T00:00:00+00:00", "fillingLevel": 3.7}', "too_old", "day old"),
        (b"[]", "malformed", "JSON object"),
        (b"{oops", "malformed", "not valid JSON"),
        (None, "invalid_value", "from 0 to 1"),
    ],
)
def test_a_bad_reading_is_400_with_a_clear_message_and_counted(city, body, code, words):
    made = provision("waste-container")
    body = body or payload(timezone.now(), fillingLevel=3.7)
    response = post(made.device.pk, body, made.secret)
    assert response.status_code == 400
    assert response.json()["code"] == code and words in response.json()["detail"]
    assert counters(city) == {code: 1}
    assert not Reading.objects.exists()


def test_a_nul_character_is_refused_before_anything(city):
    made = provision()
    body = b'{"time": "%s", "status": "free\\u0000"}' % timezone.now().isoformat().encode()
    response = post(made.device.pk, body, made.secret)
    assert response.status_code == 400
    assert not Reading.objects.exists()


@pytest.fixture
def three_a_minute(city):
    from hamkke.core.city.selectors import forget_current_city

    city.profile["iot"]["device_rate_per_minute"] = 3
    city.save(update_fields=["profile"])
    forget_current_city()
    yield
    forget_current_city()  # the next test reads the profile as the database has it again


@pytest.mark.usefixtures("three_a_minute")
def test_a_device_sending_too_often_gets_429(city):
    made = provision()
    now = timezone.now()
    answers = [
        post(made.device.pk, payload(now - timedelta(seconds=s), status="free"), made.secret)
        for s in range(5)
    ]
    assert [a.status_code for a in answers] == [202, 202, 202, 429, 429]
    assert (
        answers[3].json()["code"] == "rate_limited" and "3 readings" in answers[3].json()["detail"]
    )
    assert "Retry-After" in answers[3]
