"""Evaluators at once: on PostgreSQL they really overlap, and the partial unique index leaves one
alarm per asset and type, and the illegal-parking sensor exactly one complaint (SQLite takes
writers in turn)."""

from __future__ import annotations

import pytest

from tests.ideas.test_concurrency import _at_once
from tests.iot.alarms.conftest import evaluate, minutes, send, zone

EVALUATORS = 6


@pytest.mark.django_db(transaction=True)
def test_concurrent_evaluators_raise_one_alarm_and_file_one_complaint(city, now):
    from hamkke.complaints.models import Complaint
    from hamkke.iot.alarms.models import Alarm

    devices = [zone(point=(37.5826 + i * 0.0005, 126.9831)) for i in range(3)]
    for device in devices:
        send(device, now - minutes(12), status="occupied")
        send(device, now - minutes(1), status="occupied")
    outcomes = _at_once([lambda: evaluate(city, now)] * EVALUATORS)
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert sum(o.raised["illegal-parking"] for o in outcomes) == len(devices)
    assert sum(o.complaints for o in outcomes) == len(devices)
    for device in devices:
        [alarm] = Alarm.objects.filter(asset=device.asset)
        assert alarm.complaint is not None
    assert Complaint.objects.filter(channel="sensor").count() == len(devices)
