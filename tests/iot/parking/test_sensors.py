"""The sensors and the clock move reservations: `occupied` during a reservation marks it
arrived (through ingestion), `free` afterwards marks it left; a reservation with no car within
the grace period is released by the periodic task, and its time may be reserved again. A lot's
free and total spots, counted from its spots' states, are NGSI-LD OffStreetParking numbers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from hamkke.iot.parking import services, tasks
from hamkke.iot.parking.models import ReservationStatus
from hamkke.iot.services import Message, ingest
from tests.iot.conftest import payload
from tests.polls.conftest import phone_voter

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("city")]
H = timedelta(hours=1)


def sense(made, moment, status):
    result = ingest(
        [
            Message(
                device_id=made.device.pk,
                payload=payload(moment, status=status),
                received_at=timezone.now(),
            )
        ]
    )
    assert result.accepted == 1, result.outcomes


def test_the_spots_sensor_marks_arrival_then_departure(spots, window, citizen):
    made = services.reserve(
        window=window, start=window.start, end=window.start + 2 * H, actor=citizen
    )
    sense(spots[0], window.start - timedelta(minutes=10), "occupied")  # before its time: nothing
    made.refresh_from_db()
    assert made.status == ReservationStatus.RESERVED
    sense(spots[1], timezone.now(), "occupied")  # another spot: nothing
    made.refresh_from_db()
    assert made.status == ReservationStatus.RESERVED
    arrived_at = timezone.now()
    sense(spots[0], arrived_at, "occupied")
    made.refresh_from_db()
    assert made.status == ReservationStatus.ARRIVED
    assert abs(made.arrived_at - arrived_at) < timedelta(seconds=1)
    sense(spots[0], arrived_at + timedelta(seconds=30), "free")
    made.refresh_from_db()
    assert made.status == ReservationStatus.RELEASED
    # Left: the rest of the time may be reserved again.
    assert services.reserve(
        window=window, start=window.start + H, end=window.start + 2 * H, actor=phone_voter()
    ).pk


def test_a_no_show_is_released_after_the_grace_period_by_the_task(spots, window, citizen, city):
    made = services.reserve(
        window=window, start=window.start, end=window.start + 2 * H, actor=citizen
    )
    grace = timedelta(minutes=city.profile["iot"]["parking_grace_minutes"])
    assert services.release_no_shows(now=made.start + grace - timedelta(seconds=1)) == 0
    made.refresh_from_db()
    assert made.status == ReservationStatus.RESERVED
    from unittest import mock

    with mock.patch("django.utils.timezone.now", return_value=made.start + grace):
        assert tasks.release_no_shows.delay().get() == 1
    made.refresh_from_db()
    assert made.status == ReservationStatus.NO_SHOW
    taken = services.reserve(
        window=window, start=window.start, end=window.start + H, actor=phone_voter()
    )
    assert taken.status == ReservationStatus.RESERVED


def test_an_arrived_reservation_is_not_released_and_the_command_releases_the_rest(
    spots, window, citizen
):
    came = services.reserve(window=window, start=window.start, end=window.start + H, actor=citizen)
    sense(spots[0], timezone.now(), "occupied")
    other = services.reserve(
        window=window, start=window.start + H, end=window.start + 2 * H, actor=phone_voter()
    )
    later = other.start + timedelta(hours=1)
    from unittest import mock

    with mock.patch("django.utils.timezone.now", return_value=later):
        call_command("iot", "parking", "release")
    came.refresh_from_db()
    other.refresh_from_db()
    assert (came.status, other.status) == (ReservationStatus.ARRIVED, ReservationStatus.NO_SHOW)


def test_ngsi_ld_offstreetparking_counts_the_lots_spots_by_their_states(spots, lot):
    now = timezone.now()
    sense(spots[0], now, "free")
    sense(spots[1], now, "occupied")
    sense(spots[2], now, "free")
    answer = Client().get("/ngsi-ld/v1/entities", {"type": "OffStreetParking"})
    assert answer.status_code == 200
    (entity,) = answer.json()
    assert entity["id"] == lot.entity_id
    assert entity["availableSpotNumber"] == {"type": "Property", "value": 2}
    assert entity["totalSpotNumber"] == {"type": "Property", "value": 3}
    sense(spots[2], now + timedelta(seconds=1), "occupied")
    one = Client().get(f"/ngsi-ld/v1/entities/{lot.entity_id}").json()
    assert one["availableSpotNumber"]["value"] == 1
    found = Client().get(
        "/ngsi-ld/v1/entities", {"type": "OffStreetParking", "q": "availableSpotNumber>=2"}
    )
    assert found.json() == []
    spot_entity = Client().get(f"/ngsi-ld/v1/entities/{spots[0].device.asset.entity_id}").json()
    assert spot_entity["refParkingSite"]["object"] == lot.entity_id
