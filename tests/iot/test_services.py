"""IoT services: provisioning (secret shown once, stored as keyed and Mosquitto hashes),
rotation and revocation with their policies, and ingestion: a replay is a no-op, an
out-of-order reading never moves the state back, every message counted under its reason."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from hamkke.core.errors import Conflict, InvalidInput, NotAllowed, NotSignedIn
from hamkke.iot import mosquitto
from hamkke.iot.models import AssetState, Device, Reading
from hamkke.iot.services import Message, authenticate, ingest, revoke, rotate_secret, secret_hash
from tests import factories
from tests.iot.conftest import counters, payload, provision

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("city")]


def test_provisioning_makes_a_device_and_its_asset_and_stores_no_plain_secret(city):
    made = provision("waste-container", ref="BIN-7", name="북촌로 7", model_name="Sensoneo")
    device = Device.objects.select_related("asset", "district").get(pk=made.device.pk)
    assert device.asset.entity_id == f"urn:ngsi-ld:WasteContainer:{city.slug}:BIN-7"
    assert device.asset.kind == "WasteContainer" and device.asset.district.code == "11110"
    assert device.cell and device.department.code == "information-planning"
    assert made.secret not in json.dumps(list(Device.objects.values()), default=str)
    assert device.secret_hash == secret_hash(made.secret)
    assert mosquitto.hash_matches(made.secret, device.mqtt_hash)
    assert not mosquitto.hash_matches(made.secret + "x", device.mqtt_hash)


def test_an_asset_without_a_reference_is_named_after_its_device(city):
    made = provision("parking")
    assert made.entity == f"urn:ngsi-ld:ParkingSpot:{city.slug}:D{made.device.pk}"


def test_provisioning_refuses_unknown_kinds_points_outside_and_repeated_refs():
    with pytest.raises(InvalidInput, match="Unknown device kind"):
        provision("doorbell")
    with pytest.raises(InvalidInput, match="outside the city"):
        provision(point=(35.1, 129.0))
    provision(ref="P-1")
    with pytest.raises(Conflict, match="exists already"):
        provision(ref="P-1")
    assert Device.objects.count() == 1


def test_rotation_changes_the_secret_and_the_old_one_stops(city):
    made = provision()
    new = rotate_secret(device=made.device)
    assert new != made.secret
    assert authenticate(city, made.device.pk, new).pk == made.device.pk
    with pytest.raises(NotSignedIn):
        authenticate(city, made.device.pk, made.secret)


def test_a_revoked_device_is_refused_and_stays_revoked(city):
    made = provision()
    revoke(device=made.device)
    with pytest.raises(NotSignedIn, match="revoked"):
        authenticate(city, made.device.pk, made.secret)
    with pytest.raises(Conflict):
        rotate_secret(device=made.device)
    with pytest.raises(Conflict):
        revoke(device=made.device)
    assert counters(city) == {"revoked": 1}


def test_officials_need_the_handler_role_and_the_second_factor(city):
    from hamkke.accounts.models import Role
    from hamkke.core.actors import Actor
    from hamkke.core.models import Department

    keeper = Department.objects.get(city=city, code="information-planning")
    viewer = factories.make_official(role=Role.VIEWER, department=keeper)
    handler = factories.make_official(role=Role.HANDLER, department=keeper)
    with pytest.raises(NotAllowed, match="needs the role"):
        provision(actor=viewer)
    with pytest.raises(NotAllowed, match="authenticator code"):
        provision(actor=Actor(user=handler, second_factor=False))
    made = provision(actor=Actor(user=handler, second_factor=True))
    with pytest.raises(NotAllowed):
        revoke(device=made.device, actor=viewer)
    revoke(device=made.device, actor=Actor(user=handler, second_factor=True))
    assert Device.objects.get().status == "revoked"


def _message(device, moment, **attributes):
    return Message(device.pk, payload(moment, **attributes), timezone.now())


def test_a_replayed_batch_stores_nothing_twice_and_is_counted_as_duplicates(city):
    spot = provision().device
    now = timezone.now()
    batch = [_message(spot, now - timedelta(minutes=m), status="occupied") for m in (3, 2, 1)]
    first = ingest(batch)
    again = ingest(batch + batch[:1])
    assert (first.accepted, again.accepted) == (3, 0)
    assert Reading.objects.count() == 3
    assert counters(city) == {"accepted": 3, "duplicate": 4}


def test_an_older_reading_arriving_late_never_moves_the_state_back(city):
    bin_ = provision("waste-container").device
    now = timezone.now()
    ingest([_message(bin_, now - timedelta(minutes=1), fillingLevel=0.8, batteryLevel=0.4)])
    ingest([_message(bin_, now - timedelta(minutes=5), fillingLevel=0.2, batteryLevel=0.9)])
    state = AssetState.objects.get(asset=bin_.asset)
    assert state.attributes == {"fillingLevel": 0.8, "batteryLevel": 0.4}
    assert state.observed_at == now - timedelta(minutes=1)
    assert Reading.objects.count() == 2  # the history keeps both
    assert Device.objects.get(pk=bin_.pk).battery == 40


def test_out_of_order_within_one_batch_ends_on_the_newest(city):
    spot = provision().device
    now = timezone.now()
    statuses = {4: "free", 1: "occupied", 3: "closed", 2: "free"}
    ingest([_message(spot, now - timedelta(minutes=m), status=s) for m, s in statuses.items()])
    assert AssetState.objects.get(asset=spot.asset).attributes == {"status": "occupied"}


def test_a_newer_reading_of_some_attributes_keeps_the_others(city):
    bin_ = provision("waste-container").device
    now = timezone.now()
    ingest([_message(bin_, now - timedelta(minutes=2), fillingLevel=0.5)])
    ingest([_message(bin_, now - timedelta(minutes=1), batteryLevel=0.25)])
    assert AssetState.objects.get(asset=bin_.asset).attributes == {
        "fillingLevel": 0.5,
        "batteryLevel": 0.25,
    }


def test_every_refusal_is_counted_under_its_reason_and_stores_nothing(city):
    spot = provision().device
    gone = provision(point=(37.5796, 126.9770)).device
    revoke(device=gone)
    now = timezone.now()
    batch = [
        Message(999_999, payload(now, status="free"), now),
        Message(None, b"{}", now),
        _message(gone, now, status="free"),
        _message(spot, now - timedelta(days=2), status="free"),
        _message(spot, now + timedelta(minutes=10), status="free"),
        Message(spot.pk, b"not json", now),
        _message(spot, now, status="parked"),
        _message(spot, now, status="free"),
    ]
    result = ingest(batch)
    assert [reason for reason, _text in result.outcomes] == [
        "unknown_device",
        "unknown_device",
        "revoked",
        "too_old",
        "future",
        "malformed",
        "invalid_value",
        "accepted",
    ]
    assert Reading.objects.count() == 1
    assert counters(city) == {
        "unknown_device": 2,
        "revoked": 1,
        "too_old": 1,
        "future": 1,
        "malformed": 1,
        "invalid_value": 1,
        "accepted": 1,
    }


def test_a_device_of_another_city_is_unknown_here(city):
    spot = provision().device
    other = factories.make_district().city
    result = ingest([_message(spot, timezone.now(), status="free")], city=other)
    assert result.outcomes[0][0] == "unknown_device"
    assert Reading.objects.count() == 0
