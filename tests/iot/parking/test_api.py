"""The parking API: lots and windows for everyone; reserving (Idempotency-Key), cancelling and
one's own reservations for verified citizens; 4xx with a clear message for overlaps, the past
and nonsense."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client

from hamkke.iot.parking.models import Reservation
from tests.iot.parking.conftest import unverified

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("city")]
H = timedelta(hours=1)
BASE = "/api/v1/iot/parking"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client, path, body, **headers):
    return client.post(
        BASE + path, json.dumps(body, default=str), content_type="application/json", headers=headers
    )


def test_lots_and_windows_are_public_and_name_no_one(spots, lot, window, citizen):
    lots = Client().get(BASE + "/lots").json()
    assert [(x["entity"], x["totalSpotNumber"]) for x in lots] == [(lot.entity_id, 3)]
    post(
        signed_in(citizen),
        "/reservations",
        {"window": window.pk, "start": window.start, "end": window.start + H},
    )
    (shown,) = Client().get(BASE + "/windows").json()
    assert shown["id"] == window.pk and len(shown["taken"]) == 1
    assert citizen.email not in json.dumps(shown) and "citizen" not in shown["taken"][0]


def test_reserving_answers_201_once_per_idempotency_key_and_409_for_an_overlap(window, citizen):
    client = signed_in(citizen)
    body = {"window": window.pk, "start": window.start, "end": window.start + 2 * H}
    first = post(client, "/reservations", body, **{"Idempotency-Key": "k-1"})
    assert first.status_code == 201, first.content
    again = post(client, "/reservations", body, **{"Idempotency-Key": "k-1"})
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert Reservation.objects.count() == 1
    clash = post(
        client, "/reservations", {**body, "start": window.start + H, "end": window.start + 3 * H}
    )
    assert clash.status_code == 409
    assert clash.json()["code"] == "overlap" and "already reserved" in clash.json()["detail"]
    mine = client.get(BASE + "/reservations/mine").json()
    assert [m["code"] for m in mine] == [first.json()["code"]]


@pytest.mark.parametrize(
    "change, status, code",
    [
        ({"start": "-2h", "end": "+1h"}, 400, "in_the_past"),
        ({"start": "+2h", "end": "+1h"}, 400, "invalid"),
        ({"start": "+7h", "end": "+9h"}, 400, "outside_window"),
        ({"start": "2999-12-31T23:00:00-14:00", "end": "3000-01-01T01:00:00Z"}, 400, "invalid"),
        ({"window": 10**9}, 404, "not_found"),
    ],
)
def test_nonsense_is_refused_with_a_reason(window, citizen, change, status, code):
    def moment(value):
        if isinstance(value, str) and value[0] in "+-" and value.endswith("h"):
            return (window.start + int(value[:-1]) * H).isoformat()
        return value

    body = {"window": window.pk, "start": window.start + H, "end": window.start + 2 * H}
    body.update({k: moment(v) for k, v in change.items()})
    answer = post(signed_in(citizen), "/reservations", body)
    assert answer.status_code == status, answer.content
    assert answer.json()["code"] == code and answer.json()["detail"]
    assert not Reservation.objects.exists()


def test_malformed_bodies_and_people_without_a_right_get_4xx(window):
    body = {"window": window.pk, "start": window.start, "end": window.start + H}
    assert post(Client(), "/reservations", body).status_code == 401
    refused = post(signed_in(unverified()), "/reservations", body)
    assert (refused.status_code, refused.json()["code"]) == (403, "verification_required")
    for nonsense in ({"window": "x"}, {"window": window.pk, "start": "tomorrow", "end": 3}, []):
        answer = post(signed_in(unverified()), "/reservations", nonsense)
        assert 400 <= answer.status_code < 500


def test_cancelling_through_the_api(window, citizen):
    client = signed_in(citizen)
    made = post(
        client,
        "/reservations",
        {"window": window.pk, "start": window.start, "end": window.start + H},
    ).json()
    assert (
        post(signed_in(unverified()), f"/reservations/{made['code']}/cancel", {}).status_code == 404
    )
    cancelled = post(client, f"/reservations/{made['code']}/cancel", {})
    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled")
    twice = post(client, f"/reservations/{made['code']}/cancel", {})
    assert (twice.status_code, twice.json()["code"]) == (409, "not_cancellable")


def test_a_holder_shares_through_the_api_and_overlaps_answer_409(spot, resident, window):
    client = signed_in(resident)
    body = {"spot": spot.ref, "start": window.end, "end": window.end + 2 * H}
    assert post(client, "/windows", body).status_code == 201
    clash = post(client, "/windows", {**body, "spot": spot.entity_id})
    assert (clash.status_code, clash.json()["code"]) == (409, "overlap")
    stranger = post(
        signed_in(unverified()),
        "/windows",
        {**body, "start": window.end + 3 * H, "end": window.end + 4 * H},
    )
    assert stranger.status_code == 403
