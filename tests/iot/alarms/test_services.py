"""The evaluator: thresholds lasting their minutes by device time (edges: a minute short, just
enough, a run broken by one reading, readings arriving late and out of order), offline and
battery low, deduplication (evaluating twice changes nothing; the database refuses a second
open alarm), and the illegal-parking sensor filing exactly one Smart Complaint, channel sensor,
cleared when the zone is free again while the complaint stays."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from hamkke.iot.alarms.models import Alarm, AlarmState
from tests.iot.alarms.conftest import alarms_of, bin_sensor, evaluate, minutes, send, zone

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("city")]


def types(device, **filters) -> list[str]:
    return [alarm.type for alarm in alarms_of(device, **filters)]


# --- lasting at least N minutes (bin-full: fillingLevel >= 0.9 for 30 minutes) -------------------


def test_a_bin_full_for_thirty_minutes_by_device_time_raises_one_alarm(city, now):
    device = bin_sensor()
    send(device, now - minutes(30), fillingLevel=0.92)
    send(device, now - minutes(1), fillingLevel=0.95)
    evaluate(city, now)
    [alarm] = alarms_of(device, type="bin-full")
    assert alarm.state == AlarmState.ACTIVE and alarm.severity == "warning"
    assert alarm.started_at == now - minutes(30)
    assert alarm.observed == {"attribute": "fillingLevel", "value": 0.95}


def test_a_minute_short_raises_nothing_and_a_minute_later_it_does(city, now):
    device = bin_sensor()
    send(device, now - minutes(29), fillingLevel=0.9)
    evaluate(city, now)
    assert types(device) == []
    evaluate(city, now + minutes(1))
    assert types(device, type="bin-full") == ["bin-full"]


def test_one_reading_below_the_threshold_breaks_the_run(city, now):
    device = bin_sensor()
    send(device, now - minutes(50), fillingLevel=0.95)
    send(device, now - minutes(20), fillingLevel=0.5)
    send(device, now - minutes(19), fillingLevel=0.97)
    evaluate(city, now)
    assert types(device) == []
    evaluate(city, now + minutes(11))
    [alarm] = alarms_of(device, type="bin-full")
    assert alarm.started_at == now - minutes(19)


def test_readings_without_the_attribute_neither_break_nor_start_the_run(city, now):
    device = bin_sensor()
    send(device, now - minutes(40), fillingLevel=0.95)
    send(device, now - minutes(10), batteryLevel=0.8)
    evaluate(city, now)
    assert types(device) == ["bin-full"]


def test_late_readings_are_judged_by_their_device_times_not_by_arrival(city, now):
    """The bin emptied 20 minutes ago, but that reading arrives after a newer full one that
    came first: the run starts at the newer reading, not 45 minutes ago."""
    device = bin_sensor()
    send(device, now - minutes(45), fillingLevel=0.95)
    send(device, now - minutes(5), fillingLevel=0.96)
    send(device, now - minutes(20), fillingLevel=0.1)  # late, out of order
    evaluate(city, now)
    assert types(device) == []


def test_the_alarm_clears_when_the_state_is_back_within_the_rule(city, now):
    device = bin_sensor()
    send(device, now - minutes(40), fillingLevel=0.95)
    evaluate(city, now)
    send(device, now + minutes(1), fillingLevel=0.05)
    evaluate(city, now + minutes(2))
    [alarm] = alarms_of(device, type="bin-full")
    assert alarm.state == AlarmState.CLEARED and alarm.cleared_at == now + minutes(2)
    # Full again, for long enough: a new alarm (the cleared one stays as it was).
    send(device, now + minutes(3), fillingLevel=0.99)
    evaluate(city, now + minutes(40))
    states = [a.state for a in alarms_of(device, type="bin-full")]
    assert states == [AlarmState.CLEARED, AlarmState.ACTIVE]


# --- offline and battery low ---------------------------------------------------------------------


def test_a_device_silent_for_thirty_minutes_is_offline_until_heard_again(city, now):
    device = bin_sensor()
    send(device, now - minutes(31), fillingLevel=0.2)
    send(bin_sensor(), now - minutes(29), fillingLevel=0.2)  # another, heard lately
    evaluate(city, now)
    [alarm] = Alarm.objects.filter(type="offline")
    assert alarm.device_id == device.pk and alarm.started_at == now - minutes(31)
    send(device, now + minutes(1), fillingLevel=0.3)
    evaluate(city, now + minutes(2))
    alarm.refresh_from_db()
    assert alarm.state == AlarmState.CLEARED


def test_a_device_never_heard_is_offline_from_its_provisioning(city, now):
    device = bin_sensor()
    evaluate(city, device.created_at + minutes(29))
    assert types(device) == []
    evaluate(city, device.created_at + minutes(30))
    assert types(device) == ["offline"]


def test_a_revoked_devices_alarms_are_cleared(city, now):
    from hamkke.iot.services import revoke

    device = bin_sensor()
    evaluate(city, device.created_at + minutes(31))
    revoke(device=device)
    evaluate(city, device.created_at + minutes(32))
    assert [a.state for a in alarms_of(device)] == [AlarmState.CLEARED]


def test_battery_below_fifteen_percent_is_low_at_once_and_clears_when_charged(city, now):
    device = bin_sensor()
    send(device, now - minutes(2), fillingLevel=0.2, batteryLevel=0.15)
    evaluate(city, now)
    assert types(device) == []
    send(device, now - minutes(1), batteryLevel=0.149)
    evaluate(city, now)
    [alarm] = alarms_of(device)
    assert (alarm.type, alarm.severity) == ("battery-low", "info")
    send(device, now, batteryLevel=0.9)
    evaluate(city, now)
    alarm.refresh_from_db()
    assert alarm.state == AlarmState.CLEARED


# --- deduplication -------------------------------------------------------------------------------


def test_evaluating_twice_changes_nothing(city, now):
    device = bin_sensor()
    send(device, now - minutes(40), fillingLevel=0.95, batteryLevel=0.1)
    first = evaluate(city, now)
    assert first.changed
    before = list(Alarm.objects.order_by("pk").values())
    second = evaluate(city, now)
    assert not second.changed
    assert list(Alarm.objects.order_by("pk").values()) == before
    assert sorted(types(device)) == ["battery-low", "bin-full", "offline"]


def test_an_acknowledged_alarm_still_counts_as_open(city, now, handler):
    from hamkke.iot.alarms.services import acknowledge

    device = bin_sensor()
    send(device, now - minutes(40), fillingLevel=0.95)
    evaluate(city, now)
    [alarm] = alarms_of(device, type="bin-full")
    acknowledge(alarm=alarm, actor=handler)
    evaluate(city, now + minutes(5))
    [alarm] = alarms_of(device, type="bin-full")
    assert alarm.state == AlarmState.ACKNOWLEDGED and alarm.acknowledged_by == handler


def test_the_database_refuses_a_second_open_alarm_of_a_type_on_an_asset(city, now):
    device = bin_sensor()
    values = {"city": city, "asset": device.asset, "type": "offline", "severity": "warning"}
    Alarm.objects.create(raised_at=now, **values)
    with pytest.raises(IntegrityError), transaction.atomic():
        Alarm.objects.create(raised_at=now, state=AlarmState.ACKNOWLEDGED, **values)
    Alarm.objects.update(state=AlarmState.CLEARED)
    Alarm.objects.create(raised_at=now, **values)
    assert Alarm.objects.count() == 2


# --- illegal parking → one Smart Complaint -------------------------------------------------


def test_an_occupied_zone_files_one_complaint_and_clears_when_free(city, now):
    from hamkke.complaints.models import Channel, Complaint, Status

    device = zone()
    send(device, now - minutes(10), status="occupied")
    evaluate(city, now - minutes(1))
    assert types(device) == []  # nine minutes: allowed
    done = evaluate(city, now)
    assert done.complaints == 1
    [alarm] = alarms_of(device)
    [complaint] = Complaint.objects.all()
    assert alarm.type == "illegal-parking" and alarm.complaint == complaint
    assert complaint.channel == Channel.SENSOR and complaint.status == Status.RECEIVED
    assert complaint.category.code == "illegal-parking" and complaint.reporter is None
    assert (complaint.location.latitude, complaint.location.longitude) == (
        device.asset.latitude,
        device.asset.longitude,
    )
    assert device.asset.name in complaint.description and "sensor" in complaint.description
    assert not (complaint.contact_name or complaint.contact_email or complaint.contact_phone)
    # Still occupied: no second complaint, however often the rules run.
    send(device, now + minutes(1), status="occupied")
    for later in (2, 3, 20):
        evaluate(city, now + minutes(later))
    assert Complaint.objects.count() == 1 and len(alarms_of(device)) == 1
    # "unknown" says nothing of the car; free clears the alarm, and the complaint stays.
    send(device, now + minutes(21), status="unknown")
    evaluate(city, now + minutes(21))
    assert alarms_of(device)[0].state == AlarmState.ACTIVE
    send(device, now + minutes(22), status="free")
    evaluate(city, now + minutes(22))
    [alarm] = alarms_of(device)
    assert alarm.state == AlarmState.CLEARED and "free" in alarm.clear_note
    complaint.refresh_from_db()
    assert complaint.status == Status.RECEIVED and alarm.complaint == complaint


def test_a_complaint_refused_is_filed_at_a_later_evaluation_exactly_once(city, now):
    from hamkke.complaints.models import Category, Complaint

    device = zone()
    send(device, now - minutes(15), status="occupied")
    Category.objects.filter(city=city, code="illegal-parking").update(active=False)
    evaluate(city, now)
    [alarm] = alarms_of(device)
    assert alarm.complaint is None and alarm.complaint_error
    assert not Complaint.objects.exists()
    Category.objects.filter(city=city, code="illegal-parking").update(active=True)
    assert evaluate(city, now + minutes(1)).complaints == 1
    evaluate(city, now + minutes(2))
    alarm.refresh_from_db()
    assert alarm.complaint is not None and alarm.complaint_error == ""
    assert Complaint.objects.count() == 1


def test_a_parking_spot_occupied_for_hours_is_no_illegal_parking(city, now):
    from tests.iot.conftest import provision

    device = provision(kind="parking").device
    send(device, now - minutes(120), status="occupied")
    send(device, now - minutes(1), status="occupied")
    evaluate(city, now)
    assert types(device) == []
