"""Fixtures of the smart bins' tests: bins with fill levels read by their sensors, trucks, the
sensors' keeping department and its officials."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests import factories
from tests.iot.conftest import BUKCHON, payload, provision


def read(made, level: float, *, ago: float = 30.0):
    """The bin's sensor sends `level`, `ago` seconds ago, through ingestion."""
    from hamkke.iot import services

    moment = timezone.now() - timedelta(seconds=ago)
    message = services.Message(
        device_id=made.device.pk,
        payload=payload(moment, fillingLevel=level),
        received_at=timezone.now(),
        device=made.device,
    )
    return services.ingest([message])


def bin_at(offset: tuple[float, float], level: float | None, *, ref: str = "", ago: float = 60.0):
    """A bin near Bukchon, `offset` (degrees) away, with a first reading `level`."""
    point = (BUKCHON[0] + offset[0], BUKCHON[1] + offset[1])
    made = provision("waste-container", point=point, ref=ref)
    if level is not None:
        read(made, level, ago=ago)
    return made


def truck(name="Truck 1", capacity=1000, point=BUKCHON, districts=(), active=True):
    from hamkke.iot.bins.services import save_truck

    return save_truck(
        actor=None,
        name=name,
        capacity_litres=capacity,
        latitude=point[0],
        longitude=point[1],
        districts=districts,
        active=active,
    )


@pytest.fixture
def keeper(city):
    from hamkke.iot.services import keeper_of

    return keeper_of(city)


@pytest.fixture
def handler(keeper):
    from hamkke.accounts.models import Role

    return factories.make_official(role=Role.HANDLER, department=keeper)


@pytest.fixture
def viewer(keeper):
    from hamkke.accounts.models import Role

    return factories.make_official(role=Role.VIEWER, department=keeper)
