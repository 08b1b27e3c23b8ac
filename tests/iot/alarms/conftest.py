"""Fixtures of the alarms tests: a moment to evaluate at, readings sent at device times, the
keeping department's officials."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from tests import factories
from tests.iot.conftest import BUKCHON, payload, provision

KEEPER = "information-planning"


@pytest.fixture
def now() -> datetime:
    return timezone.now().replace(microsecond=0)


def send(device, moment: datetime, **attributes) -> None:
    """One reading of `device` at device time `moment`, received then."""
    from hamkke.iot.services import Message, ingest

    result = ingest(
        [
            Message(
                device_id=device.pk,
                payload=payload(moment, **attributes),
                received_at=moment,
                device=device,
            )
        ],
        city=device.city,
        now=moment,
    )
    assert result.accepted == 1, result.outcomes


def evaluate(city, now: datetime):
    from hamkke.iot.alarms.services import evaluate as run

    return run(city=city, now=now)


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def zone(point=BUKCHON, **values):
    """An illegal-parking sensor and the no-parking zone it watches."""
    return provision(
        kind="illegal-parking", point=point, name="북촌로 5길 정차금지", **values
    ).device


def bin_sensor(**values):
    return provision(kind="waste-container", **values).device


def alarms_of(asset_or_device, **filters):
    from hamkke.iot.alarms.models import Alarm

    key = "device" if asset_or_device.__class__.__name__ == "Device" else "asset"
    return list(Alarm.objects.filter(**{key: asset_or_device}, **filters).order_by("pk"))


@pytest.fixture
def keeper(city):
    from hamkke.core.models import Department

    return Department.objects.get(city=city, code=KEEPER)


@pytest.fixture
def handler(keeper):
    from hamkke.accounts.models import Role

    return factories.make_official(role=Role.HANDLER, department=keeper)


@pytest.fixture
def viewer(keeper):
    from hamkke.accounts.models import Role

    return factories.make_official(role=Role.VIEWER, department=keeper)
